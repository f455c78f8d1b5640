import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, signedInUser, type TestContext } from '../helpers/app.js';
import { errorSummary } from '../helpers/client.js';
import { volunteeringFactories } from '../helpers/volunteering-factories.js';
import { VettingService } from '../../src/volunteering/vetting/service.js';

let t: TestContext;
let vol: ReturnType<typeof volunteeringFactories>;
beforeAll(async () => { t = await createTestApp(); vol = volunteeringFactories(t.db); });
afterAll(async () => { await t.close(); });

const DAY = 86_400_000;
const dayAfter = (from: Date, n: number) => new Date(from.getTime() + n * DAY).toISOString().slice(0, 10);
const coordinatorOf = (lio: { id: string; host: string }) => signedInUser(t, lio, { role: 'staff', permissionSets: ['volunteer_coordinator'] });

describe('vetting', () => {
  it('a coordinator records a DBS check for a group; the certificate shows, the view is audited, and others cannot see it', async () => {
    const lio = await t.make.lio();
    const v = await vol.volunteer(lio, { fullName: 'Priya Shah' });
    const group = await t.make.organisation(lio, { name: 'Riverside Food Bank' });
    const { client } = await coordinatorOf(lio);
    const saved = await client.submit(`/volunteering/volunteers/${v.id}/vetting`, `/volunteering/volunteers/${v.id}/vetting`, {
      kind: 'dbs', dbsLevel: 'enhanced', certificateNumber: '0012 3456 7890', updateService: 'yes', outcome: 'passed', forOrganisationId: group.id,
      'issued-day': '1', 'issued-month': '2', 'issued-year': '2025', 'expires-day': '1', 'expires-month': '2', 'expires-year': '2028', detail: '',
    });
    expect(saved.status).toBe(303);
    const page = await client.get(`/volunteering/volunteers/${v.id}/vetting`);
    // No certificate image is ever taken: the form has nowhere to upload one.
    expect(page.$('input[type="file"], form[enctype="multipart/form-data"]')).toHaveLength(0);
    const row = page.$('[data-testid="checks"] tbody tr').first().text();
    for (const shown of ['DBS check', 'Enhanced DBS check', '001234567890', 'Yes', 'Passed', 'Riverside Food Bank']) expect(row).toContain(shown);
    const audit = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('audit_events').select('action').where('subject_id', '=', v.id).where('action', '=', 'volunteer.viewed').execute());
    expect(audit.length).toBeGreaterThanOrEqual(2);

    const { client: adviser } = await signedInUser(t, lio, { role: 'staff', permissionSets: ['adviser'] });
    expect((await adviser.get(`/volunteering/volunteers/${v.id}/vetting`)).status).toBe(403);
    const other = await t.make.lio();
    const { client: otherCoordinator } = await coordinatorOf(other);
    expect((await otherCoordinator.get(`/volunteering/volunteers/${v.id}/vetting`)).status).toBe(404);
  });

  it('a check with mistakes comes back with status 400 naming each field, and nothing is stored', async () => {
    const lio = await t.make.lio();
    const v = await vol.volunteer(lio);
    const { client } = await coordinatorOf(lio);
    const url = `/volunteering/volunteers/${v.id}/vetting`;
    const page = await client.submit(url, url, {
      kind: 'dbs', dbsLevel: '', certificateNumber: '12345', outcome: 'passed', forOrganisationId: '',
      'issued-day': '1', 'issued-month': '1', 'issued-year': String(new Date().getUTCFullYear() + 1), 'expires-day': '31', 'expires-month': '2', 'expires-year': '2027', detail: '',
    });
    expect(page.status).toBe(400);
    expect(errorSummary(page)).toEqual([
      { text: 'Choose the level of the DBS check', href: '#dbsLevel' },
      { text: 'Enter the 12-digit certificate number, like 001234567890', href: '#certificateNumber' },
      { text: 'The date of issue must be today or in the past', href: '#issued-day' },
      { text: 'The lapse date must be a real date, like 27 3 2026', href: '#expires-day' },
    ]);
    // With no kind chosen, the kind is asked for, not the detail of some kind the coordinator did not pick.
    const noKind = await client.submit(url, url, { kind: '', detail: '', outcome: 'passed' });
    expect(errorSummary(noKind)).toEqual([{ text: 'Choose what kind of check it is', href: '#kind' }]);
    const reference = await client.submit(url, url, { kind: 'reference', detail: '', outcome: '' });
    expect(errorSummary(reference)).toEqual([{ text: 'Enter the referee', href: '#detail' }, { text: 'Choose the outcome', href: '#outcome' }]);
    const rows = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('vetting_checks').select('id').execute());
    expect(rows).toHaveLength(0);
    const ok = await client.submit(url, url, { kind: 'reference', detail: 'Rev. Alan Moss, St Mark’s', outcome: 'passed' });
    expect(ok.status).toBe(303);
  });

  it('lists checks lapsing within 60 days and flags them on the home page', async () => {
    const lio = await t.make.lio();
    const now = t.clock.now();
    const soon = await vol.volunteer(lio, { fullName: 'Lapsing Soon' });
    const later = await vol.volunteer(lio, { fullName: 'Lapsing Later' });
    await vol.vettingCheck(lio, { volunteerId: soon.id, expiresOn: dayAfter(now, 20) });
    await vol.vettingCheck(lio, { volunteerId: later.id, expiresOn: dayAfter(now, 200) });
    const { client } = await coordinatorOf(lio);
    const list = await client.get('/volunteering/vetting');
    expect(list.$('[data-testid="lapsing"] tbody tr').toArray().map((r) => list.$(r).find('a').text())).toEqual(['Lapsing Soon']);
    const home = await client.get('/');
    expect(home.$('a.cg-count[href="/volunteering/vetting"]').attr('data-count')).toBe('1');
  });

  it('reminders go 60, 30 and 7 days before a check lapses, each once, and a repeated run sends nothing more', async () => {
    const lio = await t.make.lio();
    const start = t.clock.now();
    const v = await vol.volunteer(lio, { email: 'kofi.mensah@example.net' });
    await vol.vettingCheck(lio, { volunteerId: v.id, expiresOn: dayAfter(start, 75) });
    const vetting = new VettingService({ db: t.db, clock: t.clock, jobs: t.app.jobs });
    const reminders = () => t.db.withTenant(lio.id, (tx) => tx.selectFrom('email_messages').select(['to_address', 'subject']).where('to_address', '=', 'kofi.mensah@example.net').orderBy('created_at').execute());

    await vetting.sendReminders();
    expect(await reminders()).toHaveLength(0);
    t.clock.advance(15 * DAY); // 60 days left
    await vetting.sendReminders();
    await vetting.sendReminders();
    expect((await reminders()).map((m) => m.subject)).toEqual(['Your DBS check lapses in 60 days']);
    t.clock.advance(10 * DAY); // 50 days left: nothing new
    await vetting.sendReminders();
    expect(await reminders()).toHaveLength(1);
    t.clock.advance(20 * DAY); // 30 days left
    await vetting.sendReminders();
    t.clock.advance(23 * DAY); // 7 days left
    await vetting.sendReminders();
    await vetting.sendReminders();
    expect((await reminders()).map((m) => m.subject)).toEqual(['Your DBS check lapses in 60 days', 'Your DBS check lapses in 30 days', 'Your DBS check lapses in 7 days']);
    const check = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('vetting_checks').select('reminders_sent').executeTakeFirstOrThrow());
    expect([...check.reminders_sent].sort((a, b) => a - b)).toEqual([7, 30, 60]);
    t.clock.advance(-73 * DAY);
  });

  it('a check recorded inside a reminder window sends only the reminder now due, not the ones already past', async () => {
    const lio = await t.make.lio();
    const v = await vol.volunteer(lio, { email: 'late.record@example.net' });
    await vol.vettingCheck(lio, { volunteerId: v.id, kind: 'training', dbsLevel: null, expiresOn: dayAfter(t.clock.now(), 20) });
    await t.db.withTenant(lio.id, (tx) => tx.updateTable('vetting_checks').set({ detail: 'First aid' }).execute());
    await new VettingService({ db: t.db, clock: t.clock, jobs: t.app.jobs }).sendReminders();
    const sent = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('email_messages').select('subject').where('to_address', '=', 'late.record@example.net').execute());
    expect(sent.map((m) => m.subject)).toEqual(['Your First aid lapses in 20 days']);
  });
});
