import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { Client, errorSummary, signedInClient } from '../helpers/client.js';
import { startSmtpServer, linksIn } from '../helpers/smtp.js';
import { bulletinsFactories, type BulletinsFactories } from '../helpers/bulletins-factories.js';
import { sendBulletin, LEASE_MS } from '../../src/support/bulletins/jobs.js';
import { createMailer } from '../../src/platform/mail.js';

type Lio = Awaited<ReturnType<TestContext['make']['lio']>>;
type Smtp = Awaited<ReturnType<typeof startSmtpServer>>;

let t: TestContext;
let smtp: Smtp;
let b: BulletinsFactories;
beforeAll(async () => {
  smtp = await startSmtpServer();
  t = await createTestApp({ env: { SMTP_URL: smtp.url, MAIL_FROM: 'Riverside Community Action <hello@riverside.example>' } });
  b = bulletinsFactories(t.db);
});
afterAll(async () => {
  await t?.close();
  await smtp?.close();
});

const adviserOf = async (lio: Lio) => signedInClient(t.app, lio.host, await t.make.user(lio, { role: 'staff', permissionSets: ['adviser'] }));
const recipientsOf = (lio: Lio, bulletinId: string) => t.db.withTenant(lio.id, (tx) => tx.selectFrom('bulletin_recipients').selectAll().where('bulletin_id', '=', bulletinId).orderBy('email').execute());
const bulletinRow = (lio: Lio, id: string) => t.db.withTenant(lio.id, (tx) => tx.selectFrom('bulletins').selectAll().where('id', '=', id).executeTakeFirstOrThrow());
const mailTo = (address: string) => smtp.received.filter((m) => m.to.includes(address));
const idFrom = (location: string | undefined) => /\/support\/bulletins\/([0-9a-f-]{36})$/.exec(location ?? '')![1]!;

/** Composes and saves a bulletin through the form, returning its id. */
async function compose(client: Client, fields: Record<string, string>) {
  const saved = await client.submit('/support/bulletins/new', '/support/bulletins', { subject: 'Spring bulletin', introduction: 'Hello everyone.\n\nNews for groups.', segment: 'members', ...fields });
  expect(saved.status, saved.body.slice(0, 400)).toBe(303);
  return idFrom(saved.location);
}

/** A LIO with two member groups (one sharing a contact with the other), a non-member, and contacts with and without consent. */
async function members() {
  const lio = await t.make.lio();
  const type = await b.membershipType(lio);
  const pantry = await b.group(lio, { name: 'Brook Street Pantry', email: 'office@pantry.example' });
  const choir = await b.group(lio, { name: 'Canal Choir', email: 'hello@choir.example' });
  const outsider = await b.group(lio, { name: 'Not A Member', email: 'outsider@group.example' });
  for (const g of [pantry, choir]) await b.membership(lio, { organisationId: g.id, typeId: type.id });
  const consented = await b.contact(lio, { organisationId: pantry.id, email: 'Nia.Roberts@example.net', consent: 'bulletins' });
  // The same person listed for both groups, in another case: one copy.
  await t.db.withTenant(lio.id, (tx) => tx.insertInto('contacts').values({ lio_id: lio.id, organisation_id: choir.id, email: 'nia.roberts@EXAMPLE.net' }).execute());
  await b.contact(lio, { organisationId: pantry.id, email: 'no-consent@example.net', consent: null });
  await b.contact(lio, { organisationId: choir.id, email: 'withdrawn@example.net', consent: 'bulletins', withdrawn: true });
  await b.contact(lio, { organisationId: choir.id, email: 'newsletter@example.net', consent: 'newsletter' });
  await b.contact(lio, { organisationId: outsider.id, email: 'outsider-contact@example.net', consent: 'bulletins' });
  return { lio, pantry, choir, consented, adviser: await adviserOf(lio) };
}

describe('composing and sending a bulletin', () => {
  it('pulls in funding and a course in the chosen order with a story, previews, and sends one copy to each consenting address of the members', async () => {
    const s = await members();
    const fund = await b.funding(s.lio, { programme: 'Warm Homes Fund', funder: 'Riverside Community Foundation' });
    const closed = await b.funding(s.lio, { programme: 'Closed Fund', deadline: '2020-01-01' });
    const course = await b.courseSession(s.lio, { title: 'Trustee essentials' });
    const form = await s.adviser.get('/support/bulletins/new');
    expect(form.status).toBe(200);
    expect(form.body).toContain('Warm Homes Fund (Riverside Community Foundation)');
    expect(form.body).toContain('Trustee essentials');
    expect(form.body).not.toContain(closed.programme);

    const id = await compose(s.adviser, {
      [`position-funding-${fund.id}`]: '2', [`position-course-${course.sessionId}`]: '1',
      story1Title: 'Our AGM', story1Body: 'Come to the AGM in March.', story1Url: 'https://riverside.example/agm', story1Position: '3',
    });
    const preview = await s.adviser.get(`/support/bulletins/${id}`);
    const headings = preview.$('[data-testid="bulletin-content"] h2').toArray().map((h) => preview.$(h).text());
    expect(headings).toEqual(['Trustee essentials', 'Warm Homes Fund (Riverside Community Foundation)', 'Our AGM']);
    // Pantry and choir offices, Nia once (two contacts, one address), the newsletter contact: not the unconsented, withdrawn or non-member.
    expect(preview.$('[data-testid="facts"]').text()).toContain('4 addresses');

    const sent = await s.adviser.submit(`/support/bulletins/${id}`, `/support/bulletins/${id}/send`, {});
    expect(sent.status).toBe(303);
    expect((await s.adviser.get(sent.location!)).body).toContain('Bulletin queued to 4 addresses');
    const rows = await recipientsOf(s.lio, id);
    expect(rows.map((r) => r.email)).toEqual(['hello@choir.example', 'newsletter@example.net', 'nia.roberts@example.net', 'office@pantry.example']);
    expect(rows.every((r) => r.status === 'queued')).toBe(true);

    await t.app.jobs.drain();
    for (const address of ['hello@choir.example', 'newsletter@example.net', 'nia.roberts@example.net', 'office@pantry.example']) {
      const [mail, ...more] = mailTo(address);
      expect(more).toHaveLength(0);
      expect(mail!.raw).toMatch(/^Subject: Spring bulletin\r?$/m);
      const headers = mail!.raw.split(/\r?\n\r?\n/)[0]!.replace(/\r?\n[ \t]+/g, ' ');
      expect(headers).toMatch(/^List-Unsubscribe: <http:\/\/[^>]+\/bulletins\/unsubscribe\/[A-Za-z0-9_-]+\/one-click>\r?$/m);
      expect(headers).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r?$/m);
      expect(mail!.raw).toContain('Trustee essentials');
    }
    for (const address of ['no-consent@example.net', 'withdrawn@example.net', 'outsider@group.example', 'outsider-contact@example.net']) expect(mailTo(address)).toHaveLength(0);
    expect(await bulletinRow(s.lio, id)).toMatchObject({ status: 'sent', recipients_count: 4 });
    expect((await recipientsOf(s.lio, id)).every((r) => r.status === 'sent' && r.sent_at)).toBe(true);

    const list = await s.adviser.get('/support/bulletins');
    expect(list.$('[data-testid="bulletins"] tbody tr').first().text()).toMatch(/Spring bulletin[\s\S]*Sent[\s\S]*4 of 4[\s\S]*0/);
  });

  it('refuses to send to a segment no one in it can be written to, and queues nothing', async () => {
    const lio = await t.make.lio();
    const adviser = await adviserOf(lio);
    await b.group(lio, { themes: ['food'] });
    const id = await compose(adviser, { segment: 'groups_by_theme', theme: 'heritage' });
    const preview = await adviser.get(`/support/bulletins/${id}`);
    expect(preview.body).toContain('cannot be sent');
    const refused = await adviser.postRaw(`/support/bulletins/${id}/send`, { _csrf: preview.$('input[name="_csrf"]').first().val() as string });
    expect(refused.status).toBe(400);
    expect(errorSummary(refused)[0]!.text).toContain('No one in this segment can be written to');
    expect(await bulletinRow(lio, id)).toMatchObject({ status: 'draft', recipients_count: 0, queued_at: null });
    expect(await recipientsOf(lio, id)).toHaveLength(0);
    const jobs = await t.db.system.selectFrom('jobs').select('id').where('kind', '=', 'bulletins.send').where('lio_id', '=', lio.id).execute();
    expect(jobs).toHaveLength(0);
  });

  it('answers a form with mistakes with the error summary and keeps what was typed', async () => {
    const lio = await t.make.lio();
    const adviser = await adviserOf(lio);
    const page = await adviser.submit('/support/bulletins/new', '/support/bulletins', {
      subject: '', introduction: 'Kept introduction', segment: 'groups_by_theme', theme: '', story1Title: 'A story', story1Body: '', story1Url: 'javascript:alert(1)',
    });
    expect(page.status).toBe(400);
    expect(errorSummary(page).map((e) => e.href)).toEqual(['#subject', '#theme', '#story1Body', '#story1Url']);
    expect(page.$('#introduction').text()).toBe('Kept introduction');
    expect(page.$('#story1Title').val()).toBe('A story');
    const none = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('bulletins').select('id').execute());
    expect(none).toHaveLength(0);
  });

  it('reaches groups by theme and by area served, and volunteers who agreed to be contacted', async () => {
    const lio = await t.make.lio();
    const adviser = await adviserOf(lio);
    await b.group(lio, { email: 'food@group.example', themes: ['food'], areas: ['Northgate'] });
    await b.group(lio, { email: 'arts@group.example', themes: ['arts'], areas: ['Eastfield'] });
    await b.group(lio, { email: 'closed@group.example', themes: ['food'], areas: ['Northgate'], status: 'closed' });
    await b.volunteer(lio, { email: 'keen@example.net' });
    await b.volunteer(lio, { email: 'quiet@example.net', consent: false });
    const reach = async (fields: Record<string, string>) => {
      const id = await compose(adviser, fields);
      const page = await adviser.get(`/support/bulletins/${id}`);
      expect((await adviser.submit(`/support/bulletins/${id}`, `/support/bulletins/${id}/send`, {})).status).toBe(303);
      expect(page.status).toBe(200);
      return (await recipientsOf(lio, id)).map((r) => r.email);
    };
    expect(await reach({ segment: 'groups_by_theme', theme: 'food' })).toEqual(['food@group.example']);
    expect(await reach({ segment: 'groups_by_area', area: 'eastfield' })).toEqual(['arts@group.example']);
    expect(await reach({ segment: 'all_groups' })).toEqual(['arts@group.example', 'food@group.example']);
    expect(await reach({ segment: 'volunteers' })).toEqual(['keen@example.net']);
  });

  it('is for advisers: a group member and a volunteer coordinator are refused', async () => {
    const lio = await t.make.lio();
    const org = await b.group(lio);
    const member = await signedInClient(t.app, lio.host, await t.make.user(lio, { role: 'group_member', organisationId: org.id }));
    const coordinator = await signedInClient(t.app, lio.host, await t.make.user(lio, { role: 'staff', permissionSets: ['volunteer_coordinator'] }));
    for (const c of [member, coordinator]) expect((await c.get('/support/bulletins/new')).status).toBe(403);
  });
});

describe('after sending: unsubscribing, opening and the archive', () => {
  async function sentTo(address: string) {
    const lio = await t.make.lio();
    const adviser = await adviserOf(lio);
    await b.group(lio, { email: address });
    const id = await compose(adviser, { segment: 'all_groups', subject: `News for ${address}`, story1Title: 'Open story', story1Body: 'Public text.', story1Position: '1' });
    await adviser.submit(`/support/bulletins/${id}`, `/support/bulletins/${id}/send`, {});
    await t.app.jobs.drain();
    const mail = mailTo(address)[0]!;
    const links = linksIn(mail.raw);
    const unsubscribe = new URL(links.find((l) => /\/bulletins\/unsubscribe\/[^/]+$/.test(l))!);
    const opened = /src=3D"([^"]+)"|src="([^"]+)"/.exec(mail.raw.replace(/=\r?\n/g, ''));
    return { lio, adviser, id, unsubscribe: unsubscribe.pathname, opened: new URL((opened![1] ?? opened![2])!.replace(/=3D/g, '=')).pathname, visitor: new Client(t.app, lio.host) };
  }

  it('unsubscribes with the link’s button, answers a second use clearly, and never writes to the address again', async () => {
    const s = await sentTo('leaving@group.example');
    const page = await s.visitor.get(s.unsubscribe);
    expect(page.status).toBe(200);
    expect(page.body).toContain('News for leaving@group.example');
    const done = await s.visitor.submit(s.unsubscribe, s.unsubscribe, {});
    expect(done.status).toBe(200);
    expect(done.$('[data-testid="outcome"]').text()).toContain('You are unsubscribed');
    expect((await s.visitor.get(s.unsubscribe)).body).toContain('You are already unsubscribed');
    const rows = await t.db.withTenant(s.lio.id, (tx) => tx.selectFrom('bulletin_unsubscribes').selectAll().execute());
    expect(rows.map((r) => [r.email, r.bulletin_id])).toEqual([['leaving@group.example', s.id]]);

    // The next bulletin to everyone leaves them out; with no one else, it is refused.
    const next = await compose(s.adviser, { segment: 'all_groups' });
    const refused = await s.adviser.submit(`/support/bulletins/${next}`, `/support/bulletins/${next}/send`, {});
    expect(refused.status).toBe(400);
  });

  it('answers a tampered or unknown link with a clear 404 page', async () => {
    const s = await sentTo('tamper@group.example');
    const tampered = `${s.unsubscribe.slice(0, -2)}${s.unsubscribe.endsWith('A') ? 'B' : 'A'}A`;
    for (const path of [tampered, '/bulletins/unsubscribe/short', '/bulletins/unsubscribe/%00%00']) {
      const page = await s.visitor.get(path);
      expect(page.status, path).toBe(404);
    }
    expect((await s.visitor.get(tampered)).body).toContain('We do not recognise this unsubscribe link');
  });

  it('takes a one-click unsubscribe from the mail provider without a page or CSRF token', async () => {
    const s = await sentTo('oneclick@group.example');
    const response = await t.app.inject({ method: 'POST', url: `${s.unsubscribe}/one-click`, headers: { host: s.lio.host, 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' });
    expect(response.statusCode).toBe(200);
    expect(await t.db.withTenant(s.lio.id, (tx) => tx.selectFrom('bulletin_unsubscribes').select('email').execute())).toEqual([{ email: 'oneclick@group.example' }]);
  });

  it('answers a forged one-click unsubscribe with 404 and takes no one off; takes a real one sent as multipart/form-data', async () => {
    const s = await sentTo('forged-oneclick@group.example');
    const post = (url: string, payload: string, contentType: string) => t.app.inject({ method: 'POST', url, headers: { host: s.lio.host, 'content-type': contentType }, payload });
    const tampered = `${s.unsubscribe.slice(0, -2)}${s.unsubscribe.endsWith('A') ? 'B' : 'A'}A`;
    for (const url of [`${tampered}/one-click`, '/bulletins/unsubscribe/short/one-click']) {
      const refused = await post(url, 'List-Unsubscribe=One-Click', 'application/x-www-form-urlencoded');
      expect(refused.statusCode, url).toBe(404);
    }
    expect(await t.db.withTenant(s.lio.id, (tx) => tx.selectFrom('bulletin_unsubscribes').select('email').execute())).toEqual([]);
    const multipart = '--b1\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--b1--\r\n';
    const done = await post(`${s.unsubscribe}/one-click`, multipart, 'multipart/form-data; boundary=b1');
    expect([done.statusCode, done.body]).toEqual([200, 'Unsubscribed']);
    expect(await t.db.withTenant(s.lio.id, (tx) => tx.selectFrom('bulletin_unsubscribes').select('email').execute())).toEqual([{ email: 'forged-oneclick@group.example' }]);
  });

  it('counts an opening once from the image, without cookies, and ignores a forged image address', async () => {
    const s = await sentTo('opener@group.example');
    const first = await t.app.inject({ method: 'GET', url: s.opened, headers: { host: s.lio.host } });
    expect(first.statusCode).toBe(200);
    expect(first.headers['content-type']).toBe('image/gif');
    expect(first.headers['set-cookie']).toBeUndefined();
    const [row] = await recipientsOf(s.lio, s.id);
    expect(row!.opened_at).not.toBeNull();
    t.clock.advance(60_000);
    await t.app.inject({ method: 'GET', url: s.opened, headers: { host: s.lio.host } });
    expect((await recipientsOf(s.lio, s.id))[0]!.opened_at).toEqual(row!.opened_at);
    const forged = await t.app.inject({ method: 'GET', url: s.opened.replace(/\/[^/]+$/, '/forgedproofforgedproof'), headers: { host: s.lio.host } });
    expect(forged.statusCode).toBe(200);
    expect((await s.adviser.get(`/support/bulletins/${s.id}`)).$('[data-testid="facts"]').text()).toMatch(/Opened\s*1 \(100% of those sent\)/);
  });

  it('shows sent bulletins in the public archive, without anyone’s links, and not drafts', async () => {
    const s = await sentTo('archive@group.example');
    const draft = await compose(s.adviser, { subject: 'Unsent draft' });
    const archive = await s.visitor.get('/bulletins');
    expect(archive.status).toBe(200);
    expect(archive.$('[data-testid="archive"]').text()).toContain('News for archive@group.example');
    expect(archive.body).not.toContain('Unsent draft');
    const page = await s.visitor.get(`/bulletins/${s.id}`);
    expect(page.status).toBe(200);
    expect(page.$('[data-testid="bulletin-content"]').text()).toContain('Public text.');
    expect(page.body).not.toContain('/bulletins/unsubscribe/');
    expect(page.body).not.toContain('/bulletins/opened/');
    expect((await s.visitor.get(`/bulletins/${draft}`)).status).toBe(404);
  });
});

describe('a sending cut short', () => {
  it('does not send again to rows a dead sender had claimed: they are counted as unknown, and the rest go once', async () => {
    const lio = await t.make.lio();
    const adviser = await adviserOf(lio);
    for (let i = 0; i < 6; i++) await b.group(lio, { email: `resume-${i}@group.example` });
    const id = await compose(adviser, { segment: 'all_groups', subject: 'Resumed bulletin' });
    await adviser.submit(`/support/bulletins/${id}`, `/support/bulletins/${id}/send`, {});
    // A sender that died: it held the lease, claimed two rows (one of them delivered), and its heartbeat stopped.
    await t.db.withTenant(lio.id, async (tx) => {
      await tx.updateTable('bulletins').set({ sender_lease: '00000000-0000-4000-8000-000000000001', sender_heartbeat_at: t.clock.now() }).where('id', '=', id).execute();
      await tx.updateTable('bulletin_recipients').set({ status: 'sending' }).where('bulletin_id', '=', id).where('email', 'in', ['resume-0@group.example', 'resume-1@group.example']).execute();
    });
    const deps = { db: t.db, clock: t.clock, config: t.config, mailer: createMailer(smtp.url, 'hello@riverside.example') };
    // While its heartbeat is fresh, no one takes over.
    expect(await sendBulletin(deps, lio.id, id)).toBe('busy');
    t.clock.advance(LEASE_MS + 1000);
    expect(await sendBulletin(deps, lio.id, id)).toBe('sent');
    deps.mailer.close();
    const rows = await recipientsOf(lio, id);
    expect(rows.filter((r) => r.status === 'unknown').map((r) => r.email)).toEqual(['resume-0@group.example', 'resume-1@group.example']);
    expect(rows.filter((r) => r.status === 'sent')).toHaveLength(4);
    for (let i = 0; i < 6; i++) expect(mailTo(`resume-${i}@group.example`)).toHaveLength(i < 2 ? 0 : 1);
    expect((await adviser.get(`/support/bulletins/${id}`)).$('[data-testid="facts"]').text()).toMatch(/Not known whether sent \(sending was interrupted\)\s*2/);
  });
});

describe('with no mail server', () => {
  it('keeps each copy in the outbox with its own List-Unsubscribe, whose one-click address unsubscribes', async () => {
    const lio = await t.make.lio();
    const adviser = await adviserOf(lio);
    await b.group(lio, { email: 'held@group.example' });
    const id = await compose(adviser, { segment: 'all_groups', subject: 'Held bulletin' });
    await adviser.submit(`/support/bulletins/${id}`, `/support/bulletins/${id}/send`, {});
    const held = { deliver: async () => 'held' as const, close: () => {} };
    expect(await sendBulletin({ db: t.db, clock: t.clock, config: t.config, mailer: held }, lio.id, id)).toBe('sent');
    const [kept] = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('email_messages').select(['status', 'body_text', 'headers']).where('to_address', '=', 'held@group.example').execute());
    expect(kept!.status).toBe('outbox');
    const link = /unsubscribe: (\S+)/.exec(kept!.body_text)![1]!;
    expect(kept!.headers).toEqual({ 'List-Unsubscribe': `<${link}/one-click>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' });
    const oneClick = await t.app.inject({ method: 'POST', url: `${new URL(link).pathname}/one-click`, headers: { host: lio.host, 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' });
    expect([oneClick.statusCode, oneClick.body]).toEqual([200, 'Unsubscribed']);
  });
});
