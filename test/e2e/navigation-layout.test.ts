import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { navigationItems, startE2E, type E2E } from '../helpers/browser.js';
import { capabilities } from '../../src/capabilities.js';
import type { Capability } from '../../src/platform/capability.js';

/**
 * The service navigation once every area of the product exists: the areas still to be built are declared here, each
 * with one page, so the layout is tested at its fullest rather than with today's six (Support for groups is built).
 */
const COMING_AREAS = [
  { id: 'community-response', title: 'Community response', order: 30 },
  { id: 'partnerships', title: 'Partnerships', order: 50 },
  { id: 'insight', title: 'Insight', order: 60 },
];
const comingAreas: Capability = {
  name: 'coming-areas',
  navigation: { areas: COMING_AREAS, pages: COMING_AREAS.map((a) => ({ area: a.id, href: `/${a.id}`, text: a.title })) },
};

let e: E2E;
beforeAll(async () => { e = await startE2E({ capabilities: [...capabilities(), comingAreas] }); });
afterEach(async () => { await e.endTest(); });
afterAll(async () => { await e?.close(); });

/** The top of each item of the service navigation: one value when they sit on one line. */
const itemTops = (page: Page) => page.locator('.govuk-service-navigation__item').evaluateAll((items) => items.map((i) => (i as HTMLElement).offsetTop));
const sidewaysScroll = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth);

describe('the navigation with every area', () => {
  it('keeps Home and all eight areas on one line at 1024 px, and never scrolls sideways at 320 px', async () => {
    const admin = await e.t.make.user(e.lio, { role: 'admin', name: 'Morgan Manager-Longname' });
    const page = await e.newPage();
    await page.setViewportSize({ width: 1024, height: 768 });
    await e.signIn(page, admin);
    expect(await navigationItems(page)).toEqual(['Home', 'Directory', 'Volunteering', 'Community response', 'Support for groups', 'Partnerships', 'Insight', 'People', 'Admin']);

    for (const path of ['/', '/admin/audit', '/admin/front-door']) {
      await e.visit(page, path);
      await page.setViewportSize({ width: 1024, height: 768 });
      const tops = await itemTops(page);
      expect(tops, path).toHaveLength(9);
      expect(new Set(tops).size, `${path}: item tops at 1024 px ${tops.join(', ')}`).toBe(1);
      await page.setViewportSize({ width: 320, height: 640 });
      expect(await sidewaysScroll(page), `${path} at 320 px`).toBeLessThanOrEqual(320);
    }
    // On a phone the menu opens from its button and lists every area.
    await e.visit(page, '/');
    const nav = page.getByRole('navigation', { name: 'Main menu' });
    await nav.getByRole('button', { name: 'Menu' }).click();
    expect(await nav.getByRole('link', { name: 'Support for groups' }).isVisible()).toBe(true);
    expect(await sidewaysScroll(page)).toBeLessThanOrEqual(320);
    await e.checkAccessibility(page);
  });

  it('shows a visitor the front door without sideways scroll at 320 px', async () => {
    const page = await e.newPage();
    await page.setViewportSize({ width: 320, height: 640 });
    await e.visit(page, '/');
    expect(await sidewaysScroll(page)).toBeLessThanOrEqual(320);
    await page.setViewportSize({ width: 1024, height: 768 });
    expect(new Set(await itemTops(page)).size).toBe(1);
  });
});
