import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, signedInUser, type TestContext } from '../helpers/app.js';
import { errorSummary, signedInClient } from '../helpers/client.js';
import { peopleFactories, type PeopleFactories } from '../helpers/people-factories.js';
import { directoryFactories } from '../helpers/directory-factories.js';

let t: TestContext;
let people: PeopleFactories;
beforeAll(async () => { t = await createTestApp(); people = peopleFactories(t.db); });
afterAll(async () => { await t.close(); });

/** A group member known to the directory: a listed contact with their e-mail and phone, a change they proposed, an e-mail sent to them. */
async function groupMemberWithDirectoryData() {
  const lio = await t.make.lio();
  const { user: admin, client } = await signedInUser(t, lio, { role: 'admin' });
  const organisation = await directoryFactories(t.db).organisation(lio, { name: 'Riverside Allotments' });
  const member = await t.make.user(lio, { role: 'group_member', organisationId: organisation.id, name: 'Gina Grower', email: 'Gina@Allotments.example' });
  const memberClient = await signedInClient(t.app, lio.host, member);
  const contact = await people.directoryContact(lio, { organisationId: organisation.id, name: 'Gina Grower', email: 'gina@allotments.example', phone: '07700 900 777' });
  const change = await people.listingChange(lio, { organisationId: organisation.id, submittedBy: member.id });
  // Listing histories name who acted by their account's name.
  await t.db.withTenant(lio.id, (tx) => tx.insertInto('organisation_events').values({
    lio_id: lio.id, organisation_id: organisation.id, actor_label: 'Gina Grower', kind: 'change_submitted', summary: 'Change proposed', occurred_at: new Date(),
  }).execute());
  await t.db.withTenant(lio.id, async (tx) => {
    const message = await tx.insertInto('email_messages').values({ lio_id: lio.id, to_address: 'gina@allotments.example', subject: 'Is your listing still right?', body_text: 'Please check.' }).returning('id').executeTakeFirstOrThrow();
    await tx.updateTable('email_messages').set({ status: 'outbox' }).where('id', '=', message.id).execute();
  });
  const person = await people.personOfUser(lio, member.id);
  await t.db.withTenant(lio.id, (tx) => tx.updateTable('people').set({ phones: ['07700900777'] }).where('id', '=', person.id).execute());
  await people.consent(lio, person.id, { purpose: 'newsletter' });
  return { lio, admin, client, organisation, member, memberClient, contact, change, person };
}

const auditOf = (lioId: string, personId: string) =>
  t.db.withTenant(lioId, (tx) => tx.selectFrom('audit_events').select(['action', 'actor_label', 'detail']).where('subject_type', '=', 'person').where('subject_id', '=', personId).orderBy('id').execute());

describe('the person page', () => {
  it('shows what every capability holds about the person, and each view is audited', async () => {
    const { lio, client, person } = await groupMemberWithDirectoryData();
    const page = await client.get(`/people/${person.id}`);
    expect(page.status).toBe(200);
    const directory = page.$('[data-testid="held-directory"]').text();
    expect(directory).toContain('Contact for Riverside Allotments');
    expect(directory).toContain('07700 900 777');
    expect(directory).toContain('Change to Riverside Allotments');
    expect(directory).toContain('Riverside Allotments: Change proposed');
    expect(page.$('[data-testid="held-accounts"]').text()).toContain('Keeps the listing of');
    expect(page.$('[data-testid="held-admin"]').text()).toContain('Is your listing still right?');
    expect(page.$('[data-testid="held-admin"]').text()).toContain('Who looked at or changed their records');
    expect(page.$('[data-testid="held-people"]').text()).toContain('Receive the newsletter and bulletins');
    await client.get(`/people/${person.id}`);
    const audit = await auditOf(lio.id, person.id);
    expect(audit.filter((a) => a.action === 'person.viewed')).toHaveLength(2);
  });
});

describe('subject-access export', () => {
  it('asks for a format first, then gives a JSON file holding every capability’s rows, audited with the format only', async () => {
    const { lio, client, person, contact, change, member } = await groupMemberWithDirectoryData();
    const confirm = await client.get(`/people/${person.id}/export`);
    expect(confirm.status).toBe(200);
    const none = await client.submit(`/people/${person.id}/export`, `/people/${person.id}/export`, {});
    expect(none.status).toBe(400);
    expect(errorSummary(none)).toEqual([{ text: 'Choose a format for the export', href: '#format' }]);

    const file = await client.submit(`/people/${person.id}/export`, `/people/${person.id}/export`, { format: 'json' });
    expect(file.status).toBe(200);
    expect(file.headers['content-disposition']).toBe(`attachment; filename="subject-access-${person.id}.json"`);
    const data = JSON.parse(file.body);
    expect(data).toMatchObject({ format: 'common-ground/subject-access-export/1', personId: person.id, lio: { id: lio.id } });
    expect(data.providers.directory.tables.contacts).toMatchObject([{ id: contact.id, name: 'Gina Grower', email: 'gina@allotments.example' }]);
    expect(data.providers.directory.tables.phones).toMatchObject([{ number: '07700 900 777' }]);
    expect(data.providers.directory.tables.listing_changes).toMatchObject([{ id: change.id, submitted_by: member.id, status: 'pending' }]);
    expect(data.providers.accounts.tables.users).toMatchObject([{ id: member.id, role: 'group_member', has_password: true }]);
    expect(data.providers.admin.tables.email_messages).toMatchObject([{ subject: 'Is your listing still right?' }]);
    expect(data.providers.people.tables.consents).toHaveLength(1);
    expect(file.body).not.toContain('password_hash');
    expect(file.body).not.toContain('token_hash');

    const readable = await client.submit(`/people/${person.id}/export`, `/people/${person.id}/export`, { format: 'html' });
    expect(readable.status).toBe(200);
    expect(readable.$('h1').text()).toBe('Data held about Gina Grower');
    expect(readable.$('[data-testid="held-directory"]').text()).toContain('Contact for Riverside Allotments');

    const exported = (await auditOf(lio.id, person.id)).filter((a) => a.action === 'person.exported');
    expect(exported.map((a) => a.detail)).toEqual([{ format: 'json' }, { format: 'html' }]);
  });
});

describe('erasure', () => {
  it('needs confirming, then removes or anonymises the person everywhere, keeping counts, and disables their account', async () => {
    const { lio, client, person, contact, change, member, memberClient, organisation } = await groupMemberWithDirectoryData();
    // A member of staff once set their address as the listing's e-mail: the history keeps what it was changed to.
    await t.db.withTenant(lio.id, (tx) => tx.insertInto('organisation_events').values({
      lio_id: lio.id, organisation_id: organisation.id, actor_label: 'Sue Staff', kind: 'edited', summary: 'Edited: Email', occurred_at: new Date(),
      detail: JSON.stringify({ changes: { email: { from: null, to: 'GINA@allotments.example' } } }),
    }).execute());
    const confirm = await client.get(`/people/${person.id}/erase`);
    expect(confirm.status).toBe(200);
    expect(confirm.$('main').text()).toContain('Their user accounts are disabled and anonymised');
    const unconfirmed = await client.submit(`/people/${person.id}/erase`, `/people/${person.id}/erase`, {});
    expect(unconfirmed.status).toBe(400);
    expect(errorSummary(unconfirmed)).toEqual([{ text: 'Confirm that you understand erasure cannot be undone', href: '#confirm' }]);

    const done = await client.submit(`/people/${person.id}/erase`, `/people/${person.id}/erase`, { confirm: 'yes' });
    expect(done.status).toBe(303);
    expect(done.location).toBe(`/people/${person.id}`);

    const rows = await t.db.withTenant(lio.id, async (tx) => ({
      person: await tx.selectFrom('people').selectAll().where('id', '=', person.id).executeTakeFirstOrThrow(),
      user: await tx.selectFrom('users').selectAll().where('id', '=', member.id).executeTakeFirstOrThrow(),
      sessions: await tx.selectFrom('sessions').select('id_hash').where('user_id', '=', member.id).execute(),
      contacts: await tx.selectFrom('contacts').select('id').where('id', '=', contact.id).execute(),
      phones: await tx.selectFrom('phones').select('id').where('organisation_id', '=', organisation.id).execute(),
      change: await tx.selectFrom('listing_changes').selectAll().where('id', '=', change.id).executeTakeFirstOrThrow(),
      emails: await tx.selectFrom('email_messages').select('id').where('lio_id', '=', lio.id).execute(),
      consents: await tx.selectFrom('consents').selectAll().where('person_id', '=', person.id).execute(),
      actedAs: await tx.selectFrom('audit_events').select('actor_label').where('actor_user_id', '=', member.id).execute(),
      history: await tx.selectFrom('organisation_events').select(['actor_label', 'detail']).where('organisation_id', '=', organisation.id).orderBy('summary').execute(),
    }));
    expect(rows.person).toMatchObject({ full_name: null, preferred_name: null, emails: [], phones: [], postcode: null, date_of_birth: null });
    expect(rows.person.erased_at).not.toBeNull();
    expect(rows.user).toMatchObject({ email: `erased-${member.id}@erased.invalid`, display_name: 'Erased person', password_hash: null, status: 'disabled' });
    expect(rows.sessions).toEqual([]);
    expect(rows.contacts).toEqual([]);
    expect(rows.phones).toEqual([]);
    // The change stays (counts of changes stay true), without who proposed it.
    expect(rows.change.submitted_by).toBeNull();
    expect(rows.emails).toEqual([]);
    expect(rows.consents).toHaveLength(1);
    expect(rows.consents[0]!.withdrawn_at).not.toBeNull();
    expect(rows.actedAs.length).toBeGreaterThan(0);
    expect(rows.actedAs.every((a) => a.actor_label === 'Erased person')).toBe(true);
    expect(rows.history).toEqual([
      { actor_label: 'Erased person', detail: {} },
      { actor_label: 'Sue Staff', detail: { changes: { email: { from: null, to: '[erased]' } } } },
    ]);

    // Their session is over: the next request is asked to sign in.
    expect((await memberClient.get('/my-organisation')).status).toBe(303);

    const erased = (await auditOf(lio.id, person.id)).find((a) => a.action === 'person.erased')!;
    expect(erased.detail).toMatchObject({ removed: { contacts: 1, phones: 1, sessions: 1, email_messages: 1 }, anonymised: { people: 1, users: 1, listing_changes: 1, organisation_events: 2 } });
    expect(JSON.stringify(erased.detail)).not.toMatch(/gina|grower|allotments|07700/i);

    const page = await client.get(`/people/${person.id}`);
    expect(page.$('h1').text()).toBe('Erased person');
    expect(page.$('main').text()).toContain('personal data was erased');
    expect(page.$('main').text()).not.toMatch(/gina/i);
    // A second erasure changes nothing and says so.
    const again = await client.get(`/people/${person.id}/erase`);
    expect(again.status).toBe(303);
  });

  it('an admin cannot erase their own record', async () => {
    const lio = await t.make.lio();
    const { user, client } = await signedInUser(t, lio, { role: 'admin' });
    const own = await people.personOfUser(lio, user.id);
    const refused = await client.submit(`/people/${own.id}/erase`, `/people/${own.id}/erase`, { confirm: 'yes' });
    expect(refused.status).toBe(400);
    expect(errorSummary(refused)).toEqual([{ text: 'You cannot erase your own record. Ask another admin to do it', href: '#confirm' }]);
    const still = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('users').select('status').where('id', '=', user.id).executeTakeFirstOrThrow());
    expect(still.status).toBe('active');
  });
});

describe('the daily retention job', () => {
  it('applies each provider’s rule and audits the run with counts only', async () => {
    const lio = await t.make.lio();
    const longAgo = new Date(Date.now() - 7 * 365 * 86_400_000);
    const stale = await people.person(lio, { fullName: 'Old Record', updatedAt: longAgo });
    const consenting = await people.person(lio, { fullName: 'Still Consenting', updatedAt: longAgo });
    await people.consent(lio, consenting.id, { givenAt: longAgo });
    const recent = await people.person(lio, { fullName: 'Recent Record' });
    const user = await t.make.user(lio, { name: 'Ada Adviser' });
    const organisation = await directoryFactories(t.db).organisation(lio);
    await t.db.withTenant(lio.id, async (tx) => {
      await tx.insertInto('organisation_events').values([
        { lio_id: lio.id, organisation_id: organisation.id, actor_label: 'Ada Adviser', kind: 'edited', summary: 'Edited', occurred_at: longAgo },
        { lio_id: lio.id, organisation_id: organisation.id, actor_label: 'Daily verification sweep', kind: 'verification_sent', summary: 'Sent', occurred_at: longAgo },
        { lio_id: lio.id, organisation_id: organisation.id, actor_label: 'Ada Adviser', kind: 'edited', summary: 'Edited again', occurred_at: new Date() },
      ]).execute();
      await tx.updateTable('people').set({ updated_at: longAgo }).where('id', '=', (await tx.selectFrom('users').select('person_id').where('id', '=', user.id).executeTakeFirstOrThrow()).person_id!).execute();
      await tx.insertInto('sessions').values({ id_hash: `expired-${user.id}`, lio_id: lio.id, user_id: user.id, created_at: longAgo, last_seen_at: longAgo, expires_at: longAgo }).execute();
      const old = await tx.insertInto('email_messages').values({ lio_id: lio.id, to_address: 'old@example.net', subject: 'Old', body_text: 'Old', created_at: longAgo }).returning('id').executeTakeFirstOrThrow();
      await tx.updateTable('email_messages').set({ status: 'sent' }).where('id', '=', old.id).execute();
      await tx.insertInto('audit_events').values({ lio_id: lio.id, occurred_at: longAgo, actor_user_id: null, actor_label: 'someone@example.net', action: 'old.thing', detail: '{}' }).execute();
    });

    await t.app.jobs.ensureRecurring();
    await t.app.jobs.drain();

    const after = await t.db.withTenant(lio.id, async (tx) => ({
      people: await tx.selectFrom('people').select(['id', 'full_name', 'erased_at']).execute(),
      sessions: await tx.selectFrom('sessions').select('id_hash').where('user_id', '=', user.id).execute(),
      emails: await tx.selectFrom('email_messages').select('subject').execute(),
      old: await tx.selectFrom('audit_events').select('actor_label').where('action', '=', 'old.thing').executeTakeFirstOrThrow(),
      history: await tx.selectFrom('organisation_events').select(['summary', 'actor_label']).where('organisation_id', '=', organisation.id).orderBy('summary').execute(),
      run: await tx.selectFrom('audit_events').select(['actor_label', 'detail']).where('action', '=', 'personal_data.retention').execute(),
    }));
    const byId = new Map(after.people.map((p) => [p.id, p]));
    expect(byId.get(stale.id)).toMatchObject({ full_name: null });
    expect(byId.get(consenting.id)).toMatchObject({ full_name: 'Still Consenting', erased_at: null });
    expect(byId.get(recent.id)).toMatchObject({ full_name: 'Recent Record', erased_at: null });
    // A user's person stays while the account does.
    expect(after.people.filter((p) => p.erased_at !== null)).toHaveLength(1);
    expect(after.sessions).toEqual([]);
    expect(after.emails).toEqual([]);
    expect(after.old.actor_label).toBe('Former user');
    expect(after.history).toEqual([
      { summary: 'Edited', actor_label: 'Former user' }, { summary: 'Edited again', actor_label: 'Ada Adviser' }, { summary: 'Sent', actor_label: 'Daily verification sweep' },
    ]);
    expect(after.run).toEqual([{ actor_label: 'Retention job', detail: { rows: { people: 1, sessions: 1, organisation_events: 1, email_messages: 1, audit_events: 1 } } }]);
  });
});
