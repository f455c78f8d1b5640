import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { directoryFactories, type DirectoryFactories } from '../helpers/directory-factories.js';
import { Client, resultNames } from '../helpers/client.js';
import {
  announceSkipIfAbsent, pageSchemaFile, pagingErrors, schemaErrors, standardPresent, testProfile,
} from './oruk-standard.js';

// The API's JSON, read loosely in assertions.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type J = any;

/**
 * The Open Referral UK API: every endpoint against the official schemas of the standard (records against
 * schema/compiled, paged lists against the validator's page schemas, as its test profile asks), the filters,
 * paging, CORS, what is published, and the answers to bad requests.
 */

let t: TestContext;
let d: DirectoryFactories;
type Lio = Awaited<ReturnType<TestContext['make']['lio']>>;
let lio: Lio;
let data: Awaited<ReturnType<typeof richDirectory>>;

async function get(path: string, host = lio.host) {
  const response = await t.app.inject({ method: 'GET', url: path, headers: { host } });
  return { status: response.statusCode, headers: response.headers, body: response.json() as Record<string, unknown> & { contents: Record<string, unknown>[] } };
}

/** A directory that uses every optional part HSDS has, through the factories and then the parts they do not make. */
async function richDirectory(l: Lio) {
  await d.postcode({ postcode: 'LS1 1UR', latitude: 53.7965, longitude: -1.5478 });
  await d.postcode({ postcode: 'YO1 7HH', latitude: 53.9623, longitude: -1.0819 });
  const org = await d.organisation(l, { name: 'Riverside Food Bank', charityNumber: '1123456', postcode: 'LS1 1UR' });
  const unpublishedOrg = await d.organisation(l, { name: 'Quiet Group', consentToPublish: false });
  const taxonomy = await d.taxonomy(l, 'Needs');
  const food = await d.term(l, taxonomy.id, { name: 'Food', code: 'food' });
  const parcels = await d.term(l, taxonomy.id, { name: 'Food parcels', code: 'food-parcels', parentId: food.id });
  const otherTaxonomy = await d.taxonomy(l, 'Service types');
  const advice = await d.term(l, otherTaxonomy.id, { name: 'Advice', code: 'advice' });
  const updatedAt = new Date('2024-03-01T10:00:00.000Z');
  const pantry = await d.service(l, {
    organisationId: org.id, name: 'Community Pantry', description: 'Food parcels and a warm welcome.', minimumAge: 16, maximumAge: 99,
    locations: [{ name: 'St Mark’s Hall', latitude: 53.7970, longitude: -1.5480, postcode: 'LS1 1UR', address: '1 Church Lane', city: 'Leeds' }],
    opening: [{ day: 'MO', opens: '09:00', closes: '12:00' }, { day: 'TH', opens: '13:00', closes: '17:00' }],
    termIds: [parcels.id], costs: [{ option: 'Members', amount: 2.5 }], updatedAt,
  });
  const yorkAdvice = await d.service(l, {
    organisationId: org.id, name: 'Benefits Advice York', description: 'Advice on benefits.', minimumAge: 18, maximumAge: 65,
    locations: [{ name: 'York Library', latitude: 53.9620, longitude: -1.0820, postcode: 'YO1 7HH' }],
    opening: [{ day: 'WE', opens: '10:00', closes: '16:00' }], termIds: [advice.id], updatedAt: new Date('2024-06-01T10:00:00.000Z'),
  });
  const defunct = await d.service(l, { organisationId: org.id, name: 'Old Lunch Club', status: 'defunct' });
  const hidden = await d.service(l, { organisationId: unpublishedOrg.id, name: 'Hidden Service' });
  // The parts the factories do not make: contacts with phones, phones, languages, areas, funding, identifiers, accessibility, attributes of locations and organisations.
  await t.db.withTenant(l.id, async (tx) => {
    const lio_id = l.id;
    const contact = await tx.insertInto('contacts').values({ lio_id, service_id: pantry.id, name: 'Pat Organiser', title: 'Coordinator', department: 'Food', email: 'pat@pantry.example' }).returning('id').executeTakeFirstOrThrow();
    const phone = await tx.insertInto('phones').values({ lio_id, contact_id: contact.id, number: '0113 496 0000', extension: '12', type: 'voice', description: 'Weekdays' }).returning('id').executeTakeFirstOrThrow();
    await tx.insertInto('phones').values({ lio_id, service_id: pantry.id, number: '0113 496 0001', type: 'voice' }).execute();
    await tx.insertInto('phones').values({ lio_id, location_id: pantry.locationIds[0]!, number: '0113 496 0002' }).execute();
    await tx.insertInto('languages').values([
      { lio_id, service_id: pantry.id, name: 'English', code: 'en' }, { lio_id, service_id: pantry.id, name: 'Polish', code: 'pl', note: 'Tuesdays' },
      { lio_id, phone_id: phone.id, name: 'Urdu', code: 'ur' }, { lio_id, location_id: pantry.locationIds[0]!, name: 'British Sign Language', code: 'bfi' },
    ]).execute();
    await tx.insertInto('service_areas').values({ lio_id, service_id: pantry.id, name: 'Leeds', description: 'Leeds district', extent_type: 'text', uri: 'https://example.org/leeds', service_area: 'Leeds and nearby' }).execute();
    await tx.insertInto('funding').values([{ lio_id, service_id: pantry.id, source: 'National Lottery' }, { lio_id, organisation_id: org.id, source: 'Donations' }]).execute();
    await tx.insertInto('organization_identifiers').values({ lio_id, organisation_id: org.id, identifier_scheme: 'GB-COH', identifier_type: 'Company number', identifier: '01234567' }).execute();
    await tx.updateTable('organisations').set({ website: 'https://riverside-food.example', logo: 'https://riverside-food.example/logo.png', uri: 'https://riverside-food.example/about' }).where('id', '=', org.id).execute();
    await tx.updateTable('locations').set({
      description: 'The church hall', accessibility: 'Step-free entrance', accessibility_details: 'Ramp at the side door', accessibility_url: 'https://example.org/access',
      address_2: 'Hyde Park', region: 'West Yorkshire', external_identifier: '72045331', external_identifier_type: 'UPRN', address_attention: 'The warden',
    }).where('id', '=', pantry.locationIds[0]!).execute();
    await tx.updateTable('services').set({
      url: 'https://riverside-food.example/pantry', email: 'pantry@riverside-food.example', fees_description: '£2.50 for members', accreditations: 'Food hygiene 5',
      assured_date: '2024-02-01', assurer_email: 'checks@lio.example', alert: 'Closed on bank holidays', updated_at: updatedAt,
    }).where('id', '=', pantry.id).execute();
    await tx.insertInto('schedules').values({ lio_id, service_at_location_id: (await tx.selectFrom('service_at_locations').select('id').where('service_id', '=', pantry.id).executeTakeFirstOrThrow()).id,
      freq: 'MONTHLY', interval: 1, byday: '1SA', opens_at: '10:00', closes_at: '12:00', valid_from: '2024-01-01', valid_to: '2024-12-31', dtstart: '2024-01-06',
      description: 'First Saturday', notes: 'Bring a bag', attending_type: 'in person', schedule_link: 'https://example.org/calendar' }).execute();
    await tx.insertInto('attributes').values([
      { lio_id, link_id: pantry.locationIds[0]!, link_type: 'location', link_entity: 'location', taxonomy_term_id: food.id },
      { lio_id, link_id: org.id, link_type: 'organization', link_entity: 'organization', taxonomy_term_id: advice.id, value: 'yes' },
    ]).execute();
  });
  return { org, unpublishedOrg, taxonomy, otherTaxonomy, food, parcels, advice, pantry, yorkAdvice, defunct, hidden };
}

beforeAll(async () => {
  t = await createTestApp();
  d = directoryFactories(t.db);
  lio = await t.make.lio();
  data = await richDirectory(lio);
});
afterAll(async () => { await t?.close(); });

announceSkipIfAbsent('the Open Referral UK schema validation tests');

describe.skipIf(!standardPresent)('against the official Open Referral UK 3.0 schemas', () => {
  it('passes the validator’s test profile: level 1 (required) and level 2 endpoints', async () => {
    const saved = new Map<string, string>();
    for (const group of testProfile()) {
      for (const test of group.tests) {
        let url = `/api/oruk${test.endpoint}`;
        if (test.useIdFrom) {
          const id = saved.get(test.useIdFrom);
          expect(id, `${test.name}: an id saved from ${test.useIdFrom}`).toBeTruthy();
          url += id;
        }
        const response = await get(url);
        expect(response.status, `${group.name} / ${test.name}: ${url}`).toBe(200);
        expect(schemaErrors(pageSchemaFile(test.schema), response.body), `${test.name}: ${url}`).toEqual([]);
        if (test.pagination) {
          expect(pagingErrors(response.body), url).toEqual([]);
          expect(response.body.contents.length, `${url} has records to test`).toBeGreaterThan(0);
        }
        if (test.saveIds) saved.set(`${test.endpoint}-id`, response.body.contents[0]!.id as string);
      }
    }
    expect(saved.size).toBe(4);
  });

  it('serves every service, nested, valid against schema/compiled/service.json, with every optional part filled', async () => {
    for (const id of [data.pantry.id, data.yorkAdvice.id, data.defunct.id]) {
      const { status, body } = await get(`/api/oruk/services/${id}`);
      expect(status).toBe(200);
      expect(schemaErrors('schema/compiled/service.json', body)).toEqual([]);
    }
    const { body } = await get(`/api/oruk/services/${data.pantry.id}`);
    const s = body as Record<string, J>;
    expect(s).toMatchObject({
      id: data.pantry.id, name: 'Community Pantry', status: 'active', url: 'https://riverside-food.example/pantry', fees: '£2.50 for members',
      minimum_age: 16, maximum_age: 99, assured_date: '2024-02-01', last_modified: '2024-03-01T10:00:00.000Z', alert: 'Closed on bank holidays',
    });
    expect(s.organization).toMatchObject({ id: data.org.id, name: 'Riverside Food Bank', logo: 'https://riverside-food.example/logo.png' });
    expect(s.organization.organization_identifiers.map((i: J) => [i.identifier_scheme, i.identifier]).sort()).toEqual([['GB-CHC', '1123456'], ['GB-COH', '01234567']]);
    expect(s.organization.funding.map((f: J) => f.source)).toEqual(['Donations']);
    expect(s.organization.attributes[0]).toMatchObject({ value: 'yes', taxonomy_term: { id: data.advice.id, name: 'Advice', taxonomy: 'Service types' } });
    expect(s.schedules.map((x: J) => [x.byday, x.opens_at, x.closes_at])).toEqual([['MO', '09:00:00', '12:00:00'], ['TH', '13:00:00', '17:00:00']]);
    const sal = s.service_at_locations[0];
    expect(sal.schedules[0]).toMatchObject({ freq: 'MONTHLY', byday: '1SA', dtstart: '2024-01-06', schedule_link: 'https://example.org/calendar' });
    expect(sal.location).toMatchObject({ name: 'St Mark’s Hall', latitude: 53.797, external_identifier_type: 'UPRN' });
    expect(sal.location.addresses[0]).toMatchObject({ address_1: '1 Church Lane', address_2: 'Hyde Park', city: 'Leeds', postal_code: 'LS1 1UR', attention: 'The warden', address_type: 'physical' });
    expect(sal.location.accessibility[0]).toMatchObject({ description: 'Step-free entrance', details: 'Ramp at the side door', url: 'https://example.org/access' });
    expect(sal.location.attributes[0].taxonomy_term.name).toBe('Food');
    expect(sal.location.phones[0].number).toBe('0113 496 0002');
    expect(sal.location.languages[0].name).toBe('British Sign Language');
    expect(s.contacts[0]).toMatchObject({ name: 'Pat Organiser', phones: [{ number: '0113 496 0000', extension: '12' }] });
    expect(s.phones.map((p: J) => p.number)).toEqual(['0113 496 0001']);
    expect(s.languages.map((l: J) => l.name)).toEqual(['English', 'Polish']);
    expect(s.service_areas[0]).toMatchObject({ name: 'Leeds', service_area: 'Leeds and nearby' });
    expect(s.funding.map((f: J) => f.source)).toEqual(['National Lottery']);
    expect(s.cost_options[0]).toMatchObject({ option: 'Members', amount: 2.5, currency: 'GBP' });
    expect(s.attributes[0].taxonomy_term).toMatchObject({ id: data.parcels.id, name: 'Food parcels', parent_id: data.food.id, taxonomy_id: data.taxonomy.id, taxonomy: 'Needs' });
  });

  it('serves organisations: the list items against the page schema, each organisation against schema/compiled/organization.json', async () => {
    const list = await get('/api/oruk/organizations');
    expect(pagingErrors(list.body)).toEqual([]);
    for (const item of list.body.contents) expect(schemaErrors('validator/page-schemas/organization_list.json', item)).toEqual([]);
    const { status, body } = await get(`/api/oruk/organizations/${data.org.id}`);
    expect(status).toBe(200);
    expect(schemaErrors('schema/compiled/organization.json', body)).toEqual([]);
    expect((body.services as { name: string }[]).map((s) => s.name)).toEqual(['Benefits Advice York', 'Community Pantry']);
  });

  it('serves services at locations against schema/compiled/service_at_location.json and the list page schema', async () => {
    const list = await get('/api/oruk/service_at_locations?per_page=1');
    expect(schemaErrors('validator/page-schemas/service_at_location_list.json', list.body)).toEqual([]);
    expect(list.body).toMatchObject({ total_items: 2, total_pages: 2, size: 1, first_page: true, last_page: false });
    const id = list.body.contents[0]!.id as string;
    const one = await get(`/api/oruk/service_at_locations/${id}`);
    expect(schemaErrors('schema/compiled/service_at_location.json', one.body)).toEqual([]);
    expect(one.body).toMatchObject({ id, service: { id: list.body.contents[0]!.service_id } });
  });

  it('serves the taxonomies and terms against their page schemas', async () => {
    const one = await get(`/api/oruk/taxonomies/${data.taxonomy.id}`);
    expect(schemaErrors('validator/page-schemas/taxonomy.json', one.body)).toEqual([]);
    expect((one.body.taxonomy_terms as { name: string }[]).map((x) => x.name)).toEqual(['Food', 'Food parcels']);
    const terms = await get(`/api/oruk/taxonomy_terms?taxonomy_id=${data.taxonomy.id}`);
    expect(schemaErrors('validator/page-schemas/taxonomy_term_list.json', terms.body)).toEqual([]);
    expect(terms.body.contents.map((x) => x.name)).toEqual(['Food', 'Food parcels']);
    const children = await get(`/api/oruk/taxonomy_terms?parent_id=${data.food.id}`);
    expect(children.body.contents.map((x) => x.id)).toEqual([data.parcels.id]);
  });

  it('uses validators that do reject what breaks the standard', () => {
    expect(schemaErrors('schema/compiled/service.json', { id: 'not-a-uuid', name: 'x' }).length).toBeGreaterThanOrEqual(2);
    expect(schemaErrors('validator/page-schemas/service_list.json', { contents: [{ id: data.pantry.id, name: 'x', status: 'open' }] })).not.toEqual([]);
  });

  it('answers an empty list that still validates', async () => {
    const { body } = await get('/api/oruk/services?text=zzzzqqq');
    expect(schemaErrors('validator/page-schemas/service_list.json', body)).toEqual([]);
    expect(body).toMatchObject({ total_items: 0, total_pages: 0, page_number: 1, empty: true, first_page: true, last_page: true, contents: [] });
  });
});

describe('the API itself', () => {
  it('says what it is, with its OpenAPI document, open to any origin', async () => {
    const { status, headers, body } = await get('/api/oruk');
    expect(status).toBe(200);
    expect(headers['access-control-allow-origin']).toBe('*');
    expect(body).toEqual({ version: 'HSDS 3.0', profile: expect.stringMatching(/^https:\/\//), openapi_url: `http://${lio.host}/api/oruk/openapi.json` });
    const doc = await get('/api/oruk/openapi.json');
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths as object).sort()).toEqual(['/', '/organizations', '/organizations/{id}', '/service_at_locations', '/service_at_locations/{id}',
      '/services', '/services/{id}', '/taxonomies', '/taxonomies/{id}', '/taxonomy_terms', '/taxonomy_terms/{id}']);
    const preflight = await t.app.inject({ method: 'OPTIONS', url: '/api/oruk/services', headers: { host: lio.host, origin: 'https://elsewhere.example', 'access-control-request-method': 'GET' } });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('*');
  });

  it('sends CORS headers on every answer, errors included, and sets no cookie', async () => {
    for (const path of ['/api/oruk/services', `/api/oruk/services/${data.pantry.id}`, '/api/oruk/services?page=0', '/api/oruk/services/00000000-0000-4000-8000-000000000000', '/api/oruk/nothing-here']) {
      const response = await get(path);
      expect(response.headers['access-control-allow-origin'], path).toBe('*');
      expect(response.headers['set-cookie'], path).toBeUndefined();
      expect(response.headers['content-type'], path).toMatch(/application\/json/);
    }
  });

  it('publishes only what the LIO publishes: no unconsented organisation or its services; defunct services only by id', async () => {
    const services = await get('/api/oruk/services?per_page=100');
    const names = services.body.contents.map((s) => s.name);
    expect(names).toEqual(['Benefits Advice York', 'Community Pantry']);
    expect((await get(`/api/oruk/services/${data.hidden.id}`)).status).toBe(404);
    expect((await get(`/api/oruk/organizations/${data.unpublishedOrg.id}`)).status).toBe(404);
    expect((await get('/api/oruk/organizations')).body.contents.map((o) => o.name)).toEqual(['Riverside Food Bank']);
    const defunct = await get(`/api/oruk/services/${data.defunct.id}`);
    expect(defunct.status).toBe(200);
    expect(defunct.body.status).toBe('defunct');
  });

  it('keeps each LIO’s directory to its own hostname', async () => {
    const other = await t.make.lio();
    expect((await get('/api/oruk/services', other.host)).body.total_items).toBe(0);
    expect((await get(`/api/oruk/services/${data.pantry.id}`, other.host)).status).toBe(404);
    expect((await get(`/api/oruk/taxonomies/${data.taxonomy.id}`, other.host)).status).toBe(404);
  });

  it('pages: page, per_page and the page fields', async () => {
    const first = await get('/api/oruk/services?per_page=1');
    expect(first.body).toMatchObject({ total_items: 2, total_pages: 2, page_number: 1, size: 1, first_page: true, last_page: false, empty: false });
    const second = await get('/api/oruk/services?per_page=1&page=2');
    expect(second.body).toMatchObject({ page_number: 2, first_page: false, last_page: true, empty: false });
    expect(second.body.contents[0]!.id).not.toBe(first.body.contents[0]!.id);
    const beyond = await get('/api/oruk/services?per_page=1&page=3');
    expect(beyond.body).toMatchObject({ page_number: 3, empty: true, last_page: true, contents: [] });
  });

  it('counts the matches of a words search on a page past the last one, as on the pages before it', async () => {
    const own = await t.make.lio();
    for (const name of ['Food Bank North', 'Food Bank South', 'Food Pantry']) await d.service(own, { name, description: 'Emergency food.' });
    await d.service(own, { name: 'Debt Advice', description: 'Help with money.' });
    const first = await get('/api/oruk/services?text=food&per_page=2', own.host);
    expect(first.body).toMatchObject({ total_items: 3, total_pages: 2, page_number: 1, last_page: false, empty: false });
    const last = await get('/api/oruk/services?text=food&per_page=2&page=2', own.host);
    expect(last.body).toMatchObject({ total_items: 3, total_pages: 2, page_number: 2, last_page: true, empty: false });
    const beyond = await get('/api/oruk/services?text=food&per_page=2&page=999', own.host);
    expect(beyond.body).toMatchObject({ total_items: 3, total_pages: 2, page_number: 999, first_page: false, last_page: true, empty: true, contents: [] });
  });

  it('filters services by text, taxonomy term, taxonomy, organisation, date, age, day and time', async () => {
    const names = async (query: string) => (await get(`/api/oruk/services?${query}`)).body.contents.map((s) => s.name);
    expect(await names('text=pantry')).toEqual(['Community Pantry']);
    expect(await names('search=benefits')).toEqual(['Benefits Advice York']);
    expect(await names(`taxonomy_term_id=${data.parcels.id}`)).toEqual(['Community Pantry']);
    expect(await names(`taxonomy_term_id=${data.food.id}`)).toEqual([]);
    expect(await names(`taxonomy_id=${data.otherTaxonomy.id}`)).toEqual(['Benefits Advice York']);
    expect(await names(`organization_id=${data.org.id}`)).toEqual(['Benefits Advice York', 'Community Pantry']);
    expect(await names(`organization_id=${data.unpublishedOrg.id}`)).toEqual([]);
    expect(await names('modified_after=2024-04-01')).toEqual(['Benefits Advice York']);
    expect(await names('modified_after=2024-02-01T00:00:00Z')).toEqual(['Benefits Advice York', 'Community Pantry']);
    expect(await names('minimum_age=17')).toEqual(['Benefits Advice York']);
    expect(await names('maximum_age=70')).toEqual(['Benefits Advice York']);
    expect(await names('day=MO')).toEqual(['Community Pantry']);
    expect(await names('day=wednesday')).toEqual(['Benefits Advice York']);
    expect(await names('day=SA')).toEqual(['Community Pantry']);
    expect(await names('start_time=10:00')).toEqual(['Benefits Advice York', 'Community Pantry']);
    expect(await names('day=MO&start_time=10:00')).toEqual([]);
    expect(await names('end_time=12:00')).toEqual(['Community Pantry']);
    expect(await names('day=TH&end_time=16:00')).toEqual([]);
  });

  it('finds services near a postcode, nearest first, within a proximity in metres', async () => {
    const names = async (query: string) => (await get(`/api/oruk/services?${query}`)).body.contents.map((s) => s.name);
    expect(await names('postcode=yo17hh')).toEqual(['Benefits Advice York', 'Community Pantry']);
    expect(await names('postcode=LS1%201UR')).toEqual(['Community Pantry', 'Benefits Advice York']);
    expect(await names('postcode=LS1%201UR&proximity=1000')).toEqual(['Community Pantry']);
    expect(await names('postcode=LS1%201UR&proximity=40000')).toEqual(['Community Pantry', 'Benefits Advice York']);
    const sals = await get('/api/oruk/service_at_locations?postcode=YO1%207HH&proximity=500');
    expect(sals.body.contents.map((s) => (s.service as { name: string }).name)).toEqual(['Benefits Advice York']);
  });

  it('measures distance as the public search does, to the metre at the edge of the circle', async () => {
    const edge = await t.make.lio();
    await d.postcode({ postcode: 'EC1A 1BB', latitude: 51.52, longitude: -0.1 });
    // due north of the postcode, 9,995 m and 10,005 m along the surface (a sphere of the mean radius, 6,371,008.8 m)
    const northBy = (metres: number) => 51.52 + (metres / (6_371_008.8 * Math.PI)) * 180;
    await d.service(edge, { name: 'Just Inside', locations: [{ latitude: northBy(9_995), longitude: -0.1 }] });
    await d.service(edge, { name: 'Just Outside', locations: [{ latitude: northBy(10_005), longitude: -0.1 }] });
    const oruk = await get('/api/oruk/services?postcode=EC1A%201BB&proximity=10000', edge.host);
    expect(oruk.body.contents.map((s) => s.name)).toEqual(['Just Inside']);
    const find = await new Client(t.app, edge.host).get('/find?postcode=EC1A+1BB&distance=10&unit=km');
    expect(resultNames(find)).toEqual(['Just Inside']);
  });

  it('answers a bad parameter with 400 naming it', async () => {
    const cases: [string, string][] = [
      ['page=0', 'page'], ['page=two', 'page'], ['per_page=501', 'per_page'], ['taxonomy_term_id=food', 'taxonomy_term_id'], ['taxonomy_id=1', 'taxonomy_id'],
      ['organization_id=x', 'organization_id'], ['modified_after=yesterday', 'modified_after'], ['minimum_age=-1', 'minimum_age'], ['maximum_age=old', 'maximum_age'],
      ['day=Funday', 'day'], ['start_time=9am', 'start_time'], ['end_time=25:00', 'end_time'], ['postcode=NOT A POSTCODE', 'postcode'],
      ['postcode=ZZ9%209ZZ', 'postcode'], ['proximity=1000', 'proximity'], ['postcode=LS11UR&proximity=-5', 'proximity'],
    ];
    for (const [query, field] of cases) {
      const { status, body } = await get(`/api/oruk/services?${query}`);
      expect(status, query).toBe(400);
      expect((body.fields as { field: string }[]).map((f) => f.field), query).toContain(field);
      expect(body.message, query).toContain(field);
    }
    const terms = await get('/api/oruk/taxonomy_terms?taxonomy_id=nope');
    expect(terms.status).toBe(400);
  });

  it('answers an unknown or malformed id with 404 JSON', async () => {
    for (const path of ['/api/oruk/services/00000000-0000-4000-8000-000000000000', '/api/oruk/services/not-an-id', '/api/oruk/organizations/00000000-0000-4000-8000-000000000000',
      '/api/oruk/taxonomies/00000000-0000-4000-8000-000000000000', '/api/oruk/taxonomy_terms/123', '/api/oruk/service_at_locations/00000000-0000-4000-8000-000000000000']) {
      const { status, body } = await get(path);
      expect(status, path).toBe(404);
      expect(body, path).toMatchObject({ statusCode: 404, error: 'Not Found' });
    }
  });
});
