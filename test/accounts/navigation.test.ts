import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import type { Role } from '../../src/platform/db/schema.js';
import { auditEvents, navLinks, offeredPages } from './support.js';

const ADMIN_PAGES = ['/admin/users', '/admin/users/invite', '/admin/audit', '/admin/audit.csv', '/admin/outbox', '/admin/api-tokens', '/admin/front-door'];

/** The core pages: admin is offered all of them; each other role only those it may use. */
const CORE_PAGES = ['Organisations', 'Users', 'Audit log', 'Outbox', 'API tokens', 'Public home page'];
const EXPECTED: Record<Role, { areas: string[]; pages: string[] }> = {
  admin: { areas: ['Home', 'Directory', 'Volunteering', 'Support for groups', 'People', 'Admin'], pages: CORE_PAGES },
  // Support for groups: any role but partner and network may book places on courses ('training.book'); staff (an adviser,
  // as the factory makes them) and admin also work cases and funding there.
  staff: { areas: ['Home', 'Directory', 'Support for groups', 'People'], pages: ['Organisations'] },
  group_member: { areas: ['Home', 'Directory', 'Volunteering', 'Support for groups'], pages: [] },
  volunteer: { areas: ['Home', 'Directory', 'Volunteering', 'Support for groups'], pages: [] },
  partner: { areas: ['Home', 'Directory'], pages: [] },
  network: { areas: ['Home', 'Directory'], pages: [] },
};
const ROLES = Object.keys(EXPECTED) as Role[];

describe('navigation and access by role', () => {
  let t: TestContext;
  beforeAll(async () => { t = await createTestApp(); });
  afterAll(async () => { await t.close(); });

  it('shows each of the six roles only the areas and pages it can use: every page offered opens in its area, every other one is refused', async () => {
    const lio = await t.make.lio();
    const clients = new Map<Role, Client>();
    const offered = new Map<Role, ReturnType<typeof offeredPages>>();
    for (const role of ROLES) {
      const user = await t.make.user(lio, { role });
      const client = new Client(t.app, lio.host);
      await client.signIn(user.email, user.password);
      const home = await client.get('/');
      expect(home.status).toBe(200);
      clients.set(role, client);
      expect(navLinks(home), role).toEqual(EXPECTED[role].areas);
      // The name in the header opens the person's own account.
      expect(home.$('[data-testid="signed-in-user"]').attr('href'), role).toBe('/account');
      const pages = offeredPages(home);
      offered.set(role, pages);
      expect(pages.map((p) => p.text).filter((n) => CORE_PAGES.includes(n)), role).toEqual(EXPECTED[role].pages);
      // Each area the navigation shows opens at the first page the home page offers in it.
      for (const area of EXPECTED[role].areas.filter((a) => a !== 'Home')) {
        expect(home.$(`.govuk-service-navigation__list a:contains("${area}")`).attr('href'), `${role} ${area}`).toBe(pages.find((p) => p.area === area)!.href);
      }
    }
    const everyPage = new Map([...offered.values()].flat().map((l) => [l.href, l]));
    for (const role of ROLES) {
      const client = clients.get(role)!;
      const own = new Set(offered.get(role)!.map((l) => l.href));
      for (const [href, link] of everyPage) {
        const page = await client.get(href);
        if (!CORE_PAGES.includes(link.text)) {
          // Pages outside the core must at least not contradict the navigation.
          expect(page.status, `${role} and ${link.text}`).not.toBe(own.has(href) ? 403 : 200);
          continue;
        }
        if (own.has(href)) {
          expect(page.status, `${role} follows ${link.text}`).toBe(200);
          expect(page.$('.govuk-service-navigation__item--active').text().trim(), `${role} on ${href}`).toBe(link.area);
        } else {
          expect(page.status, `${role} is refused ${link.text}`).toBe(403);
        }
      }
    }
  });

  it('shows a signed-out visitor the sign-in link and nothing that needs an account', async () => {
    const lio = await t.make.lio();
    const page = await new Client(t.app, lio.host).get('/');
    expect(navLinks(page)).toContain('Sign in');
    for (const text of ['Directory', 'Admin', ...CORE_PAGES]) expect(navLinks(page)).not.toContain(text);
  });

  for (const role of ['staff', 'group_member', 'volunteer', 'partner', 'network'] as const) {
    it(`gives ${role} the 403 page for every admin page, and audits each refusal`, async () => {
      const lio = await t.make.lio();
      const user = await t.make.user(lio, { role });
      const client = new Client(t.app, lio.host);
      await client.signIn(user.email, user.password);
      for (const url of ADMIN_PAGES) {
        const page = await client.get(url);
        expect(page.status, url).toBe(403);
        expect(page.headers['content-type']).toMatch(/^text\/html/);
        expect(page.$('h1').text()).toBe('You cannot see this page');
        expect(page.$('main').text()).toContain('The attempt has been recorded');
        // Still signed in, with the usual navigation.
        expect(page.$('[data-testid="signed-in-user"]').length).toBe(1);
      }
      const denied = await auditEvents(t, lio.id, 'access.denied');
      expect(denied).toHaveLength(ADMIN_PAGES.length);
      expect(denied[0]).toMatchObject({ actor_user_id: user.id, actor_label: user.email, subject_type: 'route', subject_id: '/admin/users' });
      expect(denied[0]!.detail).toMatchObject({ method: 'GET', permission: 'users.manage' });
    });
  }

  it('refuses a non-admin\'s form post to an admin action, even with a valid CSRF token', async () => {
    const lio = await t.make.lio();
    const admin = await t.make.user(lio, { role: 'admin' });
    const staff = await t.make.user(lio, { role: 'staff' });
    const client = new Client(t.app, lio.host);
    await client.signIn(staff.email, staff.password);
    const attempts: [string, Record<string, string>][] = [
      ['/admin/users/invite', { displayName: 'Sneaky', email: 'sneaky@example.org', role: 'admin' }],
      [`/admin/users/${staff.id}/role`, { role: 'admin' }],
      [`/admin/users/${admin.id}/disable`, {}],
    ];
    for (const [url, fields] of attempts) {
      const page = await client.submit('/', url, fields);
      expect(page.status, url).toBe(403);
      expect(page.$('h1').text()).toBe('You cannot see this page');
    }
    const rows = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('users').select(['id', 'role', 'status', 'email']).execute());
    expect(rows.find((r) => r.id === staff.id)!.role).toBe('staff');
    expect(rows.find((r) => r.id === admin.id)!.status).toBe('active');
    expect(rows.some((r) => r.email === 'sneaky@example.org')).toBe(false);
    const denied = await auditEvents(t, lio.id, 'access.denied');
    expect(denied.map((d) => (d.detail as { method: string }).method)).toEqual(['POST', 'POST', 'POST']);
  });

  it('sends a signed-out visitor to sign in, remembering where they were going', async () => {
    const lio = await t.make.lio();
    const admin = await t.make.user(lio, { role: 'admin' });
    const client = new Client(t.app, lio.host);
    for (const url of [...ADMIN_PAGES, '/account', '/organisations', '/admin/audit?action=sign_in&from=2026-01-01']) {
      const page = await client.get(url);
      expect(page.status, url).toBe(303);
      expect(page.location, url).toBe(`/sign-in?returnTo=${encodeURIComponent(url)}`);
    }
    // A form post while signed out is not replayed after sign-in.
    const post = await client.submit('/sign-in', '/admin/users/invite', { displayName: 'X', email: 'x@example.org', role: 'volunteer' });
    expect(post.status).toBe(303);
    expect(post.location).toBe('/sign-in');
    expect(await auditEvents(t, lio.id, 'access.denied')).toHaveLength(0);

    const target = '/admin/audit?action=sign_in&from=2026-01-01';
    const back = await client.submit(`/sign-in?returnTo=${encodeURIComponent(target)}`, '/sign-in', { email: admin.email, password: admin.password, returnTo: target });
    expect(back.location).toBe(target);
    expect((await client.get(back.location!)).status).toBe(200);
  });
});
