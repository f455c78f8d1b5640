import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { Client, errorSummary } from '../helpers/client.js';
import { directoryFactories, type DirectoryFactories } from '../helpers/directory-factories.js';
import type { DeliveryMode, ServiceStatus } from '../../src/platform/db/directory-schema.js';

let t: TestContext;
let d: DirectoryFactories;
beforeAll(async () => { t = await createTestApp(); d = directoryFactories(t.db); });
afterAll(async () => { await t.close(); });

type Lio = Awaited<ReturnType<TestContext['make']['lio']>>;
const historyOf = (lio: Lio, id: string) => t.db.withTenant(lio.id, (tx) => tx.selectFrom('service_delivery_changes')
  .select([sql<string>`to_char(changed_on, 'YYYY-MM-DD')`.as('on'), 'delivery_modes', 'status', 'note']).where('service_id', '=', id).orderBy('changed_on').orderBy('id').execute());
const summary = errorSummary;

/** A service as it was: created on a day, with its history written as the app writes it. */
async function serviceWithHistory(lio: Lio, name: string, createdOn: string, changes: [string, DeliveryMode[], ServiceStatus][], organisationId?: string) {
  const [, firstModes, firstStatus] = changes[0]!;
  const last = changes.at(-1)!;
  const service = await d.service(lio, { name, deliveryModes: last[1], status: last[2], updatedAt: new Date(`${createdOn}T12:00:00Z`), ...(organisationId ? { organisationId } : {}) });
  await t.db.withTenant(lio.id, async (tx) => {
    await tx.deleteFrom('service_delivery_changes').where('service_id', '=', service.id).execute();
    await tx.insertInto('service_delivery_changes').values(changes.map(([on, modes, status], i) => ({
      lio_id: lio.id, service_id: service.id, changed_on: on, delivery_modes: i === 0 ? firstModes : modes, status: i === 0 ? firstStatus : status,
    }))).execute();
  });
  return service;
}

describe('the history trigger', () => {
  it('writes a dated row whenever delivery modes or status change, whoever changes them', async () => {
    const lio = await t.make.lio();
    const service = await d.service(lio, { deliveryModes: ['in_person'], updatedAt: new Date('2024-01-10T10:00:00Z') });
    const update = (set: Record<string, unknown>) => t.db.withTenant(lio.id, (tx) => tx.updateTable('services').set(set).where('id', '=', service.id).execute());

    await update({ name: 'Renamed', updated_at: new Date('2024-02-01T10:00:00Z') });
    expect(await historyOf(lio, service.id)).toHaveLength(1);

    await update({ delivery_modes: ['phone', 'online'], updated_at: new Date('2024-03-05T23:30:00Z') });
    await update({ status: 'temporarily closed', updated_at: new Date('2024-06-01T09:00:00Z') });
    // Two changes on one day leave one row: the day's final state.
    await update({ status: 'active', updated_at: new Date('2024-06-01T15:00:00Z') });
    await update({ delivery_modes: ['online'], updated_at: new Date('2024-06-01T16:00:00Z') });
    expect((await historyOf(lio, service.id)).map((h) => [h.on, h.delivery_modes, h.status])).toEqual([
      ['2024-01-10', ['in_person'], 'active'],
      ['2024-03-05', ['phone', 'online'], 'active'], // 23:30 UTC is still 5 March in London in winter
      ['2024-06-01', ['online'], 'active'],
    ]);
  });

  it('dates a change by the day staff give, and records the state before the first change of a service with no history', async () => {
    const lio = await t.make.lio();
    const service = await d.service(lio, { deliveryModes: ['in_person', 'phone'], updatedAt: new Date('2023-05-01T10:00:00Z') });
    await t.db.withTenant(lio.id, (tx) => tx.deleteFrom('service_delivery_changes').where('service_id', '=', service.id).execute());
    await t.db.withTenant(lio.id, async (tx) => {
      await sql`select set_config('app.delivery_change_on', '2024-04-02', true)`.execute(tx);
      await tx.updateTable('services').set({ delivery_modes: ['home_visit'], updated_at: new Date('2024-09-09T10:00:00Z') }).where('id', '=', service.id).execute();
    });
    expect((await historyOf(lio, service.id)).map((h) => [h.on, h.delivery_modes, h.note])).toEqual([
      ['2023-05-01', ['in_person', 'phone'], 'State before the first recorded change'],
      ['2024-04-02', ['home_visit'], null],
    ]);
  });
});

describe('the Remaking / Rearranging / Reaffirming page', () => {
  async function setUp() {
    const lio = await t.make.lio();
    const org = await d.organisation(lio, { name: 'Riverside Mind' });
    const made = {
      newService: await serviceWithHistory(lio, 'New warm space', '2025-11-01', [['2025-11-01', ['in_person'], 'active']], org.id),
      movedOnline: await serviceWithHistory(lio, 'Wellbeing café', '2019-02-01', [['2019-02-01', ['in_person'], 'active'], ['2025-06-15', ['in_person', 'online'], 'active']], org.id),
      unchanged: await serviceWithHistory(lio, 'Lunch club', '2018-09-01', [['2018-09-01', ['in_person'], 'active']], org.id),
      closed: await serviceWithHistory(lio, 'Toddler group', '2018-09-01', [['2018-09-01', ['in_person'], 'active'], ['2025-07-01', ['in_person'], 'defunct']], org.id),
      longGone: await serviceWithHistory(lio, 'Old project', '2015-01-01', [['2015-01-01', ['in_person'], 'active'], ['2016-01-01', ['in_person'], 'defunct']], org.id),
      later: await serviceWithHistory(lio, 'Next year', '2026-06-01', [['2026-06-01', ['online'], 'active']], org.id),
    };
    const user = await t.make.user(lio, { role: 'staff', permissionSets: ['volunteer_coordinator'] });
    const client = new Client(t.app, lio.host);
    await client.signIn(user.email, user.password);
    return { lio, client, user, made };
  }

  it('counts and lists each kind of change over the period chosen', async () => {
    const { client, made } = await setUp();
    const page = await client.get('/directory/changes?from=2025-04-01&to=2026-03-31');
    expect(page.status).toBe(200);
    const count = (key: string) => page.$(`[data-testid="count-${key}"]`).text().trim();
    expect([count('remaking'), count('rearranging'), count('reaffirming'), count('paused_or_closed')]).toEqual(['1', '1', '1', '1']);
    const listed = (key: string) => page.$(`[data-testid="list-${key}"] tbody tr td:first-child a`).toArray().map((a) => page.$(a).text());
    expect(listed('remaking')).toEqual(['New warm space']);
    expect(listed('rearranging')).toEqual(['Wellbeing café']);
    expect(listed('reaffirming')).toEqual(['Lunch club']);
    expect(listed('paused_or_closed')).toEqual(['Toddler group']);
    const row = page.$('[data-testid="list-rearranging"] tbody tr').first().text().replace(/\s+/g, ' ');
    expect(row).toContain('In person, Online');
    expect(row).toContain('15 Jun 2025');
    expect(page.$('[data-testid="list-rearranging"] a').attr('href')).toBe(`/services/${made.movedOnline.id}`);

    // Other periods read differently: in 2018 the lunch club and toddler group were new; in 2016 the old project closed.
    const earlier = await client.get('/directory/changes?from=1/1/2018&to=31/12/2018');
    expect(earlier.$('[data-testid="count-remaking"]').text().trim()).toBe('2');
    expect(earlier.$('[data-testid="count-reaffirming"]').text().trim()).toBe('0');
    const closing = await client.get('/directory/changes?from=2016-01-01&to=2016-12-31');
    expect(closing.$('[data-testid="count-paused_or_closed"]').text().trim()).toBe('1');
    expect(closing.$('[data-testid="count-remaking"]').text().trim()).toBe('0');
  });

  it('downloads the same report as CSV, and audits the export', async () => {
    const { client, lio, user } = await setUp();
    const page = await client.get('/directory/changes?from=2025-04-01&to=2026-03-31');
    const href = page.$('a[download]').attr('href')!;
    expect(href).toBe('/directory/changes.csv?from=2025-04-01&to=2026-03-31');
    const csv = await client.get(href);
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toBe('attachment; filename="service-changes-2025-04-01-to-2026-03-31.csv"');
    const lines = csv.body.trim().split('\r\n');
    expect(lines).toHaveLength(5);
    expect(lines.slice(1).map((l) => l.split(',')[0]).sort()).toEqual(['Paused or closed', 'Reaffirming', 'Rearranging', 'Remaking']);
    expect(lines.find((l) => l.startsWith('Rearranging'))).toContain(',Wellbeing café,Riverside Mind,2019-02-01,In person,In person; Online,active,2025-06-15');
    const audit = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('audit_events').select(['action', 'actor_user_id', 'detail']).where('action', '=', 'directory.changes_exported').execute());
    expect(audit).toEqual([{ action: 'directory.changes_exported', actor_user_id: user.id, detail: { from: '2025-04-01', to: '2026-03-31', rows: 4 } }]);
  });

  it('defaults to the last twelve months and refuses dates that are not dates', async () => {
    const { client } = await setUp();
    const page = await client.get('/directory/changes');
    expect(page.status).toBe(200);
    const today = t.clock.now().toLocaleDateString('en-CA', { timeZone: 'Europe/London' });
    expect(page.$('#to').val()).toBe(today);
    expect(page.$('#from').val()).toBe(`${Number(today.slice(0, 4)) - 1}${today.slice(4)}`);
    const bad = await client.get('/directory/changes?from=31/2/2025&to=next+week');
    expect(bad.status).toBe(400);
    expect(summary(bad)).toEqual([
      { href: '#from', text: 'Enter the start of the period as a real date, like 1/4/2025' },
      { href: '#to', text: 'Enter the end of the period as a real date, like 31/3/2026' },
    ]);
    expect(bad.$('#from').val()).toBe('31/2/2025');
    const backwards = await client.get('/directory/changes?from=2026-01-01&to=2025-01-01');
    expect(summary(backwards)).toEqual([{ href: '#to', text: 'The end of the period must be the same as or after its start' }]);
    const csv = await client.get('/directory/changes.csv?from=nope');
    expect(csv.status).toBe(400);
    expect(csv.body).toContain('Enter the start of the period as a real date');
  });

  it('is for LIO staff only', async () => {
    const lio = await t.make.lio();
    const member = await t.make.user(lio, { role: 'group_member' });
    const client = new Client(t.app, lio.host);
    await client.signIn(member.email, member.password);
    expect((await client.get('/directory/changes')).status).toBe(403);
    expect((await client.get('/directory/changes.csv')).status).toBe(403);
  });
});
