import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { createPersistentStore, type PersistentStore } from '../helpers/store.js';

/** `commonground import oruk`: the real command, in its own process, on its own database. */
describe('commonground import oruk', () => {
  let store: PersistentStore;
  beforeAll(async () => {
    store = await createPersistentStore();
    const admin = await runCli(['create-admin', '--email', 'ada@example.org', '--name', 'Ada Admin', '--password', 'a long enough password'], store.env, 120_000);
    expect(admin.code, admin.stderr).toBe(0);
  }, 240_000);
  afterAll(async () => { await store?.dispose(); });

  it('imports a file, shows progress and the counts, and updates on a second run', async () => {
    const file = path.join(store.dir, 'feed.json');
    const services = Array.from({ length: 3 }, (_, i) => ({
      id: `svc-${i}`, name: `CLI Service ${i}`, status: 'active', description: 'From the command line',
      organization: { id: 'org-cli', name: 'CLI Organisation', description: '' },
      service_at_locations: [{ id: `sal-${i}`, location: { id: 'loc-cli', name: 'Hall', addresses: [{ address_1: '1 Road', city: 'Town', postal_code: 'LS1 1UR', country: 'GB' }] } }],
    }));
    await writeFile(file, JSON.stringify({ total_items: 4, total_pages: 1, page_number: 1, size: 10, first_page: true, last_page: true, empty: false,
      contents: [...services, { id: 'svc-x', name: 'No organisation', status: 'active' }] }));
    const report = path.join(store.dir, 'report.json');
    const first = await runCli(['import', 'oruk', file, '--report', report], store.env, 120_000);
    // imported, but one record was refused: a status that says so
    expect(first.code, first.stderr).toBe(3);
    expect(first.stderr).toMatch(/Importing .*feed\.json into /);
    // (a JSON file is read as a stream, and its progress counted in records)
    expect(first.stderr).toMatch(/Read 4 records of feed\.json: 5 written, 1 refused/);
    expect(first.stdout).toMatch(/services\s+3 created\s+0 updated/);
    expect(first.stdout).toMatch(/organisations\s+1 created/);
    expect(first.stdout).toMatch(/refused\s+1 records not imported/);
    expect(first.stdout).toMatch(/refused service svc-x .*names no organisation/);
    const saved = JSON.parse(await readFile(report, 'utf8')) as { status: string; counts: { services: { created: number } } };
    expect(saved).toMatchObject({ status: 'completed', refused: 1, counts: { services: { created: 3 } } });

    const second = await runCli(['import', 'oruk', file], store.env, 120_000);
    expect(second.code, second.stderr).toBe(3);
    expect(second.stdout).toMatch(/services\s+0 created\s+3 updated/);
  }, 240_000);

  it('refuses what it cannot import, with a clear message and exit code', async () => {
    const missing = await runCli(['import', 'oruk', path.join(store.dir, 'nothing.json')], store.env, 120_000);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/There is no file or folder at/);
    const broken = path.join(store.dir, 'broken.json');
    await writeFile(broken, '{"contents": [');
    const rejected = await runCli(['import', 'oruk', broken], store.env, 120_000);
    expect(rejected.code).toBe(1);
    expect(rejected.stderr).toMatch(/rejected.*Nothing was imported/);
    expect(rejected.stderr).toMatch(/broken\.json is not valid JSON/);
    const usage = await runCli(['import', 'oruk'], store.env, 120_000);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/import oruk URL-or-FILE/);
    const lio = await runCli(['import', 'oruk', broken, '--lio', 'nope'], store.env, 120_000);
    expect(lio.code).toBe(2);
    expect(lio.stderr).toMatch(/No LIO with the slug nope/);
  }, 240_000);
});
