import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { E2E_TIMEOUTS, errorSummary, flash, startE2E, type E2E } from '../../helpers/browser.js';
import { bulletinsFactories } from '../../helpers/bulletins-factories.js';

let e: E2E;
beforeAll(async () => { e = await startE2E(); }, E2E_TIMEOUTS.hookTimeout);
afterEach(async () => { await e.endTest(); });
afterAll(async () => { await e?.close(); });

describe('membership in the browser', () => {
  it('staff add a membership type and a member; a group member applies, staff approve, and the register shows the organisation as a member', async () => {
    const b = bulletinsFactories(e.t.db);
    const pantry = await b.group(e.lio, { name: 'Canalside Pantry' });
    await b.group(e.lio, { name: 'Hillside Youth Club' });
    const adviserUser = await e.t.make.user(e.lio, { role: 'staff', permissionSets: ['adviser'] });
    const groupUser = await e.t.make.user(e.lio, { role: 'group_member', organisationId: pantry.id });

    const staff = await e.newPage();
    await e.signIn(staff, adviserUser);
    await e.openFromMenu(staff, 'Support for groups', 'Membership');
    await e.follow(staff, () => staff.getByRole('link', { name: 'Membership types' }).click());
    await staff.getByLabel('Name').fill('Full member');
    await staff.getByLabel('Annual fee in pounds').fill('twenty');
    await e.follow(staff, () => staff.getByRole('button', { name: 'Add membership type' }).click());
    expect((await errorSummary(staff)).errors).toEqual([{ text: 'Enter the annual fee in pounds, like 25 or 25.00 (0 for no fee)', href: '#annualFee' }]);
    await staff.getByLabel('Annual fee in pounds').fill('25');
    await e.follow(staff, () => staff.getByRole('button', { name: 'Add membership type' }).click());
    expect(await flash(staff)).toBe('Membership type “Full member” added');

    await e.visit(staff, '/support/membership');
    await e.follow(staff, () => staff.getByRole('link', { name: 'Add a member' }).click());
    await staff.getByLabel('Organisation').selectOption({ label: 'Hillside Youth Club' });
    await staff.getByLabel('Membership type').selectOption({ label: 'Full member (£25.00, 12 months)' });
    await e.follow(staff, () => staff.getByRole('button', { name: 'Add member' }).click());
    expect(await flash(staff)).toBe('Member added: the register now shows them as a member');

    const group = await e.newPage();
    await e.signIn(group, groupUser);
    await e.openFromMenu(group, 'Support for groups', 'Your membership');
    await group.getByLabel('Membership type').selectOption({ label: 'Full member (£25.00, 12 months)' });
    await e.follow(group, () => group.getByRole('button', { name: 'Apply to join' }).click());
    expect(await flash(group)).toContain('your application to join is with us');

    await e.visit(staff, '/support/membership');
    await e.follow(staff, () => staff.getByTestId('pending').getByRole('button', { name: 'Approve Canalside Pantry' }).click());
    expect(await flash(staff)).toBe('Canalside Pantry is now a member');

    // The directory's register, as staff read it, now shows both as members.
    await e.visit(staff, '/organisations?membership=member');
    const rows = await staff.locator('table tbody tr').allTextContents();
    expect(rows.filter((r) => /Member/.test(r)).map((r) => r.replace(/\s+/g, ' ').trim().split(' Member')[0])).toEqual(expect.arrayContaining([expect.stringContaining('Canalside Pantry'), expect.stringContaining('Hillside Youth Club')]));
    await e.visit(group, '/our-support/membership');
    expect(await group.getByTestId('membership').textContent()).toMatch(/Status\s*Member/);
  }, E2E_TIMEOUTS.testTimeout);
});
