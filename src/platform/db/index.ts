import { Kysely, PostgresDialect, sql, type DatabaseConnection, type Driver, type PostgresDialectConfig, type Transaction } from 'kysely';
import type { Config } from '../config.js';
import type { DB } from './schema.js';
import { PGliteDialect } from './pglite-driver.js';
import { lockDataDir, type DataDirLock } from './data-dir-lock.js';

export type Db = Kysely<DB>;
export type Tx = Transaction<DB>;
/** Anything a repository can run a query on: the pool (system work) or a tenant transaction. */
export type Queryable = Kysely<DB> | Transaction<DB>;

export interface Database {
  engine: 'pglite' | 'postgres';
  /**
   * The owner connection. It bypasses row-level security, so only platform code that works
   * across LIOs uses it: migrations, resolving the LIO of a request, claiming jobs, backups.
   */
  system: Db;
  /**
   * Runs `work` in a transaction as the application role, scoped to one LIO. Row-level security
   * makes rows of every other LIO invisible and unwritable inside it.
   */
  withTenant<T>(lioId: string, work: (tx: Tx) => Promise<T>): Promise<T>;
  appRole: string;
  schema: string;
  /**
   * Embedded engine only: calls `handler` with each NOTIFY payload on `channel`. Delivery is in-process and
   * happens before the notifying COMMIT's promise resolves, so code after an awaited commit already sees it.
   * (PostgreSQL delivers notifications to another connection some time after the commit, with no such order.)
   */
  listenInProcess?: (channel: string, handler: (payload: string) => void) => Promise<void>;
  /**
   * PostgreSQL only: a count that moves on each time this process finishes a statement or a transaction
   * (a connection handed back to the pool), so a reader can tell whether any write of its own may have
   * committed since it last looked.
   */
  settledCount?: () => number;
  /** PostgreSQL only: one read-only statement, prepared once per connection, not counted by settledCount. */
  readPrepared?: <R>(name: string, text: string, values: unknown[]) => Promise<R[]>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  databaseUrl: string | null;
  dataDir: string;
  databaseSchema: string | null;
  appDbRole: string;
  /** keep the embedded database in memory (tests) */
  inMemory?: boolean;
}

export async function openDatabase(options: DatabaseOptions | Config & { inMemory?: boolean }): Promise<Database> {
  const schema = options.databaseSchema ?? 'public';
  let system: Db;
  let engine: Database['engine'];
  let listenInProcess: Database['listenInProcess'];
  let settledCount: Database['settledCount'];
  let readPrepared: Database['readPrepared'];
  let lock: DataDirLock | undefined;
  if (options.databaseUrl) {
    const pg = await import('pg');
    // timestamps come back as Date, bigints (counts) as numbers when safe
    pg.default.types.setTypeParser(20, (v: string) => Number(v));
    const pool = new pg.default.Pool({
      connectionString: options.databaseUrl,
      max: 10,
      ...(options.databaseSchema ? { options: `-c search_path=${options.databaseSchema},public` } : {}),
    });
    let settled = 0;
    system = new Kysely<DB>({ dialect: new SettlingPostgresDialect({ pool }, () => { settled += 1; }) });
    engine = 'postgres';
    settledCount = () => settled;
    readPrepared = async <R>(name: string, text: string, values: unknown[]) => (await pool.query({ name, text, values })).rows as R[];
  } else {
    const { PGlite } = await import('@electric-sql/pglite');
    const [{ pg_trgm }, { cube }, { earthdistance }, { citext }, { unaccent }] = await Promise.all([
      import('@electric-sql/pglite/contrib/pg_trgm'), import('@electric-sql/pglite/contrib/cube'), import('@electric-sql/pglite/contrib/earthdistance'),
      import('@electric-sql/pglite/contrib/citext'), import('@electric-sql/pglite/contrib/unaccent'),
    ]);
    const dataDir = options.inMemory ? undefined : options.dataDir;
    // Before PGlite touches the folder: a second process on it would lose writes, so it is refused here.
    if (dataDir) lock = await lockDataDir(dataDir);
    let pg: InstanceType<typeof PGlite>;
    try {
      pg = await PGlite.create({
        ...(dataDir ? { dataDir } : {}),
        extensions: { pg_trgm, cube, earthdistance, citext, unaccent },
        parsers: { 20: (v: string) => Number(v) },
      });
    } catch (err) {
      lock?.release();
      throw err;
    }
    system = new Kysely<DB>({ dialect: new PGliteDialect(pg) });
    engine = 'pglite';
    listenInProcess = async (channel, handler) => { await pg.listen(channel, handler); };
  }
  const appRole = options.appDbRole;
  return {
    engine,
    system,
    appRole,
    schema,
    ...(listenInProcess ? { listenInProcess } : {}),
    ...(settledCount && readPrepared ? { settledCount, readPrepared } : {}),
    withTenant(lioId, work) {
      return system.transaction().execute(async (tx) => {
        await enterTenant(tx, appRole, lioId);
        return work(tx);
      });
    },
    async close() {
      try {
        await system.destroy();
      } finally {
        lock?.release();
      }
    },
  };
}

/**
 * Turns the rest of an owner transaction into a tenant one: the application role, scoped to one LIO. For work that
 * must first do something only the owner may (adding the LIO itself), then go on as the LIO, in one transaction.
 */
export async function enterTenant(tx: Tx, appRole: string, lioId: string): Promise<void> {
  // set_config(..., true) is SET LOCAL: both revert when the transaction ends,
  // so a pooled connection never carries one LIO's context into the next request.
  await sql`select set_config('role', ${appRole}, true), set_config('app.lio_id', ${lioId}, true)`.execute(tx);
}

/** Kysely's PostgreSQL dialect, telling `onSettled` after each connection is handed back (a statement or a transaction done). */
class SettlingPostgresDialect extends PostgresDialect {
  constructor(config: PostgresDialectConfig, private readonly onSettled: () => void) {
    super(config);
  }

  override createDriver(): Driver {
    const driver = super.createDriver();
    const release = driver.releaseConnection.bind(driver);
    driver.releaseConnection = async (connection: DatabaseConnection) => {
      await release(connection);
      this.onSettled();
    };
    return driver;
  }
}
