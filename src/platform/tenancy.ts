import { LRUCache } from 'lru-cache';
import type { Database } from './db/index.js';

export interface Lio { id: string; slug: string; name: string; hostnames: string[] }

/**
 * Each request belongs to one LIO, chosen by hostname, falling back to the default LIO.
 * Lookups are cached briefly because every request needs one.
 */
export class LioResolver {
  /** Host headers are chosen by the caller: without a bound, a stream of made-up names would fill the memory. */
  static readonly MAX_CACHED = 1000;
  // A hostname that names no LIO is kept too (as the default LIO's answer), so a stream of them costs no queries.
  private readonly cache: LRUCache<string, { lio: Lio | null }>;
  constructor(private readonly db: Database, ttlMs = 30_000) {
    this.cache = new LRUCache({ max: LioResolver.MAX_CACHED, ttl: ttlMs });
  }

  get cachedHostnames(): number {
    return this.cache.size;
  }

  async forHostname(hostname: string): Promise<Lio | null> {
    const key = hostname.toLowerCase();
    const hit = this.cache.get(key);
    if (hit) return hit.lio;
    const byHost = await this.db.system.selectFrom('lios').select(['id', 'slug', 'name', 'hostnames'])
      .where((eb) => eb(eb.val(key), '=', eb.fn.any('hostnames'))).executeTakeFirst();
    const lio = byHost ?? (await this.db.system.selectFrom('lios').select(['id', 'slug', 'name', 'hostnames']).where('is_default', '=', true).executeTakeFirst()) ?? null;
    this.cache.set(key, { lio });
    return lio;
  }

  forget(): void {
    this.cache.clear();
  }
}

/**
 * The address to put in e-mailed links. Only a hostname registered to the LIO is trusted;
 * anything else (a forged Host header) gets the configured BASE_URL, so links cannot be poisoned.
 */
export function publicOrigin(lio: Lio, request: { protocol: string; hostname: string; host: string }, baseUrl: string): string {
  // The whole Host must be a registered name with at most a port: "cvs.example:@evil.example" has a registered
  // hostname part, but a browser would read it as a user name at evil.example. The scheme can come from
  // X-Forwarded-Proto, so it too must be exactly http or https.
  const host = /^([a-z0-9.-]+)(?::(\d{1,5}))?$/i.exec(request.host);
  const registered = host !== null && lio.hostnames.includes(host[1]!.toLowerCase());
  const scheme = request.protocol === 'https' || request.protocol === 'http' ? request.protocol : null;
  return registered && scheme ? `${scheme}://${request.host.toLowerCase()}` : baseUrl;
}

/** Where a link in an e-mail sent without a request points: BASE_URL for the default LIO, else the LIO's first hostname. */
export function lioOrigin(lio: { is_default: boolean; hostnames: string[] }, baseUrl: string): string {
  const host = lio.hostnames[0];
  if (lio.is_default || !host) return baseUrl;
  return `${new URL(baseUrl).protocol}//${host}`;
}
