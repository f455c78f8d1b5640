import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { randomUUID } from 'node:crypto';
import { createTestApp, type TestContext } from './helpers/app.js';
import { createTestDatabase } from './helpers/database.js';
import { buildTestAppOn, createPersistentStore, type PersistentStore } from './helpers/store.js';
import { startServer, type RunningServer } from './helpers/cli.js';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/platform/config.js';

// Some tests open a database on disk several times or start the real server: allow for a busy machine.
vi.setConfig({ testTimeout: 240_000, hookTimeout: 240_000 });

const METRICS_TOKEN = 'metrics-token-for-the-tests-0123456789';
const withToken = { authorization: `Bearer ${METRICS_TOKEN}` };

describe('health, readiness and metrics', () => {
  let t: TestContext;
  beforeAll(async () => { t = await createTestApp({ env: { METRICS_TOKEN } }); });
  afterAll(async () => { await t.close(); });

  it('/healthz answers 200 for any host, with no LIO, session or cookies involved', async () => {
    for (const host of ['unknown-host.test', 'localhost']) {
      const res = await t.app.inject({ method: 'GET', url: '/healthz', headers: { host } });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ status: 'ok' });
      expect(res.headers['set-cookie']).toBeUndefined();
    }
  });

  it('/readyz answers 200 naming the database engine when the database answers', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/readyz', headers: { host: 'unknown-host.test' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ready', database: t.db.engine });
  });

  it('/readyz answers 503 when the database does not', async () => {
    const { db, dispose } = await createTestDatabase();
    const { app } = await buildTestAppOn(db);
    try {
      await dispose();
      const res = await app.inject({ method: 'GET', url: '/readyz' });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ status: 'unavailable' });
      const health = await app.inject({ method: 'GET', url: '/healthz' });
      expect(health.statusCode).toBe(200);
    } finally {
      await app.close();
    }
  });

  it('/metrics is Prometheus text with request durations labelled by route pattern, never by URL', async () => {
    const lio = await t.make.lio();
    const { token } = await t.make.apiToken(lio, 'read');
    const id = randomUUID();
    await t.app.inject({ method: 'GET', url: '/healthz' });
    await t.app.inject({ method: 'GET', url: `/api/v1/organisations/${id}`, headers: { host: lio.host, authorization: `Bearer ${token}` } });
    await t.app.inject({ method: 'GET', url: '/sign-in?email=someone%40example.org', headers: { host: lio.host } });

    const res = await t.app.inject({ method: 'GET', url: '/metrics', headers: withToken });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = res.body;
    expect(text).toMatch(/^# HELP http_request_duration_seconds /m);
    expect(text).toMatch(/^# TYPE http_request_duration_seconds histogram$/m);
    expect(text).toMatch(/^http_request_duration_seconds_bucket\{le="0\.005",method="GET",route="\/healthz",status="200"\} \d+$/m);
    expect(text).toMatch(/^http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/organisations\/:id",status="404"\} 1$/m);
    expect(text).toMatch(/^http_request_duration_seconds_sum\{.*route="\/sign-in".*\} [0-9.e-]+$/m);
    expect(text).toMatch(/^process_cpu_seconds_total /m);
    expect(text).toMatch(/^nodejs_heap_size_used_bytes /m);
    expect(text).not.toContain(id);
    expect(text).not.toContain('example.org');
    // Every sample line is well formed.
    for (const line of text.split('\n').filter((l) => l && !l.startsWith('#'))) {
      expect(line).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? -?([0-9.e+-]+|NaN|\+Inf|-Inf)$/);
    }
  });
});

describe('who may read /metrics', () => {
  let t: TestContext;
  beforeAll(async () => { t = await createTestApp(); });
  afterAll(async () => { await t.close(); });
  /** Another app on the same database, configured by `env`. */
  const appWith = async (env: Record<string, string>) => {
    const app = await buildApp({ config: loadConfig({ LOG_LEVEL: 'silent', ...env }, { worker: { pollMs: 50, enabled: false } }), db: t.db, clock: t.clock });
    await app.ready();
    return app;
  };

  it('is not served at all without configuration', async () => {
    const lio = await t.make.lio();
    for (const host of ['localhost', lio.host]) {
      const res = await t.app.inject({ method: 'GET', url: '/metrics', headers: { host, ...withToken } });
      expect(res.statusCode, host).toBe(404);
      expect(res.body).not.toContain('http_request_duration_seconds');
    }
    expect(t.app.metricsServer).toBeNull();
  });

  it('asks for METRICS_TOKEN as a bearer token, and refuses anything else with 401', async () => {
    const app = await appWith({ METRICS_TOKEN });
    try {
      for (const authorization of [undefined, 'Bearer wrong-token', `Bearer ${METRICS_TOKEN}x`, `Basic ${METRICS_TOKEN}`, METRICS_TOKEN]) {
        const res = await app.inject({ method: 'GET', url: '/metrics', headers: authorization ? { authorization } : {} });
        expect(res.statusCode, String(authorization)).toBe(401);
        expect(res.headers['www-authenticate']).toBe('Bearer');
        expect(res.body).not.toContain('http_request_duration_seconds');
      }
      const ok = await app.inject({ method: 'GET', url: '/metrics', headers: withToken });
      expect(ok.statusCode).toBe(200);
      expect(ok.body).toMatch(/^process_cpu_seconds_total /m);
    } finally {
      await app.close();
    }
  });

  it('serves /metrics on METRICS_PORT only, not on the public port', async () => {
    const app = await appWith({ METRICS_PORT: '0' });
    try {
      expect((await app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(404);
      await app.inject({ method: 'GET', url: '/healthz' });
      const internal = app.metricsServer!;
      await internal.listen({ port: 0, host: '127.0.0.1' });
      const { port } = internal.server.address() as { port: number };
      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(res.status).toBe(200);
      expect(await res.text()).toMatch(/http_request_duration_seconds_count\{method="GET",route="\/healthz",status="200"\} 1/);
      // Nothing else is served there.
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(404);
    } finally {
      await app.close();
    }
  });
});

describe('the server process', () => {
  let store: PersistentStore;
  const servers: RunningServer[] = [];
  beforeAll(async () => { store = await createPersistentStore(); });
  afterAll(async () => {
    for (const s of servers) await s.kill('SIGKILL');
    await store.dispose();
  });

  it('serves /healthz, /readyz and /metrics over HTTP, and shuts down cleanly on SIGTERM with exit code 0', async () => {
    const server = await startServer({ ...store.env, METRICS_TOKEN });
    servers.push(server);
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', database: store.engine });
    const metrics = await fetch(`${server.url}/metrics`, { headers: withToken });
    expect(await metrics.text()).toMatch(/http_request_duration_seconds_count\{method="GET",route="\/healthz",status="200"\} 1/);

    // The banner names each demo role in words, as the pages do.
    const banner = server.output();
    expect(banner).toMatch(/^ {2}LIO admin +admin@riverside\.example +riverside-demo-2026$/m);
    expect(banner).toMatch(/^ {2}LIO staff \(Adviser, Trainer\) +adviser@riverside\.example /m);
    expect(banner).toMatch(/^ {2}LIO staff \(Volunteer coordinator, Helpline\) +coordinator@riverside\.example /m);
    expect(banner).toMatch(/^ {2}Group member +group@riverside\.example /m);
    expect(banner).not.toMatch(/group_member|volunteer_coordinator/);
    // Every sign-in's address starts in the same column, however long the role's words are.
    const addressColumns = banner.split('\n').filter((l) => /@riverside\.example/.test(l)).map((l) => l.search(/\S+@riverside\.example/));
    expect(addressColumns).toHaveLength(7);
    expect(new Set(addressColumns).size).toBe(1);

    const exit = await server.kill('SIGTERM');
    expect(exit).toEqual({ code: 0, signal: null });
  });

  it('shuts down cleanly on SIGINT too, and starts again on the same data; LOG_FORMAT=pretty logs readable lines', async () => {
    const server = await startServer({ ...store.env, LOG_LEVEL: 'info', LOG_FORMAT: 'pretty' });
    servers.push(server);
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(server.output()).toMatch(/^\[\d\d:\d\d:\d\d\] INFO.*GET \/readyz incoming request$/m);
    expect(server.output()).not.toMatch(/^\{/m);
    const exit = await server.kill('SIGINT');
    expect(exit).toEqual({ code: 0, signal: null });
  });
});
