import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Database } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import { permitted } from '../../platform/http/guards.js';
import { MatchingService } from './service.js';
import { roleMatchesView, shareText, volunteerMatchesView } from './present.js';

const idOf = (request: FastifyRequest) => (request.params as { id: string }).id;

/** Recommended roles for a volunteer (their own page, and the coordinator's), and recommended volunteers for a role. */
export async function registerMatchingRoutes(app: FastifyInstance, deps: { db: Database; clock: Clock }) {
  const matching = new MatchingService(deps);

  app.get('/my-volunteering/roles', { preHandler: permitted('volunteering.self') }, async (request, reply) => {
    const found = await matching.rolesForMe(request.actor);
    return reply.render('volunteering/matching/views/roles.njk', {
      title: 'Roles for you', own: true, registered: found !== null, matches: found ? roleMatchesView(found.matches) : [],
    });
  });

  app.get('/volunteering/volunteers/:id/matches', { preHandler: permitted('volunteers.read') }, async (request, reply) => {
    const found = await matching.rolesForVolunteer(request.actor, idOf(request));
    if (!found) return reply.callNotFound();
    const name = found.volunteer.full_name ?? 'Name removed';
    return reply.render('volunteering/matching/views/roles.njk', {
      title: `Roles for ${name}`, name, registered: true, matches: roleMatchesView(found.matches), share: shareText(found.share),
    });
  });

  app.get('/volunteering/roles/:id/matches', { preHandler: permitted('opportunities.manage') }, async (request, reply) => {
    const found = await matching.volunteersForRole(request.actor, idOf(request));
    if (!found) return reply.callNotFound();
    return reply.render('volunteering/matching/views/volunteers.njk', {
      title: `Volunteers for ${found.role.title}`, role: found.role, matches: volunteerMatchesView(found.matches), share: shareText(found.share),
    });
  });
}
