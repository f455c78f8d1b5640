import { sql } from 'kysely';
import { LRUCache } from 'lru-cache';
import type { Database } from '../platform/db/index.js';

/** A response kept for everyone who asks the same thing of the same version of a directory. */
export interface KeptResponse { body: string; status: number }

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

  /** maxBytes 0 keeps nothing (the benchmark's way to time every request doing all its work). */
  constructor(private readonly db: Database, maxBytes = 64 * 1024 * 1024) {
    this.kept = maxBytes > 0 ? new LRUCache<string, KeptResponse>({ maxSize: maxBytes, sizeCalculation: (entry) => Math.max(1, entry.body.length * 2) }) : null;
  }

  /** The LIO's directory version: one index-only read, outside any tenant transaction. */
  async version(lioId: string): Promise<string> {
    const { rows } = await sql<{ version: string | null }>`select sum(weight)::text as version from directory_changes where lio_id = ${lioId}`.execute(this.db.system);
    return rows[0]?.version ?? '0';
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
