import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import type { Config } from '../../platform/config.js';
import type { JobQueue } from '../../platform/jobs.js';
import { permitted } from '../../platform/http/guards.js';
import { can } from '../../platform/auth/policy.js';
import { str } from '../../platform/http/forms.js';
import { paginationOf, readPageNumber } from '../../platform/http/pagination.js';
import { publicOrigin } from '../../platform/tenancy.js';
import { VerificationService, type LinkCheck } from './service.js';
import { VERIFY_LINK_DAYS } from './jobs.js';

const PAGE_SIZE = 50;
const V = 'directory/review/views';

/** Keeping listings current: staff mark one verified or e-mail its contacts a link, the review queue, its settings, and the link itself. */
export async function registerReviewRoutes(app: FastifyInstance, deps: { db: Database; clock: Clock; config: Config; jobs: JobQueue }) {
  const verification = new VerificationService(deps);
  const origin = (request: FastifyRequest) => publicOrigin(request.lio, request, deps.config.baseUrl);
  const idOf = (request: FastifyRequest) => (request.params as { id: string }).id;

  app.post('/organisations/:id/verify', { preHandler: permitted('organisations.write') }, async (request, reply) => {
    const id = idOf(request);
    const name = await verification.markVerified(request.actor, id);
    if (!name) return reply.callNotFound();
    const back = str(request.body, 'returnTo') === 'review' ? '/directory/review' : `/organisations/${id}`;
    return reply.flash(`${name} marked as verified`).redirect(back, 303);
  });

  app.post('/organisations/:id/send-verification', { preHandler: permitted('organisations.write') }, async (request, reply) => {
    const id = idOf(request);
    const result = await verification.requestEmails(request.actor, origin(request), id);
    if (result.outcome === 'not_found') return reply.callNotFound();
    if (result.outcome === 'no_email') {
      return reply.render('web/views/error.njk', { title: 'There is no email address for this organisation', message: 'Add an email address to the organisation’s record, or a contact with one, then send the verification email.' }, 400);
    }
    return reply.flash('A verification email is being sent').redirect(`/organisations/${id}`, 303);
  });

  // --- Review queue and verification ---

  // The queue shows the listings due; ?show=unanswered, those asked by e-mail that have not answered (the home page counts both).
  app.get('/directory/review', { preHandler: permitted('organisations.read') }, async (request, reply) => {
    const page = readPageNumber(request.query);
    const unanswered = str(request.query, 'show') === 'unanswered';
    const queue = unanswered ? { withEmail: 0, ...(await verification.unanswered(request.actor, page, PAGE_SIZE)) } : await verification.queue(request.actor, page, PAGE_SIZE);
    const pages = Math.max(1, Math.ceil(queue.total / PAGE_SIZE));
    const base = unanswered ? '/directory/review?show=unanswered&' : '/directory/review?';
    return reply.render(`${V}/queue.njk`, {
      title: unanswered ? 'Listings asked and not answered' : 'Listings to review', ...queue, page, pages, show: unanswered ? 'unanswered' : 'due',
      canWrite: can(request.actor, 'organisations.write'), canSettings: can(request.actor, 'directory.settings'),
      pagination: paginationOf(page, pages, (p) => `${base}page=${p}`),
    });
  });

  app.post('/directory/review/send', { preHandler: permitted('organisations.write') }, async (request, reply) => {
    const result = await verification.requestEmails(request.actor, origin(request));
    const count = result.outcome === 'queued' ? result.count : 0;
    return reply.flash(count === 0 ? 'No listings need an email now: every due listing was emailed in the last 14 days or has no email address'
      : `Verification emails are being sent to ${count} ${count === 1 ? 'listing' : 'listings'}`).redirect('/directory/review', 303);
  });

  app.get('/directory/settings', { preHandler: permitted('directory.settings') }, async (request, reply) => {
    const settings = await verification.settings(request.actor);
    return reply.render(`${V}/settings.njk`, { title: 'Directory settings', values: { verificationMonths: String(settings.verificationMonths) } });
  });

  app.post('/directory/settings', { preHandler: permitted('directory.settings') }, async (request, reply) => {
    const raw = str(request.body, 'verificationMonths');
    const result = await verification.saveSettings(request.actor, raw);
    if (result.errors.any) return reply.render(`${V}/settings.njk`, { title: 'Directory settings', values: { verificationMonths: raw }, errors: result.errors.list }, 400);
    return reply.flash('Settings saved').redirect('/directory/review', 303);
  });

  // --- The e-mailed link: no sign-in ---

  const linkProblem = (reply: FastifyReply, check: LinkCheck) => reply.render(`${V}/link-problem.njk`, {
    title: check.state === 'used' ? 'These details have already been confirmed' : check.state === 'expired' ? 'This link has expired' : 'This link is not valid',
    state: check.state, linkDays: VERIFY_LINK_DAYS,
  }, check.state === 'unknown' ? 404 : 410);

  const linkLimit = { rateLimit: { max: Math.max(30, deps.config.signInRateLimit * 3), timeWindow: '1 minute' } };

  app.get('/verify/:token', { config: linkLimit }, async (request, reply) => {
    const check = await verification.checkLink(request.lio.id, (request.params as { token: string }).token);
    if (check.state !== 'valid') return linkProblem(reply, check);
    return reply.render(`${V}/verify.njk`, { title: `Check the details of ${check.organisation.name}`, organisation: check.organisation });
  });

  app.post('/verify/:token', { config: linkLimit }, async (request, reply) => {
    const check = await verification.confirm(request.lio.id, (request.params as { token: string }).token);
    if (check.state !== 'valid') return linkProblem(reply, check);
    return reply.render(`${V}/verify-done.njk`, { title: 'Thank you: the listing is confirmed', organisation: check.organisation });
  });
}
