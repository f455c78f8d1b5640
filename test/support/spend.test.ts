import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { errorSummary, signedInClient, type Client } from '../helpers/client.js';
import { supportFiguresFactories, type SupportFiguresFactories } from '../helpers/support-figures-factories.js';
import { parsePounds } from '../../src/support/spend/form.js';
import { penceText } from '../../src/platform/money.js';
import { supportPersonalData } from '../../src/support/personal-data/provider.js';
import { quarterBefore } from '../../src/support/figures/service.js';
import { londonDay } from '../../src/platform/validation/dates.js';

type Lio = Awaited<ReturnType<TestContext['make']['lio']>>;

let t: TestContext;
let f: SupportFiguresFactories;
beforeAll(async () => { t = await createTestApp(); f = supportFiguresFactories(t.db); });
afterAll(async () => { await t?.close(); });

const period = (from: string, to: string) => {
  const [sy, sm, sd] = from.split('-');
  const [ey, em, ed] = to.split('-');
  return { 'start-day': sd!, 'start-month': sm!, 'start-year': sy!, 'end-day': ed!, 'end-month': em!, 'end-year': ey! };
};

async function setting() {
  const lio = await t.make.lio();
  const adminUser = await t.make.user(lio, { role: 'admin', name: 'Asha Admin' });
  return { lio, adminUser, admin: await signedInClient(t.app, lio.host, adminUser) };
}
const entries = (lio: Lio) => t.db.withTenant(lio.id, (tx) => tx.selectFrom('support_spend').select(['id', 'amount', 'description', 'entered_by_user_id']).orderBy('created_at').execute());
const audited = (lio: Lio) => t.db.withTenant(lio.id, (tx) => tx.selectFrom('audit_events').select(['action', 'subject_id']).where('action', 'like', 'support_spend.%').orderBy('occurred_at').execute());
const listText = async (c: Client) => (await c.get('/support/spend')).$('[data-testid="spend"]').text().replace(/\s+/g, ' ');

describe('amounts of money', () => {
  it('are read exactly, in pence, as people type them', () => {
    expect(parsePounds('£28,500')).toEqual({ pence: 2_850_000 });
    expect(parsePounds('28500.1')).toEqual({ pence: 2_850_010 });
    expect(parsePounds(' £ 0.29 ')).toEqual({ pence: 29 });
    expect(parsePounds('1,234,567.89')).toEqual({ pence: 123_456_789 });
    // 0.1 + 0.2 in floating point is 0.30000000000000004; in pence it is 30.
    expect((parsePounds('0.10') as { pence: number }).pence + (parsePounds('0.20') as { pence: number }).pence).toBe(30);
    for (const bad of ['£1,2,3', '1e9', '12.345', '1,23', 'ten pounds', '0x10', '1 000', '.5']) expect(parsePounds(bad), bad).toHaveProperty('problem');
    expect(parsePounds('-5')).toEqual({ problem: 'The amount must be more than £0' });
    expect(parsePounds('0.00')).toEqual({ problem: 'The amount must be more than £0' });
    expect(parsePounds('100,000,000')).toEqual({ problem: 'The amount must be less than £100,000,000' });
    expect(penceText(123_456_789)).toBe('£1,234,567.89');
  });
});

describe('spend on support', () => {
  it('an admin adds, corrects and removes spend; each step is audited and the list shows it', async () => {
    const s = await setting();
    const added = await s.admin.submit('/support/spend/new', '/support/spend', { ...period('2026-04-01', '2026-06-30'), amount: '£28,500.10', description: 'Development workers' });
    expect(added.status).toBe(303);
    expect(added.location).toBe('/support/spend');
    const [entry] = await entries(s.lio);
    expect(entry).toMatchObject({ amount: '28500.10', description: 'Development workers', entered_by_user_id: s.adminUser.id });
    expect(await listText(s.admin)).toContain('1 Apr 2026 to 30 Jun 2026 (91 days) £28,500.10 Development workers Asha Admin');

    const form = await s.admin.get(`/support/spend/${entry!.id}`);
    expect(form.$('#amount').val()).toBe('28,500.10');
    expect(form.$('#start-day').val()).toBe('1');
    const corrected = await s.admin.submit(`/support/spend/${entry!.id}`, `/support/spend/${entry!.id}`, { ...period('2026-04-01', '2026-06-30'), amount: '29000', description: '' });
    expect(corrected.status).toBe(303);
    expect((await entries(s.lio))[0]).toMatchObject({ amount: '29000.00', description: null });

    const confirm = await s.admin.get(`/support/spend/${entry!.id}/remove`);
    expect(confirm.$('main').text()).toContain('£29,000.00');
    expect((await s.admin.submit(`/support/spend/${entry!.id}/remove`, `/support/spend/${entry!.id}/remove`, {})).status).toBe(303);
    expect(await entries(s.lio)).toEqual([]);
    expect(await listText(s.admin)).toContain('No spend entered yet');
    expect((await audited(s.lio)).map((a) => a.action)).toEqual(['support_spend.added', 'support_spend.corrected', 'support_spend.removed']);
  });

  it('bad amounts and periods come back with status 400 naming each field, keeping what was typed, and nothing is stored', async () => {
    const s = await setting();
    const url = '/support/spend';
    const cases: [Record<string, string>, { text: string; href: string }[]][] = [
      [{ ...period('2026-04-01', '2026-06-30'), amount: '£1,2,3' }, [{ text: 'Enter the amount in pounds and pence, like 7,500 or 7500.50', href: '#amount' }]],
      [{ ...period('2026-04-01', '2026-06-30'), amount: '-5' }, [{ text: 'The amount must be more than £0', href: '#amount' }]],
      [{ ...period('2026-04-01', '2026-06-30'), amount: '1e9' }, [{ text: 'Enter the amount in pounds and pence, like 7,500 or 7500.50', href: '#amount' }]],
      [{ ...period('2026-06-30', '2026-04-01'), amount: '500' }, [{ text: 'The end of the period must be the same as or after its start', href: '#end-day' }]],
      [{ ...period('2026-02-30', '2026-13-01'), amount: '' }, [
        { text: 'The start of the period must be a real date, like 27 3 2026', href: '#start-day' },
        { text: 'The end of the period must be a real date, like 27 3 2026', href: '#end-day' },
        { text: 'Enter the amount spent, in pounds', href: '#amount' },
      ]],
      [{ 'start-day': '', 'start-month': '', 'start-year': '', 'end-day': '1', 'end-month': '1', 'end-year': '2026', amount: '10', description: 'x'.repeat(501) }, [
        { text: 'Enter the start of the period', href: '#start-day' },
        { text: 'What the spend was must be 500 characters or fewer', href: '#description' },
      ]],
    ];
    for (const [fields, expected] of cases) {
      const page = await s.admin.submit(`${url}/new`, url, fields);
      expect(page.status, JSON.stringify(fields)).toBe(400);
      expect(errorSummary(page)).toEqual(expected);
      expect(page.$('#amount').val()).toBe(fields.amount);
    }
    expect(await entries(s.lio)).toEqual([]);
    // Correcting with a mistake keeps the entry as it was.
    const { id } = await f.spend(s.lio, { from: '2026-01-01', to: '2026-03-31', amount: '12000.00' });
    const wrong = await s.admin.submit(`/support/spend/${id}`, `/support/spend/${id}`, { ...period('2026-01-01', '2026-03-31'), amount: '-5' });
    expect(wrong.status).toBe(400);
    expect((await entries(s.lio))[0]!.amount).toBe('12000.00');
  });

  it('overlapping periods are allowed but shown, on saving and on the list', async () => {
    const s = await setting();
    await f.spend(s.lio, { from: '2026-04-01', to: '2026-06-30', amount: '30000.00', description: 'Core budget' });
    const added = await s.admin.submit('/support/spend/new', '/support/spend', { ...period('2026-05-01', '2026-05-31'), amount: '2,000', description: 'Funded post' });
    expect(added.status).toBe(303);
    const list = await s.admin.get('/support/spend');
    expect(list.$('.govuk-notification-banner').text()).toContain('Its period overlaps another entry: check the same spend is not entered twice');
    const rows = list.$('[data-testid="spend"] tbody tr').toArray().map((r) => list.$(r).text().replace(/\s+/g, ' '));
    expect(rows[0]).toContain('1 May 2026 to 31 May 2026');
    expect(rows[0]).toContain('Overlaps 1 Apr 2026 to 30 Jun 2026');
    expect(rows[1]).toContain('Overlaps 1 May 2026 to 31 May 2026');
    const funded = (await entries(s.lio)).find((e) => e.description === 'Funded post');
    expect((await s.admin.get(`/support/spend/${funded!.id}`)).$('.govuk-warning-text').text()).toContain('1 Apr 2026 to 30 Jun 2026');
  });

  it('is for admins only, and an entry of another LIO, or no entry, is not found', async () => {
    const s = await setting();
    const adviser = await signedInClient(t.app, s.lio.host, await t.make.user(s.lio, { role: 'staff', permissionSets: ['adviser'] }));
    expect((await adviser.get('/support/spend')).status).toBe(403);
    expect((await adviser.get('/support/spend/new')).status).toBe(403);
    const other = await setting();
    const theirs = await f.spend(other.lio, { from: '2026-01-01', to: '2026-03-31', amount: '100.00' });
    expect((await s.admin.get(`/support/spend/${theirs.id}`)).status).toBe(404);
    expect((await s.admin.get(`/support/spend/${theirs.id}/remove`)).status).toBe(404);
    expect((await s.admin.submit('/support/spend/new', `/support/spend/${theirs.id}/remove`, {})).status).toBe(404);
    expect((await s.admin.get('/support/spend/not-an-id')).status).toBe(404);
    expect(await entries(other.lio)).toHaveLength(1);
  });

  it('the admin home page counts the last year\'s quarters with no spend entered, since the LIO began', async () => {
    const s = await setting();
    expect((await s.admin.get('/')).$('[data-panel="support-spend"] .cg-count').attr('data-count')).toBe('0');
    await t.db.system.updateTable('lios').set({ created_at: new Date(Date.now() - 2 * 365 * 86_400_000) }).where('id', '=', s.lio.id).execute();
    const home = await s.admin.get('/');
    const count = home.$('[data-panel="support-spend"] .cg-count').attr('data-count');
    expect(count).toBe('4');
    const lastQuarterStart = quarterBefore(londonDay(t.clock.now()), 1).from;
    await f.spend(s.lio, { from: lastQuarterStart, to: lastQuarterStart, amount: '10.00' });
    expect((await s.admin.get('/')).$('[data-panel="support-spend"] .cg-count').attr('data-count')).toBe('3');
  });

  it('a person\'s data shows the spend they entered, and erasure keeps the amounts without their name', async () => {
    const s = await setting();
    await f.spend(s.lio, { from: '2026-01-01', to: '2026-03-31', amount: '100.00', enteredBy: s.adminUser.id });
    const identity = { lioId: s.lio.id, personId: '00000000-0000-4000-8000-000000000000', emails: [], phones: [], recordIds: [], userIds: [s.adminUser.id], actorLabels: [] };
    const sections = await t.db.withTenant(s.lio.id, (tx) => supportPersonalData.describe({ tx, now: new Date() }, identity));
    expect(sections.find((x) => x.heading === 'Spend on support they entered')?.records[0]?.title).toBe('1 Jan 2026 to 31 Mar 2026: £100.00');
    const outcome = await t.db.withTenant(s.lio.id, (tx) => supportPersonalData.erase({ tx, now: new Date() }, identity));
    expect(outcome.anonymised).toMatchObject({ support_spend: 1 });
    expect((await entries(s.lio))[0]).toMatchObject({ amount: '100.00', entered_by_user_id: null });
  });
});
