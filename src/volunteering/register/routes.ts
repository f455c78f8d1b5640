import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import type { Config } from '../../platform/config.js';
import type { JobQueue } from '../../platform/jobs.js';
import { str } from '../../platform/http/forms.js';
import { newSecret } from '../../platform/auth/secrets.js';
import { publicOrigin } from '../../platform/tenancy.js';
import { EMPTY_ANSWERS, answersFrom, type ProfileAnswers, type ProfilePart } from '../volunteers/profile-form.js';
import { partSummary, profileItems } from '../volunteers/present.js';
import { RegistrationService } from './service.js';
import { SIGNUP_LINK_DAYS } from './repository.js';

/** The answers so far, kept in a signed cookie until the form is sent: a visitor has no session, and nothing is stored before they send it. */
const COOKIE = 'cg_volunteer_signup';
const COOKIE_PATH = '/volunteer/register';
interface Kept { a: ProfileAnswers; k: string; done?: boolean }

const SLUGS: Record<ProfilePart, string> = {
  contact: 'contact-details', dateOfBirth: 'date-of-birth', guardian: 'parent-or-guardian', postcode: 'postcode', travel: 'travel', ways: 'how-you-can-help',
  skills: 'skills', interests: 'interests', causes: 'causes', languages: 'languages', availability: 'when-you-are-free', accessNeeds: 'access-needs',
  emergencyReserve: 'emergency-reserve', consent: 'consent',
};
const PART_OF_SLUG = new Map(Object.entries(SLUGS).map(([part, slug]) => [slug, part as ProfilePart]));
const TITLES: Record<ProfilePart, string> = {
  contact: 'Your contact details', dateOfBirth: 'What is your date of birth?', guardian: 'Your parent or guardian', postcode: 'What is your postcode?',
  travel: 'How far will you travel to volunteer?', ways: 'How can you volunteer?', skills: 'What skills can you offer?', interests: 'What are you interested in doing?',
  causes: 'Which causes do you care about?', languages: 'Which languages do you speak?', availability: 'When are you usually free?',
  accessNeeds: 'Is there anything we should know to make volunteering accessible for you?', emergencyReserve: 'Can we call on you in an emergency?', consent: 'Your consent',
};
const pageOf = (part: ProfilePart) => `${COOKIE_PATH}/${SLUGS[part]}`;

/** "Volunteer with us": the registration pages, check answers, confirmation, and the e-mailed link that confirms the address and offers a password. */
export async function registerRegistrationRoutes(app: FastifyInstance, deps: { db: Database; clock: Clock; config: Config; jobs: JobQueue }) {
  const registration = new RegistrationService(deps);
  const stepLimit = { rateLimit: { max: 60, timeWindow: '1 minute' } };
  const sendLimit = { rateLimit: { max: 10, timeWindow: '10 minutes' } };

  const kept = (request: FastifyRequest): Kept | null => {
    const raw = request.cookies[COOKIE];
    const unsigned = raw ? request.unsignCookie(raw) : null;
    if (!unsigned?.valid || !unsigned.value) return null;
    try {
      const value = JSON.parse(Buffer.from(unsigned.value, 'base64url').toString('utf8')) as Kept;
      return typeof value.k === 'string' && value.a ? { ...value, a: { ...EMPTY_ANSWERS, ...value.a } } : null;
    } catch {
      return null;
    }
  };
  const keep = (reply: FastifyReply, value: Kept) => reply.setCookie(COOKIE, Buffer.from(JSON.stringify(value)).toString('base64url'), {
    path: COOKIE_PATH, httpOnly: true, sameSite: 'lax', secure: deps.config.secureCookies, signed: true, maxAge: 24 * 3600,
  });

  const renderPart = (reply: FastifyReply, part: ProfilePart, answers: ProfileAnswers, back: string, change: boolean, errors?: unknown[]) =>
    reply.render('volunteering/register/views/question.njk', {
      title: TITLES[part], part, a: answers, items: profileItems(answers), back, action: `${pageOf(part)}${change ? '?change=1' : ''}`, errors,
    }, errors ? 400 : 200);

  app.get('/volunteer/register', async (_request, reply) =>
    reply.render('volunteering/register/views/start.njk', { title: 'Register to volunteer' }));

  // A fresh start: a new one-time key, so a second person on the same device makes their own registration.
  app.post('/volunteer/register', { config: stepLimit }, async (_request, reply) => {
    keep(reply, { a: EMPTY_ANSWERS, k: newSecret(24) });
    return reply.redirect(pageOf('contact'), 303);
  });

  app.get('/volunteer/register/check-answers', async (request, reply) => {
    const state = kept(request);
    if (!state) return reply.redirect(COOKIE_PATH, 303);
    if (state.done) return reply.redirect(`${COOKIE_PATH}/confirmation`, 303);
    const parts = await registration.partsFor(request.lio.id, state.a);
    return reply.render('volunteering/register/views/check-answers.njk', {
      title: 'Check your answers before registering',
      rows: parts.flatMap((part) => partSummary(state.a, part).map((row) => ({ ...row, href: `${pageOf(part)}?change=1`, part }))),
      back: pageOf(parts.at(-1)!),
    });
  });

  app.post('/volunteer/register/check-answers', { config: sendLimit }, async (request, reply) => {
    const state = kept(request);
    if (!state) return reply.redirect(COOKIE_PATH, 303);
    const result = await registration.register(request.lio.id, state.a, state.k, publicOrigin(request.lio, request, deps.config.baseUrl), request.lio.name);
    if ('errors' in result) return renderPart(reply, result.firstWrong, state.a, `${COOKIE_PATH}/check-answers`, true, result.errors.list);
    // The same answer whether or not the address is held: whoever holds it learns more from the link.
    keep(reply, { ...state, done: true });
    return reply.redirect(`${COOKIE_PATH}/confirmation`, 303);
  });

  app.get('/volunteer/register/confirmation', async (request, reply) => {
    const state = kept(request);
    if (!state?.done) return reply.redirect(COOKIE_PATH, 303);
    return reply.render('volunteering/register/views/confirmation.njk', { title: 'Check your email to finish registering', email: state.a.email, days: SIGNUP_LINK_DAYS });
  });

  app.get('/volunteer/register/confirm/:token', async (request, reply) => {
    const { token } = request.params as { token: string };
    const confirmed = await registration.confirm(request.lio.id, token);
    if (!confirmed) return reply.render('volunteering/register/views/link-problem.njk', { title: 'This link does not work' }, 404);
    if (confirmed.state === 'already') {
      return reply.render('volunteering/register/views/already-registered.njk', { title: 'You are already registered as a volunteer', email: confirmed.email });
    }
    return reply.render('volunteering/register/views/confirmed.njk', { title: 'Email address confirmed', ...confirmed, action: request.url });
  });

  app.post('/volunteer/register/confirm/:token', { config: sendLimit }, async (request, reply) => {
    const { token } = request.params as { token: string };
    const result = await registration.setPassword(request.lio.id, token, str(request.body, 'password'), str(request.body, 'confirm'));
    if (!result) return reply.render('volunteering/register/views/link-problem.njk', { title: 'This link does not work' }, 404);
    if ('errors' in result) {
      const confirmed = await registration.confirm(request.lio.id, token);
      return reply.render('volunteering/register/views/confirmed.njk', { title: 'Email address confirmed', ...confirmed, action: request.url, errors: result.errors.list }, 400);
    }
    return reply.flash('Your password is set. Sign in to see your volunteer profile').redirect('/sign-in?returnTo=%2Fmy-volunteering', 303);
  });

  app.get('/volunteer/register/:slug', async (request, reply) => {
    const part = PART_OF_SLUG.get((request.params as { slug: string }).slug);
    if (!part) return reply.callNotFound();
    const state = kept(request);
    if (!state) return reply.redirect(COOKIE_PATH, 303);
    if (state.done) return reply.redirect(`${COOKIE_PATH}/confirmation`, 303);
    const parts = await registration.partsFor(request.lio.id, state.a);
    const at = parts.indexOf(part);
    const change = str(request.query, 'change') === '1';
    return renderPart(reply, part, state.a, change ? `${COOKIE_PATH}/check-answers` : at > 0 ? pageOf(parts[at - 1]!) : COOKIE_PATH, change);
  });

  app.post('/volunteer/register/:slug', { config: stepLimit }, async (request, reply) => {
    const part = PART_OF_SLUG.get((request.params as { slug: string }).slug);
    if (!part) return reply.callNotFound();
    const state = kept(request);
    if (!state) return reply.redirect(COOKIE_PATH, 303);
    if (state.done) return reply.redirect(`${COOKIE_PATH}/confirmation`, 303);
    const answers = answersFrom(request.body, [part], state.a);
    const change = str(request.query, 'change') === '1';
    const errors = await registration.checkPart(request.lio.id, answers, part);
    const parts = await registration.partsFor(request.lio.id, answers);
    if (errors.any) {
      const at = parts.indexOf(part);
      return renderPart(reply, part, answers, change ? `${COOKIE_PATH}/check-answers` : at > 0 ? pageOf(parts[at - 1]!) : COOKIE_PATH, change, errors.list);
    }
    keep(reply, { ...state, a: answers });
    // A changed date of birth may bring the guardian's page in: it is asked before going back to check answers.
    if (part === 'dateOfBirth' && parts.includes('guardian') && !answers.guardianName) return reply.redirect(pageOf('guardian') + (change ? '?change=1' : ''), 303);
    if (change) return reply.redirect(`${COOKIE_PATH}/check-answers`, 303);
    const next = parts[parts.indexOf(part) + 1];
    return reply.redirect(next ? pageOf(next) : `${COOKIE_PATH}/check-answers`, 303);
  });

}
