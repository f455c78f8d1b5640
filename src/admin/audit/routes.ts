import type { FastifyInstance } from 'fastify';
import type { Database } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import { permitted } from '../../platform/http/guards.js';
import { FormErrors, str } from '../../platform/http/forms.js';
import { parseDay, startOfDay } from '../../platform/validation/dates.js';
import { paginationOf, readPageNumber } from '../../platform/http/pagination.js';
import { AuditLogService, EXPORT_LIMIT } from './service.js';
import type { AuditFilter } from './repository.js';

const PAGE_SIZE = 50;
const DAY_MS = 86_400_000;
const VIEW = 'admin/audit/views/audit.njk';

/** A day the filter form sent, as the instant it starts; an error on the field when it is not a real day. */
function readDay(value: string, errors: FormErrors, field: string, label: string): Date | undefined {
  if (!value) return undefined;
  const day = parseDay(value);
  if (!day) {
    errors.add(field, `${label} must be a real date, like 2026-03-31`);
    return undefined;
  }
  return startOfDay(day);
}

/** The filter as typed (to show again in the form and to carry into links) and as the query reads it. */
function readFilter(query: unknown) {
  const values = {
    action: str(query, 'action').slice(0, 100), actor: str(query, 'actor').slice(0, 200),
    subjectType: str(query, 'subjectType').slice(0, 100), subject: str(query, 'subject').slice(0, 200),
    from: str(query, 'from'), to: str(query, 'to'),
  };
  const errors = new FormErrors();
  const from = readDay(values.from, errors, 'from', 'The start date');
  const to = readDay(values.to, errors, 'to', 'The end date');
  if (from && to && to < from) errors.add('to', 'The end date must be the same as or after the start date');
  const filter: AuditFilter = {
    action: values.action || undefined, person: values.actor || undefined, subjectType: values.subjectType || undefined, subject: values.subject || undefined,
    from, to: to ? new Date(to.getTime() + DAY_MS) : undefined,
  };
  const params = new URLSearchParams(Object.entries(values).filter(([, v]) => v));
  return { values, errors, filter, params };
}

export async function registerAuditRoutes(app: FastifyInstance, deps: { db: Database; clock: Clock }) {
  const audit = new AuditLogService(deps);
  const guard = { preHandler: permitted('audit.read') };

  app.get('/admin/audit', guard, async (request, reply) => {
    const { values, errors, filter, params } = readFilter(request.query);
    const page = readPageNumber(request.query);
    // A filter with a mistake in it lists nothing rather than everything, so no one reads the wrong entries as the answer.
    const { total, entries, actions, subjectTypes } = await audit.page(request.actor, errors.any ? null : filter, page, PAGE_SIZE);
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    const link = (p: number) => `/admin/audit?${new URLSearchParams([...params, ['page', String(p)]])}`;
    const options = (all: string[], chosen: string, any: string) => [{ value: '', text: any }, ...all.map((a) => ({ value: a, text: a, selected: a === chosen }))];
    return reply.render(VIEW, {
      title: 'Audit log', values, entries, total, errors: errors.list, filtered: params.size > 0,
      csvHref: `/admin/audit.csv${params.size ? `?${params}` : ''}`, overLimit: total > EXPORT_LIMIT, exportLimit: EXPORT_LIMIT,
      actionItems: options(actions, values.action, 'All actions'),
      subjectTypeItems: options(subjectTypes, values.subjectType, 'Any type'),
      pagination: paginationOf(page, pages, link, { numbered: true }),
    }, errors.any ? 400 : 200);
  });

  app.get('/admin/audit.csv', guard, async (request, reply) => {
    const { errors, filter, values } = readFilter(request.query);
    if (errors.any) return reply.code(400).type('text/plain; charset=utf-8').send(errors.list.map((e) => e.text).join('\n'));
    const fields = Object.entries(values).filter(([, v]) => v).map(([k]) => k);
    const { csv } = await audit.csv(request.actor, filter, fields);
    return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="audit-log.csv"').header('cache-control', 'no-store').send(csv);
  });
}
