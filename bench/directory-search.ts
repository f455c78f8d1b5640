/**
 * Public directory search benchmark: /find with words + category + postcode within 5 km (first page)
 * over HTTP with autocannon at 50 connections, beside the same search SQL run directly, on PGlite and
 * (when DATABASE_URL is set) on PostgreSQL. Also GET /api/oruk/services/{id} when that route exists.
 * The directory is made by bench/generate-directory.ts (100,000 services at 150,000 locations; BENCH_SERVICES to change).
 *
 *   node --import tsx bench/directory-search.ts
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test node --import tsx bench/directory-search.ts
 *
 * Environment: BENCH_SERVICES (100000), BENCH_DURATION seconds per run (15), BENCH_CONNECTIONS (50),
 * BENCH_ENGINES (pglite,postgres), BENCH_TARGETS (search,cold,oruk: which loads to run), BENCH_CPU_PROF (a folder: the app's
 * process writes a V8 CPU profile there), BENCH_PGLITE_DIR (a folder in the temp dir, kept between runs),
 * BENCH_PG_SCHEMA (bench_directory), BENCH_REGENERATE=1 to make the directory again.
 *
 * The search is measured twice: as served (a search page is kept until the directory changes or the minute turns,
 * see src/directory/published/cache.ts) and by the same app keeping nothing ("nothingKept"), where every request
 * runs the search and renders the page. The app runs in a child process so that autocannon does not share its
 * event loop. Prints JSON.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import { sql } from 'kysely';
import { BENCH_LIO_SLUG, existingDirectory, generateDirectory } from './generate-directory.js';

const SERVICES = Number(process.env.BENCH_SERVICES ?? 100_000);
const DURATION = Number(process.env.BENCH_DURATION ?? 15);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const PG_SCHEMA = process.env.BENCH_PG_SCHEMA ?? 'bench_directory';
const PGLITE_DIR = process.env.BENCH_PGLITE_DIR ?? path.join(tmpdir(), 'commonground-bench-directory-pglite');
const SQL_RUNS = 300;
const TARGETS = new Set((process.env.BENCH_TARGETS ?? 'search,cold,oruk').split(',').map((x) => x.trim()));

type Engine = 'pglite' | 'postgres';

interface Ready {
  type: 'ready';
  port: number;
  /** the same app keeping nothing: every request does all its work */
  coldPort: number;
  searchPath: string;
  orukPath: string | null;
  generated: { services: number; seconds: number | null };
  sql: { searchMedianMs: number; searchP95Ms: number; pageDataMedianMs: number; results: number; total: number };
  orukNearMedianMs: number;
}

const percentile = (sorted: number[], p: number) => sorted.length ? sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]! : NaN;
const round = (n: number, places = 2) => Math.round(n * 10 ** places) / 10 ** places;

// ---------------------------------------------------------------------------------------------------
// The child: database, directory, direct SQL timings, then the app listening
// ---------------------------------------------------------------------------------------------------

async function serve(engine: Engine): Promise<void> {
  const { loadConfig } = await import('../src/platform/config.js');
  const { openDatabase } = await import('../src/platform/db/index.js');
  const { migrate } = await import('../src/platform/db/migrate.js');
  const { buildApp } = await import('../src/app.js');
  const { systemClock } = await import('../src/platform/clock.js');
  const { geocodePostcode } = await import('../src/directory/geography/geocode.js');
  const { searchPublished, termWithDescendants } = await import('../src/directory/public/repository.js');
  const { PublicDirectory } = await import('../src/directory/public/service.js');
  const { PublishedCache } = await import('../src/directory/published/cache.js');
  const { capabilities } = await import('../src/capabilities.js');

  const env = engine === 'postgres'
    ? { LOG_LEVEL: 'silent', DATABASE_URL: process.env.DATABASE_URL!, DATABASE_SCHEMA: PG_SCHEMA }
    : { LOG_LEVEL: 'silent', DATA_DIR: PGLITE_DIR };
  const config = loadConfig(env, { worker: { pollMs: 1000, enabled: false } });
  if (engine === 'postgres') {
    const bootstrap = await openDatabase({ ...config, databaseSchema: null });
    await sql.raw(`create schema if not exists ${PG_SCHEMA}`).execute(bootstrap.system);
    await bootstrap.close();
  }
  const db = await openDatabase(config);
  await migrate(db);

  let generated: Ready['generated'] = { services: SERVICES, seconds: null };
  const existing = await existingDirectory(db);
  if (!existing || existing.services !== SERVICES || process.env.BENCH_REGENERATE === '1') {
    const made = await generateDirectory(db, { services: SERVICES, log: (m) => process.stderr.write(`[${engine}] ${m}\n`) });
    generated = { services: made.services, seconds: made.seconds };
  }
  const lio = await db.system.selectFrom('lios').select(['id', 'name']).where('slug', '=', BENCH_LIO_SLUG).executeTakeFirstOrThrow();
  const category = await db.withTenant(lio.id, (tx) => tx.selectFrom('taxonomy_terms').select('id').where('code', '=', 'food').executeTakeFirstOrThrow());
  const postcode = 'LS1 1UR';
  const searchPath = `/find?q=food&category=${category.id}&postcode=${encodeURIComponent(postcode)}&distance=5&unit=km`;

  // The same search, straight to the database: the query of the results page in its tenant transaction.
  const found = await geocodePostcode(db, postcode);
  if (found.status !== 'found') throw new Error(`the bench postcode ${postcode} is not in the postcodes table`);
  const termIds = await db.withTenant(lio.id, (tx) => termWithDescendants(tx, category.id));
  const criteria = {
    text: 'food', termIds, near: { latitude: found.latitude, longitude: found.longitude, radiusM: 5000 }, locality: null, deliveryModes: [], openAt: null,
    freeOnly: false, age: null, limit: 20, offset: 0,
  };
  const once = () => db.withTenant(lio.id, (tx) => searchPublished(tx, criteria));
  for (let i = 0; i < 30; i++) await once();
  const times: number[] = [];
  let last = await once();
  for (let i = 0; i < SQL_RUNS; i++) {
    const t0 = performance.now();
    last = await once();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  // Everything the page reads (postcode, categories, areas, results, places, opening times), still without HTTP.
  const directory = new PublicDirectory({ db, clock: systemClock, config, published: await PublishedCache.open(db, 0) });
  const query = Object.fromEntries(new URLSearchParams(searchPath.split('?')[1]));
  for (let i = 0; i < 20; i++) await directory.search(lio.id, query);
  const pageTimes: number[] = [];
  for (let i = 0; i < 100; i++) {
    const t0 = performance.now();
    await directory.search(lio.id, query);
    pageTimes.push(performance.now() - t0);
  }
  pageTimes.sort((a, b) => a - b);

  const app = await buildApp({ config, db, clock: systemClock });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.server.address() as { port: number }).port;
  const coldApp = await buildApp({ config, db, clock: systemClock, capabilities: capabilities({ directory: { keptBytes: 0 } }) });
  await coldApp.listen({ port: 0, host: '127.0.0.1' });
  const coldPort = (coldApp.server.address() as { port: number }).port;
  // The ORUK API is another part of the directory work: measured only when it is there.
  const serviceId = await db.withTenant(lio.id, (tx) => tx.selectFrom('services').select('id').where('status', '=', 'active').orderBy('id').limit(1).executeTakeFirstOrThrow());
  const orukPath = `/api/oruk/services/${serviceId.id}`;
  const oruk = await app.inject({ method: 'GET', url: orukPath, headers: { host: '127.0.0.1' } });
  const searchCheck = await app.inject({ method: 'GET', url: searchPath, headers: { host: '127.0.0.1' } });
  // The ORUK list near a postcode, one request at a time with nothing kept: the query of a council's system.
  const orukNearPath = `/api/oruk/services?postcode=${encodeURIComponent(postcode)}&proximity=5000`;
  const nearTimes: number[] = [];
  for (let i = 0; i < 7; i++) {
    const t0 = performance.now();
    const near = await coldApp.inject({ method: 'GET', url: orukNearPath, headers: { host: '127.0.0.1' } });
    if (near.statusCode !== 200) throw new Error(`${orukNearPath} answered ${near.statusCode}`);
    nearTimes.push(performance.now() - t0);
  }
  nearTimes.sort((a, b) => a - b);
  if (searchCheck.statusCode !== 200) throw new Error(`the search page answered ${searchCheck.statusCode}`);

  const ready: Ready = {
    type: 'ready', port, coldPort, searchPath, orukPath: oruk.statusCode === 200 ? orukPath : null, generated,
    orukNearMedianMs: round(percentile(nearTimes, 50), 1),
    sql: { searchMedianMs: round(percentile(times, 50), 3), searchP95Ms: round(percentile(times, 95), 3), pageDataMedianMs: round(percentile(pageTimes, 50), 3), results: last.rows.length, total: last.total },
  };
  process.send!(ready);
  process.on('message', async (message: { type: string }) => {
    if (message.type !== 'stop') return;
    await app.close();
    await coldApp.close();
    await db.close();
    // process.exit would skip writing the CPU profile (BENCH_CPU_PROF); disconnecting lets the process end by itself.
    process.disconnect();
  });
}

// ---------------------------------------------------------------------------------------------------
// The parent: autocannon against the child, figures as JSON
// ---------------------------------------------------------------------------------------------------

interface Load { requests: number; requestsPerSec: number; p50Ms: number; p95Ms: number; p99Ms: number; errors: number; non2xx: number; bytesPerResponse: number }

async function load(url: string, duration: number, connections = CONNECTIONS): Promise<Load> {
  const latencies: number[] = [];
  let bytes = 0;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({ url, connections, duration, pipelining: 1, timeout: 60 }, (err, res) => (err ? reject(err) : resolve(res)));
    instance.on('response', (_client, _status, resBytes, responseTime) => {
      latencies.push(responseTime);
      bytes += resBytes;
    });
  });
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length, requestsPerSec: round(result.requests.average, 1),
    p50Ms: round(percentile(latencies, 50)), p95Ms: round(percentile(latencies, 95)), p99Ms: round(percentile(latencies, 99)),
    errors: result.errors + result.timeouts, non2xx: result.non2xx, bytesPerResponse: latencies.length ? Math.round(bytes / latencies.length) : 0,
  };
}

/** Waits until the server has answered everything still queued from the last run (autocannon stops sending, not the server working). */
async function settle(base: string): Promise<void> {
  const until = Date.now() + 60_000;
  while (Date.now() < until) {
    const t0 = performance.now();
    await fetch(`${base}/healthz`).then((r) => r.text()).catch(() => undefined);
    if (performance.now() - t0 < 20) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function runEngine(engine: Engine) {
  const execArgv = [...process.execArgv, ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [])];
  const child: ChildProcess = fork(process.argv[1]!, ['--serve', engine], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv });
  const ready = await new Promise<Ready>((resolve, reject) => {
    child.once('message', (m) => resolve(m as Ready));
    child.once('exit', (code) => reject(new Error(`the ${engine} server exited (${code}) before it was ready`)));
  });
  try {
    const base = `http://127.0.0.1:${ready.port}`;
    const none: Load = { requests: 0, requestsPerSec: NaN, p50Ms: NaN, p95Ms: NaN, p99Ms: NaN, errors: 0, non2xx: 0, bytesPerResponse: 0 };
    let search = none;
    let alone = none;
    let cold = none;
    let coldAlone = none;
    if (TARGETS.has('search')) {
      await load(`${base}${ready.searchPath}`, 3); // warm-up
      await settle(base);
      search = await load(`${base}${ready.searchPath}`, DURATION);
      await settle(base);
      // One connection: the time of a request on its own, without waiting behind 49 others.
      alone = await load(`${base}${ready.searchPath}`, Math.min(10, DURATION), 1);
      await settle(base);
    }
    if (TARGETS.has('cold')) {
      // The same, with nothing kept: every request runs the search and renders the page.
      const coldBase = `http://127.0.0.1:${ready.coldPort}`;
      cold = await load(`${coldBase}${ready.searchPath}`, DURATION);
      await settle(coldBase);
      coldAlone = await load(`${coldBase}${ready.searchPath}`, Math.min(10, DURATION), 1);
      await settle(coldBase);
    }
    const health = await load(`${base}/healthz`, Math.min(5, DURATION));
    await settle(base);
    const oruk = ready.orukPath && TARGETS.has('oruk') ? await load(`${base}${ready.orukPath}`, Math.min(10, DURATION)) : null;
    return {
      engine, services: ready.generated.services, locations: Math.floor(ready.generated.services * 1.5), generatedInSeconds: ready.generated.seconds,
      search: {
        path: ready.searchPath.replace(/category=[^&]+/, 'category=<food>'), connections: CONNECTIONS, durationSeconds: DURATION,
        resultsOnPage: ready.sql.results, matching: ready.sql.total, http: { ...search, msPerRequestAtSaturation: round(1000 / search.requestsPerSec, 2) },
        sqlMedianMs: ready.sql.searchMedianMs, sqlP95Ms: ready.sql.searchP95Ms, pageDataMedianMs: ready.sql.pageDataMedianMs,
        ratioHttpP50ToSqlP50: round(search.p50Ms / ready.sql.searchMedianMs, 1),
        oneConnection: { p50Ms: alone.p50Ms, p95Ms: alone.p95Ms, requestsPerSec: alone.requestsPerSec, ratioHttpP50ToSqlP50: round(alone.p50Ms / ready.sql.searchMedianMs, 1) },
        nothingKept: {
          http: cold, ratioHttpP50ToSqlP50: round(cold.p50Ms / ready.sql.searchMedianMs, 1),
          oneConnection: { p50Ms: coldAlone.p50Ms, p95Ms: coldAlone.p95Ms, requestsPerSec: coldAlone.requestsPerSec, ratioHttpP50ToSqlP50: round(coldAlone.p50Ms / ready.sql.searchMedianMs, 1) },
        },
        target: { p95Ms: engine === 'postgres' ? 25 : 60, met: search.p95Ms <= (engine === 'postgres' ? 25 : 60) },
      },
      healthz: { p50Ms: health.p50Ms, p95Ms: health.p95Ms, requestsPerSec: health.requestsPerSec },
      orukServicesNearPostcode: { path: '/api/oruk/services?postcode=LS1 1UR&proximity=5000', oneAtATimeNothingKeptMedianMs: ready.orukNearMedianMs },
      orukService: oruk ? { path: '/api/oruk/services/{id}', ...oruk, target: { p95Ms: 10, met: oruk.p95Ms <= 10 } } : 'not measured: GET /api/oruk/services/{id} is not available',
    };
  } finally {
    child.send({ type: 'stop' });
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

async function main(): Promise<void> {
  if (process.argv[2] === '--serve') return serve(process.argv[3] as Engine);
  const wanted = (process.env.BENCH_ENGINES ?? 'pglite,postgres').split(',').map((s) => s.trim()) as Engine[];
  const engines = wanted.filter((e) => e === 'pglite' || (e === 'postgres' && process.env.DATABASE_URL));
  const results = [];
  const loadBefore = loadavg().map((n) => round(n, 1));
  for (const engine of engines) results.push(await runEngine(engine));
  console.log(JSON.stringify({
    benchmark: 'directory-search', node: process.version, cpus: cpus().length,
    loadAverage: { before: loadBefore, after: loadavg().map((n) => round(n, 1)) },
    note: `HTTP figures are for ${CONNECTIONS} concurrent connections (closed loop: each sends its next request when the last is answered) against one Node `
      + 'process on the same machine as the database and autocannon, so latency = connections / throughput once the server is saturated',
    results,
    ...(process.env.DATABASE_URL ? {} : { postgres: 'not measured: set DATABASE_URL' }),
  }, null, 2));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
