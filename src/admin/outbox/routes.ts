import type { FastifyInstance } from 'fastify';
import type { Database } from '../../platform/db/index.js';
import type { Config } from '../../platform/config.js';
import { permitted } from '../../platform/http/guards.js';
import { OutboxService } from './service.js';

/** /admin/outbox: what was e-mailed, and whether it went (with no mail server set up, every message waits here). */
export async function registerOutboxRoutes(app: FastifyInstance, deps: { db: Database; config: Config }) {
  const outbox = new OutboxService(deps);
  app.get('/admin/outbox', { preHandler: permitted('outbox.read') }, async (request, reply) => reply.render('admin/outbox/views/outbox.njk', {
    title: 'Outbox', messages: await outbox.messages(request.actor), smtp: Boolean(deps.config.smtpUrl),
  }));
}
