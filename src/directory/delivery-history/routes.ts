import type { FastifyInstance } from 'fastify';
import type { Database } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import { permitted } from '../../platform/http/guards.js';
import { actorOf } from '../../platform/http/request-context.js';
import { readPeriod } from '../../platform/http/period.js';
import { CLASSIFICATION_LABELS, COUNTED } from './report.js';
import { modeLabel } from './present.js';
import { DeliveryHistoryService } from './service.js';

export async function registerDeliveryHistoryRoutes(app: FastifyInstance, deps: { db: Database; clock: Clock }) {
  const history = new DeliveryHistoryService(deps);
  const read = { preHandler: permitted('organisations.read') };

  // How services changed over a period: Remaking, Rearranging, Reaffirming.
  const period = (query: unknown) => {
    const today = history.today();
    const yearAgo = `${Number(today.slice(0, 4)) - 1}${today.slice(4)}`.replace(/-02-29$/, '-02-28');
    return readPeriod(query, { from: yearAgo, to: today });
  };

  app.get('/directory/changes', read, async (request, reply) => {
    const { period: p, errors, values } = period(request.query);
    if (!p) {
      return reply.render('directory/delivery-history/views/changes.njk', { title: 'How services have changed', values, errors: errors.list, report: null }, 400);
    }
    const report = await history.report(request.actor, request.lio.id, p);
    const groups = COUNTED.map((c) => ({ key: c, label: CLASSIFICATION_LABELS[c], count: report.counts[c], rows: report.rows.filter((r) => r.classification === c) }));
    return reply.render('directory/delivery-history/views/changes.njk', {
      title: 'How services have changed', values, report, groups, modeLabel,
      csvHref: `/directory/changes.csv?${new URLSearchParams({ from: p.from, to: p.to }).toString()}`,
    });
  });

  app.get('/directory/changes.csv', { preHandler: permitted('directory.export') }, async (request, reply) => {
    const { period: p, errors } = period(request.query);
    if (!p) return reply.code(400).type('text/plain; charset=utf-8').send(errors.list.map((e) => e.text).join('\n'));
    const csv = await history.exportCsv(request.actor, request.lio.id, actorOf(request), p);
    return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="service-changes-${p.from}-to-${p.to}.csv"`)
      .header('cache-control', 'no-store').send(csv);
  });
}
