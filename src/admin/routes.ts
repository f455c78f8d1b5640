import type { FastifyInstance } from 'fastify';
import type { Database } from '../platform/db/index.js';
import type { Clock } from '../platform/clock.js';
import type { Config } from '../platform/config.js';
import type { JobQueue } from '../platform/jobs.js';
import { permitted } from '../platform/http/guards.js';
import { authorise } from '../platform/auth/policy.js';
import { distinctAuditActions, listAudit } from '../platform/audit.js';
import { listEmails } from '../platform/mail.js';
import { FormErrors, str } from '../platform/http/forms.js';
import { ApiTokensService } from './api-tokens.js';
import { parseDay, startOfDay } from '../platform/validation/dates.js';
import { paginationOf, readPageNumber } from '../platform/http/pagination.js';

const PAGE_SIZE = 50;

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

export async function registerAdminRoutes(app: FastifyInstance, deps: { db: Database; clock: Clock; config: Config; jobs: JobQueue }) {
  const { db } = deps;
  const tokens = new ApiTokensService(deps);

  app.get('/admin/audit', { preHandler: permitted('audit.read') }, async (request, reply) => {
    const actor = request.actor;
    authorise(actor, 'audit.read');
    const q = request.query as Record<string, string>;
    const errors = new FormErrors();
    const values = { action: str(q, 'action'), actor: str(q, 'actor').slice(0, 200), from: str(q, 'from'), to: str(q, 'to') };
    const from = readDay(values.from, errors, 'from', 'The start date');
    const toDay = readDay(values.to, errors, 'to', 'The end date');
    const to = toDay ? new Date(toDay.getTime() + 86_400_000) : undefined;
    const page = readPageNumber(q);
    const { total, rows, actions } = await db.withTenant(actor.lioId, async (tx) => ({
      ...(await listAudit(tx, { action: values.action || undefined, actor: values.actor || undefined, from, to, page, pageSize: PAGE_SIZE })),
      actions: await distinctAuditActions(tx),
    }));
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    const params = new URLSearchParams(Object.entries(values).filter(([, v]) => v));
    const link = (p: number) => `/admin/audit?${new URLSearchParams([...params, ['page', String(p)]])}`;
    return reply.render('admin/views/audit.njk', {
      title: 'Audit log', values, rows, total, errors: errors.list,
      actionItems: [{ value: '', text: 'All actions' }, ...actions.map((a) => ({ value: a, text: a, selected: a === values.action }))],
      pagination: paginationOf(page, pages, link, { numbered: true }),
    }, errors.any ? 400 : 200);
  });

  app.get('/admin/outbox', { preHandler: permitted('outbox.read') }, async (request, reply) => {
    const actor = request.actor;
    authorise(actor, 'outbox.read');
    const messages = await db.withTenant(actor.lioId, (tx) => listEmails(tx));
    return reply.render('admin/views/outbox.njk', { title: 'Outbox', messages, smtp: Boolean(deps.config.smtpUrl) });
  });

  app.get('/admin/api-tokens', { preHandler: permitted('api_tokens.manage') }, async (request, reply) => reply.render('admin/views/api-tokens.njk', {
    title: 'API tokens', tokens: await tokens.list(request.actor), values: {},
  }));

  app.post('/admin/api-tokens', { preHandler: permitted('api_tokens.manage') }, async (request, reply) => {
    const values = { name: str(request.body, 'name'), scope: str(request.body, 'scope') };
    const result = await tokens.create(request.actor, values.name, values.scope);
    return reply.render('admin/views/api-tokens.njk', {
      title: 'API tokens', tokens: await tokens.list(request.actor), values: result.token ? {} : values, errors: result.errors.list, newToken: result.token,
    }, result.errors.any ? 400 : 201);
  });

  app.post('/admin/api-tokens/:id/revoke', { preHandler: permitted('api_tokens.manage') }, async (request, reply) => {
    const { id } = request.params as { id: string };
    if (!/^[0-9a-f-]{36}$/i.test(id) || !(await tokens.revoke(request.actor, id))) return reply.callNotFound();
    return reply.flash('Token revoked: it no longer works').redirect('/admin/api-tokens', 303);
  });
}
