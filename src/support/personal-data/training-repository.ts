import { sql } from 'kysely';
import type { Queryable } from '../../platform/db/index.js';
import { anyId } from '../../platform/db/personal-data-sql.js';
import type { RowCounts } from '../../platform/personal-data.js';

/** Access needs are for running the session: emptied a month after it. */
export const ACCESS_NEEDS_DAYS = 30;
/** The attendee's links (booking, certificate, feedback) work for a year after the session. */
export const LINK_YEARS = 1;
/** Feedback comments are kept three years for course reviews; the rating stays in the figures. */
export const FEEDBACK_COMMENT_YEARS = 3;

const DAY_MS = 86_400_000;
const yearsBefore = (now: Date, years: number) => { const d = new Date(now); d.setUTCFullYear(d.getUTCFullYear() - years); return d; };
const sessionsEndedBefore = (before: Date) => sql<boolean>`session_id in (select id from course_sessions where ends_at < ${before})`;

/** SQL of what training holds about a person: their bookings and the feedback they gave. */
export const trainingDataRepository = {
  bookingsOf(db: Queryable, personIds: string[]) {
    return db.selectFrom('course_bookings as b').innerJoin('course_sessions as s', 's.id', 'b.session_id').innerJoin('courses as c', 'c.id', 's.course_id')
      .leftJoin('organisations as o', 'o.id', 'b.organisation_id').leftJoin('course_feedback as f', 'f.booking_id', 'b.id')
      .select(['b.id', 'b.status', 'b.attended', 'b.access_needs', 'b.certificate_number', 'b.created_at', 'b.cancelled_at', 's.starts_at', 's.ends_at', 'c.title',
        'o.name as organisation_name', 'f.rating', 'f.most_useful', 'f.improve'])
      .where('b.person_id', '=', anyId(personIds)).orderBy('s.starts_at').execute();
  },

  /** The rows as stored, less the hashes of link secrets (which say nothing about the person and would only help guess at links). */
  async rowsOf(db: Queryable, personIds: string[]) {
    const bookings = await db.selectFrom('course_bookings')
      .select(['id', 'session_id', 'person_id', 'organisation_id', 'booked_by_user_id', 'status', 'waiting_since', 'promoted_at', 'cancelled_at', 'attended',
        'reminder_sent_at', 'certificate_number', 'access_needs', 'feedback_requested_at', 'created_at', 'updated_at'])
      .where('person_id', '=', anyId(personIds)).orderBy('created_at').execute();
    const feedback = await db.selectFrom('course_feedback').selectAll().where('booking_id', '=', anyId(bookings.map((b) => b.id))).orderBy('created_at').execute();
    return { course_bookings: bookings, course_feedback: feedback };
  },

  /** Courses the person set up from their account, and places they booked for others (a group member booking for their team). */
  async madeBy(db: Queryable, userIds: string[]) {
    return {
      courses_set_up_by_them: await db.selectFrom('courses').selectAll().where('created_by_user_id', '=', anyId(userIds)).orderBy('created_at').execute(),
      course_bookings_made_by_them: await db.selectFrom('course_bookings').select(['id', 'session_id', 'person_id', 'organisation_id', 'status', 'created_at'])
        .where('booked_by_user_id', '=', anyId(userIds)).orderBy('created_at').execute(),
    };
  },

  /** Their accounts stop being named on what they set up or booked for others; the courses and places stay. */
  async forgetAccounts(db: Queryable, userIds: string[]): Promise<RowCounts> {
    const courses = await db.updateTable('courses').set({ created_by_user_id: null }).where('created_by_user_id', '=', anyId(userIds)).executeTakeFirst();
    const bookings = await db.updateTable('course_bookings').set({ booked_by_user_id: null }).where('booked_by_user_id', '=', anyId(userIds)).executeTakeFirst();
    return { courses: Number(courses.numUpdatedRows), course_bookings: Number(bookings.numUpdatedRows) };
  },

  /**
   * Erasure: places on sessions still to come are cancelled (they would be e-mailed about and counted as coming);
   * every booking keeps its attendance, so the numbers trained stay true, without access needs, links or comments.
   */
  async erase(db: Queryable, personIds: string[], now: Date) {
    await db.updateTable('course_bookings').set({ status: 'cancelled', waiting_since: null, cancelled_at: now, updated_at: now })
      .where('person_id', '=', anyId(personIds)).where('status', 'in', ['booked', 'waiting'])
      .where(sql<boolean>`session_id in (select id from course_sessions where starts_at > ${now})`).execute();
    const emptied = await db.updateTable('course_bookings').set({ access_needs: null, manage_token_hash: null, feedback_token_hash: null, updated_at: now })
      .where('person_id', '=', anyId(personIds)).executeTakeFirst();
    const feedback = await db.updateTable('course_feedback').set({ most_useful: null, improve: null })
      .where('booking_id', 'in', (eb) => eb.selectFrom('course_bookings').select('id').where('person_id', '=', anyId(personIds))).executeTakeFirst();
    return { course_bookings: Number(emptied.numUpdatedRows), course_feedback: Number(feedback.numUpdatedRows) };
  },

  /**
   * Two records of one person: their bookings become the kept record's. Where both hold a live booking for the same
   * session, one stays (a place beats a waiting-list place; otherwise the kept record's) and the other is cancelled,
   * so the one-live-booking rule holds.
   */
  async merge(db: Queryable, mergedId: string, keptId: string, now: Date): Promise<RowCounts> {
    const clashes = await db.selectFrom('course_bookings as m').innerJoin('course_bookings as k', (j) => j.onRef('k.session_id', '=', 'm.session_id'))
      .select(['m.id as merged_booking', 'm.status as merged_status', 'k.id as kept_booking', 'k.status as kept_status'])
      .where('m.person_id', '=', mergedId).where('k.person_id', '=', keptId)
      .where('m.status', 'in', ['booked', 'waiting']).where('k.status', 'in', ['booked', 'waiting']).execute();
    for (const c of clashes) {
      const loser = c.merged_status === 'booked' && c.kept_status === 'waiting' ? c.kept_booking : c.merged_booking;
      await db.updateTable('course_bookings').set({ status: 'cancelled', waiting_since: null, cancelled_at: now, updated_at: now }).where('id', '=', loser).execute();
    }
    const moved = await db.updateTable('course_bookings').set({ person_id: keptId, updated_at: now }).where('person_id', '=', mergedId).executeTakeFirst();
    return { course_bookings: Number(moved.numUpdatedRows) };
  },

  async applyRetention(db: Queryable, now: Date): Promise<RowCounts> {
    const needs = await db.updateTable('course_bookings').set({ access_needs: null })
      .where('access_needs', 'is not', null).where(sessionsEndedBefore(new Date(now.getTime() - ACCESS_NEEDS_DAYS * DAY_MS))).executeTakeFirst();
    const links = await db.updateTable('course_bookings').set({ manage_token_hash: null, feedback_token_hash: null })
      .where((eb) => eb.or([eb('manage_token_hash', 'is not', null), eb('feedback_token_hash', 'is not', null)]))
      .where(sessionsEndedBefore(yearsBefore(now, LINK_YEARS))).executeTakeFirst();
    const comments = await db.updateTable('course_feedback').set({ most_useful: null, improve: null })
      .where((eb) => eb.or([eb('most_useful', 'is not', null), eb('improve', 'is not', null)]))
      .where('created_at', '<', yearsBefore(now, FEEDBACK_COMMENT_YEARS)).executeTakeFirst();
    return { course_bookings: Number(needs.numUpdatedRows) + Number(links.numUpdatedRows), course_feedback: Number(comments.numUpdatedRows) };
  },
};
