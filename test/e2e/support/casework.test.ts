import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { E2E_TIMEOUTS, errorSummary, flash, startE2E, type E2E } from '../../helpers/browser.js';
import { directoryFactories } from '../../helpers/directory-factories.js';
import { EXE, PDF, caseworkFactories } from '../../helpers/casework-factories.js';
import { supportFiguresFactories } from '../../helpers/support-figures-factories.js';
import { londonDay } from '../../../src/platform/validation/dates.js';
import { quarterOf } from '../../../src/support/figures/service.js';

let e: E2E;
beforeAll(async () => { e = await startE2E(); }, E2E_TIMEOUTS.hookTimeout);
afterEach(async () => { await e.endTest(); });
afterAll(async () => { await e?.close(); });

const today = new Date();
const fillDate = async (page: import('playwright-core').Page, field: string, d: Date) => {
  await page.locator(`#${field}-day`).fill(String(d.getUTCDate()));
  await page.locator(`#${field}-month`).fill(String(d.getUTCMonth() + 1));
  await page.locator(`#${field}-year`).fill(String(d.getUTCFullYear()));
};

describe('casework with groups in the browser', () => {
  it('a group asks for help with a bid; the adviser takes it, notes the time, uploads a document, records the application and its award, and the leverage figure moves; the group sees the progress', async () => {
    const org = await directoryFactories(e.t.db).organisation(e.lio, { name: 'Weavers Food Share' });
    const groupUser = await e.t.make.user(e.lio, { role: 'group_member', organisationId: org.id, name: 'Gwen Weaver' });
    const adviserUser = await e.t.make.user(e.lio, { role: 'staff', permissionSets: ['adviser'], name: 'Ada Adviser' });
    // The quarter's spend on support so far, as the admin enters it: the leverage figure divides by it.
    const londonToday = londonDay(e.t.clock.now());
    await supportFiguresFactories(e.t.db).spend(e.lio, { from: quarterOf(londonToday).from, to: londonToday, amount: '1000.00', description: 'Development worker' });

    const group = await e.newPage();
    await e.signIn(group, groupUser);
    await e.openFromMenu(group, 'Support for groups', 'Our support');
    await e.follow(group, () => group.getByRole('button', { name: 'Ask for support' }).click());
    await e.follow(group, () => group.getByRole('button', { name: 'Send the request' }).click());
    expect((await errorSummary(group)).errors).toContainEqual({ text: 'Choose what you would like support with', href: '#topic' });
    await group.getByLabel('Funding and bids').check();
    await group.getByLabel('What do you need?').fill('Help with our first bid to the Lottery for a new freezer.');
    await group.getByLabel('By email').check();
    await e.follow(group, () => group.getByRole('button', { name: 'Send the request' }).click());
    expect(await flash(group)).toBe('Thank you: we have your request and an adviser will be in touch');
    const caseUrl = group.url();

    const adviser = await e.newPage();
    await e.signIn(adviser, adviserUser);
    await e.follow(adviser, () => adviser.getByRole('link', { name: /new request no one has taken/ }).click());
    await e.follow(adviser, () => adviser.getByRole('link', { name: /Help with our first bid/ }).click());
    await e.follow(adviser, () => adviser.getByRole('button', { name: 'Assign to me' }).click());
    expect(await flash(adviser)).toBe('The case is yours');
    const adviserCaseUrl = adviser.url();
    await e.visit(adviser, '/');
    const leverage = adviser.locator('[data-panel="support-figures"] [data-figure="Leverage this quarter"]');
    expect(await leverage.textContent()).toContain('£0.00 for every £1');
    await e.visit(adviser, new URL(adviserCaseUrl).pathname);

    await e.follow(adviser, () => adviser.getByRole('button', { name: 'Add a note' }).click());
    await adviser.getByLabel('What was done or said').fill('Called Gwen: went through the outcomes the funder asks for.');
    await adviser.getByLabel('Hours').fill('1');
    await adviser.getByLabel('Minutes').fill('15');
    await adviser.getByLabel('Share this note with the group').check();
    await e.follow(adviser, () => adviser.getByRole('button', { name: 'Add the note' }).click());
    expect(await flash(adviser)).toBe('Note added');
    expect(await adviser.getByTestId('total-time').textContent()).toContain('1 hour 15 minutes');

    await e.follow(adviser, () => adviser.getByRole('link', { name: 'Upload a document' }).click());
    await adviser.getByLabel('Document').setInputFiles({ name: 'bid.pdf', mimeType: 'application/pdf', buffer: EXE });
    await e.follow(adviser, () => adviser.getByRole('button', { name: 'Upload' }).click());
    expect((await errorSummary(adviser)).errors).toEqual([{ text: expect.stringContaining('The file must be PDF'), href: '#file' }]);
    await adviser.getByLabel('Document').setInputFiles({ name: 'bid.pdf', mimeType: 'application/pdf', buffer: PDF });
    await e.follow(adviser, () => adviser.getByRole('button', { name: 'Upload' }).click());
    expect(await flash(adviser)).toBe('Document uploaded');
    expect(await adviser.getByTestId('documents').textContent()).toContain('bid.pdf');

    await e.follow(adviser, () => adviser.getByRole('link', { name: 'Record a funding application' }).click());
    await adviser.getByLabel('Funder').fill('National Lottery Community Fund');
    await adviser.getByLabel('Amount asked for').fill('£4,950');
    await adviser.getByLabel('Submitted', { exact: true }).check();
    await fillDate(adviser, 'submitted', today);
    await e.follow(adviser, () => adviser.getByRole('button', { name: 'Save the application' }).click());
    expect(await flash(adviser)).toBe('Funding application recorded');
    await e.follow(adviser, () => adviser.getByRole('link', { name: 'National Lottery Community Fund' }).click());
    await adviser.getByLabel('Awarded', { exact: true }).check();
    await e.follow(adviser, () => adviser.getByRole('button', { name: 'Save the application' }).click());
    expect((await errorSummary(adviser)).errors).toEqual([
      { text: 'Enter the date of the decision', href: '#decision-day' }, { text: 'Enter the amount awarded', href: '#amountAwarded' },
    ]);
    await fillDate(adviser, 'decision', today);
    await adviser.getByLabel('Amount awarded (for an award)').fill('4950');
    await e.follow(adviser, () => adviser.getByRole('button', { name: 'Save the application' }).click());
    expect(await flash(adviser)).toBe('Award of £4,950 recorded');
    expect(await adviser.getByTestId('applications').textContent()).toMatch(/Awarded\s*£4,950/);

    // The award moves the quarter's leverage on the adviser's home page, whose figure leads to the award and this case.
    await e.visit(adviser, '/');
    expect(await leverage.textContent()).toContain('£4.95 for every £1');
    await e.follow(adviser, () => leverage.getByRole('link').click());
    const award = adviser.getByTestId('awards').locator('tbody tr').filter({ hasText: 'National Lottery Community Fund' });
    expect(await award.textContent()).toContain('£4,950.00');
    expect(await award.getByRole('link').getAttribute('href')).toBe(new URL(adviserCaseUrl).pathname);
    await e.visit(adviser, new URL(adviserCaseUrl).pathname);

    await e.follow(adviser, () => adviser.getByRole('button', { name: 'Change the case' }).click());
    await adviser.getByLabel('Waiting on the group').check();
    await adviser.getByLabel('Next action (optional)').fill('Send us the freezer quote');
    await e.follow(adviser, () => adviser.getByRole('button', { name: 'Save changes' }).click());
    expect(await flash(adviser)).toBe('Case updated');

    await e.visit(group, new URL(caseUrl).pathname);
    const seen = await group.getByTestId('summary').textContent();
    expect(seen).toContain('Ada Adviser');
    expect(seen).toContain('Send us the freezer quote');
    expect(await group.getByTestId('messages').textContent()).toContain('went through the outcomes the funder asks for');
    await group.getByLabel('Write to your adviser').fill('Quote attached to an email.');
    await e.follow(group, () => group.getByRole('button', { name: 'Send the message' }).click());
    expect(await flash(group)).toBe('Message sent to your adviser');
  }, E2E_TIMEOUTS.testTimeout);

  it('an adviser opens a case taken by phone, filters the list, records a health check and an outcome, and closes it, without JavaScript', async () => {
    await directoryFactories(e.t.db).organisation(e.lio, { name: 'Canal Side Youth Club' });
    const adviserUser = await e.t.make.user(e.lio, { role: 'staff', permissionSets: ['adviser'] });
    const adviser = await e.newPage({ javaScriptEnabled: false });
    await e.signIn(adviser, adviserUser);
    await e.openFromMenu(adviser, 'Support for groups', 'Open a case');
    await adviser.getByLabel('Organisation').selectOption({ label: 'Canal Side Youth Club' });
    await adviser.getByLabel('Policies and safeguarding').check();
    await adviser.getByLabel('Short title').fill('Safeguarding policy');
    await adviser.getByLabel('What they asked for').fill('A safeguarding policy and a named lead for the Friday club.');
    await adviser.getByLabel('Phone', { exact: true }).check();
    await adviser.getByLabel('Full name').fill('Tom Bright');
    await adviser.getByLabel('Phone number').fill('07700 900321');
    await e.follow(adviser, () => adviser.getByRole('button', { name: 'Open the case' }).click());
    expect(await flash(adviser)).toBe('Case opened');
    const casePath = new URL(adviser.url()).pathname;

    await e.openFromMenu(adviser, 'Support for groups', 'Support cases');
    await adviser.getByLabel('Title or reference').fill('Safeguarding');
    await e.follow(adviser, () => adviser.getByRole('button', { name: 'Filter' }).click());
    expect(await adviser.getByTestId('cases').textContent()).toContain('Safeguarding policy');

    await e.visit(adviser, `${casePath}/health-checks/new`);
    await adviser.getByLabel('Before support').check();
    for (const level of await adviser.locator('input[type="radio"][value="1"]').all()) await level.check();
    await e.follow(adviser, () => adviser.getByRole('button', { name: 'Save the health check' }).click());
    expect(await flash(adviser)).toBe('Health check recorded: 9 of 36');
    await e.follow(adviser, () => adviser.getByRole('link', { name: /Every health check of/ }).click());
    expect(await adviser.getByTestId('checks').textContent()).toContain('9 of 36');

    await e.visit(adviser, `${casePath}/outcomes/new`);
    await adviser.getByLabel('Policy adopted').check();
    await fillDate(adviser, 'achieved', today);
    await e.follow(adviser, () => adviser.getByRole('button', { name: 'Record the outcome' }).click());
    expect(await flash(adviser)).toBe('Outcome recorded');
    await e.follow(adviser, () => adviser.getByRole('button', { name: 'Close the case' }).click());
    await adviser.getByLabel('What the support achieved').fill('Policy adopted and a lead named.');
    await e.follow(adviser, () => adviser.getByRole('button', { name: 'Close the case' }).click());
    expect(await flash(adviser)).toBe('Case closed');
  }, E2E_TIMEOUTS.testTimeout);
});

describe('an organisation\'s support, from its page in the register', () => {
  it('an adviser follows the organisation\'s page to its cases and health checks; staff who do not read cases see no such panel', async () => {
    const org = await directoryFactories(e.t.db).organisation(e.lio, { name: 'Linked Lantern Club' });
    const elsewhere = await directoryFactories(e.t.db).organisation(e.lio, { name: 'Other Orchard Group' });
    const adviserUser = await e.t.make.user(e.lio, { role: 'staff', permissionSets: ['adviser'], name: 'Ada Adviser' });
    const cases = caseworkFactories(e.t.db);
    await cases.supportCase(e.lio, { organisationId: org.id, title: 'Lantern bid to the council', adviserUserId: adviserUser.id });
    await cases.supportCase(e.lio, { organisationId: org.id, title: 'Lantern constitution', status: 'closed', adviserUserId: adviserUser.id });
    await cases.supportCase(e.lio, { organisationId: elsewhere.id, title: 'Orchard lease' });

    const page = await e.newPage();
    await e.signIn(page, adviserUser);
    await e.visit(page, `/organisations/${org.id}`);
    const panel = page.getByTestId('record-panel-support');
    expect(await panel.getByRole('heading').textContent()).toBe('Support for this group');
    expect(await panel.getByRole('link').allTextContents()).toEqual(['1 support case not closed', '2 support cases in all', '0 health checks']);
    await e.follow(page, () => panel.getByRole('link', { name: '2 support cases in all' }).click());
    const listed = await page.locator('main').textContent();
    expect(listed).toContain('Lantern bid to the council');
    expect(listed).toContain('Lantern constitution');
    expect(listed).not.toContain('Orchard lease');
    await e.visit(page, `/organisations/${org.id}`);
    await e.follow(page, () => page.getByTestId('record-panel-support').getByRole('link', { name: '0 health checks' }).click());
    expect(await page.locator('h1').textContent()).toContain('Linked Lantern Club');

    const trainerUser = await e.t.make.user(e.lio, { role: 'staff', permissionSets: ['trainer'] });
    const trainer = await e.newPage();
    await e.signIn(trainer, trainerUser);
    await e.visit(trainer, `/organisations/${org.id}`);
    expect(await trainer.locator('h1').textContent()).toContain('Linked Lantern Club');
    expect(await trainer.getByTestId('record-panel-support').count()).toBe(0);
  });
});
