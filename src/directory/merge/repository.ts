import { sql } from 'kysely';
import type { Queryable, Tx } from '../../platform/db/index.js';

/** The SQL of a merge. Every function runs in the merge's one tenant transaction. */
export const mergeRepository = {
  /** Both records, locked in a fixed order so that two merges of the same pair cannot interleave. */
  lockPair: (tx: Queryable, keptId: string, mergedId: string) =>
    tx.selectFrom('organisations').selectAll().where('id', 'in', [keptId, mergedId]).orderBy('id').forUpdate().execute(),

  /**
   * Every table with a foreign key to organisations, found in the catalogue so tables added later move too. The keys
   * name the LIO as well (lio_id, organisation's id): the column to move is the other one, the LIO stays.
   */
  async referencingColumns(tx: Tx): Promise<{ schema: string; table: string; column: string }[]> {
    const result = await sql<{ schema: string; table: string; column: string }>`
      select n.nspname as schema, cl.relname as table, a.attname as column
      from pg_constraint c
      join pg_class cl on cl.oid = c.conrelid
      join pg_namespace n on n.oid = cl.relnamespace
      join pg_attribute a on a.attrelid = c.conrelid and a.attnum = any(c.conkey) and a.attname <> 'lio_id'
      where c.contype = 'f' and c.confrelid = 'organisations'::regclass
        and array_length(c.conkey, 1) = case when 'lio_id' = any(array(select b.attname from pg_attribute b where b.attrelid = c.conrelid and b.attnum = any(c.conkey))) then 2 else 1 end
      order by cl.relname, a.attname`.execute(tx);
    return result.rows;
  },

  /**
   * Points one referencing column's rows at the kept record: how many moved, or null when they could not (a unique
   * rule of another capability), in which case they stay with the merged record, which is kept.
   */
  async moveReferences(tx: Tx, ref: { schema: string; table: string; column: string }, keptId: string, mergedId: string): Promise<number | null> {
    await sql`savepoint cg_merge_move`.execute(tx);
    try {
      const result = await sql`update ${sql.id(ref.schema, ref.table)} set ${sql.id(ref.column)} = ${keptId}::uuid where ${sql.id(ref.column)} = ${mergedId}::uuid`.execute(tx);
      await sql`release savepoint cg_merge_move`.execute(tx);
      return Number(result.numAffectedRows ?? 0);
    } catch {
      await sql`rollback to savepoint cg_merge_move`.execute(tx);
      await sql`release savepoint cg_merge_move`.execute(tx);
      return null;
    }
  },

  /** Taxonomy terms linked to the organisation (HSDS attributes, no foreign key): a term both carry is kept once. */
  async moveAttributes(tx: Queryable, keptId: string, mergedId: string): Promise<number> {
    await tx.deleteFrom('attributes').where('link_type', '=', 'organization').where('link_id', '=', mergedId)
      .where('taxonomy_term_id', 'in', (eb) => eb.selectFrom('attributes').select('taxonomy_term_id').where('link_id', '=', keptId)).execute();
    const attributes = await tx.updateTable('attributes').set({ link_id: keptId }).where('link_type', '=', 'organization').where('link_id', '=', mergedId).executeTakeFirst();
    return Number(attributes.numUpdatedRows);
  },

  /** The unique (lio, external id) index: freed on the merged record first, so a re-import finds the kept one. */
  clearExternalId: (tx: Queryable, id: string) => tx.updateTable('organisations').set({ external_id: null }).where('id', '=', id).execute(),

  update: (tx: Queryable, id: string, patch: Record<string, unknown>, now: Date) =>
    tx.updateTable('organisations').set({ ...patch, updated_at: now }).where('id', '=', id).execute(),

  close: (tx: Queryable, id: string, keptId: string, now: Date) =>
    tx.updateTable('organisations').set({ status: 'closed', merged_into_id: keptId, updated_at: now }).where('id', '=', id).execute(),
};
