import { randomBytes } from 'node:crypto';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import csrf from '@fastify/csrf-protection';
import rateLimit from '@fastify/rate-limit';
import { databaseRateLimitStore } from './platform/http/rate-limit-store.js';
import { byAddress } from './platform/http/address-key.js';
import compress from '@fastify/compress';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { sql } from 'kysely';
import type { Config } from './platform/config.js';
import type { Database } from './platform/db/index.js';
import type { Clock } from './platform/clock.js';
import { createMailer, registerEmailJob, type Mailer } from './platform/mail.js';
import { JobQueue } from './platform/jobs.js';
import { LioResolver, type Lio } from './platform/tenancy.js';
import { Sessions, type CsrfSecretHolder } from './platform/http/session.js';
import type { SignedInUser } from './platform/auth/actor.js';
import { ForbiddenError } from './platform/auth/policy.js';
import { recordAudit } from './platform/audit.js';
import { Assets, registerAssets } from './web/assets.js';
import { registerSecurityHeaders } from './platform/http/security-headers.js';
import { FLASH_COOKIE, WROTE_COOKIE, actorOf, answersJson, type KeptResponse } from './platform/http/request-context.js';
import { registerPolicy } from './platform/auth/policy.js';
import { lioSetUpOf, type Capability, type CapabilityDeps } from './platform/capability.js';
import { createViewEnvironment } from './web/views.js';
import { Navigation } from './web/navigation.js';
import { registerWebRoutes } from './web/routes.js';
import { fieldOf, registerJsonApi } from './platform/http/json-api.js';
import { refuseNulInText } from './platform/http/text-input.js';
import { capabilities as allCapabilities } from './capabilities.js';
import { errorCode } from './platform/errors.js';
import { createMetrics, createMetricsServer, registerMetricsRoute } from './platform/http/metrics.js';
import { logFormatFor, loggerOptions } from './platform/logging.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Finds the LIO of a request by hostname; `forget` after adding an LIO or changing host names. */
    lios: LioResolver;
  }
  interface FastifyRequest {
    lio: Lio;
    actor: SignedInUser | null;
    /** Only the CSRF secret: the session itself is in the database (see Sessions). */
    session: CsrfSecretHolder;
  }
  interface FastifyReply {
    render(template: string, context?: Record<string, unknown>, status?: number): FastifyReply;
    /**
     * Renders a page that is the same for every visitor who is not signed in (see seesSharedPages), to keep and send
     * with sendShared. Each of `fields` is a hole in the page, filled when it is sent: the template must show such a
     * field as it is (escaped), not test or change it.
     */
    renderShared(template: string, context?: Record<string, unknown>, status?: number, fields?: string[]): KeptResponse;
    /** Sends a page made by renderShared, with this response's own CSP nonce and CSRF token, and these fields (escaped), in it. */
    sendShared(page: KeptResponse, fields?: Record<string, string>): FastifyReply;
    flash(message: string): FastifyReply;
  }
  interface FastifyContextConfig {
    /** Set false only on routes that take no cookies (the token-authenticated API). */
    csrf?: boolean;
  }
}

export interface AppDependencies {
  config: Config;
  db: Database;
  clock: Clock;
  mailer?: Mailer;
  /** The capabilities to build the app from; all of them unless given (a bench may keep no pages, say). */
  capabilities?: readonly Capability[];
}

export type App = FastifyInstance & {
  jobs: JobQueue;
  lios: LioResolver;
  /** Serves /metrics on the internal port (METRICS_PORT), for the caller to listen with; null without one. */
  metricsServer: FastifyInstance | null;
};

/**
 * A shared page carries these in place of the CSP nonce and the CSRF token, which differ per response. They
 * are random per process, so no text in the directory (escaped as it is) can contain them.
 */
const SHARED_MARKS = (() => {
  const nonce = `cgnonce${randomBytes(16).toString('hex')}`;
  const csrf = `cgcsrf${randomBytes(16).toString('hex')}`;
  const field = `cgfield${randomBytes(16).toString('hex')}`;
  return { nonce, csrf, field: (name: string) => `${field}_${name}_`, pattern: new RegExp(`(${nonce}|${csrf}|${field}_[A-Za-z]+_)`) };
})();

/** The composition root: health, security, compression and assets, session, parsing, auth, CSRF, routes, 404, errors — in that order. */
export async function buildApp({ config, db, clock, mailer = createMailer(config.smtpUrl, config.mailFrom), capabilities = allCapabilities() }: AppDependencies): Promise<App> {
  const app = Fastify({
    logger: loggerOptions(config.logLevel, logFormatFor(config.logFormat, process.stdout.isTTY === true), process.stdout, process.stdout.isTTY === true),
    // Fastify takes a bare count as trusting no one (it cannot tell the proxy from a client that came round it), so
    // a count is given as the rule it stands for: the nearest that many hops are proxies.
    trustProxy: typeof config.trustProxy === 'number' ? trustHops(config.trustProxy) : typeof config.trustProxy === 'object' ? [...config.trustProxy] : config.trustProxy,
    bodyLimit: 1_048_576,
    routerOptions: { ignoreTrailingSlash: true },
    ajv: { customOptions: { allErrors: true, coerceTypes: 'array', removeAdditional: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  const jobs = new JobQueue(db, clock, app.log, config.worker.pollMs);
  registerEmailJob(jobs, db, mailer, clock);
  const lios = new LioResolver(db);
  const sessions = new Sessions(db, clock, config);
  const assets = new Assets();
  const views = createViewEnvironment(assets);
  for (const capability of capabilities) if (capability.policy) registerPolicy(capability.name, capability.policy);
  const navigation = new Navigation(capabilities);
  app.decorate('jobs', jobs);
  app.decorate('lios', lios);

  // Health and metrics: no tenant, no session.
  const { registry: metrics, httpDuration } = createMetrics();
  app.addHook('onResponse', async (request, reply) => {
    httpDuration.observe({ method: request.method, route: request.routeOptions.url ?? 'unmatched', status: reply.statusCode }, reply.elapsedTime / 1000);
  });
  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
    try {
      await sql`select 1`.execute(db.system);
      // A replica that lags or is down leaves the app serving from the primary: still ready, and it says so.
      const replica = db.replicaStatus();
      return { status: 'ready', database: db.engine, ...(replica === 'none' ? {} : { replica }) };
    } catch {
      return reply.code(503).send({ status: 'unavailable', database: db.engine });
    }
  });
  // Metrics tell a stranger too much (traffic, memory, routes): only to the token's holder, or on the internal port.
  if (config.metrics.token) registerMetricsRoute(app, metrics, config.metrics.token);
  const metricsServer = config.metrics.port === null ? null : createMetricsServer(metrics, config.metrics);
  app.decorate('metricsServer', metricsServer);

  // Security headers with a fresh CSP nonce per request.
  registerSecurityHeaders(app, { secure: config.secureCookies });
  // Pages, stylesheets, scripts and JSON go compressed to browsers that accept it (brotli, else gzip). Registered
  // before any route it applies to, since it attaches itself to each route as the route is added; the assets
  // are compressed once at start, and say so themselves.
  await app.register(compress, { encodings: ['br', 'gzip'] });
  await registerAssets(app, assets, capabilities.flatMap((c) => c.assets ?? []));

  // Which LIO is this request for?
  app.decorateRequest('lio', null as unknown as Lio);
  app.decorateRequest('actor', null);
  app.addHook('onRequest', async (request, reply) => {
    const route = request.routeOptions.url ?? '';
    if (route === '/healthz' || route === '/readyz' || route === '/metrics' || route.startsWith('/assets/')) return;
    const lio = await lios.forHostname(request.hostname);
    if (!lio) return reply.code(404).type('text/plain').send('No Local Infrastructure Organisation is set up for this address.');
    request.lio = lio;
  });

  // Cookies, session, parsing.
  await app.register(cookie, { secret: config.sessionSecret });
  app.decorateRequest('session', null as unknown as CsrfSecretHolder);
  app.addHook('onRequest', async (request, reply) => {
    if (request.lio) request.actor = await sessions.load(request);
    request.session = sessions.csrfSecretHolder(request, reply);
  });
  // Read-your-writes with a replica: whoever writes reads the primary until the replica, trusted up to its lag
  // bound (measured once a check's interval), has surely caught up with the write.
  if (config.readReplica) {
    const markSeconds = Math.ceil((config.readReplica.maxLagMs + config.readReplica.checkMs) / 1000);
    app.addHook('onRequest', async (request, reply) => {
      if (request.method === 'GET' || request.method === 'HEAD' || request.method === 'OPTIONS') return;
      reply.setCookie(WROTE_COOKIE, '1', { path: '/', httpOnly: true, sameSite: 'lax', secure: config.secureCookies, maxAge: markSeconds });
    });
  }
  await app.register(formbody);
  refuseNulInText(app);
  // Every limit counts a client by addressKey: an IPv6 client by its /64, within which it may take any address.
  // Counted in the database, so every process of a deployment holds a client to one allowance.
  const rateLimitStore = databaseRateLimitStore(db, config.sessionSecret);
  await app.register(rateLimit, { global: false, keyGenerator: byAddress, store: rateLimitStore });

  // CSRF: every state-changing request needs the token unless the route itself says it takes no cookies.
  // The secret is the session's (see Sessions.csrfSecretHolder), so it is renewed at sign-in and sign-out.
  await app.register(csrf, { sessionPlugin: '@fastify/session' });
  app.addHook('preHandler', (request, reply, done) => {
    const safe = request.method === 'GET' || request.method === 'HEAD' || request.method === 'OPTIONS';
    if (safe || request.routeOptions.config.csrf === false || !request.routeOptions.url) return done();
    app.csrfProtection(request, reply, done);
  });

  // A page's context: what every template reads, then the visitor's own parts, then the route's.
  const renderView = (request: FastifyRequest, template: string, own: { actor: SignedInUser | null; csrfToken: string; cspNonce: string; flash: string | null }, context: Record<string, unknown>) =>
    views.render(template, { lio: request.lio, navigation: navigation.for(own.actor, request.url.split('?')[0] ?? '/'), ...own, ...context });
  // A field filled into a kept page is escaped as the templates escape what they show.
  const escapeHtml = views.getFilter('escape') as (value: string) => unknown;
  const sendHtml = (reply: FastifyReply, body: string | Buffer, status: number) =>
    reply.code(status).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(body);

  app.decorateReply('render', function (this: FastifyReply, template: string, context: Record<string, unknown> = {}, status = 200) {
    const request = this.request;
    const flash = request.cookies[FLASH_COOKIE] ? request.unsignCookie(request.cookies[FLASH_COOKIE]) : null;
    if (flash) this.clearCookie(FLASH_COOKIE, { path: '/' });
    const own = { actor: request.actor, csrfToken: this.generateCsrf(), cspNonce: this.cspNonce.script, flash: flash?.valid ? flash.value : null };
    return sendHtml(this, renderView(request, template, own, context), status);
  });
  app.decorateReply('renderShared', function (this: FastifyReply, template: string, context: Record<string, unknown> = {}, status = 200, fields: string[] = []): KeptResponse {
    const holes = Object.fromEntries(fields.map((name) => [name, SHARED_MARKS.field(name)]));
    const html = renderView(this.request, template, { actor: null, csrfToken: SHARED_MARKS.csrf, cspNonce: SHARED_MARKS.nonce, flash: null }, { ...context, ...holes });
    // Split at the marks (captured, so they come back at odd places) and encode the rest once.
    const pieces = html.split(SHARED_MARKS.pattern);
    return {
      status,
      chunks: pieces.filter((_p, i) => i % 2 === 0).map((p) => Buffer.from(p)),
      holes: pieces.filter((_p, i) => i % 2 === 1).map((m) => (m === SHARED_MARKS.nonce ? 'nonce' : m === SHARED_MARKS.csrf ? 'csrf' : { field: m.slice(m.indexOf('_') + 1, -1) })),
    };
  });
  app.decorateReply('sendShared', function (this: FastifyReply, page: KeptResponse, fields: Record<string, string> = {}) {
    const csrf = page.holes.includes('csrf') ? Buffer.from(this.generateCsrf()) : Buffer.alloc(0);
    const nonce = Buffer.from(this.cspNonce.script);
    const parts: Buffer[] = [page.chunks[0]!];
    page.holes.forEach((hole, i) => parts.push(
      hole === 'nonce' ? nonce : hole === 'csrf' ? csrf : Buffer.from(String(escapeHtml(fields[hole.field] ?? ''))),
      page.chunks[i + 1]!,
    ));
    return sendHtml(this, Buffer.concat(parts), page.status);
  });
  app.decorateReply('flash', function (this: FastifyReply, message: string) {
    return this.setCookie(FLASH_COOKIE, message, { path: '/', httpOnly: true, sameSite: 'lax', signed: true, secure: config.secureCookies });
  });

  // Errors: set before any route is added, because a route keeps the error handler of the moment it was added
  // (routes added before a later `await register` would otherwise answer with Fastify's JSON default).
  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    const status = error.statusCode ?? 500;
    if (error instanceof ForbiddenError && request.lio) {
      await db.withTenant(request.lio.id, (tx) => recordAudit(tx, request.lio.id, actorOf(request), {
        action: 'access.denied', subjectType: 'route', subjectId: request.routeOptions.url ?? 'unmatched', detail: { method: request.method, permission: error.permission },
      }, clock.now())).catch((err) => request.log.error({ err }, 'could not audit a refusal'));
    }
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    if (answersJson(request)) {
      if (error.validation) {
        return reply.code(400).send({
          statusCode: 400, error: 'Bad Request', message: 'The request is not valid',
          fields: error.validation.map((v) => ({ field: fieldOf(v), message: v.message ?? 'is not valid' })),
        });
      }
      return reply.code(status).send({ statusCode: status, error: status >= 500 ? 'Internal Server Error' : error.name, message: status >= 500 ? 'Something went wrong' : error.message });
    }
    if (!request.lio) return reply.code(status).type('text/plain').send(status >= 500 ? 'Something went wrong' : error.message);
    if (errorCode(error)?.startsWith('FST_CSRF')) {
      return reply.render('web/views/error.njk', { title: 'Your form could not be accepted', message: 'The form had expired or was not sent from this service. Go back, reload the page and try again.' }, 403);
    }
    if (status === 403) return reply.render('web/views/403.njk', { title: 'You cannot see this page' }, 403);
    if (status === 429) return reply.render('web/views/error.njk', { title: 'Too many attempts', message: 'You have tried too many times. Wait a minute, then try again.' }, 429);
    if (status < 500) return reply.render('web/views/error.njk', { title: 'There is a problem', message: error.message }, status);
    return reply.render('web/views/500.njk', { title: 'Sorry, there is a problem with the service' }, 500);
  });

  // Routes and jobs, one capability at a time.
  const deps: CapabilityDeps = {
    config, db, clock, jobs, mailer, sessions, personalData: capabilities.flatMap((c) => (c.personalData ? [c.personalData] : [])), setUpLio: lioSetUpOf(capabilities),
    recordPanels: capabilities.flatMap((c) => c.recordPanels ?? []),
  };
  await registerJsonApi(app, { db, clock }, capabilities.filter((c) => c.api).map((c) => (api) => c.api!(api, deps)));
  await registerWebRoutes(app, { db, clock, capabilities, navigation });
  for (const capability of capabilities) {
    await capability.routes?.(app, deps);
    capability.jobs?.(jobs, deps);
  }

  app.setNotFoundHandler(async (request, reply) => {
    if (answersJson(request)) return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: 'No such resource' });
    if (!request.lio) return reply.code(404).type('text/plain').send('Not found');
    return reply.render('web/views/404.njk', { title: 'Page not found' }, 404);
  });

  app.addHook('onReady', async () => {
    if (config.worker.enabled) jobs.start();
  });
  app.addHook('onClose', async () => {
    await metricsServer?.close();
    await jobs.stop();
    await rateLimitStore.close();
    mailer.close();
  });
  return app as unknown as App;
}

function trustHops(count: number) {
  return (_address: string, hop: number) => hop < count;
}


