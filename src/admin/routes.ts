import type { FastifyInstance } from 'fastify';
import type { Database } from '../platform/db/index.js';
import type { Clock } from '../platform/clock.js';
import type { Config } from '../platform/config.js';
import type { JobQueue } from '../platform/jobs.js';
import { registerApiTokenRoutes } from './api-tokens/routes.js';
import { registerAuditRoutes } from './audit/routes.js';
import { registerFrontDoorRoutes } from './front-door/routes.js';
import { registerOutboxRoutes } from './outbox/routes.js';

/** The administration's pages, each part in its own folder: audit log, public home page, outbox and API tokens. */
export async function registerAdminRoutes(app: FastifyInstance, deps: { db: Database; clock: Clock; config: Config; jobs: JobQueue }) {
  await registerAuditRoutes(app, deps);
  await registerFrontDoorRoutes(app, deps);
  await registerOutboxRoutes(app, deps);
  await registerApiTokenRoutes(app, deps);
}
