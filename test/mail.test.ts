import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type AddressInfo } from 'node:net';
import { createTestApp, type TestContext } from './helpers/app.js';
import { startSmtpServer } from './helpers/smtp.js';
import { Client } from './helpers/client.js';
import { queueEmail, SEND_EMAIL_JOB } from '../src/platform/mail.js';
import { backoffMs } from '../src/platform/jobs.js';

type Smtp = Awaited<ReturnType<typeof startSmtpServer>>;

async function queue(t: TestContext, lioId: string, to: string, subject = 'Your help request', text = 'Hello,\n\nSomeone will ring you tomorrow.\n') {
  await t.db.withTenant(lioId, (tx) => queueEmail(tx, t.app.jobs, lioId, { to, subject, text }, t.clock));
  return t.db.withTenant(lioId, (tx) => tx.selectFrom('email_messages').selectAll().where('to_address', '=', to).executeTakeFirstOrThrow());
}

async function message(t: TestContext, lioId: string, id: string) {
  return t.db.withTenant(lioId, (tx) => tx.selectFrom('email_messages').selectAll().where('id', '=', id).executeTakeFirstOrThrow());
}

async function jobFor(t: TestContext, messageId: string) {
  const jobs = await t.db.system.selectFrom('jobs').selectAll().where('kind', '=', SEND_EMAIL_JOB).execute();
  const job = jobs.find((j) => (j.payload as { messageId?: string }).messageId === messageId);
  if (!job) throw new Error(`no job for message ${messageId}`);
  return job;
}

/** A local port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('e-mail over SMTP', () => {
  let smtp: Smtp;
  let t: TestContext;
  beforeAll(async () => {
    smtp = await startSmtpServer();
    t = await createTestApp({ env: { SMTP_URL: smtp.url, MAIL_FROM: 'Riverside Community Action <hello@riverside.example>' } });
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  it('delivers a queued e-mail to the SMTP server and marks it sent', async () => {
    const lio = await t.make.lio();
    const queued = await queue(t, lio.id, 'resident-one@example.org', 'Your help request');
    expect(queued.status).toBe('queued');
    expect(smtp.received.some((m) => m.to.includes('resident-one@example.org'))).toBe(false);

    expect(await t.app.jobs.drain()).toBe(1);
    const mail = await smtp.waitFor('resident-one@example.org');
    expect(mail.raw).toMatch(/^Subject: Your help request\r?$/m);
    expect(mail.raw).toMatch(/^To: resident-one@example\.org\r?$/m);
    expect(mail.raw).toMatch(/^From: Riverside Community Action <hello@riverside\.example>\r?$/m);
    expect(mail.raw).toContain('Someone will ring you tomorrow.');

    const sent = await message(t, lio.id, queued.id);
    expect(sent.status).toBe('sent');
    expect(sent.sent_at?.getTime()).toBe(t.clock.now().getTime());
    expect((await jobFor(t, queued.id)).status).toBe('done');
  });

  it('sends a queued message’s own headers, each on one line, whatever line breaks reached them', async () => {
    const lio = await t.make.lio();
    const headers = { 'List-Unsubscribe': '<https://cvs.example/stop/1/one-click>\r\nBcc: everyone@elsewhere.example', 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
    await t.db.withTenant(lio.id, (tx) => queueEmail(tx, t.app.jobs, lio.id, { to: 'headers@example.org', subject: 'Funding for you', text: 'Hello\n', headers }, t.clock));
    await t.app.jobs.drain();
    const head = (await smtp.waitFor('headers@example.org')).raw.split(/\r?\n\r?\n/)[0]!.replace(/\r?\n[ \t]+/g, ' ');
    expect(head).toMatch(/^List-Unsubscribe: <https:\/\/cvs\.example\/stop\/1\/one-click> Bcc: everyone@elsewhere\.example\r?$/m);
    expect(head).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r?$/m);
    expect(head).not.toMatch(/^Bcc:/m);
  });

  it('sends each message once, however often the queue is drained', async () => {
    const lio = await t.make.lio();
    await queue(t, lio.id, 'once@example.org');
    await t.app.jobs.drain();
    await smtp.waitFor('once@example.org');
    await t.app.jobs.drain();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(smtp.received.filter((m) => m.to.includes('once@example.org'))).toHaveLength(1);
  });

  it('queues in the caller’s transaction: when it rolls back there is no message and no job', async () => {
    const lio = await t.make.lio();
    await expect(t.db.withTenant(lio.id, async (tx) => {
      await queueEmail(tx, t.app.jobs, lio.id, { to: 'never@example.org', subject: 'x', text: 'x' }, t.clock);
      throw new Error('the invitation failed');
    })).rejects.toThrow('the invitation failed');
    const rows = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('email_messages').select('id').execute());
    expect(rows).toHaveLength(0);
    expect(await t.app.jobs.drain()).toBe(0);
  });

  it('the running worker delivers without being asked', async () => {
    const worker = await createTestApp({ env: { SMTP_URL: smtp.url }, config: { worker: { pollMs: 50, enabled: true } } });
    try {
      const lio = await worker.make.lio();
      const queued = await queue(worker, lio.id, 'worker-delivery@example.org');
      await smtp.waitFor('worker-delivery@example.org');
      await expect.poll(async () => (await message(worker, lio.id, queued.id)).status, { timeout: 10_000, interval: 50 }).toBe('sent');
    } finally {
      await worker.close();
    }
  });
});

describe('e-mail without SMTP_URL', () => {
  let t: TestContext;
  beforeAll(async () => { t = await createTestApp(); });
  afterAll(async () => { await t.close(); });

  it('keeps the message in the outbox, where an admin can read it', async () => {
    expect(t.config.smtpUrl).toBeNull();
    const lio = await t.make.lio();
    const queued = await queue(t, lio.id, 'held@example.org', 'Reset your password', 'Use this link: https://example.org/reset/abc\n');
    expect(await t.app.jobs.drain()).toBe(1);

    const held = await message(t, lio.id, queued.id);
    expect(held.status).toBe('outbox');
    expect(held.sent_at).toBeNull();
    expect((await jobFor(t, queued.id)).status).toBe('done');

    const admin = await t.make.user(lio, { role: 'admin' });
    const client = new Client(t.app, lio.host);
    await client.signIn(admin.email, admin.password);
    const page = await client.get('/admin/outbox');
    expect(page.status).toBe(200);
    const card = page.$('[data-testid="outbox-message"]').filter((_i, el) => page.$(el).text().includes('held@example.org'));
    expect(card).toHaveLength(1);
    expect(card.text()).toContain('Reset your password');
    expect(card.text()).toContain('https://example.org/reset/abc');
    expect(card.text()).toContain('Outbox');
  });

  it('shows one LIO’s outbox to its admin only', async () => {
    const lio = await t.make.lio();
    const other = await t.make.lio();
    await queue(t, other.id, 'someone-elses@example.org');
    await t.app.jobs.drain();
    const admin = await t.make.user(lio, { role: 'admin' });
    const client = new Client(t.app, lio.host);
    await client.signIn(admin.email, admin.password);
    const page = await client.get('/admin/outbox');
    expect(page.status).toBe(200);
    expect(page.body).not.toContain('someone-elses@example.org');
  });
});

describe('e-mail when the SMTP server cannot be reached', () => {
  let t: TestContext;
  beforeAll(async () => { t = await createTestApp({ env: { SMTP_URL: `smtp://127.0.0.1:${await closedPort()}` } }); });
  afterAll(async () => { await t.close(); });

  it('retries with backoff and finally marks the message failed', async () => {
    const lio = await t.make.lio();
    const queued = await queue(t, lio.id, 'unreachable@example.org');

    expect(await t.app.jobs.drain()).toBe(1);
    let job = await jobFor(t, queued.id);
    expect(job).toMatchObject({ status: 'queued', attempts: 1 });
    expect(job.last_error).toMatch(/ECONNREFUSED|connect/i);
    expect(job.run_at.getTime()).toBe(t.clock.now().getTime() + backoffMs(1));
    expect((await message(t, lio.id, queued.id)).status).toBe('queued');

    const maxAttempts = job.max_attempts;
    expect(maxAttempts).toBeGreaterThan(1);
    for (let attempt = 2; attempt <= maxAttempts; attempt++) {
      expect(await t.app.jobs.drain(), `attempt ${attempt} is not due yet`).toBe(0);
      t.clock.advance(backoffMs(attempt - 1));
      expect(await t.app.jobs.drain(), `attempt ${attempt}`).toBe(1);
      job = await jobFor(t, queued.id);
      expect(job.attempts).toBe(attempt);
      if (attempt < maxAttempts) expect((await message(t, lio.id, queued.id)).status).toBe('queued');
    }

    expect(job.status).toBe('failed');
    const failed = await message(t, lio.id, queued.id);
    expect(failed.status).toBe('failed');
    expect(failed.sent_at).toBeNull();

    t.clock.advance(24 * 60 * 60_000);
    expect(await t.app.jobs.drain()).toBe(0);
  });
});
