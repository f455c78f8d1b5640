import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { Client, type Page, errorSummary } from '../helpers/client.js';
import { directoryFactories, type DirectoryFactories } from '../helpers/directory-factories.js';
import { linksIn, startSmtpServer } from '../helpers/smtp.js';
import { hashSecret } from '../../src/platform/auth/secrets.js';

type Lio = Awaited<ReturnType<TestContext['make']['lio']>>;
const DAY = 86_400_000;

const summary = (page: Page) => errorSummary(page).map((e) => e.href);
const queueNames = (page: Page) => page.$('[data-testid="review-queue"] tbody td:first-child a').toArray().map((a) => page.$(a).text().trim());
const pathOf = (link: string) => { const u = new URL(link); return `${u.pathname}${u.search}`; };

function helpers(get: () => TestContext) {
  return {
    async signedIn(lio: Lio, overrides: Parameters<TestContext['make']['user']>[1] = {}) {
      const user = await get().make.user(lio, overrides);
      const client = new Client(get().app, lio.host);
      await client.signIn(user.email, user.password);
      return { user, client };
    },
    rowOf: (lio: Lio, id: string) => get().db.withTenant(lio.id, (tx) => tx.selectFrom('organisations').selectAll().where('id', '=', id).executeTakeFirstOrThrow()),
    eventsOf: (lio: Lio, id: string, kind: string) => get().db.withTenant(lio.id, (tx) => tx.selectFrom('organisation_events').selectAll().where('organisation_id', '=', id).where('kind', '=', kind).execute()),
    clearEmail: (lio: Lio, id: string) => get().db.withTenant(lio.id, (tx) => tx.updateTable('organisations').set({ email: null }).where('id', '=', id).execute()),
    requestsOf: (lio: Lio, id: string) => get().db.withTenant(lio.id, (tx) => tx.selectFrom('verification_requests').selectAll().where('organisation_id', '=', id).orderBy('sent_at').execute()),
  };
}

describe('the review queue', () => {
  let t: TestContext;
  let d: DirectoryFactories;
  beforeAll(async () => { t = await createTestApp(); d = directoryFactories(t.db); });
  afterAll(async () => { await t.close(); });
  const h = helpers(() => t);

  it('holds listings never verified or verified longer ago than the LIO’s period, and moves with time', async () => {
    const lio = await t.make.lio();
    const now = t.clock.now().getTime();
    await d.organisation(lio, { name: 'Just Checked', lastVerifiedAt: new Date(now) });
    await d.organisation(lio, { name: 'Never Checked', lastVerifiedAt: null });
    await d.organisation(lio, { name: 'Eleven Months', lastVerifiedAt: new Date(now - 335 * DAY) });
    const noEmail = await d.organisation(lio, { name: 'Two Years', lastVerifiedAt: new Date(now - 730 * DAY) });
    await h.clearEmail(lio, noEmail.id);
    await d.organisation(lio, { name: 'Closed Down', lastVerifiedAt: null, status: 'closed' });
    const merged = await d.organisation(lio, { name: 'Merged Away', lastVerifiedAt: null });
    await t.db.withTenant(lio.id, (tx) => tx.updateTable('organisations').set({ merged_into_id: merged.id }).where('id', '=', merged.id).execute());
    const { client, user } = await h.signedIn(lio);

    const page = await client.get('/directory/review');
    expect(page.status).toBe(200);
    expect(queueNames(page)).toEqual(['Never Checked', 'Two Years']);
    expect(page.$('[data-testid="review-queue"] caption').text()).toContain('2 listings due for review');
    expect(page.$('main').text().replace(/\s+/g, ' ')).toContain('1 of the 2 due listings has an email address');
    expect(page.$('main').text()).toContain('No email address');

    // Sessions time out while the clock moves on: sign in again each time.
    t.clock.advance(40 * DAY);
    await client.signIn(user.email, user.password);
    expect(queueNames(await client.get('/directory/review'))).toEqual(['Never Checked', 'Two Years', 'Eleven Months']);
    t.clock.advance(330 * DAY);
    await client.signIn(user.email, user.password);
    expect(queueNames(await client.get('/directory/review'))).toEqual(['Never Checked', 'Two Years', 'Eleven Months', 'Just Checked']);
  });

  it('lets staff mark a listing verified, which takes it off the queue with a timeline entry', async () => {
    const lio = await t.make.lio();
    const org = await d.organisation(lio, { name: 'Canalside Men’s Shed', lastVerifiedAt: null });
    const { client, user } = await h.signedIn(lio, { name: 'Ben Okafor' });
    const res = await client.submit('/directory/review', `/organisations/${org.id}/verify`, { returnTo: 'review' });
    expect(res.status).toBe(303);
    expect(res.location).toBe('/directory/review');
    expect((await h.rowOf(lio, org.id)).last_verified_at).toEqual(t.clock.now());
    const events = await h.eventsOf(lio, org.id, 'verified');
    expect(events.map((e) => e.actor_label)).toEqual(['Ben Okafor']);
    const page = await client.get('/directory/review');
    expect(page.$('.govuk-notification-banner').text()).toContain('Canalside Men’s Shed marked as verified');
    expect(queueNames(page)).toEqual([]);
    const audit = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('audit_events').selectAll().where('action', '=', 'organisation.verified').execute());
    expect(audit.map((a) => [a.subject_id, a.actor_user_id])).toEqual([[org.id, user.id]]);
    // From the organisation page it goes back there.
    const fromPage = await client.submit(`/organisations/${org.id}`, `/organisations/${org.id}/verify`, {});
    expect(fromPage.location).toBe(`/organisations/${org.id}`);
  });

  it('lets read-only staff see the queue without its buttons, and keeps group members out', async () => {
    const lio = await t.make.lio();
    const org = await d.organisation(lio, { name: 'Due Group', lastVerifiedAt: null });
    const helpline = await h.signedIn(lio, { role: 'staff', permissionSets: ['helpline'] });
    const page = await helpline.client.get('/directory/review');
    expect(queueNames(page)).toEqual(['Due Group']);
    expect(page.$('form[action="/directory/review/send"], form[action$="/verify"]').length).toBe(0);
    expect((await helpline.client.submit('/directory/review', `/organisations/${org.id}/verify`, {})).status).toBe(403);
    expect((await helpline.client.submit('/directory/review', '/directory/review/send', {})).status).toBe(403);
    const member = await h.signedIn(lio, { role: 'group_member' });
    expect((await member.client.get('/directory/review')).status).toBe(403);
    expect((await h.rowOf(lio, org.id)).last_verified_at).toBeNull();
  });

  it('has an admin setting for the verification period, validated, audited and kept to the LIO', async () => {
    const lio = await t.make.lio();
    const other = await t.make.lio();
    const now = t.clock.now().getTime();
    await d.organisation(lio, { name: 'Seven Months', lastVerifiedAt: new Date(now - 213 * DAY) });
    const admin = await h.signedIn(lio, { role: 'admin' });
    const staff = await h.signedIn(lio);
    expect((await staff.client.get('/directory/settings')).status).toBe(403);
    expect(queueNames(await admin.client.get('/directory/review'))).toEqual([]);

    const form = await admin.client.get('/directory/settings');
    expect(form.$('#verificationMonths').val()).toBe('12');
    for (const bad of ['', '0', '61', 'six', '2.5', '-3']) {
      const res = await admin.client.submit('/directory/settings', '/directory/settings', { verificationMonths: bad });
      expect(res.status, bad).toBe(400);
      expect(summary(res)).toEqual(['#verificationMonths']);
      expect(res.$('#verificationMonths').val()).toBe(bad);
    }
    const saved = await admin.client.submit('/directory/settings', '/directory/settings', { verificationMonths: '6' });
    expect(saved.status).toBe(303);
    expect(saved.location).toBe('/directory/review');
    const queue = await admin.client.get('/directory/review');
    expect(queueNames(queue)).toEqual(['Seven Months']);
    expect(queue.$('main').text()).toContain('for 6 months');
    const lios = await t.db.system.selectFrom('lios').select(['id', 'verification_months']).where('id', 'in', [lio.id, other.id]).execute();
    expect(Object.fromEntries(lios.map((l) => [l.id, l.verification_months]))).toEqual({ [lio.id]: 6, [other.id]: 12 });
    const audit = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('audit_events').selectAll().where('action', '=', 'settings.verification_months').execute());
    expect(audit.map((a) => a.detail)).toEqual([{ from: 12, to: 6 }]);
    expect((await staff.client.submit('/directory/review', '/directory/settings', { verificationMonths: '1' })).status).toBe(403);
  });
});

describe('asking listings to confirm their details by e-mail', () => {
  let t: TestContext;
  let d: DirectoryFactories;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  beforeAll(async () => {
    smtp = await startSmtpServer();
    t = await createTestApp({ env: { SMTP_URL: smtp.url } });
    d = directoryFactories(t.db);
  });
  afterAll(async () => { await t.close(); await smtp.close(); });
  const h = helpers(() => t);

  it('e-mails each due listing a one-time link over SMTP; the link confirms the listing without signing in, once', async () => {
    const lio = await t.make.lio({ name: 'Riverside Community Action' });
    const due = await d.organisation(lio, { name: 'Hillside Youth Project', email: 'hello@hillside-youth.example', lastVerifiedAt: null, description: 'Youth club on Fridays.' });
    const fresh = await d.organisation(lio, { name: 'Recently Checked', email: 'fresh@example.org', lastVerifiedAt: t.clock.now() });
    const { client } = await h.signedIn(lio, { name: 'Ben Okafor' });

    const sent = await client.submit('/directory/review', '/directory/review/send', {});
    expect(sent.status).toBe(303);
    expect((await client.get('/directory/review')).$('.govuk-notification-banner').text()).toContain('Verification emails are being sent to 1 listing');
    expect(await t.app.jobs.drain()).toBeGreaterThanOrEqual(2);

    const mail = await smtp.waitFor('hello@hillside-youth.example');
    expect(mail.raw).toContain('Subject: Is the listing of Hillside Youth Project still right?');
    const link = linksIn(mail.raw).find((l) => l.includes('/verify/'))!;
    expect(link).toMatch(new RegExp(`^http://${lio.host.replace(/\./g, '\\.')}/verify/[A-Za-z0-9_-]{40,}$`));
    expect(smtp.received.some((m) => m.to.includes('fresh@example.org'))).toBe(false);
    const token = link.split('/').pop()!;
    const [request] = await h.requestsOf(lio, due.id);
    expect(request!.token_hash).toBe(hashSecret(token));
    expect(request!.token_hash).not.toContain(token);
    expect(await h.requestsOf(lio, fresh.id)).toEqual([]);
    const sentEvents = await h.eventsOf(lio, due.id, 'verification_sent');
    expect(sentEvents.map((e) => [e.summary, e.actor_label])).toEqual([['Verification e-mail sent to hello@hillside-youth.example', 'Ben Okafor']]);
    const emailRow = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('email_messages').selectAll().where('to_address', '=', 'hello@hillside-youth.example').executeTakeFirstOrThrow());
    expect(emailRow.status).toBe('sent');

    // Whoever opens the link sees the details without signing in; opening it changes nothing.
    const visitor = new Client(t.app, lio.host);
    const open = await visitor.get(pathOf(link));
    expect(open.status).toBe(200);
    expect(open.$('h1').text()).toContain('Hillside Youth Project');
    expect(open.$('main').text()).toContain('Youth club on Fridays.');
    expect((await h.rowOf(lio, due.id)).last_verified_at).toBeNull();

    t.clock.advance(3 * DAY);
    const confirmed = await visitor.submit(pathOf(link), pathOf(link), {});
    expect(confirmed.status).toBe(200);
    expect(confirmed.$('.govuk-panel').text()).toContain('The listing of Hillside Youth Project is confirmed');
    expect((await h.rowOf(lio, due.id)).last_verified_at).toEqual(t.clock.now());
    expect((await h.requestsOf(lio, due.id))[0]!.confirmed_at).toEqual(t.clock.now());
    const verified = await h.eventsOf(lio, due.id, 'verified');
    expect(verified.map((e) => e.actor_label)).toEqual(['Listing contact (e-mailed link)']);
    const audit = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('audit_events').selectAll().where('action', '=', 'organisation.verified_by_link').execute());
    expect(audit.map((a) => [a.subject_id, a.actor_user_id])).toEqual([[due.id, null]]);
    expect(queueNames(await client.get('/directory/review'))).toEqual([]);

    // The link works once.
    const reopened = await visitor.get(pathOf(link));
    expect(reopened.status).toBe(410);
    expect(reopened.$('h1').text()).toBe('These details have already been confirmed');
    // Posting the confirmation again (a form kept open in another tab) is refused too.
    const again = await visitor.submit('/sign-in', pathOf(link), {});
    expect(again.status).toBe(410);
    expect(await h.eventsOf(lio, due.id, 'verified')).toHaveLength(1);
  });

  it('does not e-mail a listing again within 14 days, and does after', async () => {
    const lio = await t.make.lio();
    const org = await d.organisation(lio, { name: 'Weavers Community Garden', email: 'weavers@example.org', lastVerifiedAt: null });
    const { client, user } = await h.signedIn(lio);
    await client.submit('/directory/review', '/directory/review/send', {});
    await t.app.jobs.drain();
    expect(await h.requestsOf(lio, org.id)).toHaveLength(1);

    t.clock.advance(5 * DAY);
    await client.signIn(user.email, user.password);
    await client.submit('/directory/review', '/directory/review/send', {});
    expect((await client.get('/directory/review')).$('.govuk-notification-banner').text()).toContain('No listings need an email now');
    await t.app.jobs.drain();
    expect(await h.requestsOf(lio, org.id)).toHaveLength(1);

    t.clock.advance(10 * DAY);
    await client.signIn(user.email, user.password);
    await client.submit('/directory/review', '/directory/review/send', {});
    await t.app.jobs.drain();
    expect(await h.requestsOf(lio, org.id)).toHaveLength(2);
    const received = smtp.received.filter((m) => m.to.includes('weavers@example.org'));
    expect(received).toHaveLength(2);
  });

  it('lets staff e-mail one listing from its page; refuses one with no address', async () => {
    const lio = await t.make.lio();
    const org = await d.organisation(lio, { name: 'Open Door', email: 'opendoor@example.org' });
    const silent = await d.organisation(lio, { name: 'No Address Group' });
    await h.clearEmail(lio, silent.id);
    const { client } = await h.signedIn(lio);
    const page = await client.get(`/organisations/${org.id}`);
    expect(page.$(`form[action="/organisations/${org.id}/send-verification"]`).length).toBe(1);
    const res = await client.submit(`/organisations/${org.id}`, `/organisations/${org.id}/send-verification`, {});
    expect(res.status).toBe(303);
    await t.app.jobs.drain();
    await smtp.waitFor('opendoor@example.org');
    expect(await h.requestsOf(lio, org.id)).toHaveLength(1);
    const none = await client.submit(`/organisations/${silent.id}`, `/organisations/${silent.id}/send-verification`, {});
    expect(none.status).toBe(400);
    expect(none.$('h1').text()).toContain('no email address');
  });

  it('asks the listing’s contacts and the members who keep it as well as its own address, each once with a link of their own', async () => {
    const lio = await t.make.lio({ name: 'Riverside Community Action' });
    const org = await d.organisation(lio, { name: 'Canal Side Allotments', email: 'hello@canalside.example', lastVerifiedAt: null });
    const contactOnly = await d.organisation(lio, { name: 'Lock Keepers Club', lastVerifiedAt: null });
    await h.clearEmail(lio, contactOnly.id);
    await t.db.withTenant(lio.id, (tx) => tx.insertInto('contacts').values([
      { lio_id: lio.id, organisation_id: org.id, name: 'Priya Shah', email: 'priya@canalside.example' },
      // the organisation's own address again, in other letters: one e-mail, not two
      { lio_id: lio.id, organisation_id: org.id, name: 'Office', email: 'Hello@Canalside.example' },
      { lio_id: lio.id, organisation_id: contactOnly.id, name: 'Tom Reed', email: 'tom@lockkeepers.example' },
    ]).execute());
    await t.make.user(lio, { role: 'group_member', organisationId: org.id, email: 'member@canalside.example' });
    await t.make.user(lio, { role: 'group_member', organisationId: org.id, email: 'gone@canalside.example', status: 'disabled' });
    const { client } = await h.signedIn(lio, { name: 'Ben Okafor' });

    const queue = await client.get('/directory/review');
    expect(queue.$('main').text().replace(/\s+/g, ' ')).toContain('2 of the 2 due listings have an email address');
    expect(queue.$('main').text()).not.toContain('No email address');
    await client.submit('/directory/review', '/directory/review/send', {});
    await t.app.jobs.drain();
    const mails = await Promise.all(['hello@canalside.example', 'priya@canalside.example', 'member@canalside.example', 'tom@lockkeepers.example'].map((to) => smtp.waitFor(to)));
    for (const mail of mails) expect(mail.to).toHaveLength(1);
    expect(smtp.received.filter((m) => m.to.some((to) => /canalside/i.test(to)))).toHaveLength(3);
    expect(smtp.received.some((m) => m.to.includes('gone@canalside.example'))).toBe(false);
    expect(await h.requestsOf(lio, org.id)).toHaveLength(3);
    const sent = await h.eventsOf(lio, org.id, 'verification_sent');
    // its people's addresses are counted in the history, not written into it
    expect(sent.map((e) => e.summary)).toEqual(['Verification e-mail sent to hello@canalside.example and 2 of its contacts and members']);

    // any one of them confirms the listing
    const link = linksIn(mails[2]!.raw).find((l) => l.includes('/verify/'))!;
    const confirmed = await new Client(t.app, lio.host).submit(pathOf(link), pathOf(link), {});
    expect(confirmed.status).toBe(200);
    expect((await h.rowOf(lio, org.id)).last_verified_at).toEqual(t.clock.now());
    // and a listing with only a contact's address can be asked from its page too
    const one = await client.submit(`/organisations/${contactOnly.id}`, `/organisations/${contactOnly.id}/send-verification`, {});
    expect(one.status).toBe(303);
  });

  it('answers an expired link with 410 and an unknown one with 404', async () => {
    const lio = await t.make.lio();
    const org = await d.organisation(lio, { name: 'Expiring Group', email: 'expiring@example.org', lastVerifiedAt: null });
    const { client } = await h.signedIn(lio);
    await client.submit(`/organisations/${org.id}`, `/organisations/${org.id}/send-verification`, {});
    await t.app.jobs.drain();
    const link = linksIn((await smtp.waitFor('expiring@example.org')).raw).find((l) => l.includes('/verify/'))!;
    t.clock.advance(29 * DAY);
    const visitor = new Client(t.app, lio.host);
    const expired = await visitor.get(pathOf(link));
    expect(expired.status).toBe(410);
    expect(expired.$('h1').text()).toBe('This link has expired');
    const unknown = await visitor.get('/verify/not-a-real-token');
    expect(unknown.status).toBe(404);
    expect((await visitor.get(`/verify/${'x'.repeat(90)}`)).status).toBe(404);
    expect((await visitor.get(`/verify/${'x'.repeat(300)}`)).status).toBe(414);
    // A link from one LIO does not work at another's address.
    const other = await t.make.lio();
    const elsewhere = await new Client(t.app, other.host).get(pathOf(link));
    expect(elsewhere.status).toBe(404);
    expect((await h.rowOf(lio, org.id)).last_verified_at).toBeNull();
  });
});
