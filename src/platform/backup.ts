import { createReadStream, createWriteStream } from 'node:fs';
import { createGunzip, createGzip } from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import { sql } from 'kysely';
import type { Database } from './db/index.js';

/** Tables in the order their foreign keys need on restore. */
export const BACKUP_TABLES = ['lios', 'organisations', 'users', 'sessions', 'user_tokens', 'api_tokens', 'audit_events', 'jobs', 'email_messages'] as const;
const FORMAT = 'commonground-backup';

/**
 * A backup is gzipped JSON lines: a header naming the migrations applied, then one line per row.
 * The same file restores on PGlite or PostgreSQL.
 */
export async function backup(db: Database, file: string): Promise<Record<string, number>> {
  const migrations = (await sql<{ version: string }>`select version from schema_migrations order by version`.execute(db.system)).rows.map((r) => r.version);
  const counts: Record<string, number> = {};
  async function* lines() {
    yield JSON.stringify({ format: FORMAT, version: 1, createdAt: new Date().toISOString(), migrations }) + '\n';
    for (const table of BACKUP_TABLES) {
      const rows = (await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(db.system)).rows;
      counts[table] = rows.length;
      for (const row of rows) yield JSON.stringify({ t: table, r: row }) + '\n';
    }
  }
  await pipeline(Readable.from(lines()), createGzip(), createWriteStream(file));
  return counts;
}

/** Replaces everything with the backup's contents, in one transaction: on any error nothing changes. */
export async function restore(db: Database, file: string): Promise<Record<string, number>> {
  const input = createInterface({ input: createReadStream(file).pipe(createGunzip()), crlfDelay: Infinity });
  const counts: Record<string, number> = {};
  const migrations = (await sql<{ version: string }>`select version from schema_migrations order by version`.execute(db.system)).rows.map((r) => r.version);
  await db.system.transaction().execute(async (tx) => {
    let header = true;
    await sql.raw(`truncate ${BACKUP_TABLES.map((t) => `"${t}"`).join(', ')} restart identity cascade`).execute(tx);
    for await (const line of input) {
      if (!line.trim()) continue;
      const parsed = JSON.parse(line);
      if (header) {
        if (parsed.format !== FORMAT) throw new Error('This file is not a Common Ground backup');
        const missing = (parsed.migrations as string[]).filter((m) => !migrations.includes(m));
        if (missing.length) throw new Error(`The backup comes from a newer version (migrations ${missing.join(', ')}); upgrade first`);
        header = false;
        continue;
      }
      const table = parsed.t as string;
      if (!(BACKUP_TABLES as readonly string[]).includes(table)) throw new Error(`Unknown table in backup: ${table}`);
      const row = parsed.r as Record<string, unknown>;
      const columns = Object.keys(row);
      const values = columns.map((c) => { const v = row[c]; return v !== null && typeof v === 'object' && !Array.isArray(v) ? JSON.stringify(v) : v; });
      await sql`insert into ${sql.table(table)} (${sql.join(columns.map((c) => sql.ref(c)))}) overriding system value values (${sql.join(values)})`.execute(tx);
      counts[table] = (counts[table] ?? 0) + 1;
    }
    if (header) throw new Error('The backup file is empty');
    for (const table of ['audit_events', 'jobs']) {
      await sql.raw(`select setval(pg_get_serial_sequence('${table}', 'id'), coalesce((select max(id) from "${table}"), 0) + 1, false)`).execute(tx);
    }
  });
  return counts;
}
