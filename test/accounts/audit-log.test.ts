import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { Client, type Page } from '../helpers/client.js';
import { recordAudit } from '../../src/platform/audit.js';
import { errorSummaryLinks } from './support.js';

const DAY = 86_400_000;

interface Row { who: string; action: string; subject: string; detail: string }
function rows(page: Page): Row[] {
  return page.$('[data-testid="audit-table"] tbody tr').toArray().map((tr) => {
    const cells = page.$(tr).find('td').toArray().map((td) => page.$(td).text().replace(/\s+/g, ' ').trim());
    return { who: cells[1]!, action: cells[2]!, subject: cells[3]!, detail: cells[4]! };
  });
}
const day = (d: Date) => d.toISOString().slice(0, 10);

describe('the audit log page', () => {
  let t: TestContext;
  beforeAll(async () => { t = await createTestApp(); });
  afterAll(async () => { await t.close(); });

  /** Day 1: sign-ins (one failed). Day 4: a role change. Returns the days and the people. */
  async function history() {
    const lio = await t.make.lio();
    const admin = await t.make.user(lio, { role: 'admin', email: `admin-${lio.slug}@example.org` });
    const staff = await t.make.user(lio, { role: 'staff', email: `staff-${lio.slug}@example.org` });
    const day1 = t.clock.now();
    const wrong = await new Client(t.app, lio.host).submit('/sign-in', '/sign-in', { email: staff.email, password: 'a wrong password typed here' });
    expect(wrong.status).toBe(400);
    await new Client(t.app, lio.host).signIn(staff.email, staff.password);
    t.clock.advance(3 * DAY);
    const day4 = t.clock.now();
    const client = new Client(t.app, lio.host);
    await client.signIn(admin.email, admin.password);
    expect((await client.submit(`/admin/users/${staff.id}`, `/admin/users/${staff.id}/role`, { role: 'partner' })).status).toBe(303);
    return { lio, admin, staff, client, day1, day4 };
  }

  it('lists sign-ins, failed sign-ins and role changes, newest first, without the password typed', async () => {
    const { admin, staff, client } = await history();
    const page = await client.get('/admin/audit');
    expect(page.status).toBe(200);
    expect(page.$('h1').text()).toBe('Audit log');
    const all = rows(page);
    expect(all.map((r) => r.action)).toEqual(['user.role_changed', 'sign_in.succeeded', 'sign_in.succeeded', 'sign_in.failed']);
    expect(page.$('[data-testid="audit-table"] caption').text()).toContain('4 entries');
    expect(all[0]).toMatchObject({ who: admin.email, subject: `user ${staff.id}` });
    expect(all[0]!.detail).toContain('"from":{"role":"staff"');
    expect(all[0]!.detail).toContain('"to":{"role":"partner"');
    expect(all[1]!.who).toBe(admin.email);
    expect(all[3]).toMatchObject({ who: staff.email, detail: '{"reason":"wrong_password"}' });
    expect(page.body).not.toContain('a wrong password typed here');
    const actions = page.$('#action option').toArray().map((o) => page.$(o).attr('value'));
    expect(actions).toEqual(['', 'sign_in.failed', 'sign_in.succeeded', 'user.role_changed']);
  });

  it('filters by action, by who did it, and by date range, and keeps the filter in the form', async () => {
    const { admin, staff, client, day1, day4 } = await history();

    const byAction = await client.get('/admin/audit?action=sign_in.failed');
    expect(rows(byAction).map((r) => r.action)).toEqual(['sign_in.failed']);
    expect(byAction.$('#action option[selected]').attr('value')).toBe('sign_in.failed');
    // An action prefix takes in the family.
    expect(rows(await client.get('/admin/audit?action=sign_in')).map((r) => r.action)).toEqual(['sign_in.succeeded', 'sign_in.succeeded', 'sign_in.failed']);

    const byActor = await client.get(`/admin/audit?actor=${encodeURIComponent(staff.email.toUpperCase().slice(0, 12))}`);
    expect(new Set(rows(byActor).map((r) => r.who))).toEqual(new Set([staff.email]));
    expect(rows(byActor)).toHaveLength(2);
    expect(byActor.$('#actor').val()).toBe(staff.email.toUpperCase().slice(0, 12));
    expect(rows(await client.get(`/admin/audit?actor=${encodeURIComponent(admin.email)}`)).map((r) => r.action)).toEqual(['user.role_changed', 'sign_in.succeeded']);
    // Wildcards are taken literally.
    expect(rows(await client.get('/admin/audit?actor=%25'))).toHaveLength(0);
    expect(rows(await client.get('/admin/audit?actor=_'))).toHaveLength(0);

    const fromDay4 = await client.get(`/admin/audit?from=${day(day4)}`);
    expect(rows(fromDay4).map((r) => r.action)).toEqual(['user.role_changed', 'sign_in.succeeded']);
    expect(fromDay4.$('#from').val()).toBe(day(day4));
    // "To" takes in the whole of that day.
    const toDay1 = await client.get(`/admin/audit?to=${day(day1)}`);
    expect(rows(toDay1).map((r) => r.action)).toEqual(['sign_in.succeeded', 'sign_in.failed']);
    const between = await client.get(`/admin/audit?from=${day(new Date(day1.getTime() + DAY))}&to=${day(new Date(day4.getTime() - DAY))}`);
    expect(rows(between)).toHaveLength(0);
    expect(between.$('[data-testid="audit-table"] caption').text()).toContain('0 entries');

    const combined = await client.get(`/admin/audit?action=sign_in&actor=${encodeURIComponent(admin.email)}&from=${day(day4)}&to=${day(day4)}`);
    expect(rows(combined)).toEqual([expect.objectContaining({ who: admin.email, action: 'sign_in.succeeded' })]);
  });

  it('answers a date that is not real with a field error and a 400', async () => {
    const { client } = await history();
    const bad = await client.get('/admin/audit?from=2026-02-30&to=yesterday');
    expect(bad.status).toBe(400);
    expect(errorSummaryLinks(bad)).toEqual([
      { href: '#from', text: 'The start date must be a real date, like 2026-03-31' },
      { href: '#to', text: 'The end date must be a real date, like 2026-03-31' },
    ]);
    expect(bad.$('#from-error').length).toBe(1);
    expect(bad.$('#from').val()).toBe('2026-02-30');
    for (const query of ['from=99999-01-01', 'to=2026-13-01', `actor=${'x'.repeat(5000)}`, 'page=-5', 'page=abc', 'action=%00', 'actor=%00', 'from[]=1']) {
      const page = await client.get(`/admin/audit?${query}`);
      expect(page.status, query).toBeLessThan(500);
      expect([200, 400], query).toContain(page.status);
    }
  });

  it('pages through a long log', async () => {
    const { lio, client } = await history();
    await t.db.withTenant(lio.id, async (tx) => {
      for (let i = 0; i < 60; i++) await recordAudit(tx, lio.id, { userId: null, label: 'system' }, { action: 'test.bulk', detail: { i } }, t.clock.now());
    });
    const first = await client.get('/admin/audit?action=test.bulk');
    expect(rows(first)).toHaveLength(50);
    expect(first.$('[data-testid="audit-table"] caption').text()).toContain('60 entries');
    const next = first.$('.govuk-pagination__next a').attr('href');
    expect(next).toBe('/admin/audit?action=test.bulk&page=2');
    const second = await client.get(next!);
    expect(rows(second)).toHaveLength(10);
  });

  it('is for admins only', async () => {
    const { lio } = await history();
    const staff = await t.make.user(lio, { role: 'staff' });
    const client = new Client(t.app, lio.host);
    await client.signIn(staff.email, staff.password);
    expect((await client.get('/admin/audit')).status).toBe(403);
  });
});
