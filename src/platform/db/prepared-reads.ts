import { createHash } from 'node:crypto';
import type pg from 'pg';

/**
 * Reads prepared once per connection (PostgreSQL only). Under row-level security, planning a statement costs more
 * than running it: a service fully nested for the ORUK API spent about 3 ms of its 3.5 ms in the server planning
 * its dozen small reads (measured with log_min_duration_statement: bind ≫ execute). A named statement is parsed
 * once per connection and, after a few runs, planned once, so each later run only binds its values and executes.
 *
 * Only reads are named: a read's text is one of a bounded set the code writes, whereas writes (a batch insert's
 * VALUES list grows with the batch) would fill the server's memory with plans used once. Each connection keeps at
 * most MOST_PER_CONNECTION of them and runs any further text unnamed, so even reads whose text varies (a list of
 * terms) cannot grow a connection without bound.
 *
 * PostgreSQL keeps this safe by itself: a cached plan is made again when the role or row_security it was planned
 * under changes (the app's tenant transactions SET ROLE), when search_path changes, and when a table it reads is
 * altered.
 */
const MOST_PER_CONNECTION = 500;
/** Names by text, shared by the connections; cleared when full, since a name is only a hash of its text. */
const namesByText = new Map<string, string>();
const MOST_NAMES_KEPT = 5_000;

function nameOf(text: string): string {
  let name = namesByText.get(text);
  if (name === undefined) {
    if (namesByText.size >= MOST_NAMES_KEPT) namesByText.clear();
    name = `cg_${createHash('sha1').update(text).digest('base64url')}`;
    namesByText.set(text, name);
  }
  return name;
}

/** A SELECT, or a WITH that writes nothing (a data-modifying WITH is a write, named for the reason writes are not). */
const isRead = (text: string) => /^\s*select\b/i.test(text) || (/^\s*with\b/i.test(text) && !/\b(insert|update|delete)\b/i.test(text));

/** Makes `client` run its reads (given as text and values, as Kysely gives them) as named statements. */
export function prepareReads(client: pg.PoolClient): void {
  const named = new Set<string>();
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  (client as { query: (...args: unknown[]) => unknown }).query = (config: unknown, values?: unknown, callback?: unknown) => {
    if (typeof config === 'string' && Array.isArray(values) && callback === undefined && isRead(config)) {
      const name = nameOf(config);
      if (named.has(name) || named.size < MOST_PER_CONNECTION) {
        named.add(name);
        return query({ name, text: config, values });
      }
    }
    return query(config, values, callback);
  };
}
