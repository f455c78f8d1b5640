import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startE2E, type E2E } from '../helpers/browser.js';
import { directoryFactories } from '../helpers/directory-factories.js';

/**
 * The results map where the LIO set a tile server (MAP_TILE_URL): tiles under the numbered markers, from that
 * server alone. (Without one, the drawing with names and a scale is in directory-public.test.ts.) The tile server
 * is answered by the browser test itself, so nothing leaves the machine.
 */

const TILES = 'https://tiles.example.org/{z}/{x}/{y}.png';
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');
let e: E2E;

beforeAll(async () => {
  e = await startE2E({ env: { MAP_TILE_URL: TILES } });
  const d = directoryFactories(e.t.db);
  await d.postcode({ postcode: 'LS1 1UR', latitude: 53.7997, longitude: -1.5492 });
  await d.service(e.lio, { name: 'Holbeck Food Bank', locations: [{ name: 'St Matthew’s Hall', latitude: 53.7905, longitude: -1.5601 }] });
  await d.service(e.lio, { name: 'Kirkgate Food Bank', locations: [{ name: 'Kirkgate', latitude: 53.7965, longitude: -1.5390 }] });
});
afterEach(async () => { await e.endTest(); });
afterAll(async () => { await e?.close(); });

describe('the results map with a tile server', () => {
  it('lays the numbered markers over tiles from that server, credits it, and draws no plain map', async () => {
    const page = await e.newPage();
    const asked: string[] = [];
    await page.route('https://tiles.example.org/**', async (route) => {
      asked.push(new URL(route.request().url()).pathname);
      await route.fulfill({ status: 200, contentType: 'image/png', body: PNG });
    });
    await e.visit(page, '/find?q=food+bank&postcode=LS1+1UR&distance=3&unit=miles');
    const map = page.locator('[data-find-map]');
    await expect.poll(() => map.isVisible()).toBe(true);
    await expect.poll(() => asked.length).toBeGreaterThan(0);
    expect(asked.every((p) => /^\/\d+\/\d+\/\d+\.png$/.test(p))).toBe(true);
    expect(await map.locator('.cg-map__tiles img').count()).toBe(asked.length);
    expect((await map.locator('a.cg-map__marker').evaluateAll((links) => links.map((a) => a.getAttribute('aria-label')))).sort())
      .toEqual(['1. Kirkgate Food Bank', '2. Holbeck Food Bank']);
    expect(await map.locator('.cg-map__credit').textContent()).toBe('Map tiles: tiles.example.org');
    expect(await map.locator('svg').count()).toBe(0);
    await e.checkAccessibility(page);
  });
});
