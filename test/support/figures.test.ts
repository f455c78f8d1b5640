import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { errorSummary, signedInClient, type Client, type Page } from '../helpers/client.js';
import { directoryFactories } from '../helpers/directory-factories.js';
import { peopleFactories } from '../helpers/people-factories.js';
import { supportFiguresFactories, type SupportFiguresFactories } from '../helpers/support-figures-factories.js';
import { leverageOf, supportFigures } from '../../src/support/figures/service.js';
import { londonDay } from '../../src/platform/validation/dates.js';

type Lio = Awaited<ReturnType<TestContext['make']['lio']>>;

let t: TestContext;
let f: SupportFiguresFactories;
beforeAll(async () => { t = await createTestApp(); f = supportFiguresFactories(t.db); });
afterAll(async () => { await t?.close(); });

const APRIL = { from: '2026-04-01', to: '2026-04-30' };
const at = (iso: string) => new Date(iso);

/** A figure's value on the page, by its label. */
const figure = (page: Page, label: string) => {
  const row = page.$('table[data-testid^="figures-"] tbody tr').toArray().find((r) => page.$(r).find('th').text().trim() === label);
  return row ? page.$(row).find('td').text().trim() : undefined;
};

async function adviserOf(lio: Lio): Promise<Client> {
  return signedInClient(t.app, lio.host, await t.make.user(lio, { role: 'staff', permissionSets: ['adviser'] }));
}

/**
 * April 2026 in one LIO: work inside the month and just outside it, each of its kinds, so each figure is seen to count
 * by its own date.
 */
async function april() {
  const lio = await t.make.lio();
  const d = directoryFactories(t.db);
  const pantry = await d.organisation(lio, { name: 'Brook Street Pantry' });
  const choir = await d.organisation(lio, { name: 'Eastfield Community Choir' });
  const garden = await d.organisation(lio, { name: 'Northgate Growers' });
  const closedBefore = await d.organisation(lio, { name: 'Closed in March' });
  // Open through April, opened in March: supported, not opened in April.
  const bid = await f.supportCase(lio, { organisationId: pantry.id, topic: 'funding', openedOn: '2026-03-10' });
  // Opened and closed in April.
  const constitution = await f.supportCase(lio, { organisationId: choir.id, topic: 'governance', openedOn: '2026-04-02', closedOn: '2026-04-28' });
  // Opened in May: not April's.
  await f.supportCase(lio, { organisationId: garden.id, topic: 'premises', openedOn: '2026-05-01' });
  // Closed in March, but a note of work done in April makes the group supported in April.
  const old = await f.supportCase(lio, { organisationId: closedBefore.id, topic: 'finance', openedOn: '2026-01-05', closedOn: '2026-03-31' });
  await f.note(lio, { caseId: old.id, workedOn: '2026-04-15', minutes: 30 });
  await f.note(lio, { caseId: bid.id, workedOn: '2026-04-01', minutes: 90 });
  await f.note(lio, { caseId: bid.id, workedOn: '2026-03-31', minutes: 600 });
  await f.note(lio, { caseId: constitution.id, workedOn: '2026-04-30', minutes: 60 });
  await f.outcome(lio, { caseId: constitution.id, kind: 'policy_adopted', achievedOn: '2026-04-20' });
  await f.outcome(lio, { caseId: constitution.id, kind: 'governance_improved', achievedOn: '2026-04-28' });
  await f.outcome(lio, { caseId: bid.id, kind: 'policy_adopted', achievedOn: '2026-05-01' });
  await f.application(lio, { organisationId: pantry.id, caseId: bid.id, funder: 'Riverside Community Foundation', programme: 'Small grants', submittedOn: '2026-03-01', decisionOn: '2026-04-10', awarded: '7000.00' });
  await f.application(lio, { organisationId: choir.id, funder: 'Arts Council England', submittedOn: '2026-04-05', decisionOn: '2026-04-29', awarded: '3500.00' });
  await f.application(lio, { organisationId: garden.id, submittedOn: '2026-04-12', status: 'declined', decisionOn: '2026-04-30' });
  await f.application(lio, { organisationId: garden.id, submittedOn: '2026-04-20' });
  await f.application(lio, { organisationId: pantry.id, submittedOn: '2026-02-01', decisionOn: '2026-05-01', awarded: '99999.00' });
  // A quarter's spend of £9,100 over 91 days: April's 30 days count £3,000.
  await f.spend(lio, { from: '2026-04-01', to: '2026-06-30', amount: '9100.00', description: 'Development workers' });
  const p = peopleFactories(t.db);
  const [amara, bryn, cai] = [await p.person(lio), await p.person(lio), await p.person(lio)];
  await f.trainingSession(lio, { startsAt: at('2026-04-14T09:00:00Z'), attendees: [
    { personId: amara!.id, organisationId: pantry.id }, { personId: bryn!.id, organisationId: pantry.id }, { personId: cai!.id, attended: false },
  ] });
  await f.trainingSession(lio, { startsAt: at('2026-04-21T17:00:00Z'), attendees: [{ personId: amara!.id, organisationId: pantry.id }] });
  // 00:30 on 1 May in England (BST) is still 30 April in UTC: May's, not April's.
  await f.trainingSession(lio, { startsAt: at('2026-04-30T23:30:00Z'), attendees: [{ personId: cai!.id, organisationId: choir.id }] });
  // 00:30 on 1 April in England is 31 March in UTC: April's.
  await f.bulletinSent(lio, { sentAt: at('2026-03-31T23:30:00Z'), emails: ['a@example.net', 'b@example.net', 'c@example.net', 'd@example.net'], opened: 3 });
  await f.bulletinSent(lio, { sentAt: at('2026-04-30T23:10:00Z'), emails: ['a@example.net'], opened: 1 });
  return { lio, pantry, bid };
}

describe('support figures', () => {
  it('count each kind of work by its own date, in England\'s days, and the leverage figure divides funding secured by the spend apportioned by days', async () => {
    const s = await april();
    const page = await (await adviserOf(s.lio)).get(`/support/figures?from=1/4/2026&to=30/4/2026`);
    expect(page.status).toBe(200);
    expect(figure(page, 'Groups supported')).toBe('3');
    expect(figure(page, 'Cases opened')).toBe('1');
    expect(figure(page, 'Cases closed')).toBe('1');
    expect(figure(page, 'Governance and constitution: opened')).toBe('1');
    expect(figure(page, 'Funding and bids: opened')).toBe('0');
    expect(figure(page, 'Hours of support')).toBe('3.0');
    expect(figure(page, 'Policy adopted')).toBe('1');
    expect(figure(page, 'Governance improved')).toBe('1');
    expect(figure(page, 'All outcomes')).toBe('2');
    expect(figure(page, 'Funding applications submitted')).toBe('3');
    expect(figure(page, 'Funding applications declined')).toBe('1');
    expect(page.$('a:contains("Funding applications awarded")').closest('tr').find('td').text()).toBe('2');
    expect(page.$('a:contains("Funding secured for groups")').closest('tr').find('td').text()).toBe('£10,500.00');
    expect(page.$('a:contains("Spent on support to groups")').closest('tr').find('td').text()).toBe('£3,000.00');
    expect(page.$('[data-testid="leverage"]').text()).toContain('Leverage: £3.50 for every £1');
    expect(figure(page, 'Training places attended')).toBe('3');
    expect(figure(page, 'People trained')).toBe('2');
    expect(figure(page, 'Organisations trained')).toBe('1');
    expect(figure(page, 'Bulletins sent')).toBe('1');
    expect(figure(page, 'Copies sent')).toBe('4');
    expect(figure(page, 'Copies opened')).toBe('3 (75%)');

    // The typed figures the insight capability will read say the same.
    const typed = await t.db.withTenant(s.lio.id, (tx) => supportFigures(tx, APRIL));
    expect(typed).toMatchObject({ groupsSupported: 3, supportMinutes: 180, fundingSecuredPence: 1_050_000, spendPence: 300_000, leveragePence: 350 });
    expect(typed.spend).toEqual([expect.objectContaining({ days: 91, daysInside: 30, amountPence: 910_000, countedPence: 300_000 })]);
  });

  it('the CSV holds the same figures as the page, and its download is audited', async () => {
    const s = await april();
    const adviser = await adviserOf(s.lio);
    const page = await adviser.get('/support/figures?from=2026-04-01&to=2026-04-30');
    const csv = await adviser.get('/support/figures.csv?from=2026-04-01&to=2026-04-30');
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.headers['content-disposition']).toBe('attachment; filename="support-figures-2026-04-01-to-2026-04-30.csv"');
    const rows = parse(csv.body) as string[][];
    expect(rows[0]).toEqual(['Section', 'Figure', '2026-04-01 to 2026-04-30']);
    const onPage = page.$('table[data-testid^="figures-"] tbody tr').toArray().map((r) => [page.$(r).find('th').text().trim(), page.$(r).find('td').text().trim()]);
    expect(rows.slice(1).map((r) => [r[1], r[2]])).toEqual(onPage);
    expect(rows).toContainEqual(['Funding and leverage', 'Leverage', '£3.50 for every £1']);
    const audit = await t.db.withTenant(s.lio.id, (tx) => tx.selectFrom('audit_events').select(['action', 'detail']).where('action', '=', 'support.figures_exported').execute());
    expect(audit).toHaveLength(1);
  });

  it('the records behind the leverage figure: the period\'s awards with their cases, and the spend counted by its days', async () => {
    const s = await april();
    const page = await (await adviserOf(s.lio)).get('/support/figures/leverage?from=2026-04-01&to=2026-04-30');
    expect(page.status).toBe(200);
    expect(page.$('[data-testid="leverage"]').text()).toContain('£3.50 for every £1');
    const awards = page.$('[data-testid="awards"] tbody tr').toArray().map((r) => page.$(r).find('td').toArray().map((c) => page.$(c).text().replace(/\s+/g, ' ').trim()).join(' | '));
    expect(awards).toHaveLength(2);
    expect(awards[0]).toBe(`Brook Street Pantry | Riverside Community FoundationSmall grants | £7,000.00 | 10 Apr 2026 | ${s.bid.reference}: Brook Street Pantry`);
    expect(page.$('[data-testid="awards"] tbody tr').first().find('a').attr('href')).toBe(`/support/cases/${s.bid.id}`);
    expect(awards[1]).toContain('Not on a case');
    const spend = page.$('[data-testid="spend-counted"] tbody tr').first().find('td').toArray().map((c) => page.$(c).text().trim());
    expect(spend).toEqual(['1 Apr 2026 to 30 Jun 2026', 'Development workers', '£9,100.00', '30 of 91', '£3,000.00']);
  });

  it('without spend in the period the leverage figure is not available, and says why', async () => {
    const s = await april();
    const page = await (await adviserOf(s.lio)).get('/support/figures?from=2026-01-01&to=2026-03-31');
    expect(page.$('[data-testid="leverage"]').text()).toContain('Not available: no spend on support is entered for this period');
    expect(leverageOf(100, 0)).toBeNull();
    expect(leverageOf(1_050_000, 300_000)).toBe(350);
    // Rounded half up, exactly: £1 for £3 is 33.33p; £2 for £3 is 66.67p.
    expect([leverageOf(100, 300), leverageOf(200, 300), leverageOf(1, 200)]).toEqual([33, 67, 1]);
  });

  it('bad periods get the form again with status 400; the CSV answers 400 in words', async () => {
    const s = await april();
    const adviser = await adviserOf(s.lio);
    const bad = await adviser.get('/support/figures?from=31/2/2026&to=yesterday');
    expect(bad.status).toBe(400);
    expect(errorSummary(bad)).toEqual([
      { text: 'Enter the start of the period as a real date, like 1/4/2025', href: '#from' },
      { text: 'Enter the end of the period as a real date, like 31/3/2026', href: '#to' },
    ]);
    expect(bad.$('#from').val()).toBe('31/2/2026');
    const backwards = await adviser.get('/support/figures/leverage?from=2026-05-01&to=2026-04-01');
    expect(backwards.status).toBe(400);
    expect(errorSummary(backwards)).toEqual([{ text: 'The end of the period must be the same as or after its start', href: '#to' }]);
    const csv = await adviser.get('/support/figures.csv?from=2026-05-01&to=nonsense');
    expect(csv.status).toBe(400);
    expect(csv.body).toBe('Enter the end of the period as a real date, like 31/3/2026');
  });

  it('are for advisers, trainers and admins; a volunteer coordinator or a group member is refused; another LIO\'s work is never counted', async () => {
    const s = await april();
    const trainer = await signedInClient(t.app, s.lio.host, await t.make.user(s.lio, { role: 'staff', permissionSets: ['trainer'] }));
    expect((await trainer.get('/support/figures?from=2026-04-01&to=2026-04-30')).status).toBe(200);
    const coordinator = await signedInClient(t.app, s.lio.host, await t.make.user(s.lio, { role: 'staff', permissionSets: ['volunteer_coordinator'] }));
    expect((await coordinator.get('/support/figures')).status).toBe(403);
    expect((await coordinator.get('/support/figures.csv')).status).toBe(403);
    expect((await coordinator.get('/support/figures/leverage')).status).toBe(403);
    const group = await signedInClient(t.app, s.lio.host, await t.make.user(s.lio, { role: 'group_member', organisationId: s.pantry.id }));
    expect((await group.get('/support/figures')).status).toBe(403);
    const elsewhere = await t.make.lio();
    const page = await (await adviserOf(elsewhere)).get('/support/figures?from=2026-04-01&to=2026-04-30');
    expect(figure(page, 'Groups supported')).toBe('0');
    expect(page.$('[data-testid="leverage"]').text()).toContain('Not available');
  });

  it('the adviser\'s and the manager\'s (admin\'s) home pages show this month\'s work and this quarter\'s funding and leverage, linking to the records', async () => {
    const lio = await t.make.lio();
    const org = await directoryFactories(t.db).organisation(lio, { name: 'Weavers Food Share' });
    const today = londonDay(t.clock.now());
    const c = await f.supportCase(lio, { organisationId: org.id, openedOn: today });
    await f.note(lio, { caseId: c.id, workedOn: today, minutes: 150 });
    await f.application(lio, { organisationId: org.id, caseId: c.id, decisionOn: today, awarded: '4000.00' });
    await f.spend(lio, { from: today, to: today, amount: '1000.00' });
    const home = await (await adviserOf(lio)).get('/');
    const panel = home.$('[data-panel="support-figures"]');
    const value = (label: string) => panel.find(`[data-figure="${label}"] dd`).text().trim();
    expect(value('Groups supported this month')).toBe('1');
    expect(value('Hours of support this month')).toBe('2.5');
    expect(value('Funding secured this quarter')).toBe('£4,000.00');
    expect(value('Leverage this quarter')).toBe('£4.00 for every £1');
    expect(panel.find('[data-figure="Leverage this quarter"] a').attr('href')).toMatch(/^\/support\/figures\/leverage\?from=\d{4}-\d{2}-01&to=/);
    expect(panel.find('[data-figure="Groups supported this month"] a').attr('href')).toBe(`/support/figures?from=${today.slice(0, 8)}01&to=${today}`);

    const manager = await signedInClient(t.app, lio.host, await t.make.user(lio, { role: 'admin' }));
    const theirs = (await manager.get('/')).$('[data-panel="support-figures"]');
    expect(theirs.find('[data-figure="Leverage this quarter"] dd').text().trim()).toBe('£4.00 for every £1');
    expect(theirs.find('[data-figure="Hours of support this month"] dd').text().trim()).toBe('2.5');
  });
});
