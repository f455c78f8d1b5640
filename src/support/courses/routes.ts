import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import type { Config } from '../../platform/config.js';
import type { JobQueue } from '../../platform/jobs.js';
import { permitted } from '../../platform/http/guards.js';
import { str } from '../../platform/http/forms.js';
import { readPeriod } from '../../platform/http/period.js';
import { publicOrigin } from '../../platform/tenancy.js';
import { BookingsService } from '../bookings/service.js';
import { CoursesService } from './service.js';
import { EMPTY_COURSE, EMPTY_SESSION, courseFormValues, sessionFormValues, type CourseFormValues, type SessionFormValues } from './form.js';
import { courseFormItems, courseFormOf, courseRows, sessionFormOf, staffBookingView, staffSessionView } from './present.js';
import { financialYear } from './figures.js';
import type { SessionListKind } from './repository.js';

const V = 'support/courses/views';
const idOf = (request: FastifyRequest) => (request.params as { id: string }).id;
const LISTS: Record<string, { kind: SessionListKind; title: string }> = {
  'this-week': { kind: 'week', title: 'Sessions this week' },
  registers: { kind: 'registers', title: 'Registers not yet taken' },
  waiting: { kind: 'waiting', title: 'Sessions with a waiting list' },
  upcoming: { kind: 'upcoming', title: 'Upcoming sessions' },
};

const guard = { preHandler: permitted('training.manage') };
type ContextOf = (request: FastifyRequest) => { origin: string; lioName: string };

const renderCourseForm = (reply: FastifyReply, values: CourseFormValues, ctx: { title: string; action: string; back: string; errors?: unknown[] }) =>
  reply.render(`${V}/course-form.njk`, { values, ...courseFormItems(values), ...ctx }, ctx.errors ? 400 : 200);
const renderSessionForm = (reply: FastifyReply, values: SessionFormValues, ctx: { title: string; course: string; action: string; back: string; errors?: unknown[] }) =>
  reply.render(`${V}/session-form.njk`, { values, ...ctx }, ctx.errors ? 400 : 200);

/** The trainer's pages under /support/training: courses, sessions, bookings, the register and the figures. */
export async function registerCourseRoutes(app: FastifyInstance, deps: { db: Database; clock: Clock; config: Config; jobs: JobQueue }) {
  const courses = new CoursesService(deps);
  const bookings = new BookingsService(deps);
  const ctxOf: ContextOf = (request) => ({ origin: publicOrigin(request.lio, request, deps.config.baseUrl), lioName: request.lio.name });
  registerCoursePages(app, courses, deps.clock);
  registerCourseActions(app, courses);
  registerSessionPages(app, courses, bookings);
  registerSessionActions(app, courses, bookings, ctxOf);
  registerListRoutes(app, { courses, clock: deps.clock });
}

/** The courses' list, a course's page and the forms to add and change a course or add a session. */
function registerCoursePages(app: FastifyInstance, courses: CoursesService, clock: Clock) {
  app.get('/support/training', guard, async (request, reply) => {
    const rows = await courses.courses(request.actor);
    return reply.render(`${V}/list.njk`, { title: 'Courses', courses: rows });
  });

  app.get('/support/training/courses/new', guard, async (_request, reply) =>
    renderCourseForm(reply, EMPTY_COURSE, { title: 'Add a course', action: '/support/training/courses', back: '/support/training' }));

  app.get('/support/training/courses/:id', guard, async (request, reply) => {
    const found = await courses.course(request.actor, idOf(request));
    if (!found) return reply.callNotFound();
    const now = clock.now();
    return reply.render(`${V}/course.njk`, {
      title: found.course.title, course: found.course, rows: courseRows(found.course), sessions: found.sessions.map((s) => staffSessionView(s, now)),
    });
  });

  app.get('/support/training/courses/:id/edit', guard, async (request, reply) => {
    const found = await courses.course(request.actor, idOf(request));
    if (!found) return reply.callNotFound();
    const base = `/support/training/courses/${found.course.id}`;
    return renderCourseForm(reply, courseFormOf(found.course), { title: `Change ${found.course.title}`, action: base, back: base });
  });

  app.get('/support/training/courses/:id/sessions/new', guard, async (request, reply) => {
    const found = await courses.course(request.actor, idOf(request));
    if (!found) return reply.callNotFound();
    const base = `/support/training/courses/${found.course.id}`;
    return renderSessionForm(reply, EMPTY_SESSION, { title: 'Add a session', course: found.course.title, action: `${base}/sessions`, back: base });
  });
}

/** Adding and changing a course, and adding a session to it. */
function registerCourseActions(app: FastifyInstance, courses: CoursesService) {
  app.post('/support/training/courses', guard, async (request, reply) => {
    const values = courseFormValues(request.body);
    const added = await courses.addCourse(request.actor, values);
    if (!added.id) return renderCourseForm(reply, values, { title: 'Add a course', action: '/support/training/courses', back: '/support/training', errors: added.errors.list });
    return reply.flash('Course added: now add its sessions').redirect(`/support/training/courses/${added.id}`, 303);
  });

  app.post('/support/training/courses/:id', guard, async (request, reply) => {
    const values = courseFormValues(request.body);
    const base = `/support/training/courses/${idOf(request)}`;
    const changed = await courses.changeCourse(request.actor, idOf(request), values);
    if (!changed.found) return reply.callNotFound();
    if (changed.errors.any) return renderCourseForm(reply, values, { title: 'Change the course', action: base, back: base, errors: changed.errors.list });
    return reply.flash('Course saved').redirect(base, 303);
  });

  app.post('/support/training/courses/:id/sessions', guard, async (request, reply) => {
    const values = sessionFormValues(request.body);
    const base = `/support/training/courses/${idOf(request)}`;
    const added = await courses.addSession(request.actor, idOf(request), values);
    if (!added) return reply.callNotFound();
    if (!added.id) return renderSessionForm(reply, values, { title: 'Add a session', course: '', action: `${base}/sessions`, back: base, errors: added.errors.list });
    return reply.flash('Session added').redirect(`/support/training/sessions/${added.id}`, 303);
  });
}

/** A session's page or its register, with a problem to show when an action on it was refused. */
async function renderSession(courses: CoursesService, request: FastifyRequest, reply: FastifyReply, template: 'session' | 'register', problem?: string) {
  const found = await courses.session(request.actor, idOf(request));
  if (!found) return reply.callNotFound();
  const views = found.bookings.map(staffBookingView);
  return reply.render(`${V}/${template}.njk`, {
    title: template === 'register' ? `Register: ${found.session.title}` : found.session.title, session: { ...staffSessionView(found.session, found.now), courseId: found.session.course_id, title: found.session.title, certificate: found.session.certificate },
    booked: views.filter((b) => b.status === 'booked'), waiting: views.filter((b) => b.status === 'waiting'), cancelled: views.filter((b) => b.status === 'cancelled'),
    feedback: views.filter((b) => b.feedback), problem,
  }, problem ? 409 : 200);
}

/** A session's page, its form, its register and an attendee's certificate. */
function registerSessionPages(app: FastifyInstance, courses: CoursesService, bookings: BookingsService) {
  app.get('/support/training/sessions/:id', guard, async (request, reply) => renderSession(courses, request, reply, 'session'));

  app.get('/support/training/sessions/:id/edit', guard, async (request, reply) => {
    const found = await courses.session(request.actor, idOf(request));
    if (!found) return reply.callNotFound();
    const base = `/support/training/sessions/${found.session.id}`;
    return renderSessionForm(reply, sessionFormOf(found.session), { title: 'Change the session', course: found.session.title, action: base, back: base });
  });

  app.get('/support/training/sessions/:id/register', guard, async (request, reply) => renderSession(courses, request, reply, 'register'));

  app.get('/support/training/bookings/:id/certificate.pdf', guard, async (request, reply) => {
    const certificate = await bookings.certificateForStaff(request.actor, request.lio.name, idOf(request));
    if (!certificate) return reply.callNotFound();
    return reply.type('application/pdf').header('content-disposition', `attachment; filename="certificate-${certificate.number}.pdf"`).send(certificate.pdf);
  });
}

/** Changing and cancelling a session, cancelling a booking, and taking the register. */
function registerSessionActions(app: FastifyInstance, courses: CoursesService, bookings: BookingsService, ctxOf: ContextOf) {
  app.post('/support/training/sessions/:id', guard, async (request, reply) => {
    const values = sessionFormValues(request.body);
    const base = `/support/training/sessions/${idOf(request)}`;
    const changed = await courses.changeSession(request.actor, idOf(request), values, ctxOf(request));
    if (!changed.found) return reply.callNotFound();
    if (changed.errors.any) return renderSessionForm(reply, values, { title: 'Change the session', course: '', action: base, back: base, errors: changed.errors.list });
    const promoted = changed.promoted ? `: ${changed.promoted} ${changed.promoted === 1 ? 'person' : 'people'} moved from the waiting list to a place` : '';
    return reply.flash(`Session saved${promoted}`).redirect(base, 303);
  });

  app.post('/support/training/sessions/:id/cancel', guard, async (request, reply) => {
    const outcome = await courses.cancelSession(request.actor, idOf(request), ctxOf(request));
    if (!outcome) return reply.callNotFound();
    if (outcome === 'started') return renderSession(courses, request, reply, 'session', 'This session has already started, so it cannot be cancelled.');
    return reply.flash(outcome === 'cancelled' ? 'Session cancelled: everyone booked or waiting has been e-mailed' : 'This session was already cancelled')
      .redirect(`/support/training/sessions/${idOf(request)}`, 303);
  });

  app.post('/support/training/bookings/:id/cancel', guard, async (request, reply) => {
    const done = await bookings.cancelByStaff(request.actor, idOf(request), ctxOf(request));
    if (!done) return reply.callNotFound();
    const back = `/support/training/sessions/${done.sessionId}`;
    if (done.outcome === 'started') {
      (request.params as { id: string }).id = done.sessionId;
      return renderSession(courses, request, reply, 'session', 'This session has already started, so the booking cannot be cancelled. Mark them as not attending on the register instead.');
    }
    return reply.flash(done.outcome === 'cancelled' ? 'Booking cancelled' : 'This booking was already cancelled').redirect(back, 303);
  });

  app.post('/support/training/sessions/:id/register', guard, async (request, reply) => {
    const outcome = await courses.takeRegister(request.actor, idOf(request), request.body);
    if (!outcome) return reply.callNotFound();
    if (outcome === 'early') return renderSession(courses, request, reply, 'register', 'The register can be taken once the session has started.');
    return reply.flash('Register saved').redirect(`/support/training/sessions/${idOf(request)}`, 303);
  });
}

function registerListRoutes(app: FastifyInstance, h: { courses: CoursesService; clock: Clock }) {
  app.get('/support/training/sessions', { preHandler: permitted('training.manage') }, async (request, reply) => {
    const list = LISTS[str(request.query, 'show')] ?? LISTS.upcoming!;
    const now = h.clock.now();
    const rows = await h.courses.sessions(request.actor, list.kind);
    return reply.render(`${V}/sessions.njk`, {
      title: list.title, kind: list.kind, sessions: rows.map((s) => ({ ...staffSessionView(s, now), title: s.title, courseId: s.course_id })),
      tabs: Object.entries(LISTS).map(([show, l]) => ({ href: `/support/training/sessions?show=${show}`, text: l.title, current: l.kind === list.kind })),
    });
  });

  app.get('/support/training/figures', { preHandler: permitted('support.figures') }, async (request, reply) => {
    const { period, errors, values } = readPeriod(request.query, financialYear(h.clock.now()));
    const figures = period ? await h.courses.trained(request.actor, period) : null;
    return reply.render(`${V}/figures.njk`, { title: 'People trained', period, values, errors: errors.list, figures }, errors.any ? 400 : 200);
  });
}
