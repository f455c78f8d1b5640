import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestDatabase } from './helpers/database.js';
import type { Database } from '../src/platform/db/index.js';

/**
 * Deleting a record makes the database find every row naming it, once per record deleted (to cascade or set null).
 * Without an index on the naming column each look is a scan of the whole table: a re-import replacing 100,000
 * contacts, or deleting an organisation with its venues, would take hours instead of seconds. Keys to lios are
 * the exception: a LIO is deleted one at a time, so each of those tables is looked through once.
 */
let db: Database;
let dispose: () => Promise<void>;
beforeAll(async () => { ({ db, dispose } = await createTestDatabase()); });
afterAll(async () => { await dispose(); });

describe('the schema', () => {
  // A key between tenant tables is (lio_id, the record's id): the column naming the record is the one that is not lio_id.
  it('has an index leading with the column of every foreign key, but those to lios', async () => {
    const { rows } = await sql<{ key: string }>`select c.conrelid::regclass::text || '.' || a.attname || ' → ' || c.confrelid::regclass::text as key
      from pg_constraint c join pg_attribute a on a.attrelid = c.conrelid
        and a.attnum = (select k from unnest(c.conkey) k join pg_attribute l on l.attrelid = c.conrelid and l.attnum = k where l.attname <> 'lio_id' limit 1)
      where c.contype = 'f' and c.connamespace = current_schema()::regnamespace and c.confrelid <> 'lios'::regclass
        and not exists (select 1 from pg_index i where i.indrelid = c.conrelid and i.indkey[0] = a.attnum)
      order by 1`.execute(db.system);
    expect(rows.map((r) => r.key)).toEqual([]);
    // the rule is not met by having no keys to look at
    const keys = await sql<{ n: number }>`select count(*)::int as n from pg_constraint where contype = 'f' and connamespace = current_schema()::regnamespace`.execute(db.system);
    expect(keys.rows[0]!.n).toBeGreaterThan(40);
  });
});
