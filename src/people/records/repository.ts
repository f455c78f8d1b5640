import { sql, type Selectable } from 'kysely';
import type { Queryable } from '../../platform/db/index.js';
import { containing } from '../../platform/db/like.js';
import type { ConsentMethod, ConsentPurpose, ContactMethod, PeopleTable } from '../../platform/db/people-schema.js';

export type PersonRow = Selectable<PeopleTable>;

/** What a person record holds that staff enter; e-mails lower case, phones as digits, postcode normalised. */
export interface PersonValues {
  full_name: string;
  preferred_name: string | null;
  emails: string[];
  phones: string[];
  postcode: string | null;
  date_of_birth: string | null;
  contact_methods: ContactMethod[];
}

export interface PeopleFilter { q: string; page: number; pageSize: number }

/** Every column, the date of birth as 'YYYY-MM-DD' text (a Date would move with the time zone). */
function selectPerson(db: Queryable) {
  return db.selectFrom('people').select(['id', 'lio_id', 'full_name', 'preferred_name', 'emails', 'phones', 'postcode', 'contact_methods',
    'merged_into_id', 'merged_at', 'erased_at', 'created_at', 'updated_at', sql<string | null>`to_char(date_of_birth, 'YYYY-MM-DD')`.as('date_of_birth')]);
}

/** All SQL of person records and their consents. */
export const recordsRepository = {
  selectPerson,

  find(db: Queryable, id: string): Promise<PersonRow | undefined> {
    return selectPerson(db).where('id', '=', id).executeTakeFirst();
  },

  /** Lock order is by id, so two merges of the same pair cannot deadlock. */
  lockBoth(db: Queryable, ids: [string, string]): Promise<PersonRow[]> {
    return selectPerson(db).where('id', 'in', ids).orderBy('id').forUpdate().execute();
  },

  /** People in use (not merged away, not erased): by name, e-mail or phone when searched, else by name. */
  async list(db: Queryable, filter: PeopleFilter, phoneDigits: string | null) {
    let q = db.selectFrom('people').where('merged_into_id', 'is', null).where('erased_at', 'is', null);
    if (filter.q) {
      const like = containing(filter.q.toLowerCase());
      q = q.where((eb) => eb.or([
        eb(sql<string>`lower(coalesce(full_name, '') || ' ' || coalesce(preferred_name, ''))`, 'like', like),
        eb('emails', '@>', sql<string[]>`array[${filter.q.toLowerCase()}]::text[]`),
        ...(phoneDigits ? [eb('phones', '@>', sql<string[]>`array[${phoneDigits}]::text[]`)] : []),
      ]));
    }
    const total = Number((await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    const rows = await q.select(['id', 'full_name', 'preferred_name', 'emails', 'phones', 'postcode'])
      .orderBy(sql`lower(full_name)`).orderBy('id').limit(filter.pageSize).offset((filter.page - 1) * filter.pageSize).execute();
    return { total, rows };
  },

  insert(db: Queryable, lioId: string, values: PersonValues, now: Date) {
    return db.insertInto('people').values({ lio_id: lioId, ...values, created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();
  },

  update(db: Queryable, id: string, values: PersonValues, now: Date) {
    return db.updateTable('people').set({ ...values, updated_at: now }).where('id', '=', id).where('erased_at', 'is', null).executeTakeFirst();
  },

  consentsOf(db: Queryable, personIds: string[]) {
    return db.selectFrom('consents').leftJoin('users', 'users.id', 'consents.recorded_by')
      .select(['consents.id', 'consents.person_id', 'consents.purpose', 'consents.given_at', 'consents.method', 'consents.wording_version', 'consents.withdrawn_at',
        'consents.recorded_by', 'consents.created_at', 'users.display_name as recorded_by_name'])
      .where('consents.person_id', 'in', personIds).orderBy('consents.given_at', 'desc').orderBy('consents.id').execute();
  },

  insertConsent(db: Queryable, row: { lioId: string; personId: string; purpose: ConsentPurpose; givenAt: Date; method: ConsentMethod; wordingVersion: string; recordedBy: string; now: Date }) {
    return db.insertInto('consents').values({
      lio_id: row.lioId, person_id: row.personId, purpose: row.purpose, given_at: row.givenAt, method: row.method,
      wording_version: row.wordingVersion, recorded_by: row.recordedBy, created_at: row.now,
    }).returning('id').executeTakeFirstOrThrow();
  },

  /** Only a consent still in force is withdrawn, and never before it was given. */
  withdrawConsent(db: Queryable, personId: string, consentId: string, now: Date) {
    return db.updateTable('consents').set({ withdrawn_at: sql<Date>`greatest(${now}::timestamptz, given_at)` })
      .where('id', '=', consentId).where('person_id', '=', personId).where('withdrawn_at', 'is', null).executeTakeFirst();
  },
};
