import { sql } from 'kysely';
import type { Queryable } from '../../platform/db/index.js';
import type { Period } from '../../platform/http/period.js';
import type { CourseValues, SessionValues } from './form.js';
import { startOfLondonDay } from '../../platform/db/london-days.js';

const taken = sql<number>`(select count(*)::int from course_bookings b where b.session_id = s.id and b.status = 'booked')`;
const waiting = sql<number>`(select count(*)::int from course_bookings b where b.session_id = s.id and b.status = 'waiting')`;
/** A held session whose register still has places nobody has marked. */
const registerOpen = sql<boolean>`exists (select 1 from course_bookings b where b.session_id = s.id and b.status = 'booked' and b.attended is null)`;
/** London's day boundaries, so a period's last day counts to its midnight whatever the season. */
const londonStart = (day: string) => startOfLondonDay(day);
const londonEnd = (day: string) => startOfLondonDay(day, 1);

export type SessionListKind = 'week' | 'registers' | 'waiting' | 'upcoming';

/** SQL of running courses: courses, their sessions, the register and the figures of people trained. */
export const coursesRepository = {
  courses(tx: Queryable, now: Date) {
    return tx.selectFrom('courses as c').selectAll('c')
      .select(sql<number>`(select count(*)::int from course_sessions s where s.course_id = c.id and s.starts_at > ${now} and s.status = 'scheduled')`.as('upcoming'))
      .select(sql<Date | null>`(select min(s.starts_at) from course_sessions s where s.course_id = c.id and s.starts_at > ${now} and s.status = 'scheduled')`.as('next_at'))
      .orderBy(sql`c.status = 'archived'`).orderBy('c.title').limit(500).execute();
  },

  course(tx: Queryable, id: string) {
    return tx.selectFrom('courses').selectAll().where('id', '=', id).executeTakeFirst();
  },

  insertCourse(tx: Queryable, lioId: string, c: CourseValues, userId: string | null, now: Date) {
    return tx.insertInto('courses').values({
      lio_id: lioId, title: c.title, summary: c.summary, description: c.description, audience: c.audience, themes: c.themes, certificate: c.certificate,
      status: c.status, created_by_user_id: userId, created_at: now, updated_at: now,
    }).returning('id').executeTakeFirstOrThrow();
  },

  updateCourse(tx: Queryable, id: string, c: CourseValues, now: Date) {
    return tx.updateTable('courses').set({
      title: c.title, summary: c.summary, description: c.description, audience: c.audience, themes: c.themes, certificate: c.certificate, status: c.status, updated_at: now,
    }).where('id', '=', id).executeTakeFirst();
  },

  sessionsOf(tx: Queryable, courseId: string) {
    return tx.selectFrom('course_sessions as s').selectAll('s').select([taken.as('booked'), waiting.as('waiting')])
      .where('s.course_id', '=', courseId).orderBy('s.starts_at', 'desc').limit(500).execute();
  },

  session(tx: Queryable, id: string) {
    return tx.selectFrom('course_sessions as s').innerJoin('courses as c', 'c.id', 's.course_id').selectAll('s')
      .select(['c.title', 'c.certificate', taken.as('booked'), waiting.as('waiting')]).where('s.id', '=', id).executeTakeFirst();
  },

  /** Locks the session, then counts its places in a statement of its own (see bookingsRepository.lockSession). */
  async lockSession(tx: Queryable, id: string) {
    const locked = await tx.selectFrom('course_sessions').select('id').where('id', '=', id).forUpdate().executeTakeFirst();
    if (!locked) return undefined;
    return tx.selectFrom('course_sessions as s').select(['s.id', 's.course_id', 's.starts_at', 's.status', taken.as('booked')]).where('s.id', '=', id).executeTakeFirst();
  },

  insertSession(tx: Queryable, lioId: string, courseId: string, v: SessionValues, now: Date) {
    return tx.insertInto('course_sessions').values({
      lio_id: lioId, course_id: courseId, starts_at: v.startsAt, ends_at: v.endsAt, venue: v.venue, online_url: v.onlineUrl, capacity: v.capacity,
      price_pence: v.pricePence, created_at: now, updated_at: now,
    }).returning('id').executeTakeFirstOrThrow();
  },

  updateSession(tx: Queryable, id: string, v: SessionValues, now: Date) {
    return tx.updateTable('course_sessions').set({
      starts_at: v.startsAt, ends_at: v.endsAt, venue: v.venue, online_url: v.onlineUrl, capacity: v.capacity, price_pence: v.pricePence, updated_at: now,
    }).where('id', '=', id).executeTakeFirst();
  },

  cancelSession(tx: Queryable, id: string, now: Date) {
    return tx.updateTable('course_sessions').set({ status: 'cancelled', updated_at: now }).where('id', '=', id).where('status', '=', 'scheduled').returning('id').executeTakeFirst();
  },

  /** Live bookings of a cancelled session, to tell each attendee; they stay as they were, so the history shows who had a place. */
  attendeesToTell(tx: Queryable, sessionId: string) {
    return tx.selectFrom('course_bookings as b').innerJoin('people as p', 'p.id', 'b.person_id').select(['b.id', 'p.full_name', 'p.emails'])
      .where('b.session_id', '=', sessionId).where('b.status', 'in', ['booked', 'waiting']).where('p.erased_at', 'is', null).execute();
  },

  /** A session's bookings: places (in the order booked), then the waiting list in its order, then cancellations. */
  bookingsOf(tx: Queryable, sessionId: string) {
    return tx.selectFrom('course_bookings as b').innerJoin('people as p', 'p.id', 'b.person_id').leftJoin('organisations as o', 'o.id', 'b.organisation_id')
      .leftJoin('course_feedback as f', 'f.booking_id', 'b.id')
      .select(['b.id', 'b.status', 'b.attended', 'b.waiting_since', 'b.promoted_at', 'b.cancelled_at', 'b.access_needs', 'b.certificate_number', 'b.created_at',
        'p.id as person_id', 'p.full_name', 'p.emails', 'o.name as organisation_name', 'f.rating', 'f.most_useful', 'f.improve'])
      .where('b.session_id', '=', sessionId)
      .orderBy(sql`case b.status when 'booked' then 0 when 'waiting' then 1 else 2 end`).orderBy(sql`coalesce(b.waiting_since, b.created_at)`).orderBy('b.id')
      .limit(5000).execute();
  },

  markAttendance(tx: Queryable, sessionId: string, bookingId: string, attended: boolean | null, now: Date) {
    return tx.updateTable('course_bookings').set({ attended, updated_at: now }).where('id', '=', bookingId).where('session_id', '=', sessionId)
      .where('status', '=', 'booked').executeTakeFirst();
  },

  /** Sessions for the trainer's lists: this week's (Monday to Sunday, UK time), held ones with the register to take, ones with a waiting list, or all ahead. */
  sessionsList(tx: Queryable, kind: SessionListKind, now: Date) {
    let q = tx.selectFrom('course_sessions as s').innerJoin('courses as c', 'c.id', 's.course_id')
      .select(['s.id', 's.course_id', 's.starts_at', 's.ends_at', 's.venue', 's.online_url', 's.capacity', 's.price_pence', 's.status', 'c.title', taken.as('booked'), waiting.as('waiting')])
      .where('s.status', '=', 'scheduled');
    const week = sql<Date>`(date_trunc('week', ${now}::timestamptz at time zone 'Europe/London') at time zone 'Europe/London')`;
    if (kind === 'week') q = q.where('s.starts_at', '>=', week).where('s.starts_at', '<', sql<Date>`(${week} + interval '7 days')`);
    if (kind === 'registers') q = q.where('s.ends_at', '<=', now).where(registerOpen);
    if (kind === 'waiting') q = q.where('s.starts_at', '>', now).where(sql<boolean>`${waiting} > 0`);
    if (kind === 'upcoming') q = q.where('s.starts_at', '>', now);
    return q.orderBy('s.starts_at', kind === 'registers' ? 'desc' : 'asc').limit(500).execute();
  },

  /** The trainer's panel: sessions this week, registers not taken, people waiting for a place. */
  async panelCounts(tx: Queryable, now: Date) {
    const week = sql<Date>`(date_trunc('week', ${now}::timestamptz at time zone 'Europe/London') at time zone 'Europe/London')`;
    const row = await tx.selectNoFrom([
      sql<number>`(select count(*)::int from course_sessions s where s.status = 'scheduled' and s.starts_at >= ${week} and s.starts_at < ${week} + interval '7 days')`.as('week'),
      sql<number>`(select count(*)::int from course_sessions s where s.status = 'scheduled' and s.ends_at <= ${now} and ${registerOpen})`.as('registers'),
      sql<number>`(select count(*)::int from course_bookings b join course_sessions s on s.id = b.session_id where b.status = 'waiting' and s.status = 'scheduled' and s.starts_at > ${now})`.as('waiting'),
    ]).executeTakeFirstOrThrow();
    return { week: Number(row.week), registers: Number(row.registers), waiting: Number(row.waiting) };
  },

  /** People and organisations trained (attended) in the period, and attendances by course. */
  async trained(tx: Queryable, period: Period) {
    const attended = tx.selectFrom('course_bookings as b').innerJoin('course_sessions as s', 's.id', 'b.session_id').innerJoin('courses as c', 'c.id', 's.course_id')
      .where('b.status', '=', 'booked').where('b.attended', '=', true)
      .where('s.starts_at', '>=', londonStart(period.from)).where('s.starts_at', '<', londonEnd(period.to));
    const totals = await attended.select([
      sql<number>`count(distinct b.person_id)::int`.as('people'), sql<number>`count(distinct b.organisation_id)::int`.as('organisations'),
      sql<number>`count(*)::int`.as('attendances'), sql<number>`count(distinct s.id)::int`.as('sessions'),
    ]).executeTakeFirstOrThrow();
    const byCourse = await attended.select(['c.id', 'c.title', sql<number>`count(distinct s.id)::int`.as('sessions'), sql<number>`count(*)::int`.as('attendances'),
      sql<number>`count(distinct b.organisation_id)::int`.as('organisations'),
      sql<string | null>`(select round(avg(f.rating), 1)::text from course_feedback f join course_bookings fb on fb.id = f.booking_id join course_sessions fs on fs.id = fb.session_id
        where fs.course_id = c.id and fs.starts_at >= ${londonStart(period.from)} and fs.starts_at < ${londonEnd(period.to)})`.as('rating')])
      .groupBy(['c.id', 'c.title']).orderBy('c.title').execute();
    return { totals: { people: Number(totals.people), organisations: Number(totals.organisations), attendances: Number(totals.attendances), sessions: Number(totals.sessions) }, byCourse };
  },
};
