import type { FastifyInstance } from 'fastify';
import type { Database } from '../platform/db/index.js';
import type { Clock } from '../platform/clock.js';
import type { Config } from '../platform/config.js';
import type { JobQueue } from '../platform/jobs.js';
import { permitted } from '../platform/http/guards.js';
import { authorise } from '../platform/auth/policy.js';
import { listEmails } from '../platform/mail.js';
import { str } from '../platform/http/forms.js';
import { isUuid } from '../platform/validation/ids.js';
import { ApiTokensService } from './api-tokens.js';
import { registerAuditRoutes } from './audit/routes.js';
import { registerFrontDoorRoutes } from './front-door/routes.js';

export async function registerAdminRoutes(app: FastifyInstance, deps: { db: Database; clock: Clock; config: Config; jobs: JobQueue }) {
  const { db } = deps;
  const tokens = new ApiTokensService(deps);
  await registerAuditRoutes(app, deps);
  await registerFrontDoorRoutes(app, deps);

  app.get('/admin/outbox', { preHandler: permitted('outbox.read') }, async (request, reply) => {
    const actor = request.actor;
    authorise(actor, 'outbox.read');
    const messages = await db.withTenant(actor.lioId, (tx) => listEmails(tx));
    return reply.render('admin/views/outbox.njk', { title: 'Outbox', messages, smtp: Boolean(deps.config.smtpUrl) });
  });

  app.get('/admin/api-tokens', { preHandler: permitted('api_tokens.manage') }, async (request, reply) => reply.render('admin/views/api-tokens.njk', {
    title: 'API tokens', tokens: await tokens.list(request.actor), values: {},
  }));

  app.post('/admin/api-tokens', { preHandler: permitted('api_tokens.manage') }, async (request, reply) => {
    const values = { name: str(request.body, 'name'), scope: str(request.body, 'scope') };
    const result = await tokens.create(request.actor, values.name, values.scope);
    return reply.render('admin/views/api-tokens.njk', {
      title: 'API tokens', tokens: await tokens.list(request.actor), values: result.token ? {} : values, errors: result.errors.list, newToken: result.token,
    }, result.errors.any ? 400 : 201);
  });

  app.post('/admin/api-tokens/:id/revoke', { preHandler: permitted('api_tokens.manage') }, async (request, reply) => {
    const { id } = request.params as { id: string };
    if (!isUuid(id) || !(await tokens.revoke(request.actor, id))) return reply.callNotFound();
    return reply.flash('Token revoked: it no longer works').redirect('/admin/api-tokens', 303);
  });
}
