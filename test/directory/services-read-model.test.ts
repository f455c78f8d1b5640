import { afterAll, beforeAll, expect, it } from 'vitest';
import type { KyselyPlugin } from 'kysely';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { directoryFactories, type DirectoryFactories } from '../helpers/directory-factories.js';
import { derivedId, loadService, loadServices } from '../../src/directory/services/repository.js';

let t: TestContext;
let d: DirectoryFactories;
beforeAll(async () => { t = await createTestApp(); d = directoryFactories(t.db); });
afterAll(async () => { await t.close(); });

/** Counts the queries a piece of work runs (one result each; subqueries are part of their query). */
function counter() {
  let queries = 0;
  const plugin: KyselyPlugin = {
    transformQuery: (args) => args.node,
    transformResult: async (args) => { queries += 1; return args.result; },
  };
  return { plugin, get count() { return queries; } };
}

it('reads a service nested in HSDS terms: organisation, venues with address, phones and accessibility, schedules, costs, areas, languages, contacts, terms', async () => {
  const lio = await t.make.lio();
  const taxonomy = await d.taxonomy(lio, 'Needs');
  const parent = await d.term(lio, taxonomy.id, { name: 'Food and essentials', code: 'food' });
  const term = await d.term(lio, taxonomy.id, { name: 'Food banks', code: 'food.food-bank', parentId: parent.id });
  const org = await d.organisation(lio, { name: 'Riverside Food Bank', charityNumber: '1160123' });
  const service = await d.service(lio, {
    organisationId: org.id, name: 'Market Street food bank', deliveryModes: ['in_person', 'phone'], minimumAge: 16, maximumAge: 99,
    locations: [{ name: 'Community Hub', latitude: 53.0461, longitude: -1.4808, postcode: 'RV1 1AB', address: '12 Market Street', city: 'Riverside' }],
    opening: [{ day: 'WE', opens: '10:00', closes: '13:00' }, { day: 'MO', opens: '10:00', closes: '13:00' }],
    termIds: [term.id], costs: [{ option: 'Per parcel', amount: 0 }, { option: 'Delivery', amount: 2.5 }],
  });
  const locationId = service.locationIds[0]!;
  await t.db.withTenant(lio.id, async (tx) => {
    await tx.updateTable('locations').set({ accessibility: 'Step-free entrance', accessibility_details: 'Hearing loop at reception' }).where('id', '=', locationId).execute();
    await tx.insertInto('phones').values([
      { lio_id: lio.id, service_id: service.id, number: '01632 960001' },
      { lio_id: lio.id, location_id: locationId, number: '01632 960002' },
    ]).execute();
    const contact = await tx.insertInto('contacts').values({ lio_id: lio.id, service_id: service.id, name: 'Joanne Price', title: 'Manager', email: 'jo@foodbank.example' }).returning('id').executeTakeFirstOrThrow();
    await tx.insertInto('phones').values({ lio_id: lio.id, contact_id: contact.id, number: '01632 960003' }).execute();
    await tx.insertInto('languages').values([{ lio_id: lio.id, service_id: service.id, name: 'Polish', code: 'pl' }, { lio_id: lio.id, location_id: locationId, name: 'English', code: 'en' }]).execute();
    await tx.insertInto('service_areas').values({ lio_id: lio.id, service_id: service.id, name: 'Northgate' }).execute();
    const sal = await tx.selectFrom('service_at_locations').select('id').where('service_id', '=', service.id).executeTakeFirstOrThrow();
    await tx.insertInto('schedules').values({ lio_id: lio.id, service_at_location_id: sal.id, freq: 'WEEKLY', byday: 'FR', opens_at: '14:00', closes_at: '15:00' }).execute();
    await tx.insertInto('schedules').values({ lio_id: lio.id, service_id: service.id, dtstart: '2026-05-02', valid_from: '2026-05-02', valid_to: '2026-05-02', opens_at: '10:00', closes_at: '12:00', description: 'Open day' }).execute();
  });

  const s = await t.db.withTenant(lio.id, (tx) => loadService(tx, service.id));
  expect(s).toBeDefined();
  expect(s).toMatchObject({
    id: service.id, name: 'Market Street food bank', status: 'active', minimum_age: 16, maximum_age: 99, delivery_modes: ['in_person', 'phone'],
    organization: { id: org.id, name: 'Riverside Food Bank', charity_number: '1160123' },
  });
  expect(s!.service_at_locations).toHaveLength(1);
  const sal = s!.service_at_locations[0]!;
  expect(sal.location).toMatchObject({ id: locationId, name: 'Community Hub', latitude: 53.0461, longitude: -1.4808, location_type: 'physical' });
  expect(sal.location.addresses).toEqual([expect.objectContaining({
    id: derivedId(locationId, 'address'), location_id: locationId, address_1: '12 Market Street', city: 'Riverside', postal_code: 'RV1 1AB', country: 'GB', address_type: 'physical',
  })]);
  expect(sal.location.accessibility).toEqual([{ id: derivedId(locationId, 'accessibility'), location_id: locationId, description: 'Step-free entrance', details: 'Hearing loop at reception' }]);
  expect(sal.location.phones.map((p) => p.number)).toEqual(['01632 960002']);
  expect(sal.location.languages.map((l) => l.name)).toEqual(['English']);
  expect(sal.schedules.map((x) => [x.byday, x.opens_at, x.closes_at])).toEqual([['FR', '14:00:00', '15:00:00']]);
  // Weekly times in day order, then the one-off session with its plain date.
  expect(s!.schedules.map((x) => x.byday ?? x.dtstart)).toEqual(['MO', 'WE', '2026-05-02']);
  expect(s!.schedules[2]).toMatchObject({ dtstart: '2026-05-02', valid_from: '2026-05-02', valid_to: '2026-05-02', freq: null, description: 'Open day' });
  expect(s!.cost_options.map((c) => [c.option, c.amount])).toEqual([['Per parcel', 0], ['Delivery', 2.5]]);
  expect(s!.service_areas.map((a) => a.name)).toEqual(['Northgate']);
  expect(s!.languages.map((l) => [l.name, l.code])).toEqual([['Polish', 'pl']]);
  expect(s!.phones.map((p) => p.number)).toEqual(['01632 960001']);
  expect(s!.contacts).toEqual([expect.objectContaining({ name: 'Joanne Price', title: 'Manager', phones: [expect.objectContaining({ number: '01632 960003' })] })]);
  expect(s!.attributes).toEqual([expect.objectContaining({
    taxonomy_term_id: term.id, link_id: service.id, link_type: 'service',
    taxonomy_term: expect.objectContaining({ id: term.id, code: 'food.food-bank', name: 'Food banks', parent_id: parent.id, taxonomy: 'Needs', taxonomy_id: taxonomy.id }),
  })]);
  expect(s!.last_modified).toMatch(/^\d{4}-\d\d-\d\dT/);
  expect(derivedId(locationId, 'address')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
});

it('reads a batch in the order asked, with one query per table whatever the size of the batch', async () => {
  const lio = await t.make.lio();
  const taxonomy = await d.taxonomy(lio);
  const term = await d.term(lio, taxonomy.id);
  const made = [];
  for (let i = 0; i < 12; i++) {
    made.push(await d.service(lio, {
      name: `Service ${String(i).padStart(2, '0')}`, termIds: [term.id], costs: [{ option: 'Per visit', amount: i }],
      locations: [{ latitude: 53 + i / 100, longitude: -1.5 }], opening: [{ day: 'TU', opens: '09:00', closes: '12:00' }],
    }));
  }
  const ids = made.map((m) => m.id).reverse();

  const one = counter();
  await t.db.withTenant(lio.id, (tx) => loadServices(tx.withPlugin(one.plugin), [ids[0]!]));
  const many = counter();
  const services = await t.db.withTenant(lio.id, (tx) => loadServices(tx.withPlugin(many.plugin), [...ids, 'not-a-uuid', '00000000-0000-4000-8000-000000000000', ids[0]!]));
  expect(many.count).toBe(one.count);
  expect(many.count).toBeLessThanOrEqual(9);
  expect(services.map((s) => s.id)).toEqual(ids);
  expect(services.every((s) => s.service_at_locations.length === 1 && s.schedules.length === 1 && s.attributes.length === 1)).toBe(true);
  expect(services.map((s) => s.cost_options[0]!.amount)).toEqual([11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
  expect(await t.db.withTenant(lio.id, (tx) => loadServices(tx, []))).toEqual([]);
});

it('never reads another LIO’s services', async () => {
  const lio = await t.make.lio();
  const other = await t.make.lio();
  const theirs = await d.service(other, { locations: [{ latitude: 53, longitude: -1 }] });
  const ours = await d.service(lio);
  const seen = await t.db.withTenant(lio.id, (tx) => loadServices(tx, [theirs.id, ours.id]));
  expect(seen.map((s) => s.id)).toEqual([ours.id]);
});
