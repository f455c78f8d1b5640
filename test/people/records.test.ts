import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, signedInUser, type TestContext } from '../helpers/app.js';
import { errorSummary } from '../helpers/client.js';
import { peopleFactories, type PeopleFactories } from '../helpers/people-factories.js';

let t: TestContext;
let people: PeopleFactories;
beforeAll(async () => { t = await createTestApp(); people = peopleFactories(t.db); });
afterAll(async () => { await t.close(); });

const validPerson = {
  fullName: 'Nadia Rahman', preferredName: 'Nadia', email: 'Nadia.Rahman@Example.net', otherEmail: '', phone: '+44 (0)7700 900 123', otherPhone: '',
  postcode: 'rv1 2ab', 'dateOfBirth-day': '3', 'dateOfBirth-month': '4', 'dateOfBirth-year': '1979', contactMethods: ['email', 'text'],
};

describe('person records', () => {
  it('staff add a person; the values are stored normalised and the record is found by name, email or phone', async () => {
    const lio = await t.make.lio();
    const { client } = await signedInUser(t, lio);
    const saved = await client.submit('/people/new', '/people', validPerson);
    expect(saved.status).toBe(303);
    const id = saved.location!.split('/').pop()!;
    const row = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('people').selectAll().where('id', '=', id).executeTakeFirstOrThrow());
    expect(row).toMatchObject({ full_name: 'Nadia Rahman', preferred_name: 'Nadia', emails: ['nadia.rahman@example.net'], phones: ['07700900123'], postcode: 'RV1 2AB', contact_methods: ['email', 'text'] });

    for (const q of ['rahman', 'NADIA.RAHMAN@example.net', '07700 900123']) {
      const list = await client.get(`/people?q=${encodeURIComponent(q)}`);
      expect(list.$('[data-testid="people-table"] tbody a').toArray().map((a) => list.$(a).text()), q).toEqual(['Nadia Rahman (Nadia)']);
    }
    const none = await client.get('/people?q=zzzz%25');
    expect(none.$('[data-testid="people-table"] tbody a')).toHaveLength(0);
  });

  it('a form with mistakes comes back with status 400 and an error summary linking to each field', async () => {
    const lio = await t.make.lio();
    const { client } = await signedInUser(t, lio);
    const page = await client.submit('/people/new', '/people', {
      ...validPerson, fullName: '', email: 'not-an-address', phone: '12345', postcode: 'NOPE', 'dateOfBirth-day': '31', 'dateOfBirth-month': '2', contactMethods: ['email', 'pigeon'],
    });
    expect(page.status).toBe(400);
    expect(errorSummary(page)).toEqual([
      { text: 'Enter their full name', href: '#fullName' },
      { text: 'Enter an email address in the correct format, like name@example.org', href: '#email' },
      { text: 'Enter a UK phone number, like 01632 960 001 or 07700 900 982', href: '#phone' },
      { text: 'Enter a real UK postcode, like SW1A 1AA', href: '#postcode' },
      { text: 'Their date of birth must be a real date, like 27 3 1980', href: '#dateOfBirth-day' },
      { text: 'Choose how they are happy to be contacted from the list', href: '#contactMethods' },
    ]);
    expect(page.$('#email').val()).toBe('not-an-address');
    const future = await client.submit('/people/new', '/people', { ...validPerson, 'dateOfBirth-year': String(new Date().getUTCFullYear() + 1) });
    expect(errorSummary(future)).toEqual([{ text: 'Their date of birth must be today or in the past', href: '#dateOfBirth-day' }]);
    const noEmail = await client.submit('/people/new', '/people', { ...validPerson, email: '' });
    expect(errorSummary(noEmail)).toEqual([{ text: 'Enter an email address, or untick email as a way to contact them', href: '#email' }]);
  });

  it('staff correct a record; the change is audited by field name only', async () => {
    const lio = await t.make.lio();
    const { client } = await signedInUser(t, lio);
    const person = await people.person(lio, { fullName: 'Sam Tailor', emails: ['sam@example.net'] });
    const edit = await client.get(`/people/${person.id}/edit`);
    expect(edit.$('#fullName').val()).toBe('Sam Tailor');
    const saved = await client.submit(`/people/${person.id}/edit`, `/people/${person.id}`, { ...validPerson, fullName: 'Sam Taylor', email: 'sam@example.net', contactMethods: [] });
    expect(saved.status).toBe(303);
    const audit = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('audit_events').select(['action', 'detail']).where('subject_id', '=', person.id).orderBy('id').execute());
    // Each opening of the form (here, twice: to read it, and to send it) is a view of their data.
    expect(audit.map((a) => a.action)).toEqual(['person.viewed', 'person.viewed', 'person.updated']);
    expect(audit[2]!.detail).toEqual({ fields: ['full_name', 'preferred_name', 'phones', 'postcode', 'date_of_birth'] });
    expect(JSON.stringify(audit)).not.toContain('Taylor');
  });

  it('consents are recorded with purpose, method, wording version and date, and withdrawn', async () => {
    const lio = await t.make.lio();
    const { client } = await signedInUser(t, lio);
    const person = await people.person(lio);
    const bad = await client.submit(`/people/${person.id}/consents/new`, `/people/${person.id}/consents`, { purpose: 'world_domination', method: '', wordingVersion: '', 'givenOn-day': '', 'givenOn-month': '', 'givenOn-year': '' });
    expect(bad.status).toBe(400);
    expect(errorSummary(bad).map((e) => e.href)).toEqual(['#purpose', '#method', '#wordingVersion', '#givenOn-day']);
    const ok = await client.submit(`/people/${person.id}/consents/new`, `/people/${person.id}/consents`, { purpose: 'newsletter', method: 'paper_form', wordingVersion: 'v3', 'givenOn-day': '2', 'givenOn-month': '1', 'givenOn-year': '2026' });
    expect(ok.status).toBe(303);
    const consent = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('consents').selectAll().where('person_id', '=', person.id).executeTakeFirstOrThrow());
    expect(consent).toMatchObject({ purpose: 'newsletter', method: 'paper_form', wording_version: 'v3', withdrawn_at: null });
    expect(consent.given_at.toISOString()).toBe('2026-01-02T12:00:00.000Z');

    const page = await client.get(`/people/${person.id}`);
    expect(page.$('[data-testid="held-people"]').text()).toContain('Receive the newsletter and bulletins');
    const withdrawn = await client.submit(`/people/${person.id}`, `/people/${person.id}/consents/${consent.id}/withdraw`, {});
    expect(withdrawn.status).toBe(303);
    const after = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('consents').select('withdrawn_at').where('id', '=', consent.id).executeTakeFirstOrThrow());
    expect(after.withdrawn_at).not.toBeNull();
    // Withdrawing twice is not found, not an error page of the server.
    expect((await client.submit(`/people/${person.id}`, `/people/${person.id}/consents/${consent.id}/withdraw`, {})).status).toBe(404);
  });

  it('unknown or malformed ids are 404, and people outside the LIO are never seen', async () => {
    const lio = await t.make.lio();
    const other = await t.make.lio();
    const stranger = await people.person(other);
    const { client } = await signedInUser(t, lio);
    for (const url of ['/people/not-a-uuid', `/people/${stranger.id}`, `/people/${stranger.id}/edit`, `/people/${stranger.id}/consents/new`, '/people/00000000-0000-0000-0000-000000000000/export']) {
      expect((await client.get(url)).status, url).toBe(url.endsWith('/export') ? 403 : 404);
    }
  });

  it('only LIO staff see people; only admins export, erase and merge', async () => {
    const lio = await t.make.lio();
    const person = await people.person(lio);
    for (const role of ['volunteer', 'group_member', 'partner', 'network'] as const) {
      const { client } = await signedInUser(t, lio, { role });
      expect((await client.get('/people')).status, role).toBe(403);
      expect((await client.get(`/people/${person.id}`)).status, role).toBe(403);
    }
    const { client: staff } = await signedInUser(t, lio);
    const page = await staff.get(`/people/${person.id}`);
    expect(page.status).toBe(200);
    expect(page.$('a:contains("Export their data")')).toHaveLength(0);
    // The audit log and the outbox stay with those who may read them: staff see the person, not who looked at them.
    expect(page.$('[data-testid="held-admin"]').text()).not.toContain('Who looked at or changed their records');
    for (const url of [`/people/${person.id}/export`, `/people/${person.id}/erase`]) expect((await staff.get(url)).status).toBe(403);
    const anonymous = await t.app.inject({ method: 'GET', url: '/people', headers: { host: lio.host } });
    expect(anonymous.statusCode).toBe(303);
  });

  it('every user is a person: a new user gets one, and one whose address a person already has is linked to them', async () => {
    const lio = await t.make.lio();
    const user = await t.make.user(lio, { name: 'Una User' });
    const own = await people.personOfUser(lio, user.id);
    expect(own).toMatchObject({ full_name: 'Una User', emails: [user.email.toLowerCase()] });
    const resident = await people.person(lio, { fullName: 'Rita Resident', emails: ['rita@example.net'] });
    const rita = await t.make.user(lio, { email: 'Rita@Example.net', role: 'volunteer' });
    expect((await people.personOfUser(lio, rita.id)).id).toBe(resident.id);
  });
});
