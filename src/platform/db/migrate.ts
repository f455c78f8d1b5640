import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import type { Database } from './index.js';

const migrationsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'migrations');

export interface MigrationResult { applied: string[]; alreadyApplied: number }

/**
 * Applies the numbered .sql files in order, each in its own transaction, as the owner role.
 * A failing migration throws (and so stops the process with a non-zero exit); nothing of it is kept.
 * `until` (a number such as '015') stops after that migration: a test of the next one on data written before it.
 */
export async function migrate(db: Database, options: { until?: string } = {}): Promise<MigrationResult> {
  const { system, appRole, schema } = db;
  await ensureAppRole(db);
  await ensureExtensions(db);
  await sql`create table if not exists schema_migrations (
    version text primary key, applied_at timestamptz not null default now())`.execute(system);
  const done = new Set((await sql<{ version: string }>`select version from schema_migrations`.execute(system)).rows.map((r) => r.version));
  const files = (await readdir(migrationsDir)).filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f))
    .filter((f) => options.until === undefined || f.slice(0, 3) <= options.until).sort();
  const applied: string[] = [];
  for (const file of files) {
    if (done.has(file)) continue;
    const text = (await readFile(path.join(migrationsDir, file), 'utf8'))
      .replaceAll('{{app_role}}', quoteIdent(appRole))
      .replaceAll('{{schema}}', quoteIdent(schema));
    try {
      await system.transaction().execute(async (tx) => {
        await sql.raw(text).execute(tx);
        await sql`insert into schema_migrations (version) values (${file})`.execute(tx);
      });
    } catch (err) {
      throw new Error(`Migration ${file} failed: ${(err as Error).message}`, { cause: err });
    }
    applied.push(file);
  }
  await sql.raw(`grant usage on schema ${quoteIdent(schema)} to ${quoteIdent(appRole)}`).execute(system);
  return { applied, alreadyApplied: done.size };
}

/** The extensions both engines share. They live in "public" so every schema (one per test file) can use them. */
export const EXTENSIONS = ['pg_trgm', 'cube', 'earthdistance', 'citext', 'unaccent'];

async function ensureExtensions(db: Database): Promise<void> {
  for (const name of EXTENSIONS) {
    const present = await sql<{ n: number }>`select count(*)::int as n from pg_extension where extname = ${name}`.execute(db.system);
    if (present.rows[0]?.n) continue;
    try {
      await sql.raw(`create extension if not exists ${name} with schema public`).execute(db.system);
    } catch (err) {
      // Two test files creating the same extension at once: the loser sees a duplicate, which is fine.
      const code = (err as { code?: string }).code;
      if (code !== '23505' && code !== '42710') throw err;
    }
  }
}

async function ensureAppRole(db: Database): Promise<void> {
  // Roles are cluster-wide: several test files may race to create it, so a duplicate is fine.
  try {
    await sql.raw(`do $$ begin
      if not exists (select 1 from pg_roles where rolname = '${db.appRole}') then
        create role ${quoteIdent(db.appRole)} nologin nobypassrls;
      end if;
    end $$`).execute(db.system);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code !== '23505' && code !== '42710') throw err;
  }
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
