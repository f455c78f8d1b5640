import { sql } from 'kysely';
import type { Database, Queryable } from '../platform/db/index.js';
import type { Clock } from '../platform/clock.js';
import type { SignedInUser } from '../platform/auth/actor.js';
import { authorise } from '../platform/auth/policy.js';
import { recordAudit, type Actor } from '../platform/audit.js';
import type { DeliveryMode, ServiceStatus } from '../platform/db/directory-schema.js';
import { modeLabel, sortModes } from './services/delivery-modes.js';

export { modeLabel, sortModes };

/**
 * How services changed over a period, in the sector's terms (NAVCA, after Covid-19):
 *  - Remaking: doing different things — the service was created within the period;
 *  - Rearranging: doing things differently — it existed before and its delivery modes changed within the period;
 *  - Reaffirming: continuing what worked — it existed before, its modes did not change, and it was active at the end.
 * A service that existed before, kept its modes and was not active at the end of the period stopped or paused
 * ('paused_or_closed'); one not active all through the period, or created after it, is not counted ('not_counted').
 *
 * Days are 'YYYY-MM-DD' strings (Europe/London); a period includes both its first and last day.
 */

export type Classification = 'remaking' | 'rearranging' | 'reaffirming' | 'paused_or_closed' | 'not_counted';
export const COUNTED: Exclude<Classification, 'not_counted'>[] = ['remaking', 'rearranging', 'reaffirming', 'paused_or_closed'];
export const CLASSIFICATION_LABELS: Record<Classification, string> = {
  remaking: 'Remaking (new services)',
  rearranging: 'Rearranging (new ways of delivering)',
  reaffirming: 'Reaffirming (continued unchanged)',
  paused_or_closed: 'Paused or closed',
  not_counted: 'Not counted',
};

export interface HistoryEntry { changedOn: string; deliveryModes: readonly string[]; status: string }
export interface ServiceHistory {
  createdOn: string;
  /** the service as it is now: used when it has no history rows */
  status: string;
  deliveryModes: readonly string[];
  history: readonly HistoryEntry[];
}
export interface Period { from: string; to: string }

export interface ClassifiedService {
  classification: Classification;
  modesAtStart: string[];
  modesAtEnd: string[];
  statusAtEnd: string;
  /** days within the period on which the delivery modes changed */
  modeChanges: string[];
}

const sameModes = (a: readonly string[], b: readonly string[]) => {
  const x = new Set(a);
  const y = new Set(b);
  return x.size === y.size && [...x].every((m) => y.has(m));
};


export function classify(service: ServiceHistory, period: Period): ClassifiedService {
  // Oldest first; rows of one day keep their given order (the last is the day's final state).
  const rows = service.history.map((h, i) => ({ ...h, i })).sort((a, b) => a.changedOn.localeCompare(b.changedOn) || a.i - b.i);
  const before = rows.filter((r) => r.changedOn < period.from);
  const within = rows.filter((r) => r.changedOn >= period.from && r.changedOn <= period.to);
  const current = { deliveryModes: service.deliveryModes, status: service.status };
  // The state as the period began: the last row before it; else (no earlier rows) the first row within it; else now.
  const start = before.at(-1) ?? within[0] ?? (rows.length ? rows[0]! : current);
  const end = within.at(-1) ?? before.at(-1) ?? (rows.length ? rows[0]! : current);

  const modeChanges: string[] = [];
  let previous = start.deliveryModes;
  for (const row of within) {
    if (!sameModes(previous, row.deliveryModes)) modeChanges.push(row.changedOn);
    previous = row.deliveryModes;
  }
  const result = (classification: Classification): ClassifiedService => ({
    classification, modesAtStart: sortModes(start.deliveryModes), modesAtEnd: sortModes(end.deliveryModes), statusAtEnd: end.status, modeChanges: [...new Set(modeChanges)],
  });

  if (service.createdOn > period.to) return result('not_counted');
  if (service.createdOn >= period.from) return result('remaking');
  if (modeChanges.length) return result('rearranging');
  if (end.status === 'active') return result('reaffirming');
  if (start.status === 'active' || within.some((r) => r.status === 'active')) return result('paused_or_closed');
  return result('not_counted');
}

// ---------------------------------------------------------------------------------------------------

export interface ChangeReportRow extends ClassifiedService {
  id: string; name: string; organisationName: string; createdOn: string; status: ServiceStatus; deliveryModes: DeliveryMode[];
}
export interface ChangeReport { period: Period; counts: Record<Exclude<Classification, 'not_counted'>, number>; rows: ChangeReportRow[] }

export const deliveryHistoryRepository = {
  /** Services created by the end of the period, with their history up to it. */
  async servicesWithHistory(db: Queryable, to: string) {
    const services = await db.selectFrom('services').innerJoin('organisations as o', 'o.id', 'services.organisation_id')
      .select(['services.id', 'services.name', 'services.status', 'services.delivery_modes', 'o.name as organisation_name',
        sql<string>`to_char(services.created_at at time zone 'Europe/London', 'YYYY-MM-DD')`.as('created_on')])
      .where(sql<boolean>`(services.created_at at time zone 'Europe/London')::date <= ${to}::date`)
      .orderBy(sql`lower(services.name)`).orderBy('services.id').execute();
    const history = await db.selectFrom('service_delivery_changes')
      .select(['service_id', 'delivery_modes', 'status', sql<string>`to_char(changed_on, 'YYYY-MM-DD')`.as('changed_on')])
      .where(sql<boolean>`changed_on <= ${to}::date`).orderBy('service_id').orderBy('changed_on').orderBy('id').execute();
    return { services, history };
  },
};

export function buildReport(data: Awaited<ReturnType<typeof deliveryHistoryRepository.servicesWithHistory>>, period: Period): ChangeReport {
  const byService = new Map<string, HistoryEntry[]>();
  for (const h of data.history) {
    const list = byService.get(h.service_id) ?? [];
    list.push({ changedOn: h.changed_on, deliveryModes: h.delivery_modes, status: h.status });
    byService.set(h.service_id, list);
  }
  const counts = { remaking: 0, rearranging: 0, reaffirming: 0, paused_or_closed: 0 };
  const rows: ChangeReportRow[] = [];
  for (const s of data.services) {
    const classified = classify({ createdOn: s.created_on, status: s.status, deliveryModes: s.delivery_modes, history: byService.get(s.id) ?? [] }, period);
    if (classified.classification === 'not_counted') continue;
    counts[classified.classification] += 1;
    rows.push({ ...classified, id: s.id, name: s.name, organisationName: s.organisation_name, createdOn: s.created_on, status: s.status, deliveryModes: s.delivery_modes });
  }
  return { period, counts, rows };
}


/** A CSV cell: quoted when needed, and never read as a formula by a spreadsheet. */
export function csvCell(value: string | number | null | undefined): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function reportCsv(report: ChangeReport): string {
  const header = ['classification', 'service_id', 'service', 'organisation', 'created_on', 'delivery_modes_at_start', 'delivery_modes_at_end', 'status_at_end', 'delivery_mode_changed_on'];
  const lines = [header.join(',')];
  for (const r of report.rows) {
    lines.push([
      CLASSIFICATION_LABELS[r.classification].replace(/ \(.*\)$/, ''), r.id, r.name, r.organisationName, r.createdOn,
      r.modesAtStart.map(modeLabel).join('; '), r.modesAtEnd.map(modeLabel).join('; '), r.statusAtEnd, r.modeChanges.join('; '),
    ].map(csvCell).join(','));
  }
  return lines.join('\r\n') + '\r\n';
}

/** Staff read the report on a page and download it as CSV (an export, so audited). */
export class DeliveryHistoryService {
  constructor(private readonly deps: { db: Database; clock: Clock }) {}

  async report(actor: SignedInUser | null, lioId: string, period: Period): Promise<ChangeReport> {
    authorise(actor, 'organisations.read');
    const data = await this.deps.db.withTenant(lioId, (tx) => deliveryHistoryRepository.servicesWithHistory(tx, period.to));
    return buildReport(data, period);
  }

  async exportCsv(actor: SignedInUser | null, lioId: string, who: Actor, period: Period): Promise<string> {
    authorise(actor, 'directory.export');
    const now = this.deps.clock.now();
    return this.deps.db.withTenant(lioId, async (tx) => {
      const report = buildReport(await deliveryHistoryRepository.servicesWithHistory(tx, period.to), period);
      await recordAudit(tx, lioId, who, { action: 'directory.changes_exported', subjectType: 'report', detail: { from: period.from, to: period.to, rows: report.rows.length } }, now);
      return reportCsv(report);
    });
  }

  /** Today in Europe/London, as the report's default end. */
  today(): string {
    return londonDay(this.deps.clock.now());
  }
}

export function londonDay(at: Date): string {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)!.value;
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/** Reads a day typed as YYYY-MM-DD (a date input) or D/M/YYYY; null when it is not a real day. */
export function parseDay(value: string): string | null {
  let y: number, m: number, d: number;
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(value);
  const uk = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(value);
  if (iso) [y, m, d] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  else if (uk) [d, m, y] = [Number(uk[1]), Number(uk[2]), Number(uk[3])];
  else return null;
  const date = new Date(Date.UTC(y, m - 1, d));
  if (y < 1900 || y > 2200 || date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return null;
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}
