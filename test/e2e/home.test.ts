import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { errorSummary, flash, navigationItems, startE2E, type E2E } from '../helpers/browser.js';
import { directoryFactories } from '../helpers/directory-factories.js';
import type { TestUser } from '../helpers/factories.js';
import { recordAudit } from '../../src/platform/audit.js';

let e: E2E;
/** One listing with work waiting on it: never checked (due), e-mailed and not answered, with its group's change waiting. */
let lunchClub: { id: string; name: string };
beforeAll(async () => {
  e = await startE2E();
  const d = directoryFactories(e.t.db);
  lunchClub = await d.organisation(e.lio, { name: 'Riverside Lunch Club', lastVerifiedAt: null });
  await d.service(e.lio, { organisationId: lunchClub.id, name: 'Lunch club for older people', description: 'A hot lunch and company every Wednesday.' });
  const now = e.t.clock.now();
  await e.t.db.withTenant(e.lio.id, async (tx) => {
    await tx.insertInto('verification_requests').values({ lio_id: e.lio.id, organisation_id: lunchClub.id, token_hash: 'e2e-home-unanswered', sent_at: new Date(now.getTime() - 86_400_000) }).execute();
    await tx.insertInto('listing_changes').values({
      lio_id: e.lio.id, organisation_id: lunchClub.id, submitted_at: now, changes: JSON.stringify({ phone: { from: null, to: '01632 960 001' } }),
    }).execute();
    await recordAudit(tx, e.lio.id, { userId: null, label: 'Daily verification sweep' }, { action: 'organisation.verification_requested', subjectType: 'organisation', subjectId: lunchClub.id }, now);
  });
});
afterEach(async () => { await e.endTest(); });
afterAll(async () => { await e?.close(); });

const h1 = async (page: Page) => ((await page.getByRole('heading', { level: 1 }).textContent()) ?? '').trim();
const path = (page: Page) => new URL(page.url()).pathname;
const panel = (page: Page, title: string) => page.getByRole('region', { name: title, exact: true });
/** A panel's counts as read: '1 change from a group waits for approval'. */
const counts = async (page: Page, title: string) => (await panel(page, title).locator('.cg-count').allTextContents()).map((c) => c.replace(/\s+/g, ' ').trim());

/** Nothing wraps at a laptop's 1024 px, nothing spills sideways at a phone's 320 px. */
async function checkLayout(page: Page) {
  await page.setViewportSize({ width: 1024, height: 768 });
  const tops = await page.locator('.govuk-service-navigation__item').evaluateAll((items) => items.map((i) => (i as HTMLElement).offsetTop));
  expect(tops.length).toBeGreaterThan(1);
  expect(new Set(tops).size, `service navigation on one line at 1024 px: ${tops.join(', ')}`).toBe(1);
  await page.setViewportSize({ width: 320, height: 640 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth), 'no sideways scroll at 320 px').toBeLessThanOrEqual(320);
  await page.setViewportSize({ width: 1280, height: 800 });
}

async function homeAs(user: Pick<TestUser, 'email' | 'password'>) {
  const page = await e.newPage();
  await e.signIn(page, user);
  expect(path(page)).toBe('/');
  return page;
}

describe('each role\'s home page', () => {
  it('an admin sees the directory work, the month so far, and people and e-mail, and follows a count to its list', async () => {
    const admin = await e.t.make.user(e.lio, { role: 'admin', name: 'Alex Admin' });
    const page = await homeAs(admin);
    expect(await navigationItems(page)).toEqual(['Home', 'Directory', 'Volunteering', 'Support for groups', 'People', 'Admin']);
    expect(await counts(page, 'Directory')).toEqual([
      '1 change from a group waits for approval', '1 listing is due for review', '1 verification e-mail not answered yet', '0 imports refused in the last 30 days',
    ]);
    expect(await panel(page, 'Directory this month').getByText('Services added').count()).toBe(1);
    expect(await counts(page, 'People and e-mail')).toEqual(['0 invitations not accepted yet', '0 e-mails could not be sent']);
    await checkLayout(page);
    // "Signed in as" opens the person's account.
    await e.follow(page, () => page.getByTestId('signed-in-user').click());
    expect(path(page)).toBe('/account');
    await e.visit(page, '/');

    await e.follow(page, () => panel(page, 'Directory').getByRole('link', { name: '1 change from a group waits for approval' }).click());
    expect(path(page)).toBe('/directory/approvals');
    expect(await page.locator('main').textContent()).toContain('Riverside Lunch Club');
    // Inside an area, its pages in a side navigation, this one marked as current.
    const side = page.getByRole('navigation', { name: 'Directory', exact: true });
    expect(await side.locator('[aria-current="page"]').textContent()).toBe('Approvals');
    await checkLayout(page);

    await e.visit(page, '/');
    await e.follow(page, () => panel(page, 'Directory this month').getByRole('link').first().click());
    expect(path(page)).toBe('/directory/changes');

    await e.visit(page, '/');
    await e.follow(page, () => panel(page, 'Directory').getByRole('link', { name: '0 imports refused in the last 30 days' }).click());
    expect(path(page)).toBe('/admin/imports');
    expect(new URL(page.url()).searchParams.get('status')).toBe('rejected');
    const imports = page.getByTestId('imports');
    expect((await imports.locator('caption').textContent())?.trim()).toBe('0 imports refused in the last 30 days');
    expect((await imports.locator('tbody tr').textContent())?.trim()).toBe('No import was refused in the last 30 days.');
  });

  it('an adviser follows the listings due for review', async () => {
    const adviser = await e.t.make.user(e.lio, { role: 'staff', permissionSets: ['adviser'], name: 'Ada Adviser' });
    const page = await homeAs(adviser);
    expect(await counts(page, 'Directory')).toEqual(['1 change from a group waits for approval', '1 listing is due for review', '1 verification e-mail not answered yet']);
    expect(await panel(page, 'Directory this month').count()).toBe(0);
    await e.follow(page, () => page.getByRole('link', { name: '1 listing is due for review' }).click());
    expect(path(page)).toBe('/directory/review');
    expect(await page.getByRole('row').filter({ hasText: 'Riverside Lunch Club' }).count()).toBe(1);
  });

  it('a volunteer coordinator follows the e-mails not answered, and is not offered approvals', async () => {
    const coordinator = await e.t.make.user(e.lio, { role: 'staff', permissionSets: ['volunteer_coordinator'], name: 'Cal Coordinator' });
    const page = await homeAs(coordinator);
    expect(await counts(page, 'Directory')).toEqual(['1 listing is due for review', '1 verification e-mail not answered yet']);
    await e.follow(page, () => page.getByRole('link', { name: '1 verification e-mail not answered yet' }).click());
    expect(path(page)).toBe('/directory/review');
    expect(new URL(page.url()).searchParams.get('show')).toBe('unanswered');
    expect(await h1(page)).toBe('Listings asked and not answered');
    const queue = page.getByTestId('review-queue');
    expect((await queue.locator('caption').textContent())?.trim()).toBe('1 listing asked by email and not answered');
    expect(await queue.locator('tbody tr').count()).toBe(1);
    expect(await queue.getByRole('row').filter({ hasText: 'Riverside Lunch Club' }).count()).toBe(1);
    // And back to the listings due.
    await e.follow(page, () => page.getByRole('link', { name: 'Listings due for review' }).click());
    expect(path(page)).toBe('/directory/review');
    expect(await h1(page)).toBe('Listings to review');
  });

  it('a group member sees their listing and follows the change waiting to it', async () => {
    const member = await e.t.make.user(e.lio, { role: 'group_member', organisationId: lunchClub.id, name: 'Gill Member' });
    const page = await homeAs(member);
    const listing = panel(page, 'Your listing: Riverside Lunch Club');
    expect(await listing.locator('.cg-figures__row').allTextContents()).toEqual(['StatusActive', 'Last checkedNot checked yet', 'Changes waiting for approval1']);
    await checkLayout(page);
    await e.follow(page, () => listing.getByRole('link', { name: '1' }).click());
    expect(path(page)).toBe('/my-organisation');
  });

  for (const [role, title] of [['partner', 'Working with us'], ['network', 'Across our members']] as const) {
    it(`a ${role} reads what they will be able to do`, async () => {
      const user = await e.t.make.user(e.lio, { role, name: `Pat ${role}` });
      const page = await homeAs(user);
      const coming = panel(page, title);
      expect(await coming.locator('li').count()).toBeGreaterThan(1);
      expect(await coming.locator('.cg-count').count()).toBe(0);
      const find = coming.getByRole('link', { name: 'Find local services and groups' });
      if (role === 'network') {
        expect(await find.count()).toBe(0);
      } else {
        await e.follow(page, () => find.click());
        expect(path(page)).toBe('/find');
      }
    });
  }

  it('a visitor finds the LIO\'s front door and searches it for help', async () => {
    const page = await e.newPage();
    await e.visit(page, '/');
    expect(await h1(page)).toBe(e.lio.name);
    expect(await navigationItems(page)).toEqual(['Find local services', 'Sign in']);
    await checkLayout(page);
    const find = page.getByRole('region', { name: 'Find help and services' });
    await find.getByLabel('What are you looking for?').fill('lunch');
    await e.follow(page, () => find.getByRole('button', { name: 'Search' }).click());
    expect(path(page)).toBe('/find');
    expect(new URL(page.url()).searchParams.get('q')).toBe('lunch');
    expect(await page.getByRole('link', { name: 'Lunch club for older people' }).count()).toBe(1);
  });
});

describe('the admin\'s own pages', () => {
  it('an admin writes the front door\'s words and a visitor reads them', async () => {
    const admin = await e.t.make.user(e.lio, { role: 'admin', name: 'Fran Frontdoor' });
    const page = await homeAs(admin);
    await e.openFromMenu(page, 'Admin', 'Public home page');
    expect(await h1(page)).toBe('Your public home page');
    await page.getByLabel('Welcome').fill('');
    await e.follow(page, () => page.getByRole('button', { name: 'Save' }).click());
    expect((await errorSummary(page)).errors).toEqual([{ text: 'Enter a welcome for people who come to your home page', href: '#welcome' }]);

    await page.getByLabel('Welcome').fill('We help the groups of Riverside do more.\n\nPop in to the hub any weekday.');
    await page.getByLabel('About your organisation (optional)').fill('We are a registered charity.');
    await e.follow(page, () => page.getByRole('button', { name: 'Save' }).click());
    expect(await flash(page)).toBe('Your public home page is saved');

    const visitor = await e.newPage();
    await e.visit(visitor, '/');
    expect(await visitor.getByTestId('welcome').locator('p').allTextContents()).toEqual(['We help the groups of Riverside do more.', 'Pop in to the hub any weekday.']);
    expect(await visitor.getByRole('region', { name: `About ${e.lio.name}` }).textContent()).toContain('We are a registered charity.');
  });

  it('an admin filters the audit log by record and downloads what it shows', async () => {
    const admin = await e.t.make.user(e.lio, { role: 'admin', name: 'Aud Itor' });
    const page = await homeAs(admin);
    await e.openFromMenu(page, 'Admin', 'Audit log');
    await page.getByLabel('Record', { exact: true }).fill('lunch club');
    await e.follow(page, () => page.getByRole('button', { name: 'Filter' }).click());
    const rows = page.getByTestId('audit-table').locator('tbody tr');
    expect(await rows.count()).toBe(1);
    expect(await rows.first().getByRole('link', { name: 'Riverside Lunch Club' }).getAttribute('href')).toBe(`/organisations/${lunchClub.id}`);
    expect(await rows.first().textContent()).toContain('Daily verification sweep');

    const downloading = page.waitForEvent('download');
    await page.getByTestId('audit-csv').click();
    const download = await downloading;
    expect(download.suggestedFilename()).toBe('audit-log.csv');
    const csv = await readFile((await download.path())!, 'utf8');
    const lines = csv.trim().split('\r\n');
    expect(lines[0]).toBe('occurred_at,person,recorded_as,action,record_type,record_id,record,detail');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(`organisation.verification_requested,organisation,${lunchClub.id},Riverside Lunch Club`);

    // The download is in the log it came from.
    await e.visit(page, '/admin/audit?action=audit.exported');
    expect(await page.getByTestId('audit-table').locator('tbody tr').first().textContent()).toContain('Aud Itor');
  });
});
