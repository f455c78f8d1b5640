import { watch } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { Client, errorSummary, mainText } from '../helpers/client.js';
import { OrukImportService } from '../../src/directory/oruk/import/importer.js';
import { importsRepository } from '../../src/directory/imports/repository.js';

/**
 * Imports started on /admin/imports run as jobs: the upload is kept on disk, the page goes to the import's own page
 * (its progress, then its report), one import at a time per LIO, and an import cut short commits nothing.
 */

let t: TestContext;
let dataDir: string;
let feedServer: Server;
let releaseSecondPage: (() => void) | null = null;
type Lio = Awaited<ReturnType<TestContext['make']['lio']>>;
beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'cg-import-jobs-'));
  t = await createTestApp({ env: { DATA_DIR: dataDir, IMPORT_ALLOW_PRIVATE_ADDRESSES: '127.0.0.1' } });
  // a feed of two pages, whose second waits until the test lets it go
  feedServer = createServer((req, res) => {
    const n = Number(new URL(req.url ?? '/', 'http://feed.test').searchParams.get('page') ?? '1');
    const body = JSON.stringify({ total_items: 3, total_pages: 2, page_number: n, contents: n === 1 ? [service(0), service(1)] : [service(2)] });
    res.writeHead(200, { 'content-type': 'application/json' });
    if (n === 1) res.end(body);
    else releaseSecondPage = () => res.end(body);
  });
  await new Promise<void>((resolve) => feedServer.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  releaseSecondPage?.();
  await new Promise((resolve) => feedServer?.close(resolve));
  await t?.close();
  await rm(dataDir, { recursive: true, force: true });
});

const service = (i: number, org = 'org-jobs') => ({
  id: `jobs-svc-${i}`, name: `Job Service ${i}`, status: 'active', description: `Imported by a job (${i})`,
  organization: { id: org, name: 'Job Trust', description: '' },
  schedules: [{ id: `jobs-sch-${i}`, freq: 'WEEKLY', byday: 'MO', opens_at: '09:00', closes_at: '12:00' }],
});
const feed = (n: number) => JSON.stringify({ total_items: n, total_pages: 1, page_number: 1, contents: Array.from({ length: n }, (_, i) => service(i)) });

async function admin(lio: Lio) {
  const user = await t.make.user(lio, { role: 'admin' });
  const client = new Client(t.app, lio.host);
  await client.signIn(user.email, user.password);
  const form = await client.get('/admin/imports');
  return { client, csrf: form.$('input[name="_csrf"]').first().val() as string };
}
const serviceNames = (lio: Lio) => t.db.withTenant(lio.id, (tx) => tx.selectFrom('services').select('name').orderBy('name').execute()).then((r) => r.map((x) => x.name));
const uploadsLeft = async () => (await readdir(path.join(dataDir, 'imports')).catch(() => [] as string[]));

describe('imports run as jobs', () => {
  it('an uploaded feed is kept, imported by the job, and its page shows the progress and then the report', async () => {
    const lio = await t.make.lio();
    const { client, csrf } = await admin(lio);
    const posted = await client.postMultipart('/admin/imports/oruk', { _csrf: csrf, url: '' }, { files: [{ name: 'council.json', text: feed(3) }] });
    expect(posted.status).toBe(303);
    const page = posted.location!;
    expect(page).toMatch(/^\/admin\/imports\/[0-9a-f-]{36}$/);
    // queued: nothing imported yet, the page says so, with a link to look again
    expect(await serviceNames(lio)).toEqual([]);
    const waiting = await client.get(page);
    expect(waiting.$('h1').text()).toBe('Import waiting to start');
    expect(waiting.$('[data-testid="check-progress"]').attr('href')).toBe(page);
    expect(waiting.$('[data-testid="import-progress"]').text()).toMatch(/Records read\s*0/);
    expect(await uploadsLeft()).toEqual([page.split('/').pop()]);

    expect(await t.app.jobs.drain()).toBeGreaterThanOrEqual(1);
    const done = await client.get(page);
    expect(done.$('h1').text()).toBe('Import report');
    expect(done.$('[data-testid="check-progress"]').length).toBe(0);
    expect(mainText(done)).toMatch(/council\.json/);
    const rows = done.$('table').first().find('tbody tr').map((_i, r) => done.$(r).find('th, td').map((_j, c) => done.$(c).text().trim()).get().join(' ')).get();
    expect(rows).toEqual(expect.arrayContaining(['Services 3 0', 'Organisations 1 0']));
    expect(await serviceNames(lio)).toEqual(['Job Service 0', 'Job Service 1', 'Job Service 2']);
    // the upload is gone once read
    expect(await uploadsLeft()).toEqual([]);
    const list = await client.get('/admin/imports');
    expect(list.$('[data-testid="imports"] tbody tr').first().text()).toMatch(/Completed/);
  });

  it('a feed imported by its address shows the records read as its pages come, then the report', async () => {
    const lio = await t.make.lio();
    const { client, csrf } = await admin(lio);
    const posted = await client.postMultipart('/admin/imports/oruk', { _csrf: csrf, url: `http://127.0.0.1:${(feedServer.address() as AddressInfo).port}/services` });
    expect(posted.status).toBe(303);
    const page = posted.location!;
    const running = t.app.jobs.drain();
    await vi.waitFor(async () => expect((await client.get(page)).$('[data-testid="import-progress"]').text()).toMatch(/Records read\s*2\s/), { timeout: 10_000 });
    expect(await serviceNames(lio)).toEqual([]);
    // the first page's records can be counted before the second page has been asked for
    await vi.waitFor(() => expect(releaseSecondPage).toBeTypeOf('function'), { timeout: 10_000 });
    releaseSecondPage!();
    await running;
    const done = await client.get(page);
    expect(done.$('h1').text()).toBe('Import report');
    expect(await serviceNames(lio)).toEqual(['Job Service 0', 'Job Service 1', 'Job Service 2']);
  });

  it('refuses an upload from someone who may not import before any of it is written to disk', async () => {
    const lio = await t.make.lio();
    const member = await t.make.user(lio, { role: 'group_member' });
    const client = new Client(t.app, lio.host);
    await client.signIn(member.email, member.password);
    const csrf = (await client.get('/')).$('input[name="_csrf"]').first().val() as string | undefined;
    const folder = path.join(dataDir, 'imports');
    await mkdir(folder, { recursive: true });
    const made: string[] = [];
    const watcher = watch(folder, (_event, name) => { if (name) made.push(name); });
    try {
      const posted = await client.postMultipart('/admin/imports/oruk', { _csrf: csrf ?? '', url: '' }, { files: [{ name: 'council.json', text: feed(2) }] });
      expect(posted.status).toBe(403);
      const anonymous = await new Client(t.app, lio.host).postMultipart('/admin/imports/oruk', { url: '' }, { files: [{ name: 'council.json', text: feed(2) }] });
      expect(anonymous.status).toBe(303);
      expect(anonymous.location).toMatch(/^\/sign-in/);
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      watcher.close();
    }
    expect(made).toEqual([]);
    expect(await serviceNames(lio)).toEqual([]);
  });

  it('refuses a second import while one waits or runs, naming it, and takes one again when it has ended', async () => {
    const lio = await t.make.lio();
    const { client, csrf } = await admin(lio);
    const first = await client.postMultipart('/admin/imports/oruk', { _csrf: csrf, url: '' }, { files: [{ name: 'first.json', text: feed(2) }] });
    expect(first.status).toBe(303);
    const second = await client.postMultipart('/admin/imports/oruk', { _csrf: csrf, url: '' }, { files: [{ name: 'second.json', text: feed(1) }] });
    expect(second.status).toBe(400);
    expect(errorSummary(second)).toEqual([{ href: '#url', text: 'Another import is waiting or running: wait for it to finish, then import this one' }]);
    expect(second.$('[data-testid="import-busy"] a').attr('href')).toBe(first.location);
    // the refused upload is not kept
    expect(await uploadsLeft()).toEqual([first.location!.split('/').pop()]);
    // another LIO is not held up
    const other = await t.make.lio();
    const elsewhere = await admin(other);
    expect((await elsewhere.client.postMultipart('/admin/imports/oruk', { _csrf: elsewhere.csrf, url: '' }, { files: [{ name: 'x.json', text: feed(1) }] })).status).toBe(303);

    await t.app.jobs.drain();
    const again = await client.postMultipart('/admin/imports/oruk', { _csrf: csrf, url: '' }, { files: [{ name: 'second.json', text: feed(1) }] });
    expect(again.status).toBe(303);
    await t.app.jobs.drain();
    expect((await client.get(again.location!)).$('h1').text()).toBe('Import report');
  });

  it('an import whose process stopped part way is ended as rejected, with nothing imported, and the next is taken', async () => {
    const lio = await t.make.lio();
    const { client, csrf } = await admin(lio);
    const posted = await client.postMultipart('/admin/imports/oruk', { _csrf: csrf, url: '' }, { files: [{ name: 'cut.json', text: feed(2) }] });
    const id = posted.location!.split('/').pop()!;
    // its job took it, then the process stopped: the record says running and nobody beats for it
    await t.db.withTenant(lio.id, (tx) => importsRepository.markRunning(tx, id, t.clock.now()));
    expect((await client.get(posted.location!)).$('h1').text()).toBe('Import running');
    t.clock.advance(2 * 60_000);
    const stopped = await client.get(posted.location!);
    expect(stopped.$('h1').text()).toBe('Import rejected');
    expect(mainText(stopped)).toMatch(/The import stopped before it finished .* nothing was imported\. Start it again\./);
    expect(await serviceNames(lio)).toEqual([]);
    // the job, run at last, finds its import ended and leaves it so
    await t.app.jobs.drain();
    expect(await serviceNames(lio)).toEqual([]);
    expect((await client.postMultipart('/admin/imports/oruk', { _csrf: csrf, url: '' }, { files: [{ name: 'again.json', text: feed(2) }] })).status).toBe(303);
  });
});

describe('a streamed import', () => {
  it('refuses a file that stops being JSON part way, with nothing of the batches before it committed', async () => {
    const lio = await t.make.lio();
    const file = path.join(dataDir, 'broken.json');
    // 40 good services (of 9 kB each, so that they are read in more than one piece), written in batches of 5 records, then text that is not JSON
    const good = Array.from({ length: 40 }, (_, i) => JSON.stringify({ ...service(i, `org-${i}`), description: `${i} `.padEnd(9000, 'x') })).join(',');
    await writeFile(file, `{"total_items": 41, "contents": [${good}, {"id": "jobs-svc-40", "name": "Cut short" oops}]}`);
    const progress: number[] = [];
    const importer = new OrukImportService({ db: t.db, clock: t.clock, limits: t.config.imports });
    const report = await importer.importOruk('operator', lio.id, { kind: 'path', path: file }, {
      batchRecords: 5, onProgress: (p) => { if (p.stage === 'records') progress.push(p.written); },
    });
    // batches were written before the break was read
    expect(Math.max(...progress)).toBeGreaterThanOrEqual(40);
    expect(report.status).toBe('rejected');
    expect(report.message).toBe('The import was rejected: 1 problem must be put right first. Nothing was imported.');
    expect(report.issues[0]).toMatchObject({ level: 'error', file: 'broken.json', message: expect.stringMatching(/^broken\.json is not valid JSON/) });
    expect(await serviceNames(lio)).toEqual([]);
    expect(await t.db.withTenant(lio.id, (tx) => tx.selectFrom('organisations').select('id').execute())).toEqual([]);
    const kept = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('directory_imports').select(['status']).execute());
    expect(kept).toEqual([{ status: 'rejected' }]);
  });

  it('writes a file in batches as one import: a record met in two batches is counted once, and a venue named across batches is linked', async () => {
    const lio = await t.make.lio();
    const file = path.join(dataDir, 'batches.json');
    const services = Array.from({ length: 12 }, (_, i) => ({
      ...service(i), service_at_locations: [{ id: `jobs-sal-${i}`, ...(i === 0 ? { location: { id: 'jobs-hall', name: 'Hall', location_type: 'physical' } } : { location_id: 'jobs-hall' }) }],
    }));
    await writeFile(file, JSON.stringify(services));
    const report = await new OrukImportService({ db: t.db, clock: t.clock, limits: t.config.imports }).importOruk('operator', lio.id, { kind: 'path', path: file }, { batchRecords: 4 });
    expect(report.status).toBe('completed');
    expect(report.counts.services).toEqual({ created: 12, updated: 0 });
    expect(report.counts.organisations).toEqual({ created: 1, updated: 0 });
    expect(report.counts.locations).toEqual({ created: 1, updated: 0 });
    const linked = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('service_at_locations').select('service_id').execute());
    expect(linked).toHaveLength(12);
  });

  it('writes a service listed before its organisation in a flat list, batches earlier, and still refuses one whose organisation never comes', async () => {
    const lio = await t.make.lio();
    const file = path.join(dataDir, 'services-first.json');
    // A flat list as some councils' feeds are: every service names its organisation by id, and the organisations come last.
    const services = Array.from({ length: 9 }, (_, i) => {
      const { organization: _organisation, ...rest } = service(i);
      return { ...rest, organization_id: i === 8 ? 'org-never' : `org-late-${i % 2}` };
    });
    const organisations = [0, 1].map((n) => ({ id: `org-late-${n}`, name: `Late Trust ${n}`, description: 'Listed after its services', website: `https://late-${n}.example.org` }));
    await writeFile(file, JSON.stringify([...services, ...organisations]));
    const report = await new OrukImportService({ db: t.db, clock: t.clock, limits: t.config.imports }).importOruk('operator', lio.id, { kind: 'path', path: file }, { batchRecords: 3 });
    expect(report.status).toBe('completed');
    expect(report.counts.organisations).toEqual({ created: 2, updated: 0 });
    expect(report.counts.services).toEqual({ created: 8, updated: 0 });
    expect(report.issues.filter((i) => i.level === 'refused').map((i) => [i.id, i.message])).toEqual([
      ['jobs-svc-8', 'names the organisation "org-never", which is neither in this import nor held here: not imported'],
    ]);
    const owners = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('services').innerJoin('organisations', 'organisations.id', 'services.organisation_id')
      .select(['services.name', 'organisations.name as organisation']).orderBy('services.name').execute());
    expect(owners[0]).toEqual({ name: 'Job Service 0', organisation: 'Late Trust 0' });
    expect(owners[1]).toEqual({ name: 'Job Service 1', organisation: 'Late Trust 1' });
  });
});
