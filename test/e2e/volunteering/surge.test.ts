import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { errorSummary, flash, startE2E, type E2E } from '../../helpers/browser.js';
import { volunteeringFactories } from '../../helpers/volunteering-factories.js';

let e: E2E;
beforeAll(async () => { e = await startE2E(); });
afterEach(async () => { await e.endTest(); });
afterAll(async () => { await e?.close(); });

describe('emergency surge mode and vetting', () => {
  it('an admin turns on surge mode, a person signs up from the front door, a coordinator approves and bulk-assigns, then messages them', async () => {
    const vol = volunteeringFactories(e.t.db);
    await vol.volunteer(e.lio, { fullName: 'Rita Reserve', emergencyReserve: true });
    await e.t.make.organisation(e.lio, { name: 'Riverside Food Bank' });

    const admin = await e.t.make.user(e.lio, { role: 'admin', name: 'Ada Admin' });
    const adminPage = await e.newPage();
    await e.signIn(adminPage, admin);
    await e.visit(adminPage, '/volunteering/surge');
    await adminPage.getByLabel('On', { exact: true }).check();
    await adminPage.getByLabel('What the front door says while it is on').fill('Help us respond to the flooding in Riverside');
    await e.follow(adminPage, () => adminPage.getByRole('button', { name: 'Save' }).click());
    expect(await flash(adminPage)).toContain('Emergency surge mode is on');

    const visitor = await e.newPage();
    await e.visit(visitor, '/');
    await e.follow(visitor, () => visitor.getByRole('link', { name: 'Sign up to help in the emergency' }).click());
    expect(await visitor.getByTestId('surge-message').textContent()).toContain('flooding in Riverside');
    await e.follow(visitor, () => visitor.getByRole('button', { name: 'Sign up' }).click());
    expect((await errorSummary(visitor)).errors.map((x) => x.href)).toEqual(['#fullName', '#email', '#postcode', '#skills', '#consent']);
    await visitor.getByLabel('Full name').fill('Nia Evans');
    await visitor.getByLabel('Email address').fill('nia.evans@example.net');
    await visitor.getByLabel('Postcode').fill('RV1 2AB');
    await visitor.getByLabel('Driving').check();
    await visitor.getByLabel(/I agree/).check();
    await e.follow(visitor, () => visitor.getByRole('button', { name: 'Sign up' }).click());
    expect(await visitor.getByRole('heading', { level: 1 }).textContent()).toContain('You have signed up');
    expect(await visitor.locator('main').textContent()).toContain('Now confirm your email address');
    // Held until the person follows the e-mailed link; then matched and made a volunteer. The spent link says so clearly.
    const mail = await e.t.db.withTenant(e.lio.id, (tx) => tx.selectFrom('email_messages').select('body_text').where('to_address', '=', 'nia.evans@example.net').executeTakeFirstOrThrow());
    const link = /\/volunteer\/surge\/confirm\/\S+/.exec(mail.body_text)![0];
    await e.visit(visitor, link);
    expect(await visitor.locator('main').textContent()).toContain('Your email address is confirmed');
    expect((await e.visit(visitor, link))!.status()).toBe(404);
    expect(await visitor.getByRole('heading', { level: 1 }).textContent()).toContain('This link does not work');

    const coordinator = await e.t.make.user(e.lio, { role: 'staff', permissionSets: ['volunteer_coordinator'], name: 'Cora Coordinator' });
    const page = await e.newPage();
    await e.signIn(page, coordinator);
    await e.follow(page, () => page.getByRole('link', { name: /Surge sign-ups to vet/ }).first().click());
    await page.getByLabel('Select Nia Evans').check();
    await page.getByLabel('Approve: ready to be sent').check();
    await e.follow(page, () => page.getByRole('button', { name: 'Save decisions' }).click());
    expect(await flash(page)).toBe('1 volunteer approved');

    await e.follow(page, () => page.getByRole('link', { name: 'Assign volunteers' }).click());
    await page.getByLabel('Select Nia Evans').check();
    await page.getByLabel('Select Rita Reserve').check();
    await page.getByLabel('A locality').check();
    await page.getByLabel('Locality', { exact: true }).fill('Riverside North');
    await e.follow(page, () => page.getByRole('button', { name: 'Assign' }).click());
    expect(await flash(page)).toBe('2 volunteers assigned to Riverside North');

    await e.follow(page, () => page.getByRole('link', { name: 'Message volunteers' }).click());
    await page.getByLabel('Volunteers assigned to a locality').check();
    await page.getByLabel('Locality', { exact: true }).fill('Riverside North');
    await page.getByLabel('Subject').fill('Sandbags at 8am');
    await page.getByLabel('Message', { exact: true }).fill('Meet at the community centre.');
    await e.follow(page, () => page.getByRole('button', { name: 'Send message' }).click());
    expect(await flash(page)).toBe('Message queued to 2 volunteers');
    expect(await page.getByTestId('sent').textContent()).toContain('volunteers assigned to Riverside North');
  });

  it('a coordinator records a DBS check and sees it in the list of checks lapsing soon', async () => {
    const vol = volunteeringFactories(e.t.db);
    const v = await vol.volunteer(e.lio, { fullName: 'Dev Patel' });
    const coordinator = await e.t.make.user(e.lio, { role: 'staff', permissionSets: ['volunteer_coordinator'] });
    const page = await e.newPage();
    await e.signIn(page, coordinator);
    await e.visit(page, `/volunteering/volunteers/${v.id}/vetting`);
    await page.getByLabel('DBS check', { exact: true }).check();
    await e.follow(page, () => page.getByRole('button', { name: 'Record check' }).click());
    expect((await errorSummary(page)).errors.map((x) => x.href)).toEqual(expect.arrayContaining(['#dbsLevel', '#certificateNumber']));
    await page.getByLabel('Enhanced DBS check').check();
    await page.getByLabel('Certificate number (DBS checks only)').fill('001234567890');
    const lapse = new Date(Date.now() + 40 * 86_400_000);
    const issued = page.getByRole('group', { name: /Date of issue/ });
    await issued.getByLabel('Day').fill('3');
    await issued.getByLabel('Month').fill('3');
    await issued.getByLabel('Year').fill('2024');
    const lapses = page.getByRole('group', { name: /When it lapses/ });
    await lapses.getByLabel('Day').fill(String(lapse.getUTCDate()));
    await lapses.getByLabel('Month').fill(String(lapse.getUTCMonth() + 1));
    await lapses.getByLabel('Year').fill(String(lapse.getUTCFullYear()));
    await page.getByLabel('Passed', { exact: true }).check();
    await e.follow(page, () => page.getByRole('button', { name: 'Record check' }).click());
    expect(await flash(page)).toBe('Check recorded');
    expect(await page.getByTestId('checks').textContent()).toContain('001234567890');
    await e.visit(page, '/volunteering/vetting');
    expect(await page.getByTestId('lapsing').textContent()).toContain('Dev Patel');
  });
});
