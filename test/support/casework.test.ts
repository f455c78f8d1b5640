import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { signedInClient, errorSummary, mainText } from '../helpers/client.js';
import { directoryFactories } from '../helpers/directory-factories.js';
import { caseworkFactories, type CaseInput } from '../helpers/casework-factories.js';
import { londonDay } from '../../src/platform/validation/dates.js';

type Lio = Awaited<ReturnType<TestContext['make']['lio']>>;
const DAY = 86_400_000;
const day = (offset: number) => londonDay(new Date(Date.now() + offset * DAY));
const boxes = (field: string, iso: string) => {
  const [y, m, d] = iso.split('-');
  return { [`${field}-day`]: String(Number(d)), [`${field}-month`]: String(Number(m)), [`${field}-year`]: y! };
};

let t: TestContext;
let f: ReturnType<typeof caseworkFactories>;
beforeAll(async () => { t = await createTestApp(); f = caseworkFactories(t.db); });
afterAll(async () => { await t?.close(); });

/** A LIO with two organisations, an adviser (signed in), a second adviser and the first organisation's group member. */
async function setting() {
  const lio = await t.make.lio();
  const d = directoryFactories(t.db);
  const org = await d.organisation(lio, { name: 'Brook Street Pantry' });
  const other = await d.organisation(lio, { name: 'Hillside Allotments' });
  const adviserUser = await t.make.user(lio, { role: 'staff', permissionSets: ['adviser'], name: 'Ada Adviser' });
  const secondUser = await t.make.user(lio, { role: 'staff', permissionSets: ['adviser'], name: 'Bola Second' });
  const groupUser = await t.make.user(lio, { role: 'group_member', organisationId: org.id, name: 'Gwen Group' });
  return {
    lio, org, other, adviserUser, secondUser, groupUser,
    adviser: await signedInClient(t.app, lio.host, adviserUser),
    group: await signedInClient(t.app, lio.host, groupUser),
  };
}
const casesOf = (lio: Lio) => t.db.withTenant(lio.id, (tx) => tx.selectFrom('support_cases').selectAll()
  .select((eb) => [eb.cast<string>('next_action_due', 'text').as('next_action_due'), eb.cast<string>('closed_on', 'text').as('closed_on')]).orderBy('reference').execute());
const make = (lio: Lio, c: CaseInput) => f.supportCase(lio, c);

describe('opening and working a support case', () => {
  it('an adviser opens a case taken by phone: the asker is matched by e-mail, the reference is the next, and the view is audited', async () => {
    const s = await setting();
    const held = await f.person(s.lio, { fullName: 'Mo Held', email: 'mo@example.org' });
    const opened = await s.adviser.submit('/support/cases/new', '/support/cases', {
      organisationId: s.org.id, topic: 'funding', title: 'Bid to the Lottery', request: 'Help with a first bid', askedVia: 'phone', referredBy: '',
      askerName: 'Mo Held', askerEmail: 'MO@example.org', askerPhone: '07700 900123', adviser: 'me', nextAction: 'Call back', ...boxes('due', day(2)),
    });
    expect(opened.status).toBe(303);
    const again = await s.adviser.submit('/support/cases/new', '/support/cases', {
      organisationId: s.other.id, topic: 'governance', title: 'Constitution', request: 'A new constitution', askedVia: 'referral', referredBy: 'Council community team',
      askerName: 'New Person', askerEmail: 'new.person@example.org', askerPhone: '', adviser: '', nextAction: '', 'due-day': '', 'due-month': '', 'due-year': '',
    });
    expect(again.status).toBe(303);
    const [first, second] = await casesOf(s.lio);
    expect(first).toMatchObject({ reference: 'SC-0001', asked_by_person_id: held.id, adviser_user_id: s.adviserUser.id, status: 'open', next_action_due: day(2), asked_via: 'phone' });
    expect(second).toMatchObject({ reference: 'SC-0002', adviser_user_id: null, status: 'new', referred_by: 'Council community team' });
    const people = await t.db.withTenant(s.lio.id, (tx) => tx.selectFrom('people').select(['id', 'emails', 'phones']).where('full_name', 'in', ['Mo Held', 'New Person']).execute());
    expect(people).toHaveLength(2);
    expect(people.find((p) => p.id === held.id)!.phones).toEqual(['07700900123']);

    const page = await s.adviser.get(opened.location!);
    expect(page.status).toBe(200);
    expect(page.$('h1').text()).toContain('SC-0001: Bid to the Lottery');
    expect(page.$('[data-testid="summary"]').text()).toContain('Mo Held, mo@example.org, 07700 900123');
    const audited = await t.db.withTenant(s.lio.id, (tx) => tx.selectFrom('audit_events').select(['action', 'subject_id']).where('action', '=', 'support_case.viewed').execute());
    expect(audited).toEqual([{ action: 'support_case.viewed', subject_id: first!.id }]);
  });

  it('a case form with mistakes comes back with status 400 naming each field, and nothing is stored', async () => {
    const s = await setting();
    const bad = await s.adviser.submit('/support/cases/new', '/support/cases', {
      organisationId: 'nope', topic: 'cake', title: '', request: '', askedVia: 'enquiry_form', askerName: '', askerEmail: 'not-an-email', askerPhone: '123',
      adviser: 'someone', nextAction: '', 'due-day': '31', 'due-month': '2', 'due-year': '2027',
    });
    expect(bad.status).toBe(400);
    expect(errorSummary(bad)).toEqual([
      { text: 'Choose the organisation that asked for support', href: '#organisationId' },
      { text: 'Choose what the support is about', href: '#topic' },
      { text: 'Enter a short title for the case', href: '#title' },
      { text: 'Enter what the group asked for', href: '#request' },
      { text: 'Choose how the group asked', href: '#askedVia' },
      { text: 'Enter the name of the person who asked', href: '#askerName' },
      { text: 'Enter an email address in the correct format, like name@example.org', href: '#askerEmail' },
      { text: 'Enter a UK phone number, like 01632 960 001 or 07700 900 982', href: '#askerPhone' },
      { text: 'Choose an adviser from the list', href: '#adviser' },
      { text: 'The due date must be a real date, like 27 3 2026', href: '#due-day' },
    ]);
    const referral = await s.adviser.submit('/support/cases/new', '/support/cases', {
      organisationId: s.org.id, topic: 'funding', title: 'T', request: 'R', askedVia: 'referral', referredBy: '', askerName: 'A', askerEmail: '', askerPhone: '',
      adviser: '', nextAction: '', ...boxes('due', day(3)),
    });
    expect(errorSummary(referral)).toEqual([
      { text: 'Enter who referred them', href: '#referredBy' },
      { text: 'Enter an email address or a phone number for the person who asked', href: '#askerEmail' },
      { text: 'Enter the next action, or leave the due date empty', href: '#nextAction' },
    ]);
    // An organisation of another LIO is not one to choose.
    const elsewhere = await directoryFactories(t.db).organisation(await t.make.lio(), { name: 'Far Away Group' });
    const foreign = await s.adviser.submit('/support/cases/new', '/support/cases', {
      organisationId: elsewhere.id, topic: 'funding', title: 'T', request: 'R', askedVia: 'phone', askerName: 'A', askerEmail: 'a@example.org', adviser: '',
    });
    expect(errorSummary(foreign)).toEqual([{ text: 'Choose the organisation that asked for support', href: '#organisationId' }]);
    expect(await casesOf(s.lio)).toHaveLength(0);
  });

  it('assign, note with time, change, outcome, close and reopen: each shows on the case page, and bad input is refused', async () => {
    const s = await setting();
    const c = await make(s.lio, { organisationId: s.org.id, title: 'Reserves policy' });
    const url = `/support/cases/${c.id}`;
    expect((await s.adviser.submit(url, `${url}/assign`, { adviser: 'me' })).status).toBe(303);
    expect((await casesOf(s.lio))[0]).toMatchObject({ adviser_user_id: s.adviserUser.id, status: 'open' });

    const noteBad = await s.adviser.submit(`${url}/notes/new`, `${url}/notes`, { body: '', hours: '25', minutes: '', ...boxes('worked', day(1)) });
    expect(noteBad.status).toBe(400);
    expect(errorSummary(noteBad)).toEqual([
      { text: 'Enter what was done or said', href: '#body' },
      { text: 'Hours must be a whole number from 0 to 24', href: '#hours' },
      { text: 'The day the work was done must be today or in the past', href: '#worked-day' },
    ]);
    expect((await s.adviser.submit(`${url}/notes/new`, `${url}/notes`, { body: 'Went through the accounts', hours: '1', minutes: '30', ...boxes('worked', day(0)) })).status).toBe(303);
    expect((await s.adviser.submit(`${url}/notes/new`, `${url}/notes`, { body: 'Emailed the template', hours: '', minutes: '20', ...boxes('worked', day(-1)), shared: 'yes' })).status).toBe(303);

    const editBad = await s.adviser.submit(`${url}/edit`, `${url}/edit`, { topic: 'finance', title: 'x'.repeat(201), request: 'R', status: 'closed', nextAction: '' });
    expect(errorSummary(editBad)).toEqual([
      { text: 'A short title for the case must be 200 characters or fewer', href: '#title' },
      { text: 'Choose where the case stands (close it with the close button)', href: '#status' },
    ]);
    expect((await s.adviser.submit(`${url}/edit`, `${url}/edit`, { topic: 'finance', title: 'Reserves policy', request: 'R', status: 'waiting_on_group', nextAction: 'Send last year’s accounts', ...boxes('due', day(5)) })).status).toBe(303);

    const outcomeBad = await s.adviser.submit(`${url}/outcomes/new`, `${url}/outcomes`, { kind: 'other', detail: '' });
    expect(errorSummary(outcomeBad)).toEqual([{ text: 'Enter the detail', href: '#detail' }, { text: 'Enter the date it was achieved', href: '#achieved-day' }]);
    expect((await s.adviser.submit(`${url}/outcomes/new`, `${url}/outcomes`, { kind: 'policy_adopted', detail: 'Reserves policy adopted', ...boxes('achieved', day(0)) })).status).toBe(303);

    let page = await s.adviser.get(url);
    expect(page.$('[data-testid="total-time"]').text()).toContain('1 hour 50 minutes');
    expect(page.$('[data-testid="notes"]').text()).toMatch(/Went through the accounts[\s\S]*Emailed the template|Emailed the template[\s\S]*Went through/);
    expect(page.$('[data-testid="summary"]').text()).toContain('Send last year’s accounts');
    expect(page.$('[data-testid="outcomes"]').text()).toContain('Policy adopted');

    const closeBad = await s.adviser.submit(`${url}/close`, `${url}/close`, { closingSummary: '' });
    expect(errorSummary(closeBad)).toEqual([{ text: 'Enter what the support achieved', href: '#closingSummary' }]);
    expect((await s.adviser.submit(`${url}/close`, `${url}/close`, { closingSummary: 'Policy in place' })).status).toBe(303);
    expect((await casesOf(s.lio))[0]).toMatchObject({ status: 'closed', closing_summary: 'Policy in place', closed_on: day(0), next_action: null });
    page = await s.adviser.get(url);
    expect(page.$('[data-testid="summary"]').text()).toContain('Policy in place');
    expect((await s.adviser.submit(url, `${url}/reopen`, {})).status).toBe(303);
    expect((await casesOf(s.lio))[0]).toMatchObject({ status: 'open', closed_on: null });
  });

  it('references stay unique when cases are opened at the same moment', async () => {
    const s = await setting();
    await Promise.all(Array.from({ length: 8 }, () => make(s.lio, { organisationId: s.org.id })));
    const refs = (await casesOf(s.lio)).map((c) => c.reference);
    expect(new Set(refs).size).toBe(8);
    expect(refs).toEqual(['SC-0001', 'SC-0002', 'SC-0003', 'SC-0004', 'SC-0005', 'SC-0006', 'SC-0007', 'SC-0008']);
  });

  it('a case of another LIO, or that is not a case, is not found; only advisers may read cases', async () => {
    const s = await setting();
    const otherLio = await t.make.lio();
    const theirOrg = await directoryFactories(t.db).organisation(otherLio, { name: 'Their Group' });
    const theirs = await make(otherLio, { organisationId: theirOrg.id });
    for (const path of [`/support/cases/${theirs.id}`, `/support/cases/${theirs.id}/edit`, '/support/cases/not-a-case', `/support/cases/${theirs.id}/notes/new`,
      `/support/cases/${theirs.id}/documents/${theirs.id}`, `/support/cases/${theirs.id}/applications/new`, `/support/cases/${theirs.id}/health-checks/new`, `/support/organisations/${theirOrg.id}/health-checks`]) {
      expect((await s.adviser.get(path)).status, path).toBe(404);
    }
    expect((await s.adviser.submit('/support/cases', `/support/cases/${theirs.id}/close`, { closingSummary: 'Mine now' })).status).toBe(404);
    expect((await s.adviser.submit('/support/cases', `/support/cases/${theirs.id}/assign`, { adviser: 'me' })).status).toBe(404);
    const coordinator = await signedInClient(t.app, s.lio.host, await t.make.user(s.lio, { role: 'staff', permissionSets: ['volunteer_coordinator'] }));
    expect((await coordinator.get('/support/cases')).status).toBe(403);
    expect((await s.group.get('/support/cases')).status).toBe(403);
  });
});

describe('the list of cases', () => {
  it('filters by status, topic, adviser, organisation, due date and text, pages, and answers a bad filter with an error', async () => {
    const s = await setting();
    const mine = { adviserUserId: s.adviserUser.id };
    await make(s.lio, { organisationId: s.org.id, ...mine, title: 'Due today bid', nextAction: 'Call', nextActionDue: day(0) });
    await make(s.lio, { organisationId: s.org.id, ...mine, title: 'Overdue policy', topic: 'policies_safeguarding', nextAction: 'Send', nextActionDue: day(-2) });
    await make(s.lio, { organisationId: s.other.id, title: 'Unassigned request' });
    await make(s.lio, { organisationId: s.other.id, adviserUserId: s.secondUser.id, title: 'Someone else’s', nextAction: 'Meet', nextActionDue: day(-5) });
    await make(s.lio, { organisationId: s.org.id, ...mine, title: 'Closed one', status: 'closed' });
    const titles = async (q: string) => {
      const page = await s.adviser.get(`/support/cases?${q}`);
      return page.$('[data-testid="cases"] tbody a').map((_i, a) => page.$(a).text().replace(/^SC-\d+: /, '')).get();
    };
    expect(await titles('')).toEqual(['Someone else’s', 'Overdue policy', 'Due today bid', 'Unassigned request']);
    expect(await titles('adviser=mine')).toEqual(['Overdue policy', 'Due today bid']);
    expect(await titles('adviser=mine&due=overdue')).toEqual(['Overdue policy']);
    expect(await titles('adviser=mine&due=today')).toEqual(['Due today bid']);
    expect(await titles('adviser=unassigned')).toEqual(['Unassigned request']);
    expect(await titles(`organisation=${s.other.id}`)).toEqual(['Someone else’s', 'Unassigned request']);
    expect(await titles('organisationName=hillside')).toEqual(['Someone else’s', 'Unassigned request']);
    expect(await titles('topic=policies_safeguarding')).toEqual(['Overdue policy']);
    expect(await titles('status=closed')).toEqual(['Closed one']);
    expect(await titles('q=bid')).toEqual(['Due today bid']);
    expect(await titles('q=SC-0003')).toEqual(['Unassigned request']);
    expect(await titles('q=sc3')).toEqual(['Unassigned request']);
    expect(await titles('q=100%25')).toEqual([]);

    const bad = await s.adviser.get('/support/cases?status=lost&due=someday&adviser=x');
    expect(bad.status).toBe(400);
    expect(errorSummary(bad)).toEqual([
      { text: 'Choose a status from the list', href: '#status' },
      { text: 'Choose an adviser from the list', href: '#adviser' },
      { text: 'Choose when the next action is due from the list', href: '#due' },
    ]);
    expect(bad.$('[data-testid="cases"] caption').text()).toContain('4 cases');

    for (let i = 0; i < 26; i++) await make(s.lio, { organisationId: s.org.id, title: `Bulk ${i}` });
    const first = await s.adviser.get('/support/cases?q=Bulk');
    expect(first.$('[data-testid="cases"] tbody tr')).toHaveLength(25);
    expect(first.$('[data-testid="cases"] caption').text()).toContain('26 cases');
    const second = await s.adviser.get('/support/cases?q=Bulk&page=2');
    expect(second.$('[data-testid="cases"] tbody tr')).toHaveLength(1);
  });
});

describe('the adviser’s home page', () => {
  it('counts their cases due today and overdue, and new cases no one has taken, linking to the list', async () => {
    const s = await setting();
    await make(s.lio, { organisationId: s.org.id, adviserUserId: s.adviserUser.id, nextAction: 'a', nextActionDue: day(0) });
    await make(s.lio, { organisationId: s.org.id, adviserUserId: s.adviserUser.id, nextAction: 'b', nextActionDue: day(-1) });
    await make(s.lio, { organisationId: s.org.id, adviserUserId: s.adviserUser.id, nextAction: 'c', nextActionDue: day(-9) });
    await make(s.lio, { organisationId: s.org.id });
    const home = await s.adviser.get('/');
    const text = mainText(home);
    expect(text).toContain('1 of your cases due today');
    expect(text).toContain('2 of your cases overdue');
    expect(text).toContain('1 new request no one has taken');
    expect(home.$('a[href="/support/cases?adviser=mine&due=overdue"]').length).toBeGreaterThan(0);
    expect(home.$('a[href="/support/cases?adviser=unassigned&status=new"]').length).toBeGreaterThan(0);
  });
});
