import { createHash, timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Where /metrics may be read: with a bearer token on the public port, on an internal port, both, or (unconfigured) nowhere. */
export interface MetricsConfig { token: string | null; port: number | null; host: string }

/** The process's metrics: request durations by route pattern (never the URL, which can name people) and Node's own. */
export function createMetrics(): { registry: Registry; httpDuration: Histogram<'method' | 'route' | 'status'> } {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const httpDuration = new Histogram({
    name: 'http_request_duration_seconds', help: 'HTTP request duration', labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers: [registry],
  });
  return { registry, httpDuration };
}

// Compared as digests, so the comparison takes the same time whatever the length of what was sent.
const digest = (value: string) => createHash('sha256').update(value).digest();

/** GET /metrics on `app`, asking for `token` (when there is one) as `Authorization: Bearer TOKEN`. */
export function registerMetricsRoute(app: FastifyInstance, registry: Registry, token: string | null): void {
  const expected = token === null ? null : digest(token);
  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    if (expected) {
      const sent = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
      if (!sent || !timingSafeEqual(digest(sent), expected)) {
        return reply.code(401).header('www-authenticate', 'Bearer').type('text/plain').send('Send the metrics token as "Authorization: Bearer TOKEN"');
      }
    }
    return reply.type(registry.contentType).send(await registry.metrics());
  });
}

/** A server of its own for /metrics, to listen on the internal port; nothing else is served there. */
export function createMetricsServer(registry: Registry, config: MetricsConfig): FastifyInstance {
  const server = Fastify({ logger: false });
  registerMetricsRoute(server, registry, config.token);
  return server;
}
