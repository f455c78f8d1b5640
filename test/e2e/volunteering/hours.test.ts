import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { E2E_TIMEOUTS, errorSummary, flash, startE2E, type E2E } from '../../helpers/browser.js';
import { directoryFactories } from '../../helpers/directory-factories.js';
import { volunteeringFactories } from '../../helpers/volunteering-factories.js';

let e: E2E;
beforeAll(async () => { e = await startE2E(); }, E2E_TIMEOUTS.hookTimeout);
afterEach(async () => { await e.endTest(); });
afterAll(async () => { await e?.close(); });

const yesterday = new Date(Date.now() - 86_400_000);

describe('hours in the browser', () => {
  it('a volunteer logs hours, the group member confirms them and the coordinator sees the total; every page passes axe', async () => {
    const v = volunteeringFactories(e.t.db);
    const org = await directoryFactories(e.t.db).organisation(e.lio, { name: 'Weavers Food Share' });
    const role = await v.opportunity(e.lio, { organisationId: org.id, title: 'Saturday sorter' });
    const volunteerUser = await e.t.make.user(e.lio, { role: 'volunteer' });
    const volunteer = await v.volunteer(e.lio, { fullName: 'Kofi Boateng' });
    await e.t.db.withTenant(e.lio.id, (tx) => tx.updateTable('users').set({ person_id: volunteer.personId }).where('id', '=', volunteerUser.id).execute());
    await v.referral(e.lio, { volunteerId: volunteer.id, opportunityId: role.id, organisationId: org.id, status: 'started', at: new Date(Date.now() - 20 * 86_400_000) });
    const groupUser = await e.t.make.user(e.lio, { role: 'group_member', organisationId: org.id });
    const coordinatorUser = await e.t.make.user(e.lio, { role: 'staff', permissionSets: ['volunteer_coordinator'] });

    const mine = await e.newPage();
    await e.signIn(mine, volunteerUser);
    await e.openFromMenu(mine, 'Volunteering', 'Your hours');
    await mine.getByLabel('Which role').selectOption({ label: 'Saturday sorter, Weavers Food Share' });
    await e.follow(mine, () => mine.getByRole('button', { name: 'Log hours' }).click());
    expect((await errorSummary(mine)).errors).toContainEqual({ text: 'Enter the date', href: '#worked-day' });
    await mine.getByLabel('Day').fill(String(yesterday.getUTCDate()));
    await mine.getByLabel('Month').fill(String(yesterday.getUTCMonth() + 1));
    await mine.getByLabel('Year').fill(String(yesterday.getUTCFullYear()));
    await mine.getByLabel('Hours', { exact: true }).fill('3');
    await mine.getByLabel('What was done (optional)').fill('Sorted tins for the Saturday parcels');
    await e.follow(mine, () => mine.getByRole('button', { name: 'Log hours' }).click());
    expect(await flash(mine)).toBe('Hours logged: they count once the organisation confirms them');
    expect(await mine.getByTestId('entries').textContent()).toContain('Waiting for Weavers Food Share to confirm');

    const group = await e.newPage();
    await e.signIn(group, groupUser);
    await e.openFromMenu(group, 'Volunteering', 'Volunteers’ hours');
    expect(await group.getByTestId('entries').textContent()).toContain('Kofi Boateng');
    await e.follow(group, () => group.getByRole('button', { name: /^Confirm 3 hours by Kofi Boateng/ }).click());
    expect(await flash(group)).toBe('Hours confirmed');

    await e.visit(mine, '/my-volunteering/hours');
    expect(await mine.getByTestId('total').textContent()).toContain('3 hours');

    const coordinator = await e.newPage();
    await e.signIn(coordinator, coordinatorUser);
    await e.openFromMenu(coordinator, 'Volunteering', 'Hours given');
    await coordinator.getByLabel('From').fill(`1/${yesterday.getUTCMonth() + 1}/${yesterday.getUTCFullYear()}`);
    await e.follow(coordinator, () => coordinator.getByRole('button', { name: 'Show hours' }).click());
    expect(await coordinator.getByTestId('by-volunteer').textContent()).toMatch(/Kofi Boateng\s*3 hours/);
    expect(await coordinator.getByTestId('by-organisation').textContent()).toContain('Weavers Food Share');
  }, E2E_TIMEOUTS.testTimeout);
});
