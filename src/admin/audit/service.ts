import type { Database } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import type { SignedInUser } from '../../platform/auth/actor.js';
import { authorise } from '../../platform/auth/policy.js';
import { auditActorOf, recordAudit } from '../../platform/audit.js';
import { toCsv } from '../../platform/csv.js';
import { auditLogRepository as repo, type AuditFilter, type AuditRow, type SubjectName } from './repository.js';

/** A download holds at most this many entries, the newest; the page says so when a filter matches more. */
export const EXPORT_LIMIT = 100_000;

export interface NamedEntry extends AuditRow {
  /** The person's name now, or the label written at the time (an e-mail address, 'Daily verification sweep'). */
  who: string;
  /** The label written at the time, when it is not what `who` shows. */
  whoLabel: string | null;
  subject: (SubjectName & { type: string }) | null;
}

function named(rows: AuditRow[], names: Map<string, SubjectName>): NamedEntry[] {
  return rows.map((r) => {
    const who = r.actor_name ?? r.actor_label;
    const found = r.subject_type && r.subject_id ? names.get(`${r.subject_type}:${r.subject_id.toLowerCase()}`) : undefined;
    return {
      ...r, who, whoLabel: who === r.actor_label ? null : r.actor_label,
      subject: r.subject_type ? { type: r.subject_type, name: found?.name ?? r.subject_id ?? '', href: found?.href ?? null } : null,
    };
  });
}

/** What the download's own entry says of its filter: the fields used, and the values that are not free text. */
function filterOfRecord(filter: AuditFilter, fields: readonly string[]) {
  const day = (d: Date | undefined) => d?.toISOString().slice(0, 10);
  return {
    fields: [...fields],
    ...(filter.action ? { action: filter.action } : {}),
    ...(filter.subjectType ? { subjectType: filter.subjectType } : {}),
    ...(filter.from ? { from: day(filter.from) } : {}),
    // The filter's end is the first moment not included; the entry gives the last day included, as it was chosen.
    ...(filter.to ? { to: day(new Date(filter.to.getTime() - 86_400_000)) } : {}),
  };
}

/** The audit log for admins: who did what to which record, named, filtered and downloadable. */
export class AuditLogService {
  constructor(private readonly deps: { db: Database; clock: Clock }) {}

  /** A page of the entries that match; `null` (a filter that could not be read) lists none but still offers the choices. */
  async page(actor: SignedInUser | null, filter: AuditFilter | null, page: number, pageSize: number) {
    authorise(actor, 'audit.read');
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      const { total, rows } = filter ? await repo.page(tx, filter, page, pageSize) : { total: 0, rows: [] };
      return {
        total, entries: named(rows, await repo.subjectNames(tx, rows)),
        actions: await repo.actions(tx), subjectTypes: await repo.subjectTypes(tx),
      };
    });
  }

  /**
   * The matching entries as CSV; the download is itself an entry, as every export of the LIO's records is. The entry
   * names the filters used, the action and type of record chosen and the dates, never the words typed to find a person
   * or a record (a name, an e-mail address): the audit log is kept long and must not become a store of personal data.
   */
  async csv(actor: SignedInUser | null, filter: AuditFilter, fields: readonly string[]): Promise<{ csv: string; rows: number }> {
    authorise(actor, 'audit.read');
    const now = this.deps.clock.now();
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      const rows = await repo.all(tx, filter, EXPORT_LIMIT);
      const entries = named(rows, await repo.subjectNames(tx, rows));
      await recordAudit(tx, actor.lioId, auditActorOf(actor), {
        action: 'audit.exported', subjectType: 'report', detail: { filter: filterOfRecord(filter, fields), rows: entries.length },
      }, now);
      // Each cell guarded against formulas by toCsv: a record's name is written by whoever made the record.
      const csv = toCsv(['occurred_at', 'person', 'recorded_as', 'action', 'record_type', 'record_id', 'record', 'detail'], entries.map((e) => [
        e.occurred_at, e.who, e.actor_label, e.action, e.subject?.type ?? '', e.subject_id ?? '', e.subject?.name ?? '', JSON.stringify(e.detail),
      ]));
      return { csv, rows: entries.length };
    });
  }
}
