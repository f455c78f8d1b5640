import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { signedInClient, errorSummary } from '../helpers/client.js';
import { directoryFactories } from '../helpers/directory-factories.js';
import { volunteeringFactories, type VolunteeringFactories } from '../helpers/volunteering-factories.js';

type Lio = Awaited<ReturnType<TestContext['make']['lio']>>;
const DAY = 86_400_000;
const daysAgo = (n: number) => new Date(Date.now() - n * DAY);
const boxes = (d: Date) => ({ 'worked-day': String(d.getUTCDate()), 'worked-month': String(d.getUTCMonth() + 1), 'worked-year': String(d.getUTCFullYear()) });

let t: TestContext;
let v: VolunteeringFactories;
beforeAll(async () => { t = await createTestApp(); v = volunteeringFactories(t.db); });
afterAll(async () => { await t?.close(); });

/** A LIO with an organisation, its group member, a coordinator, and a signed-in volunteer started there 30 days ago. */
async function setting() {
  const lio = await t.make.lio();
  const org = await directoryFactories(t.db).organisation(lio, { name: 'Brook Street Pantry' });
  const user = await t.make.user(lio, { role: 'volunteer' });
  const volunteer = await v.volunteer(lio, { fullName: 'Nia Roberts' });
  await t.db.withTenant(lio.id, (tx) => tx.updateTable('users').set({ person_id: volunteer.personId }).where('id', '=', user.id).execute());
  const role = await v.opportunity(lio, { organisationId: org.id, title: 'Pantry helper' });
  const referral = await v.referral(lio, { volunteerId: volunteer.id, opportunityId: role.id, organisationId: org.id, status: 'started', at: daysAgo(30) });
  return {
    lio, org, volunteer, referral,
    volunteerClient: await signedInClient(t.app, lio.host, user),
    group: await signedInClient(t.app, lio.host, await t.make.user(lio, { role: 'group_member', organisationId: org.id })),
    coordinator: await signedInClient(t.app, lio.host, await t.make.user(lio, { role: 'staff', permissionSets: ['volunteer_coordinator'] })),
  };
}
const hoursOf = (lio: Lio) => t.db.withTenant(lio.id, (tx) => tx.selectFrom('volunteer_hours').selectAll().orderBy('created_at').execute());

describe('volunteers’ hours', () => {
  it('a volunteer logs hours; they wait for the organisation, count once it confirms, and the coordinator sees the total', async () => {
    const s = await setting();
    const logged = await s.volunteerClient.submit('/my-volunteering/hours', '/my-volunteering/hours', {
      referralId: s.referral.id, ...boxes(daysAgo(2)), hours: '2', minutes: '30', description: 'Sorted the Tuesday delivery',
    });
    expect(logged.status).toBe(303);
    let mine = await s.volunteerClient.get('/my-volunteering/hours');
    expect(mine.$('[data-testid="entries"] tbody tr').first().text()).toContain('Waiting for Brook Street Pantry to confirm');
    expect(mine.$('[data-testid="total"]').text()).toContain('0 hours');
    const [entry] = await hoursOf(s.lio);
    expect(entry).toMatchObject({ minutes: 150, logged_by: 'volunteer', confirmed_at: null, organisation_id: s.org.id });

    const totalsBefore = await s.coordinator.get('/volunteering/hours');
    expect(totalsBefore.$('[data-testid="by-volunteer"] tbody tr').first().text()).toMatch(/Nia Roberts\s*0 hours\s*2 hours 30 minutes/);

    expect((await s.group.submit('/our-volunteering/hours', `/our-volunteering/hours/${entry!.id}/confirm`, {})).status).toBe(303);
    mine = await s.volunteerClient.get('/my-volunteering/hours');
    expect(mine.$('[data-testid="entries"] tbody tr').first().text()).toContain('Confirmed');
    expect(mine.$('[data-testid="total"]').text()).toContain('2 hours 30 minutes');
    expect((await hoursOf(s.lio))[0]!.confirmed_at).not.toBeNull();

    const audited = await t.db.withTenant(s.lio.id, (tx) => tx.selectFrom('audit_events').select(['action', 'subject_id']).where('action', 'in', ['volunteer.viewed', 'hours.confirmed', 'volunteer_hours.viewed']).execute());
    expect(audited).toEqual(expect.arrayContaining([
      { action: 'volunteer.viewed', subject_id: s.volunteer.id }, { action: 'hours.confirmed', subject_id: s.volunteer.id }, expect.objectContaining({ action: 'volunteer_hours.viewed' }),
    ]));

    const totals = await s.coordinator.get('/volunteering/hours');
    expect(totals.$('[data-testid="by-volunteer"] tbody tr').first().text()).toMatch(/Nia Roberts\s*2 hours 30 minutes\s*$/);
    expect(totals.$('[data-testid="by-organisation"] tbody tr').first().text()).toContain('Brook Street Pantry');
    const csv = await s.coordinator.get('/volunteering/hours.csv');
    expect(csv.status).toBe(200);
    expect(csv.body).toContain('Volunteer,Nia Roberts,2.50,0.00');
  });

  it('hours with mistakes come back with status 400 naming each field, and nothing is stored', async () => {
    const s = await setting();
    const url = '/my-volunteering/hours';
    const future = await s.volunteerClient.submit(url, url, { referralId: s.referral.id, ...boxes(new Date(Date.now() + 3 * DAY)), hours: '0', minutes: '0', description: 'x'.repeat(1001) });
    expect(future.status).toBe(400);
    expect(errorSummary(future)).toEqual([
      { text: 'The date must be today or in the past', href: '#worked-day' },
      { text: 'Enter how long you volunteered for', href: '#hours' },
      { text: 'What was done must be 1000 characters or fewer', href: '#description' },
    ]);
    const early = await s.volunteerClient.submit(url, url, { referralId: s.referral.id, ...boxes(daysAgo(40)), hours: '25', minutes: '' });
    expect(errorSummary(early)).toEqual([
      { text: expect.stringContaining('The date must be on or after the day the volunteering began'), href: '#worked-day' },
      { text: 'Hours must be a whole number from 0 to 24', href: '#hours' },
    ]);
    const over = await s.volunteerClient.submit(url, url, { referralId: '', ...boxes(daysAgo(1)), hours: '24', minutes: '30' });
    expect(errorSummary(over)).toEqual([
      { text: 'Choose the volunteering the hours were for', href: '#referralId' },
      { text: 'The time must be 24 hours or less', href: '#hours' },
    ]);
    // Someone else's referral is not one of the volunteer's placements.
    const other = await v.volunteer(s.lio);
    const role = await v.opportunity(s.lio, { organisationId: s.org.id });
    const theirs = await v.referral(s.lio, { volunteerId: other.id, opportunityId: role.id, organisationId: s.org.id, status: 'started', at: daysAgo(30) });
    const notMine = await s.volunteerClient.submit(url, url, { referralId: theirs.id, ...boxes(daysAgo(1)), hours: '1', minutes: '' });
    expect(errorSummary(notMine)).toEqual([{ text: 'Choose the volunteering the hours were for', href: '#referralId' }]);
    expect(await hoursOf(s.lio)).toHaveLength(0);
  });

  it('an organisation’s own entry counts at once; another organisation’s entry is not found; only the right people see each page', async () => {
    const s = await setting();
    const logged = await s.group.submit('/our-volunteering/hours', '/our-volunteering/hours', { referralId: s.referral.id, ...boxes(daysAgo(1)), hours: '3', minutes: '' });
    expect(logged.status).toBe(303);
    const [entry] = await hoursOf(s.lio);
    expect(entry).toMatchObject({ minutes: 180, logged_by: 'organisation', volunteer_id: s.volunteer.id });
    expect(entry!.confirmed_at).not.toBeNull();
    expect((await s.volunteerClient.get('/my-volunteering/hours')).$('[data-testid="total"]').text()).toContain('3 hours');

    const elsewhere = await directoryFactories(t.db).organisation(s.lio, { name: 'Hillside Allotments' });
    const otherGroup = await signedInClient(t.app, s.lio.host, await t.make.user(s.lio, { role: 'group_member', organisationId: elsewhere.id }));
    const waiting = await v.hours(s.lio, { volunteerId: s.volunteer.id, organisationId: s.org.id, referralId: s.referral.id, minutes: 60 });
    expect((await otherGroup.submit('/our-volunteering/hours', `/our-volunteering/hours/${waiting.id}/confirm`, {})).status).toBe(404);
    expect((await otherGroup.get('/our-volunteering/hours')).$('[data-testid="entries"]').length).toBe(0);
    const stillWaiting = await t.db.withTenant(s.lio.id, (tx) => tx.selectFrom('volunteer_hours').select('confirmed_at').where('id', '=', waiting.id).executeTakeFirstOrThrow());
    expect(stillWaiting.confirmed_at).toBeNull();
    // The other organisation cannot log hours against a volunteer placed elsewhere.
    const wrong = await otherGroup.submit('/our-volunteering/hours', '/our-volunteering/hours', { referralId: s.referral.id, ...boxes(daysAgo(1)), hours: '1', minutes: '' });
    expect(errorSummary(wrong)).toEqual([{ text: 'Choose the volunteering the hours were for', href: '#referralId' }]);

    // A coordinator confirms any organisation's entry.
    expect((await s.coordinator.submit('/our-volunteering/hours', `/our-volunteering/hours/${waiting.id}/confirm`, {})).status).toBe(303);

    expect((await s.volunteerClient.get('/our-volunteering/hours')).status).toBe(403);
    expect((await s.volunteerClient.get('/volunteering/hours')).status).toBe(403);
    expect((await s.group.get('/volunteering/hours')).status).toBe(403);
    expect((await s.group.get('/my-volunteering/hours')).status).toBe(403);
    const adviser = await signedInClient(t.app, s.lio.host, await t.make.user(s.lio, { role: 'staff', permissionSets: ['adviser'] }));
    expect((await adviser.get('/our-volunteering/hours')).status).toBe(403);
  });

  it('totals count only confirmed hours inside the period, and a wrong period is refused naming the field', async () => {
    const s = await setting();
    await v.hours(s.lio, { volunteerId: s.volunteer.id, organisationId: s.org.id, workedOn: '2026-03-10', minutes: 90, confirmedAt: new Date('2026-03-11') });
    await v.hours(s.lio, { volunteerId: s.volunteer.id, organisationId: s.org.id, workedOn: '2026-03-12', minutes: 45 });
    await v.hours(s.lio, { volunteerId: s.volunteer.id, organisationId: s.org.id, workedOn: '2026-04-02', minutes: 600, confirmedAt: new Date('2026-04-03') });
    const page = await s.coordinator.get('/volunteering/hours?from=1/3/2026&to=31/3/2026');
    expect(page.$('[data-testid="by-organisation"] tbody tr').first().text()).toMatch(/Brook Street Pantry\s*1 hour 30 minutes\s*45 minutes/);
    const bad = await s.coordinator.get('/volunteering/hours?from=31/3/2026&to=1/3/2026');
    expect(bad.status).toBe(400);
    expect(errorSummary(bad)).toEqual([{ text: 'The end of the period must be the same as or after its start', href: '#to' }]);
  });
  it('long lists of hours come a page at a time, and the volunteer’s confirmed total counts every entry, not only the page shown', async () => {
    const s = await setting();
    // 120 confirmed entries of an hour and 1 waiting: three pages of 50, the newest first.
    await t.db.withTenant(s.lio.id, (tx) => tx.insertInto('volunteer_hours').values([
      ...Array.from({ length: 120 }, (_, i) => ({
        lio_id: s.lio.id, volunteer_id: s.volunteer.id, referral_id: s.referral.id, organisation_id: s.org.id, worked_on: daysAgo(2 + (i % 25)).toISOString().slice(0, 10),
        minutes: 60, description: `Shift ${i}`, logged_by: 'organisation' as const, confirmed_at: new Date(), created_at: new Date(Date.now() - i * 1000),
      })),
      { lio_id: s.lio.id, volunteer_id: s.volunteer.id, referral_id: s.referral.id, organisation_id: s.org.id, worked_on: daysAgo(40).toISOString().slice(0, 10),
        minutes: 45, description: 'The oldest, not yet confirmed', logged_by: 'volunteer' as const, confirmed_at: null, created_at: new Date() },
    ]).execute());

    const first = await s.volunteerClient.get('/my-volunteering/hours');
    expect(first.$('[data-testid="entries"] tbody tr')).toHaveLength(50);
    expect(first.$('[data-testid="total"]').text()).toContain('120 hours');
    expect(first.$('.govuk-pagination__next a').attr('href')).toBe('/my-volunteering/hours?page=2');
    const last = await s.volunteerClient.get('/my-volunteering/hours?page=3');
    expect(last.$('[data-testid="entries"] tbody tr')).toHaveLength(21);
    expect(last.$('[data-testid="entries"] tbody tr').last().text()).toContain('The oldest, not yet confirmed');
    expect(last.$('.govuk-pagination__next')).toHaveLength(0);

    // The organisation finds the waiting entry on its last page, and can confirm it from there.
    const ours = await s.group.get('/our-volunteering/hours?page=3');
    expect(ours.$('[data-testid="entries"] tbody tr').last().find('button').text()).toContain('Confirm');
    const all = new Set<string>();
    for (const n of [1, 2, 3]) (await s.group.get(`/our-volunteering/hours?page=${n}`)).$('[data-testid="entries"] tbody tr').each((_, row) => { all.add(first.$(row).text()); });
    expect(all.size).toBe(121);
  });
});
