import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import type { JobQueue } from '../../platform/jobs.js';
import { permitted } from '../../platform/http/guards.js';
import { VettingService } from './service.js';
import { checkValues, type CheckValues } from './form.js';
import { checkRows, formItems, lapsingRows } from './present.js';

const VIEWS = 'volunteering/vetting/views';
const EMPTY = checkValues({});

/** Vetting: a volunteer's checks at /volunteering/volunteers/:id/vetting, and what lapses soon at /volunteering/vetting. */
export async function registerVettingRoutes(app: FastifyInstance, deps: { db: Database; clock: Clock; jobs: JobQueue }) {
  const vetting = new VettingService(deps);
  const idOf = (request: FastifyRequest) => (request.params as { id: string }).id;

  const renderPage = async (request: FastifyRequest, reply: FastifyReply, values: CheckValues, errors?: { text: string; href: string }[]) => {
    const page = await vetting.page(request.actor, idOf(request));
    if (!page) return reply.callNotFound();
    return reply.render(`${VIEWS}/volunteer.njk`, {
      title: `Vetting: ${page.volunteer.full_name ?? 'Volunteer'}`, volunteer: page.volunteer, checks: checkRows(page.checks), values, errors,
      ...formItems(values, page.organisations),
    }, errors ? 400 : 200);
  };

  app.get('/volunteering/volunteers/:id/vetting', { preHandler: permitted('vetting.write') }, async (request, reply) => renderPage(request, reply, EMPTY));

  app.post('/volunteering/volunteers/:id/vetting', { preHandler: permitted('vetting.write') }, async (request, reply) => {
    const values = checkValues(request.body);
    const result = await vetting.add(request.actor, idOf(request), values);
    if (!result) return reply.callNotFound();
    if (result.errors.any) return renderPage(request, reply, values, result.errors.list);
    return reply.flash('Check recorded').redirect(`/volunteering/volunteers/${idOf(request)}/vetting`, 303);
  });

  app.get('/volunteering/vetting', { preHandler: permitted('vetting.write') }, async (request, reply) =>
    reply.render(`${VIEWS}/lapsing.njk`, { title: 'Checks lapsing soon', rows: lapsingRows(await vetting.lapsing(request.actor)) }));
}
