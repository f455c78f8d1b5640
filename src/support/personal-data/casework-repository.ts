import { sql } from 'kysely';
import type { Queryable } from '../../platform/db/index.js';
import { anyId } from '../../platform/db/personal-data-sql.js';
import type { RowCounts } from '../../platform/personal-data.js';

const USER_COLUMNS = [
  ['support_cases', 'adviser_user_id'], ['support_case_notes', 'author_user_id'], ['support_case_documents', 'uploaded_by_user_id'],
  ['support_outcomes', 'recorded_by_user_id'], ['group_health_checks', 'assessed_by_user_id'],
] as const;

async function count(run: Promise<{ numUpdatedRows?: bigint; numDeletedRows?: bigint }>): Promise<number> {
  const r = await run;
  return Number(r.numUpdatedRows ?? r.numDeletedRows ?? 0);
}

/** SQL of what casework holds about a person: cases they asked for, messages they sent, and their work on cases as staff. */
export const caseworkDataRepository = {
  /** Cases the person asked for: as a person record (taken by phone) or from their account (the portal). */
  asked(db: Queryable, personIds: string[], userIds: string[]) {
    return db.selectFrom('support_cases as c').innerJoin('organisations as o', 'o.id', 'c.organisation_id')
      .selectAll('c').select('o.name as organisation_name')
      .where((eb) => eb.or([eb('c.asked_by_person_id', '=', anyId(personIds)), eb('c.asked_by_user_id', '=', anyId(userIds))]))
      .orderBy('c.opened_on').execute();
  },

  /** Messages the person wrote to an adviser from their group's portal. */
  messages(db: Queryable, userIds: string[]) {
    return db.selectFrom('support_case_notes').selectAll().where('from_group', '=', true).where('author_user_id', '=', anyId(userIds)).orderBy('created_at').execute();
  },

  /** Their work as staff, without documents' contents (those are the group's, not theirs). */
  async staffWork(db: Queryable, userIds: string[]) {
    const ids = anyId(userIds);
    return {
      support_cases_advised: await db.selectFrom('support_cases').select(['id', 'reference', 'title', 'status', 'opened_on', 'closed_on']).where('adviser_user_id', '=', ids).execute(),
      support_case_notes_written: await db.selectFrom('support_case_notes').selectAll().where('from_group', '=', false).where('author_user_id', '=', ids).execute(),
      support_case_documents_uploaded: await db.selectFrom('support_case_documents').select(['id', 'case_id', 'file_name', 'media_type', 'size_bytes', 'created_at'])
        .where('uploaded_by_user_id', '=', ids).execute(),
      support_outcomes_recorded: await db.selectFrom('support_outcomes').selectAll().where('recorded_by_user_id', '=', ids).execute(),
      group_health_checks_assessed: await db.selectFrom('group_health_checks').selectAll().where('assessed_by_user_id', '=', ids).execute(),
    };
  },

  removeMessages: (db: Queryable, userIds: string[]) =>
    count(db.deleteFrom('support_case_notes').where('from_group', '=', true).where('author_user_id', '=', anyId(userIds)).executeTakeFirst()),

  unnameAsker: (db: Queryable, personIds: string[], userIds: string[]) => count(db.updateTable('support_cases').set({ asked_by_person_id: null, asked_by_user_id: null })
    .where((eb) => eb.or([eb('asked_by_person_id', '=', anyId(personIds)), eb('asked_by_user_id', '=', anyId(userIds))])).executeTakeFirst()),

  /** Their name taken off the work they did on cases as staff; the work stays. */
  async unnameStaff(db: Queryable, userIds: string[]): Promise<RowCounts> {
    const anonymised: RowCounts = {};
    for (const [table, column] of USER_COLUMNS) {
      const n = await count(db.updateTable(table).set({ [column]: null }).where(column, '=', anyId(userIds)).executeTakeFirst());
      anonymised[table] = (anonymised[table] ?? 0) + n;
    }
    return anonymised;
  },

  moveAsker: (db: Queryable, keptPersonId: string, mergedPersonIds: string[]) =>
    count(db.updateTable('support_cases').set({ asked_by_person_id: keptPersonId }).where('asked_by_person_id', '=', anyId(mergedPersonIds)).executeTakeFirst()),

  /** Cases closed before `cutoff` (a day): the group's messages removed, the asker no longer named. */
  async retire(db: Queryable, cutoff: string) {
    const old = (eb: Queryable) => eb.selectFrom('support_cases').select('id').where('status', '=', 'closed').where('closed_on', '<', cutoff);
    const notes = await count(db.deleteFrom('support_case_notes').where('from_group', '=', true).where('case_id', 'in', old(db)).executeTakeFirst());
    const cases = await count(db.updateTable('support_cases').set({ asked_by_person_id: null, asked_by_user_id: null }).where('id', 'in', old(db))
      .where(sql<boolean>`(asked_by_person_id is not null or asked_by_user_id is not null)`).executeTakeFirst());
    return { support_case_notes: notes, support_cases: cases };
  },
};
