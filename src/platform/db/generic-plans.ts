import { sql } from 'kysely';
import type { Queryable } from './index.js';

/**
 * Runs `work` (reads by id in `db`'s transaction) with plans made once for any values. PostgreSQL plans a prepared
 * statement afresh for its values each time (a custom plan) while the plan for any values looks dearer, and for
 * "id = any($1::uuid[])" it always does, since it cannot know the list is short; under row-level security that
 * planning costs several times the read itself. Lookups by id or by a list of ids read the same index whatever the
 * values, so the plan for any values (made once per connection, see prepared-reads.ts) loses nothing for them. A
 * search, whose best plan turns on its words, keeps the default: the setting returns to it after `work`.
 * Outside a transaction the setting would not hold, so `work` simply runs.
 */
export async function withGenericPlans<T>(db: Queryable, work: () => Promise<T>): Promise<T> {
  if (!db.isTransaction || generic.has(db)) return work();
  const before = await sql<{ mode: string }>`select current_setting('plan_cache_mode') as mode, set_config('plan_cache_mode', 'force_generic_plan', true)`.execute(db);
  generic.add(db);
  try {
    return await work();
  } finally {
    generic.delete(db);
    await sql`select set_config('plan_cache_mode', ${before.rows[0]!.mode}, true)`.execute(db);
  }
}

/** The transactions inside withGenericPlans, so that a nested call costs no more round trips. */
const generic = new WeakSet<Queryable>();
