import type { FastifyInstance } from 'fastify';
import type { Database } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import { permitted } from '../../platform/http/guards.js';
import { str } from '../../platform/http/forms.js';
import { FRONT_DOOR_LIMITS } from './repository.js';
import { FrontDoorService } from './service.js';

const VIEW = 'admin/front-door/views/front-door.njk';
const TITLE = 'Your public home page';

export async function registerFrontDoorRoutes(app: FastifyInstance, deps: { db: Database; clock: Clock }) {
  const frontDoor = new FrontDoorService(deps);
  const guard = { preHandler: permitted('front_door.manage') };

  app.get('/admin/front-door', guard, async (request, reply) =>
    reply.render(VIEW, { title: TITLE, values: await frontDoor.words(request.actor), limits: FRONT_DOOR_LIMITS }));

  app.post('/admin/front-door', guard, async (request, reply) => {
    const { values, errors } = await frontDoor.save(request.actor, { welcome: str(request.body, 'welcome'), about: str(request.body, 'about') });
    if (errors.any) return reply.render(VIEW, { title: TITLE, values, limits: FRONT_DOOR_LIMITS, errors: errors.list }, 400);
    return reply.flash('Your public home page is saved').redirect('/admin/front-door', 303);
  });
}
