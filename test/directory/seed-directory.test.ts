import { afterAll, beforeAll, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { seedDemo } from '../../src/seed/demo.js';
import { seedDirectory } from '../../src/directory/seed.js';
import { loadServices } from '../../src/directory/services/repository.js';
import { DEFAULT_TAXONOMY, flattenDefaultTerms } from '../../src/directory/taxonomy/default-taxonomy.js';
import { buildReport } from '../../src/directory/delivery-history/report.js';
import { deliveryHistoryRepository } from '../../src/directory/delivery-history/repository.js';

let t: TestContext;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t.close(); });

it('gives the demo LIO a believable directory, quickly', async () => {
  const started = performance.now();
  const result = await seedDemo(t.db, t.config);
  const elapsed = performance.now() - started;
  expect(result.created).toBe(true);
  console.log(`seedDemo with the directory took ${Math.round(elapsed)} ms on ${t.db.engine}`);
  expect(elapsed).toBeLessThan(3000 + 1500); // the demo seed also hashes the demo password once

  const lio = await t.db.system.selectFrom('lios').select(['id', 'name']).executeTakeFirstOrThrow();
  expect(lio.name).toBe('Riverside Community Action');
  await t.db.withTenant(lio.id, async (tx) => {
    const count = async (table: 'organisations' | 'services' | 'locations' | 'schedules' | 'cost_options' | 'attributes' | 'service_at_locations' | 'service_delivery_changes') =>
      Number((await tx.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    expect(await count('organisations')).toBeGreaterThanOrEqual(40);
    expect(await count('services')).toBeGreaterThanOrEqual(80);
    expect(await count('locations')).toBeGreaterThanOrEqual(15);
    expect(await count('schedules')).toBeGreaterThanOrEqual(80);
    expect(await count('cost_options')).toBeGreaterThanOrEqual(20);

    // The organisations the foundation seed named are completed, not repeated.
    const names = (await tx.selectFrom('organisations').select('name').execute()).map((o) => o.name);
    expect(new Set(names).size).toBe(names.length);
    const foodBank = await tx.selectFrom('organisations').selectAll().where('name', '=', 'Riverside Food Bank').executeTakeFirstOrThrow();
    expect(foodBank.charity_number).toBe('1160123');
    expect(foodBank.postcode).toMatch(/^RV\d{1,2} \d[A-Z]{2}$/);
    expect(foodBank.areas_served.length).toBeGreaterThan(0);
    const types = await tx.selectFrom('organisations').select('organisation_type').distinct().execute();
    expect(types.length).toBeGreaterThanOrEqual(8);

    // Every service has a term and a delivery mode; every in-person service with a venue has coordinates.
    const ids = (await tx.selectFrom('services').select('id').execute()).map((s) => s.id);
    const services = await loadServices(tx, ids);
    expect(services).toHaveLength(ids.length);
    for (const s of services) {
      expect(s.attributes.length, s.name).toBeGreaterThan(0);
      expect(s.delivery_modes.length, s.name).toBeGreaterThan(0);
      for (const sal of s.service_at_locations) {
        expect(sal.location.latitude, s.name).not.toBeNull();
        expect(sal.location.addresses[0]?.postal_code, s.name).toMatch(/^RV/);
      }
    }
    expect(services.filter((s) => s.service_at_locations.length > 0).length).toBeGreaterThanOrEqual(60);
    expect(services.filter((s) => s.cost_options.length > 0).length).toBeGreaterThanOrEqual(15);
    expect(services.filter((s) => s.schedules.some((x) => x.freq === 'WEEKLY')).length).toBeGreaterThanOrEqual(50);

    // The default taxonomy is installed, whole.
    const taxonomy = await tx.selectFrom('taxonomies').select('id').where('name', '=', DEFAULT_TAXONOMY.name).executeTakeFirstOrThrow();
    const terms = await tx.selectFrom('taxonomy_terms').select('id').where('taxonomy_id', '=', taxonomy.id).execute();
    expect(terms).toHaveLength(flattenDefaultTerms().length);

    // The last twelve months show all three kinds of change.
    const to = new Date().toISOString().slice(0, 10);
    const from = new Date(Date.now() - 365 * 86_400_000).toISOString().slice(0, 10);
    const report = buildReport(await deliveryHistoryRepository.servicesWithHistory(tx, to), { from, to });
    expect(report.counts.remaking).toBeGreaterThanOrEqual(5);
    expect(report.counts.rearranging).toBeGreaterThanOrEqual(5);
    expect(report.counts.reaffirming).toBeGreaterThanOrEqual(40);
  });

  // The directory part alone, into another LIO, stays well inside the budget.
  const other = await t.make.lio();
  const again = performance.now();
  const counts = await t.db.system.transaction().execute((tx) => seedDirectory(tx, other.id));
  const directoryMs = performance.now() - again;
  console.log(`seedDirectory alone took ${Math.round(directoryMs)} ms on ${t.db.engine}: ${JSON.stringify(counts)}`);
  expect(directoryMs).toBeLessThan(3000);

  // The demo postcodes geocode.
  const postcodes = await sql<{ n: number }>`select count(*)::int as n from postcodes where postcode like 'RV%' and latitude is not null`.execute(t.db.system);
  expect(postcodes.rows[0]!.n).toBeGreaterThanOrEqual(20);
  const hub = await t.db.system.selectFrom('postcodes').selectAll().where('postcode', '=', 'RV11AB').executeTakeFirst();
  expect(hub?.latitude).toBeCloseTo(53.046, 2);
});
