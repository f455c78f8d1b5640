import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import { permitted } from '../../platform/http/guards.js';
import { SpendService } from './service.js';
import { spendValues, valuesOfEntry, type SpendValues } from './form.js';
import { periodText, spendRows, totalText } from './present.js';
import { penceOf, penceText } from '../../platform/money.js';

const VIEWS = 'support/spend/views';
type Errors = { text: string; href: string }[];

const saved = (what: string, overlaps = 0) => overlaps
  ? `${what}. Its period overlaps ${overlaps === 1 ? 'another entry' : `${overlaps} other entries`}: check the same spend is not entered twice`
  : what;

/** Spend on support: the list at /support/spend, adding, correcting and removing entries. */
export async function registerSpendRoutes(app: FastifyInstance, deps: { db: Database; clock: Clock }) {
  const spend = new SpendService(deps);
  const idOf = (request: FastifyRequest) => (request.params as { id: string }).id;

  app.get('/support/spend', { preHandler: permitted('support.spend') }, async (request, reply) => {
    const rows = await spend.list(request.actor);
    return reply.render(`${VIEWS}/list.njk`, { title: 'Spend on support to groups', entries: spendRows(rows), total: totalText(rows) });
  });

  const form = (reply: FastifyReply, values: SpendValues, errors?: Errors, entry?: { id: string; overlaps: string[] }) => reply.render(`${VIEWS}/form.njk`, {
    title: entry ? 'Correct spend on support' : 'Add spend on support', values, errors, entry,
    action: entry ? `/support/spend/${entry.id}` : '/support/spend',
  }, errors ? 400 : 200);

  app.get('/support/spend/new', { preHandler: permitted('support.spend') }, async (_request, reply) => form(reply, spendValues({})));

  app.post('/support/spend', { preHandler: permitted('support.spend') }, async (request, reply) => {
    const values = spendValues(request.body);
    const result = await spend.add(request.actor, values);
    if (result.errors.any) return form(reply, values, result.errors.list);
    return reply.flash(saved('Spend added', result.overlaps)).redirect('/support/spend', 303);
  });

  const shown = async (request: FastifyRequest) => {
    const found = await spend.get(request.actor, idOf(request));
    return found && { ...found, overlaps: found.overlaps.map((o) => periodText(o.period_start, o.period_end)) };
  };

  app.get('/support/spend/:id', { preHandler: permitted('support.spend') }, async (request, reply) => {
    const found = await shown(request);
    if (!found) return reply.callNotFound();
    return form(reply, valuesOfEntry(found.entry), undefined, { id: found.entry.id, overlaps: found.overlaps });
  });

  app.post('/support/spend/:id', { preHandler: permitted('support.spend') }, async (request, reply) => {
    const values = spendValues(request.body);
    const result = await spend.correct(request.actor, idOf(request), values);
    if (!result) return reply.callNotFound();
    if (result.errors.any) return form(reply, values, result.errors.list, { id: idOf(request), overlaps: [] });
    return reply.flash(saved('Spend corrected', result.overlaps)).redirect('/support/spend', 303);
  });

  app.get('/support/spend/:id/remove', { preHandler: permitted('support.spend') }, async (request, reply) => {
    const found = await shown(request);
    if (!found) return reply.callNotFound();
    const e = found.entry;
    return reply.render(`${VIEWS}/remove.njk`, {
      title: 'Remove this spend?', id: e.id, period: periodText(e.period_start, e.period_end), amount: penceText(penceOf(e.amount)), description: e.description ?? '',
    });
  });

  app.post('/support/spend/:id/remove', { preHandler: permitted('support.spend') }, async (request, reply) => {
    if (!(await spend.remove(request.actor, idOf(request)))) return reply.callNotFound();
    return reply.flash('Spend removed').redirect('/support/spend', 303);
  });
}
