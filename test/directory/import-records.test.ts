import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { OrukImportService } from '../../src/directory/oruk/import/importer.js';
import { DEFAULT_IMPORT_LIMITS } from '../../src/platform/config.js';
import { writeReport } from '../../src/directory/oruk/import/cli.js';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * What an import keeps of each record: records that break the standard are refused (listed with the field and the
 * reason), the rest imported; only http(s) addresses; only the delivery modes a feed states; taxonomy terms checked
 * as the taxonomy import checks them; feeds paged from 0; each record's detail asked for, and flagged, once.
 */

let t: TestContext;
let importer: OrukImportService;
let server: Server;
let base: string;
const requests: string[] = [];

const org = { id: 'org-1', name: 'Riverside Gardens Trust', description: '' };
const hall = { id: 'loc-hall', name: 'Church Hall', location_type: 'physical', addresses: [{ address_1: '1 Church Lane', city: 'Riverside', postal_code: 'LS1 1UR', country: 'GB' }] };

beforeAll(async () => {
  t = await createTestApp();
  importer = new OrukImportService({ db: t.db, clock: t.clock, limits: { ...DEFAULT_IMPORT_LIMITS, allowPrivateAddresses: true } });
  // An ORUK 1.0 feed that numbers its pages from 0 though it is asked for them from 1 (?page=1 is its page 0), three
  // pages of two, which lists one service twice.
  const services = ['s1', 's2', 's3', 's2', 's5', 's6'];
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://feed.test');
    requests.push(`${url.pathname}${url.search}`);
    res.writeHead(200, { 'content-type': 'application/json' });
    if (url.pathname === '/wrong-total/services') {
      res.end(JSON.stringify({ total_items: 9, total_pages: 1, page_number: 1, last_page: true, contents: [1, 2].map((n) => ({ id: `wt-${n}`, name: `Service ${n}`, status: 'active', organization: org, schedules: [] })) }));
      return;
    }
    const detail = /^\/v1\/services\/(.+)$/.exec(url.pathname);
    if (detail) {
      res.end(JSON.stringify({ id: detail[1], name: `Service ${detail[1]}`, organization: org, regular_schedules: [{ weekday: 'Monday', opens_at: '10:00', closes_at: '12:00' }],
        status: 'active', url: 'not an address' }));
      return;
    }
    const page = Number(url.searchParams.get('page') ?? '1') - 1;
    const ids = services.slice(page * 2, page * 2 + 2);
    res.end(JSON.stringify({ totalElements: 6, totalPages: 3, number: page, size: 2, first: page === 0, last: page >= 2, content: ids.map((id) => ({ id, name: `Service ${id}` })) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await t?.close();
});

const file = (value: unknown) => ({ kind: 'files' as const, files: [{ name: 'feed.json', text: JSON.stringify(value) }] });
const services = (lioId: string) => t.db.withTenant(lioId, (tx) => tx.selectFrom('services').select(['external_id', 'name', 'url', 'delivery_modes']).orderBy('external_id').execute());

describe('records that break the standard', () => {
  it('refuses services without a name or an organisation, lists each with its field, imports the rest, and flags a wrong total', async () => {
    const lio = await t.make.lio();
    const report = await importer.importOruk('operator', lio.id, file({
      total_items: 1, total_pages: 1, page_number: 1, size: 10, first_page: true, last_page: true, empty: false,
      contents: [
        { id: 'good', name: 'Good service', status: 'active', organization: org },
        { id: 'nameless', name: '', status: 'active', organization: org, url: 'https://example.org/x' },
        { id: 'orphan', name: 'Orphan', status: 'active' },
        { id: 'of-nameless-org', name: 'Belongs to a nameless organisation', status: 'active', organization: { id: 'org-x', name: '' } },
      ],
    }));
    expect(report.status, report.message ?? '').toBe('completed');
    expect(report.refused).toBe(4);
    const refused = report.issues.filter((i) => i.level === 'refused').map((i) => `${i.record}:${i.id}:${i.field}`);
    expect(refused.sort()).toEqual(['organization:org-x:name', 'service:nameless:name', 'service:of-nameless-org:organization', 'service:orphan:organization']);
    expect(report.issues).toEqual(expect.arrayContaining([expect.objectContaining({ level: 'warning', record: 'feed', field: 'total_items', message: expect.stringMatching(/says it holds 1 record but sent 4/) })]));
    // a refused record is not also said to be imported
    for (const i of report.issues) expect(i.message).not.toMatch(/imported as/);
    expect((await services(lio.id)).map((s) => s.external_id)).toEqual(['good']);
    const published = await t.app.inject({ method: 'GET', url: '/api/oruk/services', headers: { host: lio.host } });
    expect(published.body).not.toMatch(/Unnamed service/);
    const saved = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('directory_imports').select(['counts']).executeTakeFirstOrThrow());
    expect(saved.counts).toMatchObject({ refused: 4 });
  });

  it('refuses a taxonomy term that is its own parent, or in a loop, as the taxonomy import does; the database refuses one too', async () => {
    const lio = await t.make.lio();
    const report = await importer.importOruk('operator', lio.id, file([
      { id: 'tax-1', name: 'Needs', taxonomy_terms: [
        { id: 'term-self', name: 'Self', parent_id: 'term-self' },
        { id: 'term-a', name: 'A', parent_id: 'term-b' }, { id: 'term-b', name: 'B', parent_id: 'term-a' },
        { id: 'term-ok', name: 'Fine', parent_id: null },
      ] },
    ]));
    expect(report.status, report.message ?? '').toBe('completed');
    const refused = Object.fromEntries(report.issues.filter((i) => i.level === 'refused').map((i) => [i.id, i.message]));
    expect(refused).toEqual({ 'term-self': 'a term cannot be its own parent: not imported', 'term-a': 'the parents make a loop: not imported', 'term-b': 'the parents make a loop: not imported' });
    const terms = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('taxonomy_terms').innerJoin('taxonomies', 'taxonomies.id', 'taxonomy_terms.taxonomy_id')
      .select(['taxonomy_terms.id', 'taxonomy_terms.external_id']).where('taxonomies.name', '=', 'Needs').execute());
    expect(terms.map((x) => x.external_id)).toEqual(['term-ok']);
    await expect(t.db.withTenant(lio.id, (tx) => tx.updateTable('taxonomy_terms').set({ parent_id: terms[0]!.id }).where('id', '=', terms[0]!.id).execute()))
      .rejects.toThrow(/taxonomy_terms_not_own_parent/);
  });
});

describe('what is kept of each record', () => {
  it('keeps only http and https addresses', async () => {
    const lio = await t.make.lio();
    const report = await importer.importOruk('operator', lio.id, file([
      { id: 'js', name: 'Script', status: 'active', url: 'javascript:alert(1)', organization: { ...org, website: 'javascript:alert(2)', logo: 'data:image/png;base64,AAAA' } },
      { id: 'ok', name: 'Web', status: 'active', url: 'https://example.org/ok', organization: org },
    ]));
    expect(report.status, report.message ?? '').toBe('completed');
    expect((await services(lio.id)).map((s) => [s.external_id, s.url])).toEqual([['js', null], ['ok', 'https://example.org/ok']]);
    const organisation = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('organisations').select(['website', 'logo']).executeTakeFirstOrThrow());
    expect(organisation).toEqual({ website: null, logo: null });
    expect(report.issues).toEqual(expect.arrayContaining([expect.objectContaining({ id: 'js', field: 'url', message: expect.stringMatching(/not an http or https web address/) })]));
  });

  it('records only the delivery modes a feed states: a website is not "online"', async () => {
    const lio = await t.make.lio();
    await importer.importOruk('operator', lio.id, file([
      // a weekly in-person gardening group with a website and a phone
      { id: 'garden', name: 'Gardening group', status: 'active', url: 'https://gardens.example.org', organization: org, phones: [{ number: '01632 960000' }],
        service_at_locations: [{ id: 'sal-g', location: hall }] },
      // a v1 record with a website and nothing said of how it is delivered
      { id: 'v1', name: 'Advice', status: 'active', url: 'https://advice.example.org', organization: org, deliverable_type: 'Advice' },
      { id: 'said', name: 'Helpline', status: 'active', organization: org, attending_type: 'Telephone, online' },
      { id: 'virtual', name: 'Webinar', status: 'active', organization: org, service_at_locations: [{ id: 'sal-v', location: { id: 'loc-v', name: 'Zoom', location_type: 'virtual' } }] },
    ]));
    expect(Object.fromEntries((await services(lio.id)).map((s) => [s.external_id, s.delivery_modes]))).toEqual({
      garden: ['in_person'], v1: [], said: ['phone', 'online'], virtual: ['online'],
    });
  });
});

describe('what v1 feeds say that was dropped', () => {
  it('keeps link addresses in descriptions, the groups served and the date of the last change; lists what has no place', async () => {
    const lio = await t.make.lio();
    const report = await importer.importOruk('operator', lio.id, file({
      totalElements: 1, totalPages: 1, number: 0, size: 10, first: true, last: true, content: [{
        id: '2001', name: 'Carers Café', status: 'active', organization: { id: 'org-v1', name: 'Carers Together' }, date_modified: '2023-05-06T07:08:09Z',
        description: '<p>Join us via <a href="https://facebook.com/carerscafe">Facebook</a> or <a href="javascript:alert(1)">here</a>. See <a href="https://carers.example.org">https://carers.example.org</a></p>',
        pc_targetAudience: [{ id: 'ta1', name: 'Carers' }, { id: 'ta2', name: 'Older people' }], pc_partnerCode: 'XYZ',
      }],
    }));
    expect(report.status, report.message ?? '').toBe('completed');
    const row = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('services').select(['id', 'description', 'updated_at']).executeTakeFirstOrThrow());
    expect(row.description).toBe('Join us via Facebook (https://facebook.com/carerscafe) or here. See https://carers.example.org');
    expect(new Date(row.updated_at).toISOString()).toBe('2023-05-06T07:08:09.000Z');
    const api = await t.app.inject({ method: 'GET', url: `/api/oruk/services/${row.id}`, headers: { host: lio.host } });
    const audience = (api.json() as { attributes: { taxonomy_term: { name: string; taxonomy: string } }[] }).attributes.map((a) => `${a.taxonomy_term.taxonomy}: ${a.taxonomy_term.name}`);
    expect(audience.sort()).toEqual(['Target audience: Carers', 'Target audience: Older people']);
    expect(report.notHeld).toEqual([{ what: 'service field “pc_partnerCode”', count: 1 }]);
  });
});

describe('a total that does not match the records sent', () => {
  it('is flagged for a feed, and for a file read as a stream', async () => {
    const flagged = (issues: { record: string; field?: string; message: string }[]) => issues.filter((i) => i.record === 'feed' && i.field === 'total_items').map((i) => i.message);
    const fromFeed = await importer.importOruk('operator', (await t.make.lio()).id, { kind: 'url', url: `${base}/wrong-total/services` });
    expect(fromFeed.status, fromFeed.message ?? '').toBe('completed');
    expect(flagged(fromFeed.issues)).toEqual([`${base}/wrong-total/services says it holds 9 records but sent 2: check that none are missing`]);
    const dir = await mkdtemp(path.join(tmpdir(), 'total-'));
    try {
      await writeFile(path.join(dir, 'page.json'), JSON.stringify({ total_items: 5, contents: [{ id: 'f-1', name: 'Service', status: 'active', organization: org }] }));
      const fromFile = await importer.importOruk('operator', (await t.make.lio()).id, { kind: 'path', path: path.join(dir, 'page.json') });
      expect(fromFile.status, fromFile.message ?? '').toBe('completed');
      expect(flagged(fromFile.issues)).toEqual(['page.json says it holds 5 records but sent 1: check that none are missing']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('feeds paged from 0, with a record listed twice', () => {
  it('reads every page, asks for each full record once, and flags each thing once', async () => {
    const lio = await t.make.lio();
    requests.length = 0;
    const report = await importer.importOruk('operator', lio.id, { kind: 'url', url: `${base}/v1/services` });
    expect(report.status, report.message ?? '').toBe('completed');
    expect((await services(lio.id)).map((s) => s.external_id)).toEqual(['s1', 's2', 's3', 's5', 's6']);
    expect(requests.filter((r) => r.startsWith('/v1/services/s2'))).toHaveLength(1);
    const keys = report.issues.map((i) => JSON.stringify([i.record, i.id, i.field, i.message]));
    expect(keys.length).toBe(new Set(keys).size);
    expect(report.issues.filter((i) => i.id === 's2')).toHaveLength(1);
  });
});

describe('the report file', () => {
  it('is written a piece at a time and reads back as the report, with every issue', async () => {
    const lio = await t.make.lio();
    const report = await importer.importOruk('operator', lio.id, file(Array.from({ length: 3000 }, (_, i) => ({ id: `n${i}`, name: '', status: 'active', organization: org }))));
    expect(report.issues.length).toBe(3000);
    const dir = await mkdtemp(path.join(tmpdir(), 'report-'));
    try {
      await writeReport(path.join(dir, 'report.json'), report);
      expect(JSON.parse(await readFile(path.join(dir, 'report.json'), 'utf8'))).toEqual(JSON.parse(JSON.stringify(report)));
      await writeReport(path.join(dir, 'empty.json'), { ...report, issues: [] });
      expect(JSON.parse(await readFile(path.join(dir, 'empty.json'), 'utf8'))).toMatchObject({ issues: [] });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
