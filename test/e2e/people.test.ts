import { readFile } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { errorSummary, flash, startE2E, type E2E } from '../helpers/browser.js';
import { peopleFactories } from '../helpers/people-factories.js';
import { directoryFactories } from '../helpers/directory-factories.js';

let e: E2E;
beforeAll(async () => { e = await startE2E(); });
afterEach(async () => { await e.endTest(); });
afterAll(async () => { await e?.close(); });

describe('a person’s data rights', () => {
  it('an admin finds a person, views everything held (audited), exports it both ways, and erases it after confirming', async () => {
    const people = peopleFactories(e.t.db);
    const admin = await e.t.make.user(e.lio, { role: 'admin', name: 'Dee Protection' });
    const organisation = await directoryFactories(e.t.db).organisation(e.lio, { name: 'Northside Repair Café' });
    const member = await e.t.make.user(e.lio, { role: 'group_member', organisationId: organisation.id, name: 'Harriet Fixit', email: 'harriet@repair.example' });
    await people.directoryContact(e.lio, { organisationId: organisation.id, name: 'Harriet Fixit', email: 'harriet@repair.example', phone: '07700 900 314' });
    await people.listingChange(e.lio, { organisationId: organisation.id, submittedBy: member.id, changes: { description: { from: 'Monthly.', to: 'Every Saturday.' } } });
    const person = await people.personOfUser(e.lio, member.id);

    const page = await e.newPage();
    await e.signIn(page, admin);
    await e.follow(page, () => page.getByRole('navigation', { name: 'Main menu' }).getByRole('link', { name: 'People' }).click());
    await page.getByLabel('Name, email address or phone number').fill('harriet@repair.example');
    await e.follow(page, () => page.getByRole('button', { name: 'Search people' }).click());
    await e.follow(page, () => page.getByTestId('people-table').getByRole('link', { name: 'Harriet Fixit' }).click());
    expect(new URL(page.url()).pathname).toBe(`/people/${person.id}`);
    const directory = page.getByTestId('held-directory');
    expect(await directory.textContent()).toContain('Contact for Northside Repair Café');
    expect(await directory.textContent()).toContain('Change to Northside Repair Café');
    const views = await e.t.db.withTenant(e.lio.id, (tx) => tx.selectFrom('audit_events').select('actor_label')
      .where('action', '=', 'person.viewed').where('subject_id', '=', person.id).execute());
    expect(views).toEqual([{ actor_label: admin.email }]);

    // Export: a format must be chosen; the readable document, then the machine-readable file.
    await e.follow(page, () => page.getByRole('button', { name: 'Export their data' }).click());
    await e.follow(page, () => page.getByRole('button', { name: 'Create export' }).click());
    expect((await errorSummary(page)).errors).toEqual([{ text: 'Choose a format for the export', href: '#format' }]);
    await page.getByLabel('A document to read, print or save as PDF').check();
    await e.follow(page, () => page.getByRole('button', { name: 'Create export' }).click());
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Data held about Harriet Fixit');
    expect(await page.getByTestId('held-directory').textContent()).toContain('07700 900 314');

    await e.visit(page, `/people/${person.id}/export`);
    await page.getByLabel('A machine-readable file (JSON)').check();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Create export' }).click()]);
    expect(download.suggestedFilename()).toBe(`subject-access-${person.id}.json`);
    const data = JSON.parse(await readFile((await download.path())!, 'utf8'));
    expect(data.providers.directory.tables.contacts).toMatchObject([{ name: 'Harriet Fixit', email: 'harriet@repair.example' }]);
    expect(data.providers.directory.tables.listing_changes).toMatchObject([{ submitted_by: member.id, changes: { description: { to: 'Every Saturday.' } } }]);
    expect(data.providers.accounts.tables.users).toMatchObject([{ id: member.id, email: 'harriet@repair.example' }]);

    // Erasure: the consequences, a confirmation, then the anonymised record.
    await e.visit(page, `/people/${person.id}`);
    await e.follow(page, () => page.getByRole('button', { name: 'Erase their data' }).click());
    expect(await page.locator('main').textContent()).toContain('Contacts listed under their email address are removed');
    await e.follow(page, () => page.getByRole('button', { name: 'Erase their data' }).click());
    expect((await errorSummary(page)).errors).toEqual([{ text: 'Confirm that you understand erasure cannot be undone', href: '#confirm' }]);
    await page.getByLabel('I understand that Harriet Fixit’s data will be erased and that this cannot be undone').check();
    await e.follow(page, () => page.getByRole('button', { name: 'Erase their data' }).click());
    expect(new URL(page.url()).pathname).toBe(`/people/${person.id}`);
    expect(await flash(page)).toContain('Personal data erased.');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Erased person');
    const main = (await page.locator('main').textContent()) ?? '';
    expect(main).toContain('personal data was erased');
    expect(main).not.toContain('Harriet');
    expect(main).not.toContain('harriet@repair.example');

    const audited = await e.t.db.withTenant(e.lio.id, (tx) => tx.selectFrom('audit_events').select('action')
      .where('subject_id', '=', person.id).where('action', 'in', ['person.exported', 'person.erased']).orderBy('id').execute());
    expect(audited.map((a) => a.action)).toEqual(['person.exported', 'person.exported', 'person.erased']);
    // The group member can no longer sign in.
    const theirPage = await e.newPage();
    await e.visit(theirPage, '/sign-in');
    await theirPage.getByLabel('Email address').fill(member.email);
    await theirPage.getByLabel('Password', { exact: true }).fill(member.password);
    await e.follow(theirPage, () => theirPage.getByRole('button', { name: 'Sign in' }).click());
    expect(new URL(theirPage.url()).pathname).toBe('/sign-in');
  });
});
