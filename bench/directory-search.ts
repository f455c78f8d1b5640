/**
 * Public directory search benchmark with a realistic mix of requests: thousands of distinct /find searches (words,
 * categories, postcodes, distances, open now, a second page now and then) and service ids, each drawn with a
 * skewed, Zipf-like popularity (a few searches are asked very often, most rarely), so that kept pages
 * (src/directory/published/cache.ts) help as much as they would in life and no more. Runs on PGlite and (when
 * DATABASE_URL is set) on PostgreSQL, over HTTP with autocannon, each request taking the next search of the mix.
 * The directory is made by bench/generate-directory.ts (100,000 services at 150,000 locations; BENCH_SERVICES to change).
 *
 *   node --import tsx bench/directory-search.ts
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench BENCH_ENGINES=postgres node --import tsx bench/directory-search.ts
 *
 * Measured, for each engine:
 *   kept        the mix at BENCH_CONNECTIONS connections as served (pages kept until the directory changes or the
 *               minute turns), with the share of requests answered from kept pages;
 *   uncached    the same mix against the same app keeping nothing (every request runs its search and renders its
 *               page): at BENCH_CONNECTIONS connections, and one request at a time;
 *   sql         the search query alone (searchPublished in its tenant transaction) for the same mix, in the same
 *               run, and the ratio of the one-at-a-time HTTP p50 to it;
 *   oruk        GET /api/oruk/services near a postcode (varied postcodes and radii) one at a time, keeping nothing,
 *               and GET /api/oruk/services/{id} at uniformly random published ids at BENCH_CONNECTIONS connections.
 *
 * Environment: BENCH_SERVICES (100000), BENCH_DURATION seconds per run (10), BENCH_CONNECTIONS (50),
 * BENCH_ENGINES (pglite,postgres), BENCH_SEARCHES distinct searches in the mix (4000), BENCH_ZIPF exponent (1.0),
 * BENCH_PGLITE_DIR (a folder in the temp dir, kept between runs), BENCH_PG_SCHEMA (bench_directory),
 * BENCH_REGENERATE=1 to make the directory again, BENCH_CPU_PROF (a folder: the app's process writes a V8 CPU
 * profile there). The app runs in a child process so that autocannon does not share its event loop. Prints JSON.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import { sql } from 'kysely';
import { BENCH_LIO_SLUG, CATEGORIES, TOWNS, existingDirectory, generateDirectory } from './generate-directory.js';

const SERVICES = Number(process.env.BENCH_SERVICES ?? 100_000);
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const SEARCHES = Number(process.env.BENCH_SEARCHES ?? 4000);
const ZIPF = Number(process.env.BENCH_ZIPF ?? 1.0);
const PG_SCHEMA = process.env.BENCH_PG_SCHEMA ?? 'bench_directory';
const PGLITE_DIR = process.env.BENCH_PGLITE_DIR ?? path.join(tmpdir(), 'commonground-bench-directory-pglite');
const SQL_RUNS = 400;

type Engine = 'pglite' | 'postgres';

/** One search of the mix, as a person would fill in the form. */
interface SearchSpec { q: string | null; category: string | null; postcode: string | null; distance: number; unit: 'miles' | 'km'; open: boolean; page: number }

const WORDS = ['food', 'food bank', 'debt', 'debt advice', 'benefits', 'youth club', 'dementia', 'carers', 'english', 'job', 'walking', 'lunch',
  'homeless', 'legal advice', 'transport', 'baby', 'warm', 'mental health', 'befriending', 'digital', 'pantry', 'repairs', 'refugee', 'toddler',
  'cafe', 'advice', 'shed', 'holiday', 'energy', 'tenancy', 'respite', 'memory', 'wellbeing', 'computer', 'interview', 'minibus'];
const DISTANCE_CHOICES = [1, 3, 3, 5, 5, 10, 25] as const;

/** A small deterministic generator (mulberry32), so every run draws the same mix. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Draws ranks 0 … n-1 with probability proportional to 1 / (rank + 1)^s. */
function zipf(n: number, s: number, random: () => number): () => number {
  const cumulative: number[] = [];
  let sum = 0;
  for (let k = 0; k < n; k++) cumulative.push(sum += 1 / (k + 1) ** s);
  return () => {
    const x = random() * sum;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

/** The distinct searches of the mix, most popular first: about half near a postcode, the rest by words and/or category. */
function searchMix(termIds: string[], count: number): SearchSpec[] {
  const random = seeded(7);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  // Larger towns are searched more often, as they have more people.
  const postcode = () => TOWNS[Math.min(TOWNS.length - 1, Math.floor(random() ** 1.6 * TOWNS.length))]![3];
  const seen = new Set<string>();
  const out: SearchSpec[] = [];
  for (let attempts = 0; out.length < count && attempts < count * 50; attempts++) {
    const kind = random();
    const spec: SearchSpec = { q: null, category: null, postcode: null, distance: 3, unit: 'miles', open: false, page: random() < 0.1 ? 2 : 1 };
    if (kind < 0.5) {
      spec.postcode = postcode();
      spec.distance = pick(DISTANCE_CHOICES);
      spec.unit = random() < 0.8 ? 'miles' : 'km';
      if (random() < 0.5) spec.q = pick(WORDS);
      if (random() < 0.4) spec.category = pick(termIds);
      spec.open = random() < 0.15;
    } else if (kind < 0.75) {
      spec.q = pick(WORDS);
      spec.open = random() < 0.1;
    } else if (kind < 0.92) {
      spec.category = pick(termIds);
      spec.open = random() < 0.1;
    } else {
      spec.q = pick(WORDS);
      spec.category = pick(termIds);
    }
    const key = JSON.stringify(spec);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(spec);
  }
  return out;
}

function searchPathOf(s: SearchSpec): string {
  const p = new URLSearchParams();
  if (s.q) p.set('q', s.q);
  if (s.category) p.set('category', s.category);
  if (s.postcode) {
    p.set('postcode', s.postcode);
    p.set('distance', String(s.distance));
    p.set('unit', s.unit);
  }
  if (s.open) p.set('open', 'yes');
  if (s.page > 1) p.set('page', String(s.page));
  return `/find?${p.toString()}`;
}

interface Ready {
  type: 'ready';
  port: number;
  /** the same app keeping nothing: every request does all its work */
  coldPort: number;
  searchPaths: string[];
  orukNearPaths: string[];
  serviceIds: string[];
  generated: { services: number; seconds: number | null };
  sql: { p50Ms: number; p95Ms: number; runs: number; meanResults: number; p50MsByKind: Record<string, { runs: number; p50Ms: number }> };
}

interface Counts { hits: number; misses: number }

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
  const { geocodePostcode } = await import('../src/platform/geography/geocode.js');
  const { searchPublished, termWithDescendants } = await import('../src/directory/public/repository.js');
  const { servicePublished } = await import('../src/directory/public/published.js');
  const { localNow } = await import('../src/directory/public/opening.js');
  const { UNITS, PAGE_SIZE } = await import('../src/directory/public/form.js');
  const { PublishedCache } = await import('../src/directory/published/cache.js');
  const { capabilities } = await import('../src/capabilities.js');

  // How many lookups of kept pages found one: counted around the cache's own lookup, for this bench only.
  const counts: Counts = { hits: 0, misses: 0 };
  const lookUp = PublishedCache.prototype.get;
  PublishedCache.prototype.get = function get(this: InstanceType<typeof PublishedCache>, key: string) {
    const found = lookUp.call(this, key);
    if (found) counts.hits += 1;
    else counts.misses += 1;
    return found;
  };

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
  const codes = CATEGORIES.flatMap((c) => [c.code, ...c.children.map((ch) => ch[0])]);
  const terms = await db.withTenant(lio.id, (tx) => tx.selectFrom('taxonomy_terms').select(['id', 'code']).where('code', 'in', codes).orderBy('code').execute());
  const specs = searchMix(terms.map((t) => t.id), SEARCHES);
  const searchPaths = specs.map(searchPathOf);

  // The same searches straight to the database: the results query of each page in its tenant transaction.
  const places = new Map<string, { latitude: number; longitude: number }>();
  for (const [, , , postcode] of TOWNS) {
    const found = await geocodePostcode(db, postcode);
    if (found.status !== 'found') throw new Error(`the bench postcode ${postcode} is not in the postcodes table`);
    places.set(postcode, { latitude: found.latitude, longitude: found.longitude });
  }
  const below = new Map<string, string[]>();
  for (const t of terms) below.set(t.id, await db.withTenant(lio.id, (tx) => termWithDescendants(tx, t.id)));
  const criteriaOf = (s: SearchSpec) => {
    const now = localNow(systemClock.now());
    const place = s.postcode ? places.get(s.postcode)! : null;
    return {
      text: s.q, termIds: s.category ? below.get(s.category)! : null, locality: null, deliveryModes: [], freeOnly: false, age: null,
      near: place ? { ...place, radiusM: s.distance * UNITS[s.unit] } : null,
      openAt: s.open ? { date: now.date, day: now.day, yesterday: now.yesterday, time: now.time } : null,
      limit: PAGE_SIZE, offset: (s.page - 1) * PAGE_SIZE,
    };
  };
  const draw = zipf(specs.length, ZIPF, seeded(11));
  const sqlTimes: number[] = [];
  const byKind = new Map<string, number[]>();
  let results = 0;
  for (let i = 0; i < 50 + SQL_RUNS; i++) {
    const spec = specs[draw()]!;
    const criteria = criteriaOf(spec);
    const t0 = performance.now();
    const found = await db.withTenant(lio.id, (tx) => searchPublished(tx, criteria));
    if (i >= 50) {
      const ms = performance.now() - t0;
      sqlTimes.push(ms);
      const kind = spec.postcode ? 'nearPostcode' : spec.q && spec.category ? 'wordsAndCategory' : spec.q ? 'words' : 'category';
      byKind.set(kind, [...byKind.get(kind) ?? [], ms]);
      results += found.rows.length;
    }
  }
  sqlTimes.sort((a, b) => a - b);
  const p50MsByKind = Object.fromEntries([...byKind].map(([kind, ms]) => [kind, { runs: ms.length, p50Ms: round(percentile(ms.sort((a, b) => a - b), 50), 3) }]));

  const app = await buildApp({ config, db, clock: systemClock });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.server.address() as { port: number }).port;
  const coldApp = await buildApp({ config, db, clock: systemClock, capabilities: capabilities({ directory: { keptBytes: 0 } }) });
  await coldApp.listen({ port: 0, host: '127.0.0.1' });
  const coldPort = (coldApp.server.address() as { port: number }).port;

  const serviceIds = (await db.withTenant(lio.id, (tx) => sql<{ id: string }>`select s.id from services s join organisations o on o.id = s.organisation_id
    where ${servicePublished('s', 'o')}`.execute(tx))).rows.map((r) => r.id);
  const orukNearPaths = TOWNS.flatMap(([, , , postcode]) => [1000, 3000, 5000, 10000].map((m) => `/api/oruk/services?postcode=${encodeURIComponent(postcode)}&proximity=${m}`));
  for (const url of [searchPaths[0]!, orukNearPaths[0]!, `/api/oruk/services/${serviceIds[0]}`]) {
    const check = await app.inject({ method: 'GET', url, headers: { host: '127.0.0.1' } });
    if (check.statusCode !== 200) throw new Error(`${url} answered ${check.statusCode}`);
  }

  const ready: Ready = {
    type: 'ready', port, coldPort, searchPaths, orukNearPaths, serviceIds, generated,
    sql: { p50Ms: round(percentile(sqlTimes, 50), 3), p95Ms: round(percentile(sqlTimes, 95), 3), runs: sqlTimes.length, meanResults: round(results / sqlTimes.length, 1), p50MsByKind },
  };
  process.send!(ready);
  process.on('message', async (message: { type: string }) => {
    if (message.type === 'counts') {
      process.send!({ type: 'counts', ...counts });
      counts.hits = 0;
      counts.misses = 0;
      return;
    }
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

/** Runs a load whose every request takes the next path from `next`. */
async function load(base: string, next: () => string, duration: number, connections = CONNECTIONS): Promise<Load> {
  const latencies: number[] = [];
  let bytes = 0;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({
      url: base, connections, duration, pipelining: 1, timeout: 60,
      requests: [{ method: 'GET', setupRequest: (request) => ({ ...request, path: next() }) }],
    }, (err, res) => (err ? reject(err) : resolve(res)));
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
  const keptShare = async () => {
    child.send({ type: 'counts' });
    const c = await new Promise<Counts>((resolve) => child.once('message', (m) => resolve(m as Counts)));
    return c.hits + c.misses ? round(c.hits / (c.hits + c.misses), 3) : NaN;
  };
  try {
    const base = `http://127.0.0.1:${ready.port}`;
    const coldBase = `http://127.0.0.1:${ready.coldPort}`;
    const random = seeded(23);
    const searches = zipf(ready.searchPaths.length, ZIPF, random);
    const nextSearch = () => ready.searchPaths[searches()]!;
    const nextNear = () => ready.orukNearPaths[Math.floor(random() * ready.orukNearPaths.length)]!;
    const nextService = () => `/api/oruk/services/${ready.serviceIds[Math.floor(random() * ready.serviceIds.length)]}`;

    // Kept pages as served: the mix from a cold start of the cache (the warm-up is part of what is measured).
    await keptShare();
    const kept = await load(base, nextSearch, DURATION);
    const keptShareOfRequests = await keptShare();
    await settle(base);
    // Keeping nothing: every request runs its search and renders its page.
    await load(coldBase, nextSearch, 3); // warm-up
    await settle(coldBase);
    const uncached = await load(coldBase, nextSearch, DURATION);
    await settle(coldBase);
    const uncachedAlone = await load(coldBase, nextSearch, DURATION, 1);
    await settle(coldBase);
    const orukNear = await load(coldBase, nextNear, Math.min(8, DURATION), 1);
    await settle(coldBase);
    await keptShare();
    const orukById = await load(base, nextService, DURATION);
    const orukByIdKept = await keptShare();
    await settle(base);
    const orukByIdUncached = await load(coldBase, nextService, DURATION);
    await settle(coldBase);
    return {
      engine, services: ready.generated.services, locations: Math.floor(ready.generated.services * 1.5), generatedInSeconds: ready.generated.seconds,
      mix: { distinctSearches: ready.searchPaths.length, zipfExponent: ZIPF, connections: CONNECTIONS, durationSeconds: DURATION, mostAsked: ready.searchPaths.slice(0, 3) },
      kept: { ...kept, shareServedFromKeptPages: keptShareOfRequests },
      uncached: {
        http: uncached,
        oneAtATime: uncachedAlone,
        sql: ready.sql,
        ratioHttpP50ToSqlP50: round(uncachedAlone.p50Ms / ready.sql.p50Ms, 2),
        target: { oneAtATimeP50Ms: 6, requestsPerSec: 300, met: uncachedAlone.p50Ms <= 6 && uncached.requestsPerSec >= 300 },
      },
      orukServicesNearPostcode: { oneAtATimeNothingKept: orukNear, target: { p50Ms: 10, met: orukNear.p50Ms <= 10 } },
      orukServiceByRandomId: {
        served: { ...orukById, shareServedFromKeptPages: orukByIdKept }, nothingKept: orukByIdUncached,
        target: { requestsPerSec: 2000, met: orukById.requestsPerSec >= 2000 },
      },
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
    benchmark: 'directory-search (mixed)', node: process.version, cpus: cpus().length,
    loadAverage: { before: loadBefore, after: loadavg().map((n) => round(n, 1)) },
    note: `HTTP figures are for ${CONNECTIONS} concurrent connections (closed loop: each sends its next request when the last is answered) unless `
      + '"oneAtATime", against one Node process on the same machine as the database and autocannon',
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
