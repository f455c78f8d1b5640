import { sql } from 'kysely';
import type { Queryable } from '../../platform/db/index.js';
import type { DbsLevel, VettingKind, VettingOutcome } from '../../platform/db/volunteering-schema.js';

export interface NewCheck {
  kind: VettingKind; dbsLevel: Exclude<DbsLevel, 'none'> | null; certificateNumber: string | null; issuedOn: string | null; updateService: boolean;
  expiresOn: string | null; detail: string | null; outcome: VettingOutcome; forOrganisationId: string | null;
}

export const vettingRepository = {
  checksOf(tx: Queryable, volunteerId: string) {
    return tx.selectFrom('vetting_checks as c').leftJoin('organisations as o', 'o.id', 'c.for_organisation_id')
      .selectAll('c').select('o.name as organisation_name')
      .where('c.volunteer_id', '=', volunteerId).orderBy('c.kind').orderBy('c.issued_on', 'desc').execute();
  },

  async insert(tx: Queryable, lioId: string, volunteerId: string, c: NewCheck, userId: string, now: Date): Promise<string> {
    // A check recorded already inside a reminder's window does not send that reminder (or an earlier one) late.
    const row = await tx.insertInto('vetting_checks').values({
      lio_id: lioId, volunteer_id: volunteerId, kind: c.kind, dbs_level: c.dbsLevel, certificate_number: c.certificateNumber, issued_on: c.issuedOn,
      update_service: c.updateService, expires_on: c.expiresOn, detail: c.detail, outcome: c.outcome, for_organisation_id: c.forOrganisationId,
      recorded_by_user_id: userId, created_at: now, updated_at: now,
    }).returning('id').executeTakeFirstOrThrow();
    return row.id;
  },

  organisationExists(tx: Queryable, id: string) {
    return tx.selectFrom('organisations').select('id').where('id', '=', id).executeTakeFirst();
  },

  organisations(tx: Queryable) {
    return tx.selectFrom('organisations').select(['id', 'name']).orderBy('name').limit(500).execute();
  },

  /** Passed checks that lapse between today and `until` (inclusive), soonest first, with their volunteer's name. */
  lapsing(tx: Queryable, today: string, until: string) {
    return tx.selectFrom('vetting_checks as c').innerJoin('volunteers as v', 'v.id', 'c.volunteer_id').innerJoin('people as p', 'p.id', 'v.person_id')
      .leftJoin('organisations as o', 'o.id', 'c.for_organisation_id')
      .select(['c.id', 'c.volunteer_id', 'c.kind', 'c.dbs_level', 'c.detail', 'c.expires_on', 'c.reminders_sent', 'p.full_name', 'p.emails', 'o.name as organisation_name'])
      .where('c.outcome', '=', 'passed').where('c.expires_on', '>=', today).where('c.expires_on', '<=', until)
      .orderBy('c.expires_on').orderBy('c.id').limit(500).execute();
  },

  countLapsing(tx: Queryable, today: string, until: string) {
    return tx.selectFrom('vetting_checks').select((eb) => eb.fn.countAll<string>().as('n'))
      .where('outcome', '=', 'passed').where('expires_on', '>=', today).where('expires_on', '<=', until).executeTakeFirstOrThrow();
  },

  /** Every LIO: the daily reminder run reads each one's checks in its own tenant transaction. */
  async allLios(system: Queryable): Promise<string[]> {
    return (await system.selectFrom('lios').select('id').execute()).map((r) => r.id);
  },

  /** Marks the reminders as sent, unless another run did first: true when this run is the one to send. */
  async markReminded(tx: Queryable, id: string, days: number[], now: Date): Promise<boolean> {
    const row = await tx.updateTable('vetting_checks')
      .set({ reminders_sent: sql<number[]>`(select array_agg(distinct d order by d desc) from unnest(reminders_sent || ${days}::int[]) d)`, updated_at: now })
      .where('id', '=', id).where(sql<boolean>`not (reminders_sent @> ${days}::int[])`).returning('id').executeTakeFirst();
    return Boolean(row);
  },
};
export type CheckRow = Awaited<ReturnType<typeof vettingRepository.checksOf>>[number];
export type LapsingRow = Awaited<ReturnType<typeof vettingRepository.lapsing>>[number];
