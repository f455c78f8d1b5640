import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { SESSION_COOKIE } from './support.js';

describe('rate limit on signing in', () => {
  let t: TestContext;
  beforeAll(async () => { t = await createTestApp({ config: { signInRateLimit: 3 } }); });
  afterAll(async () => { await t.close(); });

  it('answers a fourth sign-in attempt within the minute with the 429 page, even with the right password', async () => {
    const lio = await t.make.lio();
    const user = await t.make.user(lio);
    const client = new Client(t.app, lio.host, '192.0.2.10');
    for (let i = 0; i < 3; i++) {
      const page = await client.submit('/sign-in', '/sign-in', { email: 'someone@example.org', password: `guess ${i}` });
      expect(page.status).toBe(400);
    }
    const limited = await client.submit('/sign-in', '/sign-in', { email: user.email, password: user.password });
    expect(limited.status).toBe(429);
    expect(limited.headers['content-type']).toMatch(/^text\/html/);
    expect(limited.$('h1').text()).toContain('Too many attempts');
    expect(limited.$('main').text()).toContain('Wait a minute, then try again');
    expect(limited.headers['retry-after']).toBeDefined();
    expect(client.hasCookie(SESSION_COOKIE)).toBe(false);

    // Another address is not held back by this one's attempts.
    const elsewhere = new Client(t.app, lio.host, '192.0.2.20');
    expect((await elsewhere.submit('/sign-in', '/sign-in', { email: user.email, password: user.password })).status).toBe(303);
  });

  it('limits requests for password reset links the same way', async () => {
    const lio = await t.make.lio();
    const client = new Client(t.app, lio.host, '192.0.2.30');
    for (let i = 0; i < 3; i++) {
      expect((await client.submit('/forgot-password', '/forgot-password', { email: `person${i}@example.org` })).status).toBe(200);
    }
    const limited = await client.submit('/forgot-password', '/forgot-password', { email: 'person9@example.org' });
    expect(limited.status).toBe(429);
    expect(limited.$('h1').text()).toContain('Too many attempts');
  });
});
