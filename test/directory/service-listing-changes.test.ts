import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, signedInUser, type TestContext } from '../helpers/app.js';
import { Client, type Page, errorSummary, formFields, mainText } from '../helpers/client.js';
import { directoryFactories, type DirectoryFactories } from '../helpers/directory-factories.js';
import { loadService } from '../../src/directory/services/repository.js';

let t: TestContext;
let d: DirectoryFactories;
beforeAll(async () => { t = await createTestApp(); d = directoryFactories(t.db); });
afterAll(async () => { await t.close(); });

type Lio = Awaited<ReturnType<TestContext['make']['lio']>>;

const signedIn = (lio: Lio, overrides: Parameters<typeof signedInUser>[2] = {}) => signedInUser(t, lio, overrides);

const serviceOf = (lio: Lio, id: string) => t.db.withTenant(lio.id, async (tx) => (await loadService(tx, id))!);
const changesOf = (lio: Lio, serviceId: string) => t.db.withTenant(lio.id, (tx) => tx.selectFrom('listing_changes').selectAll().where('service_id', '=', serviceId).orderBy('submitted_at').execute());
const auditOf = (lio: Lio, action: string) => t.db.withTenant(lio.id, (tx) => tx.selectFrom('audit_events').selectAll().where('action', '=', action).orderBy('occurred_at').execute());
const emailsTo = (lio: Lio, to: string) => t.db.withTenant(lio.id, (tx) => tx.selectFrom('email_messages').selectAll().where('to_address', '=', to).execute());
const eventsOf = (lio: Lio, organisationId: string) => t.db.withTenant(lio.id, (tx) => tx.selectFrom('organisation_events').selectAll().where('organisation_id', '=', organisationId).orderBy('occurred_at').orderBy('kind').execute());
const cells = (page: Page, selector: string) => page.$(selector).toArray().map((r) => page.$(r).children().toArray().map((c) => page.$(c).text().trim()).join(' | '));

/** A group with a befriending service delivered by phone, open on Tuesdays, and a member signed in. */
async function groupWithService(lio: Lio) {
  const org = await d.organisation(lio, { name: 'Northgate Mutual Aid' });
  const service = await d.service(lio, {
    organisationId: org.id, name: 'Telephone befriending', description: 'A friendly weekly call.', deliveryModes: ['phone'],
    opening: [{ day: 'TU', opens: '10:00', closes: '12:00' }],
  });
  const member = await signedIn(lio, { role: 'group_member', organisationId: org.id, name: 'Dan Murphy' });
  return { org, service, ...member };
}

const formOf = (id: string) => `form[action="/my-organisation/services/${id}"]`;

async function propose(client: Client, serviceId: string, changes: Record<string, string | string[]>) {
  const page = await client.get(`/my-organisation/services/${serviceId}`);
  expect(page.status).toBe(200);
  return client.submit(`/my-organisation/services/${serviceId}`, `/my-organisation/services/${serviceId}`, { ...formFields(page, formOf(serviceId)), ...changes });
}

describe('a group member proposes a change to one of their services', () => {
  it('lists their services on "Our listing" and stores the edit as a pending from → to change, leaving the service as it was', async () => {
    const lio = await t.make.lio();
    const { org, service, client, user } = await groupWithService(lio);
    await d.service(lio, { name: 'Someone else’s lunch club' });

    const listing = await client.get('/my-organisation');
    expect(cells(listing, '[data-testid="our-services"] .govuk-summary-list__row')).toEqual(['Telephone befriending | Active | Change Telephone befriending']);
    expect(listing.$(`a[href="/my-organisation/services/${service.id}"]`).length).toBe(1);

    const form = await client.get(`/my-organisation/services/${service.id}`);
    expect(form.$('h1').text()).toBe('Change Telephone befriending');
    expect(form.$('#name').val()).toBe('Telephone befriending');
    expect(form.$('#openingDay-1 option[selected]').attr('value')).toBe('TU');
    // Venues, categories, sessions and costs stay with staff.
    expect(form.$('[name="locationIds"], [name="termIds"], [name="costOption"], [name="sessionDate-day"], [name="organisationId"], [name="changedOn"]').length).toBe(0);

    const sent = await propose(client, service.id, {
      name: 'Telephone and video befriending', deliveryModes: ['phone', 'online'], phone: '01632 960 002', languages: 'English, Urdu',
      openingDay: ['TU', 'TH'], openingOpens: ['10:00', '6pm'], openingCloses: ['12:00', '8pm'],
    });
    expect(sent.status).toBe(303);
    expect(sent.location).toBe(`/my-organisation/services/${service.id}`);

    const after = await serviceOf(lio, service.id);
    expect(after.name).toBe('Telephone befriending');
    expect(after.delivery_modes).toEqual(['phone']);
    const [change, ...more] = await changesOf(lio, service.id);
    expect(more).toEqual([]);
    expect(change).toMatchObject({ status: 'pending', organisation_id: org.id, submitted_by: user.id });
    expect(change!.changes).toEqual({
      name: { from: 'Telephone befriending', to: 'Telephone and video befriending' },
      deliveryModes: { from: ['phone'], to: ['phone', 'online'] },
      phone: { from: null, to: '01632 960 002' },
      languages: { from: [], to: ['English', 'Urdu'] },
      opening: { from: [{ day: 'TU', opens: '10:00', closes: '12:00' }], to: [{ day: 'TU', opens: '10:00', closes: '12:00' }, { day: 'TH', opens: '18:00', closes: '20:00' }] },
    });
    expect((await auditOf(lio, 'listing_change.submitted')).map((a) => a.detail)).toEqual([
      { organisation: org.id, service: service.id, fields: ['name', 'deliveryModes', 'phone', 'languages', 'opening'] },
    ]);
    expect((await eventsOf(lio, org.id)).find((e) => e.kind === 'change_submitted')!.summary)
      .toBe('Changes to the service Telephone befriending proposed by the group, waiting for approval: Name, How it is delivered, Phone number, Languages spoken, Opening times');

    const shown = await client.get(`/my-organisation/services/${service.id}`);
    expect(shown.$('.govuk-notification-banner').text()).toContain('Your changes have been sent');
    expect(cells(shown, '[data-testid="pending"] [data-testid="diff"] tbody tr')).toEqual([
      'Name | Telephone befriending | Telephone and video befriending',
      'How it is delivered | By phone | By phone, Online',
      'Phone number | (blank) | 01632 960 002',
      'Languages spoken | (blank) | English, Urdu',
      'Opening times | Tuesdays, 10:00 to 12:00 | Tuesdays, 10:00 to 12:00; Thursdays, 18:00 to 20:00',
    ]);
    // The form builds on the proposal waiting; a second edit replaces it rather than piling up.
    expect(shown.$('#name').val()).toBe('Telephone and video befriending');
    await propose(client, service.id, { email: 'calls@northgate.example' });
    const changes = await changesOf(lio, service.id);
    expect(changes).toHaveLength(1);
    expect(Object.keys(changes[0]!.changes).sort()).toEqual(['deliveryModes', 'email', 'languages', 'name', 'opening', 'phone']);
    expect((await client.get('/my-organisation')).$('[data-testid="our-services"]').text()).toContain('Changes waiting for approval');
  });

  it('sends nothing when nothing changed', async () => {
    const lio = await t.make.lio();
    const { service, client } = await groupWithService(lio);
    const res = await propose(client, service.id, {});
    expect(res.status).toBe(303);
    expect((await client.get(`/my-organisation/services/${service.id}`)).$('.govuk-notification-banner').text()).toContain('You have not changed anything');
    expect(await changesOf(lio, service.id)).toEqual([]);
  });

  it('refuses invalid input with 400 and the error summary, keeping everything typed', async () => {
    const lio = await t.make.lio();
    const { service, client } = await groupWithService(lio);
    const res = await propose(client, service.id, {
      name: '', deliveryModes: [], email: 'not-an-email', minimumAge: 'ten', openingDay: ['TU', 'WE'], openingOpens: ['10:00', '14:00'], openingCloses: ['12:00', '13:00'],
      description: 'Still friendly.',
    });
    expect(res.status).toBe(400);
    expect(errorSummary(res)).toEqual([
      { text: 'Enter the name of the service', href: '#name' },
      { text: 'Select how the service is delivered', href: '#deliveryModes' },
      { text: 'Enter an email address in the correct format, like name@example.org', href: '#email' },
      { text: 'Enter the minimum age as a whole number of years, from 0 to 130', href: '#minimumAge' },
      { text: 'Opening time 2 must close after it opens', href: '#openingCloses-2' },
    ]);
    for (const e of errorSummary(res)) expect(res.$(e.href).length, e.href).toBe(1);
    expect(res.$('#email').val()).toBe('not-an-email');
    expect(res.$('#minimumAge').val()).toBe('ten');
    expect(res.$('#description').text().trim()).toBe('Still friendly.');
    expect(res.$('#openingDay-2 option[selected]').attr('value')).toBe('WE');
    expect(res.$('#openingCloses-2').val()).toBe('13:00');
    expect(await changesOf(lio, service.id)).toEqual([]);
  });

  it('tells the group to ask the LIO for a venue before choosing "in person"', async () => {
    const lio = await t.make.lio();
    const { service, client } = await groupWithService(lio);
    const res = await propose(client, service.id, { deliveryModes: ['in_person', 'phone'] });
    expect(res.status).toBe(400);
    expect(errorSummary(res)).toEqual([{
      text: `${lio.name} has no venue recorded for this service: ask them to add it before choosing in person, or choose another way it is delivered`, href: '#deliveryModes',
    }]);
  });

  it('can never see or change another organisation’s service (403, audited), and unknown services are 404', async () => {
    const lio = await t.make.lio();
    const { service, client } = await groupWithService(lio);
    const other = await d.service(lio, { name: 'Eastfield lunch club' });
    expect((await client.get(`/my-organisation/services/${other.id}`)).status).toBe(403);
    const page = await client.get(`/my-organisation/services/${service.id}`);
    const forged = await client.submit(`/my-organisation/services/${service.id}`, `/my-organisation/services/${other.id}`, { ...formFields(page, formOf(service.id)), name: 'Taken over' });
    expect(forged.status).toBe(403);
    expect(await changesOf(lio, other.id)).toEqual([]);
    expect((await serviceOf(lio, other.id)).name).toBe('Eastfield lunch club');
    // Nor through the staff pages.
    expect((await client.get(`/services/${other.id}`)).status).toBe(403);
    expect((await client.get(`/services/${service.id}/edit`)).status).toBe(403);
    const denied = await auditOf(lio, 'access.denied');
    expect(denied.filter((a) => a.subject_id === '/my-organisation/services/:id').map((a) => a.detail)).toEqual([
      { method: 'GET', permission: 'listing.edit_own' }, { method: 'POST', permission: 'listing.edit_own' },
    ]);

    expect((await client.get('/my-organisation/services/not-an-id')).status).toBe(404);
    expect((await client.get('/my-organisation/services/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    const elsewhere = await d.service(await t.make.lio(), { name: 'Another LIO’s service' });
    expect((await client.get(`/my-organisation/services/${elsewhere.id}`)).status).toBe(404);

    const staff = await signedIn(lio, { role: 'staff', permissionSets: ['adviser'] });
    expect((await staff.client.get(`/my-organisation/services/${service.id}`)).status).toBe(403);
  });

  it('refuses a change sent without the form’s token', async () => {
    const lio = await t.make.lio();
    const { service, client } = await groupWithService(lio);
    const page = await client.get(`/my-organisation/services/${service.id}`);
    const res = await client.postRaw(`/my-organisation/services/${service.id}`, { ...formFields(page, formOf(service.id)), name: 'No token' });
    expect(res.status).toBe(403);
    expect(await changesOf(lio, service.id)).toEqual([]);
  });
});

describe('staff approve or reject a proposed service change', () => {
  it('shows the service, its organisation and a clear diff, and on approval publishes it through the service update path', async () => {
    const lio = await t.make.lio();
    const { org, service, client: member, user } = await groupWithService(lio);
    await propose(member, service.id, { name: 'Telephone and video befriending', deliveryModes: ['phone', 'online'], status: 'temporarily closed' });
    const staff = await signedIn(lio, { role: 'staff', permissionSets: ['adviser'], name: 'Ben Okafor' });

    const page = await staff.client.get('/directory/approvals');
    expect(page.status).toBe(200);
    const section = page.$('[data-testid="listing-change"]');
    expect(section.length).toBe(1);
    expect(section.find('h2').text()).toBe('Telephone befriending');
    expect(section.find('h2 a').attr('href')).toBe(`/services/${service.id}`);
    expect(section.find('.govuk-caption-m').text()).toBe('Service run by Northgate Mutual Aid');
    expect(section.text()).toContain('Sent by Dan Murphy');
    expect(cells(page, '[data-testid="listing-change"] tbody tr')).toEqual([
      'Name | Telephone befriending | Telephone and video befriending',
      'Status | Active | Temporarily closed',
      'How it is delivered | By phone | By phone, Online',
    ]);
    expect(section.find('label').text()).toContain('Why are you not approving the changes to Telephone befriending (Northgate Mutual Aid)?');
    const [change] = await changesOf(lio, service.id);

    const approved = await staff.client.submit('/directory/approvals', `/directory/approvals/${change!.id}/approve`, {});
    expect(approved.status).toBe(303);
    const after = await serviceOf(lio, service.id);
    expect(after).toMatchObject({ name: 'Telephone and video befriending', status: 'temporarily closed', delivery_modes: ['phone', 'online'], description: 'A friendly weekly call.' });
    expect(after.schedules.map((s) => [s.byday, s.opens_at])).toEqual([['TU', '10:00:00']]);
    // The delivery history dates the change, as for any staff edit.
    const history = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('service_delivery_changes').select(['delivery_modes', 'status']).where('service_id', '=', service.id).orderBy('id').execute());
    expect(history.at(-1)).toEqual({ delivery_modes: ['phone', 'online'], status: 'temporarily closed' });
    expect((await changesOf(lio, service.id))[0]).toMatchObject({ status: 'approved', reviewed_by: staff.user.id });
    const updated = await auditOf(lio, 'service.updated');
    expect(updated.map((a) => [a.subject_id, a.actor_user_id, a.detail])).toEqual([[service.id, staff.user.id, {
      deliveryModes: { from: ['phone'], to: ['phone', 'online'] }, status: { from: 'active', to: 'temporarily closed' },
    }]]);
    expect((await auditOf(lio, 'listing_change.approved')).map((a) => [a.subject_id, a.detail])).toEqual([[change!.id, {
      organisation: org.id, service: service.id, fields: ['name', 'status', 'deliveryModes'],
    }]]);
    const events = await eventsOf(lio, org.id);
    expect(events.find((e) => e.kind === 'change_approved')!.summary).toBe('Proposed changes to the service Telephone befriending approved and published: Name, Status, How it is delivered');
    expect(events.some((e) => e.kind === 'service_changed')).toBe(true);
    const mail = await emailsTo(lio, user.email);
    expect(mail.map((m) => m.subject)).toEqual(['Your changes to Telephone befriending have been approved']);
    expect(mail[0]!.body_text).toContain('- How it is delivered');

    const done = await staff.client.get('/directory/approvals');
    expect(done.$('.govuk-notification-banner').text()).toContain('Changes to Telephone befriending (Northgate Mutual Aid) approved and published');
    expect(done.$('[data-testid="no-changes"]').length).toBe(1);
    const publicPage = await new Client(t.app, lio.host).get(`/find/services/${service.id}`);
    expect(publicPage.$('h1').text()).toBe('Telephone and video befriending');

    const again = await staff.client.submit('/directory/approvals', `/directory/approvals/${change!.id}/approve`, {});
    expect(again.status).toBe(303);
    expect(await auditOf(lio, 'service.updated')).toHaveLength(1);
    expect(mainText(await member.get(`/my-organisation/services/${service.id}`))).toContain('Your last changes to this service were approved');
  });

  it('requires a note to reject, then leaves the service as it was and tells the group why', async () => {
    const lio = await t.make.lio();
    const { org, service, client: member, user } = await groupWithService(lio);
    await propose(member, service.id, { name: 'Best befriending in town' });
    const staff = await signedIn(lio, { role: 'admin' });
    const [change] = await changesOf(lio, service.id);

    const noNote = await staff.client.submit('/directory/approvals', `/directory/approvals/${change!.id}/reject`, { note: '' });
    expect(noNote.status).toBe(400);
    expect(errorSummary(noNote).map((e) => e.href)).toEqual([`#note-${change!.id}`]);

    const rejected = await staff.client.submit('/directory/approvals', `/directory/approvals/${change!.id}/reject`, { note: 'Please keep the name residents know.' });
    expect(rejected.status).toBe(303);
    expect((await serviceOf(lio, service.id)).name).toBe('Telephone befriending');
    expect((await changesOf(lio, service.id))[0]).toMatchObject({ status: 'rejected', review_note: 'Please keep the name residents know.' });
    expect((await auditOf(lio, 'listing_change.rejected')).map((a) => a.detail)).toEqual([{ organisation: org.id, service: service.id, fields: ['name'] }]);
    expect(await auditOf(lio, 'service.updated')).toEqual([]);
    const event = (await eventsOf(lio, org.id)).find((e) => e.kind === 'change_rejected')!;
    expect(event.summary).toBe('Proposed changes to the service Telephone befriending not approved: Name');
    const [mail] = await emailsTo(lio, user.email);
    expect(mail!.subject).toBe('Your changes to Telephone befriending were not approved');
    expect(mail!.body_text).toContain('Please keep the name residents know.');
    const mine = mainText(await member.get(`/my-organisation/services/${service.id}`));
    expect(mine).toContain('were not approved');
    expect(mine).toContain('Please keep the name residents know.');
  });

  it('does not apply a change the service can no longer take, and says why', async () => {
    const lio = await t.make.lio();
    const org = await d.organisation(lio, { name: 'Canalside Men’s Shed' });
    const service = await d.service(lio, { organisationId: org.id, name: 'Shed sessions', deliveryModes: ['online'], locations: [{ name: 'Canal Wharf' }] });
    const member = await signedIn(lio, { role: 'group_member', organisationId: org.id });
    expect((await propose(member.client, service.id, { deliveryModes: ['in_person', 'online'] })).status).toBe(303);
    // Staff take the venue off meanwhile: in person is no longer possible as it stands.
    await t.db.withTenant(lio.id, (tx) => tx.deleteFrom('service_at_locations').where('service_id', '=', service.id).execute());
    const [change] = await changesOf(lio, service.id);
    const staff = await signedIn(lio, { role: 'admin' });
    const res = await staff.client.submit('/directory/approvals', `/directory/approvals/${change!.id}/approve`, {});
    expect(res.status).toBe(400);
    expect(errorSummary(res)).toEqual([{
      text: 'The changes to Shed sessions cannot be applied as they stand: Choose or add a venue for a service delivered in person. Change the service first, or do not approve.',
      href: `#change-${change!.id}`,
    }]);
    expect(res.$(`#change-${change!.id}`).length).toBe(1);
    expect((await changesOf(lio, service.id))[0]!.status).toBe('pending');
    expect((await serviceOf(lio, service.id)).delivery_modes).toEqual(['online']);
    expect(await auditOf(lio, 'listing_change.approved')).toEqual([]);
  });

  it('is refused to staff without listing.approve', async () => {
    const lio = await t.make.lio();
    const { service, client: member } = await groupWithService(lio);
    await propose(member, service.id, { name: 'Befriending by phone' });
    const [change] = await changesOf(lio, service.id);
    const helpline = await signedIn(lio, { role: 'staff', permissionSets: ['helpline'] });
    expect((await helpline.client.submit('/services', `/directory/approvals/${change!.id}/approve`, {})).status).toBe(403);
    expect((await member.submit('/my-organisation', `/directory/approvals/${change!.id}/approve`, {})).status).toBe(403);
    expect((await changesOf(lio, service.id))[0]!.status).toBe('pending');
  });
});
