import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startE2E, type E2E } from '../helpers/browser.js';
import { directoryFactories } from '../helpers/directory-factories.js';

/**
 * What a first visit to each public page costs to download: the page and everything it fetches (stylesheets,
 * scripts, icon), headers included, as the browser counted the bytes off the wire. People find services on
 * phones with little data; each page stays at or under 60 kB.
 */

const BUDGET = 60_000;
let e: E2E;
let serviceId: string;

beforeAll(async () => {
  e = await startE2E();
  const d = directoryFactories(e.t.db);
  await d.postcode({ postcode: 'LS6 1AA', latitude: 53.82, longitude: -1.57 });
  const taxonomy = await d.taxonomy(e.lio, 'Needs');
  const food = await d.term(e.lio, taxonomy.id, { name: 'Food and essentials' });
  const org = await d.organisation(e.lio, { name: 'Headingley Neighbours' });
  const services = [];
  for (const [i, name] of ['Pantry', 'Lunch Club', 'Fruit and Veg Stall', 'Community Fridge', 'Breakfast Club'].entries()) {
    services.push(await d.service(e.lio, {
      organisationId: org.id, name: `Headingley ${name}`, termIds: [food.id], deliveryModes: ['in_person'],
      description: 'Food for anyone who needs it, with no referral and no questions asked. Come along and say hello.',
      locations: [{ name: 'St Michael’s Church Hall', latitude: 53.82 + i / 200, longitude: -1.57 - i / 200, postcode: 'LS6 3AW', address: 'St Michael’s Road', city: 'Leeds' }],
      opening: [{ day: 'TU,TH', opens: '10:00', closes: '13:00' }],
    }));
  }
  serviceId = services[0]!.id;
});
afterEach(async () => { await e.endTest(); });
afterAll(async () => { await e?.close(); });

/** Loads a page in a browser with nothing kept from before, and adds up the bytes of every response it took. */
async function transferred(path: string): Promise<number> {
  const page = await e.newPage();
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  const inFlight = new Set<string>();
  let bytes = 0;
  cdp.on('Network.requestWillBeSent', (event) => { inFlight.add(event.requestId); });
  // encodedDataLength: what came over the network for the request, headers and (compressed) body.
  cdp.on('Network.loadingFinished', (event) => { bytes += event.encodedDataLength; inFlight.delete(event.requestId); });
  cdp.on('Network.loadingFailed', (event) => { inFlight.delete(event.requestId); });
  const response = await e.visit(page, path);
  expect(response?.status(), path).toBe(200);
  // Module scripts and the icon may still be arriving after the load event.
  await expect.poll(() => inFlight.size).toBe(0);
  await cdp.detach();
  return bytes;
}

describe('public pages', () => {
  it(`each weigh at most ${BUDGET / 1000} kB on a first visit, with all they fetch`, async () => {
    const paths = [
      '/', '/find', '/find?postcode=LS6+1AA&distance=5&unit=miles', `/find/services/${serviceId}`, '/find/list',
      '/accessibility', '/privacy', '/api/reference', '/sign-in', '/forgot-password',
    ];
    const weights: { path: string; bytes: number }[] = [];
    for (const path of paths) weights.push({ path, bytes: await transferred(path) });
    const sorted = weights.map((w) => w.bytes).sort((a, b) => a - b);
    const median = (sorted[(sorted.length - 1) >> 1]! + sorted[sorted.length >> 1]!) / 2;
    console.log(`Public pages on a first visit (bytes transferred, headers included):\n${weights.map((w) => `  ${w.path}: ${w.bytes}`).join('\n')}\n  median: ${median}`);
    expect(weights.filter((w) => w.bytes > BUDGET)).toEqual([]);
    // The count takes in the stylesheet and scripts, not the page alone: the stylesheet is over 10 kB compressed.
    expect(weights.every((w) => w.bytes > 10_000)).toBe(true);
  });
});
