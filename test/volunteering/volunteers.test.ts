import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, signedInUser, type TestContext } from '../helpers/app.js';
import { Client, errorSummary } from '../helpers/client.js';
import { directoryFactories } from '../helpers/directory-factories.js';
import { volunteeringFactories } from '../helpers/volunteering-factories.js';

let t: TestContext;
let vol: ReturnType<typeof volunteeringFactories>;
beforeAll(async () => {
  t = await createTestApp({ env: { LOG_LEVEL: process.env.TEST_LOG ?? 'silent' } });
  vol = volunteeringFactories(t.db);
  await directoryFactories(t.db).postcode({ postcode: 'RV1 5XY', latitude: 53.8, longitude: -1.55 });
});
afterAll(async () => { await t.close(); });

const adultAnswers: [string, Record<string, string | string[]>][] = [
  ['contact-details', { fullName: 'Maya Lindgren', email: 'Maya.Lindgren@example.net', phone: '07700 900 321' }],
  ['date-of-birth', { 'dateOfBirth-day': '4', 'dateOfBirth-month': '6', 'dateOfBirth-year': '1990' }],
  ['postcode', { postcode: 'rv1 5xy' }],
  ['travel', { travelKm: '8' }],
  ['how-you-can-help', { ways: ['in_person', 'remote'] }],
  ['skills', { skills: ['gardening', 'driving'] }],
  ['interests', { interests: 'growing food, meeting people' }],
  ['causes', { causes: ['environment', 'food'] }],
  ['languages', { languages: 'English, Swedish' }],
  ['when-you-are-free', { availability: ['sat-morning', 'mon-evening'] }],
  ['access-needs', { accessNeeds: '' }],
  ['emergency-reserve', { emergencyReserve: 'yes' }],
  ['consent', { consentRecord: 'yes', consentContact: 'yes' }],
];

let visitor = 0;
/** Each visitor from their own address: the public form's rate limit is per address. */
async function startRegistration(lio: { host: string }) {
  visitor += 1;
  const client = new Client(t.app, lio.host, `192.0.2.${visitor}`);
  const start = await client.submit('/volunteer/register', '/volunteer/register', {});
  expect(start.location).toBe('/volunteer/register/contact-details');
  return client;
}

async function answer(client: Client, slug: string, fields: Record<string, string | string[]>) {
  return client.submit(`/volunteer/register/${slug}`, `/volunteer/register/${slug}`, fields);
}

async function registerThrough(client: Client, answers = adultAnswers) {
  for (const [slug, fields] of answers) {
    const page = await answer(client, slug, fields);
    expect(page.status, `${slug}: ${errorSummary(page).map((e) => e.text).join('; ')}`).toBe(303);
  }
  return client.submit('/volunteer/register/check-answers', '/volunteer/register/check-answers', {});
}

/** Follows the link in the last e-mail sent to `email`, as the person holding the address does. */
async function followLink(client: Client, lioId: string, email: string) {
  const mails = await t.db.withTenant(lioId, (tx) => tx.selectFrom('email_messages').select('body_text').where('to_address', '=', email).orderBy('created_at', 'desc').execute());
  const link = /\/volunteer\/register\/confirm\/[A-Za-z0-9_-]+/.exec(mails[0]!.body_text)![0];
  return { link, page: await client.get(link) };
}

const heldSignups = (lioId: string) => t.db.withTenant(lioId, (tx) => tx.selectFrom('volunteer_signups').select(['email', 'via']).execute());

const volunteersOf = (lioId: string) => t.db.withTenant(lioId, (tx) => tx.selectFrom('volunteers as v').innerJoin('people as p', 'p.id', 'v.person_id')
  .select(['v.id', 'v.status', 'v.registered_via', 'v.skills', 'v.availability', 'v.latitude', 'v.email_confirmed_at', 'v.guardian_name', 'v.emergency_reserve', 'p.id as person_id', 'p.emails', 'p.full_name']).execute());

describe('registering to volunteer from the front door', () => {
  it('the front door offers it; answers page by page, check answers; held until the e-mailed link is followed, then one confirmed volunteer; then a password', async () => {
    const lio = await t.make.lio();
    const home = await new Client(t.app, lio.host).get('/');
    expect(home.$('a[href="/volunteer/register"]').length).toBeGreaterThan(0);
    const client = await startRegistration(lio);
    const sent = await registerThrough(client);
    expect(sent.location).toBe('/volunteer/register/confirmation');
    const done = await client.get('/volunteer/register/confirmation');
    expect(done.$('h1').text()).toContain('Check your email');
    // Nothing is made before the address is proved to be the sender's.
    expect(await volunteersOf(lio.id)).toEqual([]);
    expect(await heldSignups(lio.id)).toEqual([{ email: 'maya.lindgren@example.net', via: 'online' }]);

    const { link, page: confirmed } = await followLink(client, lio.id, 'maya.lindgren@example.net');
    expect(confirmed.status).toBe(200);
    expect(confirmed.$('h1').text()).toContain('Email address confirmed');
    const [v] = await volunteersOf(lio.id);
    expect(v).toMatchObject({ status: 'new', registered_via: 'online', skills: ['gardening', 'driving'], availability: ['mon-evening', 'sat-morning'], latitude: 53.8,
      emails: ['maya.lindgren@example.net'], emergency_reserve: true });
    expect(v!.email_confirmed_at).not.toBeNull();
    expect(await heldSignups(lio.id)).toEqual([]);
    const consents = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('consents').select(['purpose', 'method']).where('person_id', '=', v!.person_id).orderBy('purpose').execute());
    expect(consents).toEqual([{ purpose: 'contact_about_volunteering', method: 'online_form' }, { purpose: 'volunteer_record', method: 'online_form' }]);
    // Followed again before a password is set, the link shows the same page and makes nothing more.
    expect((await client.get(link)).status).toBe(200);
    expect(await volunteersOf(lio.id)).toHaveLength(1);

    const short = await client.submit(link, link, { password: 'short', confirm: 'short' });
    expect(short.status).toBe(400);
    expect(errorSummary(short)[0]!.href).toBe('#password');
    const set = await client.submit(link, link, { password: 'a long enough password', confirm: 'a long enough password' });
    expect(set.status).toBe(303);
    const user = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('users').select(['role', 'person_id']).where('email', '=', 'maya.lindgren@example.net').executeTakeFirstOrThrow());
    expect(user).toEqual({ role: 'volunteer', person_id: v!.person_id });
    // The link is spent once the account is made.
    expect((await client.get(link)).status).toBe(404);

    const own = new Client(t.app, lio.host);
    await own.signIn('maya.lindgren@example.net', 'a long enough password');
    const mine = await own.get('/my-volunteering');
    expect(mine.status).toBe(200);
    expect(mine.$('[data-testid="profile"]').text()).toContain('Gardening and outdoors');
    const changed = await own.submit('/my-volunteering/profile', '/my-volunteering/profile', {
      fullName: 'Maya Lindgren', phone: '', postcode: 'RV1 5XY', travelKm: '12', ways: ['remote'], skills: ['computers'], interests: '', causes: [], languages: 'English',
      availability: ['sun-evening'], accessNeeds: '', emergencyReserve: 'no',
    });
    expect(changed.status).toBe(303);
    const after = (await volunteersOf(lio.id))[0]!;
    expect(after).toMatchObject({ skills: ['computers'], availability: ['sun-evening'], emergency_reserve: false });
  });

  it('sending the same form twice makes one volunteer', async () => {
    const lio = await t.make.lio();
    const client = await startRegistration(lio);
    for (const [slug, fields] of adultAnswers) expect((await answer(client, slug, slug === 'contact-details' ? { ...fields, email: 'twice@example.net' } : fields)).status).toBe(303);
    const check = await client.get('/volunteer/register/check-answers');
    const csrf = check.$('input[name="_csrf"]').val() as string;
    // A double click, or a retry after a lost answer: both sends carry the same answers and the same one-time key.
    const both = await Promise.all([client.postRaw('/volunteer/register/check-answers', { _csrf: csrf }), client.postRaw('/volunteer/register/check-answers', { _csrf: csrf })]);
    expect(both.map((p) => p.location)).toEqual(['/volunteer/register/confirmation', '/volunteer/register/confirmation']);
    const again = await client.postRaw('/volunteer/register/check-answers', { _csrf: csrf });
    expect(again.location).toBe('/volunteer/register/confirmation');
    expect(await heldSignups(lio.id)).toHaveLength(1);
    const mails = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('email_messages').select('id').where('to_address', '=', 'twice@example.net').execute());
    expect(mails).toHaveLength(1);
    await followLink(client, lio.id, 'twice@example.net');
    expect(await volunteersOf(lio.id)).toHaveLength(1);
    // Sent again from the browser's history once its link was followed: nothing is held again, and no second e-mail.
    const later = await client.postRaw('/volunteer/register/check-answers', { _csrf: csrf });
    expect(later.location).toBe('/volunteer/register/confirmation');
    expect(await heldSignups(lio.id)).toHaveLength(0);
    expect(await t.db.withTenant(lio.id, (tx) => tx.selectFrom('email_messages').select('id').where('to_address', '=', 'twice@example.net').execute())).toHaveLength(1);
  });

  it('a form whose link found a volunteer already held, sent again, is not held again nor e-mailed again', async () => {
    const lio = await t.make.lio();
    await vol.volunteer(lio, { fullName: 'Old Hand', email: 'held-again@example.net' });
    const client = await startRegistration(lio);
    for (const [slug, fields] of adultAnswers) expect((await answer(client, slug, slug === 'contact-details' ? { ...fields, email: 'held-again@example.net' } : fields)).status).toBe(303);
    const csrf = (await client.get('/volunteer/register/check-answers')).$('input[name="_csrf"]').val() as string;
    expect((await client.postRaw('/volunteer/register/check-answers', { _csrf: csrf })).location).toBe('/volunteer/register/confirmation');
    const { page } = await followLink(client, lio.id, 'held-again@example.net');
    expect(page.$('h1').text()).toContain('already registered');
    // Sent again from the browser's history: the volunteer's history keeps the form's key, so nothing more is done.
    expect((await client.postRaw('/volunteer/register/check-answers', { _csrf: csrf })).location).toBe('/volunteer/register/confirmation');
    expect(await heldSignups(lio.id)).toHaveLength(0);
    const mails = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('email_messages').select('id').where('to_address', '=', 'held-again@example.net').execute());
    expect(mails).toHaveLength(1);
    expect(await volunteersOf(lio.id)).toHaveLength(1);
  });

  it('answers the same whether or not the e-mail is held, and changes no one’s record until the link is followed; then a volunteer is told, a person held is reused', async () => {
    const lio = await t.make.lio();
    const held = await vol.volunteer(lio, { fullName: 'Old Hand', email: 'held@example.net' });
    const before = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('people').selectAll().where('id', '=', held.personId).executeTakeFirstOrThrow());
    const withEmail = (email: string) => adultAnswers.map(([s, f]): [string, Record<string, string | string[]>] => [s, s === 'contact-details' ? { ...f, email } : f]);
    const client = await startRegistration(lio);
    const dup = await registerThrough(client, withEmail('HELD@example.net'));
    const fresh = await registerThrough(await startRegistration(lio), withEmail('someone.new@example.net'));
    // The same answer for an address held and one not: the form does not tell a stranger who is registered.
    expect([dup.status, dup.location]).toEqual([fresh.status, fresh.location]);
    const confirmation = (await client.get('/volunteer/register/confirmation')).$('h1').text();
    expect(confirmation).toContain('Check your email');
    // Nothing written to the person held: not their phone, postcode or date of birth.
    expect(await t.db.withTenant(lio.id, (tx) => tx.selectFrom('people').selectAll().where('id', '=', held.personId).executeTakeFirstOrThrow())).toEqual(before);
    expect(await volunteersOf(lio.id)).toHaveLength(1);
    // Whoever holds the address learns from the link that they are registered already; still one volunteer.
    const { page } = await followLink(client, lio.id, 'held@example.net');
    expect(page.status).toBe(200);
    expect(page.$('h1').text()).toContain('already registered');
    expect(await volunteersOf(lio.id)).toHaveLength(1);

    // Someone the LIO already holds as a person (say, from an enquiry) becomes a volunteer on the same record, once they follow the link.
    const person = await t.db.withTenant(lio.id, (tx) => tx.insertInto('people').values({ lio_id: lio.id, full_name: 'Known Person', emails: ['known@example.net'] }).returning(['id', 'phones']).executeTakeFirstOrThrow());
    const second = await startRegistration(lio);
    expect((await registerThrough(second, withEmail('known@example.net'))).status).toBe(303);
    const untouched = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('people').select('phones').where('id', '=', person.id).executeTakeFirstOrThrow());
    expect(untouched.phones).toEqual([]);
    await followLink(second, lio.id, 'known@example.net');
    const made = (await volunteersOf(lio.id)).find((v) => v.emails.includes('known@example.net'))!;
    expect(made.person_id).toBe(person.id);
  });

  it('under-18s need a parent or guardian who agrees; under 14 is refused clearly', async () => {
    const lio = await t.make.lio();
    const thisYear = new Date().getUTCFullYear();
    const client = await startRegistration(lio);
    await answer(client, 'contact-details', adultAnswers[0]![1]);
    const tooYoung = await answer(client, 'date-of-birth', { 'dateOfBirth-day': '1', 'dateOfBirth-month': '1', 'dateOfBirth-year': String(thisYear - 12) });
    expect(tooYoung.status).toBe(400);
    expect(errorSummary(tooYoung)).toEqual([{ text: 'You must be 14 or older to volunteer with us', href: '#dateOfBirth-day' }]);

    const teen = await answer(client, 'date-of-birth', { 'dateOfBirth-day': '1', 'dateOfBirth-month': '1', 'dateOfBirth-year': String(thisYear - 16) });
    expect(teen.location).toBe('/volunteer/register/parent-or-guardian');
    const noConsent = await answer(client, 'parent-or-guardian', { guardianName: 'Ann Lindgren', guardianContact: '', guardianConsent: '' });
    expect(noConsent.status).toBe(400);
    expect(errorSummary(noConsent).map((e) => e.href)).toEqual(['#guardianContact', '#guardianConsent']);
    const ok = await answer(client, 'parent-or-guardian', { guardianName: 'Ann Lindgren', guardianContact: '07700 900 555', guardianConsent: 'yes' });
    expect(ok.location).toBe('/volunteer/register/postcode');
    expect((await registerThrough(client, adultAnswers.slice(2))).status).toBe(303);
    await followLink(client, lio.id, 'maya.lindgren@example.net');
    expect((await volunteersOf(lio.id))[0]!.guardian_name).toBe('Ann Lindgren');
  });

  it('a postcode that is not one, or that we cannot find, gets a clear error', async () => {
    const lio = await t.make.lio();
    const client = await startRegistration(lio);
    const bad = await answer(client, 'postcode', { postcode: 'NOT A CODE' });
    expect(bad.status).toBe(400);
    expect(errorSummary(bad)).toEqual([{ text: 'Enter a real UK postcode, like LS1 1UR', href: '#postcode' }]);
    const unknown = await answer(client, 'postcode', { postcode: 'RV9 9ZZ' });
    expect(unknown.status).toBe(400);
    expect(errorSummary(unknown)).toEqual([{ text: 'We could not find the postcode RV9 9ZZ. Check it is your postcode and try again', href: '#postcode' }]);
  });
});

describe('coordinators’ volunteer records', () => {
  it('search and filters find volunteers by name, e-mail, postcode, status, skill, time and reserve', async () => {
    const lio = await t.make.lio();
    const { client } = await signedInUser(t, lio, { permissionSets: ['volunteer_coordinator'] });
    await vol.volunteer(lio, { fullName: 'Alma Driver', email: 'alma@example.net', postcode: 'RV2 4DE', status: 'new', skills: ['driving'], availability: ['mon-morning'], emergencyReserve: true });
    await vol.volunteer(lio, { fullName: 'Bert Gardener', email: 'bert@example.net', postcode: 'RV3 2FG', status: 'active', skills: ['gardening'], availability: ['sat-morning'] });
    const names = async (query: string) => {
      const page = await client.get(`/volunteering/volunteers?${query}`);
      expect(page.status).toBe(200);
      return page.$('[data-testid="volunteers-table"] tbody a').toArray().map((a) => page.$(a).text());
    };
    expect(await names('')).toEqual(['Alma Driver', 'Bert Gardener']);
    expect(await names('q=gardener')).toEqual(['Bert Gardener']);
    expect(await names('q=alma%40example')).toEqual(['Alma Driver']);
    expect(await names('q=rv3')).toEqual(['Bert Gardener']);
    expect(await names('status=new')).toEqual(['Alma Driver']);
    expect(await names('skill=gardening')).toEqual(['Bert Gardener']);
    expect(await names('slot=mon-morning')).toEqual(['Alma Driver']);
    expect(await names('reserve=yes')).toEqual(['Alma Driver']);
    expect(await names('q=%25')).toEqual([]);
  });

  it('a coordinator registers a volunteer taken by phone, opens the record (audited) and changes status and adds a note, each in the history', async () => {
    const lio = await t.make.lio();
    const { client } = await signedInUser(t, lio, { permissionSets: ['volunteer_coordinator'] });
    const bad = await client.submit('/volunteering/volunteers/new', '/volunteering/volunteers', { fullName: '', email: 'x', postcode: 'RV1 5XY', ways: ['in_person'] });
    expect(bad.status).toBe(400);
    expect(errorSummary(bad).map((e) => e.href)).toEqual(['#fullName', '#email', '#dateOfBirth-day', '#emergencyReserve', '#consentRecord']);
    const saved = await client.submit('/volunteering/volunteers/new', '/volunteering/volunteers', {
      fullName: 'Phone Caller', email: 'caller@example.net', phone: '', 'dateOfBirth-day': '2', 'dateOfBirth-month': '3', 'dateOfBirth-year': '1970',
      postcode: 'RV1 5XY', travelKm: '', ways: ['in_person'], skills: ['catering'], emergencyReserve: 'no', consentRecord: 'yes',
    });
    expect(saved.status).toBe(303);
    const id = saved.location!.split('/').pop()!;
    const consent = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('consents').select(['purpose', 'method']).execute());
    expect(consent).toEqual([{ purpose: 'volunteer_record', method: 'verbal' }]);

    const page = await client.get(`/volunteering/volunteers/${id}`);
    expect(page.$('h1').text()).toBe('Phone Caller');
    // A status not in the list comes back on the record's page with the error summary, and changes nothing.
    const badStatus = await client.submit(`/volunteering/volunteers/${id}`, `/volunteering/volunteers/${id}/status`, { status: 'retired' });
    expect(badStatus.status).toBe(400);
    expect(errorSummary(badStatus)).toEqual([{ href: '#status', text: 'Choose a status' }]);
    expect(badStatus.$('[data-testid="status"]').text()).toBe('New');
    expect((await client.submit(`/volunteering/volunteers/${id}`, `/volunteering/volunteers/${id}/status`, { status: 'active' })).status).toBe(303);
    expect((await client.submit(`/volunteering/volunteers/${id}`, `/volunteering/volunteers/${id}/notes`, { note: 'Called back, keen on Saturdays' })).status).toBe(303);
    const after = await client.get(`/volunteering/volunteers/${id}`);
    expect(after.$('[data-testid="status"]').text()).toBe('Active');
    expect(after.$('[data-testid="notes"]').text()).toContain('Called back, keen on Saturdays');
    expect(after.$('[data-testid="history"]').text()).toContain('Status changed from New to Active');
    const audit = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('audit_events').select('action').where('subject_id', '=', id).orderBy('id').execute());
    // Each showing of the record is a view: the page before each form sent, the page the bad status came back on, and the last.
    expect(audit.map((a) => a.action).filter((a) => a === 'volunteer.viewed')).toHaveLength(6);
    expect(JSON.stringify(audit)).not.toContain('Phone Caller');

    // The same caller registered again (the address in other capitals) is a clear error on the e-mail, not a second volunteer.
    const again = await client.submit('/volunteering/volunteers/new', '/volunteering/volunteers', {
      fullName: 'Phone Caller', email: 'Caller@Example.net', 'dateOfBirth-day': '2', 'dateOfBirth-month': '3', 'dateOfBirth-year': '1970',
      postcode: 'RV1 5XY', ways: ['in_person'], emergencyReserve: 'no', consentRecord: 'yes',
    });
    expect(again.status).toBe(400);
    expect(errorSummary(again)).toEqual([{ href: '#email', text: 'A volunteer with this email address is already registered: search for them instead' }]);
    expect(await volunteersOf(lio.id)).toHaveLength(1);
  });

  it('a coordinator changes a volunteer’s profile for them: mistakes come back naming the field and change nothing; the e-mail is kept; it is in the history', async () => {
    const lio = await t.make.lio();
    const { client } = await signedInUser(t, lio, { permissionSets: ['volunteer_coordinator'] });
    const made = await vol.volunteer(lio, { fullName: 'Tomasz Wilk', email: 'tomasz@example.net', skills: ['driving'] });
    const url = `/volunteering/volunteers/${made.id}/profile`;
    const form = await client.get(url);
    expect(form.status).toBe(200);
    expect(form.$('#fullName').val()).toBe('Tomasz Wilk');
    expect(form.$('body').text()).toContain('tomasz@example.net');

    const bad = await client.submit(url, url, { fullName: '', phone: 'not a phone', postcode: 'nowhere', ways: ['in_person'], emergencyReserve: 'no' });
    expect(bad.status).toBe(400);
    expect(errorSummary(bad).map((e) => e.href)).toEqual(['#fullName', '#phone', '#postcode']);
    expect((await volunteersOf(lio.id))[0]).toMatchObject({ full_name: 'Tomasz Wilk', skills: ['driving'] });

    const saved = await client.submit(url, url, {
      fullName: 'Tomasz Wilk', phone: '07700 900 654', postcode: 'rv1 5xy', travelKm: '12', ways: ['in_person'], skills: ['gardening', 'catering'],
      availability: ['tue-morning'], emergencyReserve: 'yes',
    });
    expect(saved.status).toBe(303);
    expect(saved.location).toBe(`/volunteering/volunteers/${made.id}`);
    const [after] = await volunteersOf(lio.id);
    expect(after).toMatchObject({ skills: ['gardening', 'catering'], availability: ['tue-morning'], emergency_reserve: true, emails: ['tomasz@example.net'] });
    expect(after!.latitude).toBeCloseTo(53.8);
    const record = await client.get(`/volunteering/volunteers/${made.id}`);
    expect(record.$('[data-testid="history"]').text()).toContain('Changed their profile for them');
    const audit = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('audit_events').select(['action', 'detail']).where('action', '=', 'volunteer.updated').execute());
    expect(audit).toEqual([{ action: 'volunteer.updated', detail: { by: 'staff' } }]);

    // An adviser without the coordinator's permission cannot; a volunteer that is not there is not found.
    const { client: adviser } = await signedInUser(t, lio, { permissionSets: ['adviser'] });
    expect((await adviser.get(url)).status).toBe(403);
    expect((await client.get('/volunteering/volunteers/00000000-0000-4000-8000-000000000000/profile')).status).toBe(404);
  });

  it('opening a profile form records a view of the record; saving it records the change alone, by a coordinator or the volunteer', async () => {
    const lio = await t.make.lio();
    const { client: coordinator } = await signedInUser(t, lio, { permissionSets: ['volunteer_coordinator'] });
    const volunteer = await vol.volunteer(lio, { fullName: 'Ines Duarte', email: 'ines@example.net' });
    const { user, client: own } = await signedInUser(t, lio, { role: 'volunteer' });
    await t.db.withTenant(lio.id, (tx) => tx.updateTable('users').set({ person_id: volunteer.personId }).where('id', '=', user.id).execute());
    const actions = async () => (await t.db.withTenant(lio.id, (tx) => tx.selectFrom('audit_events').select(['action', 'detail'])
      .where('subject_id', '=', volunteer.id).orderBy('id').execute())).map((a) => `${a.action} ${JSON.stringify(a.detail ?? {})}`);
    const fields = { fullName: 'Ines Duarte', phone: '', postcode: 'rv1 5xy', travelKm: '5', ways: ['in_person'], skills: ['caring'], availability: ['mon-morning'], emergencyReserve: 'no' };

    const url = `/volunteering/volunteers/${volunteer.id}/profile`;
    const form = await coordinator.get(url);
    expect(await actions()).toEqual(['volunteer.viewed {}']);
    const saved = await coordinator.postRaw(url, { ...fields, _csrf: String(form.$('input[name="_csrf"]').val()) });
    expect(saved.status).toBe(303);
    const bad = await coordinator.postRaw(url, { ...fields, fullName: '', _csrf: String(form.$('input[name="_csrf"]').val()) });
    expect(bad.status).toBe(400);
    expect(bad.$('body').text()).toContain('ines@example.net');
    expect(await actions()).toEqual(['volunteer.viewed {}', 'volunteer.updated {"by":"staff"}']);

    const ownForm = await own.get('/my-volunteering/profile');
    const ownSaved = await own.postRaw('/my-volunteering/profile', { ...fields, skills: ['befriending'], _csrf: String(ownForm.$('input[name="_csrf"]').val()) });
    expect(ownSaved.status).toBe(303);
    expect((await actions()).slice(2)).toEqual(['volunteer.viewed {"by":"self"}', 'volunteer.updated {"by":"self"}']);
  });

  it('group members, advisers and volunteers get 403 on coordinators’ pages; a volunteer sees only their own', async () => {
    const lio = await t.make.lio();
    const someone = await vol.volunteer(lio);
    const org = await directoryFactories(t.db).organisation(lio);
    const group = await signedInUser(t, lio, { role: 'group_member', organisationId: org.id });
    const adviser = await signedInUser(t, lio, { permissionSets: ['adviser'] });
    const volunteer = await signedInUser(t, lio, { role: 'volunteer' });
    for (const { client } of [group, adviser, volunteer]) {
      expect((await client.get('/volunteering/volunteers')).status).toBe(403);
      expect((await client.get(`/volunteering/volunteers/${someone.id}`)).status).toBe(403);
    }
    expect((await adviser.client.get('/my-volunteering')).status).toBe(403);
    const own = await volunteer.client.get('/my-volunteering');
    expect(own.status).toBe(200);
    expect(own.$('h1').text()).toBe('Your volunteering');
  });
});

describe('home panels', () => {
  it('a volunteer sees their status and how complete their profile is; a coordinator sees new volunteers to contact', async () => {
    const lio = await t.make.lio();
    const { user, client } = await signedInUser(t, lio, { role: 'volunteer' });
    const personId = (await t.db.withTenant(lio.id, (tx) => tx.selectFrom('users').select('person_id').where('id', '=', user.id).executeTakeFirstOrThrow())).person_id!;
    await vol.volunteer(lio, { personId, status: 'placed', skills: ['driving'], availability: [], causes: [] });
    const home = await client.get('/');
    const panel = home.$('[data-panel="volunteer-profile"], section').filter((_i, el) => home.$(el).text().includes('Your volunteering')).first();
    expect(panel.text()).toContain('Your status: Placed');
    expect(panel.text()).toContain('3 of 7 parts complete');
    expect(home.$('a[href="/my-volunteering"]').length).toBeGreaterThan(0);
    // What is under way: enquiries not yet answered or started, and hours the organisation has still to confirm.
    const me = (await t.db.withTenant(lio.id, (tx) => tx.selectFrom('volunteers').select('id').where('person_id', '=', personId).executeTakeFirstOrThrow())).id;
    const count = (page: typeof home, href: string) => page.$(`a.cg-count[href="${href}"]`).text().replace(/\s+/g, ' ').trim();
    expect(count(home, '/my-volunteering/enquiries')).toBe('0 enquiries in progress');
    const role = await vol.opportunity(lio);
    await vol.referral(lio, { volunteerId: me, opportunityId: role.id, status: 'contacted' });
    await vol.referral(lio, { volunteerId: me, opportunityId: (await vol.opportunity(lio)).id, status: 'declined' });
    const placed = await vol.referral(lio, { volunteerId: me, opportunityId: (await vol.opportunity(lio)).id, status: 'started' });
    for (const confirmedAt of [null, new Date()]) await vol.hours(lio, { volunteerId: me, referralId: placed.id, confirmedAt });
    const later = await client.get('/');
    expect(count(later, '/my-volunteering/enquiries')).toBe('1 enquiry in progress');
    expect(count(later, '/my-volunteering/hours')).toBe('1 entry of your hours waiting to be confirmed');

    await vol.volunteer(lio, { status: 'new' });
    await vol.volunteer(lio, { status: 'new', emergencyReserve: true });
    const coordinator = await signedInUser(t, lio, { permissionSets: ['volunteer_coordinator'] });
    const staffHome = await coordinator.client.get('/');
    expect(staffHome.$('a[href="/volunteering/volunteers?status=new"]').text()).toContain('2');
    expect(staffHome.$('a[href="/volunteering/volunteers?reserve=yes"]').text()).toContain('1');
  });
});
