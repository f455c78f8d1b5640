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
 * Marks a route's limit as counted in memory (see Tallies): for a public form that may take a thousand requests a
 * second, where a write per request to count it would cost more than the request's own work.
 */
export const COUNTED_IN_MEMORY = Symbol('rate limit counted in memory');
export const countedInMemory = <T extends object>(limit: T): T => ({ ...limit, [COUNTED_IN_MEMORY]: true });

/**
 * A store for @fastify/rate-limit that keeps its counts in the database (table rate_limit_hits), so that the limits
 * on sign-in and public forms hold across every process of a deployment, not once per process. Each route counts
 * apart (a client's sign-ins do not use up its searches' allowance); the key is a keyed hash, never the address.
 * A route whose limit is countedInMemory is counted here first and added to the database every second.
 */
export function databaseRateLimitStore(db: Database, secret: string) {
  let calls = 0;
  const hashOf = (route: string, key: string) => createHmac('sha256', secret).update(`rate-limit\n${route}\n${key}`).digest('hex');
  const tallies = new Tallies(db);

  return class DatabaseRateLimitStore {
    private readonly route: string;
    private readonly inMemory: boolean;

    /** Adds what is counted in memory to the database and stops counting (the app is closing). */
    static close(): Promise<void> {
      return tallies.close();
    }

    constructor(options: StoreOptions = {}) {
      this.route = `${[options.routeInfo?.method ?? ''].flat().join(',')} ${options.routeInfo?.url ?? ''}`;
      this.inMemory = (options as { [COUNTED_IN_MEMORY]?: boolean })[COUNTED_IN_MEMORY] === true;
    }

    incr(key: string, answer: Answer, timeWindow: number): void {
      if (this.inMemory) return answer(null, tallies.hit(hashOf(this.route, key), timeWindow));
      this.count(key, timeWindow).then((r) => answer(null, r), (err: Error) => answer(err));
    }

    read(key: string, answer: Answer, timeWindow: number): void {
      if (this.inMemory) return answer(null, tallies.peek(hashOf(this.route, key), timeWindow));
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

/** How often counts kept in memory are added to the database. */
export const FLUSH_EVERY_MS = 1000;
/** Past this many keys in memory, those already in the database are forgotten here (they are counted again from it). */
const MAX_KEPT = 100_000;

interface Tally { startedAt: number; window: number; known: number; pending: number }

/**
 * Counts kept in this process's memory: a request is counted with no statement, and every FLUSH_EVERY_MS the hits
 * counted since are added to rate_limit_hits in one statement per window length, which answers each key's total over
 * every process (and when its window began). A client is held to its limit at once by the process it uses, and within
 * about a second across processes. A flush that fails is tried again with the next; the counts here still hold.
 */
class Tallies {
  private readonly counts = new Map<string, Tally>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private flushes = 0;

  constructor(private readonly db: Database) {}

  hit(hash: string, window: number): { current: number; ttl: number } {
    const now = Date.now();
    let tally = this.counts.get(hash);
    if (!tally || now - tally.startedAt >= window) {
      tally = { startedAt: now, window, known: 0, pending: 0 };
      this.counts.set(hash, tally);
    }
    tally.pending += 1;
    if (!this.timer && !this.flushing) this.schedule();
    return { current: tally.known + tally.pending, ttl: window - (now - tally.startedAt) };
  }

  peek(hash: string, window: number): { current: number; ttl: number } {
    const tally = this.counts.get(hash);
    const age = tally ? Date.now() - tally.startedAt : Infinity;
    return age < window ? { current: tally!.known + tally!.pending, ttl: window - age } : { current: 0, ttl: 0 };
  }

  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.flushing;
    await this.flush();
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flushing = this.flush().finally(() => {
        this.flushing = null;
        if ([...this.counts.values()].some((t) => t.pending > 0)) this.schedule();
      });
    }, FLUSH_EVERY_MS);
    // A pending flush never keeps a process alive; close() makes the last one.
    this.timer.unref();
  }

  async flush(): Promise<void> {
    const now = Date.now();
    const byWindow = new Map<number, { hash: string; tally: Tally; hits: number }[]>();
    for (const [hash, tally] of this.counts) {
      if (tally.pending === 0) {
        if (now - tally.startedAt >= tally.window || this.counts.size > MAX_KEPT) this.counts.delete(hash);
        continue;
      }
      const sent = { hash, tally, hits: tally.pending };
      tally.pending = 0;
      const same = byWindow.get(tally.window);
      if (same) same.push(sent);
      else byWindow.set(tally.window, [sent]);
    }
    for (const [window, sent] of byWindow) {
      try {
        const { rows } = await sql<{ key_hash: string; hits: number; window_started_at: Date }>`
          insert into rate_limit_hits as h (key_hash, window_started_at, hits)
          select * from unnest(${sent.map((s) => s.hash)}::text[], ${sent.map((s) => new Date(s.tally.startedAt).toISOString())}::timestamptz[], ${sent.map((s) => s.hits)}::int[])
          on conflict (key_hash) do update set
            hits = case when h.window_started_at <= ${new Date(now - window)} then excluded.hits else h.hits + excluded.hits end,
            window_started_at = case when h.window_started_at <= ${new Date(now - window)} then excluded.window_started_at else h.window_started_at end
          returning key_hash, hits, window_started_at`.execute(this.db.system);
        const byHash = new Map(rows.map((r) => [r.key_hash, r]));
        for (const { hash, tally } of sent) {
          const row = byHash.get(hash);
          // A tally whose window ended meanwhile was replaced: the database's answer was about the old window.
          if (!row || this.counts.get(hash) !== tally) continue;
          tally.known = row.hits;
          tally.startedAt = new Date(row.window_started_at).getTime();
        }
      } catch {
        for (const { tally, hits } of sent) tally.pending += hits;
      }
    }
    if (++this.flushes % SWEEP_EVERY === 0) await sweep(this.db, new Date(now)).catch(() => undefined);
  }
}
async function sweep(db: Database, now: Date): Promise<void> {
  await db.system.deleteFrom('rate_limit_hits').where('window_started_at', '<', new Date(now.getTime() - SWEEP_AFTER_MS)).execute();
}
