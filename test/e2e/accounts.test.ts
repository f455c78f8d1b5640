import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { errorSummary, flash, startE2E, type E2E } from '../helpers/browser.js';

let e: E2E;
beforeAll(async () => { e = await startE2E(); });
afterEach(async () => { await e.endTest(); });
afterAll(async () => { await e?.close(); });

/** The value of the summary-list row with this key, within a page or a part of one. */
const summaryRow = (scope: Page | Locator, key: string) =>
  scope.locator(`.govuk-summary-list__row:has(.govuk-summary-list__key:text-is(${JSON.stringify(key)})) .govuk-summary-list__value`);

describe('inviting a member of staff', () => {
  it('an admin invites; the invitation waits in the Outbox; the person sets a password from its link and signs in', async () => {
    const admin = await e.t.make.user(e.lio, { role: 'admin', name: 'Ines Inviter' });
    const adminPage = await e.newPage();
    await e.signIn(adminPage, admin);

    await e.openFromMenu(adminPage, 'Admin', 'Users');
    await e.follow(adminPage, () => adminPage.getByRole('button', { name: 'Invite a user' }).click());
    expect(await adminPage.getByRole('heading', { level: 1 }).textContent()).toBe('Invite a user');
    const email = `sally-${Date.now()}@example.org`;
    await adminPage.getByLabel('Full name').fill('Sally Staff');
    await adminPage.getByLabel('Email address').fill(email);
    await adminPage.getByLabel('LIO staff', { exact: true }).check();
    await adminPage.getByLabel('Adviser', { exact: true }).check();
    await e.follow(adminPage, () => adminPage.getByRole('button', { name: 'Send invitation' }).click());

    expect(new URL(adminPage.url()).pathname).toBe('/admin/users');
    expect(await flash(adminPage)).toBe(`Invitation sent to ${email}`);
    const row = adminPage.getByRole('row').filter({ hasText: email });
    expect(await row.textContent()).toContain('Sally Staff');
    expect(await row.textContent()).toContain('LIO staff (Adviser)');
    expect(await row.textContent()).toContain('Invited');

    // Inviting the same address again is refused with a clear message.
    await e.visit(adminPage, '/admin/users/invite');
    await adminPage.getByLabel('Full name').fill('Sally Again');
    await adminPage.getByLabel('Email address').fill(email);
    await adminPage.getByLabel('Volunteer', { exact: true }).check();
    await e.follow(adminPage, () => adminPage.getByRole('button', { name: 'Send invitation' }).click());
    expect((await errorSummary(adminPage)).errors).toEqual([{ text: 'There is already an account with this email address', href: '#email' }]);

    const { subject, link } = await e.linkFromOutbox(adminPage, email, '/accept-invite/');
    expect(subject).toBe(`You have been invited to ${e.lio.name} on Common Ground`);
    // No SMTP server in this test: the message is held in the Outbox for an admin to pass on.
    const message = adminPage.getByTestId('outbox-message').filter({ hasText: email }).first();
    expect((await summaryRow(message, 'To').textContent())?.trim()).toBe(email);
    expect((await summaryRow(message, 'Status').textContent())?.trim()).toBe('Outbox');

    // The invited person, in their own browser.
    const page = await e.newPage();
    await e.visit(page, link);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Set up your account');
    expect(await page.locator('main').textContent()).toContain(email);
    await page.getByLabel('New password', { exact: true }).fill('a long and lovely passphrase');
    await page.getByLabel('Confirm new password', { exact: true }).fill('a different long passphrase');
    await e.follow(page, () => page.getByRole('button', { name: 'Save password' }).click());
    expect((await errorSummary(page)).errors).toEqual([{ text: 'The passwords do not match', href: '#confirmPassword' }]);
    expect(await page.locator('#confirmPassword-error').textContent()).toContain('The passwords do not match');

    await page.getByLabel('New password', { exact: true }).fill('a long and lovely passphrase');
    await page.getByLabel('Confirm new password', { exact: true }).fill('a long and lovely passphrase');
    await e.follow(page, () => page.getByRole('button', { name: 'Save password' }).click());
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    expect(await flash(page)).toBe('Your account is ready. Sign in with your new password.');

    await e.signIn(page, { email, password: 'a long and lovely passphrase' });
    expect(await page.getByTestId('signed-in-user').textContent()).toBe('Sally Staff');
    expect(await page.getByTestId('role').textContent()).toBe('LIO staff');
    expect(await page.locator('main').textContent()).toContain('(Adviser)');

    // The admin sees the account is active now.
    await e.visit(adminPage, '/admin/users');
    expect(await adminPage.getByRole('row').filter({ hasText: email }).textContent()).toContain('Active');
  });
});

describe('forgetting a password', () => {
  it('resets it through the e-mailed link, signs in with the new one, and the link cannot be used again', async () => {
    const admin = await e.t.make.user(e.lio, { role: 'admin' });
    const user = await e.t.make.user(e.lio, { role: 'volunteer', name: 'Fran Forgetful' });
    const page = await e.newPage();

    await e.visit(page, '/sign-in');
    await e.follow(page, () => page.getByRole('link', { name: 'I have forgotten my password' }).click());
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Reset your password');
    await e.follow(page, () => page.getByRole('button', { name: 'Send the link' }).click());
    expect((await errorSummary(page)).errors).toEqual([{ text: 'Enter an email address', href: '#email' }]);
    await page.getByLabel('Email address').fill(user.email);
    await e.follow(page, () => page.getByRole('button', { name: 'Send the link' }).click());
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Check your email');

    const adminPage = await e.newPage();
    await e.signIn(adminPage, admin);
    const { subject, link } = await e.linkFromOutbox(adminPage, user.email, '/reset-password/');
    expect(subject).toBe(`Reset your password for ${e.lio.name}`);

    await e.visit(page, link);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Choose a new password');
    await page.getByLabel('New password', { exact: true }).fill('short');
    await page.getByLabel('Confirm new password', { exact: true }).fill('short');
    await e.follow(page, () => page.getByRole('button', { name: 'Save password' }).click());
    expect((await errorSummary(page)).errors[0]).toEqual({ text: expect.stringMatching(/^Your password must be at least \d+ characters$/), href: '#password' });

    const newPassword = 'my brand new remembered passphrase';
    await page.getByLabel('New password', { exact: true }).fill(newPassword);
    await page.getByLabel('Confirm new password', { exact: true }).fill(newPassword);
    await e.follow(page, () => page.getByRole('button', { name: 'Save password' }).click());
    expect(await flash(page)).toBe('Your password has been changed. Sign in with your new password.');

    // The old password no longer works; the new one does.
    await page.getByLabel('Email address').fill(user.email);
    await page.getByLabel('Password', { exact: true }).fill(user.password);
    await e.follow(page, () => page.getByRole('button', { name: 'Sign in' }).click());
    expect((await errorSummary(page)).errors).toHaveLength(1);
    await e.signIn(page, { email: user.email, password: newPassword });
    expect(await page.getByTestId('signed-in-user').textContent()).toBe('Fran Forgetful');

    const response = await e.visit(page, link);
    expect(response?.status()).toBe(410);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('This link has already been used');
    await e.follow(page, () => page.getByRole('link', { name: 'Ask for a new link' }).click());
    expect(new URL(page.url()).pathname).toBe('/forgot-password');
  });
});

describe('managing an account', () => {
  it('an admin changes a user’s role and then disables the account', async () => {
    const admin = await e.t.make.user(e.lio, { role: 'admin', name: 'Ada Manager' });
    const user = await e.t.make.user(e.lio, { role: 'volunteer', name: 'Vera Changed' });
    const userPage = await e.newPage();
    await e.signIn(userPage, user);
    expect(await userPage.getByTestId('role').textContent()).toBe('Volunteer');

    const page = await e.newPage();
    await e.signIn(page, admin);
    await e.visit(page, '/admin/users');
    await e.follow(page, () => page.getByRole('link', { name: 'Vera Changed' }).click());
    expect(new URL(page.url()).pathname).toBe(`/admin/users/${user.id}`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Vera Changed');
    expect(await summaryRow(page, 'Role').textContent()).toContain('Volunteer');

    // LIO staff need a permission set: leaving them all out is an error on that field.
    await page.getByLabel('LIO staff', { exact: true }).check();
    await e.follow(page, () => page.getByRole('button', { name: 'Save role' }).click());
    expect((await errorSummary(page)).errors).toEqual([{ text: 'Select at least one permission set for LIO staff', href: '#permissionSets' }]);
    expect(await page.getByLabel('LIO staff', { exact: true }).isChecked()).toBe(true);

    await page.getByLabel('Helpline', { exact: true }).check();
    await e.follow(page, () => page.getByRole('button', { name: 'Save role' }).click());
    expect(await flash(page)).toBe('Role updated');
    expect(await summaryRow(page, 'Role').textContent()).toContain('LIO staff');

    // The person's next page shows the new role and its navigation.
    await e.visit(userPage, '/');
    expect(await userPage.getByTestId('role').textContent()).toBe('LIO staff');
    expect(await userPage.locator('main').textContent()).toContain('(Helpline)');

    await e.follow(page, () => page.getByRole('button', { name: 'Disable account' }).click());
    expect(await flash(page)).toBe('Account disabled');
    expect(await summaryRow(page, 'Status').textContent()).toContain('Disabled');
    expect(await page.getByRole('button', { name: 'Enable account' }).count()).toBe(1);

    // Disabling signs the person out everywhere and stops them signing in.
    await e.visit(userPage, '/');
    expect(await userPage.getByTestId('signed-in-user').count()).toBe(0);
    await e.visit(userPage, '/sign-in');
    await userPage.getByLabel('Email address').fill(user.email);
    await userPage.getByLabel('Password', { exact: true }).fill(user.password);
    await e.follow(userPage, () => userPage.getByRole('button', { name: 'Sign in' }).click());
    expect((await errorSummary(userPage)).errors).toHaveLength(1);
    expect(await userPage.getByTestId('signed-in-user').count()).toBe(0);

    // An admin cannot disable their own account.
    await e.visit(page, `/admin/users/${admin.id}`);
    await e.follow(page, () => page.getByRole('button', { name: 'Disable account' }).click());
    expect((await errorSummary(page)).errors).toEqual([{ text: 'You cannot disable your own account', href: '#disable' }]);
  });
});
