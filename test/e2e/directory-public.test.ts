import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { errorSummary, flash, startE2E, type E2E } from '../helpers/browser.js';
import { directoryFactories, type DirectoryFactories } from '../helpers/directory-factories.js';

/** The public directory in a browser: search, a service's page, the map, and signposting lists; axe on every page. */

let e: E2E;
let d: DirectoryFactories;
let food: { id: string };
let foodBanks: { id: string };

beforeAll(async () => {
  e = await startE2E();
  d = directoryFactories(e.t.db);
  await d.postcode({ postcode: 'LS1 1UR', latitude: 53.7997, longitude: -1.5492 });
  const taxonomy = await d.taxonomy(e.lio, 'Needs');
  food = await d.term(e.lio, taxonomy.id, { name: 'Food and essentials' });
  foodBanks = await d.term(e.lio, taxonomy.id, { name: 'Food banks', parentId: food.id });
  const money = await d.term(e.lio, taxonomy.id, { name: 'Money and debt' });
  const org = await d.organisation(e.lio, { name: 'Holbeck Community Trust' });
  await d.service(e.lio, {
    organisationId: org.id, name: 'Holbeck Food Bank', description: 'Emergency food parcels and toiletries, with a warm welcome.',
    termIds: [foodBanks.id], deliveryModes: ['in_person', 'phone'],
    locations: [{ name: 'St Matthew’s Hall', latitude: 53.7905, longitude: -1.5601, postcode: 'LS11 9AA', address: '3 Bridge Road', city: 'Leeds' }],
    opening: [{ day: 'MO,WE,FR', opens: '10:00', closes: '14:00' }],
  });
  await d.service(e.lio, {
    organisationId: org.id, name: 'Kirkgate Community Cafe', description: 'A hot meal, pay what you can.', termIds: [food.id], isFree: false,
    costs: [{ option: 'Pay what you can', amount: null }], locations: [{ name: 'Kirkgate', latitude: 53.7965, longitude: -1.5390 }],
  });
  await d.service(e.lio, { name: 'Far Away Food Bank', termIds: [foodBanks.id], locations: [{ latitude: 54.5, longitude: -1.2 }] });
  await d.service(e.lio, { name: 'Leeds Debt Advice', termIds: [money.id], deliveryModes: ['phone', 'online'], locations: [{ latitude: 53.8, longitude: -1.55 }] });
});
afterEach(async () => { await e.endTest(); });
afterAll(async () => { await e?.close(); });

const h1 = async (page: Page) => ((await page.getByRole('heading', { level: 1 }).textContent()) ?? '').trim();
const resultNames = async (page: Page) => (await page.locator('.cg-result__name').allTextContents()).map((s) => s.trim());

async function searchByPostcodeAndCategory(page: Page) {
  await e.visit(page, '/find');
  expect(await h1(page)).toBe('Find local services');
  await page.getByLabel('Category').selectOption({ label: 'Food and essentials' });
  await page.getByLabel('Postcode').fill('ls1 1ur');
  await page.getByLabel('Within').selectOption('3');
  await page.getByLabel('Units').selectOption('miles');
  await e.follow(page, () => page.getByRole('button', { name: 'Search' }).click());
}

describe('finding services', () => {
  it('resident finds a service by postcode and category, adds it to a list and opens the list', async () => {
    const page = await e.newPage();
    await searchByPostcodeAndCategory(page);
    expect(await page.locator('#results').textContent()).toContain('2 services found within 3 miles of LS1 1UR');
    expect(await resultNames(page)).toEqual(['Kirkgate Community Cafe', 'Holbeck Food Bank']);
    // Printed, the results stand alone: no search form, no map, no buttons to add to a list.
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('.cg-result__name').first().isVisible()).toBe(true);
    expect(await page.getByLabel('Postcode').isVisible()).toBe(false);
    expect(await page.getByRole('button', { name: 'Add Holbeck Food Bank to my list' }).isVisible()).toBe(false);
    await page.emulateMedia({ media: 'screen' });
    // With JavaScript the results are also drawn on a map (no tiles configured: numbered markers on a drawing).
    const map = page.locator('[data-find-map]');
    await expect.poll(() => map.isVisible()).toBe(true);
    expect(await map.locator('svg a').count()).toBe(2);
    // the markers say what the numbered list says, and lead to the same pages
    const labels = await map.locator('svg a').evaluateAll((links) => links.map((a) => `${a.getAttribute('aria-label')} → ${a.getAttribute('href')?.split('?')[0]}`));
    const listed = await page.locator('.cg-result__name a').evaluateAll((links) => links.map((a, i) => `${i + 1}. ${a.textContent?.trim()} → ${a.getAttribute('href')?.split('?')[0]}`));
    expect(labels.sort()).toEqual(listed.sort());
    // With no streets to read, the drawing names the places, the postcode searched from, and gives a scale.
    const words = await map.locator('svg .cg-map__label').allTextContents();
    expect(words).toEqual(expect.arrayContaining(['LS1 1UR', 'Kirkgate', 'St Matthew’s Hall']));
    expect(words.filter((w) => /^[0-9.]+ miles?$/.test(w))).toHaveLength(1);
    await e.checkAccessibility(page);

    await e.follow(page, () => page.locator('.cg-results').getByRole('link', { name: 'Holbeck Food Bank', exact: true }).click());
    expect(await h1(page)).toBe('Holbeck Food Bank');
    const main = (await page.locator('main').textContent())!.replace(/\s+/g, ' ');
    expect(main).toContain('Holbeck Community Trust');
    expect(main).toContain('3 Bridge Road');
    expect(await page.getByRole('button', { name: 'Print this page' }).isVisible()).toBe(true);
    await e.follow(page, () => page.getByRole('button', { name: 'Add Holbeck Food Bank to my list' }).click());
    expect(await flash(page)).toBe('Holbeck Food Bank is on your list');

    await e.follow(page, () => page.getByRole('link', { name: 'View your list of services' }).click());
    expect(await h1(page)).toBe('Your list of local services');
    expect(await page.locator('.cg-list-item h2').allTextContents()).toEqual(['1. Holbeck Food Bank']);
    const shareLink = await page.getByLabel('Link to this list').inputValue();
    expect(shareLink).toBe(page.url());
    // Printed, the list keeps its services and the address to find it online, and leaves out the forms and links around it.
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('.cg-list-item h2').isVisible()).toBe(true);
    expect(await page.getByText(`See this list online at ${shareLink}`).isVisible()).toBe(true);
    expect(await page.getByLabel('Email this list').isVisible()).toBe(false);
    expect(await page.getByRole('button', { name: 'Remove Holbeck Food Bank from the list' }).isVisible()).toBe(false);
    await page.emulateMedia({ media: 'screen' });
    expect(await page.getByText(`See this list online at ${shareLink}`).isVisible()).toBe(false);
    expect(await page.getByLabel('Email this list').isVisible()).toBe(true);

    await page.getByLabel('Email this list').fill('resident@example.org');
    await e.follow(page, () => page.getByRole('button', { name: 'Send the list' }).click());
    expect(await flash(page)).toBe('The list was sent to resident@example.org');

    // Back to the results: the service shows as on the list.
    await e.visit(page, `/find?category=${food.id}&postcode=LS1+1UR&distance=3&unit=miles`);
    expect(await page.locator('.cg-list-link').textContent()).toContain('Your list (1 service)');
  });

  it('works without JavaScript: the list of results, forms to add, the list page and every message', async () => {
    const page = await e.newPage({ javaScriptEnabled: false });
    await searchByPostcodeAndCategory(page);
    expect(await resultNames(page)).toEqual(['Kirkgate Community Cafe', 'Holbeck Food Bank']);
    expect(await page.locator('[data-find-map]').isVisible()).toBe(false);
    expect(await page.getByRole('button', { name: 'Print this page' }).count()).toBe(0);

    await e.follow(page, () => page.getByRole('button', { name: 'Add Kirkgate Community Cafe to my list' }).click());
    expect(await flash(page)).toBe('Kirkgate Community Cafe is on your list');
    expect(new URL(page.url()).pathname).toBe('/find');
    await e.follow(page, () => page.getByRole('button', { name: 'Add Holbeck Food Bank to my list' }).click());
    await e.follow(page, () => page.getByRole('link', { name: /^Your list \(2 services\)/ }).click());
    expect(await page.locator('.cg-list-item h2').allTextContents()).toEqual(['1. Kirkgate Community Cafe', '2. Holbeck Food Bank']);
    await e.follow(page, () => page.getByRole('button', { name: 'Remove Kirkgate Community Cafe from the list' }).click());
    expect(await flash(page)).toBe('The service was taken off the list');
    expect(await page.locator('.cg-list-item h2').allTextContents()).toEqual(['1. Holbeck Food Bank']);

    await page.getByLabel('Email this list').fill('not-an-email');
    await e.follow(page, () => page.getByRole('button', { name: 'Send the list' }).click());
    expect((await errorSummary(page)).errors).toEqual([{ text: 'Enter an email address in the correct format, like name@example.org', href: '#email' }]);

    await e.follow(page, () => page.getByRole('link', { name: 'More about Holbeck Food Bank' }).click());
    expect(await h1(page)).toBe('Holbeck Food Bank');
    expect(await page.locator('table.cg-week').textContent()).toContain('10am to 2pm');

    // The search form's messages.
    await e.visit(page, '/find');
    await page.getByLabel('Postcode').fill('LS1');
    await e.follow(page, () => page.getByRole('button', { name: 'Search' }).click());
    expect((await errorSummary(page)).errors).toEqual([{ text: 'Enter a real postcode, like LS1 1UR', href: '#postcode' }]);
    await page.getByLabel('Postcode').fill('LS99 9ZZ');
    await e.follow(page, () => page.getByRole('button', { name: 'Search' }).click());
    expect((await errorSummary(page)).errors[0]!.text).toContain('We could not find the postcode LS99 9ZZ');

    // More filters, inside a details element that opens without JavaScript.
    await e.visit(page, '/find?q=debt');
    await page.locator('summary', { hasText: 'More filters' }).click();
    await page.getByLabel('Online').check();
    await page.getByLabel('Free of charge').check();
    await page.getByLabel('Age of the person who needs help').fill('30');
    await e.follow(page, () => page.getByRole('button', { name: 'Search' }).click());
    expect(await resultNames(page)).toEqual(['Leeds Debt Advice']);
    await e.visit(page, '/find?category=' + foodBanks.id);
    expect(await resultNames(page)).toEqual(['Far Away Food Bank', 'Holbeck Food Bank']);

    // A page past the last one (an old link, a hand-made address) says so and leads back.
    await e.visit(page, '/find?category=' + foodBanks.id + '&page=999');
    expect(await resultNames(page)).toEqual([]);
    await e.follow(page, () => page.getByRole('link', { name: 'Go back to the last page of results' }).click());
    expect(await resultNames(page)).toEqual(['Far Away Food Bank', 'Holbeck Food Bank']);
  });

  it('visits the list pages: none yet, a code read out, a wrong code, and a member of staff’s list for a caller', async () => {
    const page = await e.newPage();
    await e.visit(page, '/find/list');
    expect(await h1(page)).toBe('Your list of services');
    await page.getByLabel('List code').fill('not a code');
    await e.follow(page, () => page.getByRole('button', { name: 'Open the list' }).click());
    expect((await errorSummary(page)).errors[0]!.href).toBe('#code');
    expect((await e.visit(page, '/find/list/abcdefghjkmn'))!.status()).toBe(404);
    expect((await e.visit(page, '/find/services/00000000-0000-0000-0000-000000000000'))!.status()).toBe(404);

    const adviser = await e.t.make.user(e.lio, { role: 'staff', permissionSets: ['helpline'], name: 'Hana Helpline' });
    await e.signIn(page, adviser);
    await e.visit(page, '/find/list');
    await page.getByLabel('Name of the list').fill('Caller on Monday');
    await e.follow(page, () => page.getByRole('button', { name: 'Start the list' }).click());
    expect(await h1(page)).toBe('Caller on Monday');
    const code = (await page.locator('.cg-code').textContent())!.trim();
    await e.visit(page, '/find?q=cafe');
    await e.follow(page, () => page.getByRole('button', { name: 'Add Kirkgate Community Cafe to my list' }).click());
    await e.visit(page, '/find/list');
    expect(await page.getByRole('row').filter({ hasText: 'Caller on Monday' }).textContent()).toContain(code);

    // The caller opens the list from the code read out to them, in their own browser, and may not change it.
    const caller = await e.newPage();
    await e.visit(caller, '/find/list');
    await caller.getByLabel('List code').fill(code.toUpperCase());
    await e.follow(caller, () => caller.getByRole('button', { name: 'Open the list' }).click());
    expect(await h1(caller)).toBe('Caller on Monday');
    expect(await caller.locator('.cg-list-item h2').allTextContents()).toEqual(['1. Kirkgate Community Cafe']);
    expect(await caller.getByRole('button', { name: /Remove/ }).count()).toBe(0);
  });
});
