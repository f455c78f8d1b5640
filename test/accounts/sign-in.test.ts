import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { Client, type Page } from '../helpers/client.js';
import { SESSION_COOKIE, auditEvents, errorSummaryLinks, getWithCookies, mainText, sessionCount, setCookie, userRow } from './support.js';

const SIGN_IN_ERROR = 'Enter a correct email address and password';

describe('signing in and out', () => {
  let t: TestContext;
  beforeAll(async () => { t = await createTestApp(); });
  afterAll(async () => { await t.close(); });

  it('signs a person in, shows who they are, and signs them out', async () => {
    const lio = await t.make.lio();
    const user = await t.make.user(lio, { role: 'volunteer', name: 'Vic Volunteer' });
    const client = new Client(t.app, lio.host);

    const before = await client.get('/');
    expect(before.$('[data-testid="signed-in-user"]').length).toBe(0);

    const signedIn = await client.signIn(user.email, user.password);
    expect(signedIn.location).toBe('/');
    const home = await client.get('/');
    expect(home.status).toBe(200);
    expect(home.$('[data-testid="signed-in-user"]').text()).toBe('Vic Volunteer');
    expect(home.$('[data-testid="role"]').text()).toBe('Volunteer');
    expect((await userRow(t, lio.id, user.id)).last_sign_in_at).not.toBeNull();

    const out = await client.submit('/', '/sign-out', {});
    expect(out.status).toBe(303);
    expect(out.location).toBe('/sign-in');
    expect(client.hasCookie(SESSION_COOKIE)).toBe(false);
    const signInPage = await client.get('/sign-in');
    expect(signInPage.$('.govuk-notification-banner').text()).toContain('You have signed out');
    const after = await client.get('/account');
    expect(after.status).toBe(303);
    expect(after.location).toBe('/sign-in?returnTo=%2Faccount');

    const actions = (await auditEvents(t, lio.id)).map((e) => e.action);
    expect(actions).toContain('sign_in.succeeded');
    expect(actions).toContain('sign_out');
  });

  it('accepts the email address in any letter case', async () => {
    const lio = await t.make.lio();
    const user = await t.make.user(lio, { email: 'Mixed.Case@Example.org' });
    const client = new Client(t.app, lio.host);
    const page = await client.submit('/sign-in', '/sign-in', { email: '  mixed.case@EXAMPLE.ORG ', password: user.password });
    expect(page.status).toBe(303);
  });

  it('sets the session cookie HttpOnly and SameSite=Lax, and not Secure over plain http', async () => {
    const lio = await t.make.lio();
    const user = await t.make.user(lio);
    const client = new Client(t.app, lio.host);
    const page = await client.signIn(user.email, user.password);
    const cookie = setCookie(page, SESSION_COOKIE);
    expect(cookie).toBeDefined();
    expect(cookie).toMatch(/;\s*HttpOnly/i);
    expect(cookie).toMatch(/;\s*SameSite=Lax/i);
    expect(cookie).toMatch(/;\s*Path=\//i);
    expect(cookie).not.toMatch(/;\s*Secure/i);
    // The database keeps a hash of the id, never the id itself.
    const stored = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('sessions').select('id_hash').where('user_id', '=', user.id).execute());
    expect(stored).toHaveLength(1);
    expect(stored[0]!.id_hash).not.toBe(client.cookie(SESSION_COOKIE));
  });

  it('gives a new session id at sign-in: a fixated cookie is replaced and stops working', async () => {
    const lio = await t.make.lio();
    const user = await t.make.user(lio, { name: 'Rota Tion' });
    const client = new Client(t.app, lio.host);

    // An id planted before sign-in (session fixation) is not adopted.
    const planted = 'attacker-chosen-session-id-0123456789';
    const fixated = await t.app.inject({
      method: 'GET', url: '/sign-in', headers: { host: lio.host, cookie: `${SESSION_COOKIE}=${planted}` },
    });
    const csrfCookie = fixated.cookies.find((c) => c.name === '_csrf')!;
    const csrfToken = /name="_csrf" value="([^"]+)"/.exec(fixated.body)![1]!;
    const signIn = await t.app.inject({
      method: 'POST', url: '/sign-in',
      headers: { host: lio.host, 'content-type': 'application/x-www-form-urlencoded', cookie: `${SESSION_COOKIE}=${planted}; _csrf=${csrfCookie.value}` },
      payload: new URLSearchParams({ email: user.email, password: user.password, _csrf: csrfToken }).toString(),
    });
    expect(signIn.statusCode).toBe(303);
    const issued = signIn.cookies.find((c) => c.name === SESSION_COOKIE)!;
    expect(issued.value).not.toBe(planted);
    expect((await getWithCookies(t.app, lio.host, '/', { [SESSION_COOKIE]: planted })).$('[data-testid="signed-in-user"]').length).toBe(0);
    expect((await getWithCookies(t.app, lio.host, '/', { [SESSION_COOKIE]: issued.value })).$('[data-testid="signed-in-user"]').text()).toBe('Rota Tion');

    // Signing in again over a live session (a form still open in another tab) replaces it too.
    await client.signIn(user.email, user.password);
    const first = client.cookie(SESSION_COOKIE)!;
    expect((await client.submit('/account', '/sign-in', { email: user.email, password: user.password })).status).toBe(303);
    const second = client.cookie(SESSION_COOKIE)!;
    expect(second).not.toBe(first);
    const old = await getWithCookies(t.app, lio.host, '/account', { [SESSION_COOKIE]: first });
    expect(old.status).toBe(303);
    expect(old.location).toMatch(/^\/sign-in/);
    const current = await client.get('/account');
    expect(current.status).toBe(200);
  });

  it('makes a signed-out cookie worthless, even if it is replayed', async () => {
    const lio = await t.make.lio();
    const user = await t.make.user(lio);
    const client = new Client(t.app, lio.host);
    await client.signIn(user.email, user.password);
    const cookie = client.cookie(SESSION_COOKIE)!;
    expect((await getWithCookies(t.app, lio.host, '/account', { [SESSION_COOKIE]: cookie })).status).toBe(200);
    await client.submit('/', '/sign-out', {});
    const replay = await getWithCookies(t.app, lio.host, '/account', { [SESSION_COOKIE]: cookie });
    expect(replay.status).toBe(303);
    expect(replay.location).toBe('/sign-in?returnTo=%2Faccount');
    expect(await sessionCount(t, lio.id, user.id)).toBe(0);
  });

  it('ends a session left idle for longer than the idle limit', async () => {
    const lio = await t.make.lio();
    const user = await t.make.user(lio);
    const client = new Client(t.app, lio.host);
    await client.signIn(user.email, user.password);
    t.clock.advance((t.config.session.idleMinutes - 1) * 60_000);
    expect((await client.get('/account')).status).toBe(200);
    // That request counted as activity, so the idle limit starts again from now.
    t.clock.advance((t.config.session.idleMinutes - 1) * 60_000);
    expect((await client.get('/account')).status).toBe(200);
    t.clock.advance((t.config.session.idleMinutes + 1) * 60_000);
    const expired = await client.get('/account');
    expect(expired.status).toBe(303);
    expect(expired.location).toMatch(/^\/sign-in/);
  });

  it('ends even a busy session at the absolute limit, however active it has been', async () => {
    const lio = await t.make.lio();
    const user = await t.make.user(lio);
    const client = new Client(t.app, lio.host);
    await client.signIn(user.email, user.password);
    const step = 60 * 60_000;
    for (let elapsed = step; elapsed < t.config.session.absoluteHours * step; elapsed += step) {
      t.clock.advance(step);
      expect((await client.get('/account')).status, `after ${elapsed / step} hours`).toBe(200);
    }
    t.clock.advance(step);
    expect((await client.get('/account')).status).toBe(303);
  });

  it('brings a person back to the page they asked for, and only to a page on this site', async () => {
    const lio = await t.make.lio();
    const user = await t.make.user(lio, { role: 'admin' });
    const client = new Client(t.app, lio.host);
    const gate = await client.get('/admin/users');
    expect(gate.status).toBe(303);
    expect(gate.location).toBe('/sign-in?returnTo=%2Fadmin%2Fusers');
    const form = await client.get(gate.location!);
    expect(form.$('input[name="returnTo"]').val()).toBe('/admin/users');
    const back = await client.submit(gate.location!, '/sign-in', { email: user.email, password: user.password, returnTo: '/admin/users' });
    expect(back.status).toBe(303);
    expect(back.location).toBe('/admin/users');

    for (const evil of ['//evil.example/', '/\\evil.example', 'https://evil.example/', '/\t/evil.example', '/\n/evil.example', ' //evil.example']) {
      const other = new Client(t.app, lio.host);
      const page = await other.submit('/sign-in', '/sign-in', { email: user.email, password: user.password, returnTo: evil });
      expect(page.status, JSON.stringify(evil)).toBe(303);
      expect(page.location, JSON.stringify(evil)).toBe('/');
    }
  });
});

describe('refusing to sign in', () => {
  let t: TestContext;
  beforeAll(async () => { t = await createTestApp(); });
  afterAll(async () => { await t.close(); });

  it('gives the same answer for a wrong password, an unknown email, a disabled and an invited account', async () => {
    const lio = await t.make.lio();
    const active = await t.make.user(lio);
    const disabled = await t.make.user(lio, { status: 'disabled' });
    const invited = await t.make.user(lio, { status: 'invited', password: null });
    const client = new Client(t.app, lio.host);

    const attempts = [
      { email: active.email, password: 'not the right password' },
      { email: 'nobody-here@example.org', password: 'whatever password' },
      { email: disabled.email, password: disabled.password },
      { email: invited.email, password: 'any password at all' },
    ];
    const pages: Page[] = [];
    for (const attempt of attempts) pages.push(await client.submit('/sign-in', '/sign-in', attempt));
    for (const page of pages) {
      expect(page.status).toBe(400);
      expect(page.$('.govuk-error-summary').text()).toContain(SIGN_IN_ERROR);
      expect(errorSummaryLinks(page)).toEqual([{ href: '#email', text: errorSummaryLinks(pages[0]!)[0]!.text }]);
      expect(page.$('#email-error').text()).toContain(SIGN_IN_ERROR);
      expect(page.$('title').text()).toMatch(/^Error: Sign in/);
      expect(client.hasCookie(SESSION_COOKIE)).toBe(false);
    }
    // Apart from the address typed back into the form, the pages are the same.
    const withoutEmail = (p: Page) => mainText(p).replaceAll(/\S+@\S+/g, '');
    expect(new Set(pages.map(withoutEmail)).size).toBe(1);
    // The password is never sent back.
    for (const page of pages) expect(page.$('#password').val() ?? '').toBe('');

    const failed = await auditEvents(t, lio.id, 'sign_in.failed');
    expect(failed.map((e) => (e.detail as { reason: string }).reason)).toEqual(['wrong_password', 'unknown_account', 'account_disabled', 'account_invited']);
  });

  it('counts failures afresh after a successful sign-in', async () => {
    const lio = await t.make.lio();
    const user = await t.make.user(lio);
    const client = new Client(t.app, lio.host);
    for (let i = 0; i < 4; i++) await client.submit('/sign-in', '/sign-in', { email: user.email, password: 'wrong password' });
    await new Client(t.app, lio.host).signIn(user.email, user.password);
    for (let i = 0; i < 4; i++) await client.submit('/sign-in', '/sign-in', { email: user.email, password: 'wrong password' });
    expect((await client.submit('/sign-in', '/sign-in', { email: user.email, password: user.password })).status).toBe(303);
  });

  it('does not accept a password that only starts with the right one', async () => {
    const lio = await t.make.lio();
    const long = 'x'.repeat(128);
    const user = await t.make.user(lio, { password: long });
    const client = new Client(t.app, lio.host);
    const page = await client.submit('/sign-in', '/sign-in', { email: user.email, password: `${long}and then some more` });
    expect(page.status).toBe(400);
    expect(page.$('.govuk-error-summary').text()).toContain(SIGN_IN_ERROR);
    expect((await client.submit('/sign-in', '/sign-in', { email: user.email, password: long })).status).toBe(303);
  });

  it('explains a malformed or missing email address and a missing password with the error summary', async () => {
    const lio = await t.make.lio();
    const client = new Client(t.app, lio.host);

    const malformed = await client.submit('/sign-in', '/sign-in', { email: 'not-an-email', password: 'something' });
    expect(malformed.status).toBe(400);
    expect(errorSummaryLinks(malformed)).toEqual([{ href: '#email', text: 'Enter an email address in the correct format, like name@example.org' }]);
    expect(malformed.$('#email').val()).toBe('not-an-email');

    const empty = await client.submit('/sign-in', '/sign-in', { email: '', password: '' });
    expect(empty.status).toBe(400);
    expect(errorSummaryLinks(empty).map((l) => l.href)).toEqual(['#email', '#password']);
    expect(empty.$('#password-error').text()).toContain('Enter your password');

    const missingFields = await client.submit('/sign-in', '/sign-in', {});
    expect(missingFields.status).toBe(400);
    expect(errorSummaryLinks(missingFields).map((l) => l.href)).toEqual(['#email', '#password']);
  });

  it('answers over-long and odd input with field errors, never a 500', async () => {
    const lio = await t.make.lio();
    const user = await t.make.user(lio);
    const client = new Client(t.app, lio.host);

    const longEmail = await client.submit('/sign-in', '/sign-in', { email: `${'a'.repeat(290)}@example.org`, password: 'something' });
    expect(longEmail.status).toBe(400);
    expect(longEmail.$('.govuk-error-summary a[href="#email"]').text()).toContain('254 characters or fewer');

    const longPassword = await client.submit('/sign-in', '/sign-in', { email: user.email, password: 'p'.repeat(10_000) });
    expect(longPassword.status).toBe(400);
    expect(longPassword.$('.govuk-error-summary a[href="#email"]').text()).toContain(SIGN_IN_ERROR);

    const repeated = await client.submit('/sign-in', '/sign-in', { email: [user.email, 'other@example.org'], password: ['one password', 'another one'] });
    expect(repeated.status).toBe(400);
    expect(repeated.$('.govuk-error-summary').length).toBe(1);

    const weird = await client.submit('/sign-in', '/sign-in', { email: "o'brien\u0000@example.org", password: '\u0000\uffff' });
    expect(weird.status).toBe(400);
    expect(weird.$('.govuk-error-summary').length).toBe(1);

    // Bodies a form never sends: refused with a 4xx page, not a 500.
    for (const [type, payload] of [['application/json', '{"email": '], ['application/json', '{"email": {"$ne": 1}, "password": [1]}'], ['text/plain', 'email=x'], ['application/x-www-form-urlencoded', '%%%'], ['multipart/form-data; boundary=x', '--x--']]) {
      const response = await t.app.inject({ method: 'POST', url: '/sign-in', headers: { host: lio.host, 'content-type': type! }, payload });
      expect(response.statusCode, `${type} ${payload}`).toBeGreaterThanOrEqual(400);
      expect(response.statusCode, `${type} ${payload}`).toBeLessThan(500);
    }
  });
});

describe('CSRF protection on the sign-in form', () => {
  let t: TestContext;
  beforeAll(async () => { t = await createTestApp(); });
  afterAll(async () => { await t.close(); });

  it('refuses a sign-in with no CSRF token or a wrong one with the 403 page, and signs nobody in', async () => {
    const lio = await t.make.lio();
    const user = await t.make.user(lio);

    // No token and no CSRF cookie at all: a cross-site form post.
    const bare = new Client(t.app, lio.host);
    const none = await bare.postRaw('/sign-in', { email: user.email, password: user.password });
    expect(none.status).toBe(403);
    expect(none.$('h1').text()).toContain('Your form could not be accepted');

    // The CSRF cookie is there (the form was loaded) but the token is missing or forged.
    const client = new Client(t.app, lio.host);
    await client.get('/sign-in');
    const missing = await client.postRaw('/sign-in', { email: user.email, password: user.password });
    expect(missing.status).toBe(403);
    const forged = await client.postRaw('/sign-in', { email: user.email, password: user.password, _csrf: 'forged-token' });
    expect(forged.status).toBe(403);
    expect(forged.$('h1').text()).toContain('Your form could not be accepted');
    // A token taken from another browser does not fit this browser's secret.
    const other = new Client(t.app, lio.host);
    const otherToken = (await other.get('/sign-in')).$('input[name="_csrf"]').val() as string;
    const stolen = await client.postRaw('/sign-in', { email: user.email, password: user.password, _csrf: otherToken });
    expect(stolen.status).toBe(403);

    for (const c of [bare, client]) expect(c.hasCookie(SESSION_COOKIE)).toBe(false);
    expect(await sessionCount(t, lio.id, user.id)).toBe(0);
    expect(await auditEvents(t, lio.id, 'sign_in.succeeded')).toHaveLength(0);
    expect((await userRow(t, lio.id, user.id)).last_sign_in_at).toBeNull();
  });

  it('refuses sign-out without a CSRF token, so the session goes on', async () => {
    const lio = await t.make.lio();
    const user = await t.make.user(lio);
    const client = new Client(t.app, lio.host);
    await client.signIn(user.email, user.password);
    const out = await client.postRaw('/sign-out', {});
    expect(out.status).toBe(403);
    expect((await client.get('/account')).status).toBe(200);
  });
});

describe('CSRF secret tied to the session', () => {
  let t: TestContext;
  beforeAll(async () => { t = await createTestApp(); });
  afterAll(async () => { await t.close(); });

  const tokenOf = (page: Page) => page.$('input[name="_csrf"]').first().val() as string;

  it('refuses after sign-in a token made before it, and after sign-out one made while signed in', async () => {
    const lio = await t.make.lio();
    const user = await t.make.user(lio);
    const client = new Client(t.app, lio.host);
    const beforeSignIn = tokenOf(await client.get('/sign-in'));
    expect((await client.postRaw('/sign-in', { email: user.email, password: user.password, _csrf: beforeSignIn })).status).toBe(303);
    // The signed-out visitor's secret went with the sign-in.
    expect(client.hasCookie('_csrf')).toBe(false);
    const stale = await client.postRaw('/sign-out', { _csrf: beforeSignIn });
    expect(stale.status).toBe(403);
    expect((await client.get('/account')).status).toBe(200);

    const signedInToken = tokenOf(await client.get('/'));
    expect((await client.postRaw('/sign-out', { _csrf: signedInToken })).status).toBe(303);
    const replayed = await client.postRaw('/sign-in', { email: user.email, password: user.password, _csrf: signedInToken });
    expect(replayed.status).toBe(403);
    // A fresh form works as ever.
    expect((await client.submit('/sign-in', '/sign-in', { email: user.email, password: user.password })).status).toBe(303);
  });

  it('refuses a token pair planted from another session, signed in or not', async () => {
    const lio = await t.make.lio();
    const victim = await t.make.user(lio, { role: 'admin' });
    const attacker = await t.make.user(lio);
    const victimClient = new Client(t.app, lio.host);
    await victimClient.signIn(victim.email, victim.password);
    const victimSession = victimClient.cookie(SESSION_COOKIE)!;

    // A signed-out visit gives the attacker a valid signed secret cookie and a token that fits it.
    const visit = await t.app.inject({ method: 'GET', url: '/sign-in', headers: { host: lio.host } });
    const plantedCookie = visit.cookies.find((c) => c.name === '_csrf')!.value;
    const plantedToken = /name="_csrf" value="([^"]+)"/.exec(visit.body)![1]!;
    const planted = await t.app.inject({
      method: 'POST', url: '/sign-out',
      headers: { host: lio.host, 'content-type': 'application/x-www-form-urlencoded', cookie: `${SESSION_COOKIE}=${victimSession}; _csrf=${plantedCookie}` },
      payload: new URLSearchParams({ _csrf: plantedToken }).toString(),
    });
    expect(planted.statusCode).toBe(403);

    // The attacker's own signed-in token fits the attacker's session only.
    const attackerClient = new Client(t.app, lio.host);
    await attackerClient.signIn(attacker.email, attacker.password);
    const attackerToken = tokenOf(await attackerClient.get('/'));
    expect((await victimClient.postRaw('/sign-out', { _csrf: attackerToken })).status).toBe(403);
    expect((await victimClient.get('/account')).status).toBe(200);
    // The victim's own form still works.
    expect((await victimClient.submit('/', '/sign-out', {})).status).toBe(303);
  });
});

describe('cookies behind HTTPS', () => {
  let t: TestContext;
  beforeAll(async () => { t = await createTestApp({ env: { BASE_URL: 'https://cvs.example.org' } }); });
  afterAll(async () => { await t.close(); });

  it('marks the session cookie Secure when BASE_URL is https', async () => {
    const lio = await t.make.lio();
    const user = await t.make.user(lio);
    const client = new Client(t.app, lio.host);
    const page = await client.signIn(user.email, user.password);
    const cookie = setCookie(page, SESSION_COOKIE);
    expect(cookie).toMatch(/;\s*Secure/i);
    expect(cookie).toMatch(/;\s*HttpOnly/i);
    expect(cookie).toMatch(/;\s*SameSite=Lax/i);
    const csrf = setCookie(await new Client(t.app, lio.host).get('/sign-in'), '_csrf');
    expect(csrf).toMatch(/;\s*Secure/i);
    expect(csrf).toMatch(/;\s*HttpOnly/i);
  });
});
