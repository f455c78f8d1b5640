import type { FastifyInstance } from 'fastify';
import { ROLE_LABELS, PERMISSION_SET_LABELS } from '../platform/auth/actor.js';
import { navigationFor } from './navigation.js';

export async function registerWebRoutes(app: FastifyInstance): Promise<void> {
  app.get('/', { schema: { hide: true } }, async (request, reply) => {
    if (!request.actor) return reply.render('web/views/start.njk', { title: 'Welcome' });
    const actor = request.actor;
    return reply.render('web/views/home.njk', {
      title: 'Home',
      roleLabel: ROLE_LABELS[actor.role],
      permissionSetLabels: actor.permissionSets.map((p) => PERMISSION_SET_LABELS[p]),
      shortcuts: navigationFor(actor, '/').filter((n) => n.href !== '/'),
    });
  });
  app.get('/accessibility', { schema: { hide: true } }, async (_request, reply) => reply.render('web/views/accessibility.njk', { title: 'Accessibility statement' }));
  app.get('/privacy', { schema: { hide: true } }, async (_request, reply) => reply.render('web/views/privacy.njk', { title: 'Privacy notice' }));
}
