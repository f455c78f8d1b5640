import { sql } from 'kysely';
import type { Queryable } from '../../platform/db/index.js';
import type { HoursLoggedBy } from '../../platform/db/volunteering-schema.js';
import type { Period } from '../../platform/http/period.js';

/** Referrals hours may be logged against: the volunteer was accepted or has started there. */
const PLACED = ['accepted', 'started'] as const;

export interface NewHours {
  volunteerId: string; referralId: string; organisationId: string | null; workedOn: string; minutes: number; description: string | null;
  loggedBy: HoursLoggedBy; userId: string | null; confirmedAt: Date | null;
}

export const hoursRepository = {
  /** Placements (accepted or started referrals), with the role, the organisation and the day the placement began. */
  placements(tx: Queryable, where: { volunteerId?: string; organisationId?: string | null }) {
    let q = tx.selectFrom('referrals as r').innerJoin('opportunities as op', 'op.id', 'r.opportunity_id')
      .innerJoin('volunteers as v', 'v.id', 'r.volunteer_id').innerJoin('people as p', 'p.id', 'v.person_id')
      .leftJoin('organisations as o', (join) => join.on(sql<boolean>`o.id = coalesce(r.organisation_id, op.organisation_id)`))
      .select(['r.id', 'r.volunteer_id', 'op.title', 'o.id as organisation_id', 'o.name as organisation_name', 'p.full_name',
        sql<Date>`coalesce(r.started_at, r.answered_at, r.referred_at, r.enquired_at)`.as('began_at')])
      .where('r.status', 'in', PLACED);
    if (where.volunteerId) q = q.where('r.volunteer_id', '=', where.volunteerId);
    if (where.organisationId) q = q.where('o.id', '=', where.organisationId);
    return q.orderBy('p.full_name').orderBy('op.title').limit(500).execute();
  },

  async insert(tx: Queryable, lioId: string, h: NewHours, now: Date): Promise<string> {
    const row = await tx.insertInto('volunteer_hours').values({
      lio_id: lioId, volunteer_id: h.volunteerId, referral_id: h.referralId, organisation_id: h.organisationId, worked_on: h.workedOn, minutes: h.minutes,
      description: h.description, logged_by: h.loggedBy, logged_by_user_id: h.userId, confirmed_at: h.confirmedAt,
      confirmed_by_user_id: h.confirmedAt ? h.userId : null, created_at: now,
    }).returning('id').executeTakeFirstOrThrow();
    return row.id;
  },

  /** One page of entries, newest day first, for one volunteer or one organisation (or every organisation: a coordinator), and how many in all. */
  async entries(tx: Queryable, where: { volunteerId?: string; organisationId?: string | null }, page: { number: number; size: number }) {
    let base = tx.selectFrom('volunteer_hours as h');
    if (where.volunteerId) base = base.where('h.volunteer_id', '=', where.volunteerId);
    if (where.organisationId) base = base.where('h.organisation_id', '=', where.organisationId);
    const counted = await base.select([sql<string>`count(*)`.as('n'), sql<string>`coalesce(sum(h.minutes) filter (where h.confirmed_at is not null), 0)`.as('confirmed')])
      .executeTakeFirstOrThrow();
    const rows = await base.innerJoin('volunteers as v', 'v.id', 'h.volunteer_id').innerJoin('people as p', 'p.id', 'v.person_id')
      .leftJoin('organisations as o', 'o.id', 'h.organisation_id')
      .select(['h.id', 'h.volunteer_id', 'h.worked_on', 'h.minutes', 'h.description', 'h.logged_by', 'h.confirmed_at', 'h.organisation_id',
        'o.name as organisation_name', 'p.full_name'])
      .orderBy('h.worked_on', 'desc').orderBy('h.created_at', 'desc').orderBy('h.id')
      .limit(page.size).offset((page.number - 1) * page.size).execute();
    return { rows, total: Number(counted.n), confirmedMinutes: Number(counted.confirmed) };
  },

  byId(tx: Queryable, id: string) {
    return tx.selectFrom('volunteer_hours').select(['id', 'volunteer_id', 'organisation_id', 'confirmed_at']).where('id', '=', id).executeTakeFirst();
  },

  /** Confirms an entry not yet confirmed: true when this call confirmed it. */
  async confirm(tx: Queryable, id: string, userId: string, now: Date): Promise<boolean> {
    const row = await tx.updateTable('volunteer_hours').set({ confirmed_at: now, confirmed_by_user_id: userId })
      .where('id', '=', id).where('confirmed_at', 'is', null).returning('id').executeTakeFirst();
    return Boolean(row);
  },

  /** Minutes in the period, confirmed and waiting apart, grouped by volunteer or by organisation. */
  totals(tx: Queryable, period: Period, by: 'volunteer' | 'organisation') {
    const confirmed = sql<string>`coalesce(sum(h.minutes) filter (where h.confirmed_at is not null), 0)`.as('confirmed');
    const waiting = sql<string>`coalesce(sum(h.minutes) filter (where h.confirmed_at is null), 0)`.as('waiting');
    const base = tx.selectFrom('volunteer_hours as h').where('h.worked_on', '>=', period.from).where('h.worked_on', '<=', period.to);
    if (by === 'volunteer') {
      return base.innerJoin('volunteers as v', 'v.id', 'h.volunteer_id').innerJoin('people as p', 'p.id', 'v.person_id')
        .select(['h.volunteer_id as id', 'p.full_name as name', confirmed, waiting]).groupBy(['h.volunteer_id', 'p.full_name'])
        .orderBy('p.full_name').limit(5000).execute();
    }
    return base.leftJoin('organisations as o', 'o.id', 'h.organisation_id')
      .select(['h.organisation_id as id', 'o.name as name', confirmed, waiting]).groupBy(['h.organisation_id', 'o.name'])
      .orderBy('o.name').limit(5000).execute();
  },

  /** Minutes waiting for an organisation to confirm (the group member's home-page flag). */
  waitingFor(tx: Queryable, whose: { organisationId: string } | { volunteerId: string }) {
    const q = tx.selectFrom('volunteer_hours').select((eb) => eb.fn.countAll<string>().as('n')).where('confirmed_at', 'is', null);
    return ('organisationId' in whose ? q.where('organisation_id', '=', whose.organisationId) : q.where('volunteer_id', '=', whose.volunteerId)).executeTakeFirstOrThrow();
  },
};
export type Placement = Awaited<ReturnType<typeof hoursRepository.placements>>[number];
export type HoursEntry = Awaited<ReturnType<typeof hoursRepository.entries>>['rows'][number];
export type HoursTotal = Awaited<ReturnType<typeof hoursRepository.totals>>[number];
