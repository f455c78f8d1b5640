import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/platform/db/index.js';
import { loadServices } from '../../src/directory/services/repository.js';
import { createTestDatabase, onPostgres } from '../helpers/database.js';
import { factories } from '../helpers/factories.js';
import { directoryFactories } from '../helpers/directory-factories.js';

/**
 * On PostgreSQL, reads are prepared once per connection (src/platform/db/prepared-reads.ts) and reads by id keep one
 * plan for any values (ReadOptions.plans in src/platform/db/index.ts). A kept plan must still answer each LIO with its own rows
 * only, since row-level security is applied when it runs, not when it was planned.
 */
describe.skipIf(!onPostgres)('reads prepared once per connection', () => {
  let db: Database;
  let dispose: () => Promise<void>;
  beforeAll(async () => ({ db, dispose } = await createTestDatabase()));
  afterAll(async () => dispose?.());

  /** This connection's prepared statements whose text holds `fragment`, with how often each was planned each way. */
  const preparedLike = (tx: Parameters<Parameters<Database['withTenant']>[1]>[0], fragment: string) =>
    sql<{ statement: string; generic_plans: number; custom_plans: number }>`select statement, generic_plans::int, custom_plans::int
      from pg_prepared_statements where statement like ${`%${fragment}%`} and statement not like '%pg_prepared_statements%'`.execute(tx).then((r) => r.rows);

  it('loads services by id with one plan kept for any ids, and each LIO still gets only its own services from it', async () => {
    const make = factories(db);
    const directory = directoryFactories(db);
    const [riverside, hillside] = [await make.lio(), await make.lio()];
    const mine = await directory.service(riverside, { name: 'Riverside Food Bank' });
    const theirs = await directory.service(hillside, { name: 'Hillside Lunch Club' });

    for (let i = 0; i < 8; i++) {
      // the same text for both LIOs, each asking for both services: each sees its own
      const seenByRiverside = await db.reading().withTenant(riverside.id, (tx) => loadServices(tx, [mine.id, theirs.id]), { plans: 'by id' });
      const seenByHillside = await db.reading().withTenant(hillside.id, (tx) => loadServices(tx, [mine.id, theirs.id]), { plans: 'by id' });
      expect(seenByRiverside.map((s) => s.name)).toEqual(['Riverside Food Bank']);
      expect(seenByHillside.map((s) => s.name)).toEqual(['Hillside Lunch Club']);
    }

    // Sequential transactions take the pool's last idle connection, so this one ran the reads above.
    const [services] = await db.reading().withTenant(riverside.id, async (tx) => {
      await loadServices(tx, [mine.id]);
      return preparedLike(tx, 'from "services" inner join "organisations"');
    }, { plans: 'by id' });
    expect(services).toBeDefined();
    expect(services!.generic_plans).toBeGreaterThan(0);
    expect(services!.custom_plans).toBe(0);
  });

  it('keeps the default planning for other reads, and names no write', async () => {
    const make = factories(db);
    const lio = await make.lio();
    const mode = (tx: Parameters<Parameters<Database['withTenant']>[1]>[0]) => sql<{ mode: string }>`select current_setting('plan_cache_mode') as mode`.execute(tx).then((r) => r.rows[0]!.mode);
    expect(await db.reading().withTenant(lio.id, mode, { plans: 'by id' })).toBe('force_generic_plan');
    expect(await db.reading().withTenant(lio.id, mode)).toBe('auto');
    const writes = await db.withTenant(lio.id, async (tx) => {
      expect(await mode(tx)).toBe('auto');
      await tx.insertInto('organisations').values({ lio_id: lio.id, name: 'Named Nowhere Trust', created_at: new Date(), updated_at: new Date() }).execute();
      return preparedLike(tx, 'insert into "organisations"');
    });
    expect(writes).toEqual([]);
  });

  it('prepares a read again when its columns change under it (another process migrating), failing at most the first request', async () => {
    const make = factories(db);
    const lio = await make.lio();
    const organisation = await make.organisation(lio, { name: 'Before The Migration' });
    // as the owner outside a transaction, as the app resolves a request's LIO
    const read = () => db.system.selectFrom('organisations').selectAll().where('id', '=', organisation.id).execute();
    await read();
    await read();
    await sql`alter table organisations add column prepared_reads_probe integer`.execute(db.system);
    const outcomes: string[] = [];
    for (let i = 0; i < 3; i++) outcomes.push(await read().then((rows) => `${rows.length} with the new column: ${'prepared_reads_probe' in rows[0]!}`, (err: Error) => err.message));
    expect(outcomes[0]).toMatch(/^1 with the new column: true$|cached plan must not change result type/);
    expect(outcomes.slice(1)).toEqual(['1 with the new column: true', '1 with the new column: true']);
  });
});
