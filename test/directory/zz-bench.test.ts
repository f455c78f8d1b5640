import { it } from 'vitest';
import { sql } from 'kysely';
import { createTestApp } from '../helpers/app.js';
import { seedDirectory } from '../../src/seed/directory.js';
import { loadServices } from '../../src/directory/services/repository.js';
it('bench', async () => {
  const t = await createTestApp();
  const lio = await t.make.lio();
  await t.db.system.transaction().execute((tx) => seedDirectory(tx, lio.id));
  const ids = (await t.db.withTenant(lio.id, (tx) => tx.selectFrom('services').select('id').execute())).map((r) => r.id);
  const measure = async (label: string, fn: (i: number) => Promise<unknown>) => {
    for (let i = 0; i < 30; i++) await fn(i);
    const times: number[] = [];
    for (let i = 0; i < 200; i++) { const s = performance.now(); await fn(i); times.push(performance.now() - s); }
    times.sort((a, b) => a - b);
    console.log(t.db.engine, label, 'p50', times[100]!.toFixed(2), 'p95', times[190]!.toFixed(2));
  };
  await measure('empty tx', () => t.db.withTenant(lio.id, (tx) => sql`select 1`.execute(tx)));
  await measure('one service row', (i) => t.db.withTenant(lio.id, (tx) => tx.selectFrom('services').selectAll().where('id', '=', ids[i % ids.length]!).execute()));
  await measure('loadServices(1)', (i) => t.db.withTenant(lio.id, (tx) => loadServices(tx, [ids[i % ids.length]!])));
  await t.close();
});
