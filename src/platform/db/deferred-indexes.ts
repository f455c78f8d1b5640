import { sql, type RawBuilder } from 'kysely';
import type { Tx } from './index.js';

/**
 * Secondary indexes set aside during a bulk write and built again, from their own definitions, before it ends.
 *
 * Each row written costs an insertion into every index of its table; building an index once over the finished
 * table (a sort, or for GIN one pass of its accumulator) costs a fraction of that. On the embedded engine, where
 * one import of 100,000 services writes 1.4 million rows, insertions into the secondary indexes were most of the
 * write. Only the embedded engine may do this: it runs one transaction at a time, so nobody can see a table
 * without its indexes, and as the drop and the build are in the writer's transaction, a rejected import gets
 * them back with everything else. (On PostgreSQL a dropped index locks its table against every reader until
 * the commit, so the writers there keep the indexes.)
 *
 * Unique and primary keys, and indexes behind an exclusion constraint, are never set aside: the write relies on
 * them as it goes (ON CONFLICT, look-ups by feed id). Only a write that adds at least as many rows as its main
 * table already holds gains from rebuilding the whole of it: `start` answers null otherwise, and where the
 * session may not drop indexes (it must own the tables; the embedded engine's session is a superuser).
 */
export class DeferredIndexes {
  private readonly setAsideIndexes: { name: string; definition: string }[] = [];

  private constructor(private readonly tx: Tx, private readonly role: string) {}

  static async start(tx: Tx, options: { table: string; adding: number }): Promise<DeferredIndexes | null> {
    const { rows } = await sql<{ role: string; superuser: boolean }>`select current_user as role,
      coalesce((select rolsuper from pg_roles where rolname = session_user), false) as superuser`.execute(tx);
    if (!rows[0]?.superuser) return null;
    const deferred = new DeferredIndexes(tx, rows[0].role);
    // every LIO's rows: an index covers the whole table (the session's own role is not held to one LIO)
    const held = await deferred.asSessionUser(sql<{ n: number }>`select count(*)::int as n from ${sql.table(options.table)}`);
    return Number(held[0]?.n ?? 0) <= options.adding ? deferred : null;
  }

  /** Drops the secondary indexes of `tables`, to be built again by `rebuild`. */
  async setAside(tables: readonly string[]): Promise<void> {
    const { rows } = await sql<{ name: string; definition: string }>`select i.relname as name, pg_get_indexdef(x.indexrelid) as definition
      from pg_index x join pg_class i on i.oid = x.indexrelid join pg_class t on t.oid = x.indrelid
      where t.relnamespace = current_schema()::regnamespace and t.relname = any(${[...tables]}::text[])
        and not x.indisunique and not x.indisprimary and not x.indisexclusion
      order by t.relname, i.relname`.execute(this.tx);
    if (!rows.length) return;
    await this.asSessionUser(sql`drop index ${sql.join(rows.map((r) => sql.id(r.name)))}`);
    this.setAsideIndexes.push(...rows);
  }

  /** Builds every index set aside again, as it was defined. */
  async rebuild(): Promise<void> {
    if (!this.setAsideIndexes.length) return;
    // An index build sorts in memory up to this much before spilling to temporary files; local to the transaction.
    await sql`select set_config('maintenance_work_mem', '256MB', true)`.execute(this.tx);
    for (const index of this.setAsideIndexes.splice(0)) await this.asSessionUser(sql.raw(index.definition));
  }

  /** Runs one statement as the session's own role (the tenant role neither owns the tables nor sees other LIOs' rows). */
  private async asSessionUser<R>(statement: RawBuilder<R>): Promise<R[]> {
    await sql`select set_config('role', 'none', true)`.execute(this.tx);
    const { rows } = await statement.execute(this.tx);
    await sql`select set_config('role', ${this.role}, true)`.execute(this.tx);
    return rows;
  }
}
