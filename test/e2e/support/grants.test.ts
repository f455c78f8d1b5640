import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { E2E_TIMEOUTS, errorSummary, flash, startE2E, type E2E } from '../../helpers/browser.js';
import { fundingFactories } from '../../helpers/funding-factories.js';

let e: E2E;
beforeAll(async () => { e = await startE2E(); }, E2E_TIMEOUTS.hookTimeout);
afterEach(async () => { await e.endTest(); });
afterAll(async () => { await e?.close(); });

/**
 * Runs the queued import, then waits for the progress page's script to put the outcome in its place, as a person watching
 * it sees (it checks every few seconds, and may first show the import running).
 */
async function importEnds(page: Page, heading: string) {
  await e.t.app.jobs.drain();
  await page.locator('h1', { hasText: heading }).waitFor({ timeout: 20_000 });
  await page.waitForLoadState('load');
  await e.checkAccessibility(page);
}

describe('360Giving grants in the browser', () => {
  it('an adviser imports a file, watches its progress, reads the report and opens a funder’s local grants; a malformed file is refused; every page passes axe', async () => {
    const food = await e.t.make.organisation(e.lio, { name: 'Riverside Food Bank' });
    await e.t.make.organisation(e.lio, { name: 'Quiet Corner Club' });
    await fundingFactories(e.t.db).profile(e.lio, food.id, { charity: '1160123' });
    const adviser = await e.t.make.user(e.lio, { role: 'staff', permissionSets: ['adviser'] });
    const page = await e.newPage();
    await e.signIn(page, adviser);

    await e.openFromMenu(page, 'Support for groups', 'Import grants data');
    await page.getByLabel('360Giving file').setInputFiles({ name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{"grants": [{"id": "360G-1", "title": ') });
    await e.follow(page, () => page.getByRole('button', { name: 'Import' }).click());
    expect(await flash(page)).toBe('The import has started');
    await importEnds(page, 'Import refused');
    expect(await page.getByTestId('rejection').textContent()).toMatch(/cut short|not well-formed/);

    await e.visit(page, '/support/grants/import');
    await page.getByLabel('360Giving file').setInputFiles({ name: 'grants.xlsx', mimeType: 'application/octet-stream', buffer: Buffer.from('{"grants": []}') });
    await e.follow(page, () => page.getByRole('button', { name: 'Import' }).click());
    expect((await errorSummary(page)).errors[0]!.text).toContain('named as a spreadsheet (.xlsx) but holds JSON');

    const sample = await readFile(new URL('../../../docs/samples/360giving-sample.json', import.meta.url));
    await page.getByLabel('360Giving file').setInputFiles({ name: '360giving-sample.json', mimeType: 'application/json', buffer: sample });
    await e.follow(page, () => page.getByRole('button', { name: 'Import' }).click());
    expect(await page.locator('h1').textContent()).toBe('Import waiting to start');
    expect(await page.getByTestId('import-progress').textContent()).toContain('Grants read');
    expect(await page.getByRole('progressbar', { name: 'Import under way' }).count()).toBe(1);
    await importEnds(page, 'Import report');
    expect(await page.getByTestId('import-summary').textContent()).toMatch(/Grants imported\s*12/);

    await e.follow(page, () => page.getByRole('link', { name: 'See who funds our area' }).click());
    expect(await page.getByTestId('funders').textContent()).toContain('Riverside Community Foundation');
    await e.follow(page, () => page.getByTestId('funders').getByRole('link', { name: 'Riverside Community Foundation' }).click());
    expect(await page.getByTestId('grants').textContent()).toContain('Riverside Food Bank');
    await e.follow(page, () => page.getByTestId('grants').getByRole('link', { name: 'Riverside Food Bank' }).first().click());
    expect(await page.getByTestId('organisation-total').textContent()).toMatch(/2 grants/);
    await e.visit(page, '/support/grants/never-funded');
    expect(await page.getByTestId('never-funded').textContent()).toContain('Quiet Corner Club');
  }, E2E_TIMEOUTS.testTimeout);
});
