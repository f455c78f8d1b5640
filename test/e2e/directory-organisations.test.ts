import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { errorSummary, flash, startE2E, type E2E } from '../helpers/browser.js';
import { directoryFactories, type DirectoryFactories } from '../helpers/directory-factories.js';

let e: E2E;
let d: DirectoryFactories;
beforeAll(async () => { e = await startE2E(); d = directoryFactories(e.t.db); });
afterEach(async () => { await e.endTest(); });
afterAll(async () => { await e?.close(); });

const h1 = async (page: Page) => ((await page.getByRole('heading', { level: 1 }).textContent()) ?? '').trim();
const path = (page: Page) => new URL(page.url()).pathname;

describe('the organisation register in the browser', () => {
  it('group member updates their listing and staff approve it', async () => {
    const org = await d.organisation(e.lio, { name: 'Northgate Mutual Aid', email: 'hello@northgate.example', description: 'Neighbours helping neighbours.' });
    const befriending = await d.service(e.lio, {
      organisationId: org.id, name: 'Telephone befriending', description: 'A friendly weekly call.', deliveryModes: ['phone'], opening: [{ day: 'TU', opens: '10:00', closes: '12:00' }],
    });
    const member = await e.t.make.user(e.lio, { role: 'group_member', organisationId: org.id, name: 'Dan Murphy' });
    const adviser = await e.t.make.user(e.lio, { role: 'staff', permissionSets: ['adviser'], name: 'Ben Okafor' });

    const page = await e.newPage();
    await e.signIn(page, member);
    await e.openFromMenu(page, 'Directory', 'Our listing');
    expect(await h1(page)).toBe('Our listing');
    await page.getByLabel('Website (optional)').fill('https://northgate.example');
    await page.getByLabel('What the organisation does (optional)').fill('Neighbours helping neighbours: shopping, prescriptions and a friendly call.');
    await page.getByLabel('Food', { exact: true }).check();
    // A mistake first: the page says what is wrong and keeps what was typed.
    await page.getByLabel('Phone number (optional)').fill('12345');
    await e.follow(page, () => page.getByRole('button', { name: 'Send changes for approval' }).click());
    expect((await errorSummary(page)).errors).toEqual([{ text: 'Enter a UK phone number, like 01632 960 001 or +44 7700 900 982', href: '#phone' }]);
    expect(await page.getByLabel('Website (optional)').inputValue()).toBe('https://northgate.example');
    await page.getByLabel('Phone number (optional)').fill('01632 960 001');
    await e.follow(page, () => page.getByRole('button', { name: 'Send changes for approval' }).click());
    expect(await flash(page)).toContain('Your changes have been sent');
    const pending = page.getByTestId('pending');
    expect(await pending.getByRole('row').count()).toBe(5);
    expect(await pending.getByRole('row', { name: /Website/ }).textContent()).toContain('https://northgate.example');

    // Their service too: a new way it is delivered and a second weekly session.
    await e.follow(page, () => page.getByTestId('our-services').getByRole('link', { name: 'Change Telephone befriending' }).click());
    expect(await h1(page)).toBe('Change Telephone befriending');
    await page.getByLabel('Name of the service').fill('Telephone and video befriending');
    await page.getByRole('group', { name: 'How is it delivered?' }).getByLabel('Online').check();
    await page.getByLabel('Day of opening time 2').selectOption('TH');
    await page.getByLabel('Opens (opening time 2)').fill('6pm');
    await page.getByLabel('Closes (opening time 2)').fill('5pm');
    await e.follow(page, () => page.getByRole('button', { name: 'Send changes for approval' }).click());
    expect((await errorSummary(page)).errors).toEqual([{ text: 'Opening time 2 must close after it opens', href: '#openingCloses-2' }]);
    expect(await page.getByLabel('Name of the service').inputValue()).toBe('Telephone and video befriending');
    await page.getByLabel('Closes (opening time 2)').fill('8pm');
    await e.follow(page, () => page.getByRole('button', { name: 'Send changes for approval' }).click());
    expect(await flash(page)).toContain('Your changes have been sent');
    expect(await page.getByTestId('pending').getByRole('row', { name: /Opening times/ }).textContent()).toContain('Thursdays, 18:00 to 20:00');
    await e.signOut(page);

    // Not published yet.
    const before = await e.t.db.withTenant(e.lio.id, (tx) => tx.selectFrom('organisations').select(['website', 'phone']).where('id', '=', org.id).executeTakeFirstOrThrow());
    expect(before).toEqual({ website: null, phone: null });

    await e.signIn(page, adviser);
    await e.openFromMenu(page, 'Directory', 'Approvals');
    expect(await h1(page)).toBe('Listing changes to approve');
    // The listing's change and the service's: each section is named by what it changes.
    const change = page.getByRole('region', { name: 'Northgate Mutual Aid', exact: true });
    const website = change.getByRole('row', { name: /Website/ });
    expect((await website.getByRole('cell').allTextContents()).map((c) => c.trim())).toEqual(['(blank)', 'https://northgate.example']);
    expect(await change.textContent()).toContain('Sent by Dan Murphy');
    await e.follow(page, () => change.getByRole('button', { name: 'Approve and publish' }).click());
    expect(await flash(page)).toBe('Changes to Northgate Mutual Aid approved and published');
    const serviceChange = page.getByRole('region', { name: 'Telephone befriending', exact: true });
    expect(await serviceChange.textContent()).toContain('Service run by Northgate Mutual Aid');
    expect((await serviceChange.getByRole('row', { name: /How it is delivered/ }).getByRole('cell').allTextContents()).map((c) => c.trim())).toEqual(['By phone', 'By phone, Online']);
    await e.follow(page, () => serviceChange.getByRole('button', { name: 'Approve and publish' }).click());
    expect(await flash(page)).toBe('Changes to Telephone befriending (Northgate Mutual Aid) approved and published');
    expect(await page.getByTestId('no-changes').count()).toBe(1);
    // Published: the public page shows the service as the group described it.
    await e.visit(page, `/find/services/${befriending.id}`);
    expect(await h1(page)).toBe('Telephone and video befriending');
    expect(await page.locator('main').textContent()).toContain('Thursday');

    await e.visit(page, `/organisations/${org.id}`);
    const timeline = page.getByTestId('timeline');
    expect((await timeline.locator('li[data-kind="change_approved"] h3').allTextContents()).map((h) => h.replace(/:.*/s, '')).sort()).toEqual([
      'Proposed changes approved and published', 'Proposed changes to the service Telephone befriending approved and published',
    ]);
    expect(await timeline.locator('li[data-kind="change_submitted"]').count()).toBe(2);
    const after = await e.t.db.withTenant(e.lio.id, (tx) => tx.selectFrom('organisations').select(['website', 'phone', 'themes']).where('id', '=', org.id).executeTakeFirstOrThrow());
    expect(after).toEqual({ website: 'https://northgate.example', phone: '01632 960 001', themes: ['food'] });
  }, 240_000);

  it('staff merge a duplicate', async () => {
    const kept = await d.organisation(e.lio, { name: 'Riverside Food Bank', charityNumber: '1133557', postcode: 'RV1 1AA' });
    const dupe = await d.organisation(e.lio, { name: 'Riverside Foodbank CIO', charityNumber: '1133557', postcode: 'RV1 1AA' });
    const service = await d.service(e.lio, { organisationId: dupe.id, name: 'Emergency food parcels' });
    const adviser = await e.t.make.user(e.lio, { role: 'staff', permissionSets: ['adviser'], name: 'Asha Adviser' });

    const page = await e.newPage();
    await e.signIn(page, adviser);
    await e.openFromMenu(page, 'Directory', 'Organisations');
    await page.getByLabel('Search by name').fill('riverside food');
    await e.follow(page, () => page.getByRole('button', { name: 'Apply filters' }).click());
    await e.follow(page, () => page.getByRole('link', { name: 'Riverside Food Bank', exact: true }).click());
    expect(await h1(page)).toBe('Riverside Food Bank');
    await e.follow(page, () => page.getByRole('link', { name: 'Merge with another record' }).click());
    await e.follow(page, () => page.getByRole('link', { name: 'Compare with Riverside Foodbank CIO' }).click());
    expect(await h1(page)).toBe('Merge Riverside Food Bank and Riverside Foodbank CIO');
    // Forgetting to choose is answered clearly.
    await e.follow(page, () => page.getByRole('button', { name: 'Merge records' }).click());
    expect((await errorSummary(page)).errors).toEqual([{ text: 'Select which record to keep', href: '#keep' }]);
    await page.getByLabel('Keep Riverside Food Bank').check();
    await e.follow(page, () => page.getByRole('button', { name: 'Merge records' }).click());

    expect(path(page)).toBe(`/organisations/${kept.id}`);
    expect(await flash(page)).toContain('The records have been merged');
    expect(await page.locator('main').textContent()).toContain('Emergency food parcels');
    expect(await page.getByTestId('timeline').locator('li[data-kind="merged"] h3').textContent()).toBe('Riverside Foodbank CIO was merged into this record');
    await e.follow(page, () => page.getByTestId('timeline').getByRole('link', { name: 'Riverside Foodbank CIO' }).click());
    expect(await page.locator('.govuk-inset-text').first().textContent()).toContain('This record was merged into Riverside Food Bank');
    const moved = await e.t.db.withTenant(e.lio.id, (tx) => tx.selectFrom('services').select('organisation_id').where('id', '=', service.id).executeTakeFirstOrThrow());
    expect(moved.organisation_id).toBe(kept.id);
  }, 240_000);

  it('the register, and adding an organisation with errors and a likely duplicate, pass axe', async () => {
    const admin = await e.t.make.user(e.lio, { role: 'admin', name: 'Ada Admin' });
    await d.organisation(e.lio, { name: 'Hillside Youth Project', charityNumber: '1099887' });
    const page = await e.newPage();
    await e.signIn(page, admin);
    await e.visit(page, '/organisations?q=hillside&type=registered_charity&sort=updated');
    expect(await page.getByTestId('organisations').getByRole('link', { name: 'Hillside Youth Project' }).count()).toBe(1);
    await e.visit(page, '/organisations/new');
    await e.follow(page, () => page.getByRole('button', { name: 'Add organisation' }).click());
    expect((await errorSummary(page)).errors).toEqual([{ text: 'Enter the organisation’s name', href: '#name' }]);
    await page.getByLabel('Name', { exact: true }).fill('Hillside Youth');
    await page.getByLabel('Charity number (optional)').fill('1099887');
    await e.follow(page, () => page.getByRole('button', { name: 'Add organisation' }).click());
    expect(await page.getByTestId('duplicates').textContent()).toContain('Same charity number');
    await page.getByLabel('I have checked: this is a different organisation, save it anyway').check();
    await e.follow(page, () => page.getByRole('button', { name: 'Add organisation' }).click());
    expect(await flash(page)).toBe('Hillside Youth added to the register');
  }, 240_000);

  it('the organisation, edit, merge, review and settings pages pass axe', async () => {
    const admin = await e.t.make.user(e.lio, { role: 'admin', name: 'Ada Admin' });
    const org = await d.organisation(e.lio, { name: 'Weavers Community Garden', lastVerifiedAt: null });
    const page = await e.newPage();
    await e.signIn(page, admin);
    await e.visit(page, `/organisations/${org.id}`);
    await e.visit(page, `/organisations/${org.id}/edit`);
    await page.getByLabel('Email address (optional)').fill('not an email');
    await e.follow(page, () => page.getByRole('button', { name: 'Save changes' }).click());
    expect((await errorSummary(page)).errors.map((x) => x.href)).toEqual(['#email']);
    await e.visit(page, `/organisations/${org.id}/merge?q=garden`);

    await e.visit(page, '/organisations');
    await e.follow(page, () => page.getByRole('link', { name: 'Listings due for review' }).click());
    expect(await page.getByTestId('review-queue').textContent()).toContain('Weavers Community Garden');
    await e.follow(page, () => page.getByRole('link', { name: 'Change how long a listing stays verified' }).click());
    await page.getByLabel('How long does a listing stay verified?').fill('0');
    await e.follow(page, () => page.getByRole('button', { name: 'Save settings' }).click());
    expect((await errorSummary(page)).errors).toEqual([{ text: 'Enter a number of months from 1 to 60', href: '#verificationMonths' }]);
    await page.getByLabel('How long does a listing stay verified?').fill('18');
    await e.follow(page, () => page.getByRole('button', { name: 'Save settings' }).click());
    expect(await flash(page)).toBe('Settings saved');
    await e.follow(page, () => page.getByTestId('review-queue').getByRole('button', { name: 'Mark as verified for Weavers Community Garden' }).click());
    expect(await flash(page)).toBe('Weavers Community Garden marked as verified');
  }, 240_000);

  it('the e-mailed link lets a listing’s contact confirm it, once, without signing in or JavaScript', async () => {
    const adviser = await e.t.make.user(e.lio, { role: 'staff', permissionSets: ['adviser'] });
    const org = await d.organisation(e.lio, { name: 'Open Door Refugee Welcome', email: 'hello@opendoor.example', lastVerifiedAt: null });
    const page = await e.newPage();
    await e.signIn(page, adviser);
    // Ask the listing to confirm; the e-mail waits in the outbox (no SMTP here).
    await e.visit(page, `/organisations/${org.id}`);
    await e.follow(page, () => page.getByRole('button', { name: 'Email a link to confirm the details' }).click());
    expect(await flash(page)).toBe('A verification email is being sent');
    await e.t.app.jobs.drain();
    const message = await e.t.db.withTenant(e.lio.id, (tx) => tx.selectFrom('email_messages').select('body_text').where('to_address', '=', 'hello@opendoor.example').executeTakeFirstOrThrow());
    const link = message.body_text.match(/https?:\/\/\S+\/verify\/\S+/)![0];
    const linkPath = new URL(link).pathname;

    const contact = await e.newPage({ javaScriptEnabled: false });
    await e.visit(contact, linkPath);
    expect(await h1(contact)).toBe('Are these details of Open Door Refugee Welcome still right?');
    await e.follow(contact, () => contact.getByRole('button', { name: 'Yes, these details are right' }).click());
    expect(await contact.locator('.govuk-panel__title').textContent()).toContain('Thank you');
    const used = await e.visit(contact, linkPath);
    expect(used?.status()).toBe(410);
    const unknown = await e.visit(contact, '/verify/not-a-token');
    expect(unknown?.status()).toBe(404);
    const row = await e.t.db.withTenant(e.lio.id, (tx) => tx.selectFrom('organisations').select('last_verified_at').where('id', '=', org.id).executeTakeFirstOrThrow());
    expect(row.last_verified_at).not.toBeNull();
  }, 240_000);

  it('the approvals page with a rejection note missing passes axe', async () => {
    const org = await d.organisation(e.lio, { name: 'Canalside Men’s Shed' });
    await e.t.db.withTenant(e.lio.id, (tx) => tx.insertInto('listing_changes').values({
      lio_id: e.lio.id, organisation_id: org.id, changes: JSON.stringify({ website: { from: null, to: 'https://shed.example' } }),
    }).execute());
    const adviser = await e.t.make.user(e.lio, { role: 'staff', permissionSets: ['adviser'] });
    const page = await e.newPage();
    await e.signIn(page, adviser);
    await e.visit(page, '/directory/approvals');
    const change = page.getByTestId('listing-change').filter({ hasText: 'Canalside Men’s Shed' });
    await e.follow(page, () => change.getByRole('button', { name: 'Do not approve' }).click());
    const { errors } = await errorSummary(page);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.text).toContain('Enter a note');
    await page.getByLabel('Why are you not approving the changes to Canalside Men’s Shed?').fill('We could not reach the website.');
    await e.follow(page, () => page.getByTestId('listing-change').filter({ hasText: 'Canalside Men’s Shed' }).getByRole('button', { name: 'Do not approve' }).click());
    expect(await flash(page)).toContain('not approved');
  }, 240_000);
});
