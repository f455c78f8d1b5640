/**
 * 360Giving import: a file of BENCH_GRANTS grants (100,000) as the JSON package and as the spreadsheet form (.xlsx),
 * imported as the job an upload on /support/grants/import queues does (the file on disk read as a stream, every grant
 * checked against the standard's schema, upserted in one transaction, recipients matched to the register), on PGlite
 * and, with DATABASE_URL, PostgreSQL (a fresh schema). The data is skewed as real funders' files are: a few funders
 * give most grants, a few popular charities receive many, most recipients appear once, a fifth are not on the
 * register, 1 in 200 grants is to an individual (left out) and 1 in 500 has a mistake (refused on its own).
 *
 *   node --import tsx bench/grants-import.ts
 *   BENCH_GRANTS=20000 BENCH_ENGINES=pglite BENCH_FORMATS=json node --import tsx bench/grants-import.ts
 *
 * The database is made and migrated in one process; each import then runs in a process of its own on it, as a server
 * does after its first start, so that its peak memory is its own; beside it, the bare parse (the same file streamed
 * into grant objects, no checks, no database) in another. Prints one JSON object per engine and format:
 * {engine, format, grants, megabytes, first_start_rss_mb (the preparing process after initdb and the migrations),
 * import: {seconds, written, refused, individuals, matched, rss_before_mb, peak_rss_mb}, parse: {seconds, peak_rss_mb},
 * ratio_to_parse}. Targets: under 60 s, peak RSS under 500 MB.
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { sql } from 'kysely';
import ExcelJS from 'exceljs';
import { openDatabase } from '../src/platform/db/index.js';
import { migrate } from '../src/platform/db/migrate.js';
import { systemClock } from '../src/platform/clock.js';
import { importGrantsFile } from '../src/support/grants/importer.js';
import { readGrants, type GrantFormat } from '../src/support/grants/reader.js';

const SELF = fileURLToPath(import.meta.url);
const GRANTS = Number(process.env.BENCH_GRANTS ?? 100_000);
const REGISTER = 2_000;
const mb = (bytes: number) => Math.round(bytes / (1024 * 1024));

/** A fixed pseudo-random sequence, so each run reads the same file. */
function sequence(seed: number) {
  let s = seed;
  return () => { s = (s * 1103515245 + 12345) % 2147483648; return s / 2147483648; };
}
const charity = (i: number) => String(1_000_000 + i);

function grantAt(i: number, next: () => number): Record<string, unknown> {
  const funder = Math.floor(next() ** 3 * 40);
  const onRegister = next() < 0.8;
  const recipient = onRegister ? Math.floor(next() ** 2 * REGISTER) : REGISTER + i;
  const grant: Record<string, unknown> = {
    id: `360G-bench-${funder}-${i}`, title: `Grant ${i}`, description: 'Towards running costs and activities for local people.', currency: 'GBP',
    amountAwarded: i % 500 === 7 ? 'lots' : Math.round(500 + next() ** 3 * 50_000), awardDate: `20${15 + (i % 10)}-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`,
    recipientOrganization: [{ id: i % 3 === 0 ? `GB-CHC-${charity(recipient)}` : `360G-org-${recipient}`, name: `Recipient ${recipient}`, ...(i % 3 === 1 ? { charityNumber: charity(recipient) } : {}), postalCode: 'RV1 1AB' }],
    fundingOrganization: [{ id: `GB-CHC-9${String(funder).padStart(6, '0')}`, name: `Funder ${funder}` }],
    grantProgramme: [{ title: `Programme ${funder % 5}` }], beneficiaryLocation: [{ name: i % 4 === 0 ? 'Northgate' : 'Elsewhere' }],
  };
  if (i % 200 === 3) { delete grant.recipientOrganization; grant.recipientIndividual = { id: `IND-${i}`, name: 'A person' }; }
  return grant;
}

async function writeJson(file: string) {
  const out = createWriteStream(file);
  const next = sequence(7);
  out.write('{"grants": [\n');
  for (let i = 0; i < GRANTS; i++) if (!out.write(`${i ? ',\n' : ''}${JSON.stringify(grantAt(i, next))}`)) await once(out, 'drain');
  out.end(']}\n');
  await finished(out);
}

const COLUMNS: [string, (g: Record<string, unknown>) => unknown][] = [
  ['Identifier', (g) => g.id], ['Title', (g) => g.title], ['Description', (g) => g.description], ['Currency', (g) => g.currency],
  ['Amount Awarded', (g) => g.amountAwarded], ['Award Date', (g) => g.awardDate],
  ['Recipient Org:Identifier', (g) => (g.recipientOrganization as Record<string, unknown>[] | undefined)?.[0]?.id],
  ['Recipient Org:Name', (g) => (g.recipientOrganization as Record<string, unknown>[] | undefined)?.[0]?.name],
  ['Recipient Org:Charity Number', (g) => (g.recipientOrganization as Record<string, unknown>[] | undefined)?.[0]?.charityNumber],
  ['Recipient Org:Postal Code', (g) => (g.recipientOrganization as Record<string, unknown>[] | undefined)?.[0]?.postalCode],
  ['Recipient Ind:Identifier', (g) => (g.recipientIndividual as Record<string, unknown> | undefined)?.id],
  ['Funding Org:Identifier', (g) => (g.fundingOrganization as Record<string, unknown>[])[0]!.id], ['Funding Org:Name', (g) => (g.fundingOrganization as Record<string, unknown>[])[0]!.name],
  ['Grant Programme:Title', (g) => (g.grantProgramme as Record<string, unknown>[])[0]!.title], ['Beneficiary Location:Name', (g) => (g.beneficiaryLocation as Record<string, unknown>[])[0]!.name],
];

async function writeXlsx(file: string) {
  const book = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useSharedStrings: false, useStyles: false });
  const sheet = book.addWorksheet('grants');
  sheet.addRow(COLUMNS.map(([title]) => title)).commit();
  const next = sequence(7);
  for (let i = 0; i < GRANTS; i++) { const g = grantAt(i, next); sheet.addRow(COLUMNS.map(([, read]) => read(g) ?? null)).commit(); }
  sheet.commit();
  await book.commit();
}

async function sampled<T>(work: () => Promise<T>) {
  const before = process.memoryUsage().rss;
  let peak = before;
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 50);
  try {
    const t0 = performance.now();
    const result = await work();
    return { result, seconds: Number(((performance.now() - t0) / 1000).toFixed(1)), rss_before_mb: mb(before), peak_rss_mb: mb(Math.max(peak, process.memoryUsage().rss)) };
  } finally { clearInterval(timer); }
}

/**
 * In a child process: a fresh database (PGlite in a new folder, or a new PostgreSQL schema) migrated, with an LIO and a
 * register of REGISTER charities. Its own process: a first start of PGlite (initdb, then the migrations) leaves the
 * embedded engine some 180 MB larger for the rest of that process's life, which a server pays once, not at each import.
 */
async function prepare(engine: 'pglite' | 'postgres', dir: string) {
  const databaseUrl = engine === 'postgres' ? process.env.DATABASE_URL! : null;
  const schema = engine === 'postgres' ? `bench_${randomBytes(5).toString('hex')}` : null;
  if (schema && databaseUrl) {
    const boot = await openDatabase({ databaseUrl, dataDir: '', databaseSchema: null, appDbRole: 'commonground_app' });
    await sql.raw(`create schema ${schema}`).execute(boot.system);
    await boot.close();
  }
  const db = await openDatabase({ databaseUrl, dataDir: path.join(dir, 'data'), databaseSchema: schema, appDbRole: 'commonground_app' });
  try {
    await migrate(db);
    const lio = await db.system.insertInto('lios').values({ slug: `bench-${randomBytes(3).toString('hex')}`, name: 'Bench LIO', is_default: false }).returning('id').executeTakeFirstOrThrow();
    await sql`insert into organisations (lio_id, name, charity_number, areas_served, postcode, created_at, updated_at)
      select ${lio.id}, 'Register charity ' || g, (1000000 + g)::text, array['Northgate'], 'RV1 1AB', now(), now() from generate_series(0, ${REGISTER - 1}) g`.execute(db.system);
    return { lioId: lio.id, schema, first_start_rss_mb: mb(process.memoryUsage().rss) };
  } finally {
    await db.close();
  }
}

/** In a child process: the import of `file` into the prepared database, opened as a server opens its data after its first start. */
async function importOnce(engine: 'pglite' | 'postgres', file: string, format: GrantFormat, dir: string, lioId: string, schema: string | null) {
  const databaseUrl = engine === 'postgres' ? process.env.DATABASE_URL! : null;
  const db = await openDatabase({ databaseUrl, dataDir: path.join(dir, 'data'), databaseSchema: schema, appDbRole: 'commonground_app' });
  try {
    const { id } = await db.withTenant(lioId, (tx) => tx.insertInto('grant_imports').values({ lio_id: lioId, file_name: path.basename(file), format, status: 'running', created_at: new Date() }).returning('id').executeTakeFirstOrThrow());
    const run = await sampled(() => importGrantsFile({ db, clock: systemClock }, lioId, id, { file, format }));
    const { status, written, refused, individuals, matched } = run.result;
    return { seconds: run.seconds, status, written, refused, individuals, matched, rss_before_mb: run.rss_before_mb, peak_rss_mb: run.peak_rss_mb, rss_growth_mb: run.peak_rss_mb - run.rss_before_mb };
  } finally {
    if (schema) await sql.raw(`drop schema ${schema} cascade`).execute(db.system).catch(() => undefined);
    await db.close();
  }
}

async function parseOnce(file: string, format: GrantFormat) {
  let n = 0;
  const run = await sampled(() => readGrants(file, format, async (batch) => { n += batch.length; }));
  return { seconds: run.seconds, grants: n, peak_rss_mb: run.peak_rss_mb };
}

function child(args: string[]): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', SELF, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    p.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').at(-1)!)) : reject(new Error(`child exited ${code}`))));
  });
}

async function main() {
  const [mode, engine, file, format] = process.argv.slice(2);
  if (mode === '--prepare') return void console.log(JSON.stringify(await prepare(engine as 'pglite' | 'postgres', file!)));
  if (mode === '--import') {
    const [dir, lioId, schema] = process.argv.slice(6);
    return void console.log(JSON.stringify(await importOnce(engine as 'pglite' | 'postgres', file!, format as GrantFormat, dir!, lioId!, schema === '-' ? null : schema!)));
  }
  if (mode === '--parse') return void console.log(JSON.stringify(await parseOnce(file!, format as GrantFormat)));
  const dir = await mkdtemp(path.join(tmpdir(), 'grants-files-'));
  try {
    const engines = (process.env.BENCH_ENGINES ?? (process.env.DATABASE_URL ? 'pglite,postgres' : 'pglite')).split(',');
    const formats = (process.env.BENCH_FORMATS ?? 'json,xlsx').split(',') as GrantFormat[];
    for (const format of formats) {
      const file = path.join(dir, `grants.${format}`);
      await (format === 'xlsx' ? writeXlsx(file) : writeJson(file));
      const parse = await child(['--parse', '-', file, format]);
      for (const engine of engines) {
        const data = await mkdtemp(path.join(tmpdir(), 'grants-bench-'));
        try {
          const prepared = await child(['--prepare', engine, data]);
          const imported = await child(['--import', engine, file, format, data, String(prepared.lioId), String(prepared.schema ?? '-')]);
          console.log(JSON.stringify({ engine, format, grants: GRANTS, megabytes: mb((await stat(file)).size), first_start_rss_mb: prepared.first_start_rss_mb, import: imported, parse,
            ratio_to_parse: Number((Number(imported.seconds) / Math.max(0.1, Number(parse.seconds))).toFixed(1)) }));
        } finally {
          await rm(data, { recursive: true, force: true });
        }
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
