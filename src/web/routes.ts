import type { FastifyInstance } from 'fastify';
import type { Database } from '../platform/db/index.js';
import type { Clock } from '../platform/clock.js';
import type { Capability } from '../platform/capability.js';
import { ROLE_LABELS, PERMISSION_SET_LABELS } from '../platform/auth/actor.js';
import type { Navigation } from './navigation.js';
import { Home } from './home.js';
import { FrontDoor } from './front-door.js';

export async function registerWebRoutes(app: FastifyInstance, deps: { db: Database; clock: Clock; capabilities: readonly Capability[]; navigation: Navigation }): Promise<void> {
  const home = new Home(deps, deps.capabilities);
  const frontDoor = new FrontDoor(deps, deps.capabilities);
  app.get('/', { schema: { hide: true } }, async (request, reply) => {
    if (!request.actor) return reply.render('web/views/start.njk', { title: 'Welcome', frontDoor: await frontDoor.view(request.lio.id) });
    const actor = request.actor;
    return reply.render('web/views/home.njk', {
      title: 'Home',
      roleLabel: ROLE_LABELS[actor.role],
      permissionSetLabels: actor.permissionSets.map((p) => PERMISSION_SET_LABELS[p]),
      panels: await home.panelsFor(actor, request.lio),
      areas: deps.navigation.visibleTo(actor),
    });
  });
  app.get('/api/reference', { schema: { hide: true } }, async (_request, reply) => {
    const doc = app.swagger() as { paths: Record<string, Record<string, { summary?: string; description?: string; parameters?: { name: string; in: string; required?: boolean; schema?: { type?: string } }[]; requestBody?: unknown; responses?: Record<string, { description?: string }>; 'x-scope'?: string }>> };
    const operations = Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({
      method: method.toUpperCase(), path, summary: op.summary, description: op.description, parameters: op.parameters ?? [],
      hasBody: Boolean(op.requestBody), responses: Object.entries(op.responses ?? {}).map(([code, r]) => ({ code, description: r.description })),
    })));
    return reply.render('web/views/api-reference.njk', { title: 'API reference', operations });
  });
  app.get('/accessibility', { schema: { hide: true } }, async (_request, reply) => reply.render('web/views/accessibility.njk', { title: 'Accessibility statement' }));
  app.get('/privacy', { schema: { hide: true } }, async (_request, reply) => reply.render('web/views/privacy.njk', { title: 'Privacy notice' }));
}
