import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Database } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import { ApiIdParams, ApiPage, apiErrors } from '../../platform/http/json-api.js';
import { OrganisationsService } from './service.js';
import { NAME_MAX_LENGTH } from '../../platform/validation/text-limits.js';

const Organisation = Type.Object({
  id: Type.String({ format: 'uuid' }), name: Type.String(), created_at: Type.String({ format: 'date-time' }), updated_at: Type.String({ format: 'date-time' }),
}, { $id: 'Organisation' });
const NewOrganisation = Type.Object({ name: Type.String({ minLength: 1, maxLength: NAME_MAX_LENGTH }) }, { additionalProperties: false });

function presentOrganisation(o: { id: string; name: string; created_at: Date; updated_at: Date }) {
  return { id: o.id, name: o.name, created_at: o.created_at.toISOString(), updated_at: o.updated_at.toISOString() };
}

/** The register in the JSON API (/api/v1/organisations), inside its token-authenticated context. */
export async function registerOrganisationApi(app: FastifyInstance, deps: { db: Database; clock: Clock }) {
  const organisations = new OrganisationsService(deps);
  app.addSchema(Organisation);

  app.get('/organisations', {
    schema: {
      operationId: 'listOrganisations', summary: 'List organisations', tags: ['Organisations'], querystring: ApiPage,
      response: { 200: Type.Object({ total: Type.Integer(), page: Type.Integer(), per_page: Type.Integer(), items: Type.Array(Type.Ref('Organisation')) }, { description: 'One page of organisations, by name' }), ...apiErrors },
    },
  }, async (request) => {
    const q = request.query as Static<typeof ApiPage>;
    const page = q.page ?? 1;
    const perPage = q.per_page ?? 50;
    const { total, items } = await organisations.list(request.lio.id, page, perPage);
    return { total, page, per_page: perPage, items: items.map(presentOrganisation) };
  });

  app.get('/organisations/:id', {
    schema: { operationId: 'getOrganisation', summary: 'One organisation', tags: ['Organisations'], params: ApiIdParams, response: { 200: Type.Ref('Organisation', { description: 'The organisation' }), ...apiErrors } },
  }, async (request, reply) => {
    const found = await organisations.find(request.lio.id, (request.params as Static<typeof ApiIdParams>).id);
    if (!found) return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: 'No organisation with that id' });
    return presentOrganisation(found);
  });

  app.post('/organisations', {
    config: { scope: 'write' },
    schema: { operationId: 'createOrganisation', summary: 'Add an organisation (write scope)', tags: ['Organisations'], body: NewOrganisation, response: { 201: Type.Ref('Organisation', { description: 'The organisation was added' }), ...apiErrors } },
  }, async (request, reply) => {
    const body = request.body as Static<typeof NewOrganisation>;
    const result = await organisations.create(request.lio.id, { userId: null, label: `api-token:${request.apiToken!.id}` }, body.name.trim());
    if (result.errors.any) {
      return reply.code(400).send({ statusCode: 400, error: 'Bad Request', message: 'The request is not valid', fields: result.errors.list.map((e) => ({ field: e.href.slice(1), message: e.text })) });
    }
    return reply.code(201).send(presentOrganisation(result.organisation!));
  });
}
