import type { KeptResponse } from '../../platform/http/request-context.js';
import { LRUCache } from 'lru-cache';
import type { Database, Reads } from '../../platform/db/index.js';

/** The channel migration 007's trigger notifies, with the LIO's id or "all". */
const DIRECTORY_CHANGED = 'cg_directory_changed';

/**
 * On PostgreSQL, how long a version read stands for other processes' writes (this process's own are never
 * missed): a deployment of several processes shows a change made through one on the others within this.
 */
export const OTHER_PROCESSES_SEEN_WITHIN_MS = 250;
const VERSION_SQL = 'select sum(weight)::text as version from directory_changes where lio_id = $1';

/** One LIO's version reads: the one under way, the one queued behind it, and the last one done. */
export type { KeptResponse };

interface VersionReads {
  current: Promise<string> | null;
  next: Promise<string> | null;
  last: { value: string; startedAt: number; settledAtStart: number } | null;
}

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
  private readonly readVersion: ((lioId: string, reads: Reads | null) => Promise<string>) | null;
  /** PostgreSQL: tells whether this process may have committed anything since a read began (Database.settledCount). */
  private readonly settledCount: (() => number) | null;
  private readonly reads = new Map<string, VersionReads>();
  /** Embedded engine: changes counted from notifications, per LIO and for all LIOs at once. */
  private notified: { all: number; byLio: Map<string, number> } | null = null;

  /**
   * maxBytes 0 keeps nothing (the benchmark's way to time every request doing all its work). `read` replaces
   * the database read of a version, for tests of how reads are shared. Use `open` to follow a database.
   */
  constructor(db: Database, maxBytes = 64 * 1024 * 1024, read?: (lioId: string) => Promise<string>) {
    const { readPrepared } = db;
    this.readVersion = read ?? (readPrepared
      ? async (lioId, reads) => (await (reads?.readPrepared ?? readPrepared)<{ version: string | null }>('cg_directory_version', VERSION_SQL, [lioId]))[0]?.version ?? '0'
      : null);
    this.settledCount = !read && db.settledCount ? db.settledCount : null;
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
   *
   * `reads` names the server the keyed work reads from (Database.reading): a replica's version is read from the
   * replica, since a version read on the primary could be newer than the replica's rows and keep them under it.
   */
  version(lioId: string, reads: Reads | null = null): Promise<string> {
    if (this.notified) return Promise.resolve(`${this.notified.all}.${this.notified.byLio.get(lioId) ?? 0}`);
    const r = this.readsOf(lioId, reads);
    // The last read still holds while this process has finished nothing on the database since it began (so
    // no write of its own can have committed unseen), for a moment: writes of other processes show after it.
    const { last } = r;
    if (last && this.settledCount && last.settledAtStart === this.settledCount() && Date.now() - last.startedAt < OTHER_PROCESSES_SEEN_WITHIN_MS) {
      return Promise.resolve(last.value);
    }
    if (!r.current) return this.startRead(lioId, reads, r);
    r.next ??= r.current.catch(() => undefined).then(() => {
      r.next = null;
      return this.startRead(lioId, reads, r);
    });
    return r.next;
  }

  private readsOf(lioId: string, reads: Reads | null): VersionReads {
    const key = `${reads?.source ?? 'primary'}|${lioId}`;
    let r = this.reads.get(key);
    if (!r) this.reads.set(key, r = { current: null, next: null, last: null });
    return r;
  }

  private startRead(lioId: string, reads: Reads | null, r: VersionReads): Promise<string> {
    if (!this.readVersion) throw new Error('PublishedCache: this database tells no versions; make the cache with PublishedCache.open');
    const startedAt = Date.now();
    const settledAtStart = this.settledCount?.() ?? 0;
    const read: Promise<string> = this.readVersion(lioId, reads)
      .then((value) => {
        if (!r.last || r.last.startedAt <= startedAt) r.last = { value, startedAt, settledAtStart };
        return value;
      })
      .finally(() => { if (r.current === read) r.current = null; });
    r.current = read;
    return read;
  }

  /** The key of one response of the LIO's directory as it is now (as `reads` sees it). */
  async keyFor(lioId: string, what: string, reads: Reads | null = null): Promise<string> {
    return `${lioId}|${await this.version(lioId, reads)}|${what}`;
  }

  get(key: string): KeptResponse | undefined {
    return this.kept?.get(key);
  }

  keep(key: string, response: KeptResponse): void {
    this.kept?.set(key, response);
  }
}
