/**
 * A large Open Referral file imported by the web process: whether the process keeps answering while it imports, and
 * how much memory the import takes. For each engine and size, one ORUK JSON file of that many megabytes (services of
 * about 1.3 kB, each with its organisation, a schedule and a contact) is written to disk, then, each in a process of
 * its own so that its peak memory is its own:
 *
 * - the import: the app listens on a port (PGlite in a temporary folder, or a fresh schema of DATABASE_URL), a
 *   separate process asks /healthz every 50 ms throughout, and the file is imported in the app's process, as the
 *   job an upload on /admin/imports queues does (the same source: a file on disk, read as a stream);
 * - the bare parse: the same file streamed and read into records, with no database.
 *
 *   node --import tsx bench/oruk-import-large.ts                       20 and 200 MB on PGlite (and PostgreSQL with DATABASE_URL)
 *   ORUK_BENCH_MB=20 ORUK_BENCH_ENGINES=pglite node --import tsx bench/oruk-import-large.ts
 *
 * Prints one JSON object per engine and size: {engine, megabytes, services, status, seconds, healthz_ms: {p50, p99, max,
 * answers}, rss_before_mb, peak_rss_mb (sampled while the import runs), rss_growth_mb, process_max_rss_mb (the process's
 * high-water mark, which on PGlite its migrations set), parse: {seconds, rss_before_mb, peak_rss_mb}, ratio_to_parse}.
 * Targets: /healthz within 100 ms throughout, peak RSS under 500 MB.
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/platform/config.js';
import { openDatabase } from '../src/platform/db/index.js';
import { migrate } from '../src/platform/db/migrate.js';
import { systemClock } from '../src/platform/clock.js';
import { OrukImportService, BATCH_RECORDS } from '../src/directory/oruk/import/importer.js';
import { streamJsonRecords } from '../src/directory/oruk/import/stream.js';
import { JsonReader } from '../src/directory/oruk/import/json.js';
import { ImportSet } from '../src/directory/oruk/import/model.js';

const SELF = fileURLToPath(import.meta.url);
const mb = (bytes: number) => Math.round(bytes / (1024 * 1024));

/**
 * The process's resident memory sampled every 50 ms while `work` runs: its peak, and what it held before. (The
 * process's own high-water mark is not used: on PGlite it is set by the migrations, before any import.)
 */
async function sampled<T>(work: () => Promise<T>): Promise<{ result: T; rss_before_mb: number; peak_rss_mb: number }> {
  const before = process.memoryUsage().rss;
  let peak = before;
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 50);
  try {
    const result = await work();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { result, rss_before_mb: mb(before), peak_rss_mb: mb(peak) };
  } finally {
    clearInterval(timer);
  }
}

/** Services of about 1.3 kB each, written a piece at a time until the file is the size asked for. */
async function writeFeed(file: string, bytes: number): Promise<number> {
  const out = createWriteStream(file);
  let size = 1;
  let i = 0;
  out.write('[');
  while (size < bytes) {
    const id = `00000001-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
    const org = `00000002-0000-4000-8000-${Math.floor(i / 8).toString(16).padStart(12, '0')}`;
    const part = (i ? ',' : '') + JSON.stringify({
      id, name: `Service ${i}`, status: 'active', description: `Help for people in Riverside, service number ${i}: drop in, call, or ask a friend to refer you. `.repeat(4),
      organization: { id: org, name: `Riverside Trust ${Math.floor(i / 8)}`, description: 'A charity.' },
      schedules: [{ id: `00000003-0000-4000-8000-${i.toString(16).padStart(12, '0')}`, freq: 'WEEKLY', byday: 'MO,WE', opens_at: '09:00', closes_at: '17:00' }],
      contacts: [{ id: `00000004-0000-4000-8000-${i.toString(16).padStart(12, '0')}`, name: 'Reception', phones: [{ number: '01632 960000' }] }],
    });
    if (!out.write(part)) await once(out, 'drain');
    size += part.length;
    i++;
  }
  out.end(']');
  await finished(out);
  return i;
}

/** A separate process that asks /healthz every 50 ms until told to stop, then prints the answer times. */
const POLLER = `
const http = require('node:http');
const times = [];
let stop = false;
process.stdin.on('data', () => { stop = true; });
const ask = () => {
  if (stop) { process.stdout.write(JSON.stringify(times)); process.exit(0); }
  const t0 = performance.now();
  http.get(process.argv[1], (res) => { res.resume(); res.on('end', () => { times.push(performance.now() - t0); setTimeout(ask, 50); }); })
    .on('error', () => { times.push(Infinity); setTimeout(ask, 50); });
};
ask();
`;

/** The bare parse: the file streamed and read into records, a batch at a time, and nothing written. */
async function parseOnly(file: string) {
  const t0 = performance.now();
  let set = new ImportSet();
  let reader = new JsonReader(set);
  let records = 0;
  const { rss_before_mb, peak_rss_mb } = await sampled(() => streamJsonRecords(file, async (items, oneZero) => {
    for (const item of items) {
      reader.add(item, { oneZero, source: 'large.json' });
      records++;
      if (set.services.size + set.organisations.size >= BATCH_RECORDS) { set = new ImportSet(); reader = new JsonReader(set); }
    }
  }));
  return { records, seconds: Number(((performance.now() - t0) / 1000).toFixed(1)), rss_before_mb, peak_rss_mb };
}

async function importWhileAnswering(engine: 'pglite' | 'postgres', file: string) {
  const dir = await mkdtemp(path.join(tmpdir(), 'oruk-large-'));
  const databaseUrl = engine === 'postgres' ? process.env.DATABASE_URL! : null;
  const schema = engine === 'postgres' ? `bench_${randomBytes(5).toString('hex')}` : null;
  if (schema && databaseUrl) {
    const boot = await openDatabase({ databaseUrl, dataDir: '', databaseSchema: null, appDbRole: 'commonground_app' });
    await sql.raw(`create schema ${schema}`).execute(boot.system);
    await boot.close();
  }
  const config = loadConfig({ LOG_LEVEL: 'silent', DATA_DIR: path.join(dir, 'data') }, { worker: { pollMs: 1000, enabled: false } });
  const db = await openDatabase({ databaseUrl, dataDir: path.join(dir, 'data'), databaseSchema: schema, appDbRole: 'commonground_app' });
  await migrate(db);
  const app = await buildApp({ config, db, clock: systemClock });
  try {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const lio = await db.system.insertInto('lios').values({ slug: `bench-${randomBytes(3).toString('hex')}`, name: 'Bench LIO', is_default: false }).returning('id').executeTakeFirstOrThrow();
    const poller = spawn(process.execPath, ['-e', POLLER, `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/healthz`], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    poller.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const t0 = performance.now();
    const { result: report, rss_before_mb, peak_rss_mb } = await sampled(() => new OrukImportService({ db, clock: systemClock, limits: config.imports })
      .importOruk('operator', lio.id, { kind: 'path', path: file }));
    const seconds = (performance.now() - t0) / 1000;
    poller.stdin.write('stop');
    await new Promise((resolve) => poller.on('close', resolve));
    const times = (JSON.parse(out || '[]') as number[]).sort((a, b) => a - b);
    const at = (q: number) => Number((times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? NaN).toFixed(1));
    return {
      services: report.counts.services.created, status: report.status, message: report.message, seconds: Number(seconds.toFixed(1)),
      healthz_ms: { p50: at(0.5), p99: at(0.99), max: at(1), answers: times.length }, rss_before_mb, peak_rss_mb,
      rss_growth_mb: peak_rss_mb - rss_before_mb, process_max_rss_mb: mb(process.resourceUsage().maxRSS * 1024),
    };
  } finally {
    await app.close();
    if (schema) await sql.raw(`drop schema ${schema} cascade`).execute(db.system).catch(() => undefined);
    await db.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Runs one measure in a process of its own and reads the JSON it prints. */
async function inChild(args: string[]): Promise<Record<string, unknown>> {
  const child = spawn(process.execPath, ['--import', 'tsx', SELF, ...args], { stdio: ['ignore', 'pipe', 'inherit'], env: process.env });
  let out = '';
  child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  const [code] = await once(child, 'close') as [number];
  if (code !== 0) throw new Error(`the ${args[0]} run ended with status ${code}`);
  return JSON.parse(out.trim().split('\n').at(-1)!) as Record<string, unknown>;
}

const [mode, ...rest] = process.argv.slice(2);
if (mode === 'parse') {
  console.log(JSON.stringify(await parseOnly(rest[0]!)));
} else if (mode === 'import') {
  console.log(JSON.stringify(await importWhileAnswering(rest[0] as 'pglite' | 'postgres', rest[1]!)));
} else {
  const sizes = (process.env.ORUK_BENCH_MB ?? '20,200').split(',').map(Number);
  if (!sizes.every((n) => n > 0)) throw new Error('ORUK_BENCH_MB must be megabytes above 0, or a list of them such as 20,200');
  const engines = (process.env.ORUK_BENCH_ENGINES ?? (process.env.DATABASE_URL ? 'pglite,postgres' : 'pglite')).split(',') as ('pglite' | 'postgres')[];
  const dir = await mkdtemp(path.join(tmpdir(), 'oruk-large-feed-'));
  try {
    for (const megabytes of sizes) {
      const file = path.join(dir, `large-${megabytes}.json`);
      // (a little under: a file of 200 MB is the most an import reads by default)
      const services = await writeFeed(file, megabytes * 1024 * 1024 - 4096);
      const parse = await inChild(['parse', file]);
      for (const engine of engines) {
        const run = await inChild(['import', engine, file]);
        console.log(JSON.stringify({
          engine, megabytes, ...run, services, parse,
          ratio_to_parse: {
            seconds: Number(((run.seconds as number) / (parse.seconds as number)).toFixed(1)),
            peak_rss: Number(((run.peak_rss_mb as number) / (parse.peak_rss_mb as number)).toFixed(1)),
            rss_growth: Number(((run.rss_growth_mb as number) / Math.max(1, (parse.peak_rss_mb as number) - (parse.rss_before_mb as number))).toFixed(1)),
          },
          targets: { healthz_max_ms: 100, peak_rss_mb: 500 },
        }));
      }
      await rm(file, { force: true });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
