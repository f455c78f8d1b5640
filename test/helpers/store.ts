import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { openDatabase, type Database } from '../../src/platform/db/index.js';
import { migrate } from '../../src/platform/db/migrate.js';
import { loadConfig, type Config } from '../../src/platform/config.js';
import { FixedClock } from '../../src/platform/clock.js';
import { buildApp, type App } from '../../src/app.js';
import type { Mailer } from '../../src/platform/mail.js';
import { TEST_HASHING } from './app.js';

export const onPostgres = Boolean(process.env.DATABASE_URL);
export const engine: 'pglite' | 'postgres' = onPostgres ? 'postgres' : 'pglite';

/**
 * A database that outlives one connection, one app and one process: PGlite in a temporary
 * DATA_DIR, or — when DATABASE_URL is set — a fresh schema on that PostgreSQL server.
 * `env` is what a spawned `commonground` process needs to use the same database.
 * PGlite allows one process at a time: close every `open()`ed handle before spawning the CLI.
 */
export interface PersistentStore {
  engine: 'pglite' | 'postgres';
  dir: string;
  env: Record<string, string>;
  /** A new connection to the store, migrated. */
  open(): Promise<Database>;
  dispose(): Promise<void>;
}

export async function createPersistentStore(): Promise<PersistentStore> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cg-store-'));
  const databaseUrl = process.env.DATABASE_URL ?? null;
  const schema = databaseUrl ? `test_${randomBytes(6).toString('hex')}` : null;
  if (databaseUrl && schema) {
    const bootstrap = await openDatabase({ databaseUrl, dataDir: '', databaseSchema: null, appDbRole: 'commonground_app' });
    await sql.raw(`create schema ${schema}`).execute(bootstrap.system);
    await bootstrap.close();
  }
  const dataDir = path.join(dir, 'data');
  let openHandles = 0;
  const env: Record<string, string> = databaseUrl && schema
    ? { DATABASE_URL: databaseUrl, DATABASE_SCHEMA: schema, DATA_DIR: dataDir }
    : { DATA_DIR: dataDir };
  return {
    engine: databaseUrl ? 'postgres' : 'pglite',
    dir,
    env,
    async open() {
      // Two PGlite instances on one directory corrupt it (a timed-out test still holding one, say): refuse.
      if (!databaseUrl && openHandles > 0) throw new Error(`the PGlite store in ${dataDir} is already open in this process`);
      const db = await openDatabase({ databaseUrl, dataDir, databaseSchema: schema, appDbRole: 'commonground_app' });
      openHandles++;
      const close = db.close.bind(db);
      let closed = false;
      db.close = async () => {
        if (!closed) { closed = true; openHandles--; }
        await close();
      };
      try {
        await migrate(db);
      } catch (err) {
        await db.close();
        throw err;
      }
      return db;
    },
    async dispose() {
      if (databaseUrl && schema) {
        const bootstrap = await openDatabase({ databaseUrl, dataDir: '', databaseSchema: null, appDbRole: 'commonground_app' });
        await sql.raw(`drop schema if exists ${schema} cascade`).execute(bootstrap.system);
        await bootstrap.close();
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** An app on an existing database, configured as the test harness does (worker off unless asked). */
export async function buildTestAppOn(db: Database, options: { clock?: FixedClock; env?: Record<string, string>; config?: Partial<Config>; mailer?: Mailer } = {}): Promise<{ app: App; clock: FixedClock; config: Config }> {
  const config = loadConfig({ LOG_LEVEL: 'silent', ...options.env }, {
    passwordHashing: TEST_HASHING, signInRateLimit: 1000, worker: { pollMs: 50, enabled: false }, ...options.config,
  });
  const clock = options.clock ?? new FixedClock(new Date());
  const app = await buildApp({ config, db, clock, ...(options.mailer ? { mailer: options.mailer } : {}) });
  await app.ready();
  return { app, clock, config };
}
