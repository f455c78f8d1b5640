import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { Client, type Page } from '../helpers/client.js';
import { linksIn, startSmtpServer } from '../helpers/smtp.js';
import { auditEvents, errorSummaryLinks, pathOf } from './support.js';

const PASSWORD = 'my own chosen passphrase';

/** The row of the users table for an email address, as the admin reads it. */
function userListRow(page: Page, email: string) {
  const row = page.$('table.govuk-table tbody tr').toArray().find((tr) => page.$(tr).find('td').eq(1).text().trim() === email);
  if (!row) return null;
  const cells = page.$(row).find('td').toArray().map((td) => page.$(td).text().replace(/\s+/g, ' ').trim());
  return { name: cells[0], email: cells[1], role: cells[2], status: cells[3], lastSignIn: cells[4] };
}

describe('inviting people', () => {
  let t: TestContext;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  beforeAll(async () => {
    smtp = await startSmtpServer();
    t = await createTestApp({ env: { SMTP_URL: smtp.url } });
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  async function adminOf(lio: { id: string; host: string }) {
    const admin = await t.make.user(lio, { role: 'admin', name: 'Ada Admin' });
    const client = new Client(t.app, lio.host);
    await client.signIn(admin.email, admin.password);
    return { admin, client };
  }

  async function inviteLink(email: string): Promise<string> {
    await t.app.jobs.drain();
    const mail = await smtp.waitFor(email);
    const link = linksIn(mail.raw).find((l) => l.includes('/accept-invite/'));
    expect(link).toBeDefined();
    return pathOf(link!);
  }

  it('invites a member of staff with permission sets, who sets a password by the e-mailed link and signs in', async () => {
    const lio = await t.make.lio({ name: 'Brookside CVS' });
    const { client } = await adminOf(lio);
    const form = await client.get('/admin/users/invite');
    expect(form.status).toBe(200);
    expect(form.$('h1').text()).toBe('Invite a user');

    const sent = await client.submit('/admin/users/invite', '/admin/users/invite', {
      displayName: 'Sally Staff', email: 'sally.staff@example.org', role: 'staff', permissionSets: ['adviser', 'helpline'],
    });
    expect(sent.status).toBe(303);
    expect(sent.location).toBe('/admin/users');
    const list = await client.get('/admin/users');
    expect(list.$('.govuk-notification-banner').text()).toContain('Invitation sent to sally.staff@example.org');
    expect(userListRow(list, 'sally.staff@example.org')).toMatchObject({ name: 'Sally Staff', role: 'LIO staff (Adviser, Helpline)', status: 'Invited', lastSignIn: 'Never' });

    // Not yet able to sign in: there is no password.
    expect((await new Client(t.app, lio.host).submit('/sign-in', '/sign-in', { email: 'sally.staff@example.org', password: PASSWORD })).status).toBe(400);

    const mail = await (async () => { await t.app.jobs.drain(); return smtp.waitFor('sally.staff@example.org'); })();
    expect(mail.raw).toContain('Subject: You have been invited to Brookside CVS on Common Ground');
    expect(mail.raw).toContain('Ada Admin has invited you');
    const path = await inviteLink('sally.staff@example.org');
    expect(path).toMatch(/^\/accept-invite\/[A-Za-z0-9_-]{40,}$/);

    const invitee = new Client(t.app, lio.host);
    const setup = await invitee.get(path);
    expect(setup.status).toBe(200);
    expect(setup.$('h1').text()).toBe('Set up your account');
    expect(setup.$('main').text()).toContain('sally.staff@example.org');
    const mismatch = await invitee.submit(path, path, { password: PASSWORD, confirmPassword: 'not the same thing' });
    expect(mismatch.status).toBe(400);
    expect(errorSummaryLinks(mismatch)).toEqual([{ href: '#confirmPassword', text: 'The passwords do not match' }]);
    const done = await invitee.submit(path, path, { password: PASSWORD, confirmPassword: PASSWORD });
    expect(done.status).toBe(303);
    expect(done.location).toBe('/sign-in');
    expect((await invitee.get('/sign-in')).$('.govuk-notification-banner').text()).toContain('Your account is ready');

    await invitee.signIn('sally.staff@example.org', PASSWORD);
    const home = await invitee.get('/');
    expect(home.$('[data-testid="signed-in-user"]').text()).toBe('Sally Staff');
    expect(home.$('[data-testid="role"]').text()).toBe('LIO staff');
    expect(home.$('main').text()).toContain('Adviser, Helpline');

    const after = await client.get('/admin/users');
    expect(userListRow(after, 'sally.staff@example.org')).toMatchObject({ status: 'Active' });
    expect(userListRow(after, 'sally.staff@example.org')!.lastSignIn).not.toBe('Never');

    // The link works once.
    const reused = await new Client(t.app, lio.host).get(path);
    expect(reused.status).toBe(410);
    expect(reused.$('h1').text()).toBe('This link has already been used');

    const invited = await auditEvents(t, lio.id, 'user.invited');
    expect(invited).toHaveLength(1);
    expect(invited[0]!.detail).toEqual({ role: 'staff', permissionSets: ['adviser', 'helpline'] });
    expect(await auditEvents(t, lio.id, 'invite.accepted')).toHaveLength(1);
  });

  it('invites a group member linked to an organisation', async () => {
    const lio = await t.make.lio();
    const organisation = await t.make.organisation(lio, { name: 'Riverside Food Bank' });
    const { client } = await adminOf(lio);
    const form = await client.get('/admin/users/invite');
    expect(form.$(`#organisationId option[value="${organisation.id}"]`).text()).toBe('Riverside Food Bank');
    const sent = await client.submit('/admin/users/invite', '/admin/users/invite', {
      displayName: 'Gita Group', email: 'gita@example.org', role: 'group_member', organisationId: organisation.id,
    });
    expect(sent.status).toBe(303);
    const list = await client.get('/admin/users');
    expect(userListRow(list, 'gita@example.org')).toMatchObject({ role: 'Group member – Riverside Food Bank', status: 'Invited' });

    const path = await inviteLink('gita@example.org');
    const invitee = new Client(t.app, lio.host);
    expect((await invitee.submit(path, path, { password: PASSWORD, confirmPassword: PASSWORD })).status).toBe(303);
    await invitee.signIn('gita@example.org', PASSWORD);
    expect((await invitee.get('/')).$('[data-testid="role"]').text()).toBe('Group member');
  });

  it('invites each other role', async () => {
    const lio = await t.make.lio();
    const { client } = await adminOf(lio);
    for (const [role, label] of [['admin', 'LIO admin'], ['volunteer', 'Volunteer'], ['partner', 'Partner'], ['network', 'Network']] as const) {
      const email = `${role}.invitee@example.org`;
      // Permission sets belong to staff only and are dropped for anyone else.
      const sent = await client.submit('/admin/users/invite', '/admin/users/invite', { displayName: `New ${role}`, email, role, permissionSets: ['adviser'] });
      expect(sent.status, role).toBe(303);
      expect(userListRow(await client.get('/admin/users'), email)).toMatchObject({ role: label, status: 'Invited' });
    }
  });

  it('refuses a duplicate email address in any letter case, and a malformed one, with field errors', async () => {
    const lio = await t.make.lio();
    const { client } = await adminOf(lio);
    await t.make.user(lio, { email: 'existing.person@example.org' });

    const duplicate = await client.submit('/admin/users/invite', '/admin/users/invite', { displayName: 'Someone', email: 'Existing.Person@EXAMPLE.org', role: 'volunteer' });
    expect(duplicate.status).toBe(400);
    expect(errorSummaryLinks(duplicate)).toEqual([{ href: '#email', text: 'There is already an account with this email address' }]);
    expect(duplicate.$('#email-error').text()).toContain('There is already an account');
    // What was typed is kept.
    expect(duplicate.$('#displayName').val()).toBe('Someone');
    expect(duplicate.$('#email').val()).toBe('Existing.Person@EXAMPLE.org');
    expect(duplicate.$('input[name="role"][value="volunteer"]').is(':checked')).toBe(true);

    const malformed = await client.submit('/admin/users/invite', '/admin/users/invite', { displayName: 'Someone', email: 'someone at example', role: 'volunteer' });
    expect(malformed.status).toBe(400);
    expect(errorSummaryLinks(malformed)).toEqual([{ href: '#email', text: 'Enter an email address in the correct format, like name@example.org' }]);

    // Inviting the same new address twice: the second is a duplicate.
    expect((await client.submit('/admin/users/invite', '/admin/users/invite', { displayName: 'Twice', email: 'twice@example.org', role: 'partner' })).status).toBe(303);
    expect((await client.submit('/admin/users/invite', '/admin/users/invite', { displayName: 'Twice', email: 'TWICE@example.org', role: 'partner' })).status).toBe(400);

    const users = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('users').select('email').execute());
    expect(users.filter((u) => u.email.toLowerCase() === 'existing.person@example.org')).toHaveLength(1);
    expect(users.filter((u) => u.email.toLowerCase() === 'twice@example.org')).toHaveLength(1);
  });

  it('asks for what is missing: organisation for a group member, permission sets for staff, a role, a name', async () => {
    const lio = await t.make.lio();
    const { client } = await adminOf(lio);

    const noOrganisation = await client.submit('/admin/users/invite', '/admin/users/invite', { displayName: 'Gus', email: 'gus@example.org', role: 'group_member' });
    expect(noOrganisation.status).toBe(400);
    expect(errorSummaryLinks(noOrganisation)).toEqual([{ href: '#organisationId', text: 'Select the organisation this group member belongs to' }]);
    expect(noOrganisation.$('#organisationId-error').length).toBe(1);

    const noSets = await client.submit('/admin/users/invite', '/admin/users/invite', { displayName: 'Stan', email: 'stan@example.org', role: 'staff' });
    expect(noSets.status).toBe(400);
    expect(errorSummaryLinks(noSets)).toEqual([{ href: '#permissionSets', text: 'Select at least one permission set for LIO staff' }]);

    const badSet = await client.submit('/admin/users/invite', '/admin/users/invite', { displayName: 'Stan', email: 'stan@example.org', role: 'staff', permissionSets: ['superuser'] });
    expect(badSet.status).toBe(400);
    expect(errorSummaryLinks(badSet).map((l) => l.href)).toEqual(['#permissionSets']);

    const nothing = await client.submit('/admin/users/invite', '/admin/users/invite', {});
    expect(nothing.status).toBe(400);
    expect(errorSummaryLinks(nothing).map((l) => l.href)).toEqual(['#displayName', '#email', '#role']);

    const badRole = await client.submit('/admin/users/invite', '/admin/users/invite', { displayName: 'Rita', email: 'rita@example.org', role: 'superadmin' });
    expect(badRole.status).toBe(400);
    expect(errorSummaryLinks(badRole)).toEqual([{ href: '#role', text: 'Select a role' }]);

    expect(await t.db.withTenant(lio.id, (tx) => tx.selectFrom('users').select('id').where('email', 'in', ['gus@example.org', 'stan@example.org', 'rita@example.org']).execute())).toHaveLength(0);
    expect(smtp.received.some((m) => m.to.some((to) => ['gus@example.org', 'stan@example.org', 'rita@example.org'].includes(to)))).toBe(false);
  });

  it('refuses an organisation that is malformed or belongs to another LIO, without a 500', async () => {
    const lio = await t.make.lio();
    const other = await t.make.lio();
    const foreign = await t.make.organisation(other, { name: 'Elsewhere Group' });
    const { client } = await adminOf(lio);
    for (const organisationId of [foreign.id, '------------------------------------', 'not-a-uuid', '00000000-0000-0000-0000-000000000000']) {
      const page = await client.submit('/admin/users/invite', '/admin/users/invite', { displayName: 'Gail', email: 'gail@example.org', role: 'group_member', organisationId });
      expect(page.status, organisationId).toBe(400);
      expect(errorSummaryLinks(page).map((l) => l.href)).toEqual(['#organisationId']);
    }
    expect((await client.get('/admin/users/invite')).$('#organisationId').text()).not.toContain('Elsewhere Group');
  });

  it('answers over-long fields with field errors, not a 500', async () => {
    const lio = await t.make.lio();
    const { client } = await adminOf(lio);
    const page = await client.submit('/admin/users/invite', '/admin/users/invite', {
      displayName: 'N'.repeat(10_000), email: `${'e'.repeat(300)}@example.org`, role: 'volunteer',
    });
    expect(page.status).toBe(400);
    expect(errorSummaryLinks(page)).toEqual([
      { href: '#displayName', text: 'Their full name must be 120 characters or fewer' },
      { href: '#email', text: 'The email address must be 254 characters or fewer' },
    ]);
    const exactly = await client.submit('/admin/users/invite', '/admin/users/invite', { displayName: 'N'.repeat(120), email: 'long.name@example.org', role: 'volunteer' });
    expect(exactly.status).toBe(303);
  });

  it('expires an invitation link after 7 days', async () => {
    const lio = await t.make.lio();
    const { client } = await adminOf(lio);
    await client.submit('/admin/users/invite', '/admin/users/invite', { displayName: 'Late Larry', email: 'late.larry@example.org', role: 'volunteer' });
    const path = await inviteLink('late.larry@example.org');
    t.clock.advance(7 * 86_400_000 + 60_000);
    const page = await new Client(t.app, lio.host).get(path);
    expect(page.status).toBe(410);
    expect(page.$('h1').text()).toBe('This link has expired');
    expect(page.$('main').text()).toContain('Ask an admin');
    // The same token is no good as a reset link either.
    expect((await new Client(t.app, lio.host).get(path.replace('/accept-invite/', '/reset-password/'))).status).toBe(404);
  });
});
