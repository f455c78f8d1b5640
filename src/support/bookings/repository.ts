import { sql } from 'kysely';
import type { Queryable } from '../../platform/db/index.js';
import type { BookingStatus } from '../../platform/db/support-schema.js';
import { startOfLondonDay } from '../../platform/db/london-days.js';

/** A session with its course, as the booking pages and e-mails need it. */
const sessionColumns = ['s.id', 's.course_id', 's.starts_at', 's.ends_at', 's.venue', 's.online_url', 's.capacity', 's.price_pence', 's.status',
  'c.title', 'c.summary', 'c.certificate', 'c.status as course_status'] as const;

/** Places taken (booked) and people waiting, per session. */
const taken = sql<number>`(select count(*)::int from course_bookings b where b.session_id = s.id and b.status = 'booked')`;
const waiting = sql<number>`(select count(*)::int from course_bookings b where b.session_id = s.id and b.status = 'waiting')`;

/** The first day of the month after `month` ('2026-12' → '2027-01-01'). */
const firstOfNextMonth = (month: string) => {
  const [year, m] = month.split('-').map(Number) as [number, number];
  return m === 12 ? `${year + 1}-01-01` : `${year}-${String(m + 1).padStart(2, '0')}-01`;
};

export interface PublicSessionFilter { theme: string; month: string; online: boolean; page: number; pageSize: number }

/** SQL of booking places: sessions under lock, bookings, the waiting list and the attendee's person record. */
export const bookingsRepository = {
  /**
   * The session, locked so that places on it are counted and given one booking at a time. The lock is taken first and
   * the places counted in a statement of their own: a count in the locking statement would be read from before the
   * wait for the lock (PostgreSQL's read committed), missing the place the other booking has just taken.
   */
  async lockSession(tx: Queryable, sessionId: string) {
    const locked = await tx.selectFrom('course_sessions').select('id').where('id', '=', sessionId).forUpdate().executeTakeFirst();
    if (!locked) return undefined;
    return tx.selectFrom('course_sessions as s').innerJoin('courses as c', 'c.id', 's.course_id')
      .select([...sessionColumns, taken.as('booked')]).where('s.id', '=', sessionId).executeTakeFirst();
  },

  session(tx: Queryable, sessionId: string) {
    return tx.selectFrom('course_sessions as s').innerJoin('courses as c', 'c.id', 's.course_id')
      .select([...sessionColumns, taken.as('booked'), waiting.as('waiting')]).where('s.id', '=', sessionId).executeTakeFirst();
  },

  /** Upcoming sessions of published courses, soonest first, for the public listing. */
  async upcoming(tx: Queryable, now: Date, f: PublicSessionFilter) {
    let q = tx.selectFrom('course_sessions as s').innerJoin('courses as c', 'c.id', 's.course_id')
      .where('c.status', '=', 'published').where('s.status', '=', 'scheduled').where('s.starts_at', '>', now);
    if (f.theme) q = q.where(sql<boolean>`${f.theme} = any(c.themes)`);
    // A month as a range of instants (London's midnights), so the index on starts_at answers it.
    if (f.month) q = q.where('s.starts_at', '>=', startOfLondonDay(`${f.month}-01`)).where('s.starts_at', '<', startOfLondonDay(firstOfNextMonth(f.month)));
    if (f.online) q = q.where('s.online_url', 'is not', null);
    const total = Number((await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    const rows = await q.select([...sessionColumns, taken.as('booked'), 'c.themes']).orderBy('s.starts_at').orderBy('s.id')
      .limit(f.pageSize).offset((f.page - 1) * f.pageSize).execute();
    return { total, rows };
  },

  publishedCourse(tx: Queryable, courseId: string) {
    return tx.selectFrom('courses').selectAll().where('id', '=', courseId).where('status', '=', 'published').executeTakeFirst();
  },

  /** A course's sessions still to come, with places taken. */
  courseSessionsAhead(tx: Queryable, courseId: string, now: Date) {
    return tx.selectFrom('course_sessions as s').innerJoin('courses as c', 'c.id', 's.course_id')
      .select([...sessionColumns, taken.as('booked')]).where('s.course_id', '=', courseId).where('s.starts_at', '>', now)
      .orderBy('s.starts_at').limit(100).execute();
  },

  /** Serialises finding-or-making one e-mail's person record, so two bookings at once make one person. */
  async lockEmail(tx: Queryable, lioId: string, email: string) {
    await sql`select pg_advisory_xact_lock(hashtext(${`person-email:${lioId}:${email}`}))`.execute(tx);
  },

  personByEmail(tx: Queryable, email: string) {
    return tx.selectFrom('people').select(['id', 'full_name']).where('emails', '@>', sql<string[]>`array[${email}]::text[]`)
      .where('merged_into_id', 'is', null).where('erased_at', 'is', null).orderBy('created_at').limit(1).executeTakeFirst();
  },

  insertPerson(tx: Queryable, row: { lioId: string; fullName: string; email: string; now: Date }) {
    return tx.insertInto('people').values({
      lio_id: row.lioId, full_name: row.fullName, emails: [row.email], contact_methods: ['email'], created_at: row.now, updated_at: row.now,
    }).returning('id').executeTakeFirstOrThrow();
  },

  liveBooking(tx: Queryable, sessionId: string, personId: string) {
    return tx.selectFrom('course_bookings').select(['id', 'status']).where('session_id', '=', sessionId).where('person_id', '=', personId)
      .where('status', 'in', ['booked', 'waiting']).executeTakeFirst();
  },

  organisationName(tx: Queryable, organisationId: string) {
    return tx.selectFrom('organisations').select(['id', 'name']).where('id', '=', organisationId).where('status', '<>', 'closed').executeTakeFirst();
  },

  organisations(tx: Queryable) {
    return tx.selectFrom('organisations').select(['id', 'name']).where('status', '<>', 'closed').orderBy('name').limit(2000).execute();
  },

  insertBooking(tx: Queryable, b: {
    lioId: string; sessionId: string; personId: string; organisationId: string | null; userId: string | null; status: Extract<BookingStatus, 'booked' | 'waiting'>;
    accessNeeds: string | null; tokenHash: string; now: Date;
  }) {
    return tx.insertInto('course_bookings').values({
      lio_id: b.lioId, session_id: b.sessionId, person_id: b.personId, organisation_id: b.organisationId, booked_by_user_id: b.userId, status: b.status,
      waiting_since: b.status === 'waiting' ? b.now : null, access_needs: b.accessNeeds, manage_token_hash: b.tokenHash, created_at: b.now, updated_at: b.now,
    }).returning('id').executeTakeFirstOrThrow();
  },

  /** A booking with its session, course and attendee, found by its id or by the hash of a link's token. */
  booking(tx: Queryable, by: { id?: string; tokenHash?: string; feedbackHash?: string }) {
    let q = tx.selectFrom('course_bookings as b').innerJoin('course_sessions as s', 's.id', 'b.session_id').innerJoin('courses as c', 'c.id', 's.course_id')
      .innerJoin('people as p', 'p.id', 'b.person_id').leftJoin('organisations as o', 'o.id', 'b.organisation_id')
      .select(['b.id', 'b.session_id', 'b.person_id', 'b.organisation_id', 'b.status', 'b.waiting_since', 'b.attended', 'b.certificate_number', 'b.access_needs',
        'b.booked_by_user_id', 'b.created_at', 'b.cancelled_at', 'b.promoted_at', 'p.full_name', 'p.emails', 'o.name as organisation_name',
        's.starts_at', 's.ends_at', 's.venue', 's.online_url', 's.status as session_status', 's.price_pence', 'c.id as course_id', 'c.title', 'c.certificate']);
    if (by.id) q = q.where('b.id', '=', by.id);
    else if (by.tokenHash) q = q.where('b.manage_token_hash', '=', by.tokenHash);
    else if (by.feedbackHash) q = q.where('b.feedback_token_hash', '=', by.feedbackHash);
    else return Promise.resolve(undefined);
    return q.executeTakeFirst();
  },

  /** Where the person stands on the session's waiting list: 1 for next in line. */
  async waitingPlace(tx: Queryable, sessionId: string, waitingSince: Date, bookingId: string) {
    const row = await tx.selectFrom('course_bookings').select((eb) => eb.fn.countAll<number>().as('n')).where('session_id', '=', sessionId).where('status', '=', 'waiting')
      .where((eb) => eb.or([eb('waiting_since', '<', waitingSince), eb.and([eb('waiting_since', '=', waitingSince), eb('id', '<=', bookingId)])])).executeTakeFirstOrThrow();
    return Number(row.n);
  },

  cancel(tx: Queryable, bookingId: string, now: Date) {
    return tx.updateTable('course_bookings').set({ status: 'cancelled', waiting_since: null, cancelled_at: now, updated_at: now })
      .where('id', '=', bookingId).where('status', 'in', ['booked', 'waiting']).returning(['id', 'status']).executeTakeFirst();
  },

  /** The longest-waiting people, up to `places` of them, in the order they joined. */
  nextWaiting(tx: Queryable, sessionId: string, places: number) {
    return tx.selectFrom('course_bookings').select(['id']).where('session_id', '=', sessionId).where('status', '=', 'waiting')
      .orderBy('waiting_since').orderBy('id').limit(places).execute();
  },

  promote(tx: Queryable, bookingId: string, tokenHash: string, now: Date) {
    return tx.updateTable('course_bookings').set({ status: 'booked', waiting_since: null, promoted_at: now, manage_token_hash: tokenHash, updated_at: now })
      .where('id', '=', bookingId).where('status', '=', 'waiting').execute();
  },

  /** Live bookings of a person (the attendee of a link), for their calendar file. */
  personBookings(tx: Queryable, personId: string) {
    return tx.selectFrom('course_bookings as b').innerJoin('course_sessions as s', 's.id', 'b.session_id').innerJoin('courses as c', 'c.id', 's.course_id')
      .select(['b.id', 'b.status', 's.id as session_id', 's.starts_at', 's.ends_at', 's.venue', 's.online_url', 's.status as session_status', 'c.title', 'c.summary', 'c.id as course_id'])
      .where('b.person_id', '=', personId).where('b.status', '=', 'booked').orderBy('s.starts_at').limit(500).execute();
  },

  /** Bookings a signed-in person made, or that are theirs, or (for a group member) their organisation's. */
  bookingsOf(tx: Queryable, who: { userId: string; personId: string | null; organisationId: string | null }) {
    return tx.selectFrom('course_bookings as b').innerJoin('course_sessions as s', 's.id', 'b.session_id').innerJoin('courses as c', 'c.id', 's.course_id')
      .innerJoin('people as p', 'p.id', 'b.person_id')
      .select(['b.id', 'b.status', 'b.attended', 'b.person_id', 'p.full_name', 's.id as session_id', 's.starts_at', 's.ends_at', 's.venue', 's.online_url',
        's.status as session_status', 'c.title', 'c.summary', 'c.id as course_id'])
      .where((eb) => eb.or([
        eb('b.booked_by_user_id', '=', who.userId),
        ...(who.personId ? [eb('b.person_id', '=', who.personId)] : []),
        ...(who.organisationId ? [eb('b.organisation_id', '=', who.organisationId)] : []),
      ]))
      .where('b.status', '<>', 'cancelled').orderBy('s.starts_at', 'desc').limit(500).execute();
  },

  personOfUser(tx: Queryable, userId: string) {
    return tx.selectFrom('users').select(['person_id', 'email', 'display_name']).where('id', '=', userId).executeTakeFirst();
  },

  setCertificateNumber(tx: Queryable, bookingId: string, number: string) {
    return tx.updateTable('course_bookings').set({ certificate_number: number }).where('id', '=', bookingId).where('certificate_number', 'is', null).execute();
  },

  insertFeedback(tx: Queryable, f: { lioId: string; bookingId: string; rating: number; mostUseful: string | null; improve: string | null; now: Date }) {
    return tx.insertInto('course_feedback').values({
      lio_id: f.lioId, booking_id: f.bookingId, rating: f.rating, most_useful: f.mostUseful, improve: f.improve, created_at: f.now,
    }).onConflict((oc) => oc.columns(['lio_id', 'booking_id']).doNothing()).returning('id').executeTakeFirst();
  },

  feedbackOf(tx: Queryable, bookingId: string) {
    return tx.selectFrom('course_feedback').select(['id', 'rating']).where('booking_id', '=', bookingId).executeTakeFirst();
  },

  /** Booked places on sessions starting within the window, not yet reminded, locked so two runs never remind twice. */
  dueReminders(tx: Queryable, now: Date, until: Date) {
    return tx.selectFrom('course_bookings as b').innerJoin('course_sessions as s', 's.id', 'b.session_id').innerJoin('courses as c', 'c.id', 's.course_id')
      .innerJoin('people as p', 'p.id', 'b.person_id')
      .select(['b.id', 'p.full_name', 'p.emails', 's.starts_at', 's.ends_at', 's.venue', 's.online_url', 'c.title'])
      .where('b.status', '=', 'booked').where('b.reminder_sent_at', 'is', null).where('s.status', '=', 'scheduled')
      .where('s.starts_at', '>', now).where('s.starts_at', '<=', until).where('p.erased_at', 'is', null)
      .orderBy('s.starts_at').limit(500).forUpdate('b').skipLocked().execute();
  },

  markReminded(tx: Queryable, bookingId: string, now: Date) {
    return tx.updateTable('course_bookings').set({ reminder_sent_at: now }).where('id', '=', bookingId).execute();
  },

  /** Attended places of sessions that ended in the last fortnight whose attendee has not been asked for feedback. */
  dueFeedback(tx: Queryable, now: Date, since: Date) {
    return tx.selectFrom('course_bookings as b').innerJoin('course_sessions as s', 's.id', 'b.session_id').innerJoin('courses as c', 'c.id', 's.course_id')
      .innerJoin('people as p', 'p.id', 'b.person_id')
      .select(['b.id', 'p.full_name', 'p.emails', 's.starts_at', 'c.title'])
      .where('b.status', '=', 'booked').where('b.attended', '=', true).where('b.feedback_requested_at', 'is', null)
      .where('s.ends_at', '<=', now).where('s.ends_at', '>', since).where('p.erased_at', 'is', null)
      .orderBy('s.ends_at').limit(500).forUpdate('b').skipLocked().execute();
  },

  markFeedbackRequested(tx: Queryable, bookingId: string, tokenHash: string, now: Date) {
    return tx.updateTable('course_bookings').set({ feedback_requested_at: now, feedback_token_hash: tokenHash }).where('id', '=', bookingId).execute();
  },

  /** Places (and waiting-list places) an organisation's people hold on sessions still to come. */
  async comingUpFor(tx: Queryable, organisationId: string, now: Date): Promise<number> {
    const row = await tx.selectFrom('course_bookings as b').innerJoin('course_sessions as s', 's.id', 'b.session_id')
      .select(sql<number>`count(*)::int`.as('n')).where('b.organisation_id', '=', organisationId).where('b.status', 'in', ['booked', 'waiting'])
      .where('s.status', '=', 'scheduled').where('s.starts_at', '>', now).executeTakeFirstOrThrow();
    return Number(row.n);
  },

  allLios: (db: Queryable) => db.selectFrom('lios').select(['id', 'name', 'hostnames', 'is_default']).orderBy('created_at').execute(),
};
export type BookingRow = NonNullable<Awaited<ReturnType<typeof bookingsRepository.booking>>>;
export type SessionRow = NonNullable<Awaited<ReturnType<typeof bookingsRepository.session>>>;
