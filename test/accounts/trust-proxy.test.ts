import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as cheerio from 'cheerio';
import { ConfigError, loadConfig } from '../../src/platform/config.js';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { errorSummary } from '../helpers/client.js';

/**
 * Behind a reverse proxy the client's address is the one the proxy adds to X-Forwarded-For, at the right of the
 * header; anything to its left the client wrote itself. TRUST_PROXY says how many proxies (or which) to believe, so
 * a client cannot pick the address that the rate limits and the sign-in throttle count.
 */
describe('TRUST_PROXY', () => {
  it('takes false (the default), a number of proxies, or their addresses and networks', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'false' }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.2,10.1.0.0/16,fd00::/8' }).trustProxy).toEqual(['10.0.0.2', '10.1.0.0/16', 'fd00::/8']);
  });

  it('refuses at start true (every hop) and anything that is not a count or an address, saying what it takes', () => {
    for (const value of ['true', 'yes', '0', '10.0.0.300', '10.0.0.0/40', 'proxy.internal', '1,2']) {
      let error: unknown;
      try {
        loadConfig({ TRUST_PROXY: value });
      } catch (err) {
        error = err;
      }
      expect(error, value).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(/^\s*TRUST_PROXY: must be false, the number of reverse proxies .* or their addresses and networks/m);
    }
  });
});

const PROXY = '10.0.0.2';

/** A sign-in form sent through the proxy by a client at `client`, who wrote `forged` at the left of X-Forwarded-For. */
async function signInThroughProxy(t: TestContext, host: string, via: { client: string; forged: string; socket?: string }, email: string, password: string) {
  const headers = { host, 'x-forwarded-for': `${via.forged}, ${via.client}` };
  const remoteAddress = via.socket ?? PROXY;
  const form = await t.app.inject({ method: 'GET', url: '/sign-in', remoteAddress, headers });
  const csrf = cheerio.load(form.body)('input[name="_csrf"]').val() as string;
  const cookie = form.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
  const response = await t.app.inject({
    method: 'POST', url: '/sign-in', remoteAddress, headers: { ...headers, cookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ email, password, _csrf: csrf }).toString(),
  });
  const page = { status: response.statusCode, headers: response.headers, body: response.body, $: cheerio.load(response.body) };
  return { status: page.status, problem: errorSummary(page)[0]?.text ?? '' };
}

describe.each([
  ['a count of proxies', { TRUST_PROXY: '1' }, false],
  ['the proxy\'s address', { TRUST_PROXY: PROXY }, true],
  ['the proxy\'s network', { TRUST_PROXY: '10.0.0.0/24' }, true],
])('behind one proxy named by %s, a forged X-Forwarded-For', (_name, env, knowsTheProxy) => {
  let limited: TestContext;
  let throttled: TestContext;
  beforeAll(async () => {
    limited = await createTestApp({ env, config: { signInRateLimit: 3 } });
    throttled = await createTestApp({ env, config: { signInThrottle: { windowMinutes: 60, perAddress: 50, perAccountFromAddress: 3, maxDelayMinutes: 15, perAccount: 100 } } });
  });
  afterAll(async () => {
    await limited?.close();
    await throttled?.close();
  });

  it('does not change the address the sign-in rate limit counts', async () => {
    const lio = await limited.make.lio();
    const user = await limited.make.user(lio);
    for (let i = 0; i < 3; i++) {
      expect((await signInThroughProxy(limited, lio.host, { client: '203.0.113.7', forged: `198.51.100.${i}` }, 'someone@example.org', 'guess')).status).toBe(400);
    }
    expect((await signInThroughProxy(limited, lio.host, { client: '203.0.113.7', forged: '198.51.100.99' }, user.email, user.password)).status).toBe(429);
    // Another person behind the same proxy is counted apart.
    expect((await signInThroughProxy(limited, lio.host, { client: '203.0.113.8', forged: '203.0.113.7' }, user.email, user.password)).status).toBe(303);
  });

  it('does not change the address the sign-in throttle counts', async () => {
    const lio = await throttled.make.lio();
    const owner = await throttled.make.user(lio);
    for (let i = 0; i < 3; i++) {
      expect((await signInThroughProxy(throttled, lio.host, { client: '203.0.113.9', forged: `192.0.2.${i}` }, owner.email, `guess ${i}`)).status).toBe(400);
    }
    const waiting = await signInThroughProxy(throttled, lio.host, { client: '203.0.113.9', forged: '192.0.2.50' }, owner.email, 'one more guess');
    expect(waiting.status).toBe(429);
    expect(waiting.problem).toContain('Too many attempts to sign in. Wait');
  });

  // A count cannot tell the proxy from a client that went round it (the README says so); an address can.
  if (knowsTheProxy) it('is not believed from a client that is not the proxy', async () => {
    const lio = await limited.make.lio();
    const user = await limited.make.user(lio);
    for (let i = 0; i < 3; i++) {
      const sent = await signInThroughProxy(limited, lio.host, { socket: '198.51.100.200', client: `203.0.113.${20 + i}`, forged: `192.0.2.${20 + i}` }, 'someone@example.org', 'guess');
      expect(sent.status).toBe(400);
    }
    expect((await signInThroughProxy(limited, lio.host, { socket: '198.51.100.200', client: '203.0.113.30', forged: '192.0.2.30' }, user.email, user.password)).status).toBe(429);
  });
});
