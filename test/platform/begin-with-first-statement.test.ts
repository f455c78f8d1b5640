import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/platform/db/index.js';
import { createTestDatabase, onPostgres } from '../helpers/database.js';
import { factories } from '../helpers/factories.js';

/**
 * On PostgreSQL a transaction's BEGIN is sent in the same message as its first statement when that one carries no
 * values (src/platform/db/begin-with-first-statement.ts), which every tenant transaction's first statement is. The
 * server dates a transaction from the message that began it: the same moment as that statement's only when both came
 * together.
 */
describe.skipIf(!onPostgres)('a transaction begun with its first statement', () => {
  let db: Database;
  let dispose: () => Promise<void>;
  beforeAll(async () => ({ db, dispose } = await createTestDatabase()));
  afterAll(async () => dispose?.());

  const begunTogether = sql<{ together: boolean }>`select transaction_timestamp() = statement_timestamp() as together`;

  it('sends BEGIN with a first statement that has no values, and apart from one that has', async () => {
    const simple = await db.system.transaction().execute(async (tx) => (await begunTogether.execute(tx)).rows[0]!.together);
    expect(simple).toBe(true);
    const withValues = await db.system.transaction().execute(async (tx) =>
      (await sql<{ together: boolean }>`select transaction_timestamp() = statement_timestamp() as together where ${1}::int = 1`.execute(tx)).rows[0]!.together);
    expect(withValues).toBe(false);
  });

  it("keeps a tenant transaction's LIO for each of its statements", async () => {
    const lio = await factories(db).lio();
    const seen = await db.withTenant(lio.id, async (tx) => {
      const first = await sql<{ lio: string }>`select current_setting('app.lio_id') as lio`.execute(tx);
      const again = await sql<{ lio: string }>`select current_setting('app.lio_id') as lio`.execute(tx);
      return { first: first.rows[0]!.lio, again: again.rows[0]!.lio };
    });
    // Set LOCAL outside a transaction would be gone by the next statement.
    expect(seen.first).toBe(lio.id);
    expect(seen.again).toBe(lio.id);
  });

  it('undoes on rollback what the first statement wrote, as a transaction begun apart would', async () => {
    const table = `begun_together_${Date.now()}`;
    await expect(db.system.transaction().execute(async (tx) => {
      await sql.raw(`create table ${table} (name text); insert into ${table} values ('kept?')`).execute(tx);
      throw new Error('changed my mind');
    })).rejects.toThrow('changed my mind');
    // Made in the statement that travelled with BEGIN: had it run outside the transaction, it would still be here.
    const left = await sql<{ found: string | null }>`select to_regclass(${table})::text as found`.execute(db.system);
    expect(left.rows[0]!.found).toBeNull();
  });
});

describe('a tenant transaction', () => {
  let db: Database;
  let dispose: () => Promise<void>;
  beforeAll(async () => ({ db, dispose } = await createTestDatabase()));
  afterAll(async () => dispose?.());

  it('refuses a tenant that is not a uuid, since its LIO is written into the statement that sets it', async () => {
    await expect(db.withTenant("x', true), set_config('role', 'postgres", async () => 1)).rejects.toThrow(/not a uuid/);
  });
});
