import { sql } from 'kysely';
import type { Queryable } from '../../platform/db/index.js';
import type { Period } from '../../platform/http/period.js';
import type { OutcomeKind, SupportTopic } from '../../platform/db/support-schema.js';

/**
 * The figures of support for groups over a period, each read by its own date: a case by the days it was open, a note
 * by the day the work was done, an outcome by the day it was achieved, an application by the day it was submitted or
 * decided, training by the day the session started, a bulletin by the day it was sent. Days are England's: an instant
 * (a session's start, a bulletin's sending) counts on the day it was in England, so an evening session in British
 * Summer Time is not counted the next day in UTC.
 */
export const figuresRepository = {
  /** Organisations with a case open at some time in the period, or with work noted on one of their cases in it. */
  async groupsSupported(tx: Queryable, p: Period): Promise<number> {
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from (
        select organisation_id from support_cases where opened_on <= ${p.to}::date and coalesce(closed_on, 'infinity'::date) >= ${p.from}::date
        union
        select c.organisation_id from support_case_notes n join support_cases c on c.id = n.case_id
        where n.worked_on between ${p.from}::date and ${p.to}::date) g`.execute(tx);
    return rows[0]?.n ?? 0;
  },

  /** Cases opened and closed in the period, by topic. */
  async casesByTopic(tx: Queryable, p: Period) {
    const { rows } = await sql<{ topic: SupportTopic; opened: number; closed: number }>`select topic,
        count(*) filter (where opened_on between ${p.from}::date and ${p.to}::date)::int as opened,
        count(*) filter (where closed_on between ${p.from}::date and ${p.to}::date)::int as closed
      from support_cases
      where opened_on between ${p.from}::date and ${p.to}::date or closed_on between ${p.from}::date and ${p.to}::date
      group by topic`.execute(tx);
    return rows;
  },

  /** Minutes of support noted on cases, by the day the work was done. */
  async supportMinutes(tx: Queryable, p: Period): Promise<number> {
    const { rows } = await sql<{ minutes: number }>`select coalesce(sum(minutes_spent), 0)::bigint as minutes from support_case_notes
      where worked_on between ${p.from}::date and ${p.to}::date`.execute(tx);
    return Number(rows[0]?.minutes ?? 0);
  },

  async outcomesByKind(tx: Queryable, p: Period) {
    const { rows } = await sql<{ kind: OutcomeKind; n: number }>`select kind, count(*)::int as n from support_outcomes
      where achieved_on between ${p.from}::date and ${p.to}::date group by kind`.execute(tx);
    return rows;
  },

  /** Applications submitted, awarded and declined in the period, and the pounds awarded (as numeric text). */
  async applications(tx: Queryable, p: Period) {
    const { rows } = await sql<{ submitted: number; awarded: number; declined: number; secured: string }>`select
        count(*) filter (where submitted_on between ${p.from}::date and ${p.to}::date)::int as submitted,
        count(*) filter (where status = 'awarded' and decision_on between ${p.from}::date and ${p.to}::date)::int as awarded,
        count(*) filter (where status = 'declined' and decision_on between ${p.from}::date and ${p.to}::date)::int as declined,
        coalesce(sum(amount_awarded) filter (where status = 'awarded' and decision_on between ${p.from}::date and ${p.to}::date), 0)::text as secured
      from funding_applications
      where submitted_on between ${p.from}::date and ${p.to}::date or decision_on between ${p.from}::date and ${p.to}::date`.execute(tx);
    return rows[0] ?? { submitted: 0, awarded: 0, declined: 0, secured: '0' };
  },

  /** Places attended on sessions that started in the period, and the different people and organisations they were. */
  async training(tx: Queryable, p: Period) {
    const { rows } = await sql<{ places: number; people: number; organisations: number }>`select count(*)::int as places,
        count(distinct b.person_id)::int as people, count(distinct b.organisation_id)::int as organisations
      from course_sessions s join course_bookings b on b.session_id = s.id and b.attended
      where s.starts_at >= ${startOf(p.from)} and s.starts_at < ${startOf(p.to, 1)}`.execute(tx);
    return rows[0] ?? { places: 0, people: 0, organisations: 0 };
  },

  /** Copies of bulletins sent in the period, how many bulletins they were, and how many of those copies were opened. */
  async bulletins(tx: Queryable, p: Period) {
    const { rows } = await sql<{ bulletins: number; sent: number; opened: number }>`select count(distinct bulletin_id)::int as bulletins,
        count(*)::int as sent, count(opened_at)::int as opened
      from bulletin_recipients where status = 'sent' and sent_at >= ${startOf(p.from)} and sent_at < ${startOf(p.to, 1)}`.execute(tx);
    return rows[0] ?? { bulletins: 0, sent: 0, opened: 0 };
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

/** The awards page lists this many at most (a year of a county's awards); the totals always count every one. */
export const AWARDS_SHOWN = 2000;

/** The instant a day (plus `days`) begins in England, for comparing with a timestamptz column. */
const startOf = (day: string, days = 0) => sql<Date>`((${day}::date + ${days}::int)::timestamp at time zone 'Europe/London')`;
