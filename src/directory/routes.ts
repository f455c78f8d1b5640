import type { FastifyInstance } from 'fastify';
import type { Database } from '../platform/db/index.js';
import type { Clock } from '../platform/clock.js';
import { permitted } from '../platform/http/guards.js';
import { authorise, can } from '../platform/auth/policy.js';
import { str } from '../platform/http/forms.js';
import { actorOf } from '../app.js';
import { OrganisationsService } from './organisations.js';

const PAGE_SIZE = 50;

export async function registerOrganisationRoutes(app: FastifyInstance, deps: { db: Database; clock: Clock }) {
  const organisations = new OrganisationsService(deps);

  app.get('/organisations', { preHandler: permitted('organisations.read') }, async (request, reply) => {
    authorise(request.actor, 'organisations.read');
    const page = Math.max(1, Number.parseInt(str(request.query, 'page'), 10) || 1);
    const { total, items } = await organisations.list(request.lio.id, page, PAGE_SIZE);
    return reply.render('directory/views/organisations.njk', {
      title: 'Organisations', items, total, page, pages: Math.max(1, Math.ceil(total / PAGE_SIZE)),
      canWrite: can(request.actor, 'organisations.write'), values: {},
    });
  });

  app.post('/organisations', { preHandler: permitted('organisations.write') }, async (request, reply) => {
    authorise(request.actor, 'organisations.write');
    const name = str(request.body, 'name');
    const result = await organisations.create(request.lio.id, actorOf(request), name);
    if (result.errors.any) {
      const { total, items } = await organisations.list(request.lio.id, 1, PAGE_SIZE);
      return reply.render('directory/views/organisations.njk', {
        title: 'Organisations', items, total, page: 1, pages: Math.max(1, Math.ceil(total / PAGE_SIZE)), canWrite: true, values: { name }, errors: result.errors.list,
      }, 400);
    }
    return reply.flash(`${result.organisation!.name} added`).redirect('/organisations', 303);
  });
}
