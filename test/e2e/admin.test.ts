import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { errorSummary, flash, navigationItems, startE2E, type E2E } from '../helpers/browser.js';

let e: E2E;
beforeAll(async () => { e = await startE2E(); });
afterEach(async () => { await e.endTest(); });
afterAll(async () => { await e?.close(); });

const callApi = (token: string) => fetch(`${e.baseUrl}/api/v1/lio`, { headers: { authorization: `Bearer ${token}` } });

describe('API tokens and the audit log', () => {
  it('an admin creates a read token, sees it once, revokes it, and finds both in the audit log', async () => {
    const admin = await e.t.make.user(e.lio, { role: 'admin', name: 'Tom Tokens' });
    const page = await e.newPage();
    await e.signIn(page, admin);
    await e.openFromMenu(page, 'Admin', 'API tokens');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('API tokens');

    // A token needs a name and a scope.
    await e.follow(page, () => page.getByRole('button', { name: 'Create token' }).click());
    expect((await errorSummary(page)).errors.map((x) => x.href)).toEqual(expect.arrayContaining(['#name', '#scope']));

    await page.getByLabel('Name', { exact: true }).fill('Council directory sync');
    await page.getByLabel('Read only').check();
    await e.follow(page, () => page.getByRole('button', { name: 'Create token' }).click());
    expect(await page.getByRole('heading', { name: 'Token created' }).count()).toBe(1);
    const token = ((await page.getByTestId('new-token').textContent()) ?? '').trim();
    expect(token.length).toBeGreaterThan(30);
    const row = page.getByRole('row').filter({ hasText: 'Council directory sync' });
    expect(await row.textContent()).toContain('read');
    expect(await row.textContent()).toContain(`…${token.slice(-4)}`);
    expect((await callApi(token)).status).toBe(200);

    // Shown once: the list on its own never shows the token again.
    await e.visit(page, '/admin/api-tokens');
    expect(await page.getByTestId('new-token').count()).toBe(0);
    expect(await page.content()).not.toContain(token);

    await e.follow(page, () => row.getByRole('button', { name: 'Revoke Council directory sync' }).click());
    expect(await flash(page)).toBe('Token revoked: it no longer works');
    expect(await page.getByRole('row').filter({ hasText: 'Council directory sync' }).textContent()).toContain('Revoked');
    expect((await callApi(token)).status).toBe(401);

    await e.openFromMenu(page, 'Admin', 'Audit log');
    const actions = async () => (await page.getByTestId('audit-table').locator('tbody tr td:nth-child(3)').allTextContents()).map((a) => a.trim());
    expect(await actions()).toEqual(expect.arrayContaining(['api_token.created', 'api_token.revoked', 'sign_in.succeeded']));

    await page.getByLabel('Action').selectOption('api_token.revoked');
    await e.follow(page, () => page.getByRole('button', { name: 'Filter' }).click());
    expect(new URL(page.url()).searchParams.get('action')).toBe('api_token.revoked');
    expect(await actions()).toEqual(['api_token.revoked']);
    expect(await page.getByTestId('audit-table').locator('tbody tr').first().textContent()).toContain(admin.email);
    expect(await page.getByLabel('Action').inputValue()).toBe('api_token.revoked');

    await page.getByLabel('Action').selectOption('api_token.created');
    await e.follow(page, () => page.getByRole('button', { name: 'Filter' }).click());
    expect(await actions()).toEqual(['api_token.created']);

    // Filters combine: everything this admin did, then only their sign-ins.
    await page.getByLabel('Action').selectOption('');
    await page.getByLabel('Person').fill(admin.email);
    await e.follow(page, () => page.getByRole('button', { name: 'Filter' }).click());
    const mine = await actions();
    expect(mine).toEqual(expect.arrayContaining(['api_token.created', 'api_token.revoked', 'sign_in.succeeded']));
    // Named as people know them, with the address they signed in with under the name.
    for (const who of await page.getByTestId('audit-table').locator('tbody tr td:nth-child(2) [data-who]').allTextContents()) expect(who.trim()).toBe('Tom Tokens');
    for (const label of await page.getByTestId('audit-table').locator('tbody tr td:nth-child(2) [data-label]').allTextContents()) expect(label.trim()).toBe(admin.email);
    await page.getByLabel('Action').selectOption('sign_in.succeeded');
    await e.follow(page, () => page.getByRole('button', { name: 'Filter' }).click());
    expect(await actions()).toEqual(['sign_in.succeeded']);
  });
});

describe('refusals, missing pages and the pages everyone can open', () => {
  it('a volunteer asking for an admin page gets the 403 page; an unknown address gets the 404 page', async () => {
    const volunteer = await e.t.make.user(e.lio, { role: 'volunteer' });
    const page = await e.newPage();
    await e.signIn(page, volunteer);
    expect(await navigationItems(page)).not.toContain('Users');

    const refused = await e.visit(page, '/admin/users');
    expect(refused?.status()).toBe(403);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('You cannot see this page');
    expect(await page.title()).toContain('You cannot see this page');

    const missing = await e.visit(page, '/no/such/page');
    expect(missing?.status()).toBe(404);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Page not found');
    await e.follow(page, () => page.getByRole('link', { name: 'Go to the home page' }).click());
    expect(await page.getByTestId('signed-in-user').count()).toBe(1);
  });

  it('the footer links open the accessibility statement, the privacy notice and the API reference', async () => {
    const page = await e.newPage();
    await e.visit(page, '/');
    const footer = page.getByRole('contentinfo');
    await e.follow(page, () => footer.getByRole('link', { name: 'Accessibility statement' }).click());
    expect(new URL(page.url()).pathname).toBe('/accessibility');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Accessibility statement');
    await e.follow(page, () => footer.getByRole('link', { name: 'Privacy notice' }).click());
    expect(new URL(page.url()).pathname).toBe('/privacy');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Privacy notice');
    await e.follow(page, () => footer.getByRole('link', { name: 'API reference' }).click());
    expect(new URL(page.url()).pathname).toBe('/api/reference');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('API reference');
    expect(await page.locator('main').textContent()).toContain('/api/v1/');
    // This is Common Ground, not GOV.UK: no crown, no Crown copyright.
    expect(await footer.textContent()).not.toContain('Crown');
    expect(await page.locator('.govuk-footer__crown, .govuk-footer__copyright-logo').count()).toBe(0);
  });

  it('a form sent without its anti-forgery token is refused with a clear page, not an error', async () => {
    const page = await e.newPage();
    await e.visit(page, '/sign-in');
    // As if the form had sat open while its cookie expired.
    await page.context().clearCookies();
    await page.getByLabel('Email address').fill('someone@example.org');
    await page.getByLabel('Password', { exact: true }).fill('any password at all');
    const refused = page.waitForResponse((r) => r.request().method() === 'POST');
    await e.follow(page, () => page.getByRole('button', { name: 'Sign in' }).click());
    expect((await refused).status()).toBe(403);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Your form could not be accepted');
  });

  it('on a phone-sized screen the menu opens from its button and wide tables do not spill off the page', async () => {
    const admin = await e.t.make.user(e.lio, { role: 'admin', name: 'Phoebe Phone' });
    const page = await e.newPage();
    await page.setViewportSize({ width: 360, height: 740 });
    await e.signIn(page, admin);
    const nav = page.getByRole('navigation', { name: 'Main menu' });
    expect(await nav.getByRole('link', { name: 'Admin' }).isVisible()).toBe(false);
    await nav.getByRole('button', { name: 'Menu' }).click();
    expect(await nav.getByRole('link', { name: 'Admin' }).isVisible()).toBe(true);
    await e.checkAccessibility(page);

    for (const path of ['/admin/audit', '/admin/users', '/admin/api-tokens']) {
      await e.visit(page, path);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, `${path} is wider than the screen`).toBeLessThanOrEqual(0);
    }
  });

  it('an adviser adds an organisation to the register', async () => {
    const adviser = await e.t.make.user(e.lio, { role: 'staff', permissionSets: ['adviser'], name: 'Ada Adviser' });
    const page = await e.newPage();
    await e.signIn(page, adviser);
    await e.openFromMenu(page, 'Directory', 'Organisations');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Organisations');

    await e.follow(page, () => page.getByRole('button', { name: 'Add an organisation' }).or(page.getByRole('link', { name: 'Add an organisation' })).first().click());
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Add an organisation');
    await e.follow(page, () => page.getByRole('button', { name: 'Add organisation' }).click());
    expect((await errorSummary(page)).errors.map((x) => x.href)).toContain('#name');

    const name = `Riverside Food Bank ${Date.now()}`;
    await page.locator('#name').fill(name);
    await e.follow(page, () => page.getByRole('button', { name: 'Add organisation' }).click());
    expect(await flash(page)).toContain(name);

    await e.visit(page, '/organisations');
    expect(await page.getByRole('link', { name }).count()).toBe(1);
  });
});
