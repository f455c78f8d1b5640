import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { inject } from 'vitest';
import { sql } from 'kysely';
import { openDatabase, type Database } from '../../src/platform/db/index.js';
import { migrate } from '../../src/platform/db/migrate.js';

export const onPostgres = Boolean(process.env.DATABASE_URL);

/**
 * A fresh, migrated database for one test file: PGlite in memory, or — when DATABASE_URL is set —
 * a schema of its own on that PostgreSQL server, dropped afterwards. `migrateUntil` stops the migrations after that
 * number, for a test of a later migration on data that was there before it.
 */
export async function createTestDatabase(options: { migrateUntil?: string } = {}): Promise<{ db: Database; dispose: () => Promise<void>; databaseUrl: string | null; schema: string | null }> {
  const databaseUrl = process.env.DATABASE_URL ?? null;
  const schema = databaseUrl ? `test_${randomBytes(6).toString('hex')}` : null;
  if (databaseUrl && schema) {
    const bootstrap = await openDatabase({ databaseUrl, dataDir: '', databaseSchema: null, appDbRole: 'commonground_app' });
    await sql.raw(`create schema ${schema}`).execute(bootstrap.system);
    await bootstrap.close();
  }
  // A database stopped short of the latest migrations (to test one over held data) cannot start from the migrated copy.
  const templateFile = databaseUrl || options.migrateUntil ? null : inject('pgliteTemplate');
  const template = templateFile ? new Blob([await readFile(templateFile)]) : undefined;
  const db = await openDatabase({ databaseUrl, dataDir: '', databaseSchema: schema, appDbRole: 'commonground_app', inMemory: true, ...(template ? { template } : {}) });
  await migrate(db, options.migrateUntil ? { until: options.migrateUntil } : {});
  return {
    db, databaseUrl, schema,
    async dispose() {
      if (schema) await sql.raw(`drop schema ${schema} cascade`).execute(db.system);
      await db.close();
    },
  };
}
