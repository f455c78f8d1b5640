import { createReadStream, createWriteStream } from 'node:fs';
import { access, rename, rm } from 'node:fs/promises';
import { constants } from 'node:fs';
import { createGunzip, createGzip } from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { sql, type Transaction } from 'kysely';
import type { Database } from './db/index.js';
import type { DB } from './db/schema.js';
import { quoteIdent } from './db/migrate.js';

const FORMAT = 'commonground-backup';
const VERSION = 2;
/** Rows fetched per round trip when writing, and inserted per statement when restoring. */
const BATCH = 500;

export class BackupError extends Error {}

/** pg_trigger.tgenabled of an enabled trigger, as the word `alter table … enable … trigger` takes for it. */
const TRIGGER_MODES: Record<string, string> = { O: '', A: 'always', R: 'replica' };

type Tx = Transaction<DB>;

/**
 * Every table of the application's schema (all migrations, present and future), in an order that
 * satisfies foreign keys where the references allow one. schema_migrations is not data, nor is
 * directory_changes (a count that tells running apps their kept pages are out of date).
 */
async function dataTables(tx: Tx): Promise<string[]> {
  const tables = (await sql<{ name: string }>`
    select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = current_schema() and c.relkind in ('r', 'p') and not c.relispartition and c.relname not in ('schema_migrations', 'directory_changes')
    order by c.relname`.execute(tx)).rows.map((r) => r.name);
  const edges = (await sql<{ child: string; parent: string }>`
    select c.relname as child, p.relname as parent from pg_constraint k
    join pg_class c on c.oid = k.conrelid join pg_class p on p.oid = k.confrelid
    join pg_namespace n on n.oid = c.relnamespace
    where k.contype = 'f' and n.nspname = current_schema() and c.oid <> p.oid`.execute(tx)).rows;
  // Depth-first topological order; a cycle is simply cut (foreign keys are deferred during restore anyway).
  const ordered: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (table: string) => {
    if (state.get(table)) return;
    state.set(table, 'visiting');
    for (const e of edges) if (e.child === table && tables.includes(e.parent)) visit(e.parent);
    state.set(table, 'done');
    ordered.push(table);
  };
  tables.forEach(visit);
  return ordered;
}

async function appliedMigrations(db: Database | Tx): Promise<string[]> {
  const q = 'system' in db ? db.system : db;
  return (await sql<{ version: string }>`select version from schema_migrations order by version`.execute(q)).rows.map((r) => r.version);
}

/**
 * A backup is gzipped JSON lines: a header naming the migrations applied, one line per row (the row
 * as PostgreSQL's own JSON, so every type round-trips exactly), and a trailer with the row counts.
 * It is read in one repeatable-read snapshot, so it is consistent even while the app is writing,
 * and written to FILE.partial, renamed to FILE only when complete. The same file restores on
 * PGlite or PostgreSQL.
 */
export async function backup(db: Database, file: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  const partial = `${file}.partial`;
  try {
    await db.system.transaction().setIsolationLevel('repeatable read').execute(async (tx) => {
      const migrations = await appliedMigrations(tx);
      const tables = await dataTables(tx);
      async function* lines() {
        yield JSON.stringify({ format: FORMAT, version: VERSION, createdAt: new Date().toISOString(), engine: db.engine, migrations, tables }) + '\n';
        for (const table of tables) {
          counts[table] = 0;
          // A cursor keeps memory flat however big the table.
          await sql.raw(`declare cg_backup no scroll cursor for select row_to_json(t)::text as j from ${quoteIdent(table)} t`).execute(tx);
          for (;;) {
            const rows = (await sql.raw<{ j: string }>(`fetch ${BATCH} from cg_backup`).execute(tx)).rows;
            if (rows.length === 0) break;
            counts[table] += rows.length;
            yield rows.map((r) => `{"t":${JSON.stringify(table)},"r":${r.j}}\n`).join('');
          }
          await sql.raw('close cg_backup').execute(tx);
        }
        yield JSON.stringify({ end: true, rows: counts }) + '\n';
      }
      await pipeline(Readable.from(lines()), createGzip(), createWriteStream(partial));
    });
    await rename(partial, file);
  } catch (err) {
    await rm(partial, { force: true });
    throw err;
  }
  return counts;
}

/** The lines of a gzipped file; a read or decompression error (a truncated or damaged file) rejects. */
async function* gzippedLines(file: string): AsyncGenerator<string> {
  const gunzip = createGunzip();
  const input = createReadStream(file);
  input.on('error', (err) => gunzip.destroy(err));
  input.pipe(gunzip);
  let rest = '';
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      rest += chunk.toString('utf8');
      const parts = rest.split('\n');
      rest = parts.pop()!;
      for (const line of parts) if (line.trim()) yield line;
    }
  } catch (err) {
    const code = (err as { code?: string }).code ?? '';
    if (code.startsWith('Z_')) throw new BackupError(`The file is not a Common Ground backup, or it is damaged or cut short (${(err as Error).message})`);
    throw err;
  }
  if (rest.trim()) yield rest;
}

function parseLine(line: string, n: number): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(line);
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new BackupError(`The backup is damaged: line ${n} is not valid`);
}

/**
 * Replaces everything with the backup's contents, in one transaction: on any error (a damaged,
 * truncated or foreign file, a backup from a newer version) nothing changes.
 */
export async function restore(db: Database, file: string): Promise<Record<string, number>> {
  try {
    await access(file, constants.R_OK);
  } catch {
    throw new BackupError(`Cannot read ${file}`);
  }
  const migrations = await appliedMigrations(db);
  const counts: Record<string, number> = {};
  await db.system.transaction().execute(async (tx) => {
    const tables = await dataTables(tx);
    const columns = new Map<string, Set<string>>();
    for (const row of (await sql<{ table: string; column: string }>`
      select c.relname as table, a.attname as column from pg_attribute a
      join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = current_schema() and a.attnum > 0 and not a.attisdropped and a.attgenerated = ''`.execute(tx)).rows) {
      if (!columns.has(row.table)) columns.set(row.table, new Set());
      columns.get(row.table)!.add(row.column);
    }
    // Foreign keys are checked once all rows are in (rows may refer to rows later in the file, or to
    // themselves); the original settings are put back before commit. Triggers written for live edits
    // (history rows and the like) must not fire for restored rows.
    const foreignKeys = (await sql<{ table: string; name: string; deferrable: boolean; deferred: boolean }>`
      select c.relname as table, k.conname as name, k.condeferrable as deferrable, k.condeferred as deferred
      from pg_constraint k join pg_class c on c.oid = k.conrelid join pg_namespace n on n.oid = c.relnamespace
      where k.contype = 'f' and n.nspname = current_schema()`.execute(tx)).rows;
    for (const fk of foreignKeys) await sql.raw(`alter table ${quoteIdent(fk.table)} alter constraint ${quoteIdent(fk.name)} deferrable initially deferred`).execute(tx);
    // Each trigger is put back as it was found: `enable trigger` alone would make one that fires whatever the
    // replication role (011, 019: a bulk import writes as a replica) an ordinary one, and imports would then miss it.
    const triggers = (await sql<{ table: string; name: string; enabled: string }>`
      select c.relname as table, g.tgname as name, g.tgenabled as enabled from pg_trigger g
      join pg_class c on c.oid = g.tgrelid join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = current_schema() and not g.tgisinternal and g.tgenabled <> 'D' and c.relname = any(${tables})`.execute(tx)).rows;
    for (const g of triggers) await sql.raw(`alter table ${quoteIdent(g.table)} disable trigger ${quoteIdent(g.name)}`).execute(tx);
    if (tables.length) await sql.raw(`truncate ${tables.map(quoteIdent).join(', ')} restart identity cascade`).execute(tx);

    let header: Record<string, unknown> | null = null;
    let trailer: Record<string, unknown> | null = null;
    const batch: { table: string; rows: string[] } = { table: '', rows: [] };
    const flush = async () => {
      if (batch.rows.length === 0) return;
      const { table, rows } = batch;
      // Insert the columns the backup has and this database can take (a column added by a later
      // migration keeps its default); PostgreSQL converts each JSON value to the column's type.
      const present = Object.keys(JSON.parse(rows[0]!) as Record<string, unknown>).filter((c) => columns.get(table)?.has(c));
      const list = present.map(quoteIdent).join(', ');
      await sql`insert into ${sql.table(table)} (${sql.raw(list)}) overriding system value
        select ${sql.raw(list)} from json_populate_recordset(null::${sql.table(table)}, ${`[${rows.join(',')}]`}::json)`.execute(tx);
      counts[table] = (counts[table] ?? 0) + rows.length;
      batch.rows = [];
    };
    const add = async (table: string, row: string) => {
      if (batch.table !== table) {
        await flush();
        batch.table = table;
      }
      batch.rows.push(row);
      if (batch.rows.length >= BATCH) await flush();
    };

    let n = 0;
    for await (const line of gzippedLines(file)) {
      n++;
      if (trailer) throw new BackupError('The backup is damaged: there is data after its end');
      if (!header) {
        const parsed = parseLine(line, n);
        if (parsed.format !== FORMAT || !Array.isArray(parsed.migrations)) throw new BackupError('This file is not a Common Ground backup');
        if (typeof parsed.version !== 'number' || parsed.version > VERSION) throw new BackupError('The backup was made by a newer version of Common Ground; upgrade first');
        const missing = (parsed.migrations as string[]).filter((m) => !migrations.includes(m));
        if (missing.length) throw new BackupError(`The backup comes from a newer version (migrations ${missing.join(', ')}); upgrade first`);
        header = parsed;
        continue;
      }
      // Row lines are split without parsing the row itself: PostgreSQL parses it on insert.
      const match = /^\{"t":("(?:[^"\\]|\\.)*"),"r":(\{.*\})\}$/.exec(line);
      if (!match) {
        const parsed = parseLine(line, n);
        if (parsed.end === true) {
          await flush();
          trailer = parsed;
          continue;
        }
        if (typeof parsed.t === 'string' && parsed.r && typeof parsed.r === 'object') {
          // A row written by another JSON writer (version 1 files)
          const table = parsed.t;
          if (!tables.includes(table)) throw new BackupError(`The backup has a table this version does not know: ${table}`);
          await add(table, JSON.stringify(parsed.r));
          continue;
        }
        throw new BackupError(`The backup is damaged: line ${n} is not valid`);
      }
      const table = JSON.parse(match[1]!) as string;
      if (!tables.includes(table)) throw new BackupError(`The backup has a table this version does not know: ${table}`);
      await add(table, match[2]!);
    }
    await flush();
    if (!header) throw new BackupError('The backup file is empty');
    if ((header.version as number) >= 2) {
      if (!trailer) throw new BackupError('The backup is incomplete: it ends before its last line');
      const expected = trailer.rows as Record<string, number>;
      for (const [table, count] of Object.entries(expected)) {
        if ((counts[table] ?? 0) !== count) throw new BackupError(`The backup is damaged: ${table} should have ${count} rows, it has ${counts[table] ?? 0}`);
      }
    }

    // Identity and serial columns continue after the highest restored value.
    const sequences = (await sql<{ table: string; column: string }>`
      select c.relname as table, a.attname as column from pg_attribute a
      join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = current_schema() and c.relkind in ('r', 'p') and a.attnum > 0 and not a.attisdropped
        and pg_get_serial_sequence(quote_ident(n.nspname) || '.' || quote_ident(c.relname), a.attname) is not null`.execute(tx)).rows;
    for (const { table, column } of sequences) {
      await sql`select setval(pg_get_serial_sequence(${`${quoteIdent(await currentSchema(tx))}.${quoteIdent(table)}`}, ${column}),
        coalesce((select max(${sql.ref(column)}) from ${sql.table(table)}), 0) + 1, false)`.execute(tx);
    }

    // Check every foreign key now (tables cannot be altered while checks are pending), then put the
    // triggers and constraints back as they were.
    await sql.raw('set constraints all immediate').execute(tx);
    for (const g of triggers) await sql.raw(`alter table ${quoteIdent(g.table)} enable ${TRIGGER_MODES[g.enabled] ?? ''} trigger ${quoteIdent(g.name)}`).execute(tx);
    // Triggers were off, so tell running apps that every LIO's directory changed.
    await sql`insert into directory_changes (lio_id) select id from lios`.execute(tx);
    await sql`select pg_notify('cg_directory_changed', 'all')`.execute(tx);
    for (const fk of foreignKeys) {
      const mode = fk.deferrable ? `deferrable initially ${fk.deferred ? 'deferred' : 'immediate'}` : 'not deferrable';
      await sql.raw(`alter table ${quoteIdent(fk.table)} alter constraint ${quoteIdent(fk.name)} ${mode}`).execute(tx);
    }
  });
  return counts;
}

async function currentSchema(tx: Tx): Promise<string> {
  return (await sql<{ s: string }>`select current_schema() as s`.execute(tx)).rows[0]!.s;
}
