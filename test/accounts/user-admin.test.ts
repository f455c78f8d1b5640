import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { auditEvents, errorSummaryLinks, offeredPages, sessionCount, userRow } from './support.js';

describe('changing roles and access', () => {
  let t: TestContext;
  beforeAll(async () => { t = await createTestApp(); });
  afterAll(async () => { await t.close(); });

  async function setUp() {
    const lio = await t.make.lio();
    const admin = await t.make.user(lio, { role: 'admin', name: 'Ada Admin' });
    const client = new Client(t.app, lio.host);
    await client.signIn(admin.email, admin.password);
    return { lio, admin, client };
  }

  it('changes a user\'s role, which takes effect at their next request, and audits it with from and to', async () => {
    const { lio, admin, client } = await setUp();
    const user = await t.make.user(lio, { role: 'staff', permissionSets: ['adviser'], name: 'Sid Staff' });
    const theirs = new Client(t.app, lio.host);
    await theirs.signIn(user.email, user.password);
    expect(offeredPages(await theirs.get('/')).map((p) => p.text)).toContain('Organisations');

    const page = await client.get(`/admin/users/${user.id}`);
    expect(page.status).toBe(200);
    expect(page.$('h1').text()).toBe('Sid Staff');
    expect(page.$('input[name="role"][value="staff"]').is(':checked')).toBe(true);
    expect(page.$('input[name="permissionSets"][value="adviser"]').is(':checked')).toBe(true);

    const changed = await client.submit(`/admin/users/${user.id}`, `/admin/users/${user.id}/role`, { role: 'volunteer' });
    expect(changed.status).toBe(303);
    expect(changed.location).toBe(`/admin/users/${user.id}`);
    const after = await client.get(`/admin/users/${user.id}`);
    expect(after.$('.govuk-notification-banner').text()).toContain('Role updated');
    expect(after.$('.govuk-summary-list').text()).toContain('Volunteer');
    expect((await userRow(t, lio.id, user.id)).role).toBe('volunteer');
    expect((await userRow(t, lio.id, user.id)).permission_sets).toEqual([]);

    // Their session goes on, with the new role's navigation and permissions.
    const theirHome = await theirs.get('/');
    expect(theirHome.$('[data-testid="role"]').text()).toBe('Volunteer');
    expect(offeredPages(theirHome).map((p) => p.text)).not.toContain('Organisations');
    expect((await theirs.get('/organisations')).status).toBe(403);

    const audited = await auditEvents(t, lio.id, 'user.role_changed');
    expect(audited).toHaveLength(1);
    expect(audited[0]).toMatchObject({ actor_user_id: admin.id, actor_label: admin.email, subject_type: 'user', subject_id: user.id });
    expect(audited[0]!.detail).toEqual({ from: { role: 'staff', permissionSets: ['adviser'] }, to: { role: 'volunteer', permissionSets: [] } });
  });

  it('makes someone staff with permission sets, or a group member of an organisation, and asks for what is missing', async () => {
    const { lio, client } = await setUp();
    const organisation = await t.make.organisation(lio, { name: 'Hillside Allotments' });
    const user = await t.make.user(lio, { role: 'volunteer' });
    const url = `/admin/users/${user.id}`;

    const noSets = await client.submit(url, `${url}/role`, { role: 'staff' });
    expect(noSets.status).toBe(400);
    expect(errorSummaryLinks(noSets)).toEqual([{ href: '#permissionSets', text: 'Select at least one permission set for LIO staff' }]);
    expect(noSets.$('input[name="role"][value="staff"]').is(':checked')).toBe(true);

    expect((await client.submit(url, `${url}/role`, { role: 'staff', permissionSets: ['volunteer_coordinator', 'helpline'] })).status).toBe(303);
    expect((await userRow(t, lio.id, user.id)).permission_sets).toEqual(['volunteer_coordinator', 'helpline']);

    const noOrganisation = await client.submit(url, `${url}/role`, { role: 'group_member' });
    expect(noOrganisation.status).toBe(400);
    expect(errorSummaryLinks(noOrganisation)).toEqual([{ href: '#organisationId', text: 'Select the organisation this group member belongs to' }]);
    const bogus = await client.submit(url, `${url}/role`, { role: 'group_member', organisationId: '------------------------------------' });
    expect(bogus.status).toBe(400);

    expect((await client.submit(url, `${url}/role`, { role: 'group_member', organisationId: organisation.id })).status).toBe(303);
    const row = await userRow(t, lio.id, user.id);
    expect(row).toMatchObject({ role: 'group_member', organisation_id: organisation.id, permission_sets: [] });

    const badRole = await client.submit(url, `${url}/role`, { role: 'owner' });
    expect(badRole.status).toBe(400);
    expect(errorSummaryLinks(badRole)).toEqual([{ href: '#role', text: 'Select a role' }]);
    expect((await userRow(t, lio.id, user.id)).role).toBe('group_member');
    expect(await auditEvents(t, lio.id, 'user.role_changed')).toHaveLength(2);
  });

  it('does not let an admin remove their own admin role', async () => {
    const { lio, admin, client } = await setUp();
    const page = await client.submit(`/admin/users/${admin.id}`, `/admin/users/${admin.id}/role`, { role: 'staff', permissionSets: ['adviser'] });
    expect(page.status).toBe(400);
    expect(errorSummaryLinks(page)).toEqual([{ href: '#role', text: 'You cannot remove your own admin role; ask another admin' }]);
    expect((await userRow(t, lio.id, admin.id)).role).toBe('admin');
    expect(await auditEvents(t, lio.id, 'user.role_changed')).toHaveLength(0);
    expect((await client.get('/admin/users')).status).toBe(200);

    // Another admin may do it.
    const other = await t.make.user(lio, { role: 'admin' });
    const otherClient = new Client(t.app, lio.host);
    await otherClient.signIn(other.email, other.password);
    expect((await otherClient.submit(`/admin/users/${admin.id}`, `/admin/users/${admin.id}/role`, { role: 'staff', permissionSets: ['adviser'] })).status).toBe(303);
    expect((await client.get('/admin/users')).status).toBe(403);
  });

  it('disabling an account ends its sessions and stops sign-in; enabling lets the person back in', async () => {
    const { lio, client } = await setUp();
    const user = await t.make.user(lio, { role: 'partner', name: 'Pat Partner' });
    const theirs = new Client(t.app, lio.host);
    await theirs.signIn(user.email, user.password);
    const cookieBefore = theirs.cookie('cg_session');
    expect(await sessionCount(t, lio.id, user.id)).toBe(1);

    const disabled = await client.submit(`/admin/users/${user.id}`, `/admin/users/${user.id}/disable`, {});
    expect(disabled.status).toBe(303);
    const userPage = await client.get(`/admin/users/${user.id}`);
    expect(userPage.$('.govuk-notification-banner').text()).toContain('Account disabled');
    expect(userPage.$('.govuk-summary-list').text()).toContain('Disabled');
    expect(userPage.$(`form[action="/admin/users/${user.id}/enable"]`).length).toBe(1);
    const list = await client.get('/admin/users');
    const row = list.$(`a[href="/admin/users/${user.id}"]`).closest('tr');
    expect(row.find('.govuk-tag').text().trim()).toBe('Disabled');

    expect(await sessionCount(t, lio.id, user.id)).toBe(0);
    const kicked = await theirs.get('/account');
    expect(kicked.status).toBe(303);
    expect(kicked.location).toBe('/sign-in?returnTo=%2Faccount');
    expect(theirs.cookie('cg_session')).toBe(cookieBefore);
    const refused = await new Client(t.app, lio.host).submit('/sign-in', '/sign-in', { email: user.email, password: user.password });
    expect(refused.status).toBe(400);
    expect(refused.$('.govuk-error-summary').text()).toContain('Enter a correct email address and password');

    const enabled = await client.submit(`/admin/users/${user.id}`, `/admin/users/${user.id}/enable`, {});
    expect(enabled.status).toBe(303);
    expect((await client.get(`/admin/users/${user.id}`)).$('.govuk-notification-banner').text()).toContain('Account enabled');
    expect((await userRow(t, lio.id, user.id)).status).toBe('active');
    await new Client(t.app, lio.host).signIn(user.email, user.password);

    const actions = (await auditEvents(t, lio.id)).map((e) => e.action).filter((a) => a.startsWith('user.'));
    expect(actions).toEqual(['user.disabled', 'user.enabled']);
  });

  it('enabling an invited account that never set a password leaves it invited', async () => {
    const { lio, client } = await setUp();
    const invited = await t.make.user(lio, { status: 'invited', password: null });
    await client.submit(`/admin/users/${invited.id}`, `/admin/users/${invited.id}/disable`, {});
    expect((await userRow(t, lio.id, invited.id)).status).toBe('disabled');
    await client.submit(`/admin/users/${invited.id}`, `/admin/users/${invited.id}/enable`, {});
    expect((await userRow(t, lio.id, invited.id)).status).toBe('invited');
  });

  it('does not let an admin disable their own account', async () => {
    const { lio, admin, client } = await setUp();
    const page = await client.submit(`/admin/users/${admin.id}`, `/admin/users/${admin.id}/disable`, {});
    expect(page.status).toBe(400);
    expect(errorSummaryLinks(page)).toEqual([{ href: '#disable', text: 'You cannot disable your own account' }]);
    expect((await userRow(t, lio.id, admin.id)).status).toBe('active');
    expect((await client.get('/admin/users')).status).toBe(200);
  });

  it('answers an unknown or malformed user id with the 404 page', async () => {
    const { client } = await setUp();
    for (const id of ['00000000-0000-0000-0000-000000000000', '------------------------------------', 'nope']) {
      const page = await client.get(`/admin/users/${id}`);
      expect(page.status, id).toBe(404);
      expect(page.$('h1').text()).toBe('Page not found');
      for (const action of ['role', 'disable', 'enable']) {
        const post = await client.submit('/admin/users', `/admin/users/${id}/${action}`, { role: 'volunteer' });
        expect(post.status, `${action} ${id}`).toBe(404);
      }
    }
  });
});

describe('CSRF protection on admin forms', () => {
  let t: TestContext;
  beforeAll(async () => { t = await createTestApp(); });
  afterAll(async () => { await t.close(); });

  it('refuses role changes, disabling and invitations without a valid CSRF token, and changes nothing', async () => {
    const lio = await t.make.lio();
    const admin = await t.make.user(lio, { role: 'admin' });
    const user = await t.make.user(lio, { role: 'volunteer' });
    const client = new Client(t.app, lio.host);
    await client.signIn(admin.email, admin.password);
    const auditBefore = (await auditEvents(t, lio.id)).length;

    const attempts: [string, Record<string, string | string[]>][] = [
      [`/admin/users/${user.id}/role`, { role: 'admin' }],
      [`/admin/users/${user.id}/disable`, {}],
      ['/admin/users/invite', { displayName: 'Mallory', email: 'mallory@example.org', role: 'admin' }],
    ];
    for (const [url, fields] of attempts) {
      for (const token of [undefined, '', 'forged-token']) {
        const page = await client.postRaw(url, token === undefined ? fields : { ...fields, _csrf: token });
        expect(page.status, `${url} ${token}`).toBe(403);
        expect(page.headers['content-type']).toMatch(/^text\/html/);
        expect(page.$('h1').text()).toContain('Your form could not be accepted');
      }
    }
    // Sent cross-site, without the CSRF cookie at all, but with the admin's session cookie.
    const crossSite = await t.app.inject({
      method: 'POST', url: `/admin/users/${user.id}/role`,
      headers: { host: lio.host, 'content-type': 'application/x-www-form-urlencoded', cookie: `cg_session=${client.cookie('cg_session')}` },
      payload: 'role=admin',
    });
    expect(crossSite.statusCode).toBe(403);

    const row = await userRow(t, lio.id, user.id);
    expect(row.role).toBe('volunteer');
    expect(row.status).toBe('active');
    const invited = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('users').select('id').where('email', '=', 'mallory@example.org').execute());
    expect(invited).toHaveLength(0);
    expect((await auditEvents(t, lio.id)).length).toBe(auditBefore);
    const mail = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('email_messages').select('id').execute());
    expect(mail).toHaveLength(0);
  });
});
