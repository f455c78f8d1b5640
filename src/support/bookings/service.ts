import type { Database, Queryable, Reads } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import type { JobQueue } from '../../platform/jobs.js';
import type { SignedInUser } from '../../platform/auth/actor.js';
import { authorise, can } from '../../platform/auth/policy.js';
import { auditActorOf, recordAudit } from '../../platform/audit.js';
import { queueEmail } from '../../platform/mail.js';
import { hashSecret, newSecret } from '../../platform/auth/secrets.js';
import { isUuid } from '../../platform/validation/ids.js';
import type { FormErrors } from '../../platform/http/forms.js';
import { bookingsRepository as repo, type BookingRow } from './repository.js';
import { readBookingForm, readFeedbackForm, type BookingFormValues, type FeedbackFormValues, type TrainingSearch } from './form.js';
import { lengthText, whenText, dayText } from './present.js';
import { certificatePdf } from './certificate.js';

export const PAGE_SIZE = 20;
/** Attendees are reminded once, within two days of the session. */
export const REMINDER_HOURS = 48;
/** Feedback is asked for within a fortnight of the session, or not at all (a late request only confuses). */
export const FEEDBACK_DAYS = 14;
/** Where e-mailed links point and whose name they carry. */
export interface LinkContext { origin: string; lioName: string }
export type BookingOutcome =
  | { kind: 'errors'; errors: FormErrors }
  | { kind: 'refused'; reason: 'cancelled' | 'started' }
  | { kind: 'full' }
  | { kind: 'twice'; status: 'booked' | 'waiting' }
  | { kind: 'booked' | 'waiting'; bookingId: string };
type Deps = { db: Database; clock: Clock; jobs: JobQueue };
const BY_LINK = { userId: null, label: 'the attendee, by their link' };

const manageLink = (ctx: LinkContext, token: string) => `${ctx.origin}/training/bookings/${token}`;

/** The e-mail that confirms a place or a place on the waiting list, with the link that manages it. */
function bookingEmail(b: { fullName: string; title: string; startsAt: Date; endsAt: Date; where: string }, status: 'booked' | 'waiting' | 'promoted', ctx: LinkContext, token: string) {
  const opening = {
    booked: `You have a place on ${b.title}.`,
    waiting: `${b.title} is full, so you are on its waiting list. If a place frees up, it is yours automatically and we will e-mail you.`,
    promoted: `Good news: a place has come free on ${b.title} and it is now yours.`,
  }[status];
  return {
    subject: status === 'waiting' ? `You are on the waiting list: ${b.title}` : `Your place is booked: ${b.title}`,
    text: `Hello ${b.fullName},\n\n${opening}\n\nWhen: ${whenText(b.startsAt, b.endsAt)}\nWhere: ${b.where}\n\n`
      + `To see your booking, add it to your calendar or cancel it, use this link (no sign-in needed):\n\n${manageLink(ctx, token)}\n\n`
      + `If you can no longer come, please cancel so someone on the waiting list can have your place.\n\n${ctx.lioName}\n`,
  };
}

const whereOf = (s: { venue: string | null; online_url: string | null }) => [s.venue, s.online_url].filter(Boolean).join(' and ');

/**
 * Gives places freed on a session (a cancellation, more places) to the longest-waiting people, in the caller's
 * transaction with the session locked, and e-mails each their new place. Nothing moves once the session has started.
 */
export async function fillFreedPlaces(tx: Queryable, deps: Deps, lioId: string, sessionId: string, ctx: LinkContext): Promise<string[]> {
  const now = deps.clock.now();
  const session = await repo.lockSession(tx, sessionId);
  if (!session || session.status !== 'scheduled' || session.starts_at <= now) return [];
  const free = session.capacity - Number(session.booked);
  if (free <= 0) return [];
  const promoted: string[] = [];
  for (const next of await repo.nextWaiting(tx, sessionId, free)) {
    const token = newSecret();
    await repo.promote(tx, next.id, hashSecret(token), now);
    const b = (await repo.booking(tx, { id: next.id }))!;
    const email = bookingEmail({ fullName: b.full_name ?? '', title: b.title, startsAt: b.starts_at, endsAt: b.ends_at, where: whereOf(b) }, 'promoted', ctx, token);
    if (b.emails[0]) await queueEmail(tx, deps.jobs, lioId, { to: b.emails[0], ...email }, deps.clock);
    await recordAudit(tx, lioId, { userId: null, label: 'the waiting list' }, { action: 'course_booking.promoted', subjectType: 'course_booking', subjectId: b.id }, now);
    promoted.push(b.id);
  }
  return promoted;
}

/** Places on courses: the public listing, booking with or without an account, the waiting list, the attendee's link. */
export class BookingsService {
  constructor(private readonly deps: Deps) {}

  async listing(reads: Reads, lioId: string, search: TrainingSearch, page: number) {
    return reads.withTenant(lioId, (tx) => repo.upcoming(tx, this.deps.clock.now(), { ...search, page, pageSize: PAGE_SIZE }));
  }

  async publicCourse(reads: Reads, lioId: string, courseId: string) {
    if (!isUuid(courseId)) return undefined;
    return reads.withTenant(lioId, async (tx) => {
      const course = await repo.publishedCourse(tx, courseId);
      return course ? { course, sessions: await repo.courseSessionsAhead(tx, courseId, this.deps.clock.now()) } : undefined;
    });
  }

  /** The session to book and what the form offers: undefined when there is no such published session. */
  async bookingForm(lioId: string, sessionId: string, actor: SignedInUser | null) {
    if (!isUuid(sessionId)) return undefined;
    return this.deps.db.withTenant(lioId, async (tx) => {
      const session = await repo.session(tx, sessionId);
      if (!session || session.course_status !== 'published') return undefined;
      const member = actor?.role === 'group_member' && actor.organisationId ? await repo.organisationName(tx, actor.organisationId) : undefined;
      return { session, organisations: member ? [member] : await repo.organisations(tx), forOrganisation: member ?? null, now: this.deps.clock.now() };
    });
  }

  /** Books a place (or a place on the waiting list). The session row is locked first: two people after the last place get it one at a time. */
  async book(lioId: string, actor: SignedInUser | null, sessionId: string, values: BookingFormValues, ctx: LinkContext): Promise<BookingOutcome | undefined> {
    const signedIn = actor && can(actor, 'training.book') ? actor : null;
    const { errors, booking } = readBookingForm(values);
    if (signedIn?.role === 'group_member') booking.organisationId = signedIn.organisationId;
    if (errors.any) return { kind: 'errors', errors };
    if (!isUuid(sessionId)) return undefined;
    const now = this.deps.clock.now();
    return this.deps.db.withTenant(lioId, async (tx) => {
      const session = await repo.lockSession(tx, sessionId);
      if (!session || session.course_status !== 'published') return undefined;
      if (session.status === 'cancelled') return { kind: 'refused', reason: 'cancelled' };
      if (session.starts_at <= now) return { kind: 'refused', reason: 'started' };
      if (booking.organisationId && !(await repo.organisationName(tx, booking.organisationId))) {
        errors.add('organisationId', 'Choose the organisation from the list');
        return { kind: 'errors', errors };
      }
      await repo.lockEmail(tx, lioId, booking.email);
      const personId = (await repo.personByEmail(tx, booking.email))?.id ?? (await repo.insertPerson(tx, { lioId, fullName: booking.fullName, email: booking.email, now })).id;
      const live = await repo.liveBooking(tx, sessionId, personId);
      if (live) return { kind: 'twice', status: live.status as 'booked' | 'waiting' };
      const full = Number(session.booked) >= session.capacity;
      if (full && !booking.waitingList) return { kind: 'full' };
      const token = newSecret();
      const status = full ? 'waiting' as const : 'booked' as const;
      const row = await repo.insertBooking(tx, {
        lioId, sessionId, personId, organisationId: booking.organisationId, userId: signedIn?.id ?? null, status, accessNeeds: booking.accessNeeds, tokenHash: hashSecret(token), now,
      });
      const email = bookingEmail({ fullName: booking.fullName, title: session.title, startsAt: session.starts_at, endsAt: session.ends_at, where: whereOf(session) }, status, ctx, token);
      await queueEmail(tx, this.deps.jobs, lioId, { to: booking.email, ...email }, this.deps.clock);
      await recordAudit(tx, lioId, signedIn ? auditActorOf(signedIn) : { userId: null, label: 'the attendee, online' },
        { action: status === 'booked' ? 'course_booking.booked' : 'course_booking.waiting', subjectType: 'course_booking', subjectId: row.id, detail: { sessionId } }, now);
      return { kind: status, bookingId: row.id };
    });
  }

  /** The booking a link opens, where it stands, and what its holder may do; undefined for a link that is not (or no longer) one. */
  async byLink(lioId: string, token: string) {
    if (!token || token.length > 100) return undefined;
    const now = this.deps.clock.now();
    return this.deps.db.withTenant(lioId, async (tx) => {
      const booking = await repo.booking(tx, { tokenHash: hashSecret(token) });
      if (!booking) return undefined;
      await recordAudit(tx, lioId, BY_LINK, { action: 'course_booking.viewed', subjectType: 'course_booking', subjectId: booking.id, detail: { by: 'link' } }, now);
      const place = booking.status === 'waiting' && booking.waiting_since ? await repo.waitingPlace(tx, booking.session_id, booking.waiting_since, booking.id) : null;
      return { booking, place, started: booking.starts_at <= now, hasCertificate: booking.certificate && booking.attended === true && booking.status === 'booked' };
    });
  }

  /** The attendee cancels from their link; a freed place goes to the next person waiting. */
  async cancelByLink(lioId: string, token: string, ctx: LinkContext): Promise<'cancelled' | 'started' | 'already' | undefined> {
    if (!token || token.length > 100) return undefined;
    return this.deps.db.withTenant(lioId, async (tx) => {
      const booking = await repo.booking(tx, { tokenHash: hashSecret(token) });
      if (!booking) return undefined;
      return this.cancelIn(tx, lioId, booking, BY_LINK, ctx);
    });
  }

  /** A trainer cancels a booking (the attendee rang to say they cannot come, say). */
  async cancelByStaff(actor: SignedInUser | null, bookingId: string, ctx: LinkContext) {
    authorise(actor, 'training.manage');
    if (!isUuid(bookingId)) return undefined;
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      const booking = await repo.booking(tx, { id: bookingId });
      if (!booking) return undefined;
      return { sessionId: booking.session_id, outcome: await this.cancelIn(tx, actor.lioId, booking, auditActorOf(actor), ctx) };
    });
  }

  private async cancelIn(tx: Queryable, lioId: string, booking: BookingRow, who: { userId: string | null; label: string }, ctx: LinkContext) {
    const now = this.deps.clock.now();
    const session = (await repo.lockSession(tx, booking.session_id))!;
    if (session.starts_at <= now) return 'started' as const;
    // Read again under the session's lock: a promotion may have moved it off the waiting list since it was first read.
    const wasBooked = (await repo.booking(tx, { id: booking.id }))?.status === 'booked';
    const cancelled = await repo.cancel(tx, booking.id, now);
    if (!cancelled) return 'already' as const;
    await recordAudit(tx, lioId, who, { action: 'course_booking.cancelled', subjectType: 'course_booking', subjectId: booking.id }, now);
    if (wasBooked) await fillFreedPlaces(tx, this.deps, lioId, booking.session_id, ctx);
    return 'cancelled' as const;
  }

  /** A session's calendar file, for anyone (a published course's scheduled or cancelled session). */
  async sessionForCalendar(reads: Reads, lioId: string, sessionId: string) {
    if (!isUuid(sessionId)) return undefined;
    return reads.withTenant(lioId, async (tx) => {
      const s = await repo.session(tx, sessionId);
      return s && s.course_status === 'published' ? [{ ...s, session_status: s.status }] : undefined;
    });
  }

  /** Every booked place of the link's attendee, for their calendar. */
  async personCalendarByLink(lioId: string, token: string) {
    if (!token || token.length > 100) return undefined;
    return this.deps.db.withTenant(lioId, async (tx) => {
      const booking = await repo.booking(tx, { tokenHash: hashSecret(token) });
      return booking ? repo.personBookings(tx, booking.person_id) : undefined;
    });
  }

  /** The certificate of an attended place on a course that gives one; its number is given on first asking and kept. */
  async certificateByLink(lioId: string, lioName: string, token: string) {
    if (!token || token.length > 100) return undefined;
    return this.deps.db.withTenant(lioId, async (tx) => {
      const booking = await repo.booking(tx, { tokenHash: hashSecret(token) });
      return booking ? this.certificateOf(tx, lioId, lioName, booking, BY_LINK) : undefined;
    });
  }

  async certificateForStaff(actor: SignedInUser | null, lioName: string, bookingId: string) {
    authorise(actor, 'training.manage');
    if (!isUuid(bookingId)) return undefined;
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      const booking = await repo.booking(tx, { id: bookingId });
      return booking ? this.certificateOf(tx, actor.lioId, lioName, booking, auditActorOf(actor)) : undefined;
    });
  }

  private async certificateOf(tx: Queryable, lioId: string, lioName: string, b: BookingRow, who: { userId: string | null; label: string }) {
    if (!b.certificate || b.attended !== true || b.status !== 'booked') return null;
    let number = b.certificate_number;
    if (!number) {
      number = `CG-${b.starts_at.getUTCFullYear()}-${b.id.replaceAll('-', '').slice(0, 10).toUpperCase()}`;
      await repo.setCertificateNumber(tx, b.id, number);
    }
    await recordAudit(tx, lioId, who, { action: 'course_certificate.downloaded', subjectType: 'course_booking', subjectId: b.id }, this.deps.clock.now());
    const pdf = await certificatePdf({
      lioName, attendee: b.full_name ?? 'Attendee', course: b.title, heldOn: dayText(b.starts_at), hours: lengthText(b.starts_at, b.ends_at), number, organisation: b.organisation_name,
    });
    return { pdf, number };
  }

  /** The feedback form a link opens: undefined for a link that is not one; `given` once feedback is in. */
  async feedbackByLink(lioId: string, token: string) {
    if (!token || token.length > 100) return undefined;
    return this.deps.db.withTenant(lioId, async (tx) => {
      const booking = await repo.booking(tx, { feedbackHash: hashSecret(token) });
      if (!booking) return undefined;
      return { booking, given: Boolean(await repo.feedbackOf(tx, booking.id)) };
    });
  }

  /** Feedback once per booking: a second answer is refused, the first kept. */
  async giveFeedback(lioId: string, token: string, values: FeedbackFormValues): Promise<{ errors: FormErrors } | 'saved' | 'already' | undefined> {
    if (!token || token.length > 100) return undefined;
    const read = readFeedbackForm(values);
    const now = this.deps.clock.now();
    return this.deps.db.withTenant(lioId, async (tx) => {
      const booking = await repo.booking(tx, { feedbackHash: hashSecret(token) });
      if (!booking) return undefined;
      if (await repo.feedbackOf(tx, booking.id)) return 'already' as const;
      if (read.errors.any) return { errors: read.errors };
      const row = await repo.insertFeedback(tx, { lioId, bookingId: booking.id, rating: read.rating, mostUseful: read.mostUseful, improve: read.improve, now });
      return row ? 'saved' as const : 'already' as const;
    });
  }

  /** The signed-in person's bookings (and, for a group member, their organisation's). */
  async mine(actor: SignedInUser | null) {
    authorise(actor, 'training.book');
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      const user = await repo.personOfUser(tx, actor.id);
      const rows = await repo.bookingsOf(tx, { userId: actor.id, personId: user?.person_id ?? null, organisationId: actor.role === 'group_member' ? actor.organisationId : null });
      await recordAudit(tx, actor.lioId, auditActorOf(actor), { action: 'course_bookings.viewed', subjectType: 'course_booking', detail: { page: 'mine' } }, this.deps.clock.now());
      return rows;
    });
  }

  /** E-mails each booked attendee once, when their session is within REMINDER_HOURS; the job runs this hourly. */
  async sendReminders(lioId: string, ctx: LinkContext): Promise<number> {
    const now = this.deps.clock.now();
    return this.deps.db.withTenant(lioId, async (tx) => {
      const due = await repo.dueReminders(tx, now, new Date(now.getTime() + REMINDER_HOURS * 3_600_000));
      for (const b of due) {
        if (b.emails[0]) {
          await queueEmail(tx, this.deps.jobs, lioId, {
            to: b.emails[0], subject: `Reminder: ${b.title}, ${dayText(b.starts_at)}`,
            text: `Hello ${b.full_name ?? ''},\n\nA reminder that you have a place on ${b.title}.\n\nWhen: ${whenText(b.starts_at, b.ends_at)}\nWhere: ${whereOf(b)}\n\n`
              + `If you can no longer come, please cancel from the link in your booking e-mail so someone on the waiting list can have your place.\n\n${ctx.lioName}\n`,
          }, this.deps.clock);
        }
        await repo.markReminded(tx, b.id, now);
      }
      return due.length;
    });
  }

  /** Asks each attendee of a session that ended in the last FEEDBACK_DAYS for feedback, once, with a link of its own. */
  async askForFeedback(lioId: string, ctx: LinkContext): Promise<number> {
    const now = this.deps.clock.now();
    return this.deps.db.withTenant(lioId, async (tx) => {
      const due = await repo.dueFeedback(tx, now, new Date(now.getTime() - FEEDBACK_DAYS * 86_400_000));
      for (const b of due) {
        const token = newSecret();
        await repo.markFeedbackRequested(tx, b.id, hashSecret(token), now);
        if (!b.emails[0]) continue;
        await queueEmail(tx, this.deps.jobs, lioId, {
          to: b.emails[0], subject: `How was ${b.title}?`,
          text: `Hello ${b.full_name ?? ''},\n\nThank you for coming to ${b.title} on ${dayText(b.starts_at)}. Please tell us how it went: it takes a minute and helps us make our training better.\n\n`
            + `${ctx.origin}/training/feedback/${token}\n\n${ctx.lioName}\n`,
        }, this.deps.clock);
      }
      return due.length;
    });
  }

  /** The signed-in person's details to fill the booking form with. */
  async prefill(actor: SignedInUser): Promise<Pick<BookingFormValues, 'fullName' | 'email'>> {
    return { fullName: actor.displayName, email: actor.email };
  }
}
