import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import type { Config } from '../../platform/config.js';
import { permitted } from '../../platform/http/guards.js';
import { str } from '../../platform/http/forms.js';
import { publicReads } from '../../platform/http/request-context.js';
import { paginationOf, readPageNumber } from '../../platform/http/pagination.js';
import { THEMES } from '../../platform/vocabulary/themes.js';
import type { OpportunityStatus } from '../../platform/db/volunteering-schema.js';
import { OPPORTUNITY_STATUSES, SCHEDULES, SKILLS } from '../vocabulary.js';
import { EMPTY_ROLE, SEARCH_DISTANCES, readRoleSearch, roleFormValues, type RoleFormValues } from './form.js';
import { OpportunitiesService, PAGE_SIZE } from './service.js';
import { closedRolePage, roleFormItems, roleSummaryRows, roleView } from './present.js';

const idOf = (request: FastifyRequest) => (request.params as { id: string }).id;
const FORM = 'volunteering/opportunities/views/form.njk';

/**
 * Roles: posted by group members for their organisation (/our-volunteering/roles, waiting for approval) and by
 * coordinators (/volunteering/roles, published at once, with the approval queue), and the public listing
 * (/opportunities).
 */
export async function registerOpportunityRoutes(app: FastifyInstance, deps: { db: Database; clock: Clock; config: Config }) {
  const roles = new OpportunitiesService(deps);

  const renderForm = (reply: FastifyReply, values: RoleFormValues, ctx: { action: string; back: string; organisations?: { id: string; name: string }[]; errors?: unknown[] }, status = 200) =>
    reply.render(FORM, { title: 'Post a volunteer role', values, ...roleFormItems(values, ctx.organisations), ...ctx }, status);

  // Group members: their organisation's roles.
  app.get('/our-volunteering/roles', { preHandler: permitted('opportunities.post') }, async (request, reply) => {
    const page = readPageNumber(request.query);
    const { rows, total } = await roles.groupRoles(request.actor, page);
    return reply.render('volunteering/opportunities/views/list.njk', {
      title: 'Your volunteer roles', roles: rows.map(roleView), total, newHref: '/our-volunteering/roles/new', base: '/our-volunteering/roles',
      pagination: paginationOf(page, Math.ceil(total / PAGE_SIZE), (n) => `/our-volunteering/roles?page=${n}`),
    });
  });

  app.get('/our-volunteering/roles/new', { preHandler: permitted('opportunities.post') }, async (_request, reply) =>
    renderForm(reply, EMPTY_ROLE, { action: '/our-volunteering/roles', back: '/our-volunteering/roles' }));

  app.post('/our-volunteering/roles', { preHandler: permitted('opportunities.post') }, async (request, reply) => {
    const values = roleFormValues(request.body);
    const posted = await roles.postForGroup(request.actor, values);
    if (posted.errors) return renderForm(reply, values, { action: '/our-volunteering/roles', back: '/our-volunteering/roles', errors: posted.errors.list }, 400);
    return reply.flash('Role sent to the volunteer centre for approval').redirect(`/our-volunteering/roles/${posted.id}`, 303);
  });

  app.get('/our-volunteering/roles/:id', { preHandler: permitted('opportunities.post') }, async (request, reply) => {
    const role = await roles.role(request.actor, idOf(request));
    if (!role) return reply.callNotFound();
    const view = roleView(role);
    return reply.render('volunteering/opportunities/views/role.njk', { title: role.title, role: view, rows: roleSummaryRows(view), base: '/our-volunteering/roles', canClose: role.status !== 'closed' && role.status !== 'rejected' });
  });

  app.post('/our-volunteering/roles/:id/close', { preHandler: permitted('opportunities.post') }, async (request, reply) => {
    if (!(await roles.close(request.actor, idOf(request)))) return reply.callNotFound();
    return reply.flash('Role closed').redirect(`/our-volunteering/roles/${idOf(request)}`, 303);
  });

  // Coordinators: every role, the approval queue.
  app.get('/volunteering/roles', { preHandler: permitted('opportunities.manage') }, async (request, reply) => {
    const page = readPageNumber(request.query);
    const asked = str(request.query, 'status');
    const status = Object.hasOwn(OPPORTUNITY_STATUSES, asked) ? (asked as OpportunityStatus) : null;
    const { rows, total, pending } = await roles.allRoles(request.actor, status, page);
    return reply.render('volunteering/opportunities/views/list.njk', {
      title: status === 'pending' ? 'Roles waiting for approval' : 'Volunteer roles', roles: rows.map(roleView), total, pending, status,
      statusItems: [{ value: '', text: 'All' }, ...Object.entries(OPPORTUNITY_STATUSES).map(([value, text]) => ({ value, text }))].map((i) => ({ ...i, selected: i.value === (status ?? '') })),
      newHref: '/volunteering/roles/new', base: '/volunteering/roles', coordinator: true,
      pagination: paginationOf(page, Math.ceil(total / PAGE_SIZE), (n) => `/volunteering/roles?${new URLSearchParams({ ...(status ? { status } : {}), page: String(n) })}`),
    });
  });

  app.get('/volunteering/roles/new', { preHandler: permitted('opportunities.manage') }, async (request, reply) =>
    renderForm(reply, EMPTY_ROLE, { action: '/volunteering/roles', back: '/volunteering/roles', organisations: await roles.organisations(request.actor) }));

  app.post('/volunteering/roles', { preHandler: permitted('opportunities.manage') }, async (request, reply) => {
    const values = roleFormValues(request.body);
    const posted = await roles.postAsCoordinator(request.actor, values);
    if (posted.errors) {
      return renderForm(reply, values, { action: '/volunteering/roles', back: '/volunteering/roles', organisations: await roles.organisations(request.actor), errors: posted.errors.list }, 400);
    }
    return reply.flash('Role published').redirect(`/volunteering/roles/${posted.id}`, 303);
  });

  const renderRole = async (request: FastifyRequest, reply: FastifyReply, errors?: unknown[]) => {
    const role = await roles.role(request.actor, idOf(request));
    if (!role) return reply.callNotFound();
    const view = roleView(role);
    return reply.render('volunteering/opportunities/views/role.njk', {
      title: role.title, role: view, rows: roleSummaryRows(view), base: '/volunteering/roles', coordinator: true, errors,
      canApprove: role.status === 'pending' || role.status === 'rejected', canReject: role.status === 'pending', canClose: ['draft', 'pending', 'published'].includes(role.status),
      reason: str(request.body, 'reason'),
    }, errors ? 400 : 200);
  };

  app.get('/volunteering/roles/:id', { preHandler: permitted('opportunities.manage') }, async (request, reply) => renderRole(request, reply));

  app.post('/volunteering/roles/:id/approve', { preHandler: permitted('opportunities.manage') }, async (request, reply) => {
    if (!(await roles.approve(request.actor, idOf(request)))) return reply.callNotFound();
    return reply.flash('Role approved and published').redirect('/volunteering/roles?status=pending', 303);
  });

  app.post('/volunteering/roles/:id/reject', { preHandler: permitted('opportunities.manage') }, async (request, reply) => {
    const result = await roles.reject(request.actor, idOf(request), request.body);
    if (result.errors) return renderRole(request, reply, result.errors.list);
    if (!result.done) return reply.callNotFound();
    return reply.flash('Role not approved: the group can see why').redirect('/volunteering/roles?status=pending', 303);
  });

  app.post('/volunteering/roles/:id/close', { preHandler: permitted('opportunities.manage') }, async (request, reply) => {
    if (!(await roles.close(request.actor, idOf(request)))) return reply.callNotFound();
    return reply.flash('Role closed').redirect(`/volunteering/roles/${idOf(request)}`, 303);
  });

  // The public listing.
  app.get('/opportunities', async (request, reply) => {
    const v = readRoleSearch(request.query, readPageNumber(request.query));
    const found = await roles.search(publicReads(request, deps.db), request.lio.id, v);
    const params = new URLSearchParams(Object.entries({ q: v.q, cause: v.cause, skill: v.skill, schedule: v.schedule, remote: v.remote ? 'yes' : '', postcode: v.postcode, distance: v.postcode ? String(v.distance) : '' })
      .filter(([, value]) => value));
    const option = (entries: [string, string][], chosen: string, any: string) => [{ value: '', text: any }, ...entries.map(([value, text]) => ({ value, text }))].map((i) => ({ ...i, selected: i.value === chosen }));
    return reply.render('volunteering/opportunities/views/public-list.njk', {
      title: found.errors.any ? 'Volunteering opportunities' : `${found.total} volunteering ${found.total === 1 ? 'opportunity' : 'opportunities'}`,
      values: v, roles: found.rows.map(roleView), total: found.total, errors: found.errors.list,
      causeItems: option(Object.entries(THEMES), v.cause, 'Any cause'), skillItems: option(Object.entries(SKILLS), v.skill, 'Any skill'),
      scheduleItems: option(Object.entries(SCHEDULES), v.schedule, 'Any'), distanceItems: SEARCH_DISTANCES.map((d) => ({ value: String(d), text: `${d} km`, selected: d === v.distance })),
      pagination: paginationOf(v.page, Math.ceil(found.total / PAGE_SIZE), (n) => `/opportunities?${params.toString() ? `${params}&` : ''}page=${n}`),
    }, found.errors.any ? 400 : 200);
  });

  app.get('/opportunities/:id', async (request, reply) => {
    const found = await roles.publicPage(publicReads(request, deps.db), request.lio.id, idOf(request));
    if (!found) return reply.callNotFound();
    if (!found.open) return closedRolePage(reply, found.closed);
    const role = found.open;
    const view = roleView(role);
    return reply.render('volunteering/opportunities/views/public-role.njk', { title: role.title, role: view, rows: roleSummaryRows(view) });
  });
}
