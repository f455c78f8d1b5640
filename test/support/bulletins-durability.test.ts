import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import { HttpClient, runCli, startServer, type RunningServer } from '../helpers/cli.js';
import { createPersistentStore, engine, type PersistentStore } from '../helpers/store.js';
import { BATCH, LANES } from '../../src/support/bulletins/jobs.js';

// Real processes, and PGlite opening its data directory in each; the restarted server takes over once the killed
// one's lease has run out (20 s) at its resume job's next run (every 30 s).
vi.setConfig({ testTimeout: 240_000, hookTimeout: 240_000 });

const ADMIN = { email: 'bulletin-admin@example.org', password: 'bulletin admin password 1' };
// Four times what the sender can have claimed at once, so some are still queued (never claimed) when it is killed.
const GROUPS = 4 * LANES * BATCH;

/** A real SMTP server that takes its time over each message (as a busy relay does), so the sender can be killed mid-send. */
async function slowSmtpServer(delayMs: number) {
  const copies = new Map<string, number>();
  const server = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS'], logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => setTimeout(() => {
        // Only the bulletin counts: the directory's own e-mails (asking groups to confirm their listings) go here too.
        if (/^Subject: Durable bulletin\r?$/m.test(Buffer.concat(chunks).toString())) {
          for (const r of session.envelope.rcptTo) copies.set(r.address, (copies.get(r.address) ?? 0) + 1);
        }
        callback();
      }, delayMs));
    },
  });
  // The sender is killed mid-message on purpose: its connections reset, which is what this server must outlive.
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`, copies,
    received: () => [...copies.values()].reduce((a, b) => a + b, 0),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const waitUntil = async (what: string, check: () => Promise<boolean> | boolean, timeoutMs: number) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

describe(`a bulletin whose sender is killed mid-send resumes after a restart without a second copy to anyone (${engine})`, () => {
  let store: PersistentStore;
  let smtp: Awaited<ReturnType<typeof slowSmtpServer>>;
  let bulletinId: string;
  const servers: RunningServer[] = [];
  beforeAll(async () => {
    store = await createPersistentStore();
    smtp = await slowSmtpServer(40);
    expect((await runCli(['create-admin', '--email', ADMIN.email, '--name', 'Bola Bulletin'], { ...store.env, ADMIN_PASSWORD: ADMIN.password })).code).toBe(0);
    const db = await store.open();
    try {
      const lio = await db.system.selectFrom('lios').select('id').executeTakeFirstOrThrow();
      await db.withTenant(lio.id, async (tx) => {
        await tx.insertInto('organisations').values(Array.from({ length: GROUPS }, (_v, i) => ({
          lio_id: lio.id, name: `Durable Group ${i}`, email: `group-${i}@durable.example`, description: 'A local group.', last_verified_at: new Date(),
        }))).execute();
        bulletinId = (await tx.insertInto('bulletins').values({ lio_id: lio.id, subject: 'Durable bulletin', introduction: 'Sent once to each.', segment: 'all_groups' })
          .returning('id').executeTakeFirstOrThrow()).id;
      });
    } finally {
      await db.close();
    }
  });
  afterAll(async () => {
    for (const s of servers) await s.kill('SIGKILL');
    await smtp?.close();
    await store?.dispose();
  });

  it('is killed with SIGKILL part-way, restarted, and every group is accounted for with at most one copy each', async () => {
    const env = { ...store.env, SMTP_URL: smtp.url, MAIL_FROM: 'hello@riverside.example' };
    const first = await startServer(env);
    servers.push(first);
    const admin = new HttpClient(first.url);
    expect((await admin.submit('/sign-in', '/sign-in', { email: ADMIN.email, password: ADMIN.password })).status).toBe(303);
    expect((await admin.submit(`/support/bulletins/${bulletinId}`, `/support/bulletins/${bulletinId}/send`, {})).status).toBe(303);
    await waitUntil('a third of the messages arrived', () => smtp.received() >= GROUPS / 3, 60_000);
    expect((await first.kill('SIGKILL')).signal).toBe('SIGKILL');
    const beforeRestart = smtp.received();
    expect(beforeRestart).toBeLessThan(GROUPS);

    const second = await startServer(env);
    servers.push(second);
    const again = new HttpClient(second.url);
    expect((await again.submit('/sign-in', '/sign-in', { email: ADMIN.email, password: ADMIN.password })).status).toBe(303);
    await waitUntil('the bulletin is sent', async () => /<span class="govuk-caption-l">Sent<\/span>/.test((await again.get(`/support/bulletins/${bulletinId}`)).body), 150_000);
    expect((await second.kill('SIGTERM')).code).toBe(0);

    // At most one copy each, and the rest of the groups reached after the restart.
    expect([...smtp.copies.values()].every((n) => n === 1)).toBe(true);
    expect(smtp.received()).toBeGreaterThan(beforeRestart);
    const db = await store.open();
    try {
      const rows = await db.system.selectFrom('bulletin_recipients').select(['email', 'status']).where('bulletin_id', '=', bulletinId).execute();
      expect(rows).toHaveLength(GROUPS);
      const byStatus = (s: string) => rows.filter((r) => r.status === s);
      expect(byStatus('sent').length + byStatus('unknown').length).toBe(GROUPS);
      // A row marked sent reached the server; a row of unknown fate was claimed by the killed sender and never sent again.
      for (const r of byStatus('sent')) expect(smtp.copies.get(r.email), r.email).toBe(1);
      expect(byStatus('unknown').length).toBeLessThanOrEqual(LANES * BATCH);
      const bulletin = await db.system.selectFrom('bulletins').select(['status', 'recipients_count']).where('id', '=', bulletinId).executeTakeFirstOrThrow();
      expect(bulletin).toEqual({ status: 'sent', recipients_count: GROUPS });
    } finally {
      await db.close();
    }
  });
});
