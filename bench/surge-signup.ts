/**
 * Emergency surge sign-up over HTTP: autocannon at BENCH_CONNECTIONS (100) connections for BENCH_DURATION (60) seconds
 * against POST /volunteer/surge, each request a distinct person with a fresh form key, and one in BENCH_RETRY_EVERY
 * (20) a retry of a form already sent (the same key, the same person), as a double click or a lost answer makes.
 * Counts the acknowledgements (the "You have signed up" page, sent only after the commit), then the sign-ups held in
 * the database until their e-mailed link is followed (volunteer_signups) and the confirmation e-mails queued: every
 * acknowledged form key must be held once (none lost), with one e-mail (none doubled). Beside it, the same load on a bare
 * Fastify handler that reads the same form and answers a page (BENCH_BARE_DURATION seconds, 10): the yardstick, and the
 * ratio of the two, and the server's CPU time per answer for each (steadier than rates on a shared machine).
 *
 *   node --import tsx bench/surge-signup.ts
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench BENCH_ENGINES=postgres node --import tsx bench/surge-signup.ts
 *
 * Environment: BENCH_ENGINES (pglite,postgres), BENCH_CONNECTIONS, BENCH_DURATION, BENCH_RETRY_EVERY,
 * BENCH_PG_SCHEMA (bench_surge, made afresh), BENCH_PGLITE_DIR (made afresh in the temp dir). The app runs in a child
 * process so that autocannon does not share its event loop. Prints JSON.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import formbody from '@fastify/formbody';
import { sql } from 'kysely';
import { loadConfig } from '../src/platform/config.js';
import { openDatabase, type Database } from '../src/platform/db/index.js';
import { migrate } from '../src/platform/db/migrate.js';
import { systemClock } from '../src/platform/clock.js';
import { buildApp } from '../src/app.js';
import { summary } from './stats.js';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 100);
const DURATION = Number(process.env.BENCH_DURATION ?? 60);
const RETRY_EVERY = Number(process.env.BENCH_RETRY_EVERY ?? 20);
const PG_SCHEMA = process.env.BENCH_PG_SCHEMA ?? 'bench_surge';
const BARE_DURATION = Number(process.env.BENCH_BARE_DURATION ?? 10);
type Engine = 'pglite' | 'postgres';
interface Ready { port: number; barePort: number; lioId: string }
interface Counted { held: number; distinctKeys: number; emails: number; keys: string[] }

async function serve(engine: Engine): Promise<void> {
  const dataDir = engine === 'pglite' ? mkdtempSync(path.join(tmpdir(), 'cg-bench-surge-')) : null;
  const env = engine === 'postgres'
    ? { LOG_LEVEL: 'silent', DATABASE_URL: process.env.DATABASE_URL!, DATABASE_SCHEMA: PG_SCHEMA, SURGE_SIGNUP_RATE_LIMIT: '100000000' }
    : { LOG_LEVEL: 'silent', DATA_DIR: dataDir!, SURGE_SIGNUP_RATE_LIMIT: '100000000' };
  const config = loadConfig({ ...env, PORT: '0', HOST: '127.0.0.1' }, { worker: { pollMs: 1000, enabled: false } });
  if (engine === 'postgres') {
    const bootstrap = await openDatabase({ ...config, databaseSchema: null });
    await sql.raw(`drop schema if exists ${PG_SCHEMA} cascade`).execute(bootstrap.system);
    await sql.raw(`create schema ${PG_SCHEMA}`).execute(bootstrap.system);
    await bootstrap.close();
  }
  const db: Database = await openDatabase(config);
  await migrate(db);
  const lio = await db.system.insertInto('lios').values({ slug: 'bench-surge', name: 'Benchmark Community Action', hostnames: ['127.0.0.1'], is_default: true })
    .returning('id').executeTakeFirstOrThrow();
  await db.withTenant(lio.id, (tx) => tx.insertInto('volunteering_settings').values({ lio_id: lio.id, surge_started_at: new Date(), surge_message: 'Benchmark emergency' }).execute());
  const app = await buildApp({ config, db, clock: systemClock });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.on('message', (m: { type: string }) => {
    if (m.type === 'cpu') return void process.send!(process.cpuUsage());
    if (m.type !== 'count') return;
    void db.withTenant(lio.id, async (tx) => {
      const keys = await tx.selectFrom('volunteer_signups').select('signup_key').where('via', '=', 'surge').execute();
      const emails = await tx.selectFrom('email_messages').select((eb) => eb.fn.countAll<string>().as('n')).where('to_address', 'like', 'bench-%@example.net').executeTakeFirstOrThrow();
      return { held: keys.length, distinctKeys: new Set(keys.map((k) => k.signup_key)).size, emails: Number(emails.n), keys: keys.map((k) => k.signup_key) } satisfies Counted;
    }).then((c) => process.send!(c));
  });
  // The yardstick: a bare Fastify handler reading the same form and answering a page, in the same process.
  const bare = Fastify({ logger: false });
  await bare.register(formbody);
  bare.post('/volunteer/surge', async (request, reply) => {
    const form = request.body as Record<string, string>;
    return reply.type('text/html').send(`<h1>You have signed up</h1><p>${form.fullName ?? ''}</p>`);
  });
  await bare.listen({ port: 0, host: '127.0.0.1' });
  const bareAddress = bare.server.address();
  const barePort = typeof bareAddress === 'object' && bareAddress ? bareAddress.port : 0;
  process.on('SIGTERM', () => void bare.close().then(() => app.close()).then(() => db.close()).then(() => {
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  }));
  process.send!({ port, barePort, lioId: lio.id } satisfies Ready);
}

async function runEngine(engine: Engine) {
  const child = fork(process.argv[1]!, ['--serve', engine], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: process.execArgv });
  const ready = await new Promise<Ready>((resolve, reject) => {
    child.once('message', (m) => resolve(m as Ready));
    child.once('exit', (code) => reject(new Error(`the ${engine} server exited (${code}) before it was ready`)));
  });
  try {
    const base = `http://127.0.0.1:${ready.port}`;
    // One visitor's form: its CSRF token and cookie serve every request, as one browser's would.
    const form = await fetch(`${base}/volunteer/surge`);
    const csrf = /name="_csrf"\s+value="([^"]+)"/.exec(await form.text())?.[1];
    if (!csrf) throw new Error('no CSRF token on /volunteer/surge');
    const cookie = form.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');

    // CPU time of the server process (the app, and with PGlite the database too) per answer: on a shared, noisy
    // machine it says more than the rate does, which moves with whatever else runs.
    const cpuMs = async () => {
      child.send({ type: 'cpu' });
      const used = await new Promise<NodeJS.CpuUsage>((resolve) => child.once('message', (m) => resolve(m as NodeJS.CpuUsage)));
      return (used.user + used.system) / 1000;
    };
    const cpuBefore = await cpuMs();
    let made = 0;
    let retries = 0;
    const acknowledged = new Set<string>();
    let acknowledgements = 0;
    const ackMs: number[] = [];
    const body = (n: number) => new URLSearchParams({
      _csrf: csrf, signupKey: `bench-surge-${engine}-${String(n).padStart(10, '0')}`, fullName: `Bench Volunteer ${n}`,
      email: `bench-${n}@example.net`, phone: '', postcode: 'RV1 2AB', skills: 'driving', offer: '', consent: 'yes',
    }).toString();
    const result = await autocannon({
      url: base, connections: CONNECTIONS, duration: DURATION,
      requests: [{
        method: 'POST', path: '/volunteer/surge',
        setupRequest: (req, context: Record<string, unknown>) => {
          // A retry resends a form sent earlier (one that may or may not have been answered yet).
          const retry = made > 0 && (made + retries) % RETRY_EVERY === 0;
          const n = retry ? Math.floor(Math.random() * made) : made++;
          if (retry) retries++;
          context.key = n;
          context.sentAt = performance.now();
          return { ...req, headers: { 'content-type': 'application/x-www-form-urlencoded', cookie }, body: body(n) };
        },
        onResponse: (status, resBody, context: Record<string, unknown>) => {
          if (status === 200 && resBody.includes('You have signed up')) {
            acknowledgements++;
            ackMs.push(performance.now() - (context.sentAt as number));
            acknowledged.add(`bench-surge-${engine}-${String(context.key).padStart(10, '0')}`);
          }
        },
      }],
    } as autocannon.Options);

    const cpuAfter = await cpuMs();
    // The bare handler under the same load, after the app's run (never at the same time: they share the two cores).
    const bareRun = await autocannon({
      url: `http://127.0.0.1:${ready.barePort}`, connections: CONNECTIONS, duration: BARE_DURATION,
      requests: [{ method: 'POST', path: '/volunteer/surge', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: body(0) }],
    } as autocannon.Options);
    const bareRps = Math.round(bareRun.requests.average);
    const bareCpu = (await cpuMs()) - cpuAfter;

    child.send({ type: 'count' });
    const counted = await new Promise<Counted>((resolve) => child.once('message', (m) => resolve(m as Counted)));
    const held = new Set(counted.keys);
    const lost = [...acknowledged].filter((k) => !held.has(k)).length;
    return {
      engine, connections: CONNECTIONS, seconds: DURATION,
      acknowledgements, acknowledgedPerSec: Math.round(acknowledgements / DURATION), distinctAcknowledged: acknowledged.size, retriesSent: retries,
      non2xx: result.non2xx, errors: result.errors + result.timeouts, acknowledgementMs: summary(ackMs), p99Ms: result.latency.p99,
      signupsHeld: counted.held, confirmationEmails: counted.emails, lost, doubled: counted.held - counted.distinctKeys + (counted.emails - counted.held),
      serverCpuMsPerAck: +((cpuAfter - cpuBefore) / Math.max(acknowledgements, 1)).toFixed(3),
      bareHandlerPerSec: bareRps, ratioToBare: +(acknowledgements / DURATION / Math.max(bareRps, 1)).toFixed(3), bareP50Ms: bareRun.latency.p50,
      bareCpuMsPerRequest: +(bareCpu / Math.max(bareRun.requests.total, 1)).toFixed(3),
    };
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

async function main() {
  if (process.argv[2] === '--serve') return serve(process.argv[3] as Engine);
  const engines = (process.env.BENCH_ENGINES ?? (process.env.DATABASE_URL ? 'pglite,postgres' : 'pglite')).split(',') as Engine[];
  const results = [];
  for (const engine of engines) results.push(await runEngine(engine));
  console.log(JSON.stringify({ cpus: cpus().length, loadavg: loadavg().map((l) => Math.round(l * 100) / 100), results }, null, 2));
}

main().catch((err) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
