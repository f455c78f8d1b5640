import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Database, Reads } from '../../platform/db/index.js';
import { publicReads } from '../../platform/http/request-context.js';
import type { Config } from '../../platform/config.js';
import { apiValidatorCompiler } from '../../platform/http/api-validation.js';
import { geocodePostcode, postcodeMessage } from '../../platform/geography/geocode.js';
import { dayCode } from './import/clean.js';
import type { ServiceFilters } from './repository.js';
import { OrukService } from './service.js';
import type { PublishedCache } from '../published/cache.js';
import {
  ApiDetails, Organization, OrganizationSummary, OrukError, PageOf, Service, ServiceAtLocation, ServiceAtLocationSummary, ServiceSummary, Taxonomy,
  TaxonomyTerm, TaxonomyWithTerms,
} from './schemas.js';
import { isUuid } from '../../platform/validation/ids.js';

/**
 * The Open Referral UK API (HSDS 3.0, UK profile) at /api/oruk: open to all without keys, CORS for any origin,
 * read-only. The LIO is the one of the hostname, as everywhere. Errors are JSON; a bad parameter is named.
 */

export const ORUK_PREFIX = '/api/oruk';
export const HSDS_VERSION = 'HSDS 3.0';
export const UK_PROFILE_URL = 'https://github.com/OpenReferralUK/uk-profile/blob/main/docs/index.md';
export const MAX_PER_PAGE = 500;

const Paging = {
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000, default: 1, description: 'Page number, from 1' })),
  per_page: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PER_PAGE, default: 50, description: `Results per page, at most ${MAX_PER_PAGE}` })),
};
const PageQuery = Type.Object(Paging);
const Uuid = (description: string) => Type.Optional(Type.String({ format: 'uuid', description }));
const Time = (description: string) => Type.Optional(Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$', description }));
const ServiceQuery = Type.Object({
  ...Paging,
  text: Type.Optional(Type.String({ maxLength: 200, description: 'Full text search of names and descriptions' })),
  search: Type.Optional(Type.String({ maxLength: 200, description: 'The same as text (the name the ORUK OpenAPI document uses)' })),
  taxonomy_term_id: Uuid('Services with this taxonomy term'),
  taxonomy_id: Uuid('Services with any term of this taxonomy'),
  organization_id: Uuid('Services of this organisation'),
  modified_after: Type.Optional(Type.String({ maxLength: 40, description: 'Services changed after this date or date-time (ISO 8601)' })),
  postcode: Type.Optional(Type.String({ maxLength: 12, description: 'A UK postcode: results nearest first' })),
  proximity: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1_000_000, description: 'With postcode: only services within this many metres' })),
  // Ages are held in whole years, as the standard's minimum_age and maximum_age are.
  minimum_age: Type.Optional(Type.Integer({ minimum: 0, maximum: 130, description: 'Services whose minimum age is at least this (whole years)' })),
  maximum_age: Type.Optional(Type.Integer({ minimum: 0, maximum: 130, description: 'Services whose maximum age is at most this (whole years)' })),
  day: Type.Optional(Type.String({ maxLength: 12, description: 'Services open on this day: MO … SU, or the day’s English name' })),
  start_time: Time('Services opening at or after this time (HH:MM)'),
  end_time: Time('Services closing at or before this time (HH:MM)'),
});
type ServiceQueryT = Static<typeof ServiceQuery>;
const TermQuery = Type.Object({ ...Paging, taxonomy_id: Uuid('Terms of this taxonomy'), parent_id: Uuid('Terms directly below this one') });
const IdParams = Type.Object({ id: Type.String({ description: 'The record’s identifier' }) });

class BadParameter extends Error {
  readonly statusCode = 400;
  constructor(readonly field: string, readonly reason: string) { super(`${field} ${reason}`); }
}
class NotFound extends Error {
  readonly statusCode = 404;
}

const errors = {
  400: Type.Ref('OrukError', { description: 'A parameter is not valid: `fields` names it' }),
  404: Type.Ref('OrukError', { description: 'No such record is published here' }),
};

export async function registerOrukRoutes(root: FastifyInstance, deps: { db: Database; config: Config; published: PublishedCache }) {
  const keys = new WeakMap<FastifyRequest, string>();
  // One choice of server per request, so the version keying an answer and the answer come from the same one.
  const chosen = new WeakMap<FastifyRequest, Reads>();
  const readsOf = (request: FastifyRequest) => {
    let reads = chosen.get(request);
    if (!reads) chosen.set(request, reads = publicReads(request, deps.db));
    return reads;
  };
  const orukFor = (request: FastifyRequest) => new OrukService(readsOf(request));

  await root.register(async (scope) => {
    const app = scope.withTypeProvider<TypeBoxTypeProvider>();
    app.setValidatorCompiler(apiValidatorCompiler);
    app.addSchema({ ...OrukError, $id: 'OrukError' });
    app.addHook('onRoute', (route) => {
      route.config = { ...(route.config as object), csrf: false };
      if (route.schema) route.schema = { tags: ['Open Referral UK'], security: [], ...route.schema };
    });
    app.addHook('onSend', async (_request, reply) => {
      reply.header('access-control-allow-origin', '*');
      reply.header('cross-origin-resource-policy', 'cross-origin');
    });
    // Every answer here is public and the same for anyone asking the same URL of the same version of the
    // directory, so it is made once and kept (see PublishedCache). The origin is part of the URL because
    // links in the answers are built from it.
    app.addHook('preHandler', async (request, reply) => {
      if (request.method !== 'GET') return;
      const key = await deps.published.keyFor(request.lio.id, `oruk|${origin(request)}${request.url}`, readsOf(request));
      const kept = deps.published.get(key);
      if (kept) return reply.code(kept.status).type('application/json; charset=utf-8').send(kept.chunks[0]);
      keys.set(request, key);
    });
    app.addHook('onSend', async (request, reply, payload) => {
      const key = keys.get(request);
      if (key && reply.statusCode === 200 && typeof payload === 'string') deps.published.keep(key, { status: 200, chunks: [Buffer.from(payload)], holes: [] });
    });
    app.setErrorHandler(async (error: FastifyError & { field?: string; reason?: string }, request, reply) => {
      if (error instanceof BadParameter) return reply.code(400).send(badRequest([{ field: error.field, message: error.reason }]));
      if (error.validation) {
        return reply.code(400).send(badRequest(error.validation.map((v) => ({
          field: (v.instancePath ?? '').replace(/^\//, '').replaceAll('/', '.') || 'query', message: v.message ?? 'is not valid',
        }))));
      }
      if (error instanceof NotFound) return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: error.message });
      const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
      if (status >= 500) request.log.error({ err: error }, 'ORUK API request failed');
      return reply.code(status).send({ statusCode: status, error: status >= 500 ? 'Internal Server Error' : 'Bad Request', message: status >= 500 ? 'Something went wrong' : error.message });
    });
    app.setNotFoundHandler(async (_request, reply) => reply.code(404).send({ statusCode: 404, error: 'Not Found', message: 'No such resource in this API' }));

    // Browsers ask before a cross-origin request with custom headers.
    app.options('/*', { schema: { hide: true } }, async (_request, reply) => reply.code(204)
      .header('access-control-allow-methods', 'GET, OPTIONS').header('access-control-allow-headers', '*').header('access-control-max-age', '86400').send());

    app.get('/', {
      schema: { operationId: 'getAPIMetaInformation', summary: 'About this API and its relationship with HSDS', response: { 200: ApiDetails } },
    }, async (request) => ({ version: HSDS_VERSION, profile: UK_PROFILE_URL, openapi_url: `${origin(request)}${ORUK_PREFIX}/openapi.json` }));

    app.get('/openapi.json', { schema: { hide: true } }, async (request) => orukOpenApi(root, origin(request)));

    app.get('/services', {
      schema: { operationId: 'getPaginatedListOfServices', summary: 'A page of services with their one-to-one fields', querystring: ServiceQuery, response: { 200: PageOf(ServiceSummary, 'A page of services'), ...errors } },
    }, async (request) => {
      const q = request.query as ServiceQueryT;
      return orukFor(request).services(request.lio.id, await serviceFilters(q), q.page ?? 1, q.per_page ?? 50);
    });

    app.get('/services/:id', {
      schema: { operationId: 'getFullyNestedServiceById', summary: 'One service, fully nested', params: IdParams, response: { 200: Service, ...errors } },
    }, async (request) => {
      const id = requireUuid((request.params as { id: string }).id, 'service');
      return (await orukFor(request).service(request.lio.id, id)) ?? notFound('service');
    });

    app.get('/service_at_locations', {
      schema: { operationId: 'getPaginatedListOfServiceAtLocation', summary: 'A page of services at locations', querystring: ServiceQuery, response: { 200: PageOf(ServiceAtLocationSummary, 'A page of services at locations'), ...errors } },
    }, async (request) => {
      const q = request.query as ServiceQueryT;
      return orukFor(request).serviceAtLocations(request.lio.id, await serviceFilters(q), q.page ?? 1, q.per_page ?? 50);
    });

    app.get('/service_at_locations/:id', {
      schema: { operationId: 'getServiceAtLocationWithNestedDataById', summary: 'One service at a location, fully nested', params: IdParams, response: { 200: ServiceAtLocation, ...errors } },
    }, async (request) => {
      const id = requireUuid((request.params as { id: string }).id, 'service at location');
      return (await orukFor(request).serviceAtLocation(request.lio.id, id)) ?? notFound('service at location');
    });

    app.get('/organizations', {
      schema: { operationId: 'getPaginatedListOfOrganizations', summary: 'A page of organisations', querystring: PageQuery, response: { 200: PageOf(OrganizationSummary, 'A page of organisations'), ...errors } },
    }, async (request) => {
      const q = request.query as Static<typeof PageQuery>;
      return orukFor(request).organisations(request.lio.id, q.page ?? 1, q.per_page ?? 50);
    });

    app.get('/organizations/:id', {
      schema: { operationId: 'getOrganizationById', summary: 'One organisation with its services, fully nested', params: IdParams, response: { 200: Organization, ...errors } },
    }, async (request) => {
      const id = requireUuid((request.params as { id: string }).id, 'organization');
      return (await orukFor(request).organisation(request.lio.id, id)) ?? notFound('organization');
    });

    app.get('/taxonomies', {
      schema: { operationId: 'getPaginatedListOfTaxonomies', summary: 'A page of taxonomies', querystring: PageQuery, response: { 200: PageOf(Taxonomy, 'A page of taxonomies'), ...errors } },
    }, async (request) => {
      const q = request.query as Static<typeof PageQuery>;
      return orukFor(request).taxonomies(request.lio.id, q.page ?? 1, q.per_page ?? 50);
    });

    app.get('/taxonomies/:id', {
      schema: { operationId: 'getTaxonomyById', summary: 'One taxonomy with its terms', params: IdParams, response: { 200: TaxonomyWithTerms, ...errors } },
    }, async (request) => {
      const id = requireUuid((request.params as { id: string }).id, 'taxonomy');
      return (await orukFor(request).taxonomy(request.lio.id, id)) ?? notFound('taxonomy');
    });

    app.get('/taxonomy_terms', {
      schema: { operationId: 'getPaginatedListOfTaxonomyTerms', summary: 'A page of taxonomy terms', querystring: TermQuery, response: { 200: PageOf(TaxonomyTerm, 'A page of taxonomy terms'), ...errors } },
    }, async (request) => {
      const q = request.query as Static<typeof TermQuery>;
      return orukFor(request).terms(request.lio.id, { taxonomyId: q.taxonomy_id, parentId: q.parent_id }, q.page ?? 1, q.per_page ?? 50);
    });

    app.get('/taxonomy_terms/:id', {
      schema: { operationId: 'getTaxonomyTermById', summary: 'One taxonomy term', params: IdParams, response: { 200: TaxonomyTerm, ...errors } },
    }, async (request) => {
      const id = requireUuid((request.params as { id: string }).id, 'taxonomy term');
      return (await orukFor(request).term(request.lio.id, id)) ?? notFound('taxonomy term');
    });
  }, { prefix: ORUK_PREFIX });

  async function serviceFilters(q: ServiceQueryT): Promise<ServiceFilters> {
    const f: ServiceFilters = {};
    const text = (q.text ?? q.search)?.trim();
    if (text) f.text = text;
    if (q.taxonomy_term_id) f.taxonomyTermId = q.taxonomy_term_id;
    if (q.taxonomy_id) f.taxonomyId = q.taxonomy_id;
    if (q.organization_id) f.organisationId = q.organization_id;
    if (q.modified_after) {
      const at = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(q.modified_after) ? new Date(q.modified_after) : null;
      if (!at || Number.isNaN(at.getTime())) throw new BadParameter('modified_after', 'must be a date or date-time like 2024-05-01 or 2024-05-01T09:00:00Z');
      f.modifiedAfter = at;
    }
    if (q.minimum_age !== undefined) f.minimumAge = q.minimum_age;
    if (q.maximum_age !== undefined) f.maximumAge = q.maximum_age;
    if (q.day) {
      const code = dayCode(q.day);
      if (!code) throw new BadParameter('day', 'must be a day of the week: MO, TU, WE, TH, FR, SA, SU or its name, like Monday');
      f.day = code;
    }
    if (q.start_time) f.startTime = q.start_time.length === 5 ? `${q.start_time}:00` : q.start_time;
    if (q.end_time) f.endTime = q.end_time.length === 5 ? `${q.end_time}:00` : q.end_time;
    if (q.proximity !== undefined && !q.postcode) throw new BadParameter('proximity', 'needs a postcode to measure from');
    if (q.postcode) {
      const found = await geocodePostcode(deps.db, q.postcode, { apiUrl: deps.config.postcodesApiUrl });
      if (found.status !== 'found') throw new BadParameter('postcode', postcodeMessage(found.status, q.postcode));
      f.near = { latitude: found.latitude, longitude: found.longitude, proximity: q.proximity ?? null };
    }
    return f;
  }
}

function badRequest(fields: { field: string; message: string }[]) {
  return { statusCode: 400, error: 'Bad Request', message: fields.map((f) => `${f.field}: ${f.message}`).join('; '), fields };
}

function requireUuid(id: string, what: string): string {
  if (!isUuid(id)) throw new NotFound(`No ${what} with the id ${id.slice(0, 60)}: identifiers here are UUIDs`);
  return id.toLowerCase();
}

function notFound(what: string): never {
  throw new NotFound(`No ${what} with that id is published here`);
}

function origin(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}

/** This API's own OpenAPI 3.1 document: the /api/oruk operations of the app's document, served from their own base. */
function orukOpenApi(root: FastifyInstance, base: string) {
  const doc = root.swagger() as { paths?: Record<string, unknown>; components?: { schemas?: Record<string, TSchema> } };
  const paths = Object.fromEntries(Object.entries(doc.paths ?? {})
    .filter(([path]) => path === ORUK_PREFIX || path === `${ORUK_PREFIX}/` || path.startsWith(`${ORUK_PREFIX}/`))
    .map(([path, item]) => [path.slice(ORUK_PREFIX.length) || '/', item]));
  return {
    openapi: '3.1.0',
    info: {
      title: 'Open Referral UK API', version: 'HSDS-UK-3.0',
      description: 'The directory of local services in the Open Referral UK format (HSDS 3.0 with the UK profile). Open to all: no key is needed.',
      license: { name: 'Open Government Licence v3.0', url: 'https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/' },
    },
    servers: [{ url: `${base}${ORUK_PREFIX}` }],
    security: [],
    paths,
    components: { schemas: doc.components?.schemas ?? {} },
  };
}
