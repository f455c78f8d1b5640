/**
 * `npm run bench`: requests per second and p50/p99 latency of
 *   bare     a bare Fastify handler (the yardstick, measured in the same run)
 *   healthz  GET /healthz of the Common Ground app
 *   home     GET / signed in (an admin's session cookie)
 * each also as a ratio to the bare handler, on PGlite and/or PostgreSQL. Prints JSON on stdout.
 *
 * Settings (environment):
 *   BENCH_ENGINES      pglite | postgres | both   (default: postgres when DATABASE_URL is set, else pglite;
 *                      `npm run bench -- --both` is the same as both)
 *   BENCH_DURATION     seconds per measurement (default 5)
 *   BENCH_CONNECTIONS  concurrent connections (default 10)
 *   BENCH_REPEATS      measurements per target; the median is reported (default 3)
 *   BENCH_WARMUP       seconds of unrecorded warm-up per target (default 1)
 *   BENCH_LOG_LEVEL    the app's log level while measured (default silent)
 * Everything listens on 127.0.0.1 only. PGlite runs in a temporary directory; PostgreSQL in a fresh
 * schema of DATABASE_URL, dropped afterwards.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import pg from 'pg';

type Engine = 'pglite' | 'postgres';
type TargetName = 'bare' | 'healthz' | 'home';

interface Measurement { rps: number; p50: number; p99: number; requests: number; non2xx: number; errors: number }
interface Summary { rps: number; p50_ms: number; p99_ms: number; runs: Measurement[]; vs_bare?: { rps: number; p50: number; p99: number } }

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');

function intSetting(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be a whole number from ${min} to ${max}`);
  return n;
}

const settings = {
  durationSeconds: intSetting('BENCH_DURATION', 5, 1, 120),
  connections: intSetting('BENCH_CONNECTIONS', 10, 1, 200),
  repeats: intSetting('BENCH_REPEATS', 3, 1, 15),
  warmupSeconds: intSetting('BENCH_WARMUP', 1, 0, 30),
};

function engines(): Engine[] {
  const wanted = process.argv.includes('--both') ? 'both' : (process.env.BENCH_ENGINES ?? (process.env.DATABASE_URL ? 'postgres' : 'pglite'));
  const list: Engine[] = wanted === 'both' ? ['pglite', 'postgres'] : wanted === 'pglite' || wanted === 'postgres' ? [wanted] : [];
  if (list.length === 0) throw new Error('BENCH_ENGINES must be pglite, postgres or both');
  if (list.includes('postgres') && !process.env.DATABASE_URL) throw new Error('PostgreSQL needs DATABASE_URL');
  return list;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const round = (n: number, places = 2) => Math.round(n * 10 ** places) / 10 ** places;

interface Server { child: ChildProcess; info: { url: string; cookie?: string; engine?: string; homeBytes?: number } }

function startTarget(kind: 'bare' | 'app', env: NodeJS.ProcessEnv): Promise<Server> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'server.ts'), kind], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`${kind} target did not start:\n${err}`)); }, 180_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) {
        clearTimeout(timer);
        resolve({ child, info: JSON.parse(line) as Server['info'] });
      }
    });
    child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`${kind} target exited (${code}):\n${err}`)); });
  });
}

function stop(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (server.child.exitCode !== null) return resolve();
    const force = setTimeout(() => server.child.kill('SIGKILL'), 10_000);
    server.child.removeAllListeners('exit');
    server.child.on('exit', () => { clearTimeout(force); resolve(); });
    server.child.kill('SIGTERM');
  });
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** autocannon's own percentiles are whole milliseconds; each response's time (hrtime, in ms) gives finer ones. */
async function measure(url: string, headers: Record<string, string>, seconds: number): Promise<Measurement> {
  const times: number[] = [];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({ url, connections: settings.connections, duration: seconds, headers }, (err: unknown, res: autocannon.Result) => (err ? reject(err) : resolve(res)));
    instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
      if (statusCode >= 200 && statusCode < 300) times.push(responseTime);
    });
  });
  times.sort((a, b) => a - b);
  return {
    rps: result.requests.average, p50: round(percentile(times, 50), 3), p99: round(percentile(times, 99), 3),
    requests: result.requests.total, non2xx: result.non2xx, errors: result.errors + result.timeouts,
  };
}

async function benchEngine(engine: Engine): Promise<Record<TargetName, Summary> & { home_page_bytes?: number }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cg-bench-'));
  const schema = engine === 'postgres' ? `bench_${randomBytes(5).toString('hex')}` : null;
  const base: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['DATABASE_URL', 'DATABASE_SCHEMA', 'DATA_DIR', 'PORT', 'HOST', 'SMTP_URL', 'NODE_ENV']) delete base[k];
  const appEnv: NodeJS.ProcessEnv = engine === 'postgres'
    ? { ...base, DATABASE_URL: process.env.DATABASE_URL, DATABASE_SCHEMA: schema! }
    : { ...base, DATA_DIR: path.join(dir, 'data') };
  if (schema) {
    const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    await client.query(`create schema ${schema}`);
    await client.end();
  }
  const servers: Server[] = [];
  try {
    const bare = await startTarget('bare', base);
    servers.push(bare);
    const app = await startTarget('app', appEnv);
    servers.push(app);
    const targets: { name: TargetName; url: string; headers: Record<string, string> }[] = [
      { name: 'bare', url: `${bare.info.url}/`, headers: {} },
      { name: 'healthz', url: `${app.info.url}/healthz`, headers: {} },
      { name: 'home', url: `${app.info.url}/`, headers: { cookie: app.info.cookie! } },
    ];
    if (settings.warmupSeconds > 0) for (const t of targets) await measure(t.url, t.headers, settings.warmupSeconds);
    const runs: Record<TargetName, Measurement[]> = { bare: [], healthz: [], home: [] };
    // Interleaved, so that a drift in the machine's load touches every target alike.
    for (let r = 0; r < settings.repeats; r++) {
      for (const t of targets) {
        const m = await measure(t.url, t.headers, settings.durationSeconds);
        if (m.non2xx > 0 || m.errors > 0) throw new Error(`${engine} ${t.name}: ${m.non2xx} non-2xx responses and ${m.errors} errors`);
        runs[t.name].push(m);
        process.stderr.write(`${engine} ${t.name} run ${r + 1}: ${round(m.rps, 0)} req/s, p50 ${m.p50} ms, p99 ${m.p99} ms\n`);
      }
    }
    const summary = (name: TargetName): Summary => ({
      rps: round(median(runs[name].map((m) => m.rps)), 0),
      p50_ms: median(runs[name].map((m) => m.p50)),
      p99_ms: median(runs[name].map((m) => m.p99)),
      runs: runs[name].map((m) => ({ ...m, rps: round(m.rps, 0) })),
    });
    const out = { bare: summary('bare'), healthz: summary('healthz'), home: summary('home'), home_page_bytes: app.info.homeBytes };
    for (const name of ['healthz', 'home'] as const) {
      out[name].vs_bare = {
        rps: round(out[name].rps / out.bare.rps, 3),
        p50: round(out[name].p50_ms / out.bare.p50_ms, 2),
        p99: round(out[name].p99_ms / out.bare.p99_ms, 2),
      };
    }
    return out;
  } finally {
    for (const s of servers) await stop(s);
    if (schema) {
      const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
      await client.connect();
      await client.query(`drop schema if exists ${schema} cascade`);
      await client.end();
    }
    await rm(dir, { recursive: true, force: true });
  }
}

async function main() {
  const list = engines();
  const startedAt = new Date().toISOString();
  const load = loadavg();
  const results: Record<string, unknown> = {};
  for (const engine of list) results[engine] = await benchEngine(engine);
  console.log(JSON.stringify({
    benchmark: 'common-ground foundation',
    startedAt,
    settings: { ...settings, engines: list, loopbackOnly: true },
    machine: { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model, loadAverageAtStart: load.map((l) => round(l, 2)) },
    notes: 'rps = median of requests per second over the runs; p50_ms / p99_ms = median latency percentiles in ms; vs_bare = ratio to the bare Fastify handler in the same run (rps: fraction of the bare throughput, p50/p99: times the bare latency)',
    results,
  }, null, 2));
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
