import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { Client, signedInClient, errorSummary, mainText } from '../helpers/client.js';
import { directoryFactories } from '../helpers/directory-factories.js';
import { volunteeringFactories, type VolunteeringFactories } from '../helpers/volunteering-factories.js';
import type { TestUser } from '../helpers/factories.js';

type Lio = Awaited<ReturnType<TestContext['make']['lio']>>;
const DAY = 86_400_000;

let t: TestContext;
let v: VolunteeringFactories;
beforeAll(async () => { t = await createTestApp(); v = volunteeringFactories(t.db); });
afterAll(async () => { await t?.close(); });

/** A LIO with a coordinator, an organisation with an e-mail address and its group member, and a signed-in volunteer. */
async function setting() {
  const lio = await t.make.lio();
  const org = await directoryFactories(t.db).organisation(lio, { name: 'Brook Street Pantry', email: 'hello@pantry.example' });
  const coordinatorUser = await t.make.user(lio, { role: 'staff', permissionSets: ['volunteer_coordinator'] });
  const groupUser = await t.make.user(lio, { role: 'group_member', organisationId: org.id });
  const { client: volunteerClient, volunteer } = await volunteerWithAccount(lio);
  return {
    lio, org, volunteer, volunteerClient,
    coordinator: await signedInClient(t.app, lio.host, coordinatorUser),
    group: await signedInClient(t.app, lio.host, groupUser),
  };
}

async function volunteerWithAccount(lio: Lio, input: Parameters<VolunteeringFactories['volunteer']>[1] = {}) {
  const user: TestUser = await t.make.user(lio, { role: 'volunteer' });
  const volunteer = await v.volunteer(lio, { fullName: 'Nia Roberts', email: 'nia@example.net', ...input });
  await t.db.withTenant(lio.id, (tx) => tx.updateTable('users').set({ person_id: volunteer.personId }).where('id', '=', user.id).execute());
  return { user, volunteer, client: await signedInClient(t.app, lio.host, user) };
}

const referralOf = (lio: Lio, id: string) => t.db.withTenant(lio.id, (tx) => tx.selectFrom('referrals').selectAll().where('id', '=', id).executeTakeFirstOrThrow());
const stepsOf = (lio: Lio, id: string) => t.db.withTenant(lio.id, async (tx) => (await tx.selectFrom('referral_steps').select('step').where('referral_id', '=', id).orderBy('at').orderBy('id').execute()).map((s) => s.step));
const mailTo = (lio: Lio, to: string) => t.db.withTenant(lio.id, (tx) => tx.selectFrom('email_messages').select(['subject', 'body_text']).where('to_address', '=', to).orderBy('created_at').execute());
const linkIn = (body: string) => new URL(/http\S+\/volunteer\/referral\/\S+/.exec(body)![0]).pathname;

/** Moves the test clock on a minute, so that the steps of a referral are dated in the order they were taken. */
const later = () => { t.clock.advance(60_000); return { submit: (client: Client, ...a: Parameters<Client['submit']>) => client.submit(...a) }; };

/** Takes a step from the referral page, as its buttons do. */
const step = (client: Client, base: string, id: string, name: string, reason = '') => later().submit(client, `${base}/${id}`, `${base}/${id}/steps`, { step: name, reason });

describe('a volunteer enquires about a role', () => {
  it('in one step when signed in; a second enquiry while one is open is refused; someone signed out is sent to sign in or register', async () => {
    const s = await setting();
    const role = await v.opportunity(s.lio, { organisationId: s.org.id, title: 'Pantry packer' });
    const page = await s.volunteerClient.get(`/opportunities/${role.id}/enquire`);
    expect(page.status).toBe(200);
    expect(page.$('button').text()).toContain('Send my enquiry');
    const sent = await s.volunteerClient.submit(`/opportunities/${role.id}/enquire`, `/opportunities/${role.id}/enquire`, {});
    expect(sent.status).toBe(303);
    expect(sent.location).toBe('/my-volunteering/enquiries');
    const mine = await s.volunteerClient.get('/my-volunteering/enquiries');
    expect(mainText(mine)).toContain('Pantry packer');
    expect(mainText(mine)).toContain('Enquiry received');

    const [row] = await t.db.withTenant(s.lio.id, (tx) => tx.selectFrom('referrals').select(['id', 'status', 'organisation_id']).where('volunteer_id', '=', s.volunteer.id).execute());
    expect(row).toMatchObject({ status: 'enquired', organisation_id: s.org.id });
    expect(await stepsOf(s.lio, row!.id)).toEqual(['enquired']);

    const again = await s.volunteerClient.postRaw(`/opportunities/${role.id}/enquire`, { _csrf: (await s.volunteerClient.get('/my-volunteering/enquiries')).$('input[name="_csrf"]').first().val() as string });
    expect(again.status).toBe(400);
    expect(errorSummary(again)[0]!.text).toContain('already an open enquiry');

    const visitor = new Client(t.app, s.lio.host);
    const signedOut = await visitor.get(`/opportunities/${role.id}/enquire`);
    expect(signedOut.status).toBe(200);
    expect(signedOut.$('a[href="/volunteer/register"]').length).toBe(1);
    expect(signedOut.$(`a[href^="/sign-in?returnTo="]`).length).toBe(1);
    // Not asked to sign in for a role that has closed, nor for one there is not.
    const closed = await v.opportunity(s.lio, { organisationId: s.org.id, title: 'Bygone role', closingOn: '2020-01-01' });
    const closedPage = await visitor.get(`/opportunities/${closed.id}/enquire`);
    expect(closedPage.status).toBe(410);
    expect(closedPage.$('h1').text()).toBe('This role has closed');
    expect((await visitor.get('/opportunities/00000000-0000-4000-8000-000000000000/enquire')).status).toBe(404);
  });

  it('is refused with a clear answer for a closed or past-closing role, one with no places left, an under-age volunteer, and a role the organisation declined them for', async () => {
    const s = await setting();
    const refusal = async (roleId: string, client = s.volunteerClient) => {
      const page = await client.get(`/opportunities/${roleId}/enquire`);
      const posted = await client.postRaw(`/opportunities/${roleId}/enquire`, { _csrf: page.$('input[name="_csrf"]').first().val() as string });
      expect(posted.status).toBe(400);
      return errorSummary(posted)[0]!.text;
    };
    const closed = await v.opportunity(s.lio, { organisationId: s.org.id, title: 'Closed role', status: 'closed' });
    expect(await refusal(closed.id)).toBe('Closed role has closed and is no longer taking volunteers');
    const pastClosing = await v.opportunity(s.lio, { organisationId: s.org.id, title: 'Last year’s fair', closingOn: '2020-01-01' });
    expect(await refusal(pastClosing.id)).toBe('Last year’s fair has closed and is no longer taking volunteers');

    const full = await v.opportunity(s.lio, { organisationId: s.org.id, title: 'Two places', places: 2 });
    for (const status of ['accepted', 'started'] as const) {
      const other = await v.volunteer(s.lio);
      await v.referral(s.lio, { volunteerId: other.id, opportunityId: full.id, organisationId: s.org.id, status });
    }
    expect(await refusal(full.id)).toBe('Two places has no places left');

    const young = await volunteerWithAccount(s.lio, { dateOfBirth: new Date(t.clock.now().getTime() - 15 * 365 * DAY).toISOString().slice(0, 10) });
    const adults = await v.opportunity(s.lio, { organisationId: s.org.id, title: 'Night shelter', minimumAge: 18 });
    expect(await refusal(adults.id, young.client)).toBe('Volunteers for Night shelter must be 18 or over');

    const declinedRole = await v.opportunity(s.lio, { organisationId: s.org.id, title: 'Café helper' });
    await v.referral(s.lio, { volunteerId: s.volunteer.id, opportunityId: declinedRole.id, organisationId: s.org.id, status: 'declined' });
    expect(await refusal(declinedRole.id)).toBe('Brook Street Pantry has already declined this volunteer for Café helper');

    // The coordinator's referral is held to the same rules, the error pointing at the role.
    const form = await s.coordinator.submit('/volunteering/referrals/new', '/volunteering/referrals', { volunteer: s.volunteer.id, role: declinedRole.id });
    expect(form.status).toBe(400);
    expect(errorSummary(form)).toEqual([{ href: '#role', text: 'Brook Street Pantry has already declined this volunteer for Café helper' }]);
  });
});

describe('a referral’s life', () => {
  it('goes enquired → referred → contacted → accepted from the e-mailed link → started → ended, each step dated with who took it; illegal steps are refused', async () => {
    const s = await setting();
    const role = await v.opportunity(s.lio, { organisationId: s.org.id, title: 'Stock checker' });
    await s.volunteerClient.submit(`/opportunities/${role.id}/enquire`, `/opportunities/${role.id}/enquire`, {});
    const { id } = await t.db.withTenant(s.lio.id, (tx) => tx.selectFrom('referrals').select('id').where('volunteer_id', '=', s.volunteer.id).executeTakeFirstOrThrow());

    // Starting straight from an enquiry is not a step there is.
    const illegal = await step(s.coordinator, '/volunteering/referrals', id, 'started');
    expect(illegal.status).toBe(400);
    expect(errorSummary(illegal)[0]!.text).toBe('A referral that is “enquiry received” cannot be marked “started”');

    expect((await step(s.coordinator, '/volunteering/referrals', id, 'referred')).status).toBe(303);
    const [mail] = await mailTo(s.lio, 'hello@pantry.example');
    expect(mail!.subject).toBe('A volunteer for Stock checker');
    const link = linkIn(mail!.body_text);
    const links = await t.db.withTenant(s.lio.id, (tx) => tx.selectFrom('referral_links').select(['token_hash', 'sent_to']).where('referral_id', '=', id).execute());
    expect(links).toHaveLength(1);
    expect(link).not.toContain(links[0]!.token_hash);

    const org = new Client(t.app, s.lio.host);
    const linkPage = await org.get(link);
        expect(linkPage.status).toBe(200);
    expect(mainText(linkPage)).toContain('Nia Roberts');
    expect(mainText(linkPage)).toContain('nia@example.net');
    expect((await later().submit(org, link, link, { step: 'contacted' })).status).toBe(303);
    expect((await referralOf(s.lio, id)).status).toBe('contacted');
    // Declining needs a reason: the page comes back with the error on the reason box.
    const noReason = await org.submit(link, link, { step: 'declined', reason: '' });
    expect(noReason.status).toBe(400);
    expect(errorSummary(noReason)).toEqual([{ href: '#reason', text: 'Enter why the volunteer is declined' }]);
    const accepted = await later().submit(org, link, link, { step: 'accepted' });
    expect(accepted.status).toBe(200);
    expect(mainText(accepted)).toContain('the volunteer is accepted');

    // The link has been used for its answer: reused, it says so (410), never an error.
    const reused = await org.get(link);
    expect(reused.status).toBe(410);
    expect(mainText(reused)).toContain('This referral has already been answered');

    // The organisation's member starts the volunteer from its portal; another organisation's member cannot see it.
    const portal = await s.group.get('/our-volunteering/referrals');
    expect(mainText(portal)).toContain('Nia Roberts');
    const stranger = await signedInClient(t.app, s.lio.host, await t.make.user(s.lio, { role: 'group_member' }));
    expect((await stranger.get(`/our-volunteering/referrals/${id}`)).status).toBe(404);
    expect((await step(s.group, '/our-volunteering/referrals', id, 'started')).status).toBe(303);
    const started = await referralOf(s.lio, id);
    expect(started.status).toBe('started');
    const volunteer = await t.db.withTenant(s.lio.id, (tx) => tx.selectFrom('volunteers').select('status').where('id', '=', s.volunteer.id).executeTakeFirstOrThrow());
    expect(volunteer.status).toBe('placed');

    // The volunteer cannot withdraw once started; the coordinator ends it with a reason.
    const withdraw = await s.volunteerClient.submit('/my-volunteering/enquiries', `/my-volunteering/enquiries/${id}/withdraw`, {});
    expect(withdraw.status).toBe(303);
    expect((await referralOf(s.lio, id)).status).toBe('started');
    expect((await step(s.coordinator, '/volunteering/referrals', id, 'ended', 'Moved to Cardiff')).status).toBe(303);
    const ended = await referralOf(s.lio, id);
    expect(ended).toMatchObject({ status: 'ended', end_reason: 'Moved to Cardiff' });
    expect(await stepsOf(s.lio, id)).toEqual(['enquired', 'referred', 'contacted', 'accepted', 'started', 'ended']);
    const actors = await t.db.withTenant(s.lio.id, (tx) => tx.selectFrom('referral_steps').select(['step', 'actor_label', 'actor_user_id']).where('referral_id', '=', id).execute());
    expect(actors.find((a) => a.step === 'accepted')!.actor_label).toBe('The organisation, from its e-mail (hello@pantry.example)');
    expect(actors.find((a) => a.step === 'started')!.actor_user_id).not.toBeNull();

    // Every view of the referral page (which shows the volunteer's contact details) is audited.
    await s.coordinator.get(`/volunteering/referrals/${id}`);
    const views = await t.db.withTenant(s.lio.id, (tx) => tx.selectFrom('audit_events').select('actor_label').where('action', '=', 'volunteer.viewed').where('subject_id', '=', s.volunteer.id).execute());
    expect(views.length).toBeGreaterThanOrEqual(3);
  });

  it('can be withdrawn by the volunteer, and declined by the organisation with its reason', async () => {
    const s = await setting();
    const role = await v.opportunity(s.lio, { organisationId: s.org.id });
    const r1 = await v.referral(s.lio, { volunteerId: s.volunteer.id, opportunityId: role.id, organisationId: s.org.id, status: 'referred' });
    expect((await s.volunteerClient.submit('/my-volunteering/enquiries', `/my-volunteering/enquiries/${r1.id}/withdraw`, {})).status).toBe(303);
    expect((await referralOf(s.lio, r1.id)).status).toBe('withdrawn');
    const r2 = await v.referral(s.lio, { volunteerId: s.volunteer.id, opportunityId: role.id, organisationId: s.org.id, status: 'contacted' });
    expect((await step(s.group, '/our-volunteering/referrals', r2.id, 'declined', 'We need weekday mornings')).status).toBe(303);
    expect(await referralOf(s.lio, r2.id)).toMatchObject({ status: 'declined', decline_reason: 'We need weekday mornings' });
  });

  it('a forged link is a clear 404 page and an expired one a clear 410 page', async () => {
    const s = await setting();
    const role = await v.opportunity(s.lio, { organisationId: s.org.id, title: 'Expiring role' });
    const other = await v.volunteer(s.lio);
    const created = await s.coordinator.submit('/volunteering/referrals/new', '/volunteering/referrals', { volunteer: other.id, role: role.id });
    expect(created.status).toBe(303);
    const link = linkIn((await mailTo(s.lio, 'hello@pantry.example'))[0]!.body_text);
    const visitor = new Client(t.app, s.lio.host);
    const forged = await visitor.get(`/volunteer/referral/${'x'.repeat(43)}`);
    expect(forged.status).toBe(404);
    expect(mainText(forged)).toContain('This link is not valid');
    t.clock.advance(15 * DAY);
    try {
      const expired = await visitor.get(link);
      expect(expired.status).toBe(410);
      expect(mainText(expired)).toContain('This link has expired');
      const posted = await visitor.postRaw(link, { _csrf: expired.$('input[name="_csrf"]').first().val() as string ?? '', step: 'accepted' });
      expect([403, 410]).toContain(posted.status);
    } finally { t.clock.advance(-15 * DAY); }
  });

  it('lets an organisation accept only as many volunteers as the role has places, however many were referred', async () => {
    const s = await setting();
    const role = await v.opportunity(s.lio, { organisationId: s.org.id, title: 'One-place role', places: 1 });
    const first = await v.referral(s.lio, { volunteerId: s.volunteer.id, opportunityId: role.id, organisationId: s.org.id, status: 'contacted' });
    const other = await v.volunteer(s.lio);
    const second = await v.referral(s.lio, { volunteerId: other.id, opportunityId: role.id, organisationId: s.org.id, status: 'contacted' });
    expect((await step(s.group, '/our-volunteering/referrals', first.id, 'accepted')).status).toBe(303);
    const refused = await step(s.group, '/our-volunteering/referrals', second.id, 'accepted');
    expect(refused.status).toBe(400);
    expect(errorSummary(refused)[0]!.text).toContain('One-place role has no places left');
    expect((await referralOf(s.lio, second.id)).status).toBe('contacted');
  });

  it('refuses to pass an enquiry on once its role has closed, passed its closing date or filled, and e-mails the group nothing', async () => {
    const s = await setting();
    const enquiryFor = async (changeRole: (roleId: string) => Promise<unknown>) => {
      const role = await v.opportunity(s.lio, { organisationId: s.org.id, title: 'Shelf stacker', places: 1 });
      const volunteer = await v.volunteer(s.lio);
      const r = await v.referral(s.lio, { volunteerId: volunteer.id, opportunityId: role.id, organisationId: s.org.id, status: 'enquired' });
      await changeRole(role.id);
      const page = await step(s.coordinator, '/volunteering/referrals', r.id, 'referred');
      expect(page.status).toBe(400);
      expect((await referralOf(s.lio, r.id)).status).toBe('enquired');
      return errorSummary(page);
    };
    const setRole = (values: { status?: 'closed'; closing_on?: string }) => (id: string) =>
      t.db.withTenant(s.lio.id, (tx) => tx.updateTable('opportunities').set(values).where('id', '=', id).execute());
    expect(await enquiryFor(setRole({ status: 'closed' }))).toEqual([{ href: '#actions', text: 'Shelf stacker has closed and is no longer taking volunteers' }]);
    expect(await enquiryFor(setRole({ closing_on: '2020-01-01' }))).toEqual([{ href: '#actions', text: 'Shelf stacker has closed and is no longer taking volunteers' }]);
    const filled = await enquiryFor(async (id) => v.referral(s.lio, { volunteerId: (await v.volunteer(s.lio)).id, opportunityId: id, organisationId: s.org.id, status: 'accepted' }));
    expect(filled).toEqual([{ href: '#actions', text: 'Shelf stacker has no places left' }]);
    expect(await mailTo(s.lio, 'hello@pantry.example')).toHaveLength(0);
  });

  it('answers a step that is not one with a clear refusal, not an error', async () => {
    const s = await setting();
    const role = await v.opportunity(s.lio, { organisationId: s.org.id });
    const r = await v.referral(s.lio, { volunteerId: s.volunteer.id, opportunityId: role.id, organisationId: s.org.id, status: 'referred' });
    for (const name of ['toString', 'constructor', '__proto__']) {
      const page = await step(s.coordinator, '/volunteering/referrals', r.id, name);
      expect(page.status, name).toBe(400);
      expect(errorSummary(page)[0]!.text).toBe('Choose what has happened');
    }
  });

  it('stops showing the volunteer through the e-mailed link once the referral is answered elsewhere', async () => {
    const s = await setting();
    const role = await v.opportunity(s.lio, { organisationId: s.org.id, title: 'Answered in the portal' });
    const other = await v.volunteer(s.lio, { fullName: 'Idris Vaughan' });
    expect((await s.coordinator.submit('/volunteering/referrals/new', '/volunteering/referrals', { volunteer: other.id, role: role.id })).status).toBe(303);
    const link = linkIn((await mailTo(s.lio, 'hello@pantry.example'))[0]!.body_text);
    const visitor = new Client(t.app, s.lio.host);
    expect(mainText(await visitor.get(link))).toContain('Idris Vaughan');
    const [row] = await t.db.withTenant(s.lio.id, (tx) => tx.selectFrom('referrals').select('id').where('volunteer_id', '=', other.id).execute());
    expect((await step(s.group, '/our-volunteering/referrals', row!.id, 'declined', 'The role is filled')).status).toBe(303);
    const after = await visitor.get(link);
    expect(after.status).toBe(410);
    expect(mainText(after)).not.toContain('Idris Vaughan');
  });

  it('makes one referral of two enquiries sent at once, and answers the second without an error', async () => {
    const s = await setting();
    const role = await v.opportunity(s.lio, { organisationId: s.org.id });
    const token = (await s.volunteerClient.get(`/opportunities/${role.id}/enquire`)).$('input[name="_csrf"]').first().val() as string;
    const answers = await Promise.all([1, 2].map(() => s.volunteerClient.postRaw(`/opportunities/${role.id}/enquire`, { _csrf: token })));
    expect(answers.map((a) => a.status).sort()).toEqual([303, 400]);
    const rows = await t.db.withTenant(s.lio.id, (tx) => tx.selectFrom('referrals').select('id').where('volunteer_id', '=', s.volunteer.id).execute());
    expect(rows).toHaveLength(1);
  });

  it('refuses to start a role needing a DBS level unless a passed, unexpired check covers it, naming the level', async () => {
    const s = await setting();
    const role = await v.opportunity(s.lio, { organisationId: s.org.id, title: 'Youth club helper', dbsLevel: 'enhanced' });
    const r = await v.referral(s.lio, { volunteerId: s.volunteer.id, opportunityId: role.id, organisationId: s.org.id, status: 'accepted' });
    const blocked = async () => {
      const page = await step(s.coordinator, '/volunteering/referrals', r.id, 'started');
      expect(page.status).toBe(400);
      return errorSummary(page)[0]!.text;
    };
    const message = 'Nia Roberts cannot start: Youth club helper needs an Enhanced DBS check, and they have no passed DBS check at that level that is still in date';
    expect(await blocked()).toBe(message);
    await v.vettingCheck(s.lio, { volunteerId: s.volunteer.id, dbsLevel: 'standard', outcome: 'passed' });
    expect(await blocked()).toBe(message);
    await v.vettingCheck(s.lio, { volunteerId: s.volunteer.id, dbsLevel: 'enhanced', outcome: 'passed', expiresOn: '2021-01-01' });
    expect(await blocked()).toBe(message);
    await v.vettingCheck(s.lio, { volunteerId: s.volunteer.id, dbsLevel: 'enhanced', outcome: 'pending' });
    expect(await blocked()).toBe(message);
    expect((await referralOf(s.lio, r.id)).status).toBe('accepted');
    await v.vettingCheck(s.lio, { volunteerId: s.volunteer.id, dbsLevel: 'enhanced', outcome: 'passed', expiresOn: '2099-01-01' });
    expect((await step(s.coordinator, '/volunteering/referrals', r.id, 'started')).status).toBe(303);
    expect((await referralOf(s.lio, r.id)).status).toBe('started');
  });
});

describe('the coordinator’s list', () => {
  it('filters by status, organisation, and those waiting past the limit', async () => {
    const s = await setting();
    const other = await directoryFactories(t.db).organisation(s.lio, { name: 'Canal Trust' });
    const role = await v.opportunity(s.lio, { organisationId: s.org.id });
    const canalRole = await v.opportunity(s.lio, { organisationId: other.id });
    const a = await v.volunteer(s.lio, { fullName: 'Ada Referred' });
    const b = await v.volunteer(s.lio, { fullName: 'Bo Canal' });
    const c = await v.volunteer(s.lio, { fullName: 'Cy Waiting' });
    await v.referral(s.lio, { volunteerId: a.id, opportunityId: role.id, organisationId: s.org.id, status: 'referred' });
    await v.referral(s.lio, { volunteerId: b.id, opportunityId: canalRole.id, organisationId: other.id, status: 'started' });
    const waiting = await v.referral(s.lio, { volunteerId: c.id, opportunityId: role.id, organisationId: s.org.id, status: 'referred' });
    await t.db.withTenant(s.lio.id, (tx) => tx.updateTable('referrals').set({ chased_at: new Date(), escalated_at: new Date() }).where('id', '=', waiting.id).execute());
    const names = async (q: string) => (await s.coordinator.get(`/volunteering/referrals${q}`)).$('[data-testid="referrals"] tbody a').toArray().map((x) => (x as unknown as { children: { data: string }[] }).children[0]!.data).sort();
    expect(await names('')).toEqual(['Ada Referred', 'Bo Canal', 'Cy Waiting']);
    expect(await names('?status=started')).toEqual(['Bo Canal']);
    expect(await names(`?organisation=${s.org.id}`)).toEqual(['Ada Referred', 'Cy Waiting']);
    expect(await names('?waiting=past')).toEqual(['Cy Waiting']);
    // Other staff and volunteers are kept out.
    expect((await s.volunteerClient.get('/volunteering/referrals')).status).toBe(403);
  });
});
