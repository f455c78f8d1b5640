import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { E2E_TIMEOUTS, errorSummary, flash, startE2E, type E2E } from '../../helpers/browser.js';
import { fundingFactories } from '../../helpers/funding-factories.js';
import { sendDigests } from '../../../src/support/funding/jobs.js';

let e: E2E;
beforeAll(async () => { e = await startE2E(); }, E2E_TIMEOUTS.hookTimeout);
afterEach(async () => { await e.endTest(); });
afterAll(async () => { await e?.close(); });

const soon = new Date(Date.now() + 9 * 86_400_000);

describe('funding opportunities in the browser', () => {
  it('an adviser adds an opportunity; the group member sees it ranked first with why; every page passes axe', async () => {
    const pantry = await e.t.make.organisation(e.lio, { name: 'Brook Street Pantry' });
    await fundingFactories(e.t.db).profile(e.lio, pantry.id, { themes: ['food', 'older'], areas: ['Northgate'], type: 'registered_charity', income: '10k_100k' });
    await fundingFactories(e.t.db).opportunity(e.lio, { programme: 'Rolling Small Grants', inDays: null });
    await fundingFactories(e.t.db).opportunity(e.lio, { programme: 'Hillside Fund', areas: ['Hillside'] });
    const adviser = await e.t.make.user(e.lio, { role: 'staff', permissionSets: ['adviser'] });
    const member = await e.t.make.user(e.lio, { role: 'group_member', organisationId: pantry.id });

    const staff = await e.newPage();
    await e.signIn(staff, adviser);
    await e.openFromMenu(staff, 'Support for groups', 'Funding opportunities');
    await e.follow(staff, () => staff.getByRole('button', { name: 'Add a funding opportunity' }).click());
    await staff.getByLabel('Funder', { exact: true }).fill('Northgate Fund');
    await e.follow(staff, () => staff.getByRole('button', { name: 'Save' }).click());
    expect((await errorSummary(staff)).errors.map((x) => x.href)).toEqual(['#programme', '#summary', '#deadline-day']);
    await staff.getByLabel('Programme', { exact: true }).fill('Food in Winter');
    await staff.getByLabel('What it funds').fill('Food and warmth for older people this winter.');
    await staff.getByLabel('Largest grant (optional)').fill('£7,500');
    await staff.getByLabel('Yes, it has a deadline').check();
    await staff.getByLabel('Day').fill(String(soon.getUTCDate()));
    await staff.getByLabel('Month').fill(String(soon.getUTCMonth() + 1));
    await staff.getByLabel('Year').fill(String(soon.getUTCFullYear()));
    await staff.getByLabel('Food', { exact: true }).check();
    await staff.getByLabel('Older people').check();
    await staff.getByLabel('Areas it funds in (optional)').fill('Northgate');
    await e.follow(staff, () => staff.getByRole('button', { name: 'Save' }).click());
    expect(await flash(staff)).toBe('Funding opportunity added');
    expect(await staff.getByTestId('opportunity').textContent()).toContain('up to £7,500');
    await e.follow(staff, () => staff.getByRole('button', { name: 'Change' }).click());
    await e.follow(staff, () => staff.getByRole('link', { name: 'Cancel' }).click());
    await e.visit(staff, '/support/funding?show=closing');
    await staff.getByLabel('Organisation').selectOption({ label: 'Brook Street Pantry' });
    await e.follow(staff, () => staff.getByRole('button', { name: 'Show funding that fits' }).click());
    expect(await staff.getByTestId('eligible').getByRole('heading').first().textContent()).toBe('Food in Winter (Northgate Fund)');

    const group = await e.newPage();
    await e.signIn(group, member);
    await e.openFromMenu(group, 'Support for groups', 'Funding for your group');
    const first = group.getByTestId('eligible').getByTestId('fitting-opportunity').first();
    expect(await first.getByRole('heading').textContent()).toBe('Food in Winter (Northgate Fund)');
    expect(await first.getByTestId('why').textContent()).toBe('Works on food and older people, like you; funds Northgate; closes in 9 days.');
    expect(await group.getByTestId('not-eligible').textContent()).toContain('funds only in Hillside');
    await e.follow(group, () => group.getByRole('button', { name: 'Stop funding e-mails' }).click());
    expect(await flash(group)).toBe('You will not get funding e-mails');

    await e.visit(staff, '/support/funding');
    await e.follow(staff, () => staff.getByRole('link', { name: 'Food in Winter' }).click());
    await e.follow(staff, () => staff.getByRole('button', { name: 'Withdraw' }).click());
    expect(await flash(staff)).toBe('Funding opportunity withdrawn: groups no longer see it');
  }, E2E_TIMEOUTS.testTimeout);
});

describe('stopping funding e-mails from the link in one', () => {
  it('a group member opens the link from a digest without signing in and stops the e-mails; the link used again and a forged one get clear pages', async () => {
    const pantry = await e.t.make.organisation(e.lio, { name: 'Link Lane Pantry' });
    const member = await e.t.make.user(e.lio, { role: 'group_member', organisationId: pantry.id });
    await fundingFactories(e.t.db).opportunity(e.lio, { programme: 'Stop Link Grants', inDays: null });
    await sendDigests({ db: e.t.db, clock: e.t.clock, jobs: e.t.app.jobs, config: e.t.config }, e.lio.id, 'https://cvs.example');
    const mail = await e.t.db.withTenant(e.lio.id, (tx) => tx.selectFrom('email_messages').select('body_text').where('to_address', '=', member.email).executeTakeFirstOrThrow());
    const link = /To stop these e-mails: https:\/\/cvs\.example(\S+)/.exec(mail.body_text)![1]!;

    const page = await e.newPage();
    await e.visit(page, link);
    expect(await page.locator('main').textContent()).toContain(member.email);
    await e.follow(page, () => page.getByRole('button', { name: 'Stop funding e-mails' }).click());
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Funding e-mails stopped');
    await e.visit(page, link);
    expect(await page.getByTestId('outcome').textContent()).toContain('already stopped');
    const forged = await e.visit(page, `${link.slice(0, -4)}beef`);
    expect(forged?.status()).toBe(404);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('We do not recognise this link');
  });
});
