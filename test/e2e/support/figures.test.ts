import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import type { Page } from 'playwright-core';
import { E2E_TIMEOUTS, errorSummary, flash, startE2E, type E2E } from '../../helpers/browser.js';
import { directoryFactories } from '../../helpers/directory-factories.js';
import { supportFiguresFactories } from '../../helpers/support-figures-factories.js';
import { londonDay } from '../../../src/platform/validation/dates.js';
import { quarterOf } from '../../../src/support/figures/service.js';

let e: E2E;
beforeAll(async () => { e = await startE2E(); }, E2E_TIMEOUTS.hookTimeout);
afterEach(async () => { await e.endTest(); });
afterAll(async () => { await e?.close(); });

const boxes = async (page: Page, legend: string, day: string) => {
  const [y, m, d] = day.split('-');
  const group = page.getByRole('group', { name: legend });
  await group.getByLabel('Day').fill(String(Number(d)));
  await group.getByLabel('Month').fill(String(Number(m)));
  await group.getByLabel('Year').fill(y!);
};
const ukDay = (day: string) => day.split('-').reverse().map(Number).join('/');

describe('support figures in the browser', () => {
  it('the admin enters the quarter\'s spend; the figures page shows funding secured, spend and leverage, which moves when an application is awarded; the records and the CSV agree; every page passes axe', async () => {
    const quarter = quarterOf(londonDay(e.t.clock.now()));
    const today = londonDay(e.t.clock.now());
    const f = supportFiguresFactories(e.t.db);
    const pantry = await directoryFactories(e.t.db).organisation(e.lio, { name: 'Brook Street Pantry' });
    const adminUser = await e.t.make.user(e.lio, { role: 'admin', name: 'Asha Patel' });
    const adviserUser = await e.t.make.user(e.lio, { role: 'staff', permissionSets: ['adviser'], name: 'Ben Okafor' });

    // The admin, without JavaScript: the forms work as plain HTML.
    const admin = await e.newPage({ javaScriptEnabled: false });
    await e.signIn(admin, adminUser);
    await e.openFromMenu(admin, 'Support for groups', 'Spend on support');
    await e.follow(admin, () => admin.getByRole('button', { name: 'Add spend' }).click());
    await boxes(admin, 'Start of the period', quarter.to);
    await boxes(admin, 'End of the period (included)', quarter.from);
    await admin.getByLabel('Amount spent on support to groups').fill('£1,2,3');
    await e.follow(admin, () => admin.getByRole('button', { name: 'Save spend' }).click());
    expect((await errorSummary(admin)).errors).toEqual([
      { text: 'The end of the period must be the same as or after its start', href: '#end-day' },
      { text: 'Enter the amount in pounds and pence, like 7,500 or 7500.50', href: '#amount' },
    ]);
    for (const [typed, message] of [['-5', 'The amount must be more than £0'], ['1e9', 'Enter the amount in pounds and pence, like 7,500 or 7500.50']] as const) {
      await admin.getByLabel('Amount spent on support to groups').fill(typed);
      await e.follow(admin, () => admin.getByRole('button', { name: 'Save spend' }).click());
      expect((await errorSummary(admin)).errors).toContainEqual({ text: message, href: '#amount' });
    }
    await boxes(admin, 'Start of the period', quarter.from);
    await boxes(admin, 'End of the period (included)', quarter.to);
    await admin.getByLabel('Amount spent on support to groups').fill('10,000');
    await admin.getByLabel('What it was (optional)').fill('Development workers');
    await e.follow(admin, () => admin.getByRole('button', { name: 'Save spend' }).click());
    expect(await flash(admin)).toBe('Spend added');
    expect(await admin.getByTestId('spend').textContent()).toContain('£10,000.00');

    // An overlapping entry by mistake: marked, then removed after the confirmation page.
    await e.follow(admin, () => admin.getByRole('button', { name: 'Add spend' }).click());
    await boxes(admin, 'Start of the period', quarter.from);
    await boxes(admin, 'End of the period (included)', quarter.from);
    await admin.getByLabel('Amount spent on support to groups').fill('250');
    await e.follow(admin, () => admin.getByRole('button', { name: 'Save spend' }).click());
    expect(await flash(admin)).toContain('Its period overlaps another entry');
    const mistaken = admin.getByTestId('spend').locator('tbody tr').filter({ hasText: '£250.00' });
    expect(await mistaken.textContent()).toContain('Overlaps');
    await e.follow(admin, () => mistaken.getByRole('link', { name: /^Correct/ }).click());
    expect(await admin.locator('.govuk-warning-text').textContent()).toContain('This period overlaps');
    await e.follow(admin, () => admin.getByRole('link', { name: 'Remove this entry' }).click());
    await e.follow(admin, () => admin.getByRole('button', { name: 'Remove this spend' }).click());
    expect(await flash(admin)).toBe('Spend removed');
    expect(await admin.getByTestId('spend').locator('tbody tr').count()).toBe(1);

    // The adviser reads the quarter's figures.
    await f.application(e.lio, { organisationId: pantry.id, funder: 'Riverside Community Foundation', decisionOn: today, awarded: '10000.00' });
    const adviser = await e.newPage();
    await e.signIn(adviser, adviserUser);
    await e.openFromMenu(adviser, 'Support for groups', 'Figures');
    await adviser.getByLabel('From').fill('31/2/2026');
    await adviser.getByLabel('To').fill(ukDay(quarter.to));
    await e.follow(adviser, () => adviser.getByRole('button', { name: 'Show figures' }).click());
    expect((await errorSummary(adviser)).errors).toEqual([{ text: 'Enter the start of the period as a real date, like 1/4/2025', href: '#from' }]);
    await adviser.getByLabel('From').fill(ukDay(quarter.from));
    await e.follow(adviser, () => adviser.getByRole('button', { name: 'Show figures' }).click());
    const leverage = adviser.getByTestId('leverage');
    expect(await leverage.textContent()).toContain('Leverage: £1.00 for every £1');
    expect((await leverage.textContent())!.replace(/\s+/g, ' ')).toContain('with our support, £10,000.00, for £10,000.00 spent on support');

    // Another application is awarded (the casework pages record it): the figure moves on reload.
    const c = await f.supportCase(e.lio, { organisationId: pantry.id, openedOn: quarter.from });
    await f.application(e.lio, { organisationId: pantry.id, caseId: c.id, funder: 'National Lottery Community Fund', decisionOn: today, awarded: '25000.00' });
    await e.follow(adviser, () => adviser.reload());
    expect(await adviser.getByTestId('leverage').textContent()).toContain('Leverage: £3.50 for every £1');
    expect(await adviser.getByTestId('figures-funding').textContent()).toContain('£35,000.00');

    const downloading = adviser.waitForEvent('download');
    await adviser.getByRole('link', { name: 'Download these figures (CSV)' }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toBe(`support-figures-${quarter.from}-to-${quarter.to}.csv`);
    const rows = parse(await readFile((await download.path())!, 'utf8')) as string[][];
    expect(rows).toContainEqual(['Funding and leverage', 'Leverage', '£3.50 for every £1']);
    expect(rows).toContainEqual(['Funding and leverage', 'Funding secured for groups', '£35,000.00']);
    expect(rows).toContainEqual(['Funding and leverage', 'Spent on support to groups (by days in the period)', '£10,000.00']);

    await e.follow(adviser, () => adviser.getByRole('link', { name: 'See the awards and spend behind it' }).click());
    const awards = adviser.getByTestId('awards').locator('tbody tr');
    expect(await awards.count()).toBe(2);
    expect(await adviser.getByTestId('awards').textContent()).toContain('National Lottery Community Fund');
    expect(await awards.filter({ hasText: 'National Lottery' }).getByRole('link').getAttribute('href')).toBe(`/support/cases/${c.id}`);
    expect(await adviser.getByTestId('spend-counted').textContent()).toContain('Development workers');

    // The adviser's home page carries the quarter's leverage, linking to the same records.
    await e.visit(adviser, '/');
    const panel = adviser.locator('[data-panel="support-figures"]');
    expect(await panel.locator('[data-figure="Funding secured this quarter"]').textContent()).toContain('£35,000.00');
  }, E2E_TIMEOUTS.testTimeout);
});
