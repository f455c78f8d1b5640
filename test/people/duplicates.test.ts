import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, signedInUser, type TestContext } from '../helpers/app.js';
import { peopleFactories, type PeopleFactories } from '../helpers/people-factories.js';

let t: TestContext;
let people: PeopleFactories;
beforeAll(async () => { t = await createTestApp(); people = peopleFactories(t.db); });
afterAll(async () => { await t.close(); });

describe('likely duplicate people', () => {
  it('are suggested for the same email, the same phone, or a similar name with the same date of birth or postcode', async () => {
    const lio = await t.make.lio();
    const { client } = await signedInUser(t, lio);
    const ann = await people.person(lio, { fullName: 'Ann Smith', emails: ['ann@example.net'], phones: ['07700900001'], postcode: 'RV1 1AA', dateOfBirth: '1960-01-01' });
    const byEmail = await people.person(lio, { fullName: 'A. Smith', emails: ['ann@example.net'] });
    const byPhone = await people.person(lio, { fullName: 'Mrs Smith', emails: [], phones: ['07700900001'] });
    const byDob = await people.person(lio, { fullName: 'Anne Smith', emails: [], dateOfBirth: '1960-01-01' });
    const byPostcode = await people.person(lio, { fullName: 'Ann Smyth', emails: [], postcode: 'RV1 1AA' });
    // A similar name alone is not enough (two people can share a name), nor a postcode alone.
    await people.person(lio, { fullName: 'Anne Smith', emails: [], postcode: 'RV9 9ZZ' });
    await people.person(lio, { fullName: 'Bob Jones', emails: [], postcode: 'RV1 1AA' });

    const page = await client.get(`/people/${ann.id}`);
    // Each suggestion names the record and why; staff who may merge (this adviser) get a link to merge it.
    const suggested = page.$('[data-testid="possible-duplicates"] li').toArray().map((li) => page.$(li).text().replace(/\s+/g, ' ').trim().replace(/ – merge into this record \(.*\)$/, ''));
    expect(page.$('[data-testid="possible-duplicates"] a:contains("merge into this record")').length).toBe(4);
    expect(suggested.sort()).toEqual([
      'A. Smith (same email address)', 'Ann Smyth (similar name, same date of birth or postcode)',
      'Anne Smith (similar name, same date of birth or postcode)', 'Mrs Smith (same phone number)',
    ]);

    const list = await client.get('/people/duplicates');
    const pairs = list.$('[data-testid="duplicate-pairs"] tbody tr').toArray().map((tr) => list.$(tr).find('a').toArray().slice(0, 2).map((a) => list.$(a).attr('href')).sort());
    const expected = [byEmail, byPhone, byDob, byPostcode].map((p) => [`/people/${ann.id}`, `/people/${p.id}`].sort());
    expect(pairs).toEqual(expect.arrayContaining(expected));
    expect(pairs).toHaveLength(4);

    // Staff see the count waiting on their home page, linking to the list.
    const home = await client.get('/');
    expect(home.$('a[href="/people/duplicates"]').text()).toContain('4');
  });
});

describe('merging two records of one person', () => {
  it('takes the chosen values, keeps both records’ contact details, moves consents and accounts, and keeps the other record as history', async () => {
    const lio = await t.make.lio();
    const { client } = await signedInUser(t, lio, { role: 'admin' });
    const kept = await people.person(lio, { fullName: 'Margaret Ellis', emails: ['m.ellis@example.net'], phones: ['07700900461'], postcode: 'RV1 2AB', contactMethods: ['post'] });
    const user = await t.make.user(lio, { role: 'volunteer', name: 'Maggie E', email: 'maggie@example.net' });
    const other = await people.personOfUser(lio, user.id);
    await t.db.withTenant(lio.id, (tx) => tx.updateTable('people').set({ phones: ['07700900461'], date_of_birth: '1948-05-14', preferred_name: 'Maggie', contact_methods: ['text'] }).where('id', '=', other.id).execute());
    await people.consent(lio, other.id, { purpose: 'photographs' });
    await people.consent(lio, kept.id, { purpose: 'newsletter' });

    const choose = await client.get(`/people/${kept.id}/merge?with=${other.id}`);
    expect(choose.status).toBe(200);
    expect(choose.$('input[name="full_name"]')).toHaveLength(2);
    const check = await client.submit(`/people/${kept.id}/merge?with=${other.id}`, `/people/${kept.id}/merge/check`, { other: other.id, full_name: 'kept', preferred_name: 'merged', date_of_birth: 'merged' });
    expect(check.status).toBe(200);
    expect(check.$('.govuk-summary-list').text()).toContain('14 May 1948');
    const hidden = Object.fromEntries(check.$('form[action$="/merge"] input[type="hidden"]').toArray().map((i) => [check.$(i).attr('name'), check.$(i).val() as string]));
    const done = await client.postRaw(`/people/${kept.id}/merge`, hidden);
    expect(done.status).toBe(303);

    const after = await t.db.withTenant(lio.id, async (tx) => ({
      kept: await tx.selectFrom('people').selectAll().where('id', '=', kept.id).executeTakeFirstOrThrow(),
      other: await tx.selectFrom('people').selectAll().where('id', '=', other.id).executeTakeFirstOrThrow(),
      consents: await tx.selectFrom('consents').select('purpose').where('person_id', '=', kept.id).orderBy('purpose').execute(),
      user: await tx.selectFrom('users').select('person_id').where('id', '=', user.id).executeTakeFirstOrThrow(),
      audit: await tx.selectFrom('audit_events').select('detail').where('action', '=', 'person.merged').executeTakeFirstOrThrow(),
    }));
    expect(after.kept).toMatchObject({
      full_name: 'Margaret Ellis', preferred_name: 'Maggie', postcode: 'RV1 2AB', emails: ['m.ellis@example.net', 'maggie@example.net'], phones: ['07700900461'], contact_methods: ['post', 'text'],
    });
    expect(after.other).toMatchObject({ merged_into_id: kept.id, full_name: 'Maggie E' });
    expect(after.consents.map((c) => c.purpose)).toEqual(['newsletter', 'photographs']);
    expect(after.user.person_id).toBe(kept.id);
    expect(after.audit.detail).toEqual({ mergedId: other.id, moved: { consents: 1, people: 1, users: 1 }, valuesTakenFromMerged: ['preferred_name', 'date_of_birth'] });

    // The merged record's page leads to the one kept; merging it again is refused with a reason.
    const old = await client.get(`/people/${other.id}`);
    expect(old.status).toBe(303);
    expect(old.location).toBe(`/people/${kept.id}`);
    const again = await client.get(`/people/${kept.id}/merge?with=${other.id}`);
    expect(again.status).toBe(409);
    expect(again.$('main').text()).toContain('already been merged');
  });

  it('refuses a record merged with itself, an unknown record, and staff without the permission', async () => {
    const lio = await t.make.lio();
    const { client } = await signedInUser(t, lio, { role: 'admin' });
    const p = await people.person(lio);
    expect((await client.get(`/people/${p.id}/merge?with=${p.id}`)).status).toBe(409);
    expect((await client.get(`/people/${p.id}/merge?with=nonsense`)).status).toBe(404);
    expect((await client.submit(`/people/${p.id}`, `/people/${p.id}/merge`, { other: 'nonsense' })).status).toBe(400);
    const { client: staff } = await signedInUser(t, lio, { role: 'staff', permissionSets: [] });
    const q = await people.person(lio);
    expect((await staff.get(`/people/${p.id}/merge?with=${q.id}`)).status).toBe(403);
    // Staff who work with people (here a helpline worker) merge duplicates, as advisers merge organisations.
    const { client: helpline } = await signedInUser(t, lio, { role: 'staff', permissionSets: ['helpline'] });
    expect((await helpline.get(`/people/${p.id}/merge?with=${q.id}`)).status).toBe(200);
    expect((await helpline.get(`/people/${p.id}/erase`)).status).toBe(403);
  });
});
