import { sql } from 'kysely';
import type { Queryable } from '../../platform/db/index.js';
import { recordsRepository } from '../records/repository.js';

/** Six years: the usual limitation period, which UK charities keep records of people for. */
export const RETENTION_YEARS = 6;

/** SQL of the people capability's own personal data: the person record, records merged into it, consents. */
export const peopleDataRepository = {
  /** The person and every record merged into it (a merge re-points earlier merges, so one level holds them all). */
  recordsOf(db: Queryable, personId: string) {
    return recordsRepository.selectPerson(db).where((eb) => eb.or([eb('id', '=', personId), eb('merged_into_id', '=', personId)]))
      .orderBy(sql`id = ${personId}`, 'desc').orderBy('created_at').execute();
  },

  consentsOf(db: Queryable, personIds: string[]) {
    return recordsRepository.consentsOf(db, personIds);
  },

  consentRows(db: Queryable, personIds: string[]) {
    return db.selectFrom('consents').selectAll().where('person_id', 'in', personIds).orderBy('given_at').execute();
  },

  /** Takes every personal detail out of the rows; the rows stay (erased), so counts of people stay true. */
  anonymise(db: Queryable, personIds: string[], now: Date) {
    return db.updateTable('people').set({
      full_name: null, preferred_name: null, emails: [], phones: [], postcode: null, date_of_birth: null, contact_methods: [], erased_at: now, updated_at: now,
    }).where('id', 'in', personIds).executeTakeFirst();
  },

  /** A consent of an erased person no longer allows anything. */
  withdrawConsents(db: Queryable, personIds: string[], now: Date) {
    return db.updateTable('consents').set({ withdrawn_at: sql<Date>`greatest(${now}::timestamptz, given_at)` })
      .where('person_id', 'in', personIds).where('withdrawn_at', 'is', null).executeTakeFirst();
  },

  moveConsents(db: Queryable, fromId: string, toId: string) {
    return db.updateTable('consents').set({ person_id: toId }).where('person_id', '=', fromId).executeTakeFirst();
  },

  /** The merged record is kept as it was, pointing at the one kept; records merged into it earlier now point there too. */
  markMerged(db: Queryable, mergedId: string, keptId: string, now: Date) {
    return db.updateTable('people').set({ merged_into_id: keptId, merged_at: now, updated_at: now })
      .where((eb) => eb.or([eb('id', '=', mergedId), eb('merged_into_id', '=', mergedId)])).executeTakeFirst();
  },

  /**
   * People the LIO has had no reason to keep for six years: no change to the record, no consent given, in force or
   * withdrawn in that time, and no user account (an account is kept, and erased, through the accounts capability).
   */
  staleIds(db: Queryable, now: Date) {
    const cutoff = new Date(now);
    cutoff.setUTCFullYear(cutoff.getUTCFullYear() - RETENTION_YEARS);
    return db.selectFrom('people as p').select('p.id')
      .where('p.erased_at', 'is', null).where('p.merged_into_id', 'is', null).where('p.updated_at', '<', cutoff)
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom('users').select('users.id').whereRef('users.person_id', '=', 'p.id'))))
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom('consents as c').select('c.id').whereRef('c.person_id', '=', 'p.id')
        .where((eb) => eb.or([eb('c.withdrawn_at', 'is', null), eb('c.withdrawn_at', '>=', cutoff), eb('c.given_at', '>=', cutoff)])))))
      .execute();
  },

  /** Records merged into these people and not yet erased: they go with the person they were merged into, as in an erasure. */
  mergedInto(db: Queryable, personIds: string[]) {
    if (personIds.length === 0) return Promise.resolve([]);
    return db.selectFrom('people').select('id').where('merged_into_id', 'in', personIds).where('erased_at', 'is', null).execute();
  },
};
