import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { Client, type Page } from '../helpers/client.js';
import { recordAudit } from '../../src/platform/audit.js';
import { errorSummaryLinks, auditEvents } from './support.js';
import { directoryFactories } from '../helpers/directory-factories.js';
import { parse } from 'csv-parse/sync';
import { peopleFactories } from '../helpers/people-factories.js';

const DAY = 86_400_000;

interface Row { who: string; label: string; action: string; subject: string; subjectType: string; subjectHref: string | undefined; detail: string }
/** Each entry as read on the page: the person's name and, under it, what was recorded at the time (their e-mail address). */
function rows(page: Page): Row[] {
  return page.$('[data-testid="audit-table"] tbody tr').toArray().map((tr) => {
    const row = page.$(tr);
    const text = (selector: string) => row.find(selector).text().replace(/\s+/g, ' ').trim();
    const cells = row.find('td').toArray().map((td) => page.$(td).text().replace(/\s+/g, ' ').trim());
    return {
      who: text('[data-who]'), label: text('[data-label]') || text('[data-who]'), action: cells[2]!,
      subject: text('[data-subject]'), subjectType: text('[data-subject-type]'), subjectHref: row.find('a[data-subject]').attr('href'), detail: cells[4]!,
    };
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
    const admin = await t.make.user(lio, { role: 'admin', email: `admin-${lio.slug}@example.org`, name: 'Ada Admin' });
    const staff = await t.make.user(lio, { role: 'staff', email: `staff-${lio.slug}@example.org`, name: 'Sam Staff' });
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
    expect(all[0]).toMatchObject({ who: 'Ada Admin', label: admin.email, subject: 'Sam Staff', subjectType: 'user', subjectHref: `/admin/users/${staff.id}` });
    expect(all[0]!.detail).toContain('"from":{"role":"staff"');
    expect(all[0]!.detail).toContain('"to":{"role":"partner"');
    expect(all[1]).toMatchObject({ who: 'Ada Admin', label: admin.email });
    expect(all[3]).toMatchObject({ who: 'Sam Staff', label: staff.email, detail: '{"reason":"wrong_password"}' });
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
    expect(new Set(rows(byActor).map((r) => r.label))).toEqual(new Set([staff.email]));
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
    expect(rows(combined)).toEqual([expect.objectContaining({ label: admin.email, action: 'sign_in.succeeded' })]);
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
    for (const query of ['from=99999-01-01', 'to=2026-13-01', `actor=${'x'.repeat(5000)}`, 'page=-5', 'page=abc', 'action=%00', 'actor=%00', 'from[]=1', 'subject=%00', 'subjectType=%00', `subject=${'y'.repeat(5000)}`]) {
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

  /** Entries about an organisation, a service, a person, a refused route, and an organisation since deleted. */
  async function records() {
    const h = await history();
    const d = directoryFactories(t.db);
    const org = await d.organisation(h.lio, { name: 'Riverside Food Bank' });
    const service = await d.service(h.lio, { organisationId: org.id, name: 'Tuesday food parcels' });
    const formula = await d.organisation(h.lio, { name: '=HYPERLINK("http://evil.example","Click")' });
    const gone = '00000000-0000-4000-8000-000000000001';
    await t.db.withTenant(h.lio.id, async (tx) => {
      const by = { userId: h.staff.id, label: h.staff.email };
      const at = t.clock.now();
      await recordAudit(tx, h.lio.id, by, { action: 'organisation.updated', subjectType: 'organisation', subjectId: org.id }, at);
      await recordAudit(tx, h.lio.id, by, { action: 'service.updated', subjectType: 'service', subjectId: service.id }, at);
      await recordAudit(tx, h.lio.id, by, { action: 'organisation.updated', subjectType: 'organisation', subjectId: formula.id }, at);
      await recordAudit(tx, h.lio.id, { userId: null, label: 'Daily verification sweep' }, { action: 'organisation.deleted', subjectType: 'organisation', subjectId: gone }, at);
    });
    return { ...h, org, service, formula, gone };
  }

  it('names people and records, linking each record to its page', async () => {
    const { client, org, service, staff, gone } = await records();
    const all = rows(await client.get('/admin/audit'));
    expect(all.slice(0, 4)).toEqual([
      expect.objectContaining({ who: 'Daily verification sweep', label: 'Daily verification sweep', subject: gone, subjectType: 'organisation', subjectHref: undefined }),
      expect.objectContaining({ who: 'Sam Staff', subject: '=HYPERLINK("http://evil.example","Click")', subjectType: 'organisation' }),
      expect.objectContaining({ who: 'Sam Staff', label: staff.email, subject: 'Tuesday food parcels', subjectType: 'service', subjectHref: `/services/${service.id}` }),
      expect.objectContaining({ who: 'Sam Staff', subject: 'Riverside Food Bank', subjectType: 'organisation', subjectHref: `/organisations/${org.id}` }),
    ]);
    // A refusal names the route it refused, as it was written.
    const refused = await new Client(t.app, client.host);
    await refused.signIn(staff.email, staff.password);
    await refused.get('/admin/users');
    expect(rows(await client.get('/admin/audit?action=access.denied'))[0]).toMatchObject({ who: 'Sam Staff', subject: '/admin/users', subjectType: 'route', subjectHref: undefined });
  });

  it('filters by person name, by type of record, and by a record\'s name or identifier', async () => {
    const { client, org, service, formula } = await records();
    expect(rows(await client.get('/admin/audit?actor=ada+adm')).map((r) => r.who)).toEqual(['Ada Admin', 'Ada Admin']);
    expect(rows(await client.get('/admin/audit?actor=sweep')).map((r) => r.action)).toEqual(['organisation.deleted']);

    const byType = await client.get('/admin/audit?subjectType=service');
    expect(rows(byType).map((r) => r.subject)).toEqual(['Tuesday food parcels']);
    expect(byType.$('#subjectType option[selected]').attr('value')).toBe('service');
    expect(byType.$('#subjectType option').toArray().map((o) => byType.$(o).attr('value'))).toEqual(['', 'organisation', 'service', 'user']);

    // Part of a name finds the records of every named type; with a type, only that type's.
    expect(rows(await client.get('/admin/audit?subject=riverside+food')).map((r) => r.subject)).toEqual(['Riverside Food Bank']);
    expect(rows(await client.get('/admin/audit?subject=food')).map((r) => r.subject)).toEqual(['Tuesday food parcels', 'Riverside Food Bank']);
    expect(rows(await client.get('/admin/audit?subject=food&subjectType=organisation')).map((r) => r.subject)).toEqual(['Riverside Food Bank']);
    // Sam's sign-ins are about Sam too.
    expect(rows(await client.get('/admin/audit?subject=sam+staff')).map((r) => r.action)).toEqual(['user.role_changed', 'sign_in.succeeded', 'sign_in.failed']);
    const byId = await client.get(`/admin/audit?subject=${formula.id}`);
    expect(rows(byId).map((r) => r.subjectHref)).toEqual([`/organisations/${formula.id}`]);
    expect(byId.$('#subject').val()).toBe(formula.id);
    expect(rows(await client.get(`/admin/audit?subject=${service.id}&subjectType=organisation`))).toHaveLength(0);
    expect(rows(await client.get(`/admin/audit?subject=${org.id}&actor=ada`))).toHaveLength(0);
  });

  it('refuses an end date before the start date, listing nothing until it is put right', async () => {
    const { client } = await history();
    const page = await client.get('/admin/audit?from=2026-03-02&to=2026-03-01');
    expect(page.status).toBe(400);
    expect(errorSummaryLinks(page)).toEqual([{ href: '#to', text: 'The end date must be the same as or after the start date' }]);
    expect(rows(page)).toHaveLength(0);
    expect(page.$('[data-testid="audit-csv"]').length).toBe(0);
    const csv = await client.get('/admin/audit.csv?from=2026-02-30');
    expect(csv.status).toBe(400);
    expect(csv.body).toBe('The start date must be a real date, like 2026-03-31');
  });

  it('downloads the filtered entries as CSV, names in place of identifiers, no cell read as a formula, and records the download', async () => {
    const { lio, client, admin, staff, org, formula } = await records();
    const page = await client.get('/admin/audit?actor=sam&subjectType=organisation');
    const href = page.$('[data-testid="audit-csv"]').attr('href');
    expect(href).toBe('/admin/audit.csv?actor=sam&subjectType=organisation');
    const csv = await client.get(href!);
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toBe('attachment; filename="audit-log.csv"');
    const table = parse(csv.body, { columns: true }) as Record<string, string>[];
    expect(table.map((r) => [r.person, r.recorded_as, r.action, r.record_type, r.record_id, r.record])).toEqual([
      ['Sam Staff', staff.email, 'organisation.updated', 'organisation', formula.id, `'=HYPERLINK("http://evil.example","Click")`],
      ['Sam Staff', staff.email, 'organisation.updated', 'organisation', org.id, 'Riverside Food Bank'],
    ]);
    expect(new Date(table[0]!.occurred_at!).getTime()).toBe(t.clock.now().getTime());
    const exported = await auditEvents(t, lio.id, 'audit.exported');
    expect(exported).toHaveLength(1);
    expect(exported[0]).toMatchObject({ actor_user_id: admin.id, subject_type: 'report' });
    // The entry names the filters used and the type of record, not the words typed to find a person.
    expect(exported[0]!.detail).toEqual({ filter: { fields: ['actor', 'subjectType'], subjectType: 'organisation' }, rows: 2 });
    // The download shows in the log it came from.
    expect(rows(await client.get('/admin/audit?action=audit.exported'))).toEqual([expect.objectContaining({ who: 'Ada Admin', action: 'audit.exported', subjectType: 'report' })]);

    const staffClient = new Client(t.app, lio.host);
    await staffClient.signIn(staff.email, staff.password);
    expect((await staffClient.get('/admin/audit.csv')).status).toBe(403);
  });

  it('records a download without the names, e-mail addresses or record names it was searched by', async () => {
    const { lio, client, staff, day1, day4 } = await records();
    const query = new URLSearchParams({
      actor: staff.email, subject: 'Riverside Food Bank', action: 'organisation', subjectType: 'organisation', from: day(day1), to: day(day4),
    });
    expect((await client.get(`/admin/audit.csv?${query}`)).status).toBe(200);
    const [entry] = await auditEvents(t, lio.id, 'audit.exported');
    expect(entry!.detail).toEqual({
      filter: { fields: ['action', 'actor', 'subjectType', 'subject', 'from', 'to'], action: 'organisation', subjectType: 'organisation', from: day(day1), to: day(day4) },
      rows: 1,
    });
    const written = JSON.stringify(entry!.detail);
    expect(written).not.toContain(staff.email);
    expect(written).not.toContain('Riverside');
  });

  it('names people\'s records, linking each to the person\'s page, an erased person as "Erased person", and finds them by name', async () => {
    const { lio, client, staff } = await history();
    const people = peopleFactories(t.db);
    const kept = await people.person(lio, { fullName: 'Priya Patel' });
    const gone = await people.person(lio, { fullName: 'Ernest Erased' });
    await t.db.withTenant(lio.id, async (tx) => {
      await tx.updateTable('people').set({ erased_at: t.clock.now() }).where('id', '=', gone.id).execute();
      const by = { userId: staff.id, label: staff.email };
      await recordAudit(tx, lio.id, by, { action: 'person.viewed', subjectType: 'person', subjectId: kept.id }, t.clock.now());
      await recordAudit(tx, lio.id, by, { action: 'person.erased', subjectType: 'person', subjectId: gone.id }, t.clock.now());
    });
    const all = rows(await client.get('/admin/audit?subjectType=person'));
    expect(all).toEqual([
      expect.objectContaining({ action: 'person.erased', subject: 'Erased person', subjectType: 'person', subjectHref: `/people/${gone.id}` }),
      expect.objectContaining({ action: 'person.viewed', subject: 'Priya Patel', subjectType: 'person', subjectHref: `/people/${kept.id}` }),
    ]);
    expect(rows(await client.get('/admin/audit?subject=priya+pat')).map((r) => r.action)).toEqual(['person.viewed']);
    expect(rows(await client.get('/admin/audit?subject=priya&subjectType=person')).map((r) => r.action)).toEqual(['person.viewed']);
    // An erased person's name finds nothing.
    expect(rows(await client.get('/admin/audit?subject=ernest'))).toHaveLength(0);
  });
});
