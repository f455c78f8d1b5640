import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Database } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import type { Config } from '../../platform/config.js';
import { apiValidatorCompiler } from '../../platform/http/api-validation.js';
import { fieldOf } from '../../platform/http/json-api.js';
import { publicReads } from '../../platform/http/request-context.js';
import { publicOrigin } from '../../platform/tenancy.js';
import { THEMES } from '../../platform/vocabulary/themes.js';
import { SCHEDULES, SKILLS } from '../vocabulary.js';
import { DEFAULT_SEARCH_KM } from './form.js';
import { OpportunitiesService } from './service.js';
import { roleJson } from './present.js';

const codes = (vocabulary: Record<string, string>, description: string) =>
  Type.Optional(Type.Union(Object.keys(vocabulary).map((k) => Type.Literal(k)), { description }));
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

const Opportunity = Type.Object({
  id: Type.String({ format: 'uuid' }), title: Type.String(), description: Type.String(),
  organisation: Type.Union([Type.String(), Type.Null()], { description: 'The group the role is with; null for the LIO\'s own role' }),
  skills: Type.Array(Type.String(), { description: 'Skill codes' }), causes: Type.Array(Type.String(), { description: 'Cause (theme) codes' }),
  schedule: Type.Union(Object.keys(SCHEDULES).map((k) => Type.Literal(k))), schedule_detail: Nullable(Type.String()),
  availability: Type.Array(Type.String(), { description: 'Weekly slots the role needs (mon-morning … sun-evening); empty: any time' }),
  in_person: Type.Boolean(), remote: Type.Boolean(), postcode: Nullable(Type.String()),
  latitude: Type.Union([Type.Number(), Type.Null()]), longitude: Type.Union([Type.Number(), Type.Null()]),
  distance_km: Type.Optional(Type.Number({ description: 'From the postcode searched near' })),
  dbs_level: Type.String({ description: 'none, basic, standard or enhanced' }), minimum_age: Type.Integer(), places: Type.Integer(),
  closing_on: Nullable(Type.String({ format: 'date' })), induction_required: Type.Boolean(), url: Type.String({ description: 'The role\'s public page' }),
}, { $id: 'Opportunity', description: 'A published volunteering opportunity' });

const Query = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 200, description: 'Words in the title, description or organisation' })),
  cause: codes(THEMES, 'A cause (theme) code'), skill: codes(SKILLS, 'A skill code'), schedule: codes(SCHEDULES, 'one_off, regular or flexible'),
  remote: Type.Optional(Type.Boolean({ description: 'true: remote roles only' })),
  postcode: Type.Optional(Type.String({ maxLength: 20, description: 'Roles near this postcode (and remote ones), nearest first' })),
  distance_km: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: DEFAULT_SEARCH_KM })),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000, default: 1 })),
  per_page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
}, { additionalProperties: false });

const errors = {
  400: Type.Ref('Error', { description: 'A parameter is not valid: `fields` names it' }),
  404: Type.Ref('Error', { description: 'No such opportunity is published' }),
};

/** The open feed of published opportunities at /api/opportunities: no token, for other sites and apps to show them. */
export async function registerOpportunityFeed(root: FastifyInstance, deps: { db: Database; clock: Clock; config: Config }) {
  const roles = new OpportunitiesService(deps);
  const origin = (request: FastifyRequest) => publicOrigin(request.lio, request, deps.config.baseUrl);

  await root.register(async (scope) => {
    const app = scope.withTypeProvider<TypeBoxTypeProvider>();
    app.setValidatorCompiler(apiValidatorCompiler);
    app.addSchema(Opportunity);
    app.addHook('onRoute', (route) => {
      route.config = { ...(route.config as object), csrf: false };
      if (route.schema) route.schema = { tags: ['Volunteering opportunities'], security: [], ...route.schema };
    });
    app.addHook('onSend', async (_request, reply) => { reply.header('access-control-allow-origin', '*'); });
    app.setErrorHandler(async (error: FastifyError, request, reply) => {
      if (error.validation) {
        const fields = error.validation.map((v) => ({ field: fieldOf(v), message: v.message ?? 'is not valid' }));
        return reply.code(400).send({ statusCode: 400, error: 'Bad Request', message: fields.map((f) => `${f.field}: ${f.message}`).join('; '), fields });
      }
      request.log.error({ err: error }, 'opportunities feed failed');
      return reply.code(500).send({ statusCode: 500, error: 'Internal Server Error', message: 'Something went wrong' });
    });

    app.get('/api/opportunities', {
      schema: {
        operationId: 'listOpportunities', summary: 'Published volunteering opportunities open today', querystring: Query,
        response: { 200: Type.Object({ total: Type.Integer(), page: Type.Integer(), per_page: Type.Integer(), items: Type.Array(Type.Ref('Opportunity')) }, { description: 'A page of opportunities' }), ...errors },
      },
    }, async (request, reply) => {
      const q = request.query;
      const perPage = q.per_page ?? 20;
      const page = q.page ?? 1;
      const found = await roles.search(publicReads(request, deps.db), request.lio.id, {
        q: q.q ?? '', cause: q.cause ?? '', skill: q.skill ?? '', schedule: q.schedule ?? '', remote: q.remote ?? false,
        postcode: q.postcode ?? '', distance: q.distance_km ?? DEFAULT_SEARCH_KM, page,
      }, perPage);
      if (found.errors.any) {
        const fields = found.errors.list.map((e) => ({ field: e.href.slice(1), message: e.text }));
        return reply.code(400).send({ statusCode: 400, error: 'Bad Request', message: fields.map((f) => `${f.field}: ${f.message}`).join('; '), fields });
      }
      return { total: found.total, page, per_page: perPage, items: found.rows.map((r) => roleJson(r, origin(request))) };
    });

    app.get('/api/opportunities/:id', {
      schema: { operationId: 'getOpportunity', summary: 'One published opportunity', params: Type.Object({ id: Type.String({ format: 'uuid' }) }), response: { 200: Type.Ref('Opportunity'), ...errors } },
    }, async (request, reply) => {
      const role = await roles.publicRole(publicReads(request, deps.db), request.lio.id, request.params.id);
      if (!role) return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: 'No such opportunity is published' });
      return roleJson(role, origin(request));
    });
  });
}
