import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { startSmtpServer } from '../helpers/smtp.js';
import { fundingFactories, type FundingFactories } from '../helpers/funding-factories.js';
import { sendDigests } from '../../src/support/funding/jobs.js';

let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let t: TestContext;
let f: FundingFactories;
beforeAll(async () => {
  smtp = await startSmtpServer();
  t = await createTestApp({ env: { SMTP_URL: smtp.url } });
  f = fundingFactories(t.db);
});
afterAll(async () => {
  await t?.close();
  await smtp?.close();
});

/** A group member sent a digest over SMTP: the message as it arrived, its headers unfolded. */
async function digestSent() {
  const lio = await t.make.lio();
  const org = await t.make.organisation(lio, { name: 'Canal Side Pantry' });
  const member = await t.make.user(lio, { role: 'group_member', organisationId: org.id, email: `digest-${lio.id.slice(0, 8)}@group.example` });
  await f.opportunity(lio, { programme: 'Warm Rooms Fund', inDays: 60 });
  expect(await sendDigests({ db: t.db, clock: t.clock, jobs: t.app.jobs, config: t.config }, lio.id, 'https://cvs.example')).toBe(1);
  await t.app.jobs.drain();
  const mail = await smtp.waitFor(member.email);
  const headers = mail.raw.split(/\r?\n\r?\n/)[0]!.replace(/\r?\n[ \t]+/g, ' ');
  const link = /To stop these e-mails: https:\/\/cvs\.example(\/funding\/digests\/stop\/\S+)/.exec(mail.raw.replace(/=\r?\n/g, ''))![1]!;
  return { lio, member, headers, link };
}

const stops = (lio: { id: string }) => t.db.withTenant(lio.id, (tx) => tx.selectFrom('funding_digest_stops').select('user_id').execute());
const oneClick = (lio: { host: string }, url: string, payload = 'List-Unsubscribe=One-Click', contentType = 'application/x-www-form-urlencoded') =>
  t.app.inject({ method: 'POST', url, headers: { host: lio.host, 'content-type': contentType }, payload });

describe('a funding digest’s one-click unsubscribe (RFC 8058)', () => {
  it('carries the member’s own one-click address in List-Unsubscribe, beside the stop link in its text', async () => {
    const s = await digestSent();
    expect(s.headers).toMatch(new RegExp(`^List-Unsubscribe: <https://cvs\\.example${s.link.replace(/\./g, '\\.')}/one-click>\\r?$`, 'm'));
    expect(s.headers).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r?$/m);
    const [stored] = await t.db.withTenant(s.lio.id, (tx) => tx.selectFrom('email_messages').select('headers').where('to_address', '=', s.member.email).execute());
    expect(stored!.headers).toEqual({ 'List-Unsubscribe': `<https://cvs.example${s.link}/one-click>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' });
  });

  it('stops the digests from the mail provider’s POST, with no page, cookie or CSRF token; again says so; a forged one is 404', async () => {
    const s = await digestSent();
    const done = await oneClick(s.lio, `${s.link}/one-click`);
    expect(done.statusCode).toBe(200);
    expect(done.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(done.body).toBe('Funding e-mails stopped');
    expect(await stops(s.lio)).toEqual([{ user_id: s.member.id }]);
    const audit = await t.db.withTenant(s.lio.id, (tx) => tx.selectFrom('audit_events').select(['action', 'subject_id']).where('action', '=', 'funding_digests.stopped').execute());
    expect(audit).toEqual([{ action: 'funding_digests.stopped', subject_id: s.member.id }]);

    const again = await oneClick(s.lio, `${s.link}/one-click`);
    expect([again.statusCode, again.body]).toEqual([200, 'Funding e-mails were already stopped']);

    const other = await t.make.user(s.lio, { role: 'group_member', email: `other-${s.lio.id.slice(0, 8)}@group.example` });
    const signature = s.link.split('.').pop()!;
    for (const forged of [`/funding/digests/stop/${other.id}.${signature}/one-click`, `${s.link.slice(0, -1)}${s.link.endsWith('0') ? '1' : '0'}/one-click`, '/funding/digests/stop/nonsense/one-click']) {
      const refused = await oneClick(s.lio, forged);
      expect(refused.statusCode, forged).toBe(404);
    }
    expect(await stops(s.lio)).toEqual([{ user_id: s.member.id }]);
  });

  it('takes the one-click POST sent as multipart/form-data, as the RFC would have it', async () => {
    const s = await digestSent();
    const body = '--b1\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--b1--\r\n';
    const done = await oneClick(s.lio, `${s.link}/one-click`, body, 'multipart/form-data; boundary=b1');
    expect([done.statusCode, done.body]).toEqual([200, 'Funding e-mails stopped']);
    expect(await stops(s.lio)).toEqual([{ user_id: s.member.id }]);
  });

  it('keeps the CSRF check on the link’s own form: a POST to the link without the page’s token stops nothing', async () => {
    const s = await digestSent();
    const visitor = new Client(t.app, s.lio.host);
    const refused = await visitor.postRaw(s.link, { 'List-Unsubscribe': 'One-Click' });
    expect(refused.status).toBe(403);
    expect(await stops(s.lio)).toEqual([]);
  });
});
