import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { Client, type Page } from '../helpers/client.js';
import { linksIn, startSmtpServer } from '../helpers/smtp.js';
import { auditEvents, errorSummaryLinks, mainText, pathOf, sessionCount } from './support.js';

const NEW_PASSWORD = 'a brand new passphrase';

describe('resetting a forgotten password', () => {
  let t: TestContext;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  beforeAll(async () => {
    smtp = await startSmtpServer();
    t = await createTestApp({ env: { SMTP_URL: smtp.url } });
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  /** Asks for a reset link for `email` and returns the link's path from the e-mail that arrives. */
  async function resetLinkFor(host: string, email: string): Promise<string> {
    const page = await new Client(t.app, host).submit('/forgot-password', '/forgot-password', { email });
    expect(page.status).toBe(200);
    await t.app.jobs.drain();
    const mail = smtp.received.filter((m) => m.to.includes(email.toLowerCase())).at(-1) ?? await smtp.waitFor(email.toLowerCase());
    const link = linksIn(mail.raw).find((l) => l.includes('/reset-password/'));
    expect(link).toBeDefined();
    return pathOf(link!);
  }

  it('shows the same page for a known and an unknown email address, and mails only the known one', async () => {
    const lio = await t.make.lio();
    const user = await t.make.user(lio);
    const disabled = await t.make.user(lio, { status: 'disabled' });
    const pages: Page[] = [];
    for (const email of [user.email, 'nobody-at-all@example.org', disabled.email]) {
      pages.push(await new Client(t.app, lio.host).submit('/forgot-password', '/forgot-password', { email }));
    }
    for (const page of pages) {
      expect(page.status).toBe(200);
      expect(page.$('h1').text()).toBe('Check your email');
    }
    expect(new Set(pages.map(mainText)).size).toBe(1);

    await t.app.jobs.drain();
    const mail = await smtp.waitFor(user.email);
    expect(mail.raw).toMatch(/Subject: Reset your password for/);
    const link = linksIn(mail.raw).find((l) => l.includes('/reset-password/'));
    expect(link).toMatch(new RegExp(`^http://${lio.host.replaceAll('.', '\\.')}/reset-password/[A-Za-z0-9_-]{40,}$`));
    expect(smtp.received.some((m) => m.to.includes('nobody-at-all@example.org'))).toBe(false);
    expect(smtp.received.some((m) => m.to.includes(disabled.email))).toBe(false);
  });

  it('lets the link set a new password once: the old password then fails and the new one works', async () => {
    const lio = await t.make.lio();
    const user = await t.make.user(lio);
    const path = await resetLinkFor(lio.host, user.email);

    const form = await new Client(t.app, lio.host).get(path);
    expect(form.status).toBe(200);
    expect(form.$('h1').text()).toBe('Choose a new password');
    expect(form.$('main').text()).toContain(user.email);

    const client = new Client(t.app, lio.host);
    const done = await client.submit(path, path, { password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD });
    expect(done.status).toBe(303);
    expect(done.location).toBe('/sign-in');
    expect((await client.get('/sign-in')).$('.govuk-notification-banner').text()).toContain('Your password has been changed');

    const old = await new Client(t.app, lio.host).submit('/sign-in', '/sign-in', { email: user.email, password: user.password });
    expect(old.status).toBe(400);
    await new Client(t.app, lio.host).signIn(user.email, NEW_PASSWORD);

    // The same link a second time: already used.
    const again = await new Client(t.app, lio.host).get(path);
    expect(again.status).toBe(410);
    expect(again.$('h1').text()).toBe('This link has already been used');
    const reuse = await new Client(t.app, lio.host).submit('/forgot-password', path, { password: 'yet another passphrase', confirmPassword: 'yet another passphrase' });
    expect(reuse.status).toBe(410);
    expect(reuse.$('h1').text()).toBe('This link has already been used');
    await new Client(t.app, lio.host).signIn(user.email, NEW_PASSWORD);

    expect(await auditEvents(t, lio.id, 'password_reset.completed')).toHaveLength(1);
  });

  it('lets only one of two racing uses of a link through', async () => {
    const lio = await t.make.lio();
    const user = await t.make.user(lio);
    const path = await resetLinkFor(lio.host, user.email);
    const [one, two] = [new Client(t.app, lio.host), new Client(t.app, lio.host)];
    await Promise.all([one.get(path), two.get(path)]);
    const tokens = await Promise.all([one, two].map(async (c) => (await c.get(path)).$('input[name="_csrf"]').val() as string));
    const results = await Promise.all([
      one.postRaw(path, { password: 'first racing passphrase', confirmPassword: 'first racing passphrase', _csrf: tokens[0]! }),
      two.postRaw(path, { password: 'second racing passphrase', confirmPassword: 'second racing passphrase', _csrf: tokens[1]! }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([303, 410]);
    const winner = results[0]!.status === 303 ? 'first racing passphrase' : 'second racing passphrase';
    const loser = winner.startsWith('first') ? 'second racing passphrase' : 'first racing passphrase';
    await new Client(t.app, lio.host).signIn(user.email, winner);
    expect((await new Client(t.app, lio.host).submit('/sign-in', '/sign-in', { email: user.email, password: loser })).status).toBe(400);
  });

  it('refuses an expired link, and an unknown one', async () => {
    const lio = await t.make.lio();
    const user = await t.make.user(lio);
    const path = await resetLinkFor(lio.host, user.email);
    t.clock.advance(61 * 60_000);

    const expired = await new Client(t.app, lio.host).get(path);
    expect(expired.status).toBe(410);
    expect(expired.$('h1').text()).toBe('This link has expired');
    expect(expired.$('a[href="/forgot-password"]').length).toBe(1);
    const late = await new Client(t.app, lio.host).submit('/forgot-password', path, { password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD });
    expect(late.status).toBe(410);
    expect(late.$('h1').text()).toBe('This link has expired');
    await new Client(t.app, lio.host).signIn(user.email, user.password);

    for (const token of ['not-a-real-token', 'x'.repeat(100), '%00']) {
      const unknown = await new Client(t.app, lio.host).get(`/reset-password/${token}`);
      expect(unknown.status, token).toBe(404);
      expect(unknown.$('h1').text()).toBe('This link is not valid');
    }
    for (const odd of ['x'.repeat(5000), '%ZZ']) {
      const page = await new Client(t.app, lio.host).get(`/reset-password/${odd}`);
      expect(page.status, odd.slice(0, 10)).toBeGreaterThanOrEqual(400);
      expect(page.status, odd.slice(0, 10)).toBeLessThan(500);
    }
    // An invitation link is not a reset link.
    const invited = await new Client(t.app, lio.host).get(path.replace('/reset-password/', '/accept-invite/'));
    expect(invited.status).toBe(404);
  });

  it('re-renders the form with errors for a short, a mismatched, an over-long or a missing password', async () => {
    const lio = await t.make.lio();
    const user = await t.make.user(lio);
    const path = await resetLinkFor(lio.host, user.email);
    const client = new Client(t.app, lio.host);

    const short = await client.submit(path, path, { password: 'short', confirmPassword: 'short' });
    expect(short.status).toBe(400);
    expect(errorSummaryLinks(short)).toEqual([{ href: '#password', text: 'Your password must be at least 12 characters' }]);
    expect(short.$('#password-error').text()).toContain('at least 12 characters');
    expect(short.$('h1').text()).toBe('Choose a new password');

    const mismatch = await client.submit(path, path, { password: NEW_PASSWORD, confirmPassword: 'something different' });
    expect(mismatch.status).toBe(400);
    expect(errorSummaryLinks(mismatch)).toEqual([{ href: '#confirmPassword', text: 'The passwords do not match' }]);

    const long = await client.submit(path, path, { password: 'p'.repeat(10_000), confirmPassword: 'p'.repeat(10_000) });
    expect(long.status).toBe(400);
    expect(errorSummaryLinks(long)).toEqual([{ href: '#password', text: 'Your password must be 128 characters or fewer' }]);

    const missing = await client.submit(path, path, {});
    expect(missing.status).toBe(400);
    expect(errorSummaryLinks(missing)).toEqual([{ href: '#password', text: 'Enter a new password' }]);

    // None of that spent the link.
    expect((await client.submit(path, path, { password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD })).status).toBe(303);
  });

  it('signs the account out everywhere when the password is reset', async () => {
    const lio = await t.make.lio();
    const user = await t.make.user(lio);
    const laptop = new Client(t.app, lio.host);
    const phone = new Client(t.app, lio.host);
    await laptop.signIn(user.email, user.password);
    await phone.signIn(user.email, user.password);
    expect(await sessionCount(t, lio.id, user.id)).toBe(2);

    const path = await resetLinkFor(lio.host, user.email);
    await new Client(t.app, lio.host).submit(path, path, { password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD });

    for (const device of [laptop, phone]) {
      const page = await device.get('/account');
      expect(page.status).toBe(303);
      expect(page.location).toBe('/sign-in?returnTo=%2Faccount');
    }
    expect(await sessionCount(t, lio.id, user.id)).toBe(0);
  });

  it('spends every other reset link of the account once one has been used', async () => {
    const lio = await t.make.lio();
    const user = await t.make.user(lio);
    const first = await resetLinkFor(lio.host, user.email);
    const second = await resetLinkFor(lio.host, user.email);
    expect(second).not.toBe(first);
    expect((await new Client(t.app, lio.host).submit(second, second, { password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD })).status).toBe(303);
    const stale = await new Client(t.app, lio.host).get(first);
    expect(stale.status).toBe(410);
    expect(stale.$('h1').text()).toBe('This link has already been used');
  });

  it('does not reset a disabled account, even with a link sent before it was disabled', async () => {
    const lio = await t.make.lio();
    const admin = await t.make.user(lio, { role: 'admin' });
    const user = await t.make.user(lio);
    const path = await resetLinkFor(lio.host, user.email);
    const adminClient = new Client(t.app, lio.host);
    await adminClient.signIn(admin.email, admin.password);
    expect((await adminClient.submit(`/admin/users/${user.id}`, `/admin/users/${user.id}/disable`, {})).status).toBe(303);

    const page = await new Client(t.app, lio.host).submit('/forgot-password', path, { password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD });
    expect(page.status).toBe(404);
    const signIn = await new Client(t.app, lio.host).submit('/sign-in', '/sign-in', { email: user.email, password: NEW_PASSWORD });
    expect(signIn.status).toBe(400);
  });

  it('answers a malformed or over-long email address with a field error', async () => {
    const lio = await t.make.lio();
    const client = new Client(t.app, lio.host);
    for (const email of ['not an email', `${'a'.repeat(300)}@example.org`, '']) {
      const page = await client.submit('/forgot-password', '/forgot-password', { email });
      expect(page.status).toBe(400);
      expect(errorSummaryLinks(page).map((l) => l.href)).toEqual(['#email']);
      expect(page.$('#email-error').length).toBe(1);
    }
  });

  it('puts only a registered address of the LIO in the e-mailed link, whatever Host or X-Forwarded headers say', async () => {
    const lio = await t.make.lio();
    const user = await t.make.user(lio);
    const forged: Record<string, string>[] = [
      { host: `${lio.host}:@evil.example` },
      { host: `${lio.host}:1234@evil.example` },
      { host: lio.host, 'x-forwarded-proto': 'https://evil.example/#' },
      { host: 'evil.example', 'x-forwarded-host': `${lio.host}:@evil.example` },
    ];
    for (const headers of forged) {
      const form = await t.app.inject({ method: 'GET', url: '/forgot-password', headers: { ...headers } });
      if (form.statusCode !== 200) continue; // refused outright: nothing was sent
      const csrfCookie = form.cookies.find((c) => c.name === '_csrf')!;
      const token = /name="_csrf" value="([^"]+)"/.exec(form.body)![1]!;
      const before = smtp.received.length;
      const sent = await t.app.inject({
        method: 'POST', url: '/forgot-password',
        headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded', cookie: `_csrf=${csrfCookie.value}` },
        payload: new URLSearchParams({ email: user.email, _csrf: token }).toString(),
      });
      expect(sent.statusCode).toBeLessThan(500);
      await t.app.jobs.drain();
      if (sent.statusCode !== 200) continue;
      for (const mail of smtp.received.slice(before)) {
        for (const link of linksIn(mail.raw)) {
          const url = new URL(link);
          expect(url.username, JSON.stringify(headers)).toBe('');
          expect(['http:', 'https:']).toContain(url.protocol);
          expect([lio.host, new URL(t.config.baseUrl).hostname], JSON.stringify(headers)).toContain(url.hostname);
          expect(link).not.toContain('evil.example');
        }
      }
    }
    expect(smtp.received.some((m) => m.raw.includes('evil.example'))).toBe(false);
  });
});
