/**
 * Import of an Open Referral UK 3.0 feed: how long `commonground import oruk` takes for a directory of
 * ORUK_BENCH_SERVICES services (default 100,000), served page by page (1,000 a page) from a local HTTP server,
 * each service fully nested: its organisation (one per 8 services), one or two locations with an address
 * (150,000 locations for 100,000 services), two schedules, a contact with a phone, a cost option, a language,
 * a service area and two taxonomy terms.
 *
 *   node --import tsx bench/oruk-import.ts                       PGlite (on disk, in a temporary folder)
 *   DATABASE_URL=postgres://… node --import tsx bench/oruk-import.ts   PGlite, then PostgreSQL (a fresh schema, dropped after)
 *   ORUK_BENCH_SERVICES=10000 …                                  a smaller directory
 *   ORUK_BENCH_ENGINES=pglite|postgres|both                      which engines
 *   ORUK_BENCH_REIMPORT=1                                         then import the same feed again (every record updated,
 *                                                                 every part replaced) and time that too
 *
 * Prints one JSON object per engine: {engine, services, seconds, rows, rows_per_second, read_seconds, write_seconds,
 * write_stages (seconds per stage of the write, the last, "details", up to the end of the import), …}. The target is
 * 100,000 services in under 60 seconds.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { openDatabase, type Database } from '../src/platform/db/index.js';
import { migrate } from '../src/platform/db/migrate.js';
import { systemClock } from '../src/platform/clock.js';
import { OrukImportService } from '../src/directory/oruk/import/importer.js';
import { DEFAULT_IMPORT_LIMITS } from '../src/platform/config.js';

const SERVICES = Number(process.env.ORUK_BENCH_SERVICES ?? 100_000);
const PER_PAGE = 1000;
const REIMPORT = process.env.ORUK_BENCH_REIMPORT === '1';
const engines = (process.env.ORUK_BENCH_ENGINES ?? (process.env.DATABASE_URL ? 'both' : 'pglite')) as 'pglite' | 'postgres' | 'both';
if (!Number.isInteger(SERVICES) || SERVICES < 1) throw new Error('ORUK_BENCH_SERVICES must be a whole number of at least 1');

const uuid = (kind: number, i: number) => `${kind.toString(16).padStart(8, '0')}-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
const TOWNS = ['Riverside', 'Northfield', 'Eastbrook', 'Westmoor', 'Southwold', 'Hillcrest', 'Millbank', 'Oakridge'];
const NEEDS = ['Food', 'Debt advice', 'Benefits', 'Housing', 'Mental health', 'Befriending', 'Transport', 'Digital skills', 'Employment', 'Carers support'];
const TERMS = 50;

/** A well-spread number in [0, 1) for venue n: venues sit across England, not on a few points. */
const spread = (n: number, salt: number) => {
  const x = Math.sin(n * 12.9898 + salt * 78.233) * 43758.5453;
  return x - Math.floor(x);
};

function service(i: number) {
  const org = Math.floor(i / 8);
  const town = TOWNS[i % TOWNS.length]!;
  const need = NEEDS[i % NEEDS.length]!;
  // 150,000 locations for 100,000 services: every service has its own venue, every other one a second
  const locations = [i, ...(i % 2 === 0 ? [SERVICES + i / 2] : [])];
  return {
    id: uuid(1, i), name: `${need} service ${i}`, status: 'active', url: `https://services.example/${i}`, email: `service${i}@services.example`,
    description: `${need} for people in ${town}: drop in, call, or ask a friend to refer you. We help with forms, letters and what to do next, in confidence.`,
    minimum_age: i % 3 === 0 ? 18 : 0, maximum_age: 120, last_modified: '2024-05-01T09:00:00.000Z',
    organization: { id: uuid(2, org), name: `${town} Community Trust ${org}`, description: `A charity working across ${town}.`, email: `info${org}@trust.example`, website: `https://trust${org}.example` },
    schedules: [
      { id: uuid(3, i * 2), freq: 'WEEKLY', interval: 1, byday: 'MO', opens_at: '09:00:00', closes_at: '12:30:00' },
      { id: uuid(3, i * 2 + 1), freq: 'WEEKLY', interval: 1, byday: 'TH', opens_at: '13:00:00', closes_at: '16:00:00' },
    ],
    service_at_locations: locations.map((l) => ({
      id: uuid(4, l), location: {
        id: uuid(5, l), location_type: 'physical', name: `${town} Venue ${l}`, latitude: 50.5 + 4 * spread(l, 1), longitude: -4 + 4.5 * spread(l, 2),
        addresses: [{ id: uuid(6, l), address_1: `${l % 200} High Street`, city: town, state_province: 'England', postal_code: `RV${l % 9} ${l % 10}AB`, country: 'GB', address_type: 'physical' }],
      },
    })),
    contacts: [{ id: uuid(7, i), name: `Contact ${i}`, title: 'Coordinator', phones: [{ id: uuid(8, i), number: `01632 ${String(100000 + (i % 900000)).slice(0, 6)}` }] }],
    cost_options: [{ id: uuid(9, i), option: 'Per session', amount: i % 4 === 0 ? 0 : 3.5, amount_description: 'Pay what you can' }],
    languages: [{ id: uuid(10, i), name: 'English', code: 'en' }],
    service_areas: [{ id: uuid(11, i), name: town, service_area: `${town} and nearby` }],
    attributes: [0, 1].map((k) => {
      const term = (i + k * 7) % TERMS;
      return { id: uuid(12, i * 2 + k), link_type: 'service_type', taxonomy_term: { id: uuid(13, term), name: `Term ${term}`, description: `Services of kind ${term}`, taxonomy: 'Bench Service Types' } };
    }),
  };
}

function page(n: number) {
  const totalPages = Math.ceil(SERVICES / PER_PAGE);
  const from = (n - 1) * PER_PAGE;
  const contents = Array.from({ length: Math.max(0, Math.min(PER_PAGE, SERVICES - from)) }, (_, k) => service(from + k));
  return { total_items: SERVICES, total_pages: totalPages, page_number: n, size: PER_PAGE, first_page: n === 1, last_page: n >= totalPages, empty: contents.length === 0, contents };
}

async function countRows(db: Database, lioId: string): Promise<number> {
  const tables = ['organisations', 'services', 'locations', 'service_at_locations', 'schedules', 'contacts', 'phones', 'cost_options', 'languages', 'service_areas', 'attributes', 'taxonomies', 'taxonomy_terms', 'service_delivery_changes'];
  return db.withTenant(lioId, async (tx) => {
    let total = 0;
    for (const t of tables) total += Number((await sql<{ n: number }>`select count(*)::int as n from ${sql.table(t)}`.execute(tx)).rows[0]!.n);
    return total;
  });
}

async function run(engine: 'pglite' | 'postgres', feedUrl: string) {
  const dir = await mkdtemp(path.join(tmpdir(), 'cg-oruk-bench-'));
  const schema = engine === 'postgres' ? `bench_${randomBytes(5).toString('hex')}` : null;
  const databaseUrl = engine === 'postgres' ? process.env.DATABASE_URL! : null;
  if (schema && databaseUrl) {
    const boot = await openDatabase({ databaseUrl, dataDir: '', databaseSchema: null, appDbRole: 'commonground_app' });
    await sql.raw(`create schema ${schema}`).execute(boot.system);
    await boot.close();
  }
  const db = await openDatabase({ databaseUrl, dataDir: path.join(dir, 'data'), databaseSchema: schema, appDbRole: 'commonground_app' });
  try {
    await migrate(db);
    const lio = await db.system.insertInto('lios').values({ slug: 'bench', name: 'Bench LIO', is_default: true }).returning('id').executeTakeFirstOrThrow();
    const importer = new OrukImportService({ db, clock: systemClock, limits: { ...DEFAULT_IMPORT_LIMITS, allowPrivateAddresses: true } });
    let fetchDone = 0;
    let fetchSeconds = 0;
    // seconds from the start of each stage of the write ("Writing locations", …) to the start of the next
    const stages: Record<string, number> = {};
    let stage: { name: string; at: number } | null = null;
    const stageEnds = (at: number) => { if (stage) stages[stage.name] = Number((((stages[stage.name] ?? 0) * 1000 + at - stage.at) / 1000).toFixed(2)); };
    const started = performance.now();
    const report = await importer.importOruk('operator', lio.id, { kind: 'url', url: feedUrl }, {
      onProgress: (p) => {
        if (p.stage === 'fetch') { fetchDone = p.done; fetchSeconds = (performance.now() - started) / 1000; }
        if (p.stage === 'write' && p.message.replace(/^Writing /, '') !== stage?.name) {
          const at = performance.now();
          stageEnds(at);
          stage = { name: p.message.replace(/^Writing /, ''), at };
        }
        if (process.env.ORUK_BENCH_VERBOSE) process.stderr.write(`${((performance.now() - started) / 1000).toFixed(1)}s ${p.stage} ${p.message}\n`);
      },
    });
    const seconds = (performance.now() - started) / 1000;
    stageEnds(performance.now());
    if (report.status !== 'completed') throw new Error(`the import was rejected: ${report.message} ${JSON.stringify(report.issues.slice(0, 5))}`);
    const rows = await countRows(db, lio.id);
    let reimport: { seconds: number; services_updated: number; rows: number } | null = null;
    if (REIMPORT) {
      const again = performance.now();
      const second = await importer.importOruk('operator', lio.id, { kind: 'url', url: feedUrl });
      const seconds = (performance.now() - again) / 1000;
      if (second.status !== 'completed') throw new Error(`the re-import was rejected: ${second.message}`);
      reimport = { seconds: Number(seconds.toFixed(2)), services_updated: second.counts.services.updated, rows: await countRows(db, lio.id) };
    }
    return {
      engine, services: report.counts.services.created, seconds: Number(seconds.toFixed(2)), rows, rows_per_second: Math.round(rows / seconds),
      services_per_second: Math.round(report.counts.services.created / seconds), pages: fetchDone, read_seconds: Number(fetchSeconds.toFixed(2)),
      write_seconds: Number((seconds - fetchSeconds).toFixed(2)), write_stages: stages, locations: report.counts.locations.created, organisations: report.counts.organisations.created,
      target_seconds: 60, within_target: SERVICES >= 100_000 ? seconds < 60 : null, ...(reimport ? { reimport } : {}),
    };
  } finally {
    if (schema) await sql.raw(`drop schema ${schema} cascade`).execute(db.system).catch(() => undefined);
    await db.close();
    await rm(dir, { recursive: true, force: true });
  }
}

// The feed's pages are made before the clock starts, so what is timed is the import, not the making of the feed
// (which would otherwise share this process, and its CPU, with the importer).
const pages = Array.from({ length: Math.ceil(SERVICES / PER_PAGE) }, (_, k) => Buffer.from(JSON.stringify(page(k + 1))));
const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://bench');
  const body = url.pathname === '/oruk/services' ? pages[Number(url.searchParams.get('page') ?? '1') - 1] : undefined;
  if (!body) { res.writeHead(404).end(); return; }
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(body);
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const feedUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/oruk/services`;
try {
  const which: ('pglite' | 'postgres')[] = engines === 'both' ? ['pglite', 'postgres'] : [engines];
  if (which.includes('postgres') && !process.env.DATABASE_URL) throw new Error('ORUK_BENCH_ENGINES=postgres needs DATABASE_URL');
  for (const engine of which) console.log(JSON.stringify(await run(engine, feedUrl)));
} finally {
  server.close();
}
