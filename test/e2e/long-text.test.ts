import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startE2E, type E2E } from '../helpers/browser.js';
import { directoryFactories } from '../helpers/directory-factories.js';

/** Long unbroken words (a pasted link, a run of characters) wrap: no page grows wider than the window. */

let e: E2E;
let serviceId: string;
let organisationId: string;
const WORD = 'Foodbank'.repeat(1_250);

beforeAll(async () => {
  e = await startE2E();
  const d = directoryFactories(e.t.db);
  const org = await d.organisation(e.lio, { name: `Riverside${'Pantry'.repeat(40)}`, description: WORD });
  organisationId = org.id;
  serviceId = (await d.service(e.lio, { organisationId: org.id, name: `Tuesday${'Pantry'.repeat(40)}`, description: WORD, locations: [{ latitude: 53.8, longitude: -1.55 }] })).id;
});
afterEach(async () => { await e.endTest(); });
afterAll(async () => { await e?.close(); });

const overflow = (page: Page) => page.evaluate(() => ({ page: document.documentElement.scrollWidth, window: window.innerWidth }));

describe('a 10,000-character unbroken description', () => {
  it('wraps on the public service page and in the search results', async () => {
    const page = await e.newPage();
    await page.setViewportSize({ width: 1024, height: 800 });
    expect(WORD).toHaveLength(10_000);
    for (const path of [`/find/services/${serviceId}`, '/find?q=tuesday']) {
      await e.visit(page, path);
      await expect.poll(() => page.getByText(WORD.slice(0, 40)).count(), { message: path }).toBeGreaterThan(0);
      const { page: width, window } = await overflow(page);
      expect(width, path).toBeLessThanOrEqual(window);
    }
  });

  it('wraps on the staff pages of the service and its organisation', async () => {
    const page = await e.newPage();
    await page.setViewportSize({ width: 1024, height: 800 });
    await e.signIn(page, await e.t.make.user(e.lio, { role: 'admin' }));
    for (const path of [`/services/${serviceId}`, `/organisations/${organisationId}`, '/services', '/organisations']) {
      await e.visit(page, path);
      const { page: width, window } = await overflow(page);
      expect(width, path).toBeLessThanOrEqual(window);
    }
  });
});
