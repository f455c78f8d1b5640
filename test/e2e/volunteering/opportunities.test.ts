import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { errorSummary, flash, startE2E, type E2E } from '../../helpers/browser.js';
import { directoryFactories } from '../../helpers/directory-factories.js';
import { volunteeringFactories } from '../../helpers/volunteering-factories.js';

let e: E2E;
beforeAll(async () => {
  e = await startE2E();
  await directoryFactories(e.t.db).postcode({ postcode: 'OQ1 1AA', latitude: 53.7, longitude: -1.6 });
});
afterEach(async () => { await e.endTest(); });
afterAll(async () => { await e?.close(); });

describe('a role from a group to the public listing', () => {
  it('a group member posts a role, a coordinator approves it, and a visitor finds it and is offered the enquiry', async () => {
    const org = await e.t.make.organisation(e.lio, { name: 'Riverside Food Bank' });
    const member = await e.t.make.user(e.lio, { role: 'group_member', organisationId: org.id });
    const coordinator = await e.t.make.user(e.lio, { permissionSets: ['volunteer_coordinator'] });

    const group = await e.newPage();
    await e.signIn(group, member);
    await e.openFromMenu(group, 'Volunteering', 'Our volunteer roles');
    await e.follow(group, () => group.getByRole('button', { name: 'Post a role' }).click());
    // Sent without a title first: the form comes back with the error summary.
    await e.follow(group, () => group.getByRole('button', { name: 'Send for approval' }).click());
    expect((await errorSummary(group)).errors).toContainEqual({ text: 'Enter a title for the role', href: '#title' });
    await group.getByLabel('Role title').fill('Warehouse sorter');
    await group.getByLabel('What will the volunteer do?').fill('Check dates and pack food parcels with a friendly team.');
    await group.getByLabel('Lifting and practical tasks').check();
    await group.getByLabel('Food', { exact: true }).check();
    await group.getByLabel('Regular').check();
    await group.getByLabel('Wednesday afternoon').check();
    await group.getByLabel('Postcode of the place').fill('OQ1 1AA');
    await e.follow(group, () => group.getByRole('button', { name: 'Send for approval' }).click());
    expect(await flash(group)).toBe('Role sent to the volunteer centre for approval');
    expect(await group.getByText('Waiting for approval').count()).toBeGreaterThan(0);

    const staff = await e.newPage();
    await e.signIn(staff, coordinator);
    await e.openFromMenu(staff, 'Volunteering', 'Roles');
    await e.follow(staff, () => staff.getByRole('link', { name: 'Waiting for approval (1)' }).click());
    await e.follow(staff, () => staff.getByRole('link', { name: 'Warehouse sorter' }).click());
    await e.follow(staff, () => staff.getByRole('button', { name: 'Approve and publish' }).click());
    expect(await flash(staff)).toBe('Role approved and published');

    const visitor = await e.newPage({ javaScriptEnabled: false });
    await e.visit(visitor, '/opportunities');
    await visitor.getByLabel('Cause').selectOption('food');
    await visitor.getByLabel('Near a postcode').fill('OQ1 1AA');
    await e.follow(visitor, () => visitor.getByRole('button', { name: 'Search opportunities' }).click());
    expect(await visitor.getByTestId('result-count').textContent()).toBe('1 opportunity found');
    expect(await visitor.getByTestId('distance').textContent()).toBe('0.0 km away');
    await e.follow(visitor, () => visitor.getByRole('link', { name: 'Warehouse sorter' }).click());
    expect(await visitor.getByRole('heading', { level: 1 }).textContent()).toBe('Warehouse sorter');
    expect(await visitor.getByRole('button', { name: 'Enquire about this role' }).getAttribute('href')).toMatch(/^\/opportunities\/[0-9a-f-]{36}\/enquire$/);

    // The coordinator looks for volunteers for it.
    await e.visit(staff, `/volunteering/roles/${new URL(visitor.url()).pathname.split('/')[2]}`);
    await e.follow(staff, () => staff.getByRole('link', { name: 'Volunteers who match this role' }).click());
    expect(await staff.getByTestId('offered-share').textContent()).toContain('active volunteers');
  });

  it('a coordinator posts the LIO\'s own role, and rejects a group\'s with a reason', async () => {
    const org = await e.t.make.organisation(e.lio, { name: 'Hillside Youth Project' });
    const pending = await volunteeringFactories(e.t.db).opportunity(e.lio, { organisationId: org.id, title: 'Residential trip helper', status: 'pending' });
    const coordinator = await e.t.make.user(e.lio, { permissionSets: ['volunteer_coordinator'] });
    const staff = await e.newPage();
    await e.signIn(staff, coordinator);
    await e.visit(staff, '/volunteering/roles/new');
    await staff.getByLabel('Role title').fill('Volunteer centre receptionist');
    await staff.getByLabel('What will the volunteer do?').fill('Welcome visitors and answer the phone.');
    await staff.getByLabel('Regular').check();
    await staff.getByLabel('Postcode of the place').fill('OQ1 1AA');
    await e.follow(staff, () => staff.getByRole('button', { name: 'Post role' }).click());
    expect(await flash(staff)).toBe('Role published');

    await e.visit(staff, `/volunteering/roles/${pending.id}`);
    await e.follow(staff, () => staff.getByRole('button', { name: 'Do not approve' }).click());
    expect((await errorSummary(staff)).errors).toEqual([{ text: 'Enter why the role is not approved, for the group to read', href: '#reason' }]);
    await staff.getByLabel('Why is it not approved?').fill('Please say which weekend and where you are staying.');
    await e.follow(staff, () => staff.getByRole('button', { name: 'Do not approve' }).click());
    expect(await flash(staff)).toBe('Role not approved: the group can see why');
  });
});

describe('a role that has closed', () => {
  it('a visitor following an old link to it is told it has closed and where to look instead', async () => {
    const role = await volunteeringFactories(e.t.db).opportunity(e.lio, { title: 'Winter coat drive sorter' });
    await e.t.db.withTenant(e.lio.id, (tx) => tx.updateTable('opportunities').set({ status: 'closed' }).where('id', '=', role.id).execute());
    const visitor = await e.newPage({ javaScriptEnabled: false });
    expect((await e.visit(visitor, `/opportunities/${role.id}`))!.status()).toBe(410);
    expect(await visitor.getByRole('heading', { level: 1 }).textContent()).toBe('This role has closed');
    await e.follow(visitor, () => visitor.getByRole('link', { name: 'Find other volunteering opportunities' }).click());
    expect(new URL(visitor.url()).pathname).toBe('/opportunities');
  });
});

describe('recommended roles', () => {
  it('a volunteer sees the roles that fit them with the reasons; the coordinator sees the same for them', async () => {
    const vol = volunteeringFactories(e.t.db);
    const user = await e.t.make.user(e.lio, { role: 'volunteer', name: 'Ella Nowak' });
    const personId = (await e.t.db.withTenant(e.lio.id, (tx) => tx.selectFrom('users').select('person_id').where('id', '=', user.id).executeTakeFirstOrThrow())).person_id;
    const me = await vol.volunteer(e.lio, { ...(personId ? { personId } : {}), fullName: 'Ella Nowak', skills: ['befriending'], causes: ['older'], availability: ['tue-morning'], latitude: 53.7, longitude: -1.6 });
    if (!personId) await e.t.db.withTenant(e.lio.id, (tx) => tx.updateTable('users').set({ person_id: me.personId }).where('id', '=', user.id).execute());
    await vol.opportunity(e.lio, { title: 'Lunch club host', skills: ['befriending'], causes: ['older'], availability: ['tue-morning'], latitude: 53.71, longitude: -1.6 });

    const page = await e.newPage();
    await e.signIn(page, user);
    await e.openFromMenu(page, 'Volunteering', 'Roles for you');
    const match = page.getByTestId('matches').locator('li').filter({ hasText: 'Lunch club host' });
    expect(await match.getByTestId('reasons').textContent()).toContain('Befriending and listening');
    expect(await match.getByTestId('reasons').textContent()).toContain('1.1 km');
    expect(await match.getByTestId('reasons').textContent()).toContain('Tuesday morning');

    const coordinator = await e.t.make.user(e.lio, { permissionSets: ['volunteer_coordinator'] });
    const staff = await e.newPage();
    await e.signIn(staff, coordinator);
    await e.visit(staff, `/volunteering/volunteers/${me.id}/matches`);
    expect(await staff.getByRole('heading', { level: 1 }).textContent()).toBe('Roles for Ella Nowak');
    expect(await staff.getByTestId('matches').textContent()).toContain('Lunch club host');
  });
});
