import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { errorSummary, flash, startE2E, type E2E } from '../helpers/browser.js';

let e: E2E;
let feedServer: Server;
let feedUrl: string;
beforeAll(async () => {
  // the feed is served from this machine, which imports refuse unless the operator allows it
  e = await startE2E({ env: { IMPORT_ALLOW_PRIVATE_ADDRESSES: 'true' } });
  // A council's feed, ORUK 3.0, two pages, served from this machine.
  const services = [1, 2, 3].map((i) => ({
    id: `3f0c9d6e-4b1a-4e2f-9c3d-${String(i).padStart(12, '0')}`, name: `Council Service ${i}`, description: `From the council feed (${i})`, status: 'active',
    organization: { id: '3f0c9d6e-4b1a-4e2f-9c3d-00000000aaaa', name: 'Riverside Council Services', description: 'The council’s own services' },
    schedules: [{ id: `4f0c9d6e-4b1a-4e2f-9c3d-${String(i).padStart(12, '0')}`, freq: 'WEEKLY', byday: 'FR', opens_at: '09:00', closes_at: '17:00' }],
  }));
  feedServer = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://feed.test');
    const page = Number(url.searchParams.get('page') ?? '1');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ total_items: 3, total_pages: 2, page_number: page, size: 2, first_page: page === 1, last_page: page >= 2, empty: false, contents: services.slice((page - 1) * 2, page * 2) }));
  });
  await new Promise<void>((resolve) => feedServer.listen(0, '127.0.0.1', resolve));
  feedUrl = `http://127.0.0.1:${(feedServer.address() as AddressInfo).port}/api/services`;
});
afterEach(async () => { await e.endTest(); });
afterAll(async () => {
  await new Promise((resolve) => feedServer?.close(resolve));
  await e?.close();
});

const h1 = async (page: Page) => ((await page.getByRole('heading', { level: 1 }).textContent()) ?? '').trim();
const path = (page: Page) => new URL(page.url()).pathname;

describe('imports, in the browser', () => {
  it('an admin imports a feed by its address and by file, reads the reports, and a rejected spreadsheet or taxonomy changes nothing', async () => {
    const admin = await e.t.make.user(e.lio, { role: 'admin', name: 'Ada Admin' });
    const page = await e.newPage();
    await e.signIn(page, admin);
    await e.openFromMenu(page, 'Admin', 'Imports');
    expect(path(page)).toBe('/admin/imports');
    expect(await h1(page)).toBe('Imports');

    // Nothing given: the error summary says what to do.
    await e.follow(page, () => page.getByRole('button', { name: 'Import feed' }).click());
    expect((await errorSummary(page)).errors.map((x) => x.text)).toEqual(['Enter the address of a feed, or choose files to upload']);

    // A feed by its address: queued as a job, whose page shows its progress (following it, with JavaScript) until the report takes its place.
    await page.getByLabel('Address of the feed').fill(feedUrl);
    await e.follow(page, () => page.getByRole('button', { name: 'Import feed' }).click());
    expect(await h1(page)).toBe('Import waiting to start');
    expect(await flash(page)).toBe('The import has started');
    expect(await page.getByTestId('import-progress').textContent()).toMatch(/Records read\s*0\s*Records written\s*0\s*Records refused\s*0/);
    // (its link to look again is the way without JavaScript; with it, the page follows the import by itself)
    expect(await page.getByRole('link', { name: 'Check progress again' }).getAttribute('href')).toBe(path(page));
    await e.follow(page, () => e.t.app.jobs.drain());
    expect(await h1(page)).toBe('Import report');
    const added = async () => page.locator('table').first().locator('tbody tr').evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('th, td')].map((c) => c.textContent?.trim())));
    expect(await added()).toEqual(expect.arrayContaining([['Services', '3', '0'], ['Organisations', '1', '0']]));

    e.t.clock.advance(60_000);
    // The same feed as a file (an ORUK 1.0-era export, with HTML and a record without a name): updated, and the nameless one refused.
    await e.follow(page, () => page.getByRole('link', { name: 'Import something else' }).click());
    await page.getByLabel('Files of a feed').setInputFiles({
      name: 'council-feed.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify({
        totalElements: 2, totalPages: 1, number: 1, first: true, last: true, content: [
          { id: '3f0c9d6e-4b1a-4e2f-9c3d-000000000001', name: 'Council Service 1', description: '<p>Now with <em>HTML</em> &amp; more</p>', status: 'active', organization: { id: '3f0c9d6e-4b1a-4e2f-9c3d-00000000aaaa', name: 'Riverside Council Services' } },
          { id: 'legacy-9', name: '', status: 'active', organization: { id: '3f0c9d6e-4b1a-4e2f-9c3d-00000000aaaa', name: 'Riverside Council Services' } },
        ],
      })),
    });
    await e.follow(page, () => page.getByRole('button', { name: 'Import feed' }).click());
    expect(await h1(page)).toBe('Import waiting to start');
    // a second import while this one waits is refused, with a link to it
    await e.follow(page, () => page.getByRole('link', { name: 'Back to imports' }).click());
    await page.getByLabel('Address of the feed').fill(feedUrl);
    await e.follow(page, () => page.getByRole('button', { name: 'Import feed' }).click());
    expect((await errorSummary(page)).errors.map((x) => x.text)).toEqual(['Another import is waiting or running: wait for it to finish, then import this one']);
    await e.follow(page, () => page.getByRole('link', { name: 'See the import that is waiting or running' }).click());
    expect(await h1(page)).toBe('Import waiting to start');
    // with JavaScript the page follows the import by itself, and the report takes its place when it ends
    await e.follow(page, () => e.t.app.jobs.drain());
    expect(await h1(page)).toBe('Import report');
    expect(await added()).toEqual(expect.arrayContaining([['Services', '0', '1']]));
    expect(await page.getByTestId('import-refused').textContent()).toMatch(/1 record was refused and not imported/);
    expect(await page.getByTestId('import-issues').textContent()).toMatch(/service \(legacy-9\)\s*Not imported: has no name, which the standard requires/);
    const description = await e.t.db.withTenant(e.lio.id, (tx) => tx.selectFrom('services').select('description').where('name', '=', 'Council Service 1').executeTakeFirstOrThrow());
    expect(description.description).toBe('Now with HTML & more');

    e.t.clock.advance(60_000);
    // A spreadsheet with a bad row: rejected, row by row, nothing imported.
    await e.follow(page, () => page.getByRole('link', { name: 'Import something else' }).click());
    await page.getByLabel('Services').check();
    await page.getByLabel('CSV file').setInputFiles({ name: 'services.csv', mimeType: 'text/csv', buffer: Buffer.from('organisation_name,name,status\nRiverside Council Services,Good Row,active\nNobody,Bad Row,open\n') });
    await e.follow(page, () => page.getByRole('button', { name: 'Import spreadsheet' }).click());
    expect(await h1(page)).toBe('Import rejected');
    const problems = await page.getByTestId('import-issues').locator('tbody tr').evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].slice(0, 2).map((c) => c.textContent?.trim())));
    expect(problems).toEqual([['3', 'organisation_name'], ['3', 'status']]);
    const count = await e.t.db.withTenant(e.lio.id, (tx) => tx.selectFrom('services').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow());
    expect(Number(count.n)).toBe(3);

    e.t.clock.advance(60_000);
    // A taxonomy refused on its own page is recorded with the other imports, its problems row by row.
    await e.follow(page, () => page.getByRole('link', { name: 'Import something else' }).click());
    await e.follow(page, () => page.getByRole('link', { name: 'the page for importing a taxonomy' }).click());
    expect(await h1(page)).toBe('Import a taxonomy');
    await page.getByLabel('Or paste the JSON').fill(JSON.stringify({ name: 'Local needs', taxonomy_terms: [{ id: 'food', name: 'Food' }, { id: 'bank', name: 'Food banks', parent_id: 'nowhere' }] }));
    await e.follow(page, () => page.getByRole('button', { name: 'Import taxonomy' }).click());
    expect((await errorSummary(page)).errors.map((x) => x.text)).toEqual(['Term 2 (Food banks): parent_id “nowhere” is not a term of this taxonomy']);
    await e.openFromMenu(page, 'Admin', 'Imports');
    await e.follow(page, () => page.locator('table').last().locator('tbody tr').first().getByRole('link').click());
    expect(await h1(page)).toBe('Import rejected');
    expect(await page.getByTestId('import-issues').textContent()).toMatch(/Term 2 \(Food banks\)\s*parent_id\s*Error: “nowhere” is not a term of this taxonomy/);
    expect(await e.t.db.withTenant(e.lio.id, (tx) => tx.selectFrom('taxonomies').select('name').where('name', '=', 'Local needs').execute())).toEqual([]);

    // The list of imports, newest first.
    await e.follow(page, () => page.getByRole('link', { name: 'Back to imports' }).click());
    const recent = await page.locator('table').last().locator('tbody tr').evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].slice(1, 4).map((c) => c.textContent?.trim())));
    expect(recent).toEqual([
      ['Taxonomy', 'pasted JSON', 'Rejected'], ['Services spreadsheet', 'services.csv', 'Rejected'], ['Open Referral feed', 'council-feed.json', 'Completed'], ['Open Referral feed', feedUrl, 'Completed'],
    ]);
  });

  it('staff who may not import are refused the page', async () => {
    const adviser = await e.t.make.user(e.lio, { role: 'staff', permissionSets: ['adviser'] });
    const page = await e.newPage();
    await e.signIn(page, adviser);
    const response = await e.visit(page, '/admin/imports');
    expect(response?.status()).toBe(403);
  });
});
