import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { E2E_TIMEOUTS, errorSummary, flash, startE2E, type E2E } from '../../helpers/browser.js';
import { directoryFactories } from '../../helpers/directory-factories.js';
import { volunteeringFactories } from '../../helpers/volunteering-factories.js';

let e: E2E;
beforeAll(async () => { e = await startE2E(); }, E2E_TIMEOUTS.hookTimeout);
afterEach(async () => { await e.endTest(); });
afterAll(async () => { await e?.close(); });

describe('referrals in the browser', () => {
  it('a volunteer enquires, the coordinator refers, the group accepts from its e-mail link, and the volunteer starts; every page passes axe', async () => {
    const v = volunteeringFactories(e.t.db);
    const org = await directoryFactories(e.t.db).organisation(e.lio, { name: 'Weavers Food Share', email: 'team@weavers-food.example' });
    const role = await v.opportunity(e.lio, { organisationId: org.id, title: 'Saturday sorter' });
    const volunteerUser = await e.t.make.user(e.lio, { role: 'volunteer' });
    const volunteer = await v.volunteer(e.lio, { fullName: 'Kofi Boateng', email: 'kofi@example.net' });
    await e.t.db.withTenant(e.lio.id, (tx) => tx.updateTable('users').set({ person_id: volunteer.personId }).where('id', '=', volunteerUser.id).execute());
    const coordinatorUser = await e.t.make.user(e.lio, { role: 'staff', permissionSets: ['volunteer_coordinator'] });
    const groupUser = await e.t.make.user(e.lio, { role: 'group_member', organisationId: org.id });
    const admin = await e.t.make.user(e.lio, { role: 'admin' });

    // Signed out, the enquiry page sends them to sign in or register.
    const visitor = await e.newPage();
    await e.visit(visitor, `/opportunities/${role.id}/enquire`);
    expect(await visitor.getByRole('link', { name: 'Register as a volunteer' }).getAttribute('href')).toBe('/volunteer/register');

    const volunteerPage = await e.newPage();
    await e.signIn(volunteerPage, volunteerUser);
    await e.visit(volunteerPage, `/opportunities/${role.id}/enquire`);
    await e.follow(volunteerPage, () => volunteerPage.getByRole('button', { name: 'Send my enquiry' }).click());
    expect(await flash(volunteerPage)).toBe('Your enquiry has been sent');
    expect(await volunteerPage.getByTestId('enquiries').textContent()).toContain('Enquiry received');

    const coordinator = await e.newPage();
    await e.signIn(coordinator, coordinatorUser);
    await e.openFromMenu(coordinator, 'Volunteering', 'Referrals');
    await e.follow(coordinator, () => coordinator.getByRole('link', { name: 'Kofi Boateng' }).click());
    await e.follow(coordinator, () => coordinator.getByRole('button', { name: 'Refer to the organisation' }).click());
    expect(await flash(coordinator)).toBe('Referral updated');

    // The group answers from the e-mail, without signing in.
    const adminPage = await e.newPage();
    await e.signIn(adminPage, admin);
    const { subject, link } = await e.linkFromOutbox(adminPage, 'team@weavers-food.example', '/volunteer/referral/');
    expect(subject).toBe('A volunteer for Saturday sorter');
    const groupMail = await e.newPage();
    await e.visit(groupMail, new URL(link).pathname);
    expect(await groupMail.locator('main').textContent()).toContain('kofi@example.net');
    await e.follow(groupMail, () => groupMail.getByRole('button', { name: 'Mark as contacted' }).click());
    expect(await flash(groupMail)).toMatch(/marked as contacted/);
    await e.follow(groupMail, () => groupMail.getByRole('button', { name: 'Accept the volunteer' }).click());
    expect(await groupMail.getByRole('heading', { level: 1 }).textContent()).toBe('Thank you: the volunteer is accepted');
    await e.visit(groupMail, new URL(link).pathname);
    expect(await groupMail.getByRole('heading', { level: 1 }).textContent()).toBe('This referral has already been answered');

    // The group member starts the volunteer from the portal, reached from their home page.
    const group = await e.newPage();
    await e.signIn(group, groupUser);
    await e.visit(group, '/');
    await e.follow(group, () => group.getByRole('link', { name: /volunteers? waiting for your answer/ }).click());
    await e.follow(group, () => group.getByRole('link', { name: 'Kofi Boateng' }).click());
    await e.follow(group, () => group.getByRole('button', { name: 'Mark as started' }).click());
    expect(await flash(group)).toBe('Referral updated');

    await e.visit(volunteerPage, '/my-volunteering/enquiries');
    expect(await volunteerPage.getByTestId('enquiries').textContent()).toContain('Started');
    await e.visit(coordinator, `/volunteering/referrals?status=started`);
    expect(await coordinator.getByTestId('referrals').textContent()).toContain('Kofi Boateng');
    await e.openFromMenu(coordinator, 'Volunteering', 'Figures');
    expect(await coordinator.getByTestId('figures').textContent()).toContain('Placements (started)');
    await e.visit(coordinator, '/volunteering/referrals/new');
    await e.follow(coordinator, () => coordinator.getByRole('button', { name: 'Refer' }).click());
    expect((await errorSummary(coordinator)).errors.map((x) => x.href)).toEqual(['#volunteer']);
  });

  it('a chaser fires for an unanswered referral and the coordinator sees it on the home page; a DBS lapse blocks a start', async () => {
    const v = volunteeringFactories(e.t.db);
    const org = await directoryFactories(e.t.db).organisation(e.lio, { name: 'Quiet Lane Club', email: 'club@quiet-lane.example' });
    const role = await v.opportunity(e.lio, { organisationId: org.id, title: 'Minibus escort', dbsLevel: 'enhanced' });
    const waiting = await v.volunteer(e.lio, { fullName: 'Ruth Ellis' });
    const now = e.t.clock.now();
    await v.referral(e.lio, { volunteerId: waiting.id, opportunityId: role.id, organisationId: org.id, status: 'referred', at: new Date(now.getTime() - 30 * 86_400_000) });
    const lapsed = await v.volunteer(e.lio, { fullName: 'Dev Shah' });
    await v.vettingCheck(e.lio, { volunteerId: lapsed.id, dbsLevel: 'enhanced', outcome: 'passed', expiresOn: '2024-01-31' });
    const accepted = await v.referral(e.lio, { volunteerId: lapsed.id, opportunityId: role.id, organisationId: org.id, status: 'accepted' });

    // Two runs: the first chases (thirty days is well past five working days), the next, a month on, escalates.
    await e.t.app.jobs.ensureRecurring();
    await e.t.app.jobs.drain();
    e.t.clock.advance(30 * 86_400_000);
    await e.t.app.jobs.drain();
    e.t.clock.advance(-30 * 86_400_000);

    const coordinator = await e.newPage();
    await e.signIn(coordinator, await e.t.make.user(e.lio, { role: 'staff', permissionSets: ['volunteer_coordinator'] }));
    await e.visit(coordinator, '/');
    await e.follow(coordinator, () => coordinator.getByRole('link', { name: /volunteers? waiting past the limit/ }).first().click());
    expect(new URL(coordinator.url()).search).toBe('?waiting=past');
    expect(await coordinator.getByTestId('referrals').textContent()).toContain('Ruth Ellis');
    await e.follow(coordinator, () => coordinator.getByRole('link', { name: 'Ruth Ellis' }).click());
    expect(await coordinator.getByTestId('steps').textContent()).toContain('Passed to the coordinators');

    await e.visit(coordinator, `/volunteering/referrals/${accepted.id}`);
    await e.follow(coordinator, () => coordinator.getByRole('button', { name: 'Mark as started' }).click());
    const summary = await errorSummary(coordinator);
    expect(summary.errors[0]!.text).toBe('Dev Shah cannot start: Minibus escort needs an Enhanced DBS check, and they have no passed DBS check at that level that is still in date');
  });
});
