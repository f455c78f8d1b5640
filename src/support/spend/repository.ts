import { sql } from 'kysely';
import type { Queryable } from '../../platform/db/index.js';
import type { Period } from '../../platform/http/period.js';

export type SpendChange = { periodStart: string; periodEnd: string; amount: string; description: string | null };

/** A date column as 'YYYY-MM-DD' text: the drivers would make it a Date at midnight in the server's zone. */
const day = (column: string) => sql<string>`${sql.ref(column)}::text`;

/** The LIO's spend on support to groups: its entries, and the share of each that falls in a period. */
export const spendRepository = {
  /** Every entry, latest period first: an LIO enters a few a year. */
  list(tx: Queryable) {
    return tx.selectFrom('support_spend as s').leftJoin('users as u', 'u.id', 's.entered_by_user_id')
      .select(['s.id', day('s.period_start').as('period_start'), day('s.period_end').as('period_end'), 's.amount', 's.description', 's.created_at', 'u.display_name as entered_by'])
      .orderBy('s.period_start', 'desc').orderBy('s.period_end', 'desc').orderBy('s.created_at', 'desc').execute();
  },

  byId(tx: Queryable, id: string) {
    return tx.selectFrom('support_spend').select(['id', day('period_start').as('period_start'), day('period_end').as('period_end'), 'amount', 'description'])
      .where('id', '=', id).executeTakeFirst();
  },

  /** Other entries whose period shares a day with this one. */
  overlapping(tx: Queryable, periodStart: string, periodEnd: string, except: string | null) {
    let q = tx.selectFrom('support_spend').select(['id', day('period_start').as('period_start'), day('period_end').as('period_end'), 'amount'])
      .where('period_start', '<=', periodEnd).where('period_end', '>=', periodStart);
    if (except) q = q.where('id', '!=', except);
    return q.orderBy('period_start').execute();
  },

  async insert(tx: Queryable, lioId: string, s: SpendChange, userId: string | null, now: Date): Promise<string> {
    const row = await tx.insertInto('support_spend').values({
      lio_id: lioId, period_start: s.periodStart, period_end: s.periodEnd, amount: s.amount, description: s.description, entered_by_user_id: userId, created_at: now,
    }).returning('id').executeTakeFirstOrThrow();
    return row.id;
  },

  async update(tx: Queryable, id: string, s: SpendChange): Promise<boolean> {
    const r = await tx.updateTable('support_spend').set({ period_start: s.periodStart, period_end: s.periodEnd, amount: s.amount, description: s.description })
      .where('id', '=', id).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  },

  async remove(tx: Queryable, id: string): Promise<boolean> {
    return Number((await tx.deleteFrom('support_spend').where('id', '=', id).executeTakeFirst()).numDeletedRows) > 0;
  },

  /**
   * Entries that share a day with the period, each with the days of it inside the period and the share of its amount
   * those days carry (to the penny): an entry for a quarter counts a third or so towards one of its months.
   */
  inPeriod(tx: Queryable, period: Period) {
    const from = sql<string>`${period.from}::date`;
    const to = sql<string>`${period.to}::date`;
    const inside = sql<number>`(least(period_end, ${to}) - greatest(period_start, ${from}) + 1)`;
    return tx.selectFrom('support_spend').select(['id', day('period_start').as('period_start'), day('period_end').as('period_end'), 'amount', 'description',
      sql<number>`${inside}`.as('days_inside'), sql<number>`(period_end - period_start + 1)`.as('days'),
      sql<string>`round(amount * ${inside} / (period_end - period_start + 1), 2)`.as('counted')])
      .where('period_start', '<=', period.to).where('period_end', '>=', period.from)
      .orderBy('period_start').orderBy('period_end').execute();
  },

  // --- Personal data: who entered an amount ---

  enteredBy(tx: Queryable, userIds: string[]) {
    if (userIds.length === 0) return Promise.resolve([]);
    return tx.selectFrom('support_spend').select(['id', 'lio_id', day('period_start').as('period_start'), day('period_end').as('period_end'), 'amount', 'description',
      'entered_by_user_id', 'created_at']).where('entered_by_user_id', 'in', userIds).orderBy('created_at').execute();
  },

  async forgetEnteredBy(tx: Queryable, userIds: string[]): Promise<number> {
    if (userIds.length === 0) return 0;
    return Number((await tx.updateTable('support_spend').set({ entered_by_user_id: null }).where('entered_by_user_id', 'in', userIds).executeTakeFirst()).numUpdatedRows);
  },

  /** The day (in England) the LIO began using the app: spend before it is not waited for. */
  async lioStartedOn(tx: Queryable, lioId: string): Promise<string> {
    const { rows } = await sql<{ day: string }>`select ((created_at at time zone 'Europe/London')::date)::text as day from lios where id = ${lioId}`.execute(tx);
    return rows[0]?.day ?? '1900-01-01';
  },

  /** Of these quarters, those no entry touches: the spend still to enter. */
  async quartersWithout(tx: Queryable, quarters: Period[]): Promise<Period[]> {
    if (quarters.length === 0) return [];
    const rows = await tx.selectFrom('support_spend').select([day('period_start').as('period_start'), day('period_end').as('period_end')])
      .where('period_start', '<=', quarters.at(-1)!.to).where('period_end', '>=', quarters[0]!.from).execute();
    return quarters.filter((q) => !rows.some((r) => r.period_start <= q.to && r.period_end >= q.from));
  },
};
export type SpendRow = Awaited<ReturnType<typeof spendRepository.list>>[number];
export type SpendInPeriod = Awaited<ReturnType<typeof spendRepository.inPeriod>>[number];
