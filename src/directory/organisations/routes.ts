import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import { permitted } from '../../platform/http/guards.js';
import { can } from '../../platform/auth/policy.js';
import type { FormErrors } from '../../platform/http/forms.js';
import { FIELD_LABELS, ORGANISATION_FIELDS, STATUSES, inputOf } from './record.js';
import { formValuesOf, readRegisterSearch, type FormValues } from './form.js';
import { formContext, presentDuplicates, registerListView, summaryRows } from './present.js';
import type { LikelyDuplicate } from './duplicates.js';
import { OrganisationsService } from './service.js';
import type { RecordPanel } from '../../platform/record-panels.js';

const PAGE_SIZE = 50;
const V = 'directory/organisations/views';

/** The register: the list of organisations, a record's page, and adding and editing one. */
export async function registerOrganisationRoutes(app: FastifyInstance, deps: { db: Database; clock: Clock; recordPanels: readonly RecordPanel[] }) {
  const organisations = new OrganisationsService(deps);
  const idOf = (request: FastifyRequest) => (request.params as { id: string }).id;

  app.get('/organisations', { preHandler: permitted('organisations.read') }, async (request, reply) => {
    const { values, filter } = readRegisterSearch(request.query, PAGE_SIZE);
    const found = await organisations.search(request.actor, filter);
    return reply.render(`${V}/list.njk`, { title: 'Organisations', ...registerListView(values, found, filter.page, PAGE_SIZE), canWrite: can(request.actor, 'organisations.write') });
  });

  const renderForm = (reply: FastifyReply, context: { title: string; action: string; values: FormValues; errors?: FormErrors; duplicates?: LikelyDuplicate[]; record?: { id: string; name: string; themes: string[]; groups_served: string[] } }, status = 200) =>
    reply.render(`${V}/form.njk`, {
      ...formContext(context.values, ORGANISATION_FIELDS, context.record?.themes, context.record?.groups_served),
      title: context.title, action: context.action, errors: context.errors?.list, record: context.record,
      duplicates: presentDuplicates(context.duplicates), labels: FIELD_LABELS,
    }, status);

  app.get('/organisations/new', { preHandler: permitted('organisations.write') }, async (_request, reply) =>
    renderForm(reply, { title: 'Add an organisation', action: '/organisations', values: { membership: 'none', status: 'active', relationship: 'none', consent_to_publish: 'no' } }));

  app.post('/organisations', { preHandler: permitted('organisations.write') }, async (request, reply) => {
    const result = await organisations.createFromForm(request.actor, request.body);
    if (result.outcome === 'invalid') return renderForm(reply, { title: 'Add an organisation', action: '/organisations', values: result.values, errors: result.errors }, 400);
    if (result.outcome === 'duplicates') return renderForm(reply, { title: 'Add an organisation', action: '/organisations', values: result.values, errors: result.errors, duplicates: result.duplicates }, 409);
    if (result.outcome !== 'saved') return reply.callNotFound();
    return reply.flash(`${result.name} added to the register`).redirect(`/organisations/${result.id}`, 303);
  });

  app.get('/organisations/:id', { preHandler: permitted('organisations.read') }, async (request, reply) => {
    const found = await organisations.page(request.actor, idOf(request), deps.recordPanels);
    if (!found) return reply.callNotFound();
    const o = found.organisation;
    return reply.render(`${V}/show.njk`, {
      title: o.name, rows: summaryRows(inputOf(o)), ...found,
      statusLabel: STATUSES[o.status], canWrite: can(request.actor, 'organisations.write'), canApprove: can(request.actor, 'listing.approve'),
    });
  });

  app.get('/organisations/:id/edit', { preHandler: permitted('organisations.write') }, async (request, reply) => {
    const o = await organisations.get(request.actor, idOf(request));
    if (!o || o.merged_into_id) return reply.callNotFound();
    return renderForm(reply, { title: `Edit ${o.name}`, action: `/organisations/${o.id}/edit`, values: formValuesOf(inputOf(o)), record: o });
  });

  app.post('/organisations/:id/edit', { preHandler: permitted('organisations.write') }, async (request, reply) => {
    const id = idOf(request);
    const result = await organisations.updateFromForm(request.actor, id, request.body);
    if (result.outcome === 'not_found') return reply.callNotFound();
    if (result.outcome === 'saved') {
      const n = Object.keys(result.changes).length;
      return reply.flash(n ? `${result.name} updated` : 'Nothing was changed').redirect(`/organisations/${id}`, 303);
    }
    const o = (await organisations.get(request.actor, id))!;
    return renderForm(reply, {
      title: `Edit ${o.name}`, action: `/organisations/${id}/edit`, values: result.values, errors: result.errors, record: o,
      duplicates: result.outcome === 'duplicates' ? result.duplicates : undefined,
    }, result.outcome === 'duplicates' ? 409 : 400);
  });
}
