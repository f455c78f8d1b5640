import { Kysely, PostgresDialect, sql, type DatabaseConnection, type Driver, type PostgresDialectConfig, type Transaction } from 'kysely';
import type { Config } from '../config.js';
import type { PoolClient } from 'pg';
import type { DB } from './schema.js';
import { PGliteDialect } from './pglite-driver.js';
import { ReplicaHealth, isLostConnection, type ReplicaStatus } from './replica.js';
import { lockDataDir, type DataDirLock } from './data-dir-lock.js';
import { PGliteThread } from './pglite-thread.js';
import { prepareReads } from './prepared-reads.js';
import { beginWithFirstStatement } from './begin-with-first-statement.js';
import { isUuid } from '../validation/ids.js';

export type Db = Kysely<DB>;
export type Tx = Transaction<DB>;
/** Anything a repository can run a query on: the pool (system work) or a tenant transaction. */
export type Queryable = Kysely<DB> | Transaction<DB>;

/**
 * Where a public read goes (Database.reading): read-only tenant transactions, row-level security as in
 * withTenant, on the read replica or on the primary.
 */
export interface Reads {
  source: 'replica' | 'primary';
  /** As Database.withTenant, in a read-only transaction; `plans` as for ReadOptions. */
  withTenant<T>(lioId: string, work: (tx: Tx) => Promise<T>, options?: ReadOptions): Promise<T>;
  /** PostgreSQL only: as Database.readPrepared, on the same server as withTenant. */
  readPrepared?: <R>(name: string, text: string, values: unknown[]) => Promise<R[]>;
}

export interface ReadOptions {
  /**
   * 'by id': the transaction only looks records up by id or by a list of ids, so its statements keep one plan for any
   * values (PostgreSQL's generic plans). PostgreSQL otherwise plans a prepared statement afresh for its values each
   * time while the plan for any values looks dearer, and for "id = any($1::uuid[])" it always does, since it cannot
   * know the list is short; under row-level security that planning costs several times the read itself. Lookups by
   * id read the same index whatever the values, so they lose nothing; a search, whose best plan turns on its words,
   * keeps the default.
   */
  plans?: 'by id';
}

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
   * committed since it last looked. Public reads (`reading`) are read-only transactions, which commit nothing, so
   * they do not move it: on a busy public server it would otherwise never stand still.
   */
  settledCount?: () => number;
  /** PostgreSQL only: one read-only statement, prepared once per connection, not counted by settledCount. */
  readPrepared?: <R>(name: string, text: string, values: unknown[]) => Promise<R[]>;
  /**
   * Reads for public pages that may be a moment behind (DATABASE_READ_URL): the replica while it keeps up,
   * otherwise the primary; `fresh` always the primary (a signed-in person, or a visitor who has just written).
   * A replica that fails mid-read is given up for the primary, which answers the same read.
   */
  reading(options?: { fresh?: boolean }): Reads;
  /** The read replica as last checked; 'none' when there is none. */
  replicaStatus(): ReplicaStatus | 'none';
  close(): Promise<void>;
}

export interface DatabaseOptions {
  databaseUrl: string | null;
  dataDir: string;
  databaseSchema: string | null;
  appDbRole: string;
  /** keep the embedded database in memory (tests) */
  inMemory?: boolean;
  /** Embedded engine only: start from this dump of a database (`dumpDataDir`) instead of an empty one. */
  template?: Blob;
  /** a streaming replica of databaseUrl for public reads (PostgreSQL only) */
  readReplica?: { url: string; maxLagMs: number; checkMs: number } | null;
}

export async function openDatabase(options: DatabaseOptions | Config & { inMemory?: boolean; template?: Blob }): Promise<Database> {
  const schema = options.databaseSchema ?? 'public';
  let system: Db;
  let engine: Database['engine'];
  let listenInProcess: Database['listenInProcess'];
  let settledCount: Database['settledCount'];
  /** Where public reads run on the primary: on PostgreSQL not counted by settledCount, since a read-only transaction commits nothing. */
  let readsOnPrimary: Db;
  /** PostgreSQL: ends the primary's pool, which the two Kyselys over it only borrow. */
  let endPool: (() => Promise<void>) | null = null;
  let readPrepared: Database['readPrepared'];
  let replica: { db: Db; health: ReplicaHealth; readPrepared: NonNullable<Reads['readPrepared']> } | null = null;
  let lock: DataDirLock | undefined;
  if (options.databaseUrl) {
    const pg = await import('pg');
    // timestamps come back as Date, bigints (counts) as numbers when safe
    pg.default.types.setTypeParser(20, (v: string) => Number(v));
    const poolFor = (connectionString: string, more: { connectionTimeoutMillis?: number } = {}) => new pg.default.Pool({
      connectionString,
      max: 10,
      ...more,
      ...(options.databaseSchema ? { options: `-c search_path=${options.databaseSchema},public` } : {}),
    });
    const pool = poolFor(options.databaseUrl);
    pool.on('connect', onConnect);
    // Kysely ends a pool only through a driver it has started, and each would end it: the pool is ended here, once,
    // whichever of them used it.
    const borrowed = { connect: () => pool.connect(), end: async () => undefined };
    endPool = () => pool.end();
    let settled = 0;
    system = new Kysely<DB>({ dialect: new SettlingPostgresDialect({ pool: borrowed }, () => { settled += 1; }) });
    // The same pool; only the counting differs.
    readsOnPrimary = new Kysely<DB>({ dialect: new PostgresDialect({ pool: borrowed }) });
    engine = 'postgres';
    settledCount = () => settled;
    const prepared = (on: InstanceType<typeof pg.default.Pool>) =>
      async <R>(name: string, text: string, values: unknown[]) => (await on.query({ name, text, values })).rows as R[];
    readPrepared = prepared(pool);
    if (options.readReplica) {
      // A replica that cannot be reached is given up for the primary after a moment, not waited on.
      const replicaPool = poolFor(options.readReplica.url, { connectionTimeoutMillis: 3000 });
      replicaPool.on('connect', onConnect);
      // An idle connection to a standby that stops errors on the pool; the health check says so, the process goes on.
      replicaPool.on('error', () => undefined);
      const health = new ReplicaHealth({
        primaryPosition: async () => (await pool.query<{ position: string }>('select pg_current_wal_lsn()::text as position')).rows[0]!.position,
        replicaPosition: async () => (await replicaPool.query<{ standby: boolean; replayed: string | null }>(
          'select pg_is_in_recovery() as standby, pg_last_wal_replay_lsn()::text as replayed')).rows[0]!,
      }, options.readReplica);
      replica = { db: new Kysely<DB>({ dialect: new PostgresDialect({ pool: replicaPool }) }), health, readPrepared: prepared(replicaPool) };
      await health.start();
    }
  } else {
    const dataDir = options.inMemory ? undefined : options.dataDir;
    // Before PGlite touches the folder: a second process on it would lose writes, so it is refused here.
    if (dataDir) lock = await lockDataDir(dataDir);
    let pg: PGliteThread;
    try {
      pg = await PGliteThread.start({
        ...(dataDir ? { dataDir } : {}),
        ...(options.template ? { loadDataDir: options.template } : {}),
      });
    } catch (err) {
      lock?.release();
      throw err;
    }
    system = new Kysely<DB>({ dialect: new PGliteDialect(pg) });
    readsOnPrimary = system;
    engine = 'pglite';
    listenInProcess = async (channel, handler) => { await pg.listen(channel, handler); };
  }
  const appRole = options.appDbRole;
  const primaryReads: Reads = {
    source: 'primary',
    withTenant: (lioId, work, options) => tenantTransaction(readsOnPrimary, appRole, lioId, work, { readOnly: true, ...options }),
    ...(readPrepared ? { readPrepared } : {}),
  };
  /** Reads on the replica; one that finds it gone takes it out of use and is answered by the primary. */
  const orPrimary = async <T>(onReplica: () => Promise<T>, onPrimary: () => Promise<T>): Promise<T> => {
    try {
      return await onReplica();
    } catch (err) {
      if (!replica || !isLostConnection(err)) throw err;
      replica.health.lost();
      return onPrimary();
    }
  };
  const replicaReads: Reads | null = replica && {
    source: 'replica',
    withTenant: (lioId, work, options) => orPrimary(() => tenantTransaction(replica.db, appRole, lioId, work, { readOnly: true, ...options }), () => primaryReads.withTenant(lioId, work, options)),
    readPrepared: (name, text, values) => orPrimary(() => replica.readPrepared(name, text, values), () => readPrepared!(name, text, values)),
  };
  return {
    engine,
    system,
    appRole,
    schema,
    ...(listenInProcess ? { listenInProcess } : {}),
    ...(settledCount && readPrepared ? { settledCount, readPrepared } : {}),
    withTenant: (lioId, work) => tenantTransaction(system, appRole, lioId, work, { readOnly: false }),
    reading: (readOptions) => (replicaReads && !readOptions?.fresh && replica!.health.usable() ? replicaReads : primaryReads),
    replicaStatus: () => replica?.health.current() ?? 'none',
    async close() {
      try {
        replica?.health.stop();
        await replica?.db.destroy();
        await system.destroy();
        await endPool?.();
      } finally {
        lock?.release();
      }
    },
  };
}

/** The embedded PostgreSQL in this thread, for tools that work on a data folder directly (a test template, say). */
export { openPGlite as createPGlite } from './pglite-open.mjs';

/** Each PostgreSQL connection: its reads prepared once, its BEGIN sent with the next statement. */
function onConnect(client: PoolClient): void {
  prepareReads(client);
  beginWithFirstStatement(client);
}

/** A transaction as the application role, scoped to one LIO, on the primary or the replica. */
function tenantTransaction<T>(on: Db, appRole: string, lioId: string, work: (tx: Tx) => Promise<T>, options: ReadOptions & { readOnly: boolean }): Promise<T> {
  return on.transaction().execute(async (tx) => {
    await enterTenant(tx, appRole, lioId, options);
    return work(tx);
  });
}

/**
 * Turns the rest of an owner transaction into a tenant one: the application role, scoped to one LIO. For work that
 * must first do something only the owner may (adding the LIO itself), then go on as the LIO, in one transaction.
 */
export async function enterTenant(tx: Tx, appRole: string, lioId: string, options: ReadOptions & { readOnly?: boolean } = {}): Promise<void> {
  // set_config(..., true) is SET LOCAL: all revert when the transaction ends,
  // so a pooled connection never carries one LIO's context into the next request.
  // The values are written into the statement, not sent apart, so that it is a simple query and its BEGIN travels
  // with it (begin-with-first-statement.ts): hence the LIO must be a uuid, and the role is the configured one.
  if (!isUuid(lioId)) throw new Error('enterTenant: the LIO id is not a uuid');
  const settings = [sql`set_config('role', ${sql.lit(appRole)}, true)`, sql`set_config('app.lio_id', ${sql.lit(lioId)}, true)`];
  // Public reads are read-only on the primary too, so a write slipped into them fails in every test, not only on a replica.
  if (options.readOnly) settings.push(sql`set_config('transaction_read_only', 'on', true)`);
  if (options.plans === 'by id') settings.push(sql`set_config('plan_cache_mode', 'force_generic_plan', true)`);
  await sql`select ${sql.join(settings)}`.execute(tx);
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
