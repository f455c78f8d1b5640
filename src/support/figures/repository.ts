import { sql } from 'kysely';
import type { Queryable } from '../../platform/db/index.js';
import type { Period } from '../../platform/http/period.js';
import type { OutcomeKind, SupportTopic } from '../../platform/db/support-schema.js';
import { startOfLondonDay } from '../../platform/db/london-days.js';

/**
 * The figures of support for groups over a period, each read by its own date: a case by the days it was open, a note
 * by the day the work was done, an outcome by the day it was achieved, an application by the day it was submitted or
 * decided, training by the day the session started, a bulletin by the day it was sent. Days are England's: an instant
 * (a session's start, a bulletin's sending) counts on the day it was in England: a session at half past midnight in
 * British Summer Time counts on that day, not on the day before, which it still is in UTC.
 */
export const figuresRepository = {
  /**
   * Every count of the period in one statement (one round trip; the database plans each part on its own index):
   * - groups supported: organisations with a case open at some time in the period, or with work noted on one of
   *   their cases in it;
   * - cases opened and closed, by topic; minutes of support noted, by the day the work was done; outcomes by kind;
   * - applications submitted, awarded and declined, and the pounds awarded (numeric text, exact);
   * - training: places attended on sessions that started in the period, and the different people and organisations;
   * - bulletins: copies sent in the period, the bulletins they were, and how many of those copies were opened.
   */
  async counts(tx: Queryable, p: Period): Promise<PeriodCounts> {
    const from = sql`${p.from}::date`;
    const to = sql`${p.to}::date`;
    const { rows } = await sql<PeriodCounts>`select
      (select count(*)::int from (
        select organisation_id from support_cases where opened_on <= ${to} and coalesce(closed_on, 'infinity'::date) >= ${from}
        union
        select organisation_id from support_cases where id in (select case_id from support_case_notes where worked_on between ${from} and ${to})) g) as groups,
      (select coalesce(json_agg(t), '[]') from (select topic,
          count(*) filter (where opened_on between ${from} and ${to})::int as opened, count(*) filter (where closed_on between ${from} and ${to})::int as closed
        from support_cases where opened_on between ${from} and ${to} or closed_on between ${from} and ${to} group by topic) t) as topics,
      (select coalesce(sum(minutes_spent), 0)::bigint from support_case_notes where worked_on between ${from} and ${to}) as minutes,
      (select coalesce(json_agg(k), '[]') from (select kind, count(*)::int as n from support_outcomes where achieved_on between ${from} and ${to} group by kind) k) as outcomes,
      (select row_to_json(a) from (select
          count(*) filter (where submitted_on between ${from} and ${to})::int as submitted,
          count(*) filter (where status = 'awarded' and decision_on between ${from} and ${to})::int as awarded,
          count(*) filter (where status = 'declined' and decision_on between ${from} and ${to})::int as declined,
          coalesce(sum(amount_awarded) filter (where status = 'awarded' and decision_on between ${from} and ${to}), 0)::text as secured
        from funding_applications where submitted_on between ${from} and ${to} or decision_on between ${from} and ${to}) a) as applications,
      (select row_to_json(r) from (select count(*)::int as places, count(distinct b.person_id)::int as people, count(distinct b.organisation_id)::int as organisations
        from course_sessions s join course_bookings b on b.session_id = s.id and b.attended
        where s.starts_at >= ${startOf(p.from)} and s.starts_at < ${startOf(p.to, 1)}) r) as training,
      (select row_to_json(r) from (select count(distinct bulletin_id)::int as bulletins, count(*)::int as sent, count(opened_at)::int as opened
        from bulletin_recipients where status = 'sent' and sent_at >= ${startOf(p.from)} and sent_at < ${startOf(p.to, 1)}) r) as bulletins`.execute(tx);
    return rows[0]!;
  },

  /** Only the pounds awarded in the period (numeric text): the home panel's quarter needs no more. */
  async secured(tx: Queryable, p: Period): Promise<string> {
    const { rows } = await sql<{ secured: string }>`select coalesce(sum(amount_awarded), 0)::text as secured from funding_applications
      where status = 'awarded' and decision_on between ${p.from}::date and ${p.to}::date`.execute(tx);
    return rows[0]?.secured ?? '0';
  },

  /** The awarded applications of the period, behind the funding secured: largest award first within each day. */
  awards(tx: Queryable, p: Period) {
    return tx.selectFrom('funding_applications as a').innerJoin('organisations as o', 'o.id', 'a.organisation_id')
      .leftJoin('support_cases as c', 'c.id', 'a.case_id')
      .select(['a.id', 'a.funder_name', 'a.programme', 'a.amount_awarded', sql<string>`a.decision_on::text`.as('decision_on'),
        'o.id as organisation_id', 'o.name as organisation_name', 'c.id as case_id', 'c.reference as case_reference'])
      .where('a.status', '=', 'awarded').where('a.decision_on', '>=', p.from).where('a.decision_on', '<=', p.to)
      .orderBy('a.decision_on').orderBy('a.amount_awarded', 'desc').orderBy('a.id').limit(AWARDS_SHOWN).execute();
  },
};

export interface PeriodCounts {
  groups: number;
  topics: { topic: SupportTopic; opened: number; closed: number }[];
  minutes: number | string;
  outcomes: { kind: OutcomeKind; n: number }[];
  applications: { submitted: number; awarded: number; declined: number; secured: string };
  training: { places: number; people: number; organisations: number };
  bulletins: { bulletins: number; sent: number; opened: number };
}

/** The awards page lists this many at most (a year of a county's awards); the totals always count every one. */
export const AWARDS_SHOWN = 2000;

/** The instant a day (plus `days`) begins in England, for comparing with a timestamptz column. */
const startOf = startOfLondonDay;
