import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { findLikelyDuplicatesOfEach } from '../../src/directory/organisations/duplicates.js';
import { directoryFactories } from '../helpers/directory-factories.js';
import { OrukImportService, type ImportReport } from '../../src/directory/oruk/import/importer.js';
import { STANDARD_DIR, announceSkipIfAbsent, readStandard, schemaErrors, standardPresent } from './oruk-standard.js';
import { DEFAULT_IMPORT_LIMITS } from '../../src/platform/config.js';

// The API's JSON, read loosely in assertions.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type J = any;

/**
 * Importing Open Referral: ORUK 3.0 feeds (paged, from a server started here), single files, the HSDS CSV
 * package, ORUK 1.0-era feeds read leniently; re-imports that update; rejections that commit nothing; and the
 * standard's own examples, which must export back the same.
 */

let t: TestContext;
let importer: OrukImportService;
type Lio = Awaited<ReturnType<TestContext['make']['lio']>>;

beforeAll(async () => {
  t = await createTestApp();
  importer = new OrukImportService({ db: t.db, clock: t.clock, limits: { ...DEFAULT_IMPORT_LIMITS, allowPrivateAddresses: true } });
});
afterAll(async () => { await t?.close(); });

const fileSource = (name: string, value: unknown) => ({ kind: 'files' as const, files: [{ name, text: typeof value === 'string' ? value : JSON.stringify(value) }] });

async function get(lio: Lio, url: string) {
  const response = await t.app.inject({ method: 'GET', url, headers: { host: lio.host } });
  return { status: response.statusCode, body: response.json() as Record<string, J> };
}

async function count(lio: Lio, table: 'services' | 'organisations' | 'locations' | 'schedules' | 'contacts' | 'phones' | 'attributes' | 'service_at_locations' | 'taxonomy_terms' | 'taxonomies' | 'cost_options' | 'languages' | 'funding') {
  return t.db.withTenant(lio.id, async (tx) => Number((await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(tx)).rows[0]!.n));
}

/** Every field of `expected` is in `actual` with the same value (arrays item by item); `actual` may hold more. */
function subsetDifferences(expected: unknown, actual: unknown, at = ''): string[] {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return [`${at}: expected an array, got ${JSON.stringify(actual)}`];
    if (actual.length !== expected.length) return [`${at}: expected ${expected.length} items, got ${actual.length}`];
    return expected.flatMap((e, i) => subsetDifferences(e, actual[i], `${at}[${i}]`));
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object') return [`${at}: expected an object, got ${JSON.stringify(actual)}`];
    return Object.entries(expected).flatMap(([k, v]) => subsetDifferences(v, (actual as Record<string, unknown>)[k], `${at}.${k}`));
  }
  return expected === actual ? [] : [`${at}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`];
}

/** A copy without the given dotted paths (array items by index: "service_at_locations.0.location.latitude"). */
function without<T>(value: T, paths: string[]): T {
  const copy = structuredClone(value) as Record<string, unknown>;
  for (const p of paths) {
    const keys = p.split('.');
    let node: unknown = copy;
    for (const k of keys.slice(0, -1)) node = (node as Record<string, unknown>)?.[k];
    if (node && typeof node === 'object') delete (node as Record<string, unknown>)[keys[keys.length - 1]!];
  }
  return copy as T;
}

announceSkipIfAbsent('the round trip of the Open Referral UK examples');

describe.skipIf(!standardPresent)('the examples of the standard import and export back the same', () => {
  let lio: Lio;
  beforeAll(async () => { lio = await t.make.lio(); });
  const example = (name: string) => readStandard<Record<string, J>>(`examples/${name}`);
  // The examples place their one location at latitude 100, which is not on Earth: the import says so and leaves the coordinates out (a longitude alone is no place).
  const offEarth = (prefix: string) => [`${prefix}latitude`, `${prefix}longitude`];

  it('service_full.json → /services/{id}', async () => {
    const input = example('service_full.json');
    const report = await importer.importOruk('operator', lio.id, fileSource('service_full.json', input));
    expect(report.status, report.message ?? '').toBe('completed');
    expect(report.counts.services).toEqual({ created: 1, updated: 0 });
    expect(report.issues).toEqual(expect.arrayContaining([expect.objectContaining({ record: 'location', field: 'latitude', message: 'latitude 100 is not a latitude on Earth: left out' })]));
    const { status, body } = await get(lio, `/api/oruk/services/${input.id}`);
    expect(status).toBe(200);
    expect(subsetDifferences(without(input, offEarth('service_at_locations.0.location.')), body)).toEqual([]);
    expect(body.service_at_locations[0].location.latitude).toBeUndefined();
    expect(schemaErrors('schema/compiled/service.json', body)).toEqual([]);
  });

  it('importing the same file again updates, never duplicates', async () => {
    const before = await Promise.all((['services', 'organisations', 'locations', 'schedules', 'contacts', 'attributes', 'taxonomy_terms', 'funding'] as const).map((x) => count(lio, x)));
    const report = await importer.importOruk('operator', lio.id, fileSource('service_full.json', example('service_full.json')));
    expect(report.counts.services).toEqual({ created: 0, updated: 1 });
    expect(report.counts.organisations).toEqual({ created: 0, updated: 1 });
    expect(report.counts.locations).toEqual({ created: 0, updated: 1 });
    const after = await Promise.all((['services', 'organisations', 'locations', 'schedules', 'contacts', 'attributes', 'taxonomy_terms', 'funding'] as const).map((x) => count(lio, x)));
    expect(after).toEqual(before);
  });

  it('organization_full.json → /organizations/{id}', async () => {
    const input = example('organization_full.json');
    const report = await importer.importOruk('operator', lio.id, fileSource('organization_full.json', input));
    expect(report.status).toBe('completed');
    const { body } = await get(lio, `/api/oruk/organizations/${input.id}`);
    expect(subsetDifferences(without(input, offEarth('services.0.service_at_locations.0.location.')), body)).toEqual([]);
    expect(schemaErrors('schema/compiled/organization.json', body)).toEqual([]);
  });

  it('service_at_location_full.json → /service_at_locations/{id}', async () => {
    const input = example('service_at_location_full.json');
    const report = await importer.importOruk('operator', lio.id, fileSource('service_at_location_full.json', input));
    expect(report.status).toBe('completed');
    const { body } = await get(lio, `/api/oruk/service_at_locations/${input.id}`);
    expect(subsetDifferences(without(input, offEarth('location.')), body)).toEqual([]);
    expect(schemaErrors('schema/compiled/service_at_location.json', body)).toEqual([]);
  });

  it('the list examples → the list endpoints', async () => {
    for (const [file, endpoint] of [['service_list.json', 'services'], ['organization_list.json', 'organizations'], ['service_at_location_list.json', 'service_at_locations'],
      ['taxonomy_term_list.json', 'taxonomy_terms']] as const) {
      const input = example(file);
      const report = await importer.importOruk('operator', lio.id, fileSource(file, input));
      expect(report.status, file).toBe('completed');
      const list = await get(lio, `/api/oruk/${endpoint}?per_page=100`);
      for (const item of input.contents as Record<string, unknown>[]) {
        const exported = (list.body.contents as Record<string, unknown>[]).find((x) => x.id === item.id);
        expect(exported, `${file}: ${item.id as string}`).toBeDefined();
        expect(subsetDifferences(without(item, offEarth('location.')), exported), file).toEqual([]);
      }
    }
  });

  it('taxonomy_term.json → /taxonomy_terms/{id}', async () => {
    const input = example('taxonomy_term.json');
    expect((await importer.importOruk('operator', lio.id, fileSource('taxonomy_term.json', input))).status).toBe('completed');
    const { body } = await get(lio, `/api/oruk/taxonomy_terms/${input.id}`);
    expect(subsetDifferences(input, body)).toEqual([]);
  });

  it('taxonomy.json and taxonomy_list.json → /taxonomies/{id}', async () => {
    const input = example('taxonomy.json');
    const report = await importer.importOruk('operator', lio.id, fileSource('taxonomy.json', input));
    expect(report.status).toBe('completed');
    const { body } = await get(lio, `/api/oruk/taxonomies/${input.id}`);
    // The example's term calls its taxonomy "taxonomy" while being listed in the taxonomy called "name": a term is served with the name of the taxonomy it is in.
    expect(subsetDifferences(without(input, ['taxonomy_terms.0.taxonomy']), body)).toEqual([]);
    expect(body.taxonomy_terms[0].taxonomy).toBe(input.name);
    const list = example('taxonomy_list.json');
    expect((await importer.importOruk('operator', lio.id, fileSource('taxonomy_list.json', list))).status).toBe('completed');
    const listed = await get(lio, '/api/oruk/taxonomies?per_page=100');
    expect(subsetDifferences(list.contents[0], (listed.body.contents as { id: string }[]).find((x) => x.id === list.contents[0].id))).toEqual([]);
  });

  it('the HSDS CSV package (examples/csv) imports the same directory', async () => {
    const other = await t.make.lio();
    const report = await importer.importOruk('operator', other.id, { kind: 'path', path: path.join(STANDARD_DIR, 'examples/csv') });
    expect(report.status, JSON.stringify(report.issues.filter((i) => i.level === 'error'))).toBe('completed');
    expect(report.kind).toBe('hsds_csv');
    expect(report.counts.services.created + report.counts.services.updated).toBe(1);
    expect(report.counts.organisations.created).toBe(1);
    expect(report.notHeld.map((n) => n.what)).toEqual(expect.arrayContaining(['programmes', 'required documents']));
    // attribute.csv links a record that is not in the package: reported with its file and row
    expect(report.issues).toEqual(expect.arrayContaining([expect.objectContaining({ record: 'attributes', file: 'attribute.csv', row: 2 })]));
    const services = await get(other, '/api/oruk/services');
    expect(services.body.total_items).toBe(1);
    const full = await get(other, `/api/oruk/services/${services.body.contents[0].id}`);
    expect(schemaErrors('schema/compiled/service.json', full.body)).toEqual([]);
    const s = full.body;
    expect(s).toMatchObject({ name: 'Community Counselling', minimum_age: 12, maximum_age: 100, fees: 'fees_description', last_modified: '2023-03-15T10:30:45.123Z' });
    expect(s.organization.organization_identifiers[0]).toMatchObject({ identifier_scheme: 'GB-COH', identifier: '1234567' });
    expect(s.contacts[0]).toMatchObject({ name: 'Ann Persona', phones: [{ number: '+44 1234 234567' }] });
    expect(s.schedules[0]).toMatchObject({ byday: 'TH,FR', opens_at: '10:00:00', closes_at: '18:00:00' });
    expect(s.service_at_locations[0].location.addresses[0]).toMatchObject({ address_1: '1-30 Main Street', address_2: 'MyVillage', attention: 'A. Persona', address_type: 'postal' });
    expect(s.service_at_locations[0].location.accessibility[0]).toMatchObject({ details: 'Switch hearing aid to T-coil to access the induction loop facility.' });
    expect(s.cost_options[0]).toMatchObject({ amount: 35, option: 'Under 18s and Over 60s' });
    expect(s.funding).toHaveLength(1);
    expect(s.service_areas[0]).toMatchObject({ extent_type: 'geojson' });
    // the same package again: updated, not duplicated
    const again = await importer.importOruk('operator', other.id, { kind: 'path', path: path.join(STANDARD_DIR, 'examples/csv') });
    expect(again.counts.services).toEqual({ created: 0, updated: 1 });
    expect(await count(other, 'services')).toBe(1);
    expect(await count(other, 'phones')).toBe(1);
  });
});

describe('an ORUK 3.0 feed, read page by page from its address', () => {
  let server: Server;
  let base: string;
  const requests: string[] = [];
  let failPage: number | null = null;
  let resets = 0;
  const orgId = '2f1c6b0e-6a55-4a2f-9a57-5d1f0b1c0001';
  const serviceId = (i: number) => `6d0e7a3c-1b2a-4c3d-8e4f-${String(i).padStart(12, '0')}`;
  const full = (i: number) => ({
    id: serviceId(i), name: `Feed Service ${i}`, description: `Service number ${i}`, status: 'active', last_modified: '2024-01-02T03:04:05.000Z',
    organization: { id: orgId, name: 'Feed Organisation', description: 'Runs the feed services', organization_identifiers: [{ identifier_scheme: 'GB-CHC', identifier_type: 'Charity number', identifier: '1099999' }] },
    schedules: [{ id: `7d0e7a3c-1b2a-4c3d-8e4f-${String(i).padStart(12, '0')}`, freq: 'WEEKLY', byday: 'MO', opens_at: '09:00', closes_at: '17:00' }],
    service_at_locations: [{ id: `8d0e7a3c-1b2a-4c3d-8e4f-${String(i).padStart(12, '0')}`, location: {
      id: `9d0e7a3c-1b2a-4c3d-8e4f-${String(i % 2).padStart(12, '0')}`, location_type: 'physical', name: `Venue ${i % 2}`, latitude: 53.8, longitude: -1.55,
      addresses: [{ id: `ad0e7a3c-1b2a-4c3d-8e4f-${String(i % 2).padStart(12, '0')}`, address_1: `${i % 2} Feed Street`, city: 'Leeds', state_province: 'West Yorkshire', postal_code: 'LS1 1UR', country: 'GB', address_type: 'physical' }],
    } }],
    attributes: [{ id: `bd0e7a3c-1b2a-4c3d-8e4f-${String(i).padStart(12, '0')}`, link_type: 'service_type', taxonomy_term: { id: 'cd0e7a3c-1b2a-4c3d-8e4f-000000000001', name: 'Advice', description: 'Advice services', taxonomy: 'Feed Types' } }],
  });
  const total = 5;
  const perPage = 2;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://feed.test');
      requests.push(`${url.pathname}${url.search}`);
      const send = (status: number, body: unknown) => { res.writeHead(status, { 'content-type': 'application/json' }); res.end(JSON.stringify(body)); };
      if (url.pathname === '/feed' || url.pathname === '/feed/') return send(200, { version: 'HSDS 3.0', profile: 'https://example.org/profile', openapi_url: 'https://example.org/openapi.json' });
      if (url.pathname === '/feed/services') {
        const page = Number(url.searchParams.get('page') ?? '1');
        if (failPage === page) return send(500, { error: 'down' });
        // a connection dropped with no answer, as a server does to a kept-alive connection it has closed
        if (resets > 0 && page === 2) { resets--; req.socket.destroy(); return; }
        const ids = Array.from({ length: total }, (_, i) => i + 1).slice((page - 1) * perPage, page * perPage);
        const pages = Math.ceil(total / perPage);
        // the list carries one-to-one fields only, as the standard says
        return send(200, { total_items: total, total_pages: pages, page_number: page, size: perPage, first_page: page === 1, last_page: page >= pages, empty: ids.length === 0,
          contents: ids.map((i) => ({ id: serviceId(i), name: `Feed Service ${i}`, status: 'active', organization: { id: orgId, name: 'Feed Organisation', description: 'Runs the feed services' } })) });
      }
      const one = /^\/feed\/services\/(.+)$/.exec(url.pathname);
      if (one) {
        const i = Number(one[1]!.slice(-12));
        return i >= 1 && i <= total ? send(200, full(i)) : send(404, { error: 'not found' });
      }
      send(404, { error: 'not found' });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => { await new Promise((resolve) => server?.close(resolve)); });

  it('follows the API root to /services, every page to the last, and each full service', async () => {
    const lio = await t.make.lio();
    const progress: string[] = [];
    requests.length = 0;
    const report = await importer.importOruk('operator', lio.id, { kind: 'url', url: `${base}/feed` }, { onProgress: (p) => progress.push(`${p.stage}:${p.done}`) });
    expect(report.status, report.message ?? '').toBe('completed');
    expect(requests.filter((r) => r.startsWith('/feed/services?') || r === '/feed/services')).toEqual(['/feed/services', '/feed/services?page=2', '/feed/services?page=3']);
    expect(requests.filter((r) => /^\/feed\/services\/.+/.test(r))).toHaveLength(total);
    expect(report.counts.services).toEqual({ created: 5, updated: 0 });
    expect(report.counts.organisations).toEqual({ created: 1, updated: 0 });
    expect(report.counts.locations).toEqual({ created: 2, updated: 0 });
    expect(progress).toContain('fetch:3');
    const one = await get(lio, `/api/oruk/services/${serviceId(3)}`);
    expect(one.body).toMatchObject({ name: 'Feed Service 3', schedules: [{ byday: 'MO', opens_at: '09:00:00' }], attributes: [{ link_type: 'service_type', taxonomy_term: { name: 'Advice', taxonomy: 'Feed Types' } }] });
    expect(one.body.organization.organization_identifiers).toEqual([expect.objectContaining({ identifier_scheme: 'GB-CHC', identifier: '1099999' })]);
    expect(await count(lio, 'organisations')).toBe(1);
    const charity = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('organisations').select(['charity_number', 'consent_to_publish', 'external_id']).executeTakeFirstOrThrow());
    expect(charity).toEqual({ charity_number: '1099999', consent_to_publish: true, external_id: orgId });

    // again: the same records are updated; nothing is added
    const again = await importer.importOruk('operator', lio.id, { kind: 'url', url: `${base}/feed/services` });
    expect(again.counts.services).toEqual({ created: 0, updated: 5 });
    expect(await count(lio, 'services')).toBe(5);
    expect(await count(lio, 'locations')).toBe(2);
    expect(await count(lio, 'schedules')).toBe(5);
    expect(await count(lio, 'attributes')).toBe(5);
  });

  it('a page that fails rejects the whole feed: nothing from the pages before is kept', async () => {
    const lio = await t.make.lio();
    failPage = 2;
    try {
      const report = await importer.importOruk('operator', lio.id, { kind: 'url', url: `${base}/feed/services` });
      expect(report.status).toBe('rejected');
      expect(report.message).toMatch(/answered 500/);
    } finally {
      failPage = null;
    }
    expect(await count(lio, 'services')).toBe(0);
    expect(await count(lio, 'organisations')).toBe(0);
    const recorded = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('directory_imports').select(['status', 'kind']).execute());
    expect(recorded).toEqual([{ status: 'rejected', kind: 'oruk' }]);
  });

  it('asks again, once, for a page whose connection was dropped before any answer', async () => {
    const lio = await t.make.lio();
    resets = 1;
    requests.length = 0;
    const report = await importer.importOruk('operator', lio.id, { kind: 'url', url: `${base}/feed/services` });
    expect(report.status, report.message ?? '').toBe('completed');
    expect(report.counts.services).toEqual({ created: 5, updated: 0 });
    expect(requests.filter((r) => r === '/feed/services?page=2')).toHaveLength(2);
    // dropped again when asked again: the feed is rejected, saying why, and nothing is kept
    resets = 2;
    const other = await t.make.lio();
    const refused = await importer.importOruk('operator', other.id, { kind: 'url', url: `${base}/feed/services` });
    expect(refused.status).toBe('rejected');
    expect(refused.message).toMatch(/feed\/services\?page=2 could not be reached: (ECONNRESET|UND_ERR_SOCKET|other side closed)/);
    expect(await count(other, 'services')).toBe(0);
    resets = 0;
  });

  it('an address that does not answer is rejected with the reason', async () => {
    const lio = await t.make.lio();
    const report = await importer.importOruk('operator', lio.id, { kind: 'url', url: 'http://127.0.0.1:9/feed' }, { timeoutMs: 2000 });
    expect(report.status).toBe('rejected');
    expect(report.message).toMatch(/could not be reached/);
    expect((await importer.importOruk('operator', lio.id, { kind: 'url', url: 'ftp://example.org/feed' })).message).toMatch(/not an http/);
  });
});

describe('an ORUK 1.0-era feed, read leniently', () => {
  const feed = {
    totalElements: 3, totalPages: 1, number: 1, size: 50, first: true, last: true,
    content: [
      {
        id: '1001', name: 'Lunch &amp; Chat', description: '<p>A <strong>weekly</strong> lunch club&nbsp;for older people.</p><ul><li>Hot meals</li><li>Company</li></ul>',
        url: 'www.lunch-club.example', email: '', status: 'Active', fees: '', accreditations: '', deliverable_type: '',
        organization: { id: 'org-77', name: 'Age Friendly Riverside', description: 'Older people&#39;s charity', url: '', logo: '', reviews: [] },
        eligibilitys: [{ id: 'e1', eligibility: 'Older people', minimum_age: 60, maximum_age: '' }],
        regular_schedules: [{ id: 'rs1', weekday: 'Tuesday', opens_at: '12:00', closes_at: '14:00', valid_from: '', valid_to: '' }],
        holiday_schedules: [{ id: 'h1', closed: true, start_date: '2024-12-24', end_date: '2024-12-26' }],
        service_taxonomys: [{ id: 'st1', taxonomy: { id: 'esd-123', name: 'Lunch clubs', vocabulary: 'esdServiceTypes', parent: null } }],
        languages: [{ id: 'l1', language: 'English' }],
        contacts: [{ id: 'c1', name: 'Joan', title: '', phones: [{ id: 'p1', number: '01632 960123' }] }],
        service_at_locations: [{ id: 'sal1', location: {
          id: 'loc-5', name: 'Community Centre', description: '', latitude: '53.79', longitude: '-1.54',
          physical_addresses: [{ id: 'pa1', address_1: '5 Market Street', city: 'Riverside', state_province: '', postal_code: 'LS1 1UR', country: 'GB' }],
          accessibility_for_disabilities: [{ id: 'a1', accessibility: 'Wheelchair access' }, { id: 'a2', accessibility: 'Hearing loop' }],
        } }],
      },
      { id: '1002', name: '', description: 'A service someone forgot to name', status: 'active', organization: { id: 'org-77', name: 'Age Friendly Riverside' } },
      { id: '1003', name: 'Orphan Service', status: 'active' },
    ],
  };

  it('imports what it can, decodes HTML, reads empty strings as nothing, and flags what it could not take', async () => {
    const lio = await t.make.lio();
    const report: ImportReport = await importer.importOruk('operator', lio.id, fileSource('council-feed.json', feed));
    expect(report.status, report.message ?? '').toBe('completed');
    expect(report.counts.services).toEqual({ created: 1, updated: 0 });
    // a service without a name or an organisation breaks the standard: refused, not published as "Unnamed service"
    const refused = report.issues.filter((i) => i.level === 'refused').map((i) => `${i.record}:${i.id}:${i.field ?? ''}`);
    expect(refused).toEqual(['service:1002:name', 'service:1003:organization']);
    expect(report.refused).toBe(2);
    expect(report.notHeld).toEqual(expect.arrayContaining([{ what: 'holiday schedules (ORUK 1.0)', count: 1 }]));

    const rows = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('services').select(['id', 'name', 'description', 'url', 'email', 'fees_description', 'minimum_age', 'maximum_age', 'external_id'])
      .orderBy('external_id').execute());
    expect(rows.map((r) => r.name)).toEqual(['Lunch & Chat']);
    const lunch = rows[0]!;
    expect(lunch.description).toBe('A weekly lunch club for older people.\n\n• Hot meals\n• Company');
    expect(lunch).toMatchObject({ url: 'http://www.lunch-club.example', email: null, fees_description: null, minimum_age: 60, maximum_age: null, external_id: '1001' });
    const { body } = await get(lio, `/api/oruk/services/${lunch.id}`);
    if (standardPresent) expect(schemaErrors('schema/compiled/service.json', body)).toEqual([]);
    else announceSkipIfAbsent('the check of an ORUK 1.0-era service against the 3.0 service schema');
    expect(body.organization).toMatchObject({ name: 'Age Friendly Riverside', description: 'Older people\'s charity' });
    expect(body.organization.website).toBeUndefined();
    expect(body.schedules).toEqual([expect.objectContaining({ byday: 'TU', freq: 'WEEKLY', opens_at: '12:00:00', closes_at: '14:00:00' })]);
    // its taxonomy term, and the group its eligibility names (kept as a term of the "Target audience" taxonomy)
    expect(body.attributes.map((a: J) => a.taxonomy_term)).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'Lunch clubs', taxonomy: 'esdServiceTypes' }),
      expect.objectContaining({ name: 'Older people', taxonomy: 'Target audience' })]));
    expect(body.attributes).toHaveLength(2);
    expect(body.languages).toEqual([expect.objectContaining({ name: 'English' })]);
    expect(body.contacts[0]).toMatchObject({ name: 'Joan', phones: [{ number: '01632 960123' }] });
    expect(body.contacts[0].title).toBeUndefined();
    const location = body.service_at_locations[0].location;
    expect(location).toMatchObject({ name: 'Community Centre', latitude: 53.79, longitude: -1.54 });
    expect(location.description).toBeUndefined();
    expect(location.addresses[0]).toMatchObject({ address_1: '5 Market Street', city: 'Riverside', postal_code: 'LS1 1UR' });
    expect(location.accessibility[0].description).toBe('Wheelchair access\nHearing loop');

    const again = await importer.importOruk('operator', lio.id, fileSource('council-feed.json', feed));
    expect(again.counts.services).toEqual({ created: 0, updated: 1 });
    expect(await count(lio, 'services')).toBe(1);
    expect(await count(lio, 'organisations')).toBe(1);
  });
});

describe('rejections commit nothing', () => {
  it('a file that is not JSON', async () => {
    const lio = await t.make.lio();
    const report = await importer.importOruk('operator', lio.id, { kind: 'files', files: [{ name: 'feed.json', text: '{"contents": [' }] });
    expect(report.status).toBe('rejected');
    expect(report.issues[0]).toMatchObject({ level: 'error', file: 'feed.json' });
    expect(await count(lio, 'organisations')).toBe(0);
  });

  it('a good file beside a broken one: neither is imported', async () => {
    const lio = await t.make.lio();
    const good = { id: 'a1', name: 'Good Service', status: 'active', organization: { id: 'o1', name: 'Good Org' } };
    const report = await importer.importOruk('operator', lio.id, { kind: 'files', files: [
      { name: 'good.json', text: JSON.stringify(good) }, { name: 'services.csv', text: 'id,name\n"unclosed,quote\n' },
    ] });
    expect(report.status).toBe('rejected');
    expect(report.issues.filter((i) => i.level === 'error')).toEqual([expect.objectContaining({ file: 'services.csv', row: 2 })]);
    expect(await count(lio, 'services')).toBe(0);
    expect(await count(lio, 'organisations')).toBe(0);
  });

  it('nothing to import', async () => {
    const lio = await t.make.lio();
    expect((await importer.importOruk('operator', lio.id, fileSource('empty.json', { contents: [] }))).status).toBe('rejected');
    expect((await importer.importOruk('operator', lio.id, { kind: 'path', path: '/nonexistent/feed.json' })).message).toMatch(/no file or folder/);
  });

  it('keeps a record id of another LIO to that LIO: the importing LIO gets its own id', async () => {
    const first = await t.make.lio();
    const second = await t.make.lio();
    const feed = { id: 'f7c1d1a2-0000-4000-8000-00000000aaaa', name: 'Shared Feed Service', status: 'active', organization: { id: 'f7c1d1a2-0000-4000-8000-00000000bbbb', name: 'Shared Org', description: '' } };
    await importer.importOruk('operator', first.id, fileSource('a.json', feed));
    const report = await importer.importOruk('operator', second.id, fileSource('a.json', feed));
    expect(report.counts.services).toEqual({ created: 1, updated: 0 });
    const [mine] = await t.db.withTenant(second.id, (tx) => tx.selectFrom('services').select(['id', 'external_id']).execute());
    expect(mine!.external_id).toBe(feed.id);
    expect(mine!.id).not.toBe(feed.id);
    const again = await importer.importOruk('operator', second.id, fileSource('a.json', feed));
    expect(again.counts.services).toEqual({ created: 0, updated: 1 });
    expect((await get(first, `/api/oruk/services/${feed.id}`)).status).toBe(200);
  });
});

describe('likely duplicates', () => {
  it('flags a new organisation with the charity number of one already held', async () => {
    const lio = await t.make.lio();
    await directoryFactories(t.db).organisation(lio, { name: 'Riverside Foodbank', charityNumber: '1177777' });
    const feed = { id: 's-1', name: 'Food parcels', status: 'active', organization: { id: 'o-1', name: 'Riverside Food Bank CIO', organization_identifiers: [{ identifier_scheme: 'GB-CHC', identifier_type: 'Charity number', identifier: '1177777' }] } };
    const report = await importer.importOruk('operator', lio.id, fileSource('feed.json', feed));
    expect(report.duplicates).toEqual([expect.objectContaining({ name: 'Riverside Food Bank CIO', likely: [expect.objectContaining({ name: 'Riverside Foodbank', reasons: ['charity_number'] })] })]);
  });

  it('checks many new organisations at once, each against the register and the others, each its own matches', async () => {
    const lio = await t.make.lio();
    const d = directoryFactories(t.db);
    await d.organisation(lio, { name: 'Riverside Foodbank', charityNumber: '1166666', postcode: 'RV1 1AA' });
    await d.organisation(lio, { name: 'Oakwood Youth Club', postcode: 'RV2 2BB' });
    await d.organisation(lio, { name: 'Oakwood Youth Club (old)', postcode: 'RV2 2BB', charityNumber: '1155555' });
    const found = await t.db.withTenant(lio.id, (tx) => findLikelyDuplicatesOfEach(tx, [
      { name: 'Riverside Food Bank', postcode: 'RV1 1AA' },
      { name: 'Totally Different Group', charityNumber: '1166666' },
      { name: 'Oakwood Youth Club', postcode: 'rv2 2bb', charityNumber: '1155555' },
      { name: 'Unrelated', postcode: 'RV9 9ZZ' },
    ]));
    const names = found.map((list) => list.map((l) => `${l.name}: ${l.reasons.join('+')}`));
    expect(names).toEqual([
      ['Riverside Foodbank: name_and_postcode'],
      ['Riverside Foodbank: charity_number'],
      // the same charity number first, then the most similar name
      ['Oakwood Youth Club (old): charity_number+name_and_postcode', 'Oakwood Youth Club: name_and_postcode'],
      [],
    ]);
  });

  it('gives a new organisation the address of its venue, and flags one of a similar name at the same postcode', async () => {
    const lio = await t.make.lio();
    await directoryFactories(t.db).organisation(lio, { name: 'Hillside Youth Project', postcode: 'LS6 2AB' });
    const venue = (id: string, postcode: string) => ({ id, name: 'Youth hut', location_type: 'physical',
      addresses: [{ address_1: '4 Hill Road', city: 'Leeds', postal_code: postcode, country: 'GB', address_type: 'physical' }] });
    const feed = [
      { id: 's-1', name: 'Friday youth club', status: 'active', organization: { id: 'o-1', name: 'Hillside Youth Projects' },
        service_at_locations: [{ location: venue('l-1', 'ls62ab') }] },
      // the same name elsewhere is not flagged; a Northern Ireland charity number is kept in its own scheme
      { id: 's-2', name: 'Saturday youth club', status: 'active', service_at_locations: [{ location: venue('l-2', 'BT48 6DQ') }],
        organization: { id: 'o-2', name: 'Hillside Youth Project NI', organization_identifiers: [{ identifier_scheme: 'GB-NIC', identifier: 'NIC 100123' }] } },
    ];
    const report = await importer.importOruk('operator', lio.id, fileSource('feed.json', feed));
    expect(report.status).toBe('completed');
    expect(report.duplicates).toEqual([expect.objectContaining({ name: 'Hillside Youth Projects', likely: [expect.objectContaining({ name: 'Hillside Youth Project', reasons: ['name_and_postcode'] })] })]);
    const rows = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('organisations').select(['name', 'address', 'postcode', 'charity_number']).where('external_id', 'in', ['o-1', 'o-2']).orderBy('name').execute());
    expect(rows).toEqual([
      { name: 'Hillside Youth Project NI', address: '4 Hill Road, Leeds', postcode: 'BT48 6DQ', charity_number: 'NIC100123' },
      { name: 'Hillside Youth Projects', address: '4 Hill Road, Leeds', postcode: 'LS6 2AB', charity_number: null },
    ]);
    // a re-import does not move an address staff have since corrected
    await t.db.withTenant(lio.id, (tx) => tx.updateTable('organisations').set({ address: '5 Hill Road, Leeds' }).where('external_id', '=', 'o-1').execute());
    await importer.importOruk('operator', lio.id, fileSource('feed.json', feed));
    const again = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('organisations').select('address').where('external_id', '=', 'o-1').executeTakeFirstOrThrow());
    expect(again.address).toBe('5 Hill Road, Leeds');
  });
});
