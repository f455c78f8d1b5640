import { sql } from 'kysely';
import type { Queryable } from '../../platform/db/index.js';
import { anyId } from '../../platform/db/personal-data-sql.js';
import { dateTimeText, type PersonalDataPart, type RowCounts } from '../../platform/personal-data.js';
import { CASE_STATUSES, SUPPORT_TOPICS } from '../vocabulary.js';

/** Six years after a case closes (the limitation period funders' audits work to), it no longer names who asked. */
export const CASE_RETENTION_YEARS = 6;

const USER_COLUMNS = [
  ['support_cases', 'adviser_user_id'], ['support_case_notes', 'author_user_id'], ['support_case_documents', 'uploaded_by_user_id'],
  ['support_outcomes', 'recorded_by_user_id'], ['group_health_checks', 'assessed_by_user_id'],
] as const;

/** Cases the person asked for: as a person record (taken by phone) or from their account (the portal). */
const asked = (db: Queryable, personIds: string[], userIds: string[]) => db.selectFrom('support_cases as c')
  .innerJoin('organisations as o', 'o.id', 'c.organisation_id')
  .selectAll('c').select('o.name as organisation_name')
  .where((eb) => eb.or([eb('c.asked_by_person_id', '=', anyId(personIds)), eb('c.asked_by_user_id', '=', anyId(userIds))]))
  .orderBy('c.opened_on');

/** Messages the person wrote to an adviser from their group's portal. */
const messages = (db: Queryable, userIds: string[]) => db.selectFrom('support_case_notes').selectAll()
  .where('from_group', '=', true).where('author_user_id', '=', anyId(userIds)).orderBy('created_at');

async function count(run: Promise<{ numUpdatedRows?: bigint; numDeletedRows?: bigint }>): Promise<number> {
  const r = await run;
  return Number(r.numUpdatedRows ?? r.numDeletedRows ?? 0);
}

/**
 * Casework with groups: cases a person asked for (for their group), the messages they sent an adviser from the
 * portal, and, for staff, their part in cases (as adviser, author of notes, uploader of documents).
 */
export const caseworkPersonalData: PersonalDataPart = {
  tables: ['support_cases', 'support_case_notes', 'support_case_documents', 'support_outcomes', 'group_health_checks'],

  async describe({ tx }, identity) {
    const cases = await asked(tx, identity.recordIds, identity.userIds).execute();
    const sent = await messages(tx, identity.userIds).execute();
    return [
      { heading: 'Support asked for a group', records: cases.map((c) => ({
        title: `${c.reference}: ${c.title} (${c.organisation_name})`,
        fields: [{ label: 'Topic', value: SUPPORT_TOPICS[c.topic] }, { label: 'Asked', value: c.opened_on }, { label: 'Where it stands', value: CASE_STATUSES[c.status] }],
      })) },
      { heading: 'Messages to an adviser', records: sent.map((m) => ({ title: dateTimeText(m.created_at), fields: [{ label: 'Message', value: m.body }] })) },
    ].filter((s) => s.records.length > 0);
  },

  async export({ tx }, identity) {
    const out: Record<string, Record<string, unknown>[]> = {
      support_cases_asked: await asked(tx, identity.recordIds, identity.userIds).execute(),
      support_case_messages_sent: await messages(tx, identity.userIds).execute(),
    };
    // Their work as staff, without documents' contents (those are the group's, not theirs).
    out.support_cases_advised = await tx.selectFrom('support_cases').select(['id', 'reference', 'title', 'status', 'opened_on', 'closed_on'])
      .where('adviser_user_id', '=', anyId(identity.userIds)).execute();
    out.support_case_notes_written = await tx.selectFrom('support_case_notes').selectAll().where('from_group', '=', false).where('author_user_id', '=', anyId(identity.userIds)).execute();
    out.support_case_documents_uploaded = await tx.selectFrom('support_case_documents').select(['id', 'case_id', 'file_name', 'media_type', 'size_bytes', 'created_at'])
      .where('uploaded_by_user_id', '=', anyId(identity.userIds)).execute();
    out.support_outcomes_recorded = await tx.selectFrom('support_outcomes').selectAll().where('recorded_by_user_id', '=', anyId(identity.userIds)).execute();
    out.group_health_checks_assessed = await tx.selectFrom('group_health_checks').selectAll().where('assessed_by_user_id', '=', anyId(identity.userIds)).execute();
    return out;
  },

  erasure: 'Support cases they asked for stay with their group, no longer naming them; messages they sent an adviser are removed; where they worked cases, the work stays without their name.',

  async erase({ tx }, identity) {
    const removed: RowCounts = { support_case_notes: await count(tx.deleteFrom('support_case_notes').where('from_group', '=', true).where('author_user_id', '=', anyId(identity.userIds)).executeTakeFirst()) };
    const anonymised: RowCounts = {
      support_cases: await count(tx.updateTable('support_cases').set({ asked_by_person_id: null, asked_by_user_id: null })
        .where((eb) => eb.or([eb('asked_by_person_id', '=', anyId(identity.recordIds)), eb('asked_by_user_id', '=', anyId(identity.userIds))])).executeTakeFirst()),
    };
    for (const [table, column] of USER_COLUMNS) {
      const n = await count(tx.updateTable(table).set({ [column]: null }).where(column, '=', anyId(identity.userIds)).executeTakeFirst());
      anonymised[table] = (anonymised[table] ?? 0) + n;
    }
    return { removed, anonymised };
  },

  async merge({ tx }, { kept, merged }) {
    const moved = await count(tx.updateTable('support_cases').set({ asked_by_person_id: kept.personId }).where('asked_by_person_id', '=', anyId(merged.recordIds)).executeTakeFirst());
    return { support_cases: moved };
  },

  retention: {
    rule: `${CASE_RETENTION_YEARS} years after a support case closes it no longer names who asked, and the messages the group sent on it are removed; the case stays in the group's history and the LIO's counts.`,
    async apply({ tx, now }) {
      const cutoff = new Date(now.getTime() - CASE_RETENTION_YEARS * 365.25 * 86_400_000).toISOString().slice(0, 10);
      const old = (eb: Queryable) => eb.selectFrom('support_cases').select('id').where('status', '=', 'closed').where('closed_on', '<', cutoff);
      const notes = await count(tx.deleteFrom('support_case_notes').where('from_group', '=', true).where('case_id', 'in', old(tx)).executeTakeFirst());
      const cases = await count(tx.updateTable('support_cases').set({ asked_by_person_id: null, asked_by_user_id: null }).where('id', 'in', old(tx))
        .where(sql<boolean>`(asked_by_person_id is not null or asked_by_user_id is not null)`).executeTakeFirst());
      return { support_case_notes: notes, support_cases: cases };
    },
  },
};
