import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { Client, errorSummary, type Page } from '../helpers/client.js';
import { buildApp } from '../../src/app.js';
import { SESSION_COOKIE, auditEvents } from './support.js';
import { buildTestAppOn } from '../helpers/store.js';

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

describe('rate limits across processes', () => {
  let t: TestContext;
  beforeAll(async () => { t = await createTestApp({ config: { signInRateLimit: 3 } }); });
  afterAll(async () => { await t.close(); });

  it('hold a client to one allowance however many processes of the app serve it, and keep no address', async () => {
    // A second app on the same database stands for a second process of the deployment.
    const second = await buildTestAppOn(t.db, { config: { signInRateLimit: 3 } });
    try {
      const lio = await t.make.lio();
      const clients = [new Client(t.app, lio.host, '198.51.100.7'), new Client(second.app, lio.host, '198.51.100.7')];
      const answers: number[] = [];
      for (let i = 0; i < 4; i++) answers.push((await clients[i % 2]!.submit('/forgot-password', '/forgot-password', { email: `p${i}@example.org` })).status);
      expect(answers).toEqual([200, 200, 200, 429]);
      const kept = await t.db.system.selectFrom('rate_limit_hits').select('key_hash').execute();
      expect(kept.length).toBeGreaterThan(0);
      expect(JSON.stringify(kept)).not.toContain('198.51.100.7');
    } finally {
      await second.app.close();
    }
  });
});

describe('throttling sign-in by address and by account, with no lock-out', () => {
  let t: TestContext;
  // Small numbers so the tests stay quick; the rules are the production ones.
  const limits = { windowMinutes: 60, perAddress: 8, perAccountFromAddress: 3, maxDelayMinutes: 15, perAccount: 6 };
  beforeAll(async () => { t = await createTestApp({ config: { signInThrottle: limits } }); });
  afterAll(async () => { await t.close(); });

  const attempt = (client: Client, email: string, password: string) => client.submit('/sign-in', '/sign-in', { email, password });
  const problem = (page: Page) => errorSummary(page)[0]?.text ?? '';

  it('makes one address wait longer and longer on one account, while the owner signs in from their own address', async () => {
    const lio = await t.make.lio();
    const owner = await t.make.user(lio);
    const stranger = new Client(t.app, lio.host, '198.51.100.66');
    const ownDevice = new Client(t.app, lio.host, '192.0.2.10');

    for (let i = 0; i < limits.perAccountFromAddress; i++) expect((await attempt(stranger, owner.email, `guess ${i}`)).status).toBe(400);
    // Even the right password now waits a minute from this address: the guesses are slowed, not the account locked.
    const waiting = await attempt(stranger, owner.email, owner.password);
    expect(waiting.status).toBe(429);
    expect(problem(waiting)).toBe('Too many attempts to sign in. Wait 1 minute, then try again, or reset your password.');
    expect(waiting.headers['retry-after']).toBe('60');
    expect(stranger.hasCookie(SESSION_COOKIE)).toBe(false);
    expect((await attempt(ownDevice, owner.email, owner.password)).status).toBe(303);
    expect((await ownDevice.submit('/', '/sign-out', {})).status).toBe(303);

    t.clock.advance(61_000);
    expect((await attempt(stranger, owner.email, 'another guess')).status).toBe(400);
    expect(problem(await attempt(stranger, owner.email, 'too soon'))).toContain('Wait 2 minutes');
    t.clock.advance(121_000);
    expect((await attempt(stranger, owner.email, 'and another')).status).toBe(400);
    expect(problem(await attempt(stranger, owner.email, 'too soon'))).toContain('Wait 4 minutes');
    expect((await attempt(ownDevice, owner.email, owner.password)).status).toBe(303);

    // An e-mail address with no account is slowed alike, so the throttle tells no one which accounts exist.
    for (let i = 0; i < limits.perAccountFromAddress; i++) expect((await attempt(stranger, 'no-such-person@example.org', `guess ${i}`)).status).toBe(400);
    expect((await attempt(stranger, 'no-such-person@example.org', 'one more')).status).toBe(429);
    const reasons = (await auditEvents(t, lio.id, 'sign_in.failed')).map((e) => (e.detail as { reason: string }).reason);
    expect(reasons.filter((r) => r === 'throttled')).toHaveLength(4);
  });

  it('holds back an address guessing many accounts, while someone sharing that address gets in with their own right password', async () => {
    const lio = await t.make.lio();
    const victim = await t.make.user(lio);
    const colleague = await t.make.user(lio);
    const sprayer = new Client(t.app, lio.host, '198.51.100.77');
    expect((await attempt(sprayer, victim.email, 'Password1')).status).toBe(400);
    for (let i = 1; i < limits.perAddress; i++) expect((await attempt(sprayer, `person${i}@example.org`, 'Password1')).status).toBe(400);

    // A library's or an office's address: the colleague at the next desk has failed nowhere, and gets in.
    const nextDesk = new Client(t.app, lio.host, '198.51.100.77');
    expect((await attempt(nextDesk, colleague.email, colleague.password)).status).toBe(303);
    // A wrong password for an account not yet tried from here is checked, counted, and answered with the wait.
    const wrong = await attempt(sprayer, 'someone-new@example.org', 'Password1');
    expect(wrong.status).toBe(429);
    expect(problem(wrong)).toContain('Wait 60 minutes');
    // An account already guessed at from here waits, even with its right password.
    const guessedAt = await attempt(sprayer, victim.email, victim.password);
    expect(guessedAt.status).toBe(429);
    expect(problem(guessedAt)).toContain('Wait 60 minutes');
    // No other address is held back, and the window's end frees this one.
    expect((await attempt(new Client(t.app, lio.host, '192.0.2.11'), victim.email, victim.password)).status).toBe(303);
    t.clock.advance(limits.windowMinutes * 60_000 + 1000);
    expect((await attempt(sprayer, victim.email, victim.password)).status).toBe(303);
  });

  it('lets the owner in from a known device when strangers guess from many addresses, and a new device after a password reset', async () => {
    const lio = await t.make.lio();
    const owner = await t.make.user(lio);
    const knownDevice = new Client(t.app, lio.host, '192.0.2.12');
    await knownDevice.signIn(owner.email, owner.password);
    await knownDevice.submit('/', '/sign-out', {});

    // One guess from each of many addresses: no address is slowed, but the account reaches its soft limit.
    for (let i = 0; i < limits.perAccount; i++) expect((await attempt(new Client(t.app, lio.host, `203.0.113.${i + 1}`), owner.email, `guess ${i}`)).status).toBe(400);
    expect(await auditEvents(t, lio.id, 'sign_in.known_devices_only')).toHaveLength(1);

    const newDevice = new Client(t.app, lio.host, '192.0.2.12');
    const refused = await attempt(newDevice, owner.email, owner.password);
    expect(refused.status).toBe(429);
    expect(problem(refused)).toContain('Sign in on a device you have used before, or reset your password');
    expect(newDevice.hasCookie(SESSION_COOKIE)).toBe(false);
    // The owner's own browser, from their own address, gets in with the right password.
    expect((await attempt(knownDevice, owner.email, owner.password)).status).toBe(303);
    expect(knownDevice.hasCookie(SESSION_COOKIE)).toBe(true);

    // Strangers go on guessing; a reset link (which only the owner's inbox gets) lets the new device in.
    for (let i = 0; i < limits.perAccount; i++) await attempt(new Client(t.app, lio.host, `203.0.113.${i + 100}`), owner.email, `guess ${i}`);
    expect((await attempt(newDevice, owner.email, owner.password)).status).toBe(429);
    expect((await newDevice.submit('/forgot-password', '/forgot-password', { email: owner.email })).status).toBe(200);
    await t.app.jobs.drain();
    const mail = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('email_messages').select('body_text').where('to_address', '=', owner.email).executeTakeFirstOrThrow());
    const resetPath = /\/reset-password\/[A-Za-z0-9_-]+/.exec(mail.body_text)![0];
    const newPassword = 'a fresh passphrase for the owner';
    expect((await newDevice.submit(resetPath, resetPath, { password: newPassword, confirmPassword: newPassword })).status).toBe(303);
    expect((await attempt(newDevice, owner.email, newPassword)).status).toBe(303);
  });

  it('forgets counts whose window has ended, in an hourly sweep, and keeps the ones that still count', async () => {
    const lio = await t.make.lio();
    const rows = () => t.db.withTenant(lio.id, (tx) => tx.selectFrom('sign_in_throttles').select(['failures', 'window_started_at']).execute());
    await attempt(new Client(t.app, lio.host, '198.51.100.90'), 'old@example.org', 'guess');
    expect(await rows()).toHaveLength(3); // the address, the account from the address, the account
    t.clock.advance(limits.windowMinutes * 60_000 + 1000);
    await attempt(new Client(t.app, lio.host, '198.51.100.91'), 'recent@example.org', 'guess');
    await t.app.jobs.ensureRecurring();
    await t.app.jobs.drain();
    const left = await rows();
    expect(left).toHaveLength(3);
    for (const row of left) expect(row.window_started_at.getTime()).toBe(t.clock.now().getTime());
  });

  it('counts failures in the database, so every process sees them', async () => {
    const lio = await t.make.lio();
    const user = await t.make.user(lio);
    const second = await buildApp({ config: t.config, db: t.db, clock: t.clock });
    await second.ready();
    try {
      const onFirst = new Client(t.app, lio.host, '198.51.100.88');
      const onSecond = new Client(second, lio.host, '198.51.100.88');
      for (let i = 0; i < limits.perAccountFromAddress; i++) await attempt(onFirst, user.email, `guess ${i}`);
      expect((await attempt(onSecond, user.email, user.password)).status).toBe(429);
    } finally {
      await second.close();
    }
  });
});
