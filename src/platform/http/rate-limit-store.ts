import { createHmac } from 'node:crypto';
import { sql } from 'kysely';
import type { Database } from '../db/index.js';

/** What @fastify/rate-limit gives a store's `child`: the route's own limit, and the route itself. */
interface StoreOptions { routeInfo?: { method?: string | string[]; url?: string } }
type Answer = (err: Error | null, result?: { current: number; ttl: number }) => void;

/** Rows older than this are swept (every window is far shorter). */
const SWEEP_AFTER_MS = 24 * 60 * 60_000;
/** One call in this many sweeps; the sweep is one indexed delete. */
const SWEEP_EVERY = 500;

/**
 * A store for @fastify/rate-limit that keeps its counts in the database (table rate_limit_hits), so that the limits
 * on sign-in and public forms hold across every process of a deployment, not once per process. Each route counts
 * apart (a client's sign-ins do not use up its searches' allowance); the key is a keyed hash, never the address.
 */
export function databaseRateLimitStore(db: Database, secret: string) {
  let calls = 0;
  const hashOf = (route: string, key: string) => createHmac('sha256', secret).update(`rate-limit\n${route}\n${key}`).digest('hex');

  return class DatabaseRateLimitStore {
    private readonly route: string;

    constructor(options: StoreOptions = {}) {
      this.route = `${[options.routeInfo?.method ?? ''].flat().join(',')} ${options.routeInfo?.url ?? ''}`;
    }

    incr(key: string, answer: Answer, timeWindow: number): void {
      this.count(key, timeWindow).then((r) => answer(null, r), (err: Error) => answer(err));
    }

    read(key: string, answer: Answer, timeWindow: number): void {
      this.peek(key, timeWindow).then((r) => answer(null, r), (err: Error) => answer(err));
    }

    // (typed as the route's options by the plugin, it is given the route's limit with the route as routeInfo)
    child(routeOptions: object): DatabaseRateLimitStore {
      return new DatabaseRateLimitStore(routeOptions as StoreOptions);
    }

    /** One statement: a window that has ended starts again at 1, otherwise the count goes up by one. */
    private async count(key: string, timeWindow: number): Promise<{ current: number; ttl: number }> {
      const now = new Date();
      const expired = new Date(now.getTime() - timeWindow);
      const { rows } = await sql<{ hits: number; window_started_at: Date }>`
        insert into rate_limit_hits as h (key_hash, window_started_at, hits) values (${hashOf(this.route, key)}, ${now}, 1)
        on conflict (key_hash) do update set
          hits = case when h.window_started_at <= ${expired} then 1 else h.hits + 1 end,
          window_started_at = case when h.window_started_at <= ${expired} then ${now} else h.window_started_at end
        returning hits, window_started_at`.execute(db.system);
      if (++calls % SWEEP_EVERY === 0) await sweep(db, now);
      const row = rows[0]!;
      return { current: row.hits, ttl: Math.max(0, timeWindow - (now.getTime() - new Date(row.window_started_at).getTime())) };
    }

    private async peek(key: string, timeWindow: number): Promise<{ current: number; ttl: number }> {
      const now = Date.now();
      const row = await db.system.selectFrom('rate_limit_hits').select(['hits', 'window_started_at']).where('key_hash', '=', hashOf(this.route, key)).executeTakeFirst();
      const age = row ? now - new Date(row.window_started_at).getTime() : Infinity;
      return age < timeWindow ? { current: row!.hits, ttl: timeWindow - age } : { current: 0, ttl: 0 };
    }
  };
}

async function sweep(db: Database, now: Date): Promise<void> {
  await db.system.deleteFrom('rate_limit_hits').where('window_started_at', '<', new Date(now.getTime() - SWEEP_AFTER_MS)).execute();
}
