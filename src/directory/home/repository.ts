import { sql } from 'kysely';
import type { Queryable } from '../../platform/db/index.js';
import { countOf as count } from '../../platform/db/count.js';

/** The first moment of the current month in Europe/London, the LIO's calendar. */
const monthStart = (now: Date) => sql<Date>`(date_trunc('month', ${now}::timestamptz at time zone 'Europe/London') at time zone 'Europe/London')`;


/** The directory's home-page counts. Each is the count of the list its panel links to. */
export const directoryHomeRepository = {
  /** Group members' proposed changes that wait for a member of staff (the /directory/approvals list). */
  async pendingChanges(db: Queryable): Promise<number> {
    return count(await db.selectFrom('listing_changes').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'pending').executeTakeFirst());
  },

  /** What happened in the directory since the month began: records added and listings verified. */
  async thisMonth(db: Queryable, now: Date) {
    const start = monthStart(now);
    const orgs = await db.selectFrom('organisations').select([
      sql<number>`count(*) filter (where created_at >= ${start})`.as('added'),
      sql<number>`count(*) filter (where last_verified_at >= ${start} and merged_into_id is null)`.as('verified'),
    ]).executeTakeFirstOrThrow();
    const services = await db.selectFrom('services').select((eb) => eb.fn.countAll<number>().as('n')).where('created_at', '>=', start).executeTakeFirst();
    return { organisationsAdded: Number(orgs.added), listingsVerified: Number(orgs.verified), servicesAdded: count(services) };
  },

  /**
   * How many services were Remaking, Rearranging and Reaffirming over a period of days (YYYY-MM-DD, both included):
   * the SQL reading of classify() in delivery-history/report.ts, which /directory/changes runs in TypeScript over every
   * service. That takes seconds at 100,000 services, too slow for a home page; this takes one pass in the database.
   * test/home/service-change-counts.test.ts holds the two readings to the same answers.
   */
  async serviceChangeCounts(db: Queryable, period: { from: string; to: string }) {
    const { rows } = await sql<{ remaking: number; rearranging: number; reaffirming: number }>`
      with ordered as (
        select service_id, changed_on, delivery_modes, status,
          lag(delivery_modes) over (partition by service_id order by changed_on, id) as previous_modes,
          row_number() over (partition by service_id order by changed_on desc, id desc) as from_last
        from service_delivery_changes where changed_on <= ${period.to}::date
      ), histories as (
        select service_id,
          -- modes compared as sets, as classify() does
          bool_or(changed_on >= ${period.from}::date and previous_modes is not null
            and not (delivery_modes @> previous_modes and previous_modes @> delivery_modes)) as rearranged,
          max(status) filter (where from_last = 1) as end_status
        from ordered group by service_id
      ), services_then as (
        select s.id, s.status, (s.created_at at time zone 'Europe/London')::date as created_on from services s
      )
      select
        count(*) filter (where s.created_on >= ${period.from}::date)::int as remaking,
        count(*) filter (where s.created_on < ${period.from}::date and coalesce(h.rearranged, false))::int as rearranging,
        count(*) filter (where s.created_on < ${period.from}::date and not coalesce(h.rearranged, false) and coalesce(h.end_status, s.status) = 'active')::int as reaffirming
      from services_then s left join histories h on h.service_id = s.id
      where s.created_on <= ${period.to}::date`.execute(db);
    const counts = rows[0]!;
    return { remaking: Number(counts.remaking), rearranging: Number(counts.rearranging), reaffirming: Number(counts.reaffirming) };
  },

  /** A group member's own listing: how it stands, and whether a change they proposed waits for approval. */
  async listing(db: Queryable, organisationId: string) {
    return db.selectFrom('organisations as o')
      .select(['o.id', 'o.name', 'o.status', 'o.last_verified_at', 'o.merged_into_id',
        sql<number>`(select count(*) from listing_changes c where c.organisation_id = o.id and c.status = 'pending')`.as('pending')])
      .where('o.id', '=', organisationId).executeTakeFirst();
  },
};
