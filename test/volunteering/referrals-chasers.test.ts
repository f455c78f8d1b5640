import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { signedInClient, mainText } from '../helpers/client.js';
import { directoryFactories } from '../helpers/directory-factories.js';
import { volunteeringFactories, type VolunteeringFactories } from '../helpers/volunteering-factories.js';
import { CHASER_JOB } from '../../src/volunteering/referrals/jobs.js';
import { afterWorkingDays, isWorkingDay } from '../../src/volunteering/referrals/working-days.js';

type Lio = Awaited<ReturnType<TestContext['make']['lio']>>;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let t: TestContext;
let v: VolunteeringFactories;
beforeAll(async () => { t = await createTestApp(); v = volunteeringFactories(t.db); });
afterAll(async () => { await t?.close(); });

/** Moves the test clock to an instant (forwards or back). */
const setClock = (at: Date) => t.clock.advance(at.getTime() - t.clock.now().getTime());
/** Runs the recurring chaser as the worker would, when it is due. */
async function runChaser() {
  await t.app.jobs.ensureRecurring();
  await t.app.jobs.drain();
}
const referral = (lio: Lio, id: string) => t.db.withTenant(lio.id, (tx) => tx.selectFrom('referrals').select(['chased_at', 'escalated_at']).where('id', '=', id).executeTakeFirstOrThrow());
const mailTo = (lio: Lio, to: string) => t.db.withTenant(lio.id, (tx) => tx.selectFrom('email_messages').select(['subject', 'body_text']).where('to_address', '=', to).execute());

describe('working days in England and Wales', () => {
  it('skip weekends and bank holidays, substitute days included', () => {
    expect(isWorkingDay('2026-03-06')).toBe(true); // a Friday
    expect(isWorkingDay('2026-03-07')).toBe(false);
    expect(isWorkingDay('2026-04-03')).toBe(false); // Good Friday
    expect(isWorkingDay('2026-04-06')).toBe(false); // Easter Monday
    expect(isWorkingDay('2026-05-04')).toBe(false); // early May
    expect(isWorkingDay('2026-05-25')).toBe(false); // spring
    expect(isWorkingDay('2026-08-31')).toBe(false); // summer
    expect(isWorkingDay('2026-12-28')).toBe(false); // Boxing Day falls on a Saturday
    expect(isWorkingDay('2027-12-27')).toBe(false); // Christmas Day falls on a Saturday
    expect(isWorkingDay('2027-12-28')).toBe(false);
    expect(isWorkingDay('2023-05-08')).toBe(false); // the coronation
    expect(afterWorkingDays(new Date('2026-03-06T10:00:00Z'), 5).toISOString()).toBe('2026-03-13T10:00:00.000Z');
    // Over Easter: Good Friday and Easter Monday do not count.
    expect(afterWorkingDays(new Date('2026-04-01T10:00:00Z'), 5).toISOString()).toBe('2026-04-10T10:00:00.000Z');
  });
});

describe('chasers', () => {
  it('e-mail an organisation once after the working days pass (a weekend not counting), then alert the coordinator after the same again', async () => {
    const lio = await t.make.lio();
    const org = await directoryFactories(t.db).organisation(lio, { name: 'Slow Response Trust', email: 'office@slow.example' });
    const coordinator = await signedInClient(t.app, lio.host, await t.make.user(lio, { role: 'staff', permissionSets: ['volunteer_coordinator'] }));
    const role = await v.opportunity(lio, { organisationId: org.id, title: 'Befriender' });
    const volunteer = await v.volunteer(lio, { fullName: 'Wyn Davies' });
    const friday = new Date('2026-03-06T10:00:00Z');
    setClock(friday);
    const r = await v.referral(lio, { volunteerId: volunteer.id, opportunityId: role.id, organisationId: org.id, status: 'referred', at: friday });
    // Another referral, contacted in time, is never chased.
    const contacted = await v.referral(lio, { volunteerId: (await v.volunteer(lio)).id, opportunityId: role.id, organisationId: org.id, status: 'contacted', at: friday });

    // Monday: only one working day has passed; the next Friday morning, one hour short, still four.
    setClock(new Date('2026-03-09T11:00:00Z'));
    await runChaser();
    setClock(new Date('2026-03-13T09:00:00Z'));
    await runChaser();
    expect((await referral(lio, r.id)).chased_at).toBeNull();

    // Five working days after the referral: chased once, with a fresh link.
    setClock(new Date('2026-03-13T10:30:00Z'));
    await runChaser();
    const chased = await referral(lio, r.id);
    expect(chased.chased_at).not.toBeNull();
    expect(chased.escalated_at).toBeNull();
    const reminders = await mailTo(lio, 'office@slow.example');
    expect(reminders.map((m) => m.subject)).toEqual(['Reminder: a volunteer is waiting to hear about Befriender']);
    expect(reminders[0]!.body_text).toMatch(/\/volunteer\/referral\/[\w-]{20,}/);
    expect((await referral(lio, contacted.id)).chased_at).toBeNull();

    // Not twice: an hour later nothing more goes.
    setClock(new Date('2026-03-13T12:00:00Z'));
    await runChaser();
    expect(await mailTo(lio, 'office@slow.example')).toHaveLength(1);
    let home = await coordinator.get('/');
    expect(mainText(home)).toMatch(/0\s*volunteers waiting past the limit/);

    // The same five working days again, still not contacted: the coordinators are alerted on their home page.
    setClock(new Date('2026-03-20T11:00:00Z'));
    await runChaser();
    expect((await referral(lio, r.id)).escalated_at).not.toBeNull();
    const steps = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('referral_steps').select('step').where('referral_id', '=', r.id).execute());
    expect(steps.map((s) => s.step).sort()).toEqual(['chased', 'escalated']);
    home = await coordinator.get('/');
    expect(mainText(home)).toMatch(/1\s*volunteer waiting past the limit/);
    expect(home.$('a[href="/volunteering/referrals?waiting=past"]').length).toBeGreaterThan(0);
    const list = await coordinator.get('/volunteering/referrals?waiting=past');
    expect(mainText(list)).toContain('Wyn Davies');
    expect(await mailTo(lio, 'office@slow.example')).toHaveLength(1);
    const jobs = await t.db.system.selectFrom('jobs').select('status').where('kind', '=', CHASER_JOB).where('status', '=', 'failed').execute();
    expect(jobs).toEqual([]);
  });
});

describe('figures', () => {
  it('count the period’s enquiries, volunteers, organisations, referrals, placements, time to first contact, waiting, hours and offers; the CSV is audited', async () => {
    setClock(new Date('2026-06-20T12:00:00Z'));
    const lio = await t.make.lio();
    const d = directoryFactories(t.db);
    const a = await d.organisation(lio, { name: 'Alder Youth Club' });
    const b = await d.organisation(lio, { name: 'Birch Lunch Club' });
    const coordinator = await signedInClient(t.app, lio.host, await t.make.user(lio, { role: 'staff', permissionSets: ['volunteer_coordinator'] }));
    const roleA = await v.opportunity(lio, { organisationId: a.id });
    const roleB = await v.opportunity(lio, { organisationId: b.id });
    const inPeriod = new Date('2026-06-02T09:00:00Z');
    const before = new Date('2026-04-01T09:00:00Z');
    const v1 = await v.volunteer(lio, { createdAt: inPeriod });
    const v2 = await v.volunteer(lio, { createdAt: inPeriod });
    const v3 = await v.volunteer(lio, { createdAt: before });
    await v.volunteer(lio, { createdAt: before, status: 'inactive' });
    // v1 to A: contacted two days after referral; v2 to A: four days; v3 to B: started, one day.
    const contact = async (volunteerId: string, opportunityId: string, organisationId: string, status: 'contacted' | 'started', days: number) => {
      const r = await v.referral(lio, { volunteerId, opportunityId, organisationId, status, at: inPeriod });
      await t.db.withTenant(lio.id, (tx) => tx.updateTable('referrals').set({ contacted_at: new Date(inPeriod.getTime() + days * DAY) }).where('id', '=', r.id).execute());
      return r;
    };
    const r1 = await contact(v1.id, roleA.id, a.id, 'contacted', 2);
    await contact(v2.id, roleA.id, a.id, 'contacted', 4);
    await contact(v3.id, roleB.id, b.id, 'started', 1);
    // An old referral, outside the period, and one waiting past the limit.
    await v.referral(lio, { volunteerId: v3.id, opportunityId: roleA.id, organisationId: a.id, status: 'withdrawn', at: before });
    const waiting = await v.referral(lio, { volunteerId: v1.id, opportunityId: roleB.id, organisationId: b.id, status: 'referred', at: inPeriod });
    await t.db.withTenant(lio.id, (tx) => tx.updateTable('referrals').set({ chased_at: inPeriod, escalated_at: inPeriod }).where('id', '=', waiting.id).execute());
    await v.hours(lio, { volunteerId: v1.id, referralId: r1.id, workedOn: '2026-06-10', minutes: 90, confirmedAt: inPeriod });
    await v.hours(lio, { volunteerId: v1.id, workedOn: '2026-06-11', minutes: 600, confirmedAt: null });
    await v.hours(lio, { volunteerId: v1.id, workedOn: '2026-03-11', minutes: 600, confirmedAt: before });

    const page = await coordinator.get('/volunteering/figures?from=1/6/2026&to=30/6/2026');
    expect(page.status).toBe(200);
    const rows = Object.fromEntries(page.$('[data-testid="figures"] tbody tr').toArray().map((tr) => [page.$(tr).find('th').text().trim(), page.$(tr).find('td').text().trim()]));
    expect(rows).toMatchObject({
      'Enquiries': '4', 'New volunteers': '2', 'Organisations that used the service': '2', 'Referrals': '4', 'Placements (started)': '1',
      'Volunteers waiting past the limit (now)': '1', 'Hours given (confirmed)': '1.5',
      // Three active volunteers, each offered a role within the last 30 days (20 June back to 21 May).
      'Active volunteers offered a role in the last 30 days': '100% (3 of 3)',
      'Median days to first contact: Alder Youth Club': '3.0 (2 contacted)',
      'Median days to first contact: Birch Lunch Club': '1.0 (1 contacted)',
    });

    const bad = await coordinator.get('/volunteering/figures?from=31/6/2026&to=1/6/2026');
    expect(bad.status).toBe(400);
    expect(bad.$('.govuk-error-summary a').first().attr('href')).toBe('#from');

    const csv = await coordinator.get('/volunteering/figures.csv?from=2026-06-01&to=2026-06-30');
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body).toContain('Placements (started),1');
    expect(csv.body).toContain('Median days to first contact: Alder Youth Club,3.0 (2 contacted)');
    const audit = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('audit_events').select('detail').where('action', '=', 'volunteering.figures_exported').execute());
    expect(audit).toHaveLength(1);

    // Group members and volunteers do not see the figures.
    const group = await signedInClient(t.app, lio.host, await t.make.user(lio, { role: 'group_member', organisationId: a.id }));
    expect((await group.get('/volunteering/figures')).status).toBe(403);
    expect((await group.get('/volunteering/figures.csv')).status).toBe(403);
  });

  it('count by the LIO’s own days (Europe/London): 23:30 UTC on 31 March in summer time is 1 April', async () => {
    setClock(new Date('2026-05-10T12:00:00Z'));
    const lio = await t.make.lio();
    const org = await directoryFactories(t.db).organisation(lio, { name: 'Cedar Care' });
    const coordinator = await signedInClient(t.app, lio.host, await t.make.user(lio, { role: 'staff', permissionSets: ['volunteer_coordinator'] }));
    const role = await v.opportunity(lio, { organisationId: org.id });
    const lateOnThe31st = new Date('2026-03-31T23:30:00Z');
    const lateOnThe30th = new Date('2026-04-30T23:30:00Z');
    const early = await v.volunteer(lio, { createdAt: lateOnThe31st });
    const late = await v.volunteer(lio, { createdAt: lateOnThe30th });
    await v.referral(lio, { volunteerId: early.id, opportunityId: role.id, organisationId: org.id, status: 'referred', at: lateOnThe31st });
    await v.referral(lio, { volunteerId: late.id, opportunityId: role.id, organisationId: org.id, status: 'referred', at: lateOnThe30th });
    const figures = async (from: string, to: string) => {
      const page = await coordinator.get(`/volunteering/figures?from=${from}&to=${to}`);
      expect(page.status).toBe(200);
      return Object.fromEntries(page.$('[data-testid="figures"] tbody tr').toArray().map((tr) => [page.$(tr).find('th').text().trim(), page.$(tr).find('td').text().trim()]));
    };
    // Both were made in April in England: the one at 23:30 UTC on 30 April was already 1 May.
    expect(await figures('1/3/2026', '31/3/2026')).toMatchObject({ 'Enquiries': '0', 'New volunteers': '0', 'Referrals': '0' });
    expect(await figures('1/4/2026', '30/4/2026')).toMatchObject({ 'Enquiries': '1', 'New volunteers': '1', 'Referrals': '1' });
    expect(await figures('1/5/2026', '31/5/2026')).toMatchObject({ 'Enquiries': '1', 'New volunteers': '1', 'Referrals': '1' });
  });
});
