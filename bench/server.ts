/**
 * One benchmark target, run as its own process so that the load generator (bench/run.ts) and the
 * server under test do not share an event loop. Prints one JSON line when it is ready:
 *   bare: { url }                  a bare Fastify handler, the yardstick
 *   app:  { url, cookie, engine }  the Common Ground app with a signed-in admin's session cookie
 * and serves until it is sent SIGTERM.
 */
import Fastify from 'fastify';
import { loadConfig } from '../src/platform/config.js';
import { openDatabase } from '../src/platform/db/index.js';
import { migrate } from '../src/platform/db/migrate.js';
import { systemClock } from '../src/platform/clock.js';
import { hashPassword } from '../src/platform/auth/secrets.js';
import { buildApp } from '../src/app.js';

const target = process.argv[2];

async function bare(): Promise<void> {
  const app = Fastify({ logger: false });
  app.get('/', async () => ({ hello: 'world' }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
  console.log(JSON.stringify({ url: `http://127.0.0.1:${port}` }));
}

async function commonGround(): Promise<void> {
  // Production settings, except the log level (the bench would otherwise time the writing of its own log).
  const config = loadConfig({ ...process.env, LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'silent', PORT: '0', HOST: '127.0.0.1' });
  const db = await openDatabase(config);
  await migrate(db);
  const email = 'bench-admin@example.org';
  const password = 'benchmark password 1';
  const lio = await db.system.insertInto('lios').values({ slug: 'bench', name: 'Benchmark Community Action', hostnames: ['127.0.0.1'], is_default: true })
    .returning('id').executeTakeFirstOrThrow();
  const now = new Date();
  const hash = await hashPassword(password, config.passwordHashing);
  await db.withTenant(lio.id, (tx) => tx.insertInto('users').values({
    lio_id: lio.id, email, display_name: 'Bench Admin', role: 'admin', password_hash: hash, status: 'active', created_at: now, updated_at: now,
  }).execute());
  // A little data for the pages to show.
  await db.withTenant(lio.id, (tx) => tx.insertInto('organisations').values(Array.from({ length: 50 }, (_, i) => ({
    lio_id: lio.id, name: `Bench group ${String(i).padStart(2, '0')}`, created_at: now, updated_at: now,
  }))).execute());

  const app = await buildApp({ config, db, clock: systemClock });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  // Sign in as a browser would: the form's CSRF token and cookie, then the session cookie.
  const headers = { host: `127.0.0.1:${port}` };
  const form = await app.inject({ method: 'GET', url: '/sign-in', headers });
  const csrf = /name="_csrf"\s+value="([^"]+)"/.exec(form.body)?.[1];
  if (!csrf) throw new Error('no CSRF token on /sign-in');
  const jar = form.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
  const signIn = await app.inject({
    method: 'POST', url: '/sign-in', headers: { ...headers, cookie: jar, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ email, password, _csrf: csrf }).toString(),
  });
  const session = signIn.cookies.find((c) => c.name === 'cg_session');
  if (signIn.statusCode !== 303 || !session) throw new Error(`sign-in failed: ${signIn.statusCode}`);
  const cookie = `cg_session=${session.value}`;
  const home = await app.inject({ method: 'GET', url: '/', headers: { ...headers, cookie } });
  if (home.statusCode !== 200 || !home.body.includes('Bench Admin')) throw new Error(`the signed-in home page did not render: ${home.statusCode}`);

  process.on('SIGTERM', () => void app.close().then(() => db.close()).then(() => process.exit(0)));
  console.log(JSON.stringify({ url: `http://127.0.0.1:${port}`, cookie, engine: db.engine, homeBytes: home.body.length }));
}

(target === 'bare' ? bare() : commonGround()).catch((err) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
