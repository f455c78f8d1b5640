import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import type { Config } from '../../platform/config.js';
import type { JobQueue } from '../../platform/jobs.js';
import { permitted } from '../../platform/http/guards.js';
import { str } from '../../platform/http/forms.js';
import { publicReads } from '../../platform/http/request-context.js';
import { paginationOf, readPageNumber } from '../../platform/http/pagination.js';
import { publicOrigin } from '../../platform/tenancy.js';
import { THEMES } from '../../platform/vocabulary/themes.js';
import { BookingsService, PAGE_SIZE } from './service.js';
import { EMPTY_BOOKING, bookingFormValues, feedbackFormValues, readTrainingSearch, type BookingFormValues } from './form.js';
import { dayText, lengthText, monthText, priceText, sessionView, themesText, whenText, whereText } from './present.js';
import { sessionsCalendar } from './calendar.js';

const V = 'support/bookings/views';
const idOf = (request: FastifyRequest) => (request.params as { id: string }).id;
const tokenOf = (request: FastifyRequest) => (request.params as { token: string }).token;
const REFUSALS = {
  cancelled: { title: 'This session has been cancelled', message: 'It cannot be booked. Other dates for the course may have places.' },
  started: { title: 'This session has already started', message: 'Places can only be booked, or cancelled, before a session starts.' },
} as const;

/** The next twelve months, for the listing's month filter ('2026-12' → 'December 2026'). */
function monthItems(now: Date, chosen: string) {
  const items = [{ value: '', text: 'Any month', selected: chosen === '' }];
  for (let i = 0; i < 12; i += 1) {
    const at = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + i, 15));
    const value = at.toISOString().slice(0, 7);
    items.push({ value, text: monthText(at), selected: value === chosen });
  }
  return items;
}

type Deps = { db: Database; clock: Clock; config: Config; jobs: JobQueue };
type ContextOf = (request: FastifyRequest) => { origin: string; lioName: string };
/** Each sending form (a booking, a cancellation, feedback) is held to a few a minute from one address. */
const sendLimit = { rateLimit: { max: 10, timeWindow: '10 minutes' } };

/** Training and events for everyone: the listing, course pages, booking, the attendee's link, feedback and calendar files. */
export async function registerBookingRoutes(app: FastifyInstance, deps: Deps) {
  const bookings = new BookingsService(deps);
  const ctxOf: ContextOf = (request) => ({ origin: publicOrigin(request.lio, request, deps.config.baseUrl), lioName: request.lio.name });
  registerListingPages(app, bookings, deps, ctxOf);
  registerBookingForm(app, bookings, ctxOf);
  registerManageLinks(app, bookings, ctxOf);
  registerFeedbackLinks(app, bookings);
  registerMyBookings(app, bookings, deps.clock);
}

/** The public listing, a course's page and a session's calendar file. */
function registerListingPages(app: FastifyInstance, bookings: BookingsService, deps: Deps, ctxOf: ContextOf) {
  app.get('/training', async (request, reply) => {
    const search = readTrainingSearch(request.query);
    const page = readPageNumber(request.query);
    const found = await bookings.listing(publicReads(request, deps.db), request.lio.id, search, page);
    const params = new URLSearchParams(Object.entries({ theme: search.theme, month: search.month, online: search.online ? 'yes' : '' }).filter(([, v]) => v));
    return reply.render(`${V}/list.njk`, {
      title: 'Training and events', search, total: found.total,
      sessions: found.rows.map((s) => ({ ...sessionView({ ...s, booked: Number(s.booked) }), summary: s.summary, themes: themesText(s.themes) })),
      themeItems: [{ value: '', text: 'Any theme' }, ...Object.entries(THEMES).map(([value, text]) => ({ value, text }))].map((i) => ({ ...i, selected: i.value === search.theme })),
      monthItems: monthItems(deps.clock.now(), search.month),
      pagination: paginationOf(page, Math.ceil(found.total / PAGE_SIZE), (n) => `/training?${params.toString() ? `${params}&` : ''}page=${n}`),
    });
  });

  app.get('/training/courses/:id', async (request, reply) => {
    const found = await bookings.publicCourse(publicReads(request, deps.db), request.lio.id, idOf(request));
    if (!found) return reply.callNotFound();
    return reply.render(`${V}/course.njk`, {
      title: found.course.title, course: found.course, themes: themesText(found.course.themes),
      sessions: found.sessions.map((s) => sessionView({ ...s, booked: Number(s.booked) })),
    });
  });

  app.get('/training/sessions/:id/calendar.ics', async (request, reply) => {
    const sessions = await bookings.sessionForCalendar(publicReads(request, deps.db), request.lio.id, idOf(request));
    if (!sessions) return reply.callNotFound();
    const ctx = ctxOf(request);
    return reply.type('text/calendar; charset=utf-8').header('content-disposition', 'attachment; filename="session.ics"')
      .send(sessionsCalendar(sessions[0]!.title, sessions, ctx.origin, request.hostname));
  });

}

/** Booking a place (or a place on the waiting list), with or without an account. */
function registerBookingForm(app: FastifyInstance, bookings: BookingsService, ctxOf: ContextOf) {
  const renderBooking = async (request: FastifyRequest, reply: FastifyReply, values: BookingFormValues | null, extra: { errors?: unknown[]; justFilled?: boolean } = {}) => {
    const form = await bookings.bookingForm(request.lio.id, idOf(request), request.actor);
    if (!form) return reply.callNotFound();
    const s = form.session;
    const view = sessionView({ ...s, booked: Number(s.booked) });
    const refusal = s.status === 'cancelled' ? REFUSALS.cancelled : s.starts_at <= form.now ? REFUSALS.started : null;
    if (refusal) return reply.render(`${V}/refused.njk`, { ...refusal, courseId: s.course_id }, 409);
    const prefill = values ?? (request.actor ? { ...EMPTY_BOOKING, ...(await bookings.prefill(request.actor)) } : EMPTY_BOOKING);
    return reply.render(`${V}/book.njk`, {
      title: view.full ? `Join the waiting list: ${s.title}` : `Book a place: ${s.title}`, session: view, values: prefill, forOrganisation: form.forOrganisation,
      organisationItems: [{ value: '', text: 'Not booking for an organisation' }, ...form.organisations.map((o) => ({ value: o.id, text: o.name }))].map((i) => ({ ...i, selected: i.value === prefill.organisationId })),
      signedIn: Boolean(request.actor), ...extra,
    }, extra.errors ? 400 : extra.justFilled ? 409 : 200);
  };

  app.get('/training/sessions/:id/book', async (request, reply) => renderBooking(request, reply, null));

  app.post('/training/sessions/:id/book', { config: sendLimit }, async (request, reply) => {
    const values = bookingFormValues(request.body);
    const outcome = await bookings.book(request.lio.id, request.actor, idOf(request), values, ctxOf(request));
    if (!outcome) return reply.callNotFound();
    switch (outcome.kind) {
      case 'errors': return renderBooking(request, reply, values, { errors: outcome.errors.list });
      case 'full': return renderBooking(request, reply, values, { justFilled: true });
      case 'refused': return reply.render(`${V}/refused.njk`, { ...REFUSALS[outcome.reason] }, 409);
      case 'twice': return reply.render(`${V}/refused.njk`, {
        title: outcome.status === 'booked' ? 'You already have a place on this session' : 'You are already on the waiting list for this session',
        message: `We have not booked ${values.email} a second time. The e-mail we sent when you booked has a link to see or cancel your booking.`,
      }, 409);
      default: return reply.redirect(`/training/sessions/${idOf(request)}/booked?as=${outcome.kind}`, 303);
    }
  });

  app.get('/training/sessions/:id/booked', async (request, reply) => {
    const waiting = str(request.query, 'as') === 'waiting';
    return reply.render(`${V}/booked.njk`, { title: waiting ? 'You are on the waiting list' : 'Your place is booked', waiting, sessionId: idOf(request) });
  });

}

/** A signed-in person's own bookings. */
function registerMyBookings(app: FastifyInstance, bookings: BookingsService, clock: Clock) {
  app.get('/training/my-bookings', { preHandler: permitted('training.book') }, async (request, reply) => {
    const rows = await bookings.mine(request.actor);
    const now = clock.now();
    const view = rows.map((b) => ({ ...b, when: whenText(b.starts_at, b.ends_at), where: whereText(b), past: b.starts_at <= now }));
    return reply.render(`${V}/mine.njk`, { title: 'Course bookings', upcoming: view.filter((b) => !b.past).reverse(), past: view.filter((b) => b.past) });
  });
}

const linkProblem = (reply: FastifyReply) => reply.render(`${V}/link-problem.njk`, { title: 'This link does not work' }, 404);

/** The attendee's own link, from their e-mail: their booking, its cancellation, their calendar and certificate. */
function registerManageLinks(app: FastifyInstance, bookings: BookingsService, ctxOf: ContextOf) {

  const renderManage = async (request: FastifyRequest, reply: FastifyReply, problem?: string) => {
    const found = await bookings.byLink(request.lio.id, tokenOf(request));
    if (!found) return linkProblem(reply);
    const b = found.booking;
    return reply.render(`${V}/manage.njk`, {
      title: b.title, b, when: whenText(b.starts_at, b.ends_at), where: whereText(b), price: priceText(b.price_pence), place: found.place, started: found.started,
      hasCertificate: found.hasCertificate, token: tokenOf(request), problem, sessionCancelled: b.session_status === 'cancelled',
    }, problem ? 409 : 200);
  };

  app.get('/training/bookings/:token', async (request, reply) => renderManage(request, reply));

  app.post('/training/bookings/:token/cancel', { config: sendLimit }, async (request, reply) => {
    const outcome = await bookings.cancelByLink(request.lio.id, tokenOf(request), ctxOf(request));
    if (!outcome) return linkProblem(reply);
    if (outcome === 'started') return renderManage(request, reply, 'This session has already started, so your booking can no longer be cancelled.');
    return reply.flash(outcome === 'cancelled' ? 'Your booking is cancelled' : 'This booking was already cancelled').redirect(`/training/bookings/${tokenOf(request)}`, 303);
  });

  app.get('/training/bookings/:token/calendar.ics', async (request, reply) => {
    const rows = await bookings.personCalendarByLink(request.lio.id, tokenOf(request));
    if (!rows) return linkProblem(reply);
    const ctx = ctxOf(request);
    return reply.type('text/calendar; charset=utf-8').header('content-disposition', 'attachment; filename="my-training.ics"')
      .send(sessionsCalendar(`Training with ${ctx.lioName}`, rows.map((r) => ({ ...r, id: r.session_id })), ctx.origin, request.hostname));
  });

  app.get('/training/bookings/:token/certificate.pdf', async (request, reply) => {
    const certificate = await bookings.certificateByLink(request.lio.id, request.lio.name, tokenOf(request));
    if (certificate === undefined) return linkProblem(reply);
    if (certificate === null) return reply.render(`${V}/refused.njk`, { title: 'There is no certificate for this booking', message: 'Certificates are given for courses that offer one, once the trainer has marked you as attending.' }, 404);
    return reply.type('application/pdf').header('content-disposition', `attachment; filename="certificate-${certificate.number}.pdf"`).send(certificate.pdf);
  });

}

/** The feedback form the attendee's link opens after the session. */
function registerFeedbackLinks(app: FastifyInstance, bookings: BookingsService) {
  const renderFeedback = async (request: FastifyRequest, reply: FastifyReply, values = { rating: '', mostUseful: '', improve: '' }, errors?: unknown[]) => {
    const found = await bookings.feedbackByLink(request.lio.id, tokenOf(request));
    if (!found) return linkProblem(reply);
    const b = found.booking;
    return reply.render(`${V}/feedback.njk`, {
      title: found.given ? 'Thank you for your feedback' : `How was ${b.title}?`, given: found.given, course: b.title, day: dayText(b.starts_at), length: lengthText(b.starts_at, b.ends_at),
      values, errors, action: `/training/feedback/${tokenOf(request)}`,
      ratingItems: ['1', '2', '3', '4', '5'].map((r) => ({ value: r, text: { 1: '1 (poor)', 5: '5 (excellent)' }[r] ?? r, checked: values.rating === r })),
    }, errors ? 400 : 200);
  };

  app.get('/training/feedback/:token', async (request, reply) => renderFeedback(request, reply));

  app.post('/training/feedback/:token', { config: sendLimit }, async (request, reply) => {
    const values = feedbackFormValues(request.body);
    const outcome = await bookings.giveFeedback(request.lio.id, tokenOf(request), values);
    if (!outcome) return linkProblem(reply);
    if (outcome === 'already') return reply.render(`${V}/refused.njk`, { title: 'You have already given feedback', message: 'Thank you: we keep one answer for each booking.' }, 409);
    if (outcome !== 'saved') return renderFeedback(request, reply, values, outcome.errors.list);
    return reply.redirect(`/training/feedback/${tokenOf(request)}`, 303);
  });
}
