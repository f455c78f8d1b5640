import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../src/platform/db/schema.js';
import { errorSummary, flash, focusedId, navigationItems, startE2E, type E2E } from '../helpers/browser.js';

/** The service navigation names areas; an area's pages are in its side navigation. */
const ADMIN_ITEMS = ['Directory', 'Admin'];

let e: E2E;
beforeAll(async () => { e = await startE2E(); });
afterEach(async () => { await e.endTest(); });
afterAll(async () => { await e?.close(); });

describe('signing in and out, for each role', () => {
  const roles: { role: Role; label: string; sees: string[]; doesNotSee: string[] }[] = [
    { role: 'admin', label: 'LIO admin', sees: ADMIN_ITEMS, doesNotSee: [] },
    { role: 'staff', label: 'LIO staff', sees: ['Directory'], doesNotSee: ['Admin'] },
    { role: 'group_member', label: 'Group member', sees: [], doesNotSee: ['Admin'] },
    { role: 'volunteer', label: 'Volunteer', sees: [], doesNotSee: ['Admin'] },
    { role: 'partner', label: 'Partner', sees: [], doesNotSee: ['Admin'] },
    { role: 'network', label: 'Network', sees: [], doesNotSee: ['Admin'] },
  ];

  it.each(roles)('$label: signs in, sees their name, role and only their navigation, and signs out', async ({ role, label, sees, doesNotSee }) => {
    const name = `Pat ${label.replace(/\W/g, '')}`;
    const user = await e.t.make.user(e.lio, { role, name });
    const page = await e.newPage();

    await e.visit(page, '/');
    expect(await page.getByTestId('signed-in-user').count()).toBe(0);
    await e.follow(page, () => page.getByRole('link', { name: 'Sign in' }).first().click());
    await page.getByLabel('Email address').fill(user.email);
    await page.getByLabel('Password', { exact: true }).fill(user.password);
    await e.follow(page, () => page.getByRole('button', { name: 'Sign in' }).click());

    expect(new URL(page.url()).pathname).toBe('/');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(`Hello, ${name}`);
    expect(await page.getByTestId('signed-in-user').textContent()).toBe(name);
    expect(await page.getByTestId('role').textContent()).toBe(label);
    const nav = await navigationItems(page);
    expect(nav).toContain('Home');
    for (const item of sees) expect(nav).toContain(item);
    for (const item of doesNotSee) expect(nav).not.toContain(item);

    await e.signOut(page);
    expect(await flash(page)).toBe('You have signed out');
    expect(await page.getByTestId('signed-in-user').count()).toBe(0);
    await e.visit(page, '/');
    expect(await page.getByTestId('signed-in-user').count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Sign in' }).count()).toBeGreaterThan(0);
  });
});

describe('signing in with bad input', () => {
  it('shows the error summary for empty fields, and its links take you to the field', async () => {
    const page = await e.newPage();
    await e.visit(page, '/sign-in');
    await e.follow(page, () => page.getByRole('button', { name: 'Sign in' }).click());

    expect(await page.title()).toMatch(/^Error: Sign in/);
    const summary = await errorSummary(page);
    expect(summary.title).toBe('There is a problem');
    expect(summary.errors).toEqual([
      { text: 'Enter an email address', href: '#email' },
      { text: 'Enter your password', href: '#password' },
    ]);
    // GOV.UK Frontend moves focus to the summary when the page loads, so a screen reader reads it first.
    expect(await page.evaluate(() => document.activeElement?.classList.contains('govuk-error-summary'))).toBe(true);
    expect(await page.locator('#email-error').textContent()).toContain('Enter an email address');

    await page.getByRole('link', { name: 'Enter your password' }).click();
    expect(await focusedId(page)).toBe('password');
    await page.getByRole('link', { name: 'Enter an email address' }).click();
    expect(await focusedId(page)).toBe('email');
  });

  it('shows one error for a wrong password, without saying whether the account exists, and keeps the email', async () => {
    const user = await e.t.make.user(e.lio, { role: 'staff' });
    const page = await e.newPage();
    await e.visit(page, '/sign-in');
    await page.getByLabel('Email address').fill(user.email);
    await page.getByLabel('Password', { exact: true }).fill('not the password at all');
    await e.follow(page, () => page.getByRole('button', { name: 'Sign in' }).click());

    const wrong = await errorSummary(page);
    expect(wrong.errors).toHaveLength(1);
    expect(wrong.errors[0]!.href).toBe('#email');
    expect(wrong.errors[0]!.text).toMatch(/^Enter a correct email address and password/);
    expect(await page.getByLabel('Email address').inputValue()).toBe(user.email);
    expect(await page.getByLabel('Password', { exact: true }).inputValue()).toBe('');
    await page.getByRole('link', { name: /Enter a correct email address/ }).click();
    expect(await focusedId(page)).toBe('email');

    // An address with no account gets exactly the same answer.
    await page.getByLabel('Email address').fill('nobody-here@example.org');
    await page.getByLabel('Password', { exact: true }).fill('not the password at all');
    await e.follow(page, () => page.getByRole('button', { name: 'Sign in' }).click());
    expect((await errorSummary(page)).errors).toEqual(wrong.errors);
    expect(await page.getByTestId('signed-in-user').count()).toBe(0);
  });

  it('after five wrong passwords from one place, says to wait on an accessible page, and lets them in once the wait is over', async () => {
    const user = await e.t.make.user(e.lio, { role: 'staff' });
    const page = await e.newPage();
    await e.visit(page, '/sign-in');
    const tryPassword = async (password: string) => {
      await page.getByLabel('Email address').fill(user.email);
      await page.getByLabel('Password', { exact: true }).fill(password);
      await e.follow(page, () => page.getByRole('button', { name: 'Sign in' }).click());
    };
    for (let i = 0; i < e.t.config.signInThrottle.perAccountFromAddress; i++) await tryPassword(`wrong guess ${i}`);
    await tryPassword(user.password);
    const held = await errorSummary(page);
    expect(held.errors).toEqual([{ href: '#email', text: 'Too many attempts to sign in. Wait 1 minute, then try again, or reset your password.' }]);
    expect(await page.getByTestId('signed-in-user').count()).toBe(0);
    e.t.clock.advance(61_000);
    await tryPassword(user.password);
    expect(await page.getByTestId('signed-in-user').count()).toBe(1);
  });

  it('shows a malformed email address as a field error', async () => {
    const page = await e.newPage();
    await e.visit(page, '/sign-in');
    await page.getByLabel('Email address').fill('not-an-email');
    await page.getByLabel('Password', { exact: true }).fill('whatever it is');
    await e.follow(page, () => page.getByRole('button', { name: 'Sign in' }).click());
    expect((await errorSummary(page)).errors).toEqual([{ text: 'Enter an email address in the correct format, like name@example.org', href: '#email' }]);
  });
});

describe('without JavaScript', () => {
  it('an admin can sign in, use the navigation, submit a form with errors and sign out', async () => {
    const admin = await e.t.make.user(e.lio, { role: 'admin', name: 'Noah Script' });
    const page = await e.newPage({ javaScriptEnabled: false });

    await e.visit(page, '/sign-in');
    // GOV.UK Frontend's scripts did not run: the page is the plain HTML one.
    expect(await page.locator('body.govuk-frontend-supported').count()).toBe(0);
    await e.follow(page, () => page.getByRole('button', { name: 'Sign in' }).click());
    expect((await errorSummary(page)).errors.map((x) => x.href)).toEqual(['#email', '#password']);
    // Without a script the summary's links are ordinary links to the fields.
    await page.getByRole('link', { name: 'Enter an email address' }).click();
    expect(new URL(page.url()).hash).toBe('#email');

    await page.getByLabel('Email address').fill(admin.email);
    await page.getByLabel('Password', { exact: true }).fill(admin.password);
    await e.follow(page, () => page.getByRole('button', { name: 'Sign in' }).click());
    expect(await page.getByTestId('signed-in-user').textContent()).toBe('Noah Script');
    for (const item of ADMIN_ITEMS) expect(await navigationItems(page)).toContain(item);

    await e.openFromMenu(page, 'Admin', 'Users');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Users');
    await e.follow(page, () => page.getByRole('button', { name: 'Invite a user' }).or(page.getByRole('link', { name: 'Invite a user' })).first().click());
    await e.follow(page, () => page.getByRole('button', { name: 'Send invitation' }).click());
    const summary = await errorSummary(page);
    expect(summary.title).toBe('There is a problem');
    expect(summary.errors.map((x) => x.href)).toEqual(expect.arrayContaining(['#displayName', '#email', '#role']));

    await e.signOut(page);
    expect(await flash(page)).toBe('You have signed out');
    await e.visit(page, '/admin/users');
    expect(new URL(page.url()).pathname).toBe('/sign-in');
  });
});
