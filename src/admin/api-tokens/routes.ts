import type { FastifyInstance } from 'fastify';
import type { Database } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import { permitted } from '../../platform/http/guards.js';
import { str } from '../../platform/http/forms.js';
import { ApiTokensService } from './service.js';

const VIEW = 'admin/api-tokens/views/api-tokens.njk';

/** /admin/api-tokens: an admin makes the tokens that open the JSON API, sees each secret once, and revokes them. */
export async function registerApiTokenRoutes(app: FastifyInstance, deps: { db: Database; clock: Clock }) {
  const tokens = new ApiTokensService(deps);
  const guard = { preHandler: permitted('api_tokens.manage') };

  app.get('/admin/api-tokens', guard, async (request, reply) => reply.render(VIEW, {
    title: 'API tokens', tokens: await tokens.list(request.actor), values: {},
  }));

  app.post('/admin/api-tokens', guard, async (request, reply) => {
    const values = { name: str(request.body, 'name'), scope: str(request.body, 'scope') };
    const result = await tokens.create(request.actor, values.name, values.scope);
    return reply.render(VIEW, {
      title: 'API tokens', tokens: await tokens.list(request.actor), values: result.token ? {} : values, errors: result.errors.list, newToken: result.token,
    }, result.errors.any ? 400 : 201);
  });

  app.post<{ Params: { id: string } }>('/admin/api-tokens/:id/revoke', guard, async (request, reply) => {
    if (!(await tokens.revoke(request.actor, request.params.id))) return reply.callNotFound();
    return reply.flash('Token revoked: it no longer works').redirect('/admin/api-tokens', 303);
  });
}
