import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, signedInUser, type TestContext } from '../helpers/app.js';
import { Client, errorSummary } from '../helpers/client.js';
import { volunteeringFactories } from '../helpers/volunteering-factories.js';

let t: TestContext;
let vol: ReturnType<typeof volunteeringFactories>;
beforeAll(async () => { t = await createTestApp(); vol = volunteeringFactories(t.db); });
afterAll(async () => { await t.close(); });

const person = { fullName: 'Marta Kowalczyk', email: 'Marta.K@Example.net', phone: '07700 900 456', postcode: 'rv1 2ab', skills: ['driving', 'lifting'], offer: 'I have a van', consent: 'yes' };

async function lioInSurge() {
  const lio = await t.make.lio();
  const { client: admin } = await signedInUser(t, lio, { role: 'admin' });
  const on = await admin.submit('/volunteering/surge', '/volunteering/surge', { on: 'yes', message: 'Help us respond to the flooding in Riverside' });
  expect(on.status).toBe(303);
  return { lio, admin };
}

const surgeVolunteers = (lioId: string) => t.db.withTenant(lioId, (tx) => tx.selectFrom('volunteers as v').innerJoin('people as p', 'p.id', 'v.person_id')
  .select(['v.id', 'v.status', 'v.registered_via', 'v.emergency_reserve', 'p.full_name', 'p.emails', 'p.phones', 'p.postcode', 'v.skills']).execute());

/** Follows the link in the last e-mail sent to `email`, as the person holding the address does. */
async function followLink(client: Client, lioId: string, email: string) {
  const mails = await t.db.withTenant(lioId, (tx) => tx.selectFrom('email_messages').select('body_text').where('to_address', '=', email).orderBy('created_at', 'desc').execute());
  return client.get(/\/volunteer\/surge\/confirm\/[A-Za-z0-9_-]+/.exec(mails[0]!.body_text)![0]);
}

describe('emergency surge mode', () => {
  it('the front door offers the sign-up form only while an admin has surge mode on, with their message', async () => {
    const lio = await t.make.lio();
    const visitor = new Client(t.app, lio.host);
    expect((await visitor.get('/')).$('[data-section="surge"]')).toHaveLength(0);
    expect((await visitor.get('/volunteer/surge')).status).toBe(404);

    const { client: staff } = await signedInUser(t, lio, { role: 'staff', permissionSets: ['volunteer_coordinator'] });
    expect((await staff.get('/volunteering/surge')).status).toBe(403);
    const { client: admin } = await signedInUser(t, lio, { role: 'admin' });
    const missing = await admin.submit('/volunteering/surge', '/volunteering/surge', { on: 'yes', message: '' });
    expect(missing.status).toBe(400);
    expect(errorSummary(missing)).toEqual([{ text: 'Enter what the front door should say', href: '#message' }]);
    await admin.submit('/volunteering/surge', '/volunteering/surge', { on: 'yes', message: 'Help us respond to the flooding' });

    const home = await visitor.get('/');
    expect(home.$('[data-section="surge"] a').attr('href')).toBe('/volunteer/surge');
    const form = await visitor.get('/volunteer/surge');
    expect(form.status).toBe(200);
    expect(form.$('[data-testid="surge-message"]').text()).toContain('Help us respond to the flooding');

    await admin.submit('/volunteering/surge', '/volunteering/surge', { on: 'no', message: '' });
    expect((await visitor.get('/')).$('[data-section="surge"]')).toHaveLength(0);
    expect((await visitor.get('/volunteer/surge')).status).toBe(404);
  });

  it('a sign-up is held until its e-mailed link is followed, then makes one new volunteer on a new person; the same form sent again makes no second', async () => {
    const { lio } = await lioInSurge();
    const visitor = new Client(t.app, lio.host);
    const form = await visitor.get('/volunteer/surge');
    const fields = { ...person, _csrf: String(form.$('input[name="_csrf"]').val()), signupKey: String(form.$('input[name="signupKey"]').val()) };
    const first = await visitor.postRaw('/volunteer/surge', fields);
    expect(first.status).toBe(200);
    expect(first.$('h1').text()).toContain('You have signed up');
    expect(first.$('main').text()).toContain('marta.k@example.net');
    const again = await visitor.postRaw('/volunteer/surge', fields);
    expect(again.status).toBe(200);
    // Sent together, as a double click does.
    await Promise.all([visitor.postRaw('/volunteer/surge', fields), visitor.postRaw('/volunteer/surge', fields)]);
    expect(await surgeVolunteers(lio.id)).toEqual([]);
    const mails = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('email_messages').select('id').where('to_address', '=', 'marta.k@example.net').execute());
    expect(mails).toHaveLength(1);

    const { client: coordinator } = await signedInUser(t, lio, { role: 'staff', permissionSets: ['volunteer_coordinator'] });
    expect((await coordinator.get('/volunteering/surge/queue')).$('[data-testid="unconfirmed"]').text()).toContain('1 sign-up is waiting');
    const confirmed = await followLink(visitor, lio.id, 'marta.k@example.net');
    expect(confirmed.status).toBe(200);
    expect(confirmed.$('h1').text()).toContain('You have signed up');
    const rows = await surgeVolunteers(lio.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'new', registered_via: 'surge', emergency_reserve: true, full_name: 'Marta Kowalczyk',
      emails: ['marta.k@example.net'], phones: ['07700900456'], postcode: 'RV1 2AB', skills: ['driving', 'lifting'] });
    const consents = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('consents').select('purpose').execute());
    expect(consents.map((c) => c.purpose).sort()).toEqual(['contact_about_volunteering', 'volunteer_record']);
    // The link is spent; the same form sent after it is already a volunteer.
    expect((await followLink(visitor, lio.id, 'marta.k@example.net')).status).toBe(404);
    expect((await visitor.postRaw('/volunteer/surge', fields)).status).toBe(200);
    expect(await surgeVolunteers(lio.id)).toHaveLength(1);
  });

  it('answers the same for a person held or not and writes nothing to them until the link is followed; then a person held by e-mail is matched, a known volunteer gets no second record', async () => {
    const { lio } = await lioInSurge();
    const known = await t.db.withTenant(lio.id, (tx) => tx.insertInto('people').values({ lio_id: lio.id, full_name: 'Marta Kowalczyk', emails: ['marta.k@example.net'], phones: [] }).returning('id').executeTakeFirstOrThrow());
    const reserve = await vol.volunteer(lio, { email: 'sam.reserve@example.net', emergencyReserve: true });
    const visitor = new Client(t.app, lio.host);

    const held = await visitor.submit('/volunteer/surge', '/volunteer/surge', { ...person, signupKey: 'key-aaaaaaaaaaaaaaaa' });
    const stranger = await visitor.submit('/volunteer/surge', '/volunteer/surge', { ...person, fullName: 'New Person', email: 'new.person@example.net', phone: '', signupKey: 'key-dddddddddddddddd' });
    // The same page, but for the address it names: nothing tells the sender that the first is known.
    expect(held.status).toBe(stranger.status);
    expect(held.$('main').text().replace('marta.k@example.net', 'X')).toBe(stranger.$('main').text().replace('new.person@example.net', 'X'));
    const untouched = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('people').select(['phones', 'updated_at']).where('id', '=', known.id).executeTakeFirstOrThrow());
    expect(untouched.phones).toEqual([]);
    expect(await surgeVolunteers(lio.id)).toHaveLength(1);

    expect((await followLink(visitor, lio.id, 'marta.k@example.net')).status).toBe(200);
    const people = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('people').select('id').where('full_name', '=', 'Marta Kowalczyk').execute());
    expect(people).toHaveLength(1);
    const surgeOne = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('volunteers').select('person_id').where('registered_via', '=', 'surge').executeTakeFirstOrThrow());
    expect(surgeOne.person_id).toBe(known.id);

    const byEmail = await visitor.submit('/volunteer/surge', '/volunteer/surge', { ...person, fullName: 'Sam Reserve', email: 'SAM.reserve@example.net', phone: '', signupKey: 'key-bbbbbbbbbbbbbbbb' });
    expect(byEmail.$('[data-testid="known"]')).toHaveLength(0);
    expect(await t.db.withTenant(lio.id, (tx) => tx.selectFrom('volunteer_events').select('kind').where('volunteer_id', '=', reserve.id).execute())).toEqual([]);
    const confirmed = await followLink(visitor, lio.id, 'sam.reserve@example.net');
    expect(confirmed.$('[data-testid="known"]')).toHaveLength(1);
    expect((await surgeVolunteers(lio.id)).filter((r) => r.registered_via === 'surge')).toHaveLength(1);
    const events = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('volunteer_events').select('kind').where('volunteer_id', '=', reserve.id).execute());
    expect(events.map((e) => e.kind)).toEqual(['surge.offered_again']);
  });

  it('queues one confirmation e-mail a form, however often it is sent, before or after its link is followed, whether it made a volunteer or found one', async () => {
    const { lio } = await lioInSurge();
    await vol.volunteer(lio, { fullName: 'Sam Reserve', email: 'sam.reserve@example.net', emergencyReserve: true });
    const visitor = new Client(t.app, lio.host);
    const mailsTo = async (email: string) => (await t.db.withTenant(lio.id, (tx) => tx.selectFrom('email_messages').select('id').where('to_address', '=', email).execute())).length;
    const forms = [
      { ...person, signupKey: 'retry-key-newperson-aaaa' },
      { ...person, fullName: 'Sam Reserve', email: 'sam.reserve@example.net', phone: '', signupKey: 'retry-key-knownvolunteer' },
    ];
    for (const form of forms) {
      const email = form.email.toLowerCase();
      await visitor.submit('/volunteer/surge', '/volunteer/surge', form);
      await visitor.submit('/volunteer/surge', '/volunteer/surge', form);
      expect(await mailsTo(email)).toBe(1);
      expect((await followLink(visitor, lio.id, email)).status).toBe(200);
      // A retry arriving after the link was followed (a resent request, the back button): no new volunteer, no new e-mail.
      const retried = await visitor.submit('/volunteer/surge', '/volunteer/surge', form);
      expect(retried.status).toBe(200);
      expect(await mailsTo(email)).toBe(1);
    }
    expect((await surgeVolunteers(lio.id)).map((v) => v.full_name).sort()).toEqual(['Marta Kowalczyk', 'Sam Reserve']);
    expect(await t.db.withTenant(lio.id, (tx) => tx.selectFrom('volunteer_signups').select('id').execute())).toEqual([]);
  });

  it('a sign-up with mistakes comes back with status 400 and the error summary, keeping its form key', async () => {
    const { lio } = await lioInSurge();
    const visitor = new Client(t.app, lio.host);
    const page = await visitor.submit('/volunteer/surge', '/volunteer/surge', { signupKey: 'key-cccccccccccccccc', fullName: '', email: 'nope', phone: '123', postcode: 'NOPE', skills: ['juggling'], offer: '', consent: '' });
    expect(page.status).toBe(400);
    expect(errorSummary(page)).toEqual([
      { text: 'Enter your full name', href: '#fullName' },
      { text: 'Enter an email address in the correct format, like name@example.org', href: '#email' },
      { text: 'Enter a UK phone number, like 01632 960 001 or 07700 900 982', href: '#phone' },
      { text: 'Enter a real UK postcode, like SW1A 1AA', href: '#postcode' },
      { text: 'Choose what you can do from the list', href: '#skills' },
      { text: 'Tick the box to agree that we may hold your details and contact you about volunteering', href: '#consent' },
    ]);
    expect(page.$('input[name="signupKey"]').val()).toBe('key-cccccccccccccccc');
    expect(await surgeVolunteers(lio.id)).toHaveLength(0);
  });

  it('coordinators approve sign-ups or mark them as needing a DBS check; others cannot', async () => {
    const { lio } = await lioInSurge();
    const visitor = new Client(t.app, lio.host);
    for (const [name, email] of [['Ade Okafor', 'ade@example.net'], ['Bea Lund', 'bea@example.net']]) {
      await visitor.submit('/volunteer/surge', '/volunteer/surge', { ...person, fullName: name!, email: email!, phone: '' });
      await followLink(visitor, lio.id, email!);
    }
    const { client: adviser } = await signedInUser(t, lio, { role: 'staff', permissionSets: ['adviser'] });
    expect((await adviser.get('/volunteering/surge/queue')).status).toBe(403);
    const { client: coordinator } = await signedInUser(t, lio, { role: 'staff', permissionSets: ['volunteer_coordinator'] });
    const queue = await coordinator.get('/volunteering/surge/queue');
    expect(queue.$('[data-testid="queue-total"]').text()).toContain('2 waiting');
    const ids = Object.fromEntries((await surgeVolunteers(lio.id)).map((r) => [r.full_name, r.id]));

    const none = await coordinator.submit('/volunteering/surge/queue', '/volunteering/surge/queue', { decision: 'approve' });
    expect(none.status).toBe(400);
    expect(errorSummary(none)).toEqual([{ text: 'Select the volunteers you have vetted', href: '#volunteers' }]);
    await coordinator.submit('/volunteering/surge/queue', '/volunteering/surge/queue', { volunteers: [ids['Bea Lund']!], decision: 'needs_dbs' });
    const approved = await coordinator.submit('/volunteering/surge/queue', '/volunteering/surge/queue', { volunteers: [ids['Ade Okafor']!], decision: 'approve' });
    expect(approved.status).toBe(303);
    const after = await coordinator.get('/volunteering/surge/queue');
    expect(after.$('[data-testid="queue"] tbody tr')).toHaveLength(1);
    expect(after.$('[data-testid="queue"] tbody').text()).toContain('Needs DBS');
    expect(Object.fromEntries((await surgeVolunteers(lio.id)).map((r) => [r.full_name, r.status]))).toEqual({ 'Ade Okafor': 'active', 'Bea Lund': 'new' });
  });

  it('bulk assignment sends many reserve and new volunteers to a locality or an organisation; others are refused', async () => {
    const { lio } = await lioInSurge();
    const reserve = await Promise.all([1, 2, 3].map((n) => vol.volunteer(lio, { fullName: `Reserve ${n}`, emergencyReserve: true })));
    const ordinary = await vol.volunteer(lio, { fullName: 'Not Reserve', emergencyReserve: false });
    const other = await t.make.lio();
    const stranger = await vol.volunteer(other, { emergencyReserve: true });
    const organisation = await t.make.organisation(lio, { name: 'Riverside Food Bank' });
    const { client: coordinator } = await signedInUser(t, lio, { role: 'staff', permissionSets: ['volunteer_coordinator'] });

    const page = await coordinator.get('/volunteering/surge/assign');
    expect(page.$('[data-testid="pool"] tbody tr')).toHaveLength(3);
    const toLocality = await coordinator.submit('/volunteering/surge/assign', '/volunteering/surge/assign', { volunteers: [reserve[0]!.id, reserve[1]!.id], to: 'locality', locality: 'Riverside North' });
    expect(toLocality.status).toBe(303);
    t.clock.advance(60_000);
    const toOrg = await coordinator.submit('/volunteering/surge/assign', '/volunteering/surge/assign', { volunteers: [reserve[1]!.id, reserve[2]!.id], to: 'organisation', organisationId: organisation.id });
    expect(toOrg.status).toBe(303);
    for (const outsider of [ordinary.id, stranger.id]) {
      const refused = await coordinator.submit('/volunteering/surge/assign', '/volunteering/surge/assign', { volunteers: [reserve[0]!.id, outsider], to: 'locality', locality: 'Elsewhere' });
      expect(refused.status).toBe(400);
      expect(errorSummary(refused)).toEqual([{ text: 'Select volunteers from the list', href: '#volunteers' }]);
    }
    const assignments = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('surge_assignments').select(['volunteer_id', 'locality', 'organisation_id']).execute());
    expect(assignments).toHaveLength(4);
    const shown = await coordinator.get('/volunteering/surge/assign');
    expect(shown.$('[data-testid="assigned-to"]').toArray().map((c) => shown.$(c).text())).toEqual(['Riverside North', 'Riverside Food Bank', 'Riverside Food Bank']);
  });

  it('a message to a cohort is recorded once and queues one e-mail to each member, sent by the job queue', async () => {
    const { lio } = await lioInSurge();
    const a = await vol.volunteer(lio, { email: 'a.reserve@example.net', emergencyReserve: true });
    const b = await vol.volunteer(lio, { email: 'b.reserve@example.net', emergencyReserve: true });
    await vol.volunteer(lio, { email: 'not.reserve@example.net' });
    const { client: coordinator } = await signedInUser(t, lio, { role: 'staff', permissionSets: ['volunteer_coordinator'] });
    await coordinator.submit('/volunteering/surge/assign', '/volunteering/surge/assign', { volunteers: [a.id], to: 'locality', locality: 'Riverside North' });
    await coordinator.submit('/volunteering/surge/assign', '/volunteering/surge/assign', { volunteers: [b.id], to: 'locality', locality: 'Riverside North' });
    t.clock.advance(60_000);
    // b moves on: only where a volunteer is now counts.
    await coordinator.submit('/volunteering/surge/assign', '/volunteering/surge/assign', { volunteers: [b.id], to: 'locality', locality: 'Old Town' });

    const bad = await coordinator.submit('/volunteering/surge/messages', '/volunteering/surge/messages', { cohort: '', subject: '', body: '' });
    expect(bad.status).toBe(400);
    expect(errorSummary(bad).map((e) => e.href)).toEqual(['#cohort', '#subject', '#body']);

    const sent = await coordinator.submit('/volunteering/surge/messages', '/volunteering/surge/messages', { cohort: 'reserve', subject: 'Sandbagging tomorrow', body: 'Meet at the community centre at 8am.' });
    expect(sent.status).toBe(303);
    const local = await coordinator.submit('/volunteering/surge/messages', '/volunteering/surge/messages', { cohort: 'locality', locality: 'Riverside North', subject: 'Riverside North briefing', body: 'Briefing at 9am.' });
    expect(local.status).toBe(303);

    const outbox = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('email_messages').select(['to_address', 'subject']).orderBy('to_address').execute());
    expect(outbox.filter((m) => m.subject === 'Sandbagging tomorrow').map((m) => m.to_address)).toEqual(['a.reserve@example.net', 'b.reserve@example.net']);
    expect(outbox.filter((m) => m.subject === 'Riverside North briefing').map((m) => m.to_address)).toEqual(['a.reserve@example.net']);
    const messages = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('volunteer_messages').select(['cohort', 'recipients']).orderBy('created_at').execute());
    expect(messages).toEqual([{ cohort: 'the emergency reserve', recipients: 2 }, { cohort: 'volunteers assigned to Riverside North', recipients: 1 }]);
    const jobs = await t.db.system.selectFrom('jobs').select('id').where('lio_id', '=', lio.id).where('kind', '=', 'email.send').where('status', '=', 'queued').execute();
    expect(jobs).toHaveLength(3);
  });
});
