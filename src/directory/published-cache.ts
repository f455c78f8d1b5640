import { CompiledQuery } from 'kysely';
import { LRUCache } from 'lru-cache';
import type { Database } from '../platform/db/index.js';

/** The channel migration 007's trigger notifies, with the LIO's id or "all". */
const DIRECTORY_CHANGED = 'cg_directory_changed';

/**
 * On PostgreSQL, how long a version read stands for other processes' writes (this process's own are never
 * missed): a deployment of several processes shows a change made through one on the others within this.
 */
export const OTHER_PROCESSES_SEEN_WITHIN_MS = 250;
const VERSION_SQL = 'select sum(weight)::text as version from directory_changes where lio_id = $1';

interface VersionReads { current: Promise<string> | null; next: Promise<string> | null }

/**
 * A response kept for everyone who asks the same thing of the same version of a directory, already encoded.
 * Between its chunks go the parts that differ per response (`holes`: one fewer than the chunks).
 */
export interface KeptResponse { status: number; chunks: Buffer[]; holes: ('nonce' | 'csrf')[] }

/**
 * What the public sees of an LIO's directory (the search pages, the Open Referral UK API) is the same for
 * every visitor until a directory table is written. Such responses are kept here under the LIO's directory
 * version, a number that every committed write raises (migration 007), so a kept response is never served
 * after the data under it changed: the next request reads a new version and misses.
 *
 * The version is read before the work it keys, so a write committed during that work can only make a kept
 * response newer than its version, never older.
 */
export class PublishedCache {
  private readonly kept: LRUCache<string, KeptResponse> | null;
  private readonly reads = new Map<string, VersionReads>();
  private readonly readVersion: (lioId: string) => Promise<string>;
  /** PostgreSQL: tells whether this process may have committed anything since a read began (Database.settledCount). */
  private settledCount: (() => number) | null = null;
  private readonly lastRead = new Map<string, { value: string; startedAt: number; settledAtStart: number }>();
  /** Embedded engine: changes counted from notifications, per LIO and for all LIOs at once. */
  private notified: { all: number; byLio: Map<string, number> } | null = null;

  /**
   * maxBytes 0 keeps nothing (the benchmark's way to time every request doing all its work). `read` replaces
   * the database read of a version, for tests of how reads are shared. Use `open` to follow a database.
   */
  constructor(db: Database, maxBytes = 64 * 1024 * 1024, read?: (lioId: string) => Promise<string>) {
    this.readVersion = read ?? (async (lioId) => {
      const rows = db.readPrepared
        ? await db.readPrepared<{ version: string | null }>('cg_directory_version', VERSION_SQL, [lioId])
        : (await db.system.executeQuery(CompiledQuery.raw(VERSION_SQL, [lioId]))).rows as { version: string | null }[];
      return rows[0]?.version ?? '0';
    });
    if (!read && db.settledCount) this.settledCount = db.settledCount;
    this.kept = maxBytes > 0 ? new LRUCache<string, KeptResponse>({ maxSize: maxBytes, sizeCalculation: (entry) => Math.max(1, entry.chunks.reduce((n, c) => n + c.length, 0)) }) : null;
  }

  /**
   * A cache that follows `db`. The embedded engine is one process and tells it of each commit that changed a
   * directory before that commit returns (Database.listenInProcess), so its versions are counted in memory
   * and asking costs nothing. On PostgreSQL other processes write too, and notifications arrive later than the
   * commit, so the version is read from the database (shared among requests, see `version`).
   */
  static async open(db: Database, maxBytes?: number): Promise<PublishedCache> {
    const cache = new PublishedCache(db, maxBytes);
    if (db.listenInProcess) {
      const counts = { all: 0, byLio: new Map<string, number>() };
      await db.listenInProcess(DIRECTORY_CHANGED, (payload) => {
        if (payload === 'all') counts.all += 1;
        else counts.byLio.set(payload, (counts.byLio.get(payload) ?? 0) + 1);
      });
      cache.notified = counts;
    }
    return cache;
  }

  /**
   * The LIO's directory version as it is now. On PostgreSQL, requests that ask while a read is under way share
   * the next read, begun when that one ends: a read begun before a request arrived could miss a write committed
   * just before it, while one begun after cannot. So a busy server reads about once per read's time, not once
   * per request, and never answers from before a commit it has already reported.
   */
  version(lioId: string): Promise<string> {
    if (this.notified) return Promise.resolve(`${this.notified.all}.${this.notified.byLio.get(lioId) ?? 0}`);
    // The last read still holds while this process has finished nothing on the database since it began (so
    // no write of its own can have committed unseen), for a moment: writes of other processes show after it.
    const last = this.settledCount ? this.lastRead.get(lioId) : undefined;
    if (last && last.settledAtStart === this.settledCount!() && Date.now() - last.startedAt < OTHER_PROCESSES_SEEN_WITHIN_MS) return Promise.resolve(last.value);
    let reads = this.reads.get(lioId);
    if (!reads) this.reads.set(lioId, reads = { current: null, next: null });
    const r = reads;
    if (!r.current) return this.startRead(lioId, r);
    r.next ??= r.current.catch(() => undefined).then(() => {
      r.next = null;
      return this.startRead(lioId, r);
    });
    return r.next;
  }

  private startRead(lioId: string, r: VersionReads): Promise<string> {
    const startedAt = Date.now();
    const settledAtStart = this.settledCount?.() ?? 0;
    const read: Promise<string> = this.readVersion(lioId)
      .then((value) => {
        const last = this.lastRead.get(lioId);
        if (!last || last.startedAt <= startedAt) this.lastRead.set(lioId, { value, startedAt, settledAtStart });
        return value;
      })
      .finally(() => { if (r.current === read) r.current = null; });
    r.current = read;
    return read;
  }

  /** The key of one response of the LIO's directory as it is now. */
  async keyFor(lioId: string, what: string): Promise<string> {
    return `${lioId}|${await this.version(lioId)}|${what}`;
  }

  get(key: string): KeptResponse | undefined {
    return this.kept?.get(key);
  }

  keep(key: string, response: KeptResponse): void {
    this.kept?.set(key, response);
  }
}
