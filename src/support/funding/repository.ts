import { sql } from 'kysely';
import type { Queryable } from '../../platform/db/index.js';
import type { OpportunityValues } from './form.js';

export type OpportunityList = 'open' | 'closing' | 'past';

const columns = (o: OpportunityValues) => ({
  funder_name: o.funderName, programme: o.programme, summary: o.summary, amount_min: o.amountMin, amount_max: o.amountMax, deadline: o.deadline,
  eligibility: o.eligibility, organisation_types: o.organisationTypes, income_bands: o.incomeBands, themes: o.themes, areas: o.areas, url: o.url,
});

/** Published and not past its deadline (a rolling programme has none). */
const isOpen = (today: string) => sql<boolean>`status = 'published' and (deadline is null or deadline >= ${today}::date)`;

/** Every column, the deadline as 'YYYY-MM-DD' text (the drivers would make a Date of it, in a time zone). */
const opportunities = (db: Queryable) => db.selectFrom('funding_opportunities').select([
  'id', 'lio_id', 'funder_name', 'programme', 'summary', 'amount_min', 'amount_max', 'eligibility', 'organisation_types', 'income_bands', 'themes', 'areas',
  'url', 'status', 'created_by_user_id', 'created_at', 'updated_at', sql<string | null>`deadline::text`.as('deadline'),
]);

export const fundingRepository = {
  insert(db: Queryable, r: { lioId: string; opportunity: OpportunityValues; userId: string | null; now: Date }) {
    return db.insertInto('funding_opportunities').values({
      lio_id: r.lioId, ...columns(r.opportunity), status: 'published', created_by_user_id: r.userId, created_at: r.now, updated_at: r.now,
    }).returning('id').executeTakeFirstOrThrow();
  },

  async update(db: Queryable, id: string, o: OpportunityValues, now: Date) {
    const result = await db.updateTable('funding_opportunities').set({ ...columns(o), updated_at: now }).where('id', '=', id).executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  },

  async withdraw(db: Queryable, id: string, now: Date) {
    const result = await db.updateTable('funding_opportunities').set({ status: 'withdrawn', updated_at: now }).where('id', '=', id).where('status', '<>', 'withdrawn').executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  },

  byId(db: Queryable, id: string) {
    return opportunities(db).where('id', '=', id).executeTakeFirst();
  },

  /** Open: closing soonest first, rolling last. Closing soon: within `days`. Past: withdrawn or closed, latest first. */
  list(db: Queryable, which: OpportunityList, today: string, days: number) {
    const q = opportunities(db);
    if (which === 'past') {
      return q.where(sql<boolean>`not (${isOpen(today)})`).orderBy(sql`coalesce(deadline, updated_at::date) desc`).orderBy('id').limit(200).execute();
    }
    const open = q.where(isOpen(today));
    return (which === 'closing' ? open.where(sql<boolean>`deadline <= ${today}::date + ${days}::int`) : open)
      .orderBy(sql`deadline asc nulls last`).orderBy('programme').execute();
  },

  async counts(db: Queryable, today: string, days: number) {
    const row = await db.selectFrom('funding_opportunities').select([
      sql<string>`count(*) filter (where ${isOpen(today)})`.as('open'),
      sql<string>`count(*) filter (where ${isOpen(today)} and deadline <= ${today}::date + ${days}::int)`.as('closing'),
    ]).executeTakeFirstOrThrow();
    return { open: Number(row.open), closing: Number(row.closing) };
  },

  /** Every open opportunity, to rank for a group. */
  open(db: Queryable, today: string) {
    return opportunities(db).where(isOpen(today)).execute();
  },

  /** The register's profile of an organisation, as fit reads it. */
  profile(db: Queryable, organisationId: string) {
    return db.selectFrom('organisations').select(['id', 'name', 'organisation_type', 'income_band', 'themes', 'areas_served', 'status'])
      .where('id', '=', organisationId).executeTakeFirst();
  },

  organisations(db: Queryable) {
    return db.selectFrom('organisations').select(['id', 'name']).where('status', '<>', 'closed').where('merged_into_id', 'is', null).orderBy('name').execute();
  },

  /** The areas the register's organisations serve, for the form's hint: the words to use. */
  async areasServed(db: Queryable) {
    const { rows } = await sql<{ area: string }>`select distinct unnest(areas_served) as area from organisations where status <> 'closed' order by 1 limit 200`.execute(db);
    return rows.map((r) => r.area);
  },
};
export type OpportunityRow = NonNullable<Awaited<ReturnType<typeof fundingRepository.byId>>>;
