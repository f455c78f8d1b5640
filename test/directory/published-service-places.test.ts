import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { Client, resultNames, signedInClient } from '../helpers/client.js';
import { directoryFactories, type DirectoryFactories } from '../helpers/directory-factories.js';
import { ImportSet } from '../../src/directory/oruk/import/model.js';
import { JsonReader } from '../../src/directory/oruk/import/json.js';
import { writeImportSet } from '../../src/directory/oruk/import/writer.js';

/**
 * Searches near a postcode (/find and the ORUK API's /services) read published_service_places (migration 019), and
 * searches not near one (words, a category) read published_services (035): read models kept by triggers on the
 * directory's tables. Each change to a source they copy must show in them at once: here every such change is made,
 * and after each the tables are compared whole with what the source tables say, and the searches are asked.
 */

let t: TestContext;
let d: DirectoryFactories;
beforeAll(async () => {
  t = await createTestApp();
  d = directoryFactories(t.db);
  await d.postcode({ postcode: 'RP1 1AA', latitude: 53.8, longitude: -1.55 });
});
afterAll(async () => { await t?.close(); });

type Lio = Awaited<ReturnType<TestContext['make']['lio']>>;
const HERE = { latitude: 53.8, longitude: -1.55 };
/** About 5 km north of the postcode: outside a 1 mile search, inside a 5 mile one. */
const AWAY = { latitude: 53.845, longitude: -1.55 };

/** The read model as it should be, worked out from the source tables of the LIO. */
async function expectInStep(lio: Lio) {
  const columns = sql`service_id, location_id, latitude, longitude, name, status, consent_to_publish, organisation_status, organisation_consent_to_publish,
    organisation_merged_into_id, search_text::text as search_text, term_ids, delivery_modes, is_free, minimum_age, maximum_age`;
  const held = await sql`select ${columns} from published_service_places where lio_id = ${lio.id} order by service_id, location_id`.execute(t.db.system);
  const sources = await sql`select ${columns} from (
      select s.id as service_id, l.id as location_id, l.latitude, l.longitude, s.name, s.status, s.consent_to_publish, o.status as organisation_status,
        o.consent_to_publish as organisation_consent_to_publish, o.merged_into_id as organisation_merged_into_id, s.search_text,
        array(select a.taxonomy_term_id from attributes a where a.link_id = s.id and a.link_type = 'service' order by 1) as term_ids,
        s.delivery_modes, s.is_free, s.minimum_age, s.maximum_age
      from services s join organisations o on o.id = s.organisation_id join service_at_locations sal on sal.service_id = s.id
        join locations l on l.id = sal.location_id
      where s.lio_id = ${lio.id} and l.latitude is not null and l.longitude is not null) x
    order by service_id, location_id`.execute(t.db.system);
  expect(held.rows).toEqual(sources.rows);

  const serviceColumns = sql`service_id, name, status, consent_to_publish, organisation_status, organisation_consent_to_publish, organisation_merged_into_id,
    search_text::text as search_text, term_ids, delivery_modes, is_free, minimum_age, maximum_age`;
  const heldServices = await sql`select ${serviceColumns} from published_services where lio_id = ${lio.id} order by service_id`.execute(t.db.system);
  const sourceServices = await sql`select ${serviceColumns} from (
      select s.id as service_id, s.name, s.status, s.consent_to_publish, o.status as organisation_status,
        o.consent_to_publish as organisation_consent_to_publish, o.merged_into_id as organisation_merged_into_id, s.search_text,
        array(select a.taxonomy_term_id from attributes a where a.link_id = s.id and a.link_type = 'service' order by 1) as term_ids,
        s.delivery_modes, s.is_free, s.minimum_age, s.maximum_age
      from services s join organisations o on o.id = s.organisation_id where s.lio_id = ${lio.id}) x
    order by service_id`.execute(t.db.system);
  expect(heldServices.rows).toEqual(sourceServices.rows);
}

/** What /find lists for a search not near a postcode, by name. */
async function found(lio: Lio, query: string) {
  return resultNames(await new Client(t.app, lio.host).get(`/find?${query}`)).sort();
}

/** What /find and the ORUK API list near the postcode, by name. */
async function near(lio: Lio, query = '', miles = 1) {
  const find = resultNames(await new Client(t.app, lio.host).get(`/find?postcode=RP1+1AA&distance=${miles}&unit=miles${query}`)).sort();
  const api = await t.app.inject({ method: 'GET', url: `/api/oruk/services?postcode=RP11AA&proximity=${Math.round(miles * 1609.344)}&per_page=50`, headers: { host: lio.host } });
  expect(api.statusCode).toBe(200);
  const oruk = (api.json() as { contents: { name: string }[] }).contents.map((s) => s.name).sort();
  return { find, oruk };
}
const both = (names: string[]) => ({ find: names, oruk: names });

const write = (lio: Lio, change: (tx: Parameters<Parameters<TestContext['db']['withTenant']>[1]>[0]) => Promise<unknown>) => t.db.withTenant(lio.id, change);

describe('published service places', () => {
  it('follow edits of a service: its name and words, status, consent, terms, how it is given, ages', async () => {
    const lio = await t.make.lio();
    const taxonomy = await d.taxonomy(lio);
    const food = await d.term(lio, taxonomy.id, { name: 'Food' });
    const advice = await d.term(lio, taxonomy.id, { name: 'Advice' });
    const pantry = await d.service(lio, { name: 'Pantry Plus', locations: [{ ...HERE }], termIds: [food.id] });
    await d.service(lio, { name: 'Online only', deliveryModes: ['online'] });
    await expectInStep(lio);
    expect(await near(lio)).toEqual(both(['Pantry Plus']));

    expect(await found(lio, 'q=online')).toEqual(['Online only']);
    expect(await found(lio, `category=${food.id}`)).toEqual(['Pantry Plus']);

    await write(lio, (tx) => tx.updateTable('services').set({ name: 'Larder Plus', description: 'Groceries for a small fee' }).where('id', '=', pantry.id).execute());
    await expectInStep(lio);
    expect((await near(lio, '&q=larder')).find).toEqual(['Larder Plus']);
    expect((await near(lio, '&q=pantry')).find).toEqual([]);
    expect(await found(lio, 'q=groceries')).toEqual(['Larder Plus']);
    expect(await found(lio, 'q=pantry')).toEqual([]);

    // terms: the category chosen, and a term taken away
    expect((await near(lio, `&category=${advice.id}`)).find).toEqual([]);
    await write(lio, (tx) => tx.insertInto('attributes').values({ lio_id: lio.id, link_id: pantry.id, link_type: 'service', link_entity: 'service', taxonomy_term_id: advice.id }).execute());
    await expectInStep(lio);
    expect((await near(lio, `&category=${advice.id}`)).find).toEqual(['Larder Plus']);
    expect(await found(lio, `category=${advice.id}`)).toEqual(['Larder Plus']);
    await write(lio, (tx) => tx.deleteFrom('attributes').where('link_id', '=', pantry.id).where('taxonomy_term_id', '=', advice.id).execute());
    await expectInStep(lio);
    expect((await near(lio, `&category=${advice.id}`)).find).toEqual([]);
    expect(await found(lio, `category=${advice.id}`)).toEqual([]);
    // a term deleted takes its attributes with it
    await write(lio, (tx) => tx.deleteFrom('taxonomy_terms').where('id', '=', food.id).execute());
    await expectInStep(lio);

    await write(lio, (tx) => tx.updateTable('services').set({ delivery_modes: ['phone'], is_free: false, minimum_age: 18 }).where('id', '=', pantry.id).execute());
    await expectInStep(lio);
    expect((await near(lio, '&mode=in_person')).find).toEqual([]);
    expect((await near(lio, '&free=yes')).find).toEqual([]);
    expect((await near(lio, '&age=12')).find).toEqual([]);
    expect((await near(lio, '&age=30&mode=phone')).find).toEqual(['Larder Plus']);
    expect(await found(lio, 'q=larder&free=yes')).toEqual([]);
    expect(await found(lio, 'q=larder&age=30&mode=phone')).toEqual(['Larder Plus']);

    await write(lio, (tx) => tx.updateTable('services').set({ status: 'inactive' }).where('id', '=', pantry.id).execute());
    await expectInStep(lio);
    // /find lists what people can use now or soon; the API all but defunct services
    expect(await near(lio)).toEqual({ find: [], oruk: ['Larder Plus'] });
    await write(lio, (tx) => tx.updateTable('services').set({ status: 'defunct' }).where('id', '=', pantry.id).execute());
    expect(await near(lio)).toEqual(both([]));
    await write(lio, (tx) => tx.updateTable('services').set({ status: 'temporarily closed', consent_to_publish: false }).where('id', '=', pantry.id).execute());
    await expectInStep(lio);
    expect(await near(lio)).toEqual(both([]));
    expect(await found(lio, 'q=larder')).toEqual([]);
    await write(lio, (tx) => tx.updateTable('services').set({ consent_to_publish: true }).where('id', '=', pantry.id).execute());
    expect(await near(lio)).toEqual(both(['Larder Plus']));
    expect(await found(lio, 'q=larder')).toEqual(['Larder Plus']);

    await write(lio, (tx) => tx.deleteFrom('services').where('id', '=', pantry.id).execute());
    await expectInStep(lio);
    expect(await near(lio)).toEqual(both([]));
  });

  it('follow the places: moved, linked, unlinked, given or losing a point, deleted', async () => {
    const lio = await t.make.lio();
    const hall = await d.service(lio, { name: 'Hall Club', locations: [{ ...HERE }] });
    const far = await d.service(lio, { name: 'Far Club', locations: [{ ...AWAY }] });
    await expectInStep(lio);
    expect(await near(lio)).toEqual(both(['Hall Club']));
    expect(await near(lio, '', 5)).toEqual(both(['Far Club', 'Hall Club']));

    await write(lio, (tx) => tx.updateTable('locations').set(AWAY).where('id', '=', hall.locationIds[0]!).execute());
    await expectInStep(lio);
    expect(await near(lio)).toEqual(both([]));

    // the far club also meets at the hall's (now moved back) venue
    await write(lio, (tx) => tx.updateTable('locations').set(HERE).where('id', '=', hall.locationIds[0]!).execute());
    await write(lio, (tx) => tx.insertInto('service_at_locations').values({ lio_id: lio.id, service_id: far.id, location_id: hall.locationIds[0]! }).execute());
    await expectInStep(lio);
    expect(await near(lio)).toEqual(both(['Far Club', 'Hall Club']));
    await write(lio, (tx) => tx.deleteFrom('service_at_locations').where('service_id', '=', far.id).where('location_id', '=', hall.locationIds[0]!).execute());
    await expectInStep(lio);
    expect(await near(lio)).toEqual(both(['Hall Club']));
    // a link moved from one service to another
    await write(lio, (tx) => tx.updateTable('service_at_locations').set({ service_id: far.id }).where('location_id', '=', hall.locationIds[0]!).execute());
    await expectInStep(lio);
    expect(await near(lio)).toEqual(both(['Far Club']));

    await write(lio, (tx) => tx.updateTable('locations').set({ latitude: null, longitude: null }).where('id', '=', hall.locationIds[0]!).execute());
    await expectInStep(lio);
    expect(await near(lio)).toEqual(both([]));
    await write(lio, (tx) => tx.updateTable('locations').set(HERE).where('id', '=', hall.locationIds[0]!).execute());
    expect(await near(lio)).toEqual(both(['Far Club']));

    await write(lio, (tx) => tx.deleteFrom('locations').where('id', '=', hall.locationIds[0]!).execute());
    await expectInStep(lio);
    expect(await near(lio)).toEqual(both([]));
  });

  it('follow the organisation: its status, its consent, and a merge', async () => {
    const lio = await t.make.lio();
    const kept = await d.organisation(lio, { name: 'Kept Trust' });
    const gone = await d.organisation(lio, { name: 'Gone Trust' });
    await d.service(lio, { name: 'Kept Cafe', organisationId: kept.id, locations: [{ ...HERE }] });
    await d.service(lio, { name: 'Gone Cafe', organisationId: gone.id, locations: [{ ...HERE }] });
    expect(await near(lio)).toEqual(both(['Gone Cafe', 'Kept Cafe']));

    for (const change of [{ status: 'dormant' }, { status: 'closed' }, { consent_to_publish: false }] as const) {
      await write(lio, (tx) => tx.updateTable('organisations').set(change).where('id', '=', gone.id).execute());
      await expectInStep(lio);
      expect(await near(lio)).toEqual(both(['Kept Cafe']));
      expect(await found(lio, 'q=cafe')).toEqual(['Kept Cafe']);
      await write(lio, (tx) => tx.updateTable('organisations').set({ status: 'active', consent_to_publish: true }).where('id', '=', gone.id).execute());
      await expectInStep(lio);
      expect(await near(lio)).toEqual(both(['Gone Cafe', 'Kept Cafe']));
    }

    // Merged through the staff pages: the merged record's services move to the kept one and stay published.
    const staff = await t.make.user(lio, { name: 'Ben Okafor' });
    const client = await signedInClient(t.app, lio.host, staff);
    const merged = await client.submit(`/organisations/${kept.id}/merge?with=${gone.id}`, `/organisations/${kept.id}/merge`, { other: gone.id, keep: kept.id });
    expect(merged.status).toBe(303);
    await expectInStep(lio);
    expect(await near(lio)).toEqual(both(['Gone Cafe', 'Kept Cafe']));
    const flags = await sql<{ name: string; organisation_merged_into_id: string | null }>`select name, organisation_merged_into_id from published_service_places
      where lio_id = ${lio.id} order by name`.execute(t.db.system);
    expect(flags.rows).toEqual([{ name: 'Gone Cafe', organisation_merged_into_id: null }, { name: 'Kept Cafe', organisation_merged_into_id: null }]);
  });

  it('follow an import, written as a replica with its references checked set-based, and a second import that moves and closes', async () => {
    const lio = await t.make.lio();
    const id = '00000001-0000-4000-8000-0000000a0001';
    const record = (place: { latitude: number; longitude: number }, status: string, term: string) => ({
      id, name: 'Imported Advice', status, organization: { id: '00000002-0000-4000-8000-0000000a0001', name: 'Import Trust' },
      service_at_locations: [{ location: { id: '00000003-0000-4000-8000-0000000a0001', name: 'Imported hall', location_type: 'physical', ...place } }],
      attributes: [{ taxonomy_term: { id: term, name: term, taxonomy: 'Needs' } }],
    });
    const importing = (r: object) => {
      const set = new ImportSet();
      new JsonReader(set).add(r, { kind: 'service', source: 'test' });
      return t.db.withTenant(lio.id, (tx) => writeImportSet(tx, lio.id, set, t.clock.now(), undefined, { referenceChecks: 'set' }));
    };
    await importing(record(HERE, 'active', 'debt'));
    await expectInStep(lio);
    expect(await near(lio)).toEqual(both(['Imported Advice']));
    await importing(record(AWAY, 'active', 'benefits'));
    await expectInStep(lio);
    expect(await near(lio)).toEqual(both([]));
    expect(await near(lio, '', 5)).toEqual(both(['Imported Advice']));
    await importing(record(AWAY, 'defunct', 'benefits'));
    await expectInStep(lio);
    expect(await near(lio, '', 5)).toEqual(both([]));
  });

  it('keeps each LIO to its own places', async () => {
    const mine = await t.make.lio();
    const theirs = await t.make.lio();
    await d.service(mine, { name: 'Mine Club', locations: [{ ...HERE }] });
    await d.service(theirs, { name: 'Their Club', locations: [{ ...HERE }] });
    expect(await near(mine)).toEqual(both(['Mine Club']));
    const seen = await t.db.withTenant(mine.id, (tx) => tx.selectFrom('published_service_places').select('name').execute());
    expect(seen).toEqual([{ name: 'Mine Club' }]);
    expect(await t.db.withTenant(mine.id, (tx) => tx.selectFrom('published_services').select('name').execute())).toEqual([{ name: 'Mine Club' }]);
    expect(await found(mine, 'q=club')).toEqual(['Mine Club']);
  });

  it('find places near a postcode across bands of latitude, and none beyond the circle within a band', async () => {
    const lio = await t.make.lio();
    // The index reads places by bands of 0.05° of latitude (migration 035): 53.8 is where one band ends and the next begins.
    await d.service(lio, { name: 'Just south', locations: [{ latitude: 53.7999, longitude: -1.55 }] });
    await d.service(lio, { name: 'Just north', locations: [{ latitude: 53.8001, longitude: -1.55 }] });
    await d.service(lio, { name: 'Two bands north', locations: [{ latitude: 53.8 + 0.011, longitude: -1.55 }] });
    // In the same band, but far to the east and to the west
    await d.service(lio, { name: 'Same band, far east', locations: [{ latitude: 53.8001, longitude: -1.0 }] });
    await d.service(lio, { name: 'Same band, far west', locations: [{ latitude: 53.7999, longitude: -2.2 }] });
    expect(await near(lio)).toEqual(both(['Just north', 'Just south', 'Two bands north']));
    expect(await near(lio, '', 25)).toEqual(both(['Just north', 'Just south', 'Same band, far east', 'Two bands north']));
    const bands = await sql<{ latitude_band: number }>`select latitude_band from published_service_places where lio_id = ${lio.id} order by latitude`.execute(t.db.system);
    expect(bands.rows.map((r) => r.latitude_band)).toEqual([1075, 1075, 1076, 1076, 1076]);
  });
  it('never shows a service whose consent is withdrawn, even when a row of the read model was left behind', async () => {
    const lio = await t.make.lio();
    const kept = await d.service(lio, { name: 'Kept on', locations: [{ ...HERE }] });
    const withdrawn = await d.service(lio, { name: 'Withdrawn', locations: [{ ...HERE }] });
    expect(await near(lio)).toEqual(both(['Kept on', 'Withdrawn']));
    // Two writes racing can leave the read model's copy of the consent behind the service's own: made here by hand.
    await write(lio, (tx) => tx.updateTable('services').set({ consent_to_publish: false }).where('id', '=', withdrawn.id).execute());
    await sql`update published_service_places set consent_to_publish = true where service_id = ${withdrawn.id}`.execute(t.db.system);
    await sql`update published_services set consent_to_publish = true where service_id = ${withdrawn.id}`.execute(t.db.system);
    expect(await near(lio)).toEqual(both(['Kept on']));
    expect(await found(lio, 'q=withdrawn')).toEqual([]);
    expect(await found(lio, `q=${encodeURIComponent('kept on')}`)).toEqual(['Kept on']);
    expect(kept.id).not.toBe(withdrawn.id);
  });
});
