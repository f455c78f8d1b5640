import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestContext } from './helpers/app.js';
import { Client } from './helpers/client.js';

/** helmet's headers on every response, with a CSP nonce of its own that the page's scripts carry. */

let t: TestContext;
let secure: TestContext;
beforeAll(async () => {
  t = await createTestApp();
  secure = await createTestApp({ env: { BASE_URL: 'https://lio.example.org' } });
});
afterAll(async () => {
  await t.close();
  await secure.close();
});

const nonceOf = (csp: unknown) => /script-src 'self' 'nonce-([0-9a-f]{32})'/.exec(String(csp))?.[1];

describe('security headers', () => {
  it('come with every page, and each page’s scripts carry that response’s own nonce', async () => {
    const lio = await t.make.lio();
    const client = new Client(t.app, lio.host);
    const first = await client.get('/sign-in');
    const second = await client.get('/sign-in');
    for (const page of [first, second]) {
      expect(page.headers['x-content-type-options']).toBe('nosniff');
      expect(page.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(page.headers['referrer-policy']).toBe('no-referrer');
      expect(String(page.headers['content-security-policy'])).toContain("object-src 'none'");
      const nonce = nonceOf(page.headers['content-security-policy']);
      expect(nonce).toBeDefined();
      expect(String(page.headers['content-security-policy'])).toContain(`style-src 'self' 'nonce-${nonce}'`);
      // Every script, from a file or written in the page (GOV.UK Frontend's start), carries the nonce.
      expect(page.$('script').length).toBeGreaterThanOrEqual(2);
      expect(page.$('script').map((_i, el) => page.$(el).attr('nonce')).get()).toEqual(page.$('script').map(() => nonce).get());
    }
    expect(nonceOf(first.headers['content-security-policy'])).not.toBe(nonceOf(second.headers['content-security-policy']));
    expect(first.headers['strict-transport-security']).toBeUndefined();
    expect(String(first.headers['content-security-policy'])).not.toContain('upgrade-insecure-requests');
  });

  it('ask browsers to keep to HTTPS when the service is served over it', async () => {
    const response = await secure.app.inject({ method: 'GET', url: '/healthz' });
    expect(response.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    expect(String(response.headers['content-security-policy'])).toContain('upgrade-insecure-requests');
  });
});
