import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import { permitted } from '../../platform/http/guards.js';
import { readPeriod } from '../../platform/http/period.js';
import { toCsv } from '../../platform/csv.js';
import { ENTRIES_PER_PAGE, HoursService } from './service.js';
import { duration, hoursValues, type HoursValues } from './form.js';
import { entryRows, placementItems, totalRows } from './present.js';
import { paginationOf, readPageNumber } from '../../platform/http/pagination.js';

const VIEWS = 'volunteering/hours/views';
const EMPTY = hoursValues({});
type Errors = { text: string; href: string }[];

/** Hours: the volunteer's own at /my-volunteering/hours, the organisation's at /our-volunteering/hours, totals at /volunteering/hours. */
export async function registerHoursRoutes(app: FastifyInstance, deps: { db: Database; clock: Clock }) {
  const hours = new HoursService(deps);

  const renderMine = async (request: FastifyRequest, reply: FastifyReply, values: HoursValues, errors?: Errors) => {
    const page = readPageNumber(request.query);
    const mine = await hours.mine(request.actor, page);
    if (!mine) return reply.callNotFound();
    return reply.render(`${VIEWS}/mine.njk`, {
      title: 'Your hours', values, errors, placements: placementItems(mine.placements, values, false), canLog: mine.placements.length > 0,
      entries: entryRows(mine.entries.rows), total: duration(mine.entries.confirmedMinutes),
      pagination: paginationOf(page, Math.ceil(mine.entries.total / ENTRIES_PER_PAGE), (n) => `/my-volunteering/hours?page=${n}`),
    }, errors ? 400 : 200);
  };

  app.get('/my-volunteering/hours', { preHandler: permitted('volunteering.self') }, async (request, reply) => renderMine(request, reply, EMPTY));

  app.post('/my-volunteering/hours', { preHandler: permitted('volunteering.self') }, async (request, reply) => {
    const values = hoursValues(request.body);
    const result = await hours.logMine(request.actor, values);
    if (!result) return reply.callNotFound();
    if (result.errors.any) return renderMine(request, reply, values, result.errors.list);
    return reply.flash('Hours logged: they count once the organisation confirms them').redirect('/my-volunteering/hours', 303);
  });

  const renderOurs = async (request: FastifyRequest, reply: FastifyReply, values: HoursValues, errors?: Errors) => {
    const page = readPageNumber(request.query);
    const ours = await hours.ours(request.actor, page);
    return reply.render(`${VIEWS}/ours.njk`, {
      title: 'Volunteers’ hours', values, errors, placements: placementItems(ours.placements, values, true), canLog: ours.placements.length > 0,
      entries: entryRows(ours.entries.rows),
      pagination: paginationOf(page, Math.ceil(ours.entries.total / ENTRIES_PER_PAGE), (n) => `/our-volunteering/hours?page=${n}`),
    }, errors ? 400 : 200);
  };

  app.get('/our-volunteering/hours', { preHandler: permitted('hours.confirm') }, async (request, reply) => renderOurs(request, reply, EMPTY));

  app.post('/our-volunteering/hours', { preHandler: permitted('hours.confirm') }, async (request, reply) => {
    const values = hoursValues(request.body);
    const result = await hours.logForVolunteer(request.actor, values);
    if (result.errors.any) return renderOurs(request, reply, values, result.errors.list);
    return reply.flash('Hours logged and counted').redirect('/our-volunteering/hours', 303);
  });

  app.post('/our-volunteering/hours/:id/confirm', { preHandler: permitted('hours.confirm') }, async (request, reply) => {
    const result = await hours.confirm(request.actor, (request.params as { id: string }).id);
    if (!result) return reply.callNotFound();
    return reply.flash(result.confirmed ? 'Hours confirmed' : 'Those hours were already confirmed').redirect('/our-volunteering/hours', 303);
  });

  const period = (query: unknown) => {
    const today = hours.today();
    return readPeriod(query, { from: `${today.slice(0, 8)}01`, to: today });
  };

  app.get('/volunteering/hours', { preHandler: permitted('volunteering.figures') }, async (request, reply) => {
    const { period: p, errors, values } = period(request.query);
    if (!p) return reply.render(`${VIEWS}/totals.njk`, { title: 'Volunteers’ hours', values, errors: errors.list }, 400);
    const totals = await hours.totals(request.actor, p);
    return reply.render(`${VIEWS}/totals.njk`, {
      title: 'Volunteers’ hours', values, period: p, byVolunteer: totalRows(totals.byVolunteer, 'Volunteer'),
      byOrganisation: totalRows(totals.byOrganisation, 'No organisation'), csvHref: `/volunteering/hours.csv?${new URLSearchParams({ from: p.from, to: p.to })}`,
    });
  });

  app.get('/volunteering/hours.csv', { preHandler: permitted('volunteering.figures') }, async (request, reply) => {
    const { period: p, errors } = period(request.query);
    if (!p) return reply.code(400).type('text/plain; charset=utf-8').send(errors.list.map((e) => e.text).join('\n'));
    const rows = await hours.totalsCsv(request.actor, p);
    return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="volunteer-hours-${p.from}-to-${p.to}.csv"`)
      .header('cache-control', 'no-store').send(toCsv(['By', 'Name', 'Confirmed hours', 'Waiting hours'], rows));
  });
}
