import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import swagger from '@fastify/swagger';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Database } from '../db/index.js';
import type { Clock } from '../clock.js';
import { hashSecret } from '../auth/secrets.js';
import { apiTokenLookups, type ApiScope } from '../auth/api-tokens.js';
import { apiValidatorCompiler } from './api-validation.js';
import { can, type Permission } from '../auth/policy.js';
import { auditActorOf, type Actor } from '../audit.js';
import { SESSION_COOKIE } from './session.js';

declare module 'fastify' {
  interface FastifyRequest { apiToken: { id: string; scope: ApiScope } | null }
}

const ErrorBody = Type.Object({
  statusCode: Type.Integer(), error: Type.String(), message: Type.String(),
  fields: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String() }))),
}, { $id: 'Error' });
/** One page of a list, as every list of the API takes it. */
export const ApiPage = Type.Object({
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000, default: 1 })),
  per_page: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
});
export const ApiIdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
/** The error answers every API call may give, for a route's `response` schema. */
export const apiErrors = {
  400: Type.Ref('Error', { description: 'The request is not valid: `fields` names each field at fault' }),
  401: Type.Ref('Error', { description: 'No API token, or one that is unknown to this LIO or revoked' }),
  403: Type.Ref('Error', { description: 'The token may not make this call (a read token used to write)' }),
  404: Type.Ref('Error', { description: 'No such resource' }),
};

const TOKEN_LAST_USED_RESOLUTION_MS = 60_000;

/**
 * What an API route may declare in its `config`: the token scope it needs (read by default), or the permission a
 * signed-in person needs to call it with their session. A route naming a permission is for people who hold it, and for
 * reads alone (the API takes no CSRF token); tokens do not reach it: a token is given to a website or an integration for
 * the directory and carries no one's permissions, so the records of people's casework stay out of its reach.
 */
export interface ApiRouteConfig { scope?: ApiScope; permission?: Permission }

const SESSION_SECURITY = 'session';
/** The OpenAPI `security` of a read open to a signed-in person's session only (see ApiRouteConfig). */
export const SESSION_ONLY: { [scheme: string]: string[] }[] = [{ [SESSION_SECURITY]: [] }];

/** Who made an API call, as the audit log names them: the token, or the signed-in person whose session it came with. */
export function apiCallerOf(request: FastifyRequest): Actor {
  if (request.apiToken) return { userId: null, label: `api-token:${request.apiToken.id}` };
  if (request.actor) return auditActorOf(request.actor);
  throw new Error('An API handler ran without an authenticated caller');
}

/** Adds routes to the token-authenticated /api/v1 context: a capability's `api`. */
export type ApiRoutes = (api: FastifyInstance) => Promise<void>;

/**
 * The JSON API: the OpenAPI document (registered first, so it sees every route added after it) and the
 * token-authenticated /api/v1 context into which each capability adds its routes.
 */
export async function registerJsonApi(root: FastifyInstance, deps: { db: Database; clock: Clock }, contributions: ApiRoutes[]) {
  const { db, clock } = deps;

  await root.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Common Ground API', version: '1.0.0', description: 'The JSON API of a Common Ground LIO. Authenticate with an API token created by an admin: `Authorization: Bearer TOKEN`. Tokens are scoped to one LIO and to read or write.' },
      servers: [{ url: '/' }],
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' }, [SESSION_SECURITY]: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE, description: 'A signed-in session, for the reads a route opens to people with a permission' } } },
      security: [{ bearer: [] }],
    },
    // Only the JSON API belongs in the document: web pages and forms registered without `hide` stay out.
    transform: ({ schema, url }) => ({ schema: url.startsWith('/api/') ? schema : { ...schema, hide: true }, url }),
    // Name the shared schemas by their $id (components/schemas/Error), not def-0, def-1.
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
  root.addSchema(ErrorBody);

  root.get('/api/openapi.json', { schema: { hide: true } }, async () => root.swagger());
  await root.register(async (api) => {
    const app = api.withTypeProvider<TypeBoxTypeProvider>();
    app.decorateRequest('apiToken', null);
    app.setValidatorCompiler(apiValidatorCompiler);
    app.addHook('onRoute', (route) => {
      route.config = { ...(route.config as object), csrf: false };
    });
    // Authenticate before the body is parsed or validated: a caller without a valid token learns nothing else.
    app.addHook('onRequest', async (request, reply) => authenticate(request, reply));
    // This context was created before the app's error handler was set, so the API answers its own errors, as JSON.
    app.setErrorHandler(async (error: FastifyError, request, reply) => {
      if (error.validation) {
        return reply.code(400).send({
          statusCode: 400, error: 'Bad Request', message: 'The request is not valid',
          fields: error.validation.map((v) => ({ field: fieldOf(v), message: v.message ?? 'is not valid' })),
        });
      }
      const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
      if (status >= 500) request.log.error({ err: error }, 'API request failed');
      return reply.code(status).send({
        statusCode: status, error: status >= 500 ? 'Internal Server Error' : (STATUS_NAMES[status] ?? 'Error'),
        message: status >= 500 ? 'Something went wrong' : error.message,
      });
    });

    app.get('/lio', {
      schema: { operationId: 'getLio', summary: 'The LIO this token belongs to', tags: ['LIO'], response: { 200: Type.Object({ id: Type.String({ format: 'uuid' }), slug: Type.String(), name: Type.String() }, { description: 'The LIO' }), ...apiErrors } },
    }, async (request) => ({ id: request.lio.id, slug: request.lio.slug, name: request.lio.name }));

    for (const contribute of contributions) await contribute(app);
  }, { prefix: '/api/v1' });

  async function authenticate(request: FastifyRequest, reply: FastifyReply) {
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S{10,200})$/i.exec(header);
    const fail = (code: 401 | 403, message: string) => reply.code(code).header('www-authenticate', 'Bearer').send({ statusCode: code, error: code === 401 ? 'Unauthorized' : 'Forbidden', message });
    const config = request.routeOptions.config as ApiRouteConfig;
    const reads = request.method === 'GET' || request.method === 'HEAD';
    if (config.permission) {
      if (header) return fail(403, 'API tokens do not reach this call: it is for signed-in staff who may see it');
      if (!request.actor) return fail(401, 'Sign in to make this call');
      if (!reads || !can(request.actor, config.permission)) return fail(403, 'Your account may not make this call');
      return;
    }
    if (!match) return fail(401, 'Send an API token as "Authorization: Bearer TOKEN"');
    const token = await db.withTenant(request.lio.id, (tx) => apiTokenLookups.findByHash(tx, hashSecret(match[1]!)));
    if (!token) return fail(401, 'This API token is not valid for this LIO');
    if (token.revoked_at) return fail(401, 'This API token has been revoked');
    const needed = config.scope ?? 'read';
    if (needed === 'write' && token.scope !== 'write') return fail(403, 'This API token is read-only; this call needs a token with write scope');
    request.apiToken = { id: token.id, scope: token.scope };
    const now = clock.now();
    if (!token.last_used_at || now.getTime() - token.last_used_at.getTime() > TOKEN_LAST_USED_RESOLUTION_MS) {
      await db.withTenant(request.lio.id, (tx) => apiTokenLookups.touch(tx, token.id, now));
    }
  }
}

const STATUS_NAMES: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 413: 'Payload Too Large', 415: 'Unsupported Media Type', 429: 'Too Many Requests' };

/** The field an Ajv error is about: `name`, `per_page`, `id`; for a missing or unknown property, that property. */
export function fieldOf(v: { instancePath?: string; params?: Record<string, unknown> }): string {
  const path = (v.instancePath ?? '').replace(/^\//, '').replaceAll('/', '.');
  const named = (v.params?.missingProperty ?? v.params?.additionalProperty) as string | undefined;
  return [path, named].filter(Boolean).join('.') || 'body';
}
