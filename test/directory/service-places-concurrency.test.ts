import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestDatabase, onPostgres } from '../helpers/database.js';
import { factories } from '../helpers/factories.js';
import { directoryFactories } from '../helpers/directory-factories.js';
import type { Database } from '../../src/platform/db/index.js';

/**
 * Two transactions that change one service at once, through different tables (its place in one, its name in the
 * other), each remake the service's rows of published_service_places (migration 019). Without serialising them the
 * second's refresh removed none of the rows the first had just made and gave way to them, so the read model kept the
 * first's version. Only PostgreSQL runs transactions side by side; PGlite has one connection.
 */
describe.runIf(onPostgres)('published service places under concurrent changes', () => {
  let db: Database;
  let dispose: () => Promise<void>;
  beforeAll(async () => { ({ db, dispose } = await createTestDatabase()); });
  afterAll(async () => { await dispose?.(); });

  async function heldAndSource(serviceId: string) {
    const held = await sql<{ name: string; latitude: number }>`select name, latitude from published_service_places where service_id = ${serviceId}`.execute(db.system);
    const source = await sql<{ name: string; latitude: number }>`select s.name, l.latitude from services s
      join service_at_locations sal on sal.service_id = s.id join locations l on l.id = sal.location_id where s.id = ${serviceId}`.execute(db.system);
    return { held: held.rows, source: source.rows };
  }

  /** Runs `first` and keeps its transaction open until `second` (in its own) is waiting on a lock, then commits both. */
  async function overlapping(lioId: string, first: (tx: Parameters<Parameters<Database['withTenant']>[1]>[0]) => Promise<unknown>,
    second: (tx: Parameters<Parameters<Database['withTenant']>[1]>[0]) => Promise<unknown>) {
    let release!: () => void;
    const held = new Promise<void>((resolve) => { release = resolve; });
    let firstDone!: () => void;
    const firstWrote = new Promise<void>((resolve) => { firstDone = resolve; });
    const one = db.withTenant(lioId, async (tx) => {
      await first(tx);
      firstDone();
      await held;
    });
    await firstWrote;
    let pid = 0;
    const two = db.withTenant(lioId, async (tx) => {
      pid = (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(tx)).rows[0]!.pid;
      await second(tx);
    });
    // Wait (bounded) until the second transaction is blocked by the first, so the two really overlap.
    const deadline = Date.now() + 10_000;
    for (;;) {
      const waiting = pid ? (await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where pid = ${pid} and wait_event_type = 'Lock'`.execute(db.system)).rows[0]!.n : 0;
      if (waiting > 0) break;
      if (Date.now() > deadline) throw new Error('the second transaction never waited for the first');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    release();
    await Promise.all([one, two]);
  }

  it('matches the source tables after a move and a rename at once, in either order', async () => {
    const lio = await factories(db).lio();
    const d = directoryFactories(db);
    for (const [index, order] of (['move first', 'rename first'] as const).entries()) {
      const service = await d.service(lio, { name: `Club ${index}`, locations: [{ latitude: 51.5, longitude: -0.1 }] });
      const locationId = service.locationIds[0]!;
      const move = (tx: Parameters<Parameters<Database['withTenant']>[1]>[0]) => tx.updateTable('locations').set({ latitude: 51.6 }).where('id', '=', locationId).execute();
      const rename = (tx: Parameters<Parameters<Database['withTenant']>[1]>[0]) => tx.updateTable('services').set({ name: `Renamed club ${index}` }).where('id', '=', service.id).execute();
      if (order === 'move first') await overlapping(lio.id, move, rename);
      else await overlapping(lio.id, rename, move);
      const { held, source } = await heldAndSource(service.id);
      expect(source, order).toEqual([{ name: `Renamed club ${index}`, latitude: 51.6 }]);
      expect(held, order).toEqual(source);
    }
  });
});
