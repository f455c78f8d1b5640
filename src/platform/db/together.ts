import { sql, type RawBuilder } from 'kysely';
import type { Queryable } from './index.js';

/**
 * Several small reads in one statement, each as its rows in its own order: one round trip to the database instead of
 * one each (a transaction's statements go one after another on its connection, so Promise.all saves none). Columns
 * that are text, uuids, numbers, booleans or arrays of them come back through JSON unchanged; numeric comes back as
 * a number, and a timestamp or date as ISO text, which the caller turns back into what it reads (a Date, say).
 */
export async function readTogether<T extends Record<string, unknown[]>>(db: Queryable, reads: { [K in keyof T]: RawBuilder<T[K][number]> }): Promise<T> {
  const result = await togetherStatement(reads).execute(db);
  return result.rows[0] as T;
}

/** The statement of readTogether, for a caller that compiles it once and runs it many times. */
export function togetherStatement(reads: Record<string, RawBuilder<unknown>>, withClause?: RawBuilder<unknown>): RawBuilder<Record<string, unknown[]>> {
  // Each read's rows are aggregated as its ORDER BY sorts them (PostgreSQL aggregates a sorted subquery in its order).
  const columns = Object.keys(reads).map((name) => sql`(select coalesce(json_agg(x), '[]'::json) from (${reads[name]}) x) as ${sql.ref(name)}`);
  // `withClause` ("with x as (…)"): a set the reads share, worked out once.
  return sql<Record<string, unknown[]>>`${withClause ?? sql``} select ${sql.join(columns)}`;
}
