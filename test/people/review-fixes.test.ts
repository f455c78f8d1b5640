import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, signedInUser, type TestContext } from '../helpers/app.js';
import { peopleFactories, type PeopleFactories } from '../helpers/people-factories.js';
import { directoryFactories } from '../helpers/directory-factories.js';
import { DataRightsService } from '../../src/people/data-rights/service.js';
import { peoplePersonalData } from '../../src/people/personal-data/provider.js';
import { adminPersonalData } from '../../src/admin/personal-data/provider.js';
import { directoryPersonalData } from '../../src/directory/personal-data/provider.js';
import { mergedValues } from '../../src/people/duplicates/form.js';
import type { PersonalDataProvider } from '../../src/platform/personal-data.js';

let t: TestContext;
let people: PeopleFactories;
beforeAll(async () => { t = await createTestApp(); people = peopleFactories(t.db); });
afterAll(async () => { await t.close(); });

const personRow = (lioId: string, id: string) => t.db.withTenant(lioId, (tx) => tx.selectFrom('people').selectAll().where('id', '=', id).executeTakeFirstOrThrow());
const longAgo = () => new Date(Date.now() - 7 * 365 * 86_400_000);

/** The hidden fields of the merge's confirmation step, after choosing nothing (the kept record's values). */
async function mergeThrough(client: Awaited<ReturnType<typeof signedInUser>>['client'], keptId: string, otherId: string) {
  const check = await client.submit(`/people/${keptId}/merge?with=${otherId}`, `/people/${keptId}/merge/check`, { other: otherId });
  expect(check.status).toBe(200);
  const hidden = Object.fromEntries(check.$('form[action$="/merge"] input[type="hidden"]').toArray().map((i) => [check.$(i).attr('name'), check.$(i).val() as string]));
  return client.postRaw(`/people/${keptId}/merge`, hidden);
}

describe('1. a person with more addresses than the form has boxes', () => {
  it('editing keeps the e-mails and phones the form does not show, and lists them on the form', async () => {
    const lio = await t.make.lio();
    const { client } = await signedInUser(t, lio);
    const p = await people.person(lio, {
      fullName: 'Rosa Field', emails: ['rosa@a.example', 'rosa@b.example', 'rosa@c.example', 'rosa@d.example'], phones: ['07700900101', '07700900102', '07700900103'],
    });
    const form = await client.get(`/people/${p.id}/edit`);
    expect(form.$('[data-testid="also-held"]').text()).toContain('rosa@c.example');
    expect(form.$('[data-testid="also-held"]').text()).toContain('07700 900103');
    const saved = await client.submit(`/people/${p.id}/edit`, `/people/${p.id}`, {
      fullName: 'Rosa Fields', email: 'rosa@a.example', otherEmail: '', phone: '07700900101', otherPhone: '07700900102', postcode: '',
    });
    expect(saved.status).toBe(303);
    const row = await personRow(lio.id, p.id);
    // The second address was cleared on the form (it was shown there); the ones not shown stay.
    expect(row).toMatchObject({ full_name: 'Rosa Fields', emails: ['rosa@a.example', 'rosa@c.example', 'rosa@d.example'], phones: ['07700900101', '07700900102', '07700900103'] });
  });

  it('a merge keeps every address of both records, however many (no cap of ten)', async () => {
    const lio = await t.make.lio();
    const { client } = await signedInUser(t, lio, { role: 'admin' });
    const many = (who: string) => Array.from({ length: 6 }, (_, i) => `${who}${i}@example.net`);
    const kept = await people.person(lio, { fullName: 'Sam Many', emails: many('a'), phones: ['07700900200'] });
    const other = await people.person(lio, { fullName: 'Sam Many', emails: many('b'), phones: ['07700900200'] });
    expect((await mergeThrough(client, kept.id, other.id)).status).toBe(303);
    const row = await personRow(lio.id, kept.id);
    expect(row.emails).toEqual([...many('a'), ...many('b')]);
  });

  it('mergedValues does not truncate the lists', () => {
    const base = { full_name: 'X', preferred_name: null, postcode: null, date_of_birth: null, contact_methods: [] } as never;
    const a = { ...(base as object), emails: Array.from({ length: 8 }, (_, i) => `a${i}@x.org`), phones: Array.from({ length: 8 }, (_, i) => `0770090030${i}`) };
    const b = { ...(base as object), emails: Array.from({ length: 8 }, (_, i) => `b${i}@x.org`), phones: Array.from({ length: 8 }, (_, i) => `0770090040${i}`) };
    const v = mergedValues(a as never, b as never, { full_name: 'kept', preferred_name: 'kept', postcode: 'kept', date_of_birth: 'kept' });
    expect(v.emails).toHaveLength(16);
    expect(v.phones).toHaveLength(16);
  });
});

describe('2. retention', () => {
  it('clears the records merged into a person it clears', async () => {
    const lio = await t.make.lio();
    const kept = await people.person(lio, { fullName: 'Old Kept', updatedAt: longAgo() });
    const merged = await people.person(lio, { fullName: 'Old Merged', emails: ['old.merged@example.net'], updatedAt: longAgo() });
    await t.db.withTenant(lio.id, (tx) => tx.updateTable('people').set({ merged_into_id: kept.id, merged_at: longAgo() }).where('id', '=', merged.id).execute());
    const rights = new DataRightsService({ db: t.db, clock: t.clock, providers: [peoplePersonalData] });
    const done = await rights.applyRetention(lio.id);
    expect(done).toEqual({ people: 2 });
    expect(await personRow(lio.id, merged.id)).toMatchObject({ full_name: null, emails: [], merged_into_id: kept.id });
    expect((await personRow(lio.id, merged.id)).erased_at).not.toBeNull();
    expect((await personRow(lio.id, kept.id)).erased_at).not.toBeNull();
  });
});

describe('3. sections of the person page by permission', () => {
  it('a member of staff with people.read sees neither the accounts nor the imports they ran', async () => {
    const lio = await t.make.lio();
    const { client: staff } = await signedInUser(t, lio);
    const { client: admin } = await signedInUser(t, lio, { role: 'admin' });
    const member = await t.make.user(lio, { role: 'staff', name: 'Ivy Importer', email: 'ivy@lio.example' });
    const person = await people.personOfUser(lio, member.id);
    await t.db.withTenant(lio.id, async (tx) => {
      await tx.insertInto('user_tokens').values({ lio_id: lio.id, user_id: member.id, purpose: 'invite', token_hash: `h-${member.id}`, expires_at: new Date(Date.now() + 86_400_000) }).execute();
      await tx.insertInto('directory_imports').values({ lio_id: lio.id, kind: 'oruk', source: 'https://feed.example', status: 'completed', started_at: new Date(), finished_at: new Date(), actor_label: 'ivy@lio.example' }).execute();
    });
    const seenByStaff = (await staff.get(`/people/${person.id}`)).$('main').text();
    expect(seenByStaff).not.toContain('Invitation and password-reset links');
    expect(seenByStaff).not.toContain('Keeps the listing of');
    expect(seenByStaff).not.toContain('Directory imports they ran');
    const seenByAdmin = (await admin.get(`/people/${person.id}`)).$('main').text();
    expect(seenByAdmin).toContain('Invitation and password-reset links');
    expect(seenByAdmin).toContain('Directory imports they ran');
  });
});

describe('4. the merge pages', () => {
  it('audit a view of both people, on the choice page and the check page', async () => {
    const lio = await t.make.lio();
    const { client } = await signedInUser(t, lio, { role: 'admin' });
    const a = await people.person(lio, { fullName: 'Ann Pair' });
    const b = await people.person(lio, { fullName: 'Ann Pair' });
    expect((await client.get(`/people/${a.id}/merge?with=${b.id}`)).status).toBe(200);
    expect((await client.submit(`/people/${a.id}/merge?with=${b.id}`, `/people/${a.id}/merge/check`, { other: b.id })).status).toBe(200);
    const views = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('audit_events').select(['subject_id', 'detail'])
      .where('action', '=', 'person.viewed').where('subject_id', 'in', [a.id, b.id]).execute());
    // Two pages (the choice page twice: once directly, once to submit from), each a view of both.
    expect(views.filter((v) => v.subject_id === a.id).length).toBeGreaterThanOrEqual(2);
    expect(views.filter((v) => v.subject_id === b.id).length).toBeGreaterThanOrEqual(2);
    expect(views.every((v) => (v.detail as { page: string }).page === 'merge')).toBe(true);
  });
});

describe('5. two staff with the same name', () => {
  it('one’s export leaves out the other’s actions, and erasing one leaves the other’s history', async () => {
    const lio = await t.make.lio();
    const { client: admin } = await signedInUser(t, lio, { role: 'admin' });
    const organisation = await directoryFactories(t.db).organisation(lio, { name: 'Shared Name Hall' });
    const first = await t.make.user(lio, { role: 'staff', name: 'Sam Smith', email: 'sam.one@lio.example' });
    const second = await t.make.user(lio, { role: 'staff', name: 'Sam Smith', email: 'sam.two@lio.example' });
    await t.db.withTenant(lio.id, async (tx) => {
      await tx.insertInto('audit_events').values([
        { lio_id: lio.id, actor_user_id: first.id, actor_label: 'Sam Smith', action: 'first.did', detail: '{}' },
        { lio_id: lio.id, actor_user_id: second.id, actor_label: 'Sam Smith', action: 'second.did', detail: '{}' },
      ]).execute();
      await tx.insertInto('organisation_events').values({
        lio_id: lio.id, organisation_id: organisation.id, actor_label: 'Sam Smith', kind: 'edited', summary: 'Edited by one of them', occurred_at: new Date(),
      }).execute();
    });
    const firstPerson = await people.personOfUser(lio, first.id);
    const file = await admin.submit(`/people/${firstPerson.id}/export`, `/people/${firstPerson.id}/export`, { format: 'json' });
    const data = JSON.parse(file.body);
    const actions = (data.providers.admin.tables.audit_events as { action: string }[]).map((e) => e.action);
    expect(actions).toContain('first.did');
    expect(actions).not.toContain('second.did');
    expect(data.providers.directory.tables.organisation_events).toEqual([]);

    expect((await admin.submit(`/people/${firstPerson.id}/erase`, `/people/${firstPerson.id}/erase`, { confirm: 'yes' })).status).toBe(303);
    const after = await t.db.withTenant(lio.id, async (tx) => ({
      first: await tx.selectFrom('audit_events').select('actor_label').where('action', '=', 'first.did').executeTakeFirstOrThrow(),
      second: await tx.selectFrom('audit_events').select('actor_label').where('action', '=', 'second.did').executeTakeFirstOrThrow(),
      history: await tx.selectFrom('organisation_events').select('actor_label').where('organisation_id', '=', organisation.id).executeTakeFirstOrThrow(),
    }));
    expect(after.first.actor_label).toBe('Erased person');
    expect(after.second.actor_label).toBe('Sam Smith');
    expect(after.history.actor_label).toBe('Sam Smith');
  });

  it('“Erased person” and “Former user” are never anyone’s label', async () => {
    const lio = await t.make.lio();
    const { client: admin } = await signedInUser(t, lio, { role: 'admin' });
    const someone = await t.make.user(lio, { role: 'staff', name: 'Former user', email: 'former@lio.example' });
    await t.db.withTenant(lio.id, (tx) => tx.insertInto('audit_events').values({ lio_id: lio.id, actor_user_id: null, actor_label: 'Former user', action: 'long.ago', detail: '{}' }).execute());
    const person = await people.personOfUser(lio, someone.id);
    const file = await admin.submit(`/people/${person.id}/export`, `/people/${person.id}/export`, { format: 'json' });
    expect((JSON.parse(file.body).providers.admin.tables.audit_events as { action: string }[]).map((e) => e.action)).not.toContain('long.ago');
  });
});

describe('6. e-mail addresses inside listing changes and histories', () => {
  it('match whole addresses only: jo@x.org is not in bojo@x.org.uk', async () => {
    const lio = await t.make.lio();
    const { client: admin } = await signedInUser(t, lio, { role: 'admin' });
    const submitter = await t.make.user(lio, { role: 'staff' });
    const organisation = await directoryFactories(t.db).organisation(lio);
    const jo = await people.person(lio, { fullName: 'Jo Short', emails: ['jo@x.org'] });
    const other = await people.listingChange(lio, { organisationId: organisation.id, submittedBy: submitter.id, changes: { email: { from: null, to: 'bojo@x.org.uk' } } });
    const longer = await people.listingChange(lio, { organisationId: organisation.id, submittedBy: submitter.id, changes: { email: { from: null, to: 'jo@x.org.uk' } } });
    const theirs = await people.listingChange(lio, { organisationId: organisation.id, submittedBy: submitter.id, changes: { email: { from: 'bojo@x.org.uk', to: 'JO@x.org' } } });
    const file = await admin.submit(`/people/${jo.id}/export`, `/people/${jo.id}/export`, { format: 'json' });
    const ids = (JSON.parse(file.body).providers.directory.tables.listing_changes as { id: string }[]).map((c) => c.id);
    expect(ids).toEqual([theirs.id]);

    expect((await admin.submit(`/people/${jo.id}/erase`, `/people/${jo.id}/erase`, { confirm: 'yes' })).status).toBe(303);
    const changes = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('listing_changes').select(['id', 'changes']).where('id', 'in', [other.id, longer.id, theirs.id]).execute());
    const byId = new Map(changes.map((c) => [c.id, c.changes]));
    expect(byId.get(other.id)).toEqual({ email: { from: null, to: 'bojo@x.org.uk' } });
    expect(byId.get(longer.id)).toEqual({ email: { from: null, to: 'jo@x.org.uk' } });
    expect(byId.get(theirs.id)).toEqual({ email: { from: 'bojo@x.org.uk', to: '[erased]' } });
  });
});

describe('7. public phone lines', () => {
  it('erasure deletes a contact’s phone with the person’s number, keeps an organisation’s line and names it on the confirmation page', async () => {
    const lio = await t.make.lio();
    const { client: admin } = await signedInUser(t, lio, { role: 'admin' });
    const organisation = await directoryFactories(t.db).organisation(lio, { name: 'Hillside Lunch Club' });
    const person = await people.person(lio, { fullName: 'Pat Phone', emails: ['pat@home.example'], phones: ['07700900555'] });
    const contact = await people.directoryContact(lio, { organisationId: organisation.id, name: 'Someone Else', email: 'club@hillside.example', phone: '07700 900 555' });
    const line = await t.db.withTenant(lio.id, (tx) => tx.insertInto('phones').values({ lio_id: lio.id, organisation_id: organisation.id, number: '07700 900555', description: 'Bookings' }).returning('id').executeTakeFirstOrThrow());

    const confirm = await admin.get(`/people/${person.id}/erase`);
    const kept = confirm.$('[data-testid="kept-on-erasure"]').text();
    expect(kept).toContain('Not erased: public lines of organisations');
    expect(kept).toContain('07700 900555: Hillside Lunch Club');

    expect((await admin.submit(`/people/${person.id}/erase`, `/people/${person.id}/erase`, { confirm: 'yes' })).status).toBe(303);
    const phones = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('phones').select(['id', 'contact_id']).where('organisation_id', '=', organisation.id).execute());
    expect(phones).toEqual([{ id: line.id, contact_id: null }]);
    // The contact itself is someone else's (another address): it stays.
    expect(await t.db.withTenant(lio.id, (tx) => tx.selectFrom('contacts').select('id').where('id', '=', contact.id).execute())).toHaveLength(1);
  });
});

describe('8. the audit log about a person', () => {
  it('includes entries about the records merged into them', async () => {
    const lio = await t.make.lio();
    const { client: admin } = await signedInUser(t, lio, { role: 'admin' });
    const kept = await people.person(lio, { fullName: 'Merl Kept', emails: ['merl@example.net'] });
    const merged = await people.person(lio, { fullName: 'Merl Kept', emails: ['merl@example.net'] });
    await t.db.withTenant(lio.id, (tx) => tx.insertInto('audit_events').values({
      lio_id: lio.id, actor_user_id: null, actor_label: 'someone@lio.example', action: 'person.updated', subject_type: 'person', subject_id: merged.id, detail: '{}',
    }).execute());
    expect((await mergeThrough(admin, kept.id, merged.id)).status).toBe(303);
    const file = await admin.submit(`/people/${kept.id}/export`, `/people/${kept.id}/export`, { format: 'json' });
    const about = (JSON.parse(file.body).providers.admin.tables.audit_events as { subject_id: string; action: string }[]);
    expect(about.some((e) => e.subject_id === merged.id && e.action === 'person.updated')).toBe(true);
  });
});

describe('9. what a member of staff did', () => {
  it('the page shows the latest 100 with a link to the audit log; the export holds all', async () => {
    const lio = await t.make.lio();
    const { client: admin } = await signedInUser(t, lio, { role: 'admin' });
    const busy = await t.make.user(lio, { role: 'staff', name: 'Bea Busy', email: 'bea@lio.example' });
    const start = Date.now() - 200 * 60_000;
    await t.db.withTenant(lio.id, (tx) => tx.insertInto('audit_events').values(Array.from({ length: 105 }, (_, i) => ({
      lio_id: lio.id, occurred_at: new Date(start + i * 60_000), actor_user_id: busy.id, actor_label: 'bea@lio.example', action: i < 5 ? 'early.thing' : 'busy.thing', detail: '{}',
    }))).execute());
    const person = await people.personOfUser(lio, busy.id);
    const page = await admin.get(`/people/${person.id}`);
    const titles = page.$('[data-testid="held-admin"] .govuk-summary-card__title').toArray().map((el) => page.$(el).text().trim());
    expect(titles.filter((x) => x === 'busy.thing')).toHaveLength(100);
    expect(titles.filter((x) => x === 'early.thing')).toHaveLength(0);
    expect(page.$('[data-testid="held-more"] a').attr('href')).toBe('/admin/audit?actor=bea%40lio.example');

    const file = await admin.submit(`/people/${person.id}/export`, `/people/${person.id}/export`, { format: 'json' });
    const acted = (JSON.parse(file.body).providers.admin.tables.audit_events as { action: string }[]).filter((e) => e.action.endsWith('.thing'));
    expect(acted).toHaveLength(105);
    const readable = await admin.submit(`/people/${person.id}/export`, `/people/${person.id}/export`, { format: 'html' });
    expect(readable.$('[data-testid="held-admin"] .govuk-summary-card__title').toArray().filter((el) => readable.$(el).text().trim() === 'early.thing')).toHaveLength(5);
  });
});

describe('11. the retention run across LIOs', () => {
  it('goes on past an LIO that fails, logs it without personal data, then fails', async () => {
    await t.make.lio();
    await t.make.lio();
    let calls = 0;
    const failingOnce: PersonalDataProvider = {
      ...peoplePersonalData,
      retention: { rule: '', async apply() { calls += 1; if (calls === 1) throw new Error('value for gina@allotments.example violates a check'); return {}; } },
    };
    const logged: Record<string, unknown>[] = [];
    const rights = new DataRightsService({ db: t.db, clock: t.clock, providers: [failingOnce] });
    const lios = await t.db.system.selectFrom('lios').select('id').execute();
    await expect(rights.applyRetentionEverywhere({ error: (detail) => logged.push(detail) })).rejects.toThrow(/Retention failed for 1 LIO/);
    expect(calls).toBe(lios.length);
    expect(logged).toHaveLength(1);
    expect(JSON.stringify(logged)).not.toMatch(/gina|allotments/);
  });
});

describe('12. one rule for old labels in every history', () => {
  it('the audit log forgets an account’s name as listing histories do, and keeps the app’s own labels', async () => {
    const lio = await t.make.lio();
    await t.make.user(lio, { role: 'staff', name: 'Ada Adviser' });
    await t.db.withTenant(lio.id, (tx) => tx.insertInto('audit_events').values([
      { lio_id: lio.id, occurred_at: longAgo(), actor_user_id: null, actor_label: 'Ada Adviser', action: 'named.old', detail: '{}' },
      { lio_id: lio.id, occurred_at: longAgo(), actor_user_id: null, actor_label: 'Retention job', action: 'job.old', detail: '{}' },
    ]).execute());
    const rights = new DataRightsService({ db: t.db, clock: t.clock, providers: [adminPersonalData, directoryPersonalData] });
    await rights.applyRetention(lio.id);
    const rows = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('audit_events').select(['action', 'actor_label']).where('action', 'in', ['named.old', 'job.old']).orderBy('action').execute());
    expect(rows).toEqual([{ action: 'job.old', actor_label: 'Retention job' }, { action: 'named.old', actor_label: 'Former user' }]);
  });
});
