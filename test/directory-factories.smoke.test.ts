import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestContext } from './helpers/app.js';
import { directoryFactories } from './helpers/directory-factories.js';

let t: TestContext;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t.close(); });

it('makes a service with its location, opening times, cost and taxonomy term inside its own LIO only', async () => {
  const d = directoryFactories(t.db);
  const lio = await t.make.lio();
  const other = await t.make.lio();
  const taxonomy = await d.taxonomy(lio);
  const term = await d.term(lio, taxonomy.id, { name: 'Food' });
  const service = await d.service(lio, { termIds: [term.id], locations: [{ latitude: 53.4, longitude: -2.2, postcode: 'M1 1AA' }], opening: [{ day: 'MO', opens: '09:00', closes: '17:00' }], costs: [{ option: 'Free', amount: 0 }] });
  const seen = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('services').innerJoin('service_at_locations', 'service_at_locations.service_id', 'services.id').select('services.name').execute());
  expect(seen.map((s) => s.name)).toEqual([service.name]);
  const hidden = await t.db.withTenant(other.id, (tx) => tx.selectFrom('services').select('id').execute());
  expect(hidden).toEqual([]);
});
