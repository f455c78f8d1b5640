import { sql } from 'kysely';

/**
 * The moment a day of the LIO's own calendar (Europe/London) begins, `days` after `day` ('2026-03-31'), as SQL. Periods
 * are counted in these days, not UTC's: a referral at 23:30 UTC on 31 March in summer time belongs to 1 April.
 */
export const startOfLondonDay = (day: string, days = 0) => sql<Date>`((${day}::date + ${days}::int)::timestamp at time zone 'Europe/London')`;
