import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startE2E, type E2E } from '../../helpers/browser.js';
import { directoryFactories } from '../../helpers/directory-factories.js';
import { TEST_PASSWORD } from '../../helpers/factories.js';

let e: E2E;
beforeAll(async () => {
  e = await startE2E();
  await directoryFactories(e.t.db).postcode({ postcode: 'RV2 6XY', latitude: 53.81, longitude: -1.54 });
});
afterEach(async () => { await e.endTest(); });
afterAll(async () => { await e?.close(); });

const h1 = async (page: Page) => ((await page.getByRole('heading', { level: 1 }).textContent()) ?? '').trim();
const path = (page: Page) => new URL(page.url()).pathname;
const next = (page: Page) => e.follow(page, () => page.getByRole('button', { name: 'Continue' }).click());

describe('volunteers', () => {
  it('a person registers from the front door, checks their answers, follows the e-mailed link and sets a password; a coordinator finds them and changes their status', async () => {
    const page = await e.newPage();
    await e.visit(page, '/');
    await e.follow(page, () => page.getByRole('link', { name: 'Register to volunteer' }).click());
    expect(await h1(page)).toBe('Register to volunteer');
    await e.follow(page, () => page.getByRole('button', { name: 'Start now' }).click());

    await page.getByLabel('Full name').fill('Iris Achterberg');
    await page.getByLabel('Email address').fill('iris@example.net');
    await next(page);
    await page.getByLabel('Day').fill('12');
    await page.getByLabel('Month').fill('9');
    await page.getByLabel('Year').fill('1992');
    await next(page);
    // A postcode we cannot find is said clearly, and the page keeps what was typed.
    await page.getByLabel('What is your postcode?').fill('RV2 9ZZ');
    await next(page);
    expect(await page.locator('.govuk-error-summary').textContent()).toContain('We could not find the postcode RV2 9ZZ');
    await page.getByLabel('What is your postcode?').fill('rv2 6xy');
    await next(page);
    await page.getByLabel('How far will you travel to volunteer? (optional)').fill('10');
    await next(page);
    await page.getByLabel('In person').check();
    await next(page);
    await page.getByLabel('Gardening and outdoors').check();
    await next(page);
    await next(page); // interests
    await page.getByLabel('Environment').check();
    await next(page);
    await page.getByLabel('Which languages do you speak? (optional)').fill('English, Dutch');
    await next(page);
    await page.getByRole('group', { name: 'Saturday' }).getByLabel('Morning').check();
    await next(page);
    await next(page); // access needs
    await page.getByLabel('Yes').check();
    await next(page);
    await page.getByLabel('I agree to you keeping my volunteer record').check();
    await next(page);

    expect(path(page)).toBe('/volunteer/register/check-answers');
    const answers = page.getByTestId('answers');
    expect(await answers.textContent()).toContain('Saturday morning');
    // Change an answer and come back to check answers.
    await e.follow(page, () => answers.getByRole('link', { name: 'Change languages' }).click());
    await page.getByLabel('Which languages do you speak? (optional)').fill('English, Dutch, German');
    await next(page);
    expect(path(page)).toBe('/volunteer/register/check-answers');
    expect(await answers.textContent()).toContain('English, Dutch, German');
    await e.follow(page, () => page.getByRole('button', { name: 'Register as a volunteer' }).click());
    expect(await h1(page)).toContain('Check your email to finish registering');

    const mail = await e.t.db.withTenant(e.lio.id, (tx) => tx.selectFrom('email_messages').select('body_text').where('to_address', '=', 'iris@example.net').executeTakeFirstOrThrow());
    const link = /\/volunteer\/register\/confirm\/\S+/.exec(mail.body_text)![0];
    await e.visit(page, link);
    expect(await h1(page)).toBe('Email address confirmed');
    await page.getByLabel('Password', { exact: true }).fill('tulips by the canal');
    await page.getByLabel('Confirm password').fill('tulips by the canal');
    await e.follow(page, () => page.getByRole('button', { name: 'Set password' }).click());
    expect(path(page)).toBe('/sign-in');
    await page.getByLabel('Email address').fill('iris@example.net');
    await page.getByLabel('Password', { exact: true }).fill('tulips by the canal');
    await e.follow(page, () => page.getByRole('button', { name: 'Sign in' }).click());
    expect(path(page)).toBe('/my-volunteering');
    expect(await page.getByTestId('status').textContent()).toBe('New');
    await e.follow(page, () => page.getByRole('button', { name: 'Change your profile' }).click());
    expect(await h1(page)).toBe('Change your volunteer profile');

    const coordinator = await e.t.make.user(e.lio, { role: 'staff', permissionSets: ['volunteer_coordinator'], name: 'Cora Ordinator' });
    const staff = await e.newPage();
    await e.signIn(staff, { email: coordinator.email, password: TEST_PASSWORD });
    await e.openFromMenu(staff, 'Volunteering', 'Volunteers');
    await staff.getByLabel('Name, email address or postcode').fill('achterberg');
    await e.follow(staff, () => staff.getByRole('button', { name: 'Search volunteers' }).click());
    await e.follow(staff, () => staff.getByRole('link', { name: 'Iris Achterberg' }).click());
    expect(await h1(staff)).toBe('Iris Achterberg');
    await staff.getByLabel('Active', { exact: true }).check();
    await e.follow(staff, () => staff.getByRole('button', { name: 'Save status' }).click());
    expect(await staff.getByTestId('status').textContent()).toBe('Active');
    expect(await staff.getByTestId('history').textContent()).toContain('Status changed from New to Active');
    // She rings to say she is free on Tuesday evenings now: the coordinator changes her profile for her.
    await e.follow(staff, () => staff.getByRole('link', { name: 'Change their profile' }).click());
    expect(await h1(staff)).toBe('Change Iris Achterberg’s profile');
    await staff.getByLabel('Full name').fill('');
    await e.follow(staff, () => staff.getByRole('button', { name: 'Save profile' }).click());
    expect(await staff.locator('.govuk-error-summary').textContent()).toContain('Enter their full name');
    await staff.getByLabel('Full name').fill('Iris Achterberg');
    await staff.getByRole('group', { name: 'Tuesday' }).getByLabel('Evening').check();
    await e.follow(staff, () => staff.getByRole('button', { name: 'Save profile' }).click());
    expect(await staff.getByTestId('profile').textContent()).toContain('Tuesday evening');
    expect(await staff.getByTestId('history').textContent()).toContain('Changed their profile for them');

    await e.openFromMenu(staff, 'Volunteering', 'Register a volunteer');
    expect(await h1(staff)).toBe('Register a volunteer');
  });
});
