import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { Client, type Page, errorSummary, formFields, signedInClient } from '../helpers/client.js';
import { directoryFactories, type DirectoryFactories } from '../helpers/directory-factories.js';

let t: TestContext;
let d: DirectoryFactories;
beforeAll(async () => { t = await createTestApp(); d = directoryFactories(t.db); });
afterAll(async () => { await t.close(); });

type Lio = Awaited<ReturnType<TestContext['make']['lio']>>;

async function signedIn(lio: Lio, overrides: Parameters<TestContext['make']['user']>[1] = {}) {
  const user = await t.make.user(lio, overrides);
  return { user, client: await signedInClient(t.app, lio.host, user) };
}

const summary = (page: Page) => errorSummary(page).map((e) => e.href);
const rowOf = (lio: Lio, id: string) => t.db.withTenant(lio.id, (tx) => tx.selectFrom('organisations').selectAll().where('id', '=', id).executeTakeFirstOrThrow());
const changesOf = (lio: Lio, id: string) => t.db.withTenant(lio.id, (tx) => tx.selectFrom('listing_changes').selectAll().where('organisation_id', '=', id).orderBy('submitted_at').execute());
const eventsOf = (lio: Lio, id: string) => t.db.withTenant(lio.id, (tx) => tx.selectFrom('organisation_events').selectAll().where('organisation_id', '=', id).orderBy('occurred_at').orderBy('kind').execute());
const auditOf = (lio: Lio, action: string) => t.db.withTenant(lio.id, (tx) => tx.selectFrom('audit_events').selectAll().where('action', '=', action).execute());
const emailsTo = (lio: Lio, to: string) => t.db.withTenant(lio.id, (tx) => tx.selectFrom('email_messages').selectAll().where('to_address', '=', to).execute());

async function memberOf(lio: Lio, name = 'Northgate Mutual Aid') {
  const org = await d.organisation(lio, { name, email: 'hello@northgate.example', description: 'Neighbours helping neighbours.' });
  await t.db.withTenant(lio.id, (tx) => tx.updateTable('organisations').set({ website: 'http://northgate.example', membership: 'member', phone: '01632 960 001' }).where('id', '=', org.id).execute());
  const member = await signedIn(lio, { role: 'group_member', organisationId: org.id, name: 'Dan Murphy' });
  return { org, ...member };
}

async function propose(client: Client, changes: Record<string, string | string[]>) {
  const page = await client.get('/my-organisation');
  return client.submit('/my-organisation', '/my-organisation', { ...formFields(page, 'form[action="/my-organisation"]'), ...changes });
}

describe('a group member edits their own listing', () => {
  it('stores the edit as a pending change (a diff from → to), not applied to the listing', async () => {
    const lio = await t.make.lio();
    const { org, client, user } = await memberOf(lio);
    const page = await client.get('/my-organisation');
    expect(page.status).toBe(200);
    expect(page.$('#name').val()).toBe('Northgate Mutual Aid');
    expect(page.$('#website').val()).toBe('http://northgate.example');
    // The LIO's own judgements are not the group's to edit.
    expect(page.$('input[name="membership"], input[name="status"], select[name="relationship"]').length).toBe(0);

    const sent = await propose(client, { website: 'https://northgate.example', description: 'Neighbours helping neighbours, since 2020.', themes: ['Food'] });
    expect(sent.status).toBe(303);
    expect(sent.location).toBe('/my-organisation');

    const row = await rowOf(lio, org.id);
    expect(row.website).toBe('http://northgate.example');
    expect(row.description).toBe('Neighbours helping neighbours.');
    const [change, ...more] = await changesOf(lio, org.id);
    expect(more).toEqual([]);
    expect(change).toMatchObject({ status: 'pending', submitted_by: user.id, service_id: null, reviewed_at: null });
    expect(change!.changes).toEqual({
      website: { from: 'http://northgate.example', to: 'https://northgate.example' },
      description: { from: 'Neighbours helping neighbours.', to: 'Neighbours helping neighbours, since 2020.' },
      themes: { from: [], to: ['food'] },
    });
    expect((await eventsOf(lio, org.id)).map((e) => e.kind)).toEqual(['change_submitted']);
    expect((await auditOf(lio, 'listing_change.submitted')).map((a) => a.detail)).toEqual([{ organisation: org.id, fields: ['description', 'website', 'themes'] }]);

    const after = await client.get('/my-organisation');
    expect(after.$('.govuk-notification-banner').text()).toContain('Your changes have been sent');
    const pending = after.$('[data-testid="pending"] [data-testid="diff"] tbody tr');
    expect(pending.toArray().map((r) => after.$(r).children().toArray().map((c) => after.$(c).text().trim()).join(' | '))).toEqual([
      'Description | Neighbours helping neighbours. | Neighbours helping neighbours, since 2020.',
      'Website | http://northgate.example | https://northgate.example',
      'Themes | (blank) | Food',
    ]);
    // The form shows the proposal, so a second edit builds on it.
    expect(after.$('#website').val()).toBe('https://northgate.example');
  });

  it('replaces a pending change with a newer one rather than piling them up', async () => {
    const lio = await t.make.lio();
    const { org, client } = await memberOf(lio);
    await propose(client, { website: 'https://northgate.example' });
    await propose(client, { phone: '01632 960 999' });
    const changes = await changesOf(lio, org.id);
    expect(changes).toHaveLength(1);
    expect(changes[0]!.changes).toEqual({
      website: { from: 'http://northgate.example', to: 'https://northgate.example' },
      phone: { from: '01632 960 001', to: '01632 960 999' },
    });
  });

  it('sends nothing when nothing changed', async () => {
    const lio = await t.make.lio();
    const { org, client } = await memberOf(lio);
    const res = await propose(client, {});
    expect(res.status).toBe(303);
    expect((await client.get('/my-organisation')).$('.govuk-notification-banner').text()).toContain('You have not changed anything');
    expect(await changesOf(lio, org.id)).toEqual([]);
  });

  it('refuses invalid input with 400 and the error summary, keeping what was typed', async () => {
    const lio = await t.make.lio();
    const { org, client } = await memberOf(lio);
    const res = await propose(client, { name: '', email: 'nope', charity_number: '12', staff_count: 'many' });
    expect(res.status).toBe(400);
    expect(summary(res)).toEqual(['#name', '#charity_number', '#email', '#staff_count']);
    expect(res.$('#email').val()).toBe('nope');
    expect(res.$('#staff_count').val()).toBe('many');
    expect(await changesOf(lio, org.id)).toEqual([]);
  });

  it('cannot edit another organisation (403), nor use the staff pages', async () => {
    const lio = await t.make.lio();
    const { client } = await memberOf(lio);
    const other = await d.organisation(lio, { name: 'Someone Else’s Group' });
    const page = await client.get('/my-organisation');
    const forged = await client.submit('/my-organisation', '/my-organisation', { ...formFields(page, 'form[action="/my-organisation"]'), organisationId: other.id, name: 'Taken Over' });
    expect(forged.status).toBe(403);
    const garbage = await client.submit('/my-organisation', '/my-organisation', { ...formFields(page, 'form[action="/my-organisation"]'), organisationId: 'x', name: 'Taken Over' });
    expect(garbage.status).toBe(403);
    expect(await changesOf(lio, other.id)).toEqual([]);
    expect((await rowOf(lio, other.id)).name).toBe('Someone Else’s Group');
    expect((await client.get(`/organisations/${other.id}/edit`)).status).toBe(403);
    expect((await client.submit('/my-organisation', `/organisations/${other.id}/edit`, { name: 'Taken Over' })).status).toBe(403);
    expect((await client.get('/directory/approvals')).status).toBe(403);
    const denied = await auditOf(lio, 'access.denied');
    expect(denied.map((a) => (a.detail as { permission: string }).permission)).toContain('listing.edit_own');
  });

  it('is only for group members', async () => {
    const lio = await t.make.lio();
    const staff = await signedIn(lio);
    expect((await staff.client.get('/my-organisation')).status).toBe(403);
  });
});

describe('staff approve or reject proposed changes', () => {
  it('shows a clear from → to table and, on approval, applies the change with a timeline entry, an audit entry and an e-mail', async () => {
    const lio = await t.make.lio();
    const { org, client: member, user } = await memberOf(lio);
    await propose(member, { website: 'https://northgate.example', areas_served: 'Northgate\nEastfield' });
    const staff = await signedIn(lio, { name: 'Ben Okafor' });

    const page = await staff.client.get('/directory/approvals');
    expect(page.status).toBe(200);
    const section = page.$('[data-testid="listing-change"]');
    expect(section.length).toBe(1);
    expect(section.find('h2').text()).toBe('Northgate Mutual Aid');
    expect(section.text()).toContain('Sent by Dan Murphy');
    expect(section.find('tbody tr').toArray().map((r) => page.$(r).children().toArray().map((c) => page.$(c).text().trim()).join(' | '))).toEqual([
      'Website | http://northgate.example | https://northgate.example',
      'Areas served | (blank) | Northgate, Eastfield',
    ]);
    const [change] = await changesOf(lio, org.id);

    const approved = await staff.client.submit('/directory/approvals', `/directory/approvals/${change!.id}/approve`, {});
    expect(approved.status).toBe(303);
    expect(await rowOf(lio, org.id)).toMatchObject({ website: 'https://northgate.example', areas_served: ['Northgate', 'Eastfield'] });
    const [after] = await changesOf(lio, org.id);
    expect(after).toMatchObject({ status: 'approved', reviewed_by: staff.user.id });
    expect(after!.reviewed_at).toEqual(t.clock.now());
    const events = await eventsOf(lio, org.id);
    const approval = events.find((e) => e.kind === 'change_approved')!;
    expect(approval.actor_label).toBe('Ben Okafor');
    expect(approval.summary).toBe('Proposed changes approved and published: Website, Areas served');
    expect((await auditOf(lio, 'listing_change.approved')).map((a) => [a.subject_id, a.actor_user_id])).toEqual([[change!.id, staff.user.id]]);
    const mail = await emailsTo(lio, user.email);
    expect(mail.map((m) => m.subject)).toEqual(['Your changes to Northgate Mutual Aid have been approved']);

    const empty = await staff.client.get('/directory/approvals');
    expect(empty.$('.govuk-notification-banner').text()).toContain('approved and published');
    expect(empty.$('[data-testid="no-changes"]').length).toBe(1);

    // A second approval (a double click, another adviser) changes nothing more.
    const again = await staff.client.submit('/directory/approvals', `/directory/approvals/${change!.id}/approve`, {});
    expect(again.status).toBe(303);
    expect((await staff.client.get('/directory/approvals')).$('.govuk-notification-banner').text()).toContain('already been reviewed');
    expect((await eventsOf(lio, org.id)).filter((e) => e.kind === 'change_approved')).toHaveLength(1);

    const mine = await member.get('/my-organisation');
    expect(mine.$('main').text()).toContain('Your last changes were approved');
    expect(mine.$('[data-testid="pending"]').length).toBe(0);
  });

  it('requires a note to reject, then leaves the listing as it was and tells the group why', async () => {
    const lio = await t.make.lio();
    const { org, client: member, user } = await memberOf(lio);
    await propose(member, { name: 'Northgate Mutual Aid (the best)' });
    const staff = await signedIn(lio);
    const [change] = await changesOf(lio, org.id);

    const noNote = await staff.client.submit('/directory/approvals', `/directory/approvals/${change!.id}/reject`, { note: '   ' });
    expect(noNote.status).toBe(400);
    expect(summary(noNote)).toEqual([`#note-${change!.id}`]);
    expect(noNote.$(`#note-${change!.id}`).length).toBe(1);
    expect((await changesOf(lio, org.id))[0]!.status).toBe('pending');

    const rejected = await staff.client.submit('/directory/approvals', `/directory/approvals/${change!.id}/reject`, { note: 'Please use the registered name.' });
    expect(rejected.status).toBe(303);
    expect((await rowOf(lio, org.id)).name).toBe('Northgate Mutual Aid');
    expect((await changesOf(lio, org.id))[0]).toMatchObject({ status: 'rejected', review_note: 'Please use the registered name.', reviewed_by: staff.user.id });
    const event = (await eventsOf(lio, org.id)).find((e) => e.kind === 'change_rejected')!;
    expect(event.detail).toMatchObject({ note: 'Please use the registered name.' });
    expect(await auditOf(lio, 'listing_change.rejected')).toHaveLength(1);
    const mail = await emailsTo(lio, user.email);
    expect(mail[0]!.body_text).toContain('Please use the registered name.');
    const mine = await member.get('/my-organisation');
    expect(mine.$('main').text()).toContain('were not approved');
    expect(mine.$('main').text()).toContain('Please use the registered name.');

    const timeline = await staff.client.get(`/organisations/${org.id}`);
    expect(timeline.$('[data-testid="timeline"] li[data-kind="change_rejected"]').text()).toContain('Note: Please use the registered name.');
  });

  it('flags a field that staff changed after the group proposed theirs', async () => {
    const lio = await t.make.lio();
    const { org, client: member } = await memberOf(lio);
    await propose(member, { website: 'https://northgate.example' });
    await t.db.withTenant(lio.id, (tx) => tx.updateTable('organisations').set({ website: 'https://www.northgate.example' }).where('id', '=', org.id).execute());
    const staff = await signedIn(lio);
    const page = await staff.client.get('/directory/approvals');
    expect(page.$('[data-testid="listing-change"] tbody tr').first().text()).toContain('Since changed to: https://www.northgate.example');
  });

  it('is refused to staff without listing.approve, and unknown changes are 404', async () => {
    const lio = await t.make.lio();
    const { org, client: member } = await memberOf(lio);
    await propose(member, { website: 'https://northgate.example' });
    const [change] = await changesOf(lio, org.id);
    const helpline = await signedIn(lio, { role: 'staff', permissionSets: ['helpline'] });
    expect((await helpline.client.get('/directory/approvals')).status).toBe(403);
    expect((await helpline.client.submit('/organisations', `/directory/approvals/${change!.id}/approve`, {})).status).toBe(403);
    expect((await changesOf(lio, org.id))[0]!.status).toBe('pending');

    const admin = await signedIn(lio, { role: 'admin' });
    expect((await admin.client.submit('/directory/approvals', '/directory/approvals/not-an-id/approve', {})).status).toBe(404);
    expect((await admin.client.submit('/directory/approvals', '/directory/approvals/00000000-0000-4000-8000-000000000000/reject', { note: 'x' })).status).toBe(404);
    // Another LIO cannot see or act on it.
    const otherLio = await t.make.lio();
    const outsider = await signedIn(otherLio, { role: 'admin' });
    expect((await outsider.client.get('/directory/approvals')).$('[data-testid="listing-change"]').length).toBe(0);
    expect((await outsider.client.submit('/directory/approvals', `/directory/approvals/${change!.id}/approve`, {})).status).toBe(404);
    expect((await changesOf(lio, org.id))[0]!.status).toBe('pending');
  });
});
