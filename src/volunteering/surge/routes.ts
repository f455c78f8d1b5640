import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Database } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import type { Config } from '../../platform/config.js';
import type { JobQueue } from '../../platform/jobs.js';
import { list, str } from '../../platform/http/forms.js';
import { permitted } from '../../platform/http/guards.js';
import { SKILLS } from '../vocabulary.js';
import { SurgeService } from './service.js';
import { SIGNUP_LINK_DAYS } from '../register/repository.js';
import { publicOrigin, type Lio } from '../../platform/tenancy.js';
import { seesSharedPages, type KeptResponse } from '../../platform/http/request-context.js';
import { countedInMemory } from '../../platform/http/rate-limit-store.js';
import { newSignupKey, signupValues, type AssignValues, type MessageValues, type SignupValues } from './form.js';
import { poolRows, queueRows } from './present.js';

const VIEWS = 'volunteering/surge/views';
const skillItems = (chosen: string[]) => Object.entries(SKILLS).map(([value, text]) => ({ value, text, checked: chosen.includes(value) }));
const EMPTY_SIGNUP: Omit<SignupValues, 'signupKey'> = { fullName: '', email: '', phone: '', postcode: '', skills: [], offer: '', consent: '' };

/** Emergency surge mode: the admin's switch, the public sign-up at /volunteer/surge, and the coordinators' queue, assignment and messages. */
export async function registerSurgeRoutes(app: FastifyInstance, deps: { db: Database; clock: Clock; config: Config; jobs: JobQueue }) {
  const surge = new SurgeService(deps);
  // Counted in memory: in a surge, a write per request to count it would cost more than the sign-up itself.
  const signupLimit = countedInMemory({ max: deps.config.surgeSignupRateLimit, timeWindow: '1 minute' });

  // The thanks page differs between visitors only by the address: in a surge it is made once for each LIO (each Lio
  // the resolver holds, so a renamed LIO's is made again) and sent with the address filled in.
  const thanksPages = new WeakMap<Lio, KeptResponse>();

  const renderSignup = (reply: FastifyReply, message: string | null, values: SignupValues, errors?: { text: string; href: string }[]) =>
    reply.render(`${VIEWS}/signup.njk`, { title: 'Volunteer in the emergency', message, values, skills: skillItems(values.skills), errors }, errors ? 400 : 200);
  const renderClosed = (reply: FastifyReply) => reply.render(`${VIEWS}/closed.njk`, { title: 'Emergency sign-up is closed' }, 404);

  app.get('/volunteer/surge', async (request, reply) => {
    const state = await surge.publicState(request.lio.id);
    if (!state.on) return renderClosed(reply);
    return renderSignup(reply, state.message, { ...EMPTY_SIGNUP, signupKey: newSignupKey() });
  });

  app.post('/volunteer/surge', { config: { rateLimit: signupLimit } }, async (request, reply) => {
    const values = signupValues(request.body);
    const outcome = await surge.signUp(request.lio.id, values, publicOrigin(request.lio, request, deps.config.baseUrl), request.lio.name);
    if (outcome.kind === 'closed') return renderClosed(reply);
    if (outcome.kind === 'invalid') {
      const state = await surge.publicState(request.lio.id);
      return renderSignup(reply, state.message, { ...values, signupKey: outcome.signupKey }, outcome.errors.list);
    }
    // Rendered, not redirected: the answer itself is the acknowledgement, sent only after the sign-up was committed.
    const thanks = { title: 'Thank you for volunteering', days: SIGNUP_LINK_DAYS };
    if (!seesSharedPages(request)) return reply.render(`${VIEWS}/thanks.njk`, { ...thanks, email: outcome.email });
    let page = thanksPages.get(request.lio);
    if (!page) {
      page = reply.renderShared(`${VIEWS}/thanks.njk`, thanks, 200, ['email']);
      thanksPages.set(request.lio, page);
    }
    return reply.sendShared(page, { email: outcome.email });
  });

  app.get('/volunteer/surge/confirm/:token', { config: { rateLimit: signupLimit } }, async (request, reply) => {
    const confirmed = await surge.confirm(request.lio.id, (request.params as { token: string }).token);
    if (!confirmed) return reply.render(`${VIEWS}/link-problem.njk`, { title: 'This link does not work' }, 404);
    return reply.render(`${VIEWS}/confirmed.njk`, { title: 'You have signed up', known: confirmed.known });
  });

  app.get('/volunteering/surge', { preHandler: permitted('surge.switch') }, async (request, reply) => {
    const state = await surge.state(request.actor);
    return reply.render(`${VIEWS}/switch.njk`, { title: 'Emergency surge mode', state, values: { on: state.on ? 'yes' : 'no', message: state.message } });
  });

  app.post('/volunteering/surge', { preHandler: permitted('surge.switch') }, async (request, reply) => {
    const values = { on: str(request.body, 'on'), message: str(request.body, 'message') };
    const result = await surge.switch(request.actor, values);
    if (result.errors.any) {
      const state = await surge.state(request.actor);
      return reply.render(`${VIEWS}/switch.njk`, { title: 'Emergency surge mode', state, values, errors: result.errors.list }, 400);
    }
    return reply.flash(result.on ? 'Emergency surge mode is on: the front door shows the sign-up form' : 'Emergency surge mode is off').redirect('/volunteering/surge', 303);
  });

  app.get('/volunteering/surge/queue', { preHandler: permitted('surge.work') }, async (request, reply) => {
    const { rows, total, unconfirmed } = await surge.queue(request.actor);
    return reply.render(`${VIEWS}/queue.njk`, { title: 'Surge sign-ups to vet', rows: queueRows(rows), total, unconfirmed });
  });

  app.post('/volunteering/surge/queue', { preHandler: permitted('surge.work') }, async (request, reply) => {
    const decision = str(request.body, 'decision');
    const result = await surge.vet(request.actor, list(request.body, 'volunteers'), decision);
    if (result.errors.any) {
      const { rows, total, unconfirmed } = await surge.queue(request.actor);
      return reply.render(`${VIEWS}/queue.njk`, { title: 'Surge sign-ups to vet', rows: queueRows(rows), total, unconfirmed, errors: result.errors.list }, 400);
    }
    const done = decision === 'approve' ? 'approved' : 'marked as needing a DBS check';
    return reply.flash(`${result.changed} ${result.changed === 1 ? 'volunteer' : 'volunteers'} ${done}`).redirect('/volunteering/surge/queue', 303);
  });

  const renderAssign = async (request: { actor: Parameters<typeof surge.pool>[0] }, reply: FastifyReply, values: AssignValues, errors?: { text: string; href: string }[]) => {
    const pool = await surge.pool(request.actor);
    return reply.render(`${VIEWS}/assign.njk`, {
      title: 'Assign volunteers', rows: poolRows(pool.rows, values.volunteers), values, errors,
      organisations: [{ value: '', text: 'Choose an organisation' }, ...pool.organisations.map((o) => ({ value: o.id, text: o.name, selected: o.id === values.organisationId }))],
      localities: pool.localities,
    }, errors ? 400 : 200);
  };

  app.get('/volunteering/surge/assign', { preHandler: permitted('surge.work') }, async (request, reply) =>
    renderAssign(request, reply, { volunteers: [], to: '', locality: '', organisationId: '' }));

  app.post('/volunteering/surge/assign', { preHandler: permitted('surge.work') }, async (request, reply) => {
    const values: AssignValues = { volunteers: list(request.body, 'volunteers'), to: str(request.body, 'to'), locality: str(request.body, 'locality'), organisationId: str(request.body, 'organisationId') };
    const result = await surge.assign(request.actor, values);
    if (result.errors.any) return renderAssign(request, reply, values, result.errors.list);
    return reply.flash(`${result.assigned} ${result.assigned === 1 ? 'volunteer' : 'volunteers'} assigned to ${result.to}`).redirect('/volunteering/surge/assign', 303);
  });

  const renderMessages = async (request: { actor: Parameters<typeof surge.messages>[0] }, reply: FastifyReply, values: MessageValues, errors?: { text: string; href: string }[]) => {
    const { sent, organisations, localities } = await surge.messages(request.actor);
    return reply.render(`${VIEWS}/messages.njk`, {
      title: 'Message volunteers', sent, values, errors, localities,
      organisations: [{ value: '', text: 'Choose an organisation' }, ...organisations.map((o) => ({ value: o.id, text: o.name, selected: o.id === values.organisationId }))],
    }, errors ? 400 : 200);
  };

  app.get('/volunteering/surge/messages', { preHandler: permitted('surge.work') }, async (request, reply) =>
    renderMessages(request, reply, { cohort: '', locality: '', organisationId: '', subject: '', body: '' }));

  app.post('/volunteering/surge/messages', { preHandler: permitted('surge.work') }, async (request, reply) => {
    const values: MessageValues = { cohort: str(request.body, 'cohort'), locality: str(request.body, 'locality'), organisationId: str(request.body, 'organisationId'), subject: str(request.body, 'subject'), body: str(request.body, 'body') };
    const result = await surge.send(request.actor, values);
    if (result.errors.any) return renderMessages(request, reply, values, result.errors.list);
    return reply.flash(`Message queued to ${result.recipients} ${result.recipients === 1 ? 'volunteer' : 'volunteers'}`).redirect('/volunteering/surge/messages', 303);
  });
}
