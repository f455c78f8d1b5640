import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { OrukImportService } from '../../src/directory/oruk/import/importer.js';
import { readSource, WHOLE_SOURCE_MAX_BYTES } from '../../src/directory/oruk/import/sources.js';
import { ImportSet } from '../../src/directory/oruk/import/model.js';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEFAULT_IMPORT_LIMITS, loadConfig, type ImportLimits } from '../../src/platform/config.js';
import { isPublicAddress } from '../../src/platform/http/outbound.js';
import { errorCode } from '../../src/platform/errors.js';
import type { Capability } from '../../src/platform/capability.js';
import { capabilities } from '../../src/capabilities.js';

/**
 * What an import may read: only public addresses unless the operator allows others (checked after names are
 * resolved, and on every redirect), within a time limit for the whole answer and a size limit; anything else is a
 * clear rejection, recorded, never a crash.
 */

let t: TestContext;
let server: Server;
let base: string;
let redirector: Server;
let redirectorBase: string;
let finishHalves: (() => void) | null = null;

const service = (n: number) => ({ id: `svc-${n}`, name: `Service ${n}`, status: 'active', organization: { id: 'org-1', name: 'An organisation', description: '' } });

const page = JSON.stringify({ total_items: 1, total_pages: 1, page_number: 1, size: 1, first_page: true, last_page: true, empty: false,
  contents: [{ id: 'svc-1', name: 'A service', status: 'active', organization: { id: 'org-1', name: 'An organisation', description: '' },
    service_at_locations: [] }] });

/** A route that throws an error whose code is a number, as socket and database errors do. */
const throwing: Capability = {
  name: 'throwing',
  async routes(app) {
    app.get('/throws-numeric-code', async () => { throw Object.assign(new Error('socket gone'), { code: 104 }); });
  },
};

beforeAll(async () => {
  t = await createTestApp({ capabilities: [...capabilities(), throwing] });
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://feed.test');
    const json = (r: ServerResponse, headers: Record<string, string | number> = {}) => r.writeHead(200, { 'content-type': 'application/json', ...headers });
    if (url.pathname === '/ok') { json(res); res.end(page); return; }
    if (url.pathname === '/trickle') {
      // headers at once, then a byte now and then, for longer than the limit
      json(res);
      res.write('{"contents": [');
      const timer = setInterval(() => { if (!res.destroyed) res.write(' '); }, 50);
      res.on('close', () => clearInterval(timer));
      setTimeout(() => { clearInterval(timer); res.end(']}'); }, 3000);
      return;
    }
    if (url.pathname === '/short') {
      // says 100,000 bytes, sends a few and closes
      json(res, { 'content-length': 100_000 });
      res.write('{"contents": [');
      setTimeout(() => res.socket?.destroy(), 20);
      return;
    }
    if (url.pathname === '/stall') {
      // headers, then nothing at all
      json(res);
      res.flushHeaders();
      const timer = setTimeout(() => res.end(page), 3000);
      res.on('close', () => clearTimeout(timer));
      return;
    }
    if (url.pathname === '/long') {
      // says fewer bytes than it sends: the answer ends where its length says, part way through the JSON
      const body = Buffer.from(page);
      json(res, { 'content-length': 40 });
      res.flushHeaders();
      res.socket?.end(body);
      return;
    }
    if (url.pathname === '/spaced') {
      // spaces and line ends before the page, each in a packet of its own
      json(res);
      res.write(' ');
      setTimeout(() => res.write('\n\r\n'), 20);
      setTimeout(() => res.end(page), 40);
      return;
    }
    if (url.pathname === '/halves') {
      // the first records of a page, then the rest once the test has seen them read
      json(res);
      res.write(`{"contents": [${JSON.stringify(service(1))},${JSON.stringify(service(2))}`);
      finishHalves = () => res.end(`,${JSON.stringify(service(3))}], "total_items": 3, "total_pages": 1, "page_number": 1, "last_page": true}`);
      return;
    }
    if (url.pathname === '/endless') {
      // pages of 3 kB each, a thousand of them
      const n = Number(url.searchParams.get('page') ?? '1');
      json(res);
      res.end(JSON.stringify({ total_items: 1000, total_pages: 1000, page_number: n, contents: [{ ...service(n), description: 'x'.repeat(3000) }] }));
      return;
    }
    if (url.pathname === '/declared-large') { json(res, { 'content-length': 5_000_000 }); res.end(); return; }
    if (url.pathname === '/large') {
      // no length said: the limit is found while reading
      json(res);
      res.end(`{"contents": [], "padding": "${'x'.repeat(50_000)}"}`);
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // a feed on another address of this machine that sends the import on to 127.0.0.1
  redirector = createServer((req, res) => { res.writeHead(302, { location: `${base}/ok` }).end(); });
  await new Promise<void>((resolve) => redirector.listen(0, '127.0.0.2', resolve));
  redirectorBase = `http://127.0.0.2:${(redirector.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await new Promise((resolve) => redirector?.close(resolve));
  await t?.close();
});

const importerWith = (limits: Partial<ImportLimits>) => new OrukImportService({ db: t.db, clock: t.clock, limits: { ...DEFAULT_IMPORT_LIMITS, ...limits } });

async function recorded(lioId: string) {
  return t.db.withTenant(lioId, (tx) => tx.selectFrom('directory_imports').select(['status', 'counts']).execute());
}

describe('addresses an import may read', () => {
  it('refuses loopback, names that resolve to it, private, link-local and redirects to them, with one message, and records each', async () => {
    const importer = importerWith({});
    const port = (server.address() as AddressInfo).port;
    const addresses = [`http://127.0.0.1:${port}/ok`, `http://localhost:${port}/ok`, 'http://169.254.169.254/latest/meta-data/', 'http://10.1.2.3/feed',
      `http://[::1]:${port}/ok`, `http://[::ffff:127.0.0.1]:${port}/ok`, 'http://100.64.0.1/', 'http://0.0.0.0/'];
    for (const url of addresses) {
      const lio = await t.make.lio();
      const report = await importer.importOruk('operator', lio.id, { kind: 'url', url });
      expect(report.status, url).toBe('rejected');
      expect(report.message, url).toMatch(/was refused: it is not a public internet address\. An operator can allow private and local addresses with IMPORT_ALLOW_PRIVATE_ADDRESSES=true/);
      const rows = await recorded(lio.id);
      expect(rows.map((r) => r.status), url).toEqual(['rejected']);
    }
    // a feed the operator allows (127.0.0.2) that redirects to one not allowed
    const lio = await t.make.lio();
    const report = await importerWith({ allowPrivateAddresses: ['127.0.0.2'] }).importOruk('operator', lio.id, { kind: 'url', url: `${redirectorBase}/feed` });
    expect(report.status).toBe('rejected');
    expect(report.message).toMatch(/was refused: it is not a public internet address \(it redirected to 127\.0\.0\.1:\d+\)/);
    expect((await recorded(lio.id)).map((r) => r.status)).toEqual(['rejected']);
  });

  it('reads private addresses the operator allows, all of them or by list', async () => {
    const lio = await t.make.lio();
    expect((await importerWith({ allowPrivateAddresses: true }).importOruk('operator', lio.id, { kind: 'url', url: `${base}/ok` })).status).toBe('completed');
    const listed = await importerWith({ allowPrivateAddresses: ['127.0.0.0/8'] }).importOruk('operator', lio.id, { kind: 'url', url: `${redirectorBase}/feed` });
    expect(listed.status, listed.message ?? '').toBe('completed');
  });

  it('knows public addresses from the rest', () => {
    for (const a of ['8.8.8.8', '2a00:1450:4009:81f::200e', '::ffff:8.8.8.8', '81.2.69.160']) expect(isPublicAddress(a), a).toBe(true);
    for (const a of ['127.0.0.1', '10.0.0.1', '172.16.5.4', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1', '::1', '::', 'fe80::1', 'fd00::1',
      'ff02::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:a9fe:a9fe']) expect(isPublicAddress(a), a).toBe(false);
  });

  it('reads the setting from the environment, and refuses a value it cannot use', () => {
    expect(loadConfig({}).imports.allowPrivateAddresses).toBe(false);
    expect(loadConfig({ IMPORT_ALLOW_PRIVATE_ADDRESSES: 'true' }).imports.allowPrivateAddresses).toBe(true);
    expect(loadConfig({ IMPORT_ALLOW_PRIVATE_ADDRESSES: '10.1.2.3,10.2.0.0/16' }).imports.allowPrivateAddresses).toEqual(['10.1.2.3', '10.2.0.0/16']);
    expect(loadConfig({ IMPORT_MAX_MB: '5', IMPORT_TIMEOUT_SECONDS: '7' }).imports).toMatchObject({ maxBytes: 5 * 1024 * 1024, timeoutMs: 7000 });
    expect(() => loadConfig({ IMPORT_ALLOW_PRIVATE_ADDRESSES: '10.1.2.3/99' })).toThrow(/IMPORT_ALLOW_PRIVATE_ADDRESSES: must be/);
    expect(() => loadConfig({ IMPORT_ALLOW_PRIVATE_ADDRESSES: 'yes' })).toThrow(/IMPORT_ALLOW_PRIVATE_ADDRESSES: must be/);
  });
});

describe('sources that break the limits', () => {
  const local = { allowPrivateAddresses: true as const };

  it.each([
    ['a body that trickles past the time limit', '/trickle', 400, /trickle did not send its whole answer within/],
    ['an answer that stalls after its headers', '/stall', 400, /stall did not send its whole answer within/],
    // read only as far as the length, so its JSON is broken
    ['a body longer than its Content-Length', '/long', 60_000, /long did not answer with JSON/],
  ] as const)('%s is rejected and recorded', async (_what, path, timeoutMs, message) => {
    const lio = await t.make.lio();
    const report = await importerWith({ ...local, timeoutMs }).importOruk('operator', lio.id, { kind: 'url', url: `${base}${path}` });
    expect(report.status).toBe('rejected');
    expect(report.message).toMatch(message);
    expect((await recorded(lio.id)).map((r) => r.status)).toEqual(['rejected']);
  });

  it('a page is read as it arrives, spaces before it included: its records are read before its end has come', async () => {
    const lio = await t.make.lio();
    expect((await importerWith(local).importOruk('operator', lio.id, { kind: 'url', url: `${base}/spaced` })).status).toBe('completed');
    const set = new ImportSet();
    const reading = readSource({ kind: 'url', url: `${base}/halves` }, set, { limits: { ...DEFAULT_IMPORT_LIMITS, ...local } });
    await vi.waitFor(() => expect([...set.services.keys()]).toEqual(['svc-1', 'svc-2']), { timeout: 5000 });
    finishHalves!();
    await reading;
    expect([...set.services.keys()]).toEqual(['svc-1', 'svc-2', 'svc-3']);
    expect(set.issues).toEqual([]);
  });

  it('a body shorter than its Content-Length is rejected and recorded', async () => {
    const lio = await t.make.lio();
    const report = await importerWith(local).importOruk('operator', lio.id, { kind: 'url', url: `${base}/short` });
    expect(report.status).toBe('rejected');
    expect(report.message).toMatch(/short closed the connection before the whole answer came/);
    expect((await recorded(lio.id)).map((r) => r.status)).toEqual(['rejected']);
  });

  it('a body over the size limit, said or found while reading, is rejected and recorded', async () => {
    for (const path of ['/declared-large', '/large']) {
      const lio = await t.make.lio();
      const report = await importerWith({ ...local, maxBytes: 10_000 }).importOruk('operator', lio.id, { kind: 'url', url: `${base}${path}` });
      expect(report.status, path).toBe('rejected');
      expect(report.message, path).toMatch(/is larger than the limit of \d+ MB for an import/);
      expect((await recorded(lio.id)).map((r) => r.status)).toEqual(['rejected']);
    }
  });

  it('a feed that sends more in all than five pages at the limit is rejected and recorded, though each page is within it', async () => {
    const lio = await t.make.lio();
    const report = await importerWith({ ...local, maxBytes: 10_000 }).importOruk('operator', lio.id, { kind: 'url', url: `${base}/endless` });
    expect(report.status).toBe('rejected');
    expect(report.message).toMatch(/endless sent more than \d+ MB in all, the most a feed may send \(5 times the limit of one page\), since its records are held until all are read: nothing was imported/);
    expect((await recorded(lio.id)).map((r) => r.status)).toEqual(['rejected']);
    expect(await t.db.withTenant(lio.id, (tx) => tx.selectFrom('services').select('id').execute())).toEqual([]);
  });

  it('a feed that lists more records than may be held is rejected, though it sends few bytes', async () => {
    const reading = readSource({ kind: 'url', url: `${base}/endless` }, new ImportSet(), { limits: { ...DEFAULT_IMPORT_LIMITS, ...local }, maxRecords: 5 });
    await expect(reading).rejects.toThrow(/endless lists more than 5 records, the most a feed may, since its records are held until all are read: nothing was imported/);
  });

  it('uploaded files over the size limit are rejected and recorded', async () => {
    const lio = await t.make.lio();
    const report = await importerWith({ maxBytes: 10_000 }).importOruk('operator', lio.id, { kind: 'files', files: [{ name: 'big.json', text: `[${'{"id":"x"},'.repeat(2000)}{}]` }] });
    expect(report.status).toBe('rejected');
    expect(report.message).toMatch(/big\.json is larger than the limit/);
    expect((await recorded(lio.id)).map((r) => r.status)).toEqual(['rejected']);
  });
});

describe('files read whole and files read as a stream', () => {
  let dir: string;
  beforeAll(async () => { dir = await mkdtemp(path.join(tmpdir(), 'import-limits-')); });
  afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

  it('a CSV package larger than a source read whole may be is refused before it is read, and recorded', async () => {
    const pkg = path.join(dir, 'package');
    await mkdir(pkg);
    const row = `svc-1,org-1,A service,${'a long description '.repeat(20)},active\n`;
    await writeFile(path.join(pkg, 'services.csv'), `id,organization_id,name,description,status\n${row.repeat(Math.ceil((WHOLE_SOURCE_MAX_BYTES + 1) / row.length))}`);
    await writeFile(path.join(pkg, 'organizations.csv'), 'id,name\norg-1,An organisation\n');
    const lio = await t.make.lio();
    const report = await importerWith({}).importOruk('operator', lio.id, { kind: 'path', path: pkg });
    expect(report.status).toBe('rejected');
    expect(report.message).toMatch(/is 21 MB: an HSDS CSV package \(with any JSON files given beside it\) is read whole, so it may be at most 20 MB\. Import the directory’s ORUK JSON instead/);
    expect((await recorded(lio.id)).map((r) => r.status)).toEqual(['rejected']);
  });

  it('an uploaded JSON file whose name does not say so is read as a stream, whatever its size, and a file that is neither is listed as ignored', async () => {
    const upload = path.join(dir, 'upload');
    await mkdir(upload);
    const padding = 'x'.repeat(WHOLE_SOURCE_MAX_BYTES + 1024);
    await writeFile(path.join(upload, 'export'), `\n{"contents": [${JSON.stringify(service(7))}], "padding": "${padding}"}`);
    await writeFile(path.join(upload, 'notes.txt'), 'read me');
    const lio = await t.make.lio();
    const report = await importerWith({}).importOruk('operator', lio.id, { kind: 'upload', dir: upload, names: ['export', 'notes.txt'] });
    expect(report.status, report.message ?? '').toBe('completed');
    expect(report.counts.services).toEqual({ created: 1, updated: 0 });
    expect(report.issues).toEqual([expect.objectContaining({ level: 'warning', file: 'notes.txt', message: 'notes.txt is neither JSON nor CSV: ignored' })]);
  });
});

describe('errors whose code is a number', () => {
  it('the web error handler answers its own 500 page', async () => {
    const lio = await t.make.lio();
    const response = await t.app.inject({ method: 'GET', url: '/throws-numeric-code', headers: { host: lio.host } });
    expect(response.statusCode).toBe(500);
    expect(response.body).toMatch(/Sorry, there is a problem with the service/);
  });

  it('reads a code only when it is text', () => {
    expect(errorCode(Object.assign(new Error('x'), { code: 104 }))).toBeNull();
    expect(errorCode(Object.assign(new Error('x'), { code: 'ERR_PARSE_ARGS_UNKNOWN_OPTION' }))).toBe('ERR_PARSE_ARGS_UNKNOWN_OPTION');
    expect(errorCode('text')).toBeNull();
  });
});
