import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { signedInClient, errorSummary, mainText } from '../helpers/client.js';
import { directoryFactories } from '../helpers/directory-factories.js';
import { caseworkFactories } from '../helpers/casework-factories.js';

let t: TestContext;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t?.close(); });

async function setting() {
  const lio = await t.make.lio();
  const d = directoryFactories(t.db);
  const org = await d.organisation(lio, { name: 'Brook Street Pantry' });
  const other = await d.organisation(lio, { name: 'Hillside Allotments' });
  const adviserUser = await t.make.user(lio, { role: 'staff', permissionSets: ['adviser'], name: 'Ada Adviser' });
  const groupUser = await t.make.user(lio, { role: 'group_member', organisationId: org.id, name: 'Gwen Group' });
  return {
    lio, org, other, adviserUser, groupUser,
    adviser: await signedInClient(t.app, lio.host, adviserUser),
    group: await signedInClient(t.app, lio.host, groupUser),
    otherGroup: await signedInClient(t.app, lio.host, await t.make.user(lio, { role: 'group_member', organisationId: other.id })),
  };
}

describe('the group’s own support pages', () => {
  it('a group member asks for support: a new unassigned case from the enquiry form, the advisers told, and it shows on their home page', async () => {
    const s = await setting();
    const bad = await s.group.submit('/our-support/new', '/our-support', { topic: '', request: '', contactBy: 'phone', phone: '12' });
    expect(bad.status).toBe(400);
    expect(errorSummary(bad)).toEqual([
      { text: 'Choose what you would like support with', href: '#topic' },
      { text: 'Enter what you need', href: '#request' },
      { text: 'Enter a UK phone number, like 01632 960 001 or 07700 900 982', href: '#phone' },
    ]);
    const sent = await s.group.submit('/our-support/new', '/our-support', { topic: 'funding', request: 'Help with our first Lottery bid\nThe deadline is in March.', contactBy: 'phone', phone: '07700 900456' });
    expect(sent.status).toBe(303);
    const [c] = await t.db.withTenant(s.lio.id, (tx) => tx.selectFrom('support_cases').selectAll().execute());
    expect(c).toMatchObject({ organisation_id: s.org.id, asked_via: 'enquiry_form', status: 'new', adviser_user_id: null, asked_by_user_id: s.groupUser.id, title: 'Help with our first Lottery bid', contact_preference: 'phone' });
    const person = await t.db.withTenant(s.lio.id, (tx) => tx.selectFrom('people').select('phones').where('id', '=', c!.asked_by_person_id!).executeTakeFirstOrThrow());
    expect(person.phones).toEqual(['07700900456']);
    const mail = await t.db.withTenant(s.lio.id, (tx) => tx.selectFrom('email_messages').select(['to_address', 'subject', 'body_text']).execute());
    expect(mail).toEqual([expect.objectContaining({ to_address: s.adviserUser.email, subject: `New request for support: ${c!.reference}` })]);
    expect(mail[0]!.body_text).toContain('Brook Street Pantry');
    expect(mainText(await s.adviser.get('/'))).toContain('1 new request no one has taken');
    const mine = await s.group.get('/our-support');
    expect(mine.$('[data-testid="our-cases"] tbody').text()).toContain('Not yet given to an adviser');
  });

  it('the group sees its case’s progress and shared notes, never the advisers’ own notes, and can write to its adviser', async () => {
    const s = await setting();
    const f = caseworkFactories(t.db);
    const c = await f.supportCase(s.lio, { organisationId: s.org.id, adviserUserId: s.adviserUser.id, status: 'waiting_on_group', nextAction: 'Send us your last accounts', nextActionDue: '2030-01-15', title: 'Reserves' });
    await f.note(s.lio, { caseId: c.id, body: 'Internal: the treasurer seems overwhelmed', authorUserId: s.adviserUser.id });
    await f.note(s.lio, { caseId: c.id, body: 'Here is the reserves guide we talked about', authorUserId: s.adviserUser.id, shared: true });
    const page = await s.group.get(`/our-support/cases/${c.id}`);
    expect(page.status).toBe(200);
    const text = mainText(page);
    expect(text).toContain('Ada Adviser');
    expect(text).toContain('What we need from you Send us your last accounts (by 15 Jan 2030)');
    expect(text).toContain('Here is the reserves guide we talked about');
    expect(text).not.toContain('treasurer seems overwhelmed');

    const empty = await s.group.submit(`/our-support/cases/${c.id}`, `/our-support/cases/${c.id}/messages`, { message: '' });
    expect(errorSummary(empty)).toEqual([{ text: 'Enter your message', href: '#message' }]);
    expect((await s.group.submit(`/our-support/cases/${c.id}`, `/our-support/cases/${c.id}/messages`, { message: 'Accounts attached to an email' })).status).toBe(303);
    const after = await t.db.withTenant(s.lio.id, (tx) => tx.selectFrom('support_cases').select('status').where('id', '=', c.id).executeTakeFirstOrThrow());
    expect(after.status).toBe('open');
    const adviserPage = await s.adviser.get(`/support/cases/${c.id}`);
    expect(adviserPage.$('[data-testid="notes"]').text()).toMatch(/Message from the group[\s\S]*Accounts attached to an email|Accounts attached/);

    // Another organisation's member, and a case of another organisation, are not found.
    expect((await s.otherGroup.get(`/our-support/cases/${c.id}`)).status).toBe(404);
    expect((await s.otherGroup.submit('/our-support', `/our-support/cases/${c.id}/messages`, { message: 'Hello' })).status).toBe(404);
    expect((await s.otherGroup.get('/our-support')).$('[data-testid="our-cases"] tbody').text()).toContain('You have not asked for support yet');
    const audited = await t.db.withTenant(s.lio.id, (tx) => tx.selectFrom('audit_events').select('detail').where('action', '=', 'support_case.viewed').where('subject_id', '=', c.id).execute());
    expect(audited.length).toBeGreaterThanOrEqual(2);
    // Staff pages are not theirs; the portal is not staff's.
    expect((await s.group.get(`/support/cases/${c.id}`)).status).toBe(403);
    expect((await s.adviser.get('/our-support')).status).toBe(403);
  });
});
