/**
 * A large Open Referral file imported by the web process: whether the process keeps answering while it imports, and
 * how much memory the import takes. The app listens on a port (PGlite in a temporary folder); a separate process
 * asks /healthz every 50 ms throughout; the import of one ORUK JSON file of ORUK_BENCH_MB megabytes (default 200)
 * runs in the app's process, as one started from /admin/imports does.
 *
 *   node --import tsx bench/oruk-import-large.ts
 *   ORUK_BENCH_MB=20 node --import tsx bench/oruk-import-large.ts
 *
 * Prints one JSON object: {megabytes, services, status, seconds, healthz_ms: {p50, p99, max, answers}, peak_rss_mb}.
 * Targets: /healthz within 100 ms throughout, peak RSS under 500 MB.
 */
import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/platform/config.js';
import { openDatabase } from '../src/platform/db/index.js';
import { migrate } from '../src/platform/db/migrate.js';
import { systemClock } from '../src/platform/clock.js';
import { OrukImportService } from '../src/directory/oruk/import/importer.js';

const MEGABYTES = Number(process.env.ORUK_BENCH_MB ?? 200);
if (!(MEGABYTES > 0)) throw new Error('ORUK_BENCH_MB must be a number of megabytes above 0');

/** Services of about 1.3 kB each, until the file is the size asked for. */
function feedText(bytes: number): { text: string; services: number } {
  const parts: string[] = [];
  let size = 2;
  let i = 0;
  while (size < bytes) {
    const id = `00000001-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
    const org = `00000002-0000-4000-8000-${Math.floor(i / 8).toString(16).padStart(12, '0')}`;
    const part = JSON.stringify({
      id, name: `Service ${i}`, status: 'active', description: `Help for people in Riverside, service number ${i}: drop in, call, or ask a friend to refer you. `.repeat(4),
      organization: { id: org, name: `Riverside Trust ${Math.floor(i / 8)}`, description: 'A charity.' },
      schedules: [{ id: `00000003-0000-4000-8000-${i.toString(16).padStart(12, '0')}`, freq: 'WEEKLY', byday: 'MO,WE', opens_at: '09:00', closes_at: '17:00' }],
      contacts: [{ id: `00000004-0000-4000-8000-${i.toString(16).padStart(12, '0')}`, name: 'Reception', phones: [{ number: '01632 960000' }] }],
    });
    parts.push(part);
    size += part.length + 1;
    i++;
  }
  return { text: `[${parts.join(',')}]`, services: i };
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

const dir = await mkdtemp(path.join(tmpdir(), 'oruk-large-'));
const config = loadConfig({ LOG_LEVEL: 'silent', DATA_DIR: path.join(dir, 'data') }, { worker: { pollMs: 1000, enabled: false } });
const db = await openDatabase(config);
await migrate(db);
const app = await buildApp({ config, db, clock: systemClock });
try {
  await app.listen({ port: 0, host: '127.0.0.1' });
  const lio = await db.system.selectFrom('lios').select('id').executeTakeFirst()
    ?? await db.system.insertInto('lios').values({ slug: 'bench', name: 'Bench LIO', is_default: true }).returning('id').executeTakeFirstOrThrow();
  const feed = feedText(MEGABYTES * 1024 * 1024);
  const poller = spawn(process.execPath, ['-e', POLLER, `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/healthz`], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  poller.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  await new Promise((resolve) => setTimeout(resolve, 500));
  const t0 = performance.now();
  const report = await new OrukImportService({ db, clock: systemClock, limits: config.imports })
    .importOruk('operator', lio.id, { kind: 'files', files: [{ name: 'large.json', text: feed.text }] });
  const seconds = (performance.now() - t0) / 1000;
  poller.stdin.write('stop');
  await new Promise((resolve) => poller.on('close', resolve));
  const times = (JSON.parse(out || '[]') as number[]).sort((a, b) => a - b);
  const at = (q: number) => Number((times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? NaN).toFixed(1));
  console.log(JSON.stringify({
    megabytes: MEGABYTES, services: feed.services, status: report.status, message: report.message, seconds: Number(seconds.toFixed(1)),
    healthz_ms: { p50: at(0.5), p99: at(0.99), max: at(1), answers: times.length },
    peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
  }));
} finally {
  await app.close();
  await db.close();
  await rm(dir, { recursive: true, force: true });
}
