import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { errorSummary, signedInClient, type Client } from '../helpers/client.js';
import { startSmtpServer } from '../helpers/smtp.js';
import { bulletinsFactories, type BulletinsFactories } from '../helpers/bulletins-factories.js';
import { runRenewals, GRACE_DAYS } from '../../src/support/membership/jobs.js';

type Lio = Awaited<ReturnType<TestContext['make']['lio']>>;
type Smtp = Awaited<ReturnType<typeof startSmtpServer>>;
const DAY_MS = 86_400_000;

let t: TestContext;
let smtp: Smtp;
let b: BulletinsFactories;
beforeAll(async () => {
  smtp = await startSmtpServer();
  t = await createTestApp({ env: { SMTP_URL: smtp.url } });
  b = bulletinsFactories(t.db);
});
afterAll(async () => {
  await t?.close();
  await smtp?.close();
});

const adviserOf = async (lio: Lio) => signedInClient(t.app, lio.host, await t.make.user(lio, { role: 'staff', permissionSets: ['adviser'] }));
/** Dates as 'YYYY-MM-DD', however the driver read them. */
const ymd = (d: unknown) => (d instanceof Date ? d.toISOString().slice(0, 10) : String(d));
const membershipOf = async (lio: Lio, organisationId: string) => (await t.db.withTenant(lio.id, (tx) => tx.selectFrom('memberships').selectAll().where('organisation_id', '=', organisationId).orderBy('created_at').execute()))
  .map((m) => ({ ...m, joined_on: ymd(m.joined_on), renews_on: ymd(m.renews_on) }));
const flagOf = async (lio: Lio, id: string) => (await t.db.withTenant(lio.id, (tx) => tx.selectFrom('organisations').select('membership').where('id', '=', id).executeTakeFirstOrThrow())).membership;
const today = (offset = 0) => new Date(t.clock.now().getTime() + offset * DAY_MS).toISOString().slice(0, 10);
/** The directory's own list of members, as staff read it: the register's flag, not this feature's tables. */
const registerMembers = async (client: Client) => {
  const page = await client.get('/organisations?membership=member');
  return page.$('table tbody tr').toArray().map((r) => page.$(r).text().replace(/\s+/g, ' ').trim());
};

describe('membership types', () => {
  it('adds a type, and answers mistakes and a repeated name with the error summary', async () => {
    const lio = await t.make.lio();
    const adviser = await adviserOf(lio);
    const bad = await adviser.submit('/support/membership/types', '/support/membership/types', { name: '', registerFlag: 'vip', annualFee: 'ten', termMonths: '0' });
    expect(bad.status).toBe(400);
    expect(errorSummary(bad).map((e) => e.href)).toEqual(['#name', '#registerFlag', '#annualFee', '#termMonths']);
    const added = await adviser.submit('/support/membership/types', '/support/membership/types', { name: 'Full member', registerFlag: 'member', annualFee: '£25.00', termMonths: '12' });
    expect(added.status).toBe(303);
    const page = await adviser.get('/support/membership/types');
    expect(page.$('[data-testid="types"] tbody').text()).toMatch(/Full member\s*Member\s*£25.00\s*12 months/);
    const again = await adviser.submit('/support/membership/types', '/support/membership/types', { name: 'Full member', registerFlag: 'associate', annualFee: '0', termMonths: '24' });
    expect(again.status).toBe(400);
    expect(errorSummary(again)[0]!.text).toBe('There is already a membership type with that name');
  });
});

describe('joining, renewing and ending', () => {
  it('a group member applies, staff approve, and the register shows the organisation as a member', async () => {
    const lio = await t.make.lio();
    const type = await b.membershipType(lio, { name: 'Full member', termMonths: 12 });
    const org = await b.group(lio, { name: 'Brook Street Pantry' });
    const member = await signedInClient(t.app, lio.host, await t.make.user(lio, { role: 'group_member', organisationId: org.id }));
    const adviser = await adviserOf(lio);

    expect((await member.get('/our-support/membership')).body).toContain('Brook Street Pantry is not a member');
    const refused = await member.submit('/our-support/membership', '/our-support/membership', { typeId: 'not-a-type' });
    expect(refused.status).toBe(400);
    expect(errorSummary(refused)).toEqual([{ text: 'Choose a membership type', href: '#typeId' }]);
    expect((await member.submit('/our-support/membership', '/our-support/membership', { typeId: type.id })).status).toBe(303);
    expect((await member.get('/our-support/membership')).$('[data-testid="membership"]').text()).toContain('Waiting for approval');
    expect(await flagOf(lio, org.id)).toBe('none');

    const overview = await adviser.get('/support/membership');
    expect(overview.$('[data-testid="pending"] tbody').text()).toContain('Brook Street Pantry');
    const home = await adviser.get('/');
    expect(home.$('a[href="/support/membership#pending"]').text().replace(/\s+/g, ' ').trim()).toBe('1 application to join waiting for approval');

    const approved = await adviser.submit('/support/membership', `/support/membership/${(await membershipOf(lio, org.id))[0]!.id}/approve`, {});
    expect(approved.status).toBe(303);
    const [m] = await membershipOf(lio, org.id);
    const inAYear = new Date(`${today()}T00:00:00Z`);
    inAYear.setUTCFullYear(inAYear.getUTCFullYear() + 1);
    expect(m).toMatchObject({ status: 'active', joined_on: today(), renews_on: inAYear.toISOString().slice(0, 10) });
    expect(await flagOf(lio, org.id)).toBe('member');
    expect(await registerMembers(adviser)).toEqual([expect.stringContaining('Brook Street Pantry')]);
    expect((await member.get('/our-support/membership')).$('[data-testid="membership"]').text()).toContain('Member');
  });

  it('staff add a member; an organisation cannot hold two memberships; ending clears the register flag', async () => {
    const lio = await t.make.lio();
    const type = await b.membershipType(lio, { flag: 'associate' });
    const org = await b.group(lio, { name: 'Canal Choir' });
    const adviser = await adviserOf(lio);
    expect((await adviser.submit('/support/membership/new', '/support/membership/new', { organisationId: org.id, typeId: type.id })).status).toBe(303);
    expect(await flagOf(lio, org.id)).toBe('associate');
    const twice = await adviser.postRaw('/support/membership/new', { organisationId: org.id, typeId: type.id, _csrf: (await adviser.get('/support/membership/new')).$('input[name="_csrf"]').val() as string });
    expect(twice.status).toBe(400);
    expect(errorSummary(twice)[0]!.text).toBe('That organisation is already a member or has asked to join');
    const [m] = await membershipOf(lio, org.id);
    expect((await adviser.submit('/support/membership', `/support/membership/${m!.id}/end`, {})).status).toBe(303);
    expect((await membershipOf(lio, org.id))[0]!.status).toBe('ended');
    expect(await flagOf(lio, org.id)).toBe('none');
  });

  it('renewing moves renews_on on by the term, and brings a lapsed member back', async () => {
    const lio = await t.make.lio();
    const type = await b.membershipType(lio, { termMonths: 6 });
    const org = await b.group(lio);
    const lapsedOrg = await b.group(lio);
    const m = await b.membership(lio, { organisationId: org.id, typeId: type.id, renewsInDays: 10 });
    const lapsed = await b.membership(lio, { organisationId: lapsedOrg.id, typeId: type.id, status: 'lapsed', renewsInDays: -400 });
    expect(await flagOf(lio, lapsedOrg.id)).toBe('lapsed');
    const adviser = await adviserOf(lio);
    await adviser.submit('/support/membership', `/support/membership/${m.id}/renew`, {});
    const renewed = (await membershipOf(lio, org.id))[0]!;
    const expected = new Date(`${ymd(m.renews_on)}T00:00:00Z`);
    expected.setUTCMonth(expected.getUTCMonth() + 6);
    expect(renewed.renews_on).toBe(expected.toISOString().slice(0, 10));
    await adviser.submit('/support/membership', `/support/membership/${lapsed.id}/renew`, {});
    const back = (await membershipOf(lio, lapsedOrg.id))[0]!;
    expect(back.status).toBe('active');
    expect(back.renews_on > today(150)).toBe(true);
    expect(await flagOf(lio, lapsedOrg.id)).toBe('member');
  });

  it('is for advisers and the group’s own members: others are refused', async () => {
    const lio = await t.make.lio();
    const org = await b.group(lio);
    const member = await signedInClient(t.app, lio.host, await t.make.user(lio, { role: 'group_member', organisationId: org.id }));
    const volunteer = await signedInClient(t.app, lio.host, await t.make.user(lio, { role: 'volunteer' }));
    expect((await member.get('/support/membership')).status).toBe(403);
    expect((await volunteer.get('/our-support/membership')).status).toBe(403);
  });
});

describe('reminders and lapsing', () => {
  it('reminds 30 days and 7 days before renewal, once each, and lapses a membership past its grace period', async () => {
    const lio = await t.make.lio();
    const type = await b.membershipType(lio, { name: 'Full member' });
    const soon = await b.group(lio, { name: 'Soon Group', email: 'soon@group.example' });
    const later = await b.group(lio, { email: 'later@group.example' });
    const overdue = await b.group(lio, { name: 'Overdue Group' });
    await b.membership(lio, { organisationId: soon.id, typeId: type.id, renewsInDays: 28 });
    await b.membership(lio, { organisationId: later.id, typeId: type.id, renewsInDays: 90 });
    await b.membership(lio, { organisationId: overdue.id, typeId: type.id, renewsInDays: -(GRACE_DAYS + 1) });
    const lioRow = { id: lio.id, name: 'Riverside', hostnames: [lio.host], is_default: false };
    const deps = { db: t.db, clock: t.clock, config: t.config, jobs: t.app.jobs };

    expect(await runRenewals(deps, lioRow)).toEqual({ reminded: 1, lapsed: 1 });
    expect(await runRenewals(deps, lioRow)).toEqual({ reminded: 0, lapsed: 0 });
    await t.app.jobs.drain();
    const first = smtp.received.filter((m) => m.to.includes('soon@group.example'));
    expect(first).toHaveLength(1);
    expect(first[0]!.raw.replace(/=\r?\n/g, '')).toMatch(/Soon Group=E2=80=99s Full member membership of Riverside is due for renewal on/);
    expect(await flagOf(lio, overdue.id)).toBe('lapsed');

    // Three weeks on: 7 days to go, the second and last reminder.
    const start = t.clock.now();
    t.clock.advance(21 * DAY_MS);
    try {
      expect((await runRenewals(deps, lioRow)).reminded).toBe(1);
      t.clock.advance(DAY_MS);
      expect((await runRenewals(deps, lioRow)).reminded).toBe(0);
      await t.app.jobs.drain();
      const both = smtp.received.filter((m) => m.to.includes('soon@group.example'));
      expect(both).toHaveLength(2);
      expect(both[1]!.raw).toMatch(/^Subject: .*One_week_left/m);
      expect(smtp.received.filter((m) => m.to.includes('later@group.example'))).toHaveLength(0);
    } finally {
      t.clock.advance(start.getTime() - t.clock.now().getTime());
    }
  });

  it('counts memberships due for renewal within 30 days on the adviser’s home page, linking to them', async () => {
    const lio = await t.make.lio();
    const type = await b.membershipType(lio);
    for (const days of [5, 29, 45]) await b.membership(lio, { organisationId: (await b.group(lio)).id, typeId: type.id, renewsInDays: days });
    const adviser = await adviserOf(lio);
    const home = await adviser.get('/');
    expect(home.$('a[href="/support/membership#due"]').text().replace(/\s+/g, ' ').trim()).toBe('2 memberships due for renewal in 30 days');
    const due = await adviser.get('/support/membership');
    expect(due.$('[data-testid="due"] tbody tr')).toHaveLength(2);
  });
});
