import { sql } from 'kysely';
import type { Tx } from './index.js';

/**
 * Set-based reference checks for bulk writes.
 *
 * PostgreSQL checks each foreign key row by row, one lookup per written row; in a bulk import of 1.4 million rows
 * those lookups were the largest single cost (see migration 010). In bulk mode the transaction writes with
 * `session_replication_role = replica`, which skips them, and before it ends checks every reference of the
 * tables written with one anti-join per foreign key: a row naming a record that is not there fails the whole
 * transaction, as the row-by-row check would have.
 *
 * That role also skips referential actions (ON DELETE CASCADE), so a bulk writer runs its deletes between
 * `pause()` and `resume()`, with the row-by-row checks and cascades back on. The directory's own triggers are
 * marked ENABLE ALWAYS (migration 011) and fire in either mode. Setting the role needs a superuser session,
 * as the embedded engine's is; `start` answers null where the session may not, and the writer then keeps
 * the row-by-row checks.
 *
 * A row-by-row check also locks each record named (FOR KEY SHARE) until the commit, so that no other transaction
 * deletes it meanwhile. Where other transactions may run (PostgreSQL), `lockNamed` does the same set-based before
 * the check: the records named that this transaction did not itself write (those it wrote, others cannot see or
 * are already locked by its update). The embedded engine runs one transaction at a time and needs no lock.
 */
export class BulkReferences {
  private constructor(private readonly tx: Tx, private readonly role: string, private readonly lockNamed: boolean) {}

  /** Turns the row-by-row checks off for the rest of the transaction, or answers null when the session may not. */
  static async start(tx: Tx, options: { lockNamed: boolean }): Promise<BulkReferences | null> {
    const { rows } = await sql<{ role: string; superuser: boolean }>`select current_user as role,
      coalesce((select rolsuper from pg_roles where rolname = session_user), false) as superuser`.execute(tx);
    if (!rows[0]?.superuser) return null;
    const bulk = new BulkReferences(tx, rows[0].role, options.lockNamed);
    await bulk.rowChecks(false);
    return bulk;
  }

  /** Row-by-row checks and cascades back on, for deletes. */
  pause(): Promise<void> {
    return this.rowChecks(true);
  }

  resume(): Promise<void> {
    return this.rowChecks(false);
  }

  /** Checks every foreign key of `tables` over the rows this transaction can see, then turns row-by-row checks back on. */
  async finish(tables: readonly string[]): Promise<void> {
    await checkReferences(this.tx, tables, { lockNamed: this.lockNamed });
    await this.rowChecks(true);
  }

  private async rowChecks(on: boolean): Promise<void> {
    // The tenant role may not set the replication role: the session's own (superuser) role sets it, and the
    // transaction is handed back to the role it was in. All three are local to the transaction.
    await sql`select set_config('role', 'none', true), set_config('session_replication_role', ${on ? 'origin' : 'replica'}, true),
      set_config('role', ${this.role}, true)`.execute(this.tx);
  }
}

export class BrokenReferenceError extends Error {
  constructor(readonly broken: { table: string; columns: string[]; references: string; rows: number }[]) {
    super(`rows name records that are not there: ${broken.map((b) => `${b.rows} in ${b.table} (${b.columns.join(', ')} → ${b.references})`).join('; ')}`);
    this.name = 'BrokenReferenceError';
  }
}

interface ForeignKey { name: string; child: string; childColumns: string[]; parent: string; parentColumns: string[] }

/**
 * Rows of `tables` (in the transaction's schema) whose foreign key is set (every column, as MATCH SIMPLE checks)
 * but names no row of the parent. One anti-join per parent table: the keys of every child naming it are read
 * together, so the parent's ids are hashed once. Under row-level security both sides are the LIO's own.
 * With `lockNamed`, the records named by rows this transaction wrote, and not written by it themselves, are first
 * locked as a row-by-row check would lock them; one deleted before the lock is then found missing. (A row's xmin
 * is the transaction that wrote it; the writers here use no savepoints, which would give their rows other ids
 * and only lock more than needed.)
 */
export async function checkReferences(tx: Tx, tables: readonly string[], options: { lockNamed: boolean } = { lockNamed: false }): Promise<void> {
  const { rows: keys } = await sql<ForeignKey>`select k.conname as name, c.relname as child, p.relname as parent,
      array(select a.attname::text from unnest(k.conkey) with ordinality u(n, i) join pg_attribute a on a.attrelid = k.conrelid and a.attnum = u.n order by u.i) as "childColumns",
      array(select a.attname::text from unnest(k.confkey) with ordinality u(n, i) join pg_attribute a on a.attrelid = k.confrelid and a.attnum = u.n order by u.i) as "parentColumns"
    from pg_constraint k join pg_class c on c.oid = k.conrelid join pg_class p on p.oid = k.confrelid
    where k.contype = 'f' and c.relnamespace = current_schema()::regnamespace and c.relname = any(${[...tables]}::text[])
    order by p.relname, c.relname, k.conname`.execute(tx);
  const byParent = new Map<string, ForeignKey[]>();
  for (const key of keys) {
    const group = `${key.parent}(${key.parentColumns.join(',')})`;
    byParent.set(group, [...(byParent.get(group) ?? []), key]);
  }
  const broken: BrokenReferenceError['broken'] = [];
  for (const group of byParent.values()) {
    const { parent, parentColumns } = group[0]!;
    const children = (writtenHere: boolean) => sql.join(group.map((key, k) => sql`select ${k}::int as k,
      ${sql.join(key.childColumns.map((c, i) => sql`c.${sql.ref(c)} as ${sql.ref(`v${i}`)}`))} from ${sql.table(key.child)} c
      where ${sql.join(key.childColumns.map((c) => sql`c.${sql.ref(c)} is not null`), sql` and `)} ${writtenHere ? sql`and c.xmin = pg_current_xact_id()::xid` : sql``}`), sql` union all `);
    const match = sql.join(parentColumns.map((c, i) => sql`p.${sql.ref(c)} = c.${sql.ref(`v${i}`)}`), sql` and `);
    if (options.lockNamed) {
      const parentKey = sql.join(parentColumns.map((c) => sql`p.${sql.ref(c)}`));
      const childKey = sql.join(parentColumns.map((_, i) => sql.ref(`v${i}`)));
      await sql`select count(*) from (select 1 from ${sql.table(parent)} p
        where p.xmin <> pg_current_xact_id()::xid and (${parentKey}) in (select ${childKey} from (${children(true)}) c) for key share of p) locked`.execute(tx);
    }
    const { rows } = await sql<{ k: number; n: number }>`select c.k, count(*)::int as n from (${children(false)}) c
      where not exists (select 1 from ${sql.table(parent)} p where ${match}) group by c.k`.execute(tx);
    for (const row of rows) {
      const key = group[row.k]!;
      // A key between tenant tables also holds lio_id; the column naming the record is what a reader needs to know.
      const named = key.childColumns.filter((c) => c !== 'lio_id');
      broken.push({ table: key.child, columns: named.length ? named : key.childColumns, references: key.parent, rows: Number(row.n) });
    }
  }
  if (broken.length) throw new BrokenReferenceError(broken);
}
