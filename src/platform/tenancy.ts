import type { Database } from './db/index.js';

export interface Lio { id: string; slug: string; name: string; hostnames: string[] }

/**
 * Each request belongs to one LIO, chosen by hostname, falling back to the default LIO.
 * Lookups are cached briefly because every request needs one.
 */
export class LioResolver {
  private readonly cache = new Map<string, { lio: Lio | null; until: number }>();
  constructor(private readonly db: Database, private readonly ttlMs = 30_000) {}

  async forHostname(hostname: string): Promise<Lio | null> {
    const key = hostname.toLowerCase();
    const hit = this.cache.get(key);
    const now = Date.now();
    if (hit && hit.until > now) return hit.lio;
    const byHost = await this.db.system.selectFrom('lios').select(['id', 'slug', 'name', 'hostnames'])
      .where((eb) => eb(eb.val(key), '=', eb.fn.any('hostnames'))).executeTakeFirst();
    const lio = byHost ?? (await this.db.system.selectFrom('lios').select(['id', 'slug', 'name', 'hostnames']).where('is_default', '=', true).executeTakeFirst()) ?? null;
    this.cache.set(key, { lio, until: now + this.ttlMs });
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
  return lio.hostnames.includes(request.hostname.toLowerCase()) ? `${request.protocol}://${request.host}` : baseUrl;
}
