import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { errorSummary, flash, startE2E, type E2E } from '../helpers/browser.js';
import { directoryFactories, type DirectoryFactories } from '../helpers/directory-factories.js';
import { ensureDefaultTaxonomy } from '../../src/directory/taxonomy/default-taxonomy.js';

let e: E2E;
let d: DirectoryFactories;
beforeAll(async () => { e = await startE2E(); d = directoryFactories(e.t.db); });
afterEach(async () => { await e.endTest(); });
afterAll(async () => { await e?.close(); });

const h1 = async (page: Page) => ((await page.getByRole('heading', { level: 1 }).textContent()) ?? '').trim();
const path = (page: Page) => new URL(page.url()).pathname;

describe('services, staff side, in the browser', () => {
  it('an adviser adds a service, fixes a mistake, changes how it is delivered, and sees it counted', async () => {
    await e.t.db.withTenant(e.lio.id, (tx) => ensureDefaultTaxonomy(tx, e.lio.id));
    const org = await d.organisation(e.lio, { name: 'Riverside Mind' });
    await d.service(e.lio, { organisationId: org.id, name: 'Wellbeing café', deliveryModes: ['in_person'], locations: [{ name: 'Wellbeing Centre', latitude: 53.04, longitude: -1.48, postcode: 'RV1 2GH' }] });
    await d.postcode({ postcode: 'RV1 1AB', latitude: 53.0461, longitude: -1.4808 });
    const adviser = await e.t.make.user(e.lio, { role: 'staff', permissionSets: ['adviser'], name: 'Ben Okafor' });

    const page = await e.newPage();
    await e.signIn(page, adviser);
    await e.openFromMenu(page, 'Directory', 'Services');
    expect(await h1(page)).toBe('Services');
    await page.getByLabel('Name or organisation').fill('wellbeing');
    await e.follow(page, () => page.getByRole('button', { name: 'Search services' }).click());
    expect(await page.getByTestId('services-table').getByRole('link').allTextContents()).toEqual(['Wellbeing café']);

    await e.follow(page, () => page.getByRole('button', { name: 'Add a service' }).click());
    expect(await h1(page)).toBe('Add a service');
    await e.follow(page, () => page.getByRole('button', { name: 'Continue' }).click());
    expect((await errorSummary(page)).errors).toEqual([{ text: 'Choose the organisation that runs the service', href: '#organisationId' }]);
    await page.getByLabel('Which organisation runs the service?').selectOption({ label: 'Riverside Mind' });
    await e.follow(page, () => page.getByRole('button', { name: 'Continue' }).click());

    await page.getByLabel('Name of the service').fill('Men’s mental health group');
    await page.getByLabel('Description').fill('A peer support group for men, meeting weekly.');
    await page.getByRole('group', { name: 'How is it delivered?' }).getByLabel('In person').check();
    await page.getByLabel('Wellbeing Centre', { exact: true }).check();
    await page.getByLabel('Accessibility at Wellbeing Centre').fill('Step-free ground floor');
    await page.getByLabel('From age').fill('18');
    await page.getByLabel('Languages spoken (optional)').fill('English, Polish');
    await page.getByRole('group', { name: 'Health and wellbeing' }).getByLabel('Mental health').check();
    await page.getByLabel('Day of opening time 1').selectOption('TH');
    await page.getByLabel('Opens (opening time 1)').fill('19:00');
    await page.getByLabel('Closes (opening time 1)').fill('6pm'); // a mistake: before it opens
    await page.getByRole('group', { name: 'Is it free of charge?' }).getByLabel('Yes').check();
    await e.follow(page, () => page.getByRole('button', { name: 'Save service' }).click());
    expect((await errorSummary(page)).errors).toEqual([{ text: 'Opening time 1 must close after it opens', href: '#openingCloses-1' }]);
    expect(await page.getByLabel('Name of the service').inputValue()).toBe('Men’s mental health group');
    await page.getByLabel('Closes (opening time 1)').fill('9pm');
    await e.follow(page, () => page.getByRole('button', { name: 'Save service' }).click());
    expect(await flash(page)).toBe('Men’s mental health group added');
    expect(await h1(page)).toBe('Men’s mental health group');
    expect(await page.getByTestId('opening-times').textContent()).toContain('Thursdays, 19:00 to 21:00');
    expect(await page.getByTestId('service-terms').textContent()).toContain('Mental health');

    await e.follow(page, () => page.getByRole('button', { name: 'Change this service' }).click());
    await page.getByRole('group', { name: 'How is it delivered?' }).getByLabel('Online').check();
    await e.follow(page, () => page.getByRole('button', { name: 'Save service' }).click());
    expect(await flash(page)).toBe('Men’s mental health group saved');
    expect(await page.getByTestId('delivery-history').getByRole('row').count()).toBe(2); // header and one day: added and changed today

    await e.visit(page, '/directory/changes');
    expect(await h1(page)).toBe('How services have changed');
    expect((await page.getByTestId('count-remaking').textContent())?.trim()).toBe('2');
    expect(await page.getByTestId('list-remaking').getByRole('link').allTextContents()).toContain('Men’s mental health group');
    await page.locator('#from').evaluate((el: HTMLInputElement) => { el.type = 'text'; el.value = '31/2/2026'; });
    await e.follow(page, () => page.getByRole('button', { name: 'Show changes' }).click());
    expect((await errorSummary(page)).errors).toEqual([{ text: 'Enter the start of the period as a real date, like 1/4/2025', href: '#from' }]);
    const csv = await page.context().request.get('/directory/changes.csv');
    expect(csv.status()).toBe(200);
    expect(await csv.text()).toContain('Remaking,');
  }, 300_000);

  it('the service form works without JavaScript, every venue note shown', async () => {
    const org = await d.organisation(e.lio, { name: 'Canalside Men’s Shed' });
    await d.service(e.lio, { organisationId: org.id, name: 'Shed sessions', locations: [{ name: 'Canal Wharf Workshops', latitude: 53.03, longitude: -1.47 }] });
    const adviser = await e.t.make.user(e.lio, { role: 'staff', permissionSets: ['adviser'] });
    const page = await e.newPage({ javaScriptEnabled: false });
    await e.signIn(page, adviser);
    await e.visit(page, `/services/new?organisationId=${org.id}`);
    expect(await page.getByLabel('Accessibility at Canal Wharf Workshops').isVisible()).toBe(true);
    await e.follow(page, () => page.getByRole('button', { name: 'Save service' }).click());
    expect(path(page)).toBe('/services');
    expect((await errorSummary(page)).errors.map((x) => x.href)).toEqual(['#name', '#description', '#deliveryModes']);
  });
});

describe('the taxonomy, admin side, in the browser', () => {
  it('an admin installs the default taxonomy, adds and renames terms, and imports another taxonomy', async () => {
    // This journey starts from an LIO with no taxonomy.
    const admin = await e.t.make.user(e.lio, { role: 'admin', name: 'Asha Patel' });
    await e.t.db.withTenant(e.lio.id, async (tx) => {
      await tx.deleteFrom('attributes').execute();
      await tx.deleteFrom('taxonomy_terms').execute();
      await tx.deleteFrom('taxonomies').execute();
    });
    const page = await e.newPage();
    await e.signIn(page, admin);
    await e.openFromMenu(page, 'Admin', 'Taxonomy');
    expect(await h1(page)).toBe('Taxonomy');
    await e.follow(page, () => page.getByRole('button', { name: 'Install the default taxonomy' }).click());
    expect(await flash(page)).toBe('The default taxonomy is installed');
    expect(await page.getByTestId('term-tree').locator('strong', { hasText: /^Food banks and pantries$/ }).count()).toBe(1);

    await e.follow(page, () => page.getByRole('link', { name: 'Add a term under Food and essentials' }).click());
    expect(await h1(page)).toBe('Add a term');
    await page.getByLabel('Name').fill('School uniform exchange');
    await page.getByLabel('Code').fill('food.food-bank');
    await e.follow(page, () => page.getByRole('button', { name: 'Save term' }).click());
    expect((await errorSummary(page)).errors).toEqual([{ text: 'Another term in Community needs and services already has the code food.food-bank', href: '#code' }]);
    await page.getByLabel('Code').fill('food.uniform');
    await e.follow(page, () => page.getByRole('button', { name: 'Save term' }).click());
    expect(await flash(page)).toBe('School uniform exchange added');

    await e.follow(page, () => page.getByRole('link', { name: 'Change School uniform exchange' }).click());
    await page.getByLabel('Name').fill('School uniform swaps');
    await e.follow(page, () => page.getByRole('button', { name: 'Save term' }).click());
    expect(await flash(page)).toBe('School uniform swaps saved');

    await e.follow(page, () => page.getByRole('button', { name: 'Import a taxonomy' }).click());
    expect(await h1(page)).toBe('Import a taxonomy');
    await page.getByLabel('Or paste the JSON').fill(JSON.stringify({ name: 'Local needs', description: '', taxonomy_terms: [{ id: 'a', name: '' }] }));
    await e.follow(page, () => page.getByRole('button', { name: 'Import taxonomy' }).click());
    expect((await errorSummary(page)).errors).toEqual([{ text: 'Term 1 (a): name is missing: every term needs a name', href: '#json' }]);
    await page.getByLabel('Or paste the JSON').fill('');
    await page.getByLabel('Choose a JSON file').setInputFiles({
      name: 'local-needs.json', mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify({ name: 'Local needs', description: 'Our own', taxonomy_terms: [{ id: 'a', name: 'Advice', description: '' }, { id: 'b', name: 'Debt', description: '', parent_id: 'a' }] })),
    });
    await e.follow(page, () => page.getByRole('button', { name: 'Import taxonomy' }).click());
    expect(await flash(page)).toBe('Local needs added: 2 terms added, 0 updated');
    expect(await page.getByTestId('taxonomy-name').textContent()).toBe('Local needs');
    await e.follow(page, () => page.getByRole('link', { name: 'Community needs and services' }).click());
    expect(await page.getByTestId('term-tree').locator('strong', { hasText: /^School uniform swaps$/ }).count()).toBe(1);

    // A term with terms under it cannot be deleted: the page says why and offers no button.
    await e.follow(page, () => page.getByRole('link', { name: 'Delete Food and essentials', exact: true }).click());
    expect(await h1(page)).toBe('Delete Food and essentials');
    expect(await page.getByTestId('in-use').textContent()).toContain('Food and essentials cannot be deleted.');
    expect(await page.getByTestId('child-terms').getByRole('link', { name: 'School uniform swaps' }).count()).toBe(1);
    expect(await page.getByRole('button', { name: /^Delete/ }).count()).toBe(0);
    // An unused term asks first, then goes.
    await e.follow(page, () => page.locator('main').getByRole('link', { name: 'Back to the taxonomy' }).click());
    await e.follow(page, () => page.getByRole('link', { name: 'Delete School uniform swaps', exact: true }).click());
    expect(await h1(page)).toBe('Delete School uniform swaps');
    expect(await page.locator('.govuk-warning-text').textContent()).toContain('cannot be undone');
    await e.follow(page, () => page.getByRole('button', { name: 'Delete School uniform swaps' }).click());
    expect(await flash(page)).toBe('School uniform swaps deleted');
    expect(await page.getByTestId('term-tree').locator('strong', { hasText: /^School uniform swaps$/ }).count()).toBe(0);
  }, 300_000);
});
