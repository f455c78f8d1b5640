import type { FastifyInstance } from 'fastify';
import type { Database } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import { permitted } from '../../platform/http/guards.js';
import { FormErrors, str } from '../../platform/http/forms.js';
import { AuditLogService, EXPORT_LIMIT } from './service.js';
import type { AuditFilter } from './repository.js';

const PAGE_SIZE = 50;
const DAY_MS = 86_400_000;
const VIEW = 'admin/views/audit.njk';

function parseDay(value: string, errors: FormErrors, field: string, label: string): Date | undefined {
  if (!value) return undefined;
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const date = match ? new Date(`${value}T00:00:00Z`) : null;
  if (!date || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value) {
    errors.add(field, `${label} must be a real date, like 2026-03-31`);
    return undefined;
  }
  return date;
}

/** The filter as typed (to show again in the form and to carry into links) and as the query reads it. */
function readFilter(query: unknown) {
  const values = {
    action: str(query, 'action').slice(0, 100), actor: str(query, 'actor').slice(0, 200),
    subjectType: str(query, 'subjectType').slice(0, 100), subject: str(query, 'subject').slice(0, 200),
    from: str(query, 'from'), to: str(query, 'to'),
  };
  const errors = new FormErrors();
  const from = parseDay(values.from, errors, 'from', 'The start date');
  const to = parseDay(values.to, errors, 'to', 'The end date');
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
    const page = Math.max(1, Math.min(10_000, Number.parseInt(str(request.query, 'page'), 10) || 1));
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
      pagination: pages > 1 ? {
        previous: page > 1 ? { href: link(page - 1) } : undefined,
        next: page < pages ? { href: link(page + 1) } : undefined,
        items: Array.from({ length: pages }, (_, i) => i + 1).filter((p) => p === 1 || p === pages || Math.abs(p - page) <= 2)
          .flatMap((p, i, shown) => [...(i > 0 && p - shown[i - 1]! > 1 ? [{ ellipsis: true }] : []), { number: p, href: link(p), current: p === page }]),
      } : null,
    }, errors.any ? 400 : 200);
  });

  app.get('/admin/audit.csv', guard, async (request, reply) => {
    const { errors, filter, values } = readFilter(request.query);
    if (errors.any) return reply.code(400).type('text/plain; charset=utf-8').send(errors.list.map((e) => e.text).join('\n'));
    const query = Object.fromEntries(Object.entries(values).filter(([, v]) => v));
    const { csv } = await audit.csv(request.actor, filter, query);
    return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="audit-log.csv"').header('cache-control', 'no-store').send(csv);
  });
}
