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
 * PostgreSQL plans a kept statement again when the role or row_security it was planned under changes (the app's
 * tenant transactions SET ROLE), when search_path changes, and when a table it reads is altered. But a kept
 * statement whose columns change (another process migrating beside this one, `select *` over a new column) fails
 * with "cached plan must not change result type", and node-pg would send it again by name for as long as the
 * connection lives: so a statement that fails so is forgotten, and its text takes a new name on this connection.
 * The request it failed in gets the error; the next one is prepared afresh.
 *
 * Only reads with values are named: a read without values is sent as a simple query, which may hold several
 * statements, and a named statement may not.
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

/** A kept statement that must be prepared again: its result changed shape, or the server no longer has it. */
const isStale = (err: unknown) => {
  const { code, message } = err as { code?: string; message?: string };
  return code === '26000' || (code === '0A000' && /cached plan must not change result type/.test(message ?? ''));
};
let renamings = 0;

/** Makes `client` run its reads (given as text and values, as Kysely gives them) as named statements. */
export function prepareReads(client: pg.PoolClient): void {
  const named = new Set<string>();
  /** Texts whose statement this connection gave up, under the name each now has here. */
  const renamed = new Map<string, string>();
  const parsed = (client as unknown as { connection?: { parsedStatements?: Record<string, string> } }).connection?.parsedStatements;
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  (client as { query: (...args: unknown[]) => unknown }).query = (config: unknown, values?: unknown, callback?: unknown) => {
    if (typeof config === 'string' && Array.isArray(values) && values.length > 0 && callback === undefined && isRead(config)) {
      const name = renamed.get(config) ?? nameOf(config);
      if (named.has(name) || named.size < MOST_PER_CONNECTION) {
        named.add(name);
        return (query({ name, text: config, values }) as Promise<unknown>).catch((err: unknown) => {
          if (isStale(err)) {
            named.delete(name);
            if (parsed) delete parsed[name];
            renamings += 1;
            renamed.set(config, `${nameOf(config)}_${renamings}`);
          }
          throw err;
        });
      }
    }
    return query(config, values, callback);
  };
}
