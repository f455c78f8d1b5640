import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import { permitted } from '../../platform/http/guards.js';
import { can } from '../../platform/auth/policy.js';
import { FormErrors, str } from '../../platform/http/forms.js';
import { paginationOf, readPageNumber } from '../../platform/http/pagination.js';
import { FIELD_LABELS, MEMBERSHIP, ORGANISATION_FIELDS, ORGANISATION_TYPES, STATUSES, inputOf } from './record.js';
import { formValuesOf, type FormValues } from './form.js';
import { displayValue, formContext, options, presentDuplicates } from './present.js';
import type { OrganisationFilter, OrganisationSort } from './repository.js';
import type { LikelyDuplicate } from './duplicates.js';
import { OrganisationsService } from './service.js';

const PAGE_SIZE = 50;
const V = 'directory/organisations/views';

const SORTS: Record<Exclude<OrganisationSort, 'relevance'>, string> = { name: 'Name (A to Z)', verified: 'Least recently verified', updated: 'Recently updated' };

/** The register: the list of organisations, a record's page, and adding and editing one. */
export async function registerOrganisationRoutes(app: FastifyInstance, deps: { db: Database; clock: Clock }) {
  const organisations = new OrganisationsService(deps);
  const idOf = (request: FastifyRequest) => (request.params as { id: string }).id;

  app.get('/organisations', { preHandler: permitted('organisations.read') }, async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const pick = (field: string, allowed: Record<string, string>) => {
      const v = str(query, field);
      return Object.hasOwn(allowed, v) ? v : '';
    };
    const values = {
      q: str(query, 'q').slice(0, 200), type: pick('type', ORGANISATION_TYPES), status: pick('status', STATUSES), membership: pick('membership', MEMBERSHIP),
      theme: str(query, 'theme').slice(0, 100), consent: pick('consent', { yes: '', no: '' }), sort: pick('sort', SORTS),
    };
    const page = readPageNumber(query);
    const sort = (values.sort || (values.q ? 'relevance' : 'name')) as OrganisationSort;
    const filter: OrganisationFilter = {
      q: values.q, type: values.type, status: values.status, membership: values.membership, theme: values.theme,
      consent: (values.consent || undefined) as 'yes' | 'no' | undefined, sort, page, pageSize: PAGE_SIZE,
    };
    const { total, items, themes } = await organisations.search(request.actor, filter);
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    const params = new URLSearchParams(Object.entries(values).filter(([, v]) => v));
    const link = (p: number) => `/organisations?${new URLSearchParams([...params, ['page', String(p)]])}`;
    return reply.render(`${V}/list.njk`, {
      title: 'Organisations', items: items.map((o) => ({ ...o, typeLabel: displayValue('organisation_type', o.organisation_type), membershipLabel: displayValue('membership', o.membership) })),
      total, page, pages, values, filtered: params.size > 0,
      canWrite: can(request.actor, 'organisations.write'),
      typeItems: [{ value: '', text: 'Any type' }, ...options(ORGANISATION_TYPES, values.type)],
      statusItems: [{ value: '', text: 'Any status' }, ...options(STATUSES, values.status)],
      membershipItems: [{ value: '', text: 'Any membership' }, ...options(MEMBERSHIP, values.membership)],
      themeItems: [{ value: '', text: 'Any theme' }, ...[...new Set([...themes, ...(values.theme ? [values.theme] : [])])].map((t) => ({ value: t, text: t, selected: t === values.theme }))],
      consentItems: [{ value: '', text: 'Either' }, { value: 'yes', text: 'Consent given', selected: values.consent === 'yes' }, { value: 'no', text: 'No consent', selected: values.consent === 'no' }],
      sortItems: [...(values.q ? [{ value: '', text: 'Best match' }] : []), ...options(SORTS, values.sort || (values.q ? '' : 'name'))],
      pagination: paginationOf(page, pages, link, { numbered: true }),
    });
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
    const found = await organisations.page(request.actor, idOf(request));
    if (!found) return reply.callNotFound();
    const o = found.organisation;
    const input = inputOf(o);
    const rows = ORGANISATION_FIELDS.map((f) => ({ key: { text: FIELD_LABELS[f] }, value: { text: displayValue(f, input[f]) || 'Not given' } }));
    return reply.render(`${V}/show.njk`, {
      title: o.name, rows, ...found,
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
