import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, signedInUser, type TestContext } from '../helpers/app.js';
import { volunteeringFactories, type VolunteeringFactories } from '../helpers/volunteering-factories.js';
import type { Page } from '../helpers/client.js';

let t: TestContext;
let vol: VolunteeringFactories;
beforeAll(async () => { t = await createTestApp(); vol = volunteeringFactories(t.db); });
afterAll(async () => { await t.close(); });

// A role's place and points at known distances from it (longitude steps of 0.015 ≈ 1 km at this latitude).
const HERE = { latitude: 53.8, longitude: -1.55 };
const kmEast = (km: number) => ({ latitude: 53.8, longitude: -1.55 + km * 0.01515 });
const yearsAgo = (years: number) => `${new Date().getUTCFullYear() - years}-01-01`;
const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000);

/** Each match on a matching page: its name and its reasons as label → text. */
function matches(page: Page) {
  return page.$('[data-testid="matches"] > li').toArray().filter((li) => page.$(li).find('h2').length).map((li) => ({
    name: page.$(li).find('h2').text().trim(),
    reasons: Object.fromEntries(page.$(li).find('[data-testid="reasons"] .govuk-summary-list__row').toArray()
      .map((row) => [page.$(row).find('dt').text().trim(), page.$(row).find('dd').text().trim()])),
  }));
}

async function setUp() {
  const lio = await t.make.lio();
  const coordinator = await signedInUser(t, lio, { permissionSets: ['volunteer_coordinator'] });
  return { lio, coordinator };
}

describe('volunteers for a role', () => {
  it('ranks by skills, causes, availability and nearness, and explains each match', async () => {
    const { lio, coordinator } = await setUp();
    const role = await vol.opportunity(lio, { title: 'Food bank driver', skills: ['driving', 'lifting'], causes: ['food'], availability: ['mon-morning', 'thu-morning'], ...HERE });
    await vol.volunteer(lio, { fullName: 'Best Fit', skills: ['driving', 'lifting'], causes: ['food'], availability: ['mon-morning', 'thu-morning'], ...kmEast(2) });
    await vol.volunteer(lio, { fullName: 'Cause Only', causes: ['food'], availability: ['sat-morning'], ...kmEast(1) });
    await vol.volunteer(lio, { fullName: 'Nothing Shared', ...kmEast(0.5) });
    await vol.volunteer(lio, { fullName: 'One Skill', skills: ['driving'], availability: ['mon-morning'], ...kmEast(6) });

    const page = await coordinator.client.get(`/volunteering/roles/${role.id}/matches`);
    expect(page.status).toBe(200);
    const found = matches(page);
    expect(found.map((m) => m.name)).toEqual(['Best Fit', 'One Skill', 'Cause Only', 'Nothing Shared']);
    expect(found[0]!.reasons).toEqual({
      'Skills in common': 'Driving, Lifting and practical tasks', 'Causes in common': 'Food', Distance: '2.0 km',
      Availability: '2 slots in common: Monday morning, Thursday morning', Vetting: 'No DBS check needed',
    });
    expect(found[2]!.reasons).toMatchObject({ 'Skills in common': 'None', Availability: 'No slots in common' });
  });

  it('leaves out the inactive, the too young, those without the DBS check needed, and those beyond their travel distance; remote work reaches anyone remote', async () => {
    const { lio, coordinator } = await setUp();
    const role = await vol.opportunity(lio, { title: 'Youth mentor', skills: ['youth'], dbsLevel: 'standard', minimumAge: 18, remote: true, ...HERE });
    const make = (name: string, v: Parameters<VolunteeringFactories['volunteer']>[1] = {}) => vol.volunteer(lio, { fullName: name, skills: ['youth'], dateOfBirth: yearsAgo(30), ...kmEast(1), ...v });
    const enhanced = await make('Enhanced Check');
    await vol.vettingCheck(lio, { volunteerId: enhanced.id, dbsLevel: 'enhanced', expiresOn: null });
    const remoteFar = await make('Remote Far Away', { remote: true, ...kmEast(80), travelKm: 5 });
    await vol.vettingCheck(lio, { volunteerId: remoteFar.id, dbsLevel: 'standard' });
    const inactive = await make('Inactive', { status: 'inactive' });
    await vol.vettingCheck(lio, { volunteerId: inactive.id, dbsLevel: 'enhanced' });
    const young = await make('Too Young', { dateOfBirth: yearsAgo(16) });
    await vol.vettingCheck(lio, { volunteerId: young.id, dbsLevel: 'enhanced' });
    await make('No Check');
    const basic = await make('Basic Only');
    await vol.vettingCheck(lio, { volunteerId: basic.id, dbsLevel: 'basic' });
    const expired = await make('Expired Check');
    await vol.vettingCheck(lio, { volunteerId: expired.id, dbsLevel: 'enhanced', expiresOn: '2020-01-01' });
    const failed = await make('Failed Check');
    await vol.vettingCheck(lio, { volunteerId: failed.id, dbsLevel: 'enhanced', outcome: 'failed' });
    const far = await make('Too Far', { ...kmEast(12), travelKm: 10 });
    await vol.vettingCheck(lio, { volunteerId: far.id, dbsLevel: 'enhanced' });
    const farButWilling = await make('Travels Far', { ...kmEast(60), travelKm: 100 });
    await vol.vettingCheck(lio, { volunteerId: farButWilling.id, dbsLevel: 'enhanced' });

    const found = matches(await coordinator.client.get(`/volunteering/roles/${role.id}/matches`));
    expect(found.map((m) => m.name).sort()).toEqual(['Enhanced Check', 'Remote Far Away', 'Travels Far']);
    const byName = Object.fromEntries(found.map((m) => [m.name, m.reasons]));
    expect(byName['Remote Far Away']).toMatchObject({ Distance: 'Remote', Vetting: 'Standard DBS check held (the role needs standard)' });
    expect(byName['Enhanced Check']).toMatchObject({ Distance: '1.0 km', Vetting: 'Enhanced DBS check held (the role needs standard)' });
  });

  it('spreads offers fairly: of two equally good volunteers, the one offered roles lately comes second; the share offered is shown', async () => {
    const { lio, coordinator } = await setUp();
    const role = await vol.opportunity(lio, { title: 'Gardener', skills: ['gardening'], ...HERE });
    const busy = await vol.volunteer(lio, { fullName: 'Often Offered', skills: ['gardening'], ...kmEast(1) });
    await vol.volunteer(lio, { fullName: 'Never Offered', skills: ['gardening'], ...kmEast(1) });
    const rested = await vol.volunteer(lio, { fullName: 'Offered Long Ago', skills: ['gardening'], ...kmEast(1) });
    await vol.volunteer(lio, { fullName: 'Inactive Volunteer', status: 'inactive' });
    for (let i = 0; i < 3; i++) {
      const other = await vol.opportunity(lio, { title: `Other role ${i}` });
      await vol.referral(lio, { volunteerId: busy.id, opportunityId: other.id, at: daysAgo(5 + i) });
    }
    const old = await vol.opportunity(lio, { title: 'Old role' });
    await vol.referral(lio, { volunteerId: rested.id, opportunityId: old.id, at: daysAgo(45) });

    const page = await coordinator.client.get(`/volunteering/roles/${role.id}/matches`);
    const found = matches(page);
    expect(found.map((m) => m.name).slice(-1)).toEqual(['Often Offered']);
    expect(found.map((m) => m.name).sort()).toEqual(['Never Offered', 'Offered Long Ago', 'Often Offered']);
    expect(found.at(-1)!.reasons['Offered lately']).toBe('3 roles in the last 30 days');
    // Of the three active volunteers, one was offered something in the last 30 days.
    expect(page.$('[data-testid="offered-share"]').text()).toContain('33% (1 of 3 active volunteers');
  });

  it('is for coordinators only', async () => {
    const { lio } = await setUp();
    const role = await vol.opportunity(lio, HERE);
    const staff = await signedInUser(t, lio);
    expect((await staff.client.get(`/volunteering/roles/${role.id}/matches`)).status).toBe(403);
  });
});

describe('roles for a volunteer', () => {
  it('the volunteer sees open roles that fit, best first, with reasons; closed, pending, past and too-far roles are left out', async () => {
    const { lio, coordinator } = await setUp();
    const user = await signedInUser(t, lio, { role: 'volunteer' });
    const personId = (await t.db.withTenant(lio.id, (tx) => tx.selectFrom('users').select('person_id').where('id', '=', user.user.id).executeTakeFirstOrThrow())).person_id;
    const me = await vol.volunteer(lio, {
      ...(personId ? { personId } : {}), skills: ['befriending', 'computers'], causes: ['older'], availability: ['tue-morning'], remote: true, travelKm: 10, ...HERE,
    });
    if (!personId) await t.db.withTenant(lio.id, (tx) => tx.updateTable('users').set({ person_id: me.personId }).where('id', '=', user.user.id).execute());
    await vol.opportunity(lio, { title: 'Digital buddy', skills: ['computers', 'befriending'], causes: ['older'], inPerson: false, remote: true });
    await vol.opportunity(lio, { title: 'Lunch club host', skills: ['befriending'], availability: ['tue-morning'], ...kmEast(3) });
    await vol.opportunity(lio, { title: 'Shop helper', skills: ['retail'], ...kmEast(4) });
    await vol.opportunity(lio, { title: 'Too far away', skills: ['befriending', 'computers'], ...kmEast(30) });
    await vol.opportunity(lio, { title: 'Closed role', skills: ['befriending'], status: 'closed', ...kmEast(1) });
    await vol.opportunity(lio, { title: 'Pending role', skills: ['befriending'], status: 'pending', ...kmEast(1) });
    await vol.opportunity(lio, { title: 'Past closing', skills: ['befriending'], closingOn: '2020-01-01', ...kmEast(1) });
    await vol.opportunity(lio, { title: 'Needs enhanced DBS', skills: ['befriending', 'computers'], dbsLevel: 'enhanced', ...kmEast(1) });

    const own = await user.client.get('/my-volunteering/roles');
    expect(own.status).toBe(200);
    const found = matches(own);
    expect(found.map((m) => m.name)).toEqual(['Digital buddy', 'Lunch club host', 'Shop helper']);
    expect(found[0]!.reasons).toMatchObject({ 'Skills in common': 'Befriending and listening, Computers and digital', 'Causes in common': 'Older people', Distance: 'Remote', Availability: 'The role can be done at any time' });
    expect(found[1]!.reasons).toMatchObject({ Distance: '3.0 km', Availability: '1 slot in common: Tuesday morning' });

    // The coordinator's view of the same volunteer gives the same list, shows the share, and is audited as a view of their record.
    const theirs = await coordinator.client.get(`/volunteering/volunteers/${me.id}/matches`);
    expect(matches(theirs).map((m) => m.name)).toEqual(['Digital buddy', 'Lunch club host', 'Shop helper']);
    expect(theirs.$('[data-testid="offered-share"]').text()).toContain('0% (0 of 1 active volunteers');
    const audit = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('audit_events').select(['action', 'subject_id']).where('action', '=', 'volunteer.viewed').execute());
    expect(audit).toEqual([{ action: 'volunteer.viewed', subject_id: me.id }]);
    expect((await user.client.get(`/volunteering/volunteers/${me.id}/matches`)).status).toBe(403);
  });

  it('a volunteer account without a volunteer record is asked to register', async () => {
    const { lio } = await setUp();
    const user = await signedInUser(t, lio, { role: 'volunteer' });
    const page = await user.client.get('/my-volunteering/roles');
    expect(page.status).toBe(200);
    expect(page.$('main').text()).toContain('You have not registered as a volunteer yet');
  });
});
