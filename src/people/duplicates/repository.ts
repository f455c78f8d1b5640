import { sql } from 'kysely';
import type { Queryable } from '../../platform/db/index.js';
import type { PersonRow } from '../records/repository.js';

/** How alike two names must be (pg_trgm similarity, 0 to 1) to suggest the same person when their date of birth or postcode agree too. */
export const NAME_SIMILARITY = 0.45;

export interface Candidate { id: string; full_name: string; preferred_name: string | null; same_email: boolean; same_phone: boolean; similar_name: boolean }
export interface Pair { a_id: string; a_name: string; b_id: string; b_name: string; same_email: boolean; same_phone: boolean; similar_name: boolean }

/**
 * Likely duplicates: the same e-mail address or phone number, or a similar name with the same date of birth or
 * postcode. Records merged away or erased are left out.
 */
export const duplicatesRepository = {
  async candidatesFor(db: Queryable, p: PersonRow): Promise<Candidate[]> {
    const name = (p.full_name ?? '').toLowerCase();
    const alike = sql<boolean>`((c.date_of_birth = ${p.date_of_birth}::date or c.postcode = ${p.postcode}) and similarity(lower(c.full_name), ${name}) >= ${NAME_SIMILARITY})`;
    const { rows } = await sql<Candidate>`
      select c.id, c.full_name, c.preferred_name, c.emails && ${p.emails}::text[] as same_email, c.phones && ${p.phones}::text[] as same_phone, ${alike} as similar_name
      from people c
      where c.id <> ${p.id} and c.merged_into_id is null and c.erased_at is null
        and (c.emails && ${p.emails}::text[] or c.phones && ${p.phones}::text[] or ${alike})
      order by lower(c.full_name), c.id limit 20`.execute(db);
    return rows;
  },

  /** Each likely pair once; each way of matching is its own join, so each can use its index. */
  async pairs(db: Queryable, limit: number): Promise<Pair[]> {
    const { rows } = await sql<Pair>`
      with live as (
        select id, full_name, emails, phones, postcode, date_of_birth from people where merged_into_id is null and erased_at is null
      ), matched as (
        select a.id as a_id, b.id as b_id, 'email' as reason from live a join live b on b.emails && a.emails and a.id < b.id
        union all
        select a.id, b.id, 'phone' from live a join live b on b.phones && a.phones and a.id < b.id
        union all
        select a.id, b.id, 'name' from live a join live b on b.date_of_birth = a.date_of_birth and a.id < b.id
          where similarity(lower(a.full_name), lower(b.full_name)) >= ${NAME_SIMILARITY}
        union all
        select a.id, b.id, 'name' from live a join live b on b.postcode = a.postcode and a.id < b.id
          where similarity(lower(a.full_name), lower(b.full_name)) >= ${NAME_SIMILARITY}
      )
      select m.a_id, a.full_name as a_name, m.b_id, b.full_name as b_name,
        bool_or(m.reason = 'email') as same_email, bool_or(m.reason = 'phone') as same_phone, bool_or(m.reason = 'name') as similar_name
      from matched m join live a on a.id = m.a_id join live b on b.id = m.b_id
      group by m.a_id, a.full_name, m.b_id, b.full_name
      order by lower(a.full_name), m.a_id, m.b_id
      limit ${limit}`.execute(db);
    return rows;
  },

  /** The kept record after a merge: its chosen values, and every e-mail, phone and way to contact of both. */
  applyChoices(db: Queryable, keptId: string, values: Pick<PersonRow, 'full_name' | 'preferred_name' | 'postcode' | 'date_of_birth' | 'emails' | 'phones' | 'contact_methods'>, now: Date) {
    return db.updateTable('people').set({ ...values, updated_at: now }).where('id', '=', keptId).execute();
  },
};
