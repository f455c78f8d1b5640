import type { FastifyInstance } from 'fastify';
import type { Database } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import type { Config } from '../../platform/config.js';
import { permitted } from '../../platform/http/guards.js';
import { answersFrom, answersOf, type ProfileAnswers } from '../volunteers/profile-form.js';
import { partSummary, profileItems, statusLabel } from '../volunteers/present.js';
import { MyVolunteeringService, OWN_PARTS, completeness } from './service.js';

/** The volunteer's own pages: their profile, changing it, and how to see or delete what is held about them. */
export async function registerMyVolunteeringRoutes(app: FastifyInstance, deps: { db: Database; clock: Clock; config: Config }) {
  const mine = new MyVolunteeringService(deps);
  const formContext = (a: ProfileAnswers, email: string, errors?: unknown[]) => ({ title: 'Change your volunteer profile', a, email, items: profileItems(a), parts: OWN_PARTS, errors });

  app.get('/my-volunteering', { preHandler: permitted('volunteering.self') }, async (request, reply) => {
    const v = await mine.mine(request.actor);
    if (!v) return reply.render('volunteering/my-volunteering/views/not-registered.njk', { title: 'Your volunteering' });
    const answers = answersOf(v);
    return reply.render('volunteering/my-volunteering/views/profile.njk', {
      title: 'Your volunteering', v, statusText: statusLabel(v.status), completeness: completeness(v),
      profile: (['contact', 'dateOfBirth', ...OWN_PARTS.filter((p) => p !== 'contact')] as const).flatMap((p) => partSummary(answers, p)),
    });
  });

  app.get('/my-volunteering/profile', { preHandler: permitted('volunteering.self') }, async (request, reply) => {
    const v = await mine.mine(request.actor);
    if (!v) return reply.redirect('/my-volunteering', 303);
    return reply.render('volunteering/my-volunteering/views/form.njk', formContext(answersOf(v), v.emails[0] ?? ''));
  });

  app.post('/my-volunteering/profile', { preHandler: permitted('volunteering.self') }, async (request, reply) => {
    const answers = { ...answersFrom(request.body, OWN_PARTS), email: request.actor!.email };
    const result = await mine.update(request.actor, answers);
    if (!result) return reply.redirect('/my-volunteering', 303);
    if ('errors' in result) return reply.render('volunteering/my-volunteering/views/form.njk', formContext(answers, request.actor!.email, result.errors.list), 400);
    return reply.flash('Your profile is saved').redirect('/my-volunteering', 303);
  });
}
