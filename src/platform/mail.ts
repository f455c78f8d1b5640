import nodemailer from 'nodemailer';
import type { Database, Queryable } from './db/index.js';
import type { JobQueue } from './jobs.js';
import type { Clock } from './clock.js';

export interface OutgoingEmail {
  to: string; subject: string; text: string;
  /** An HTML alternative to the text (a bulletin, with its open-tracking image). */
  html?: string;
  /** Extra headers: a bulletin's List-Unsubscribe and List-Unsubscribe-Post. */
  headers?: Record<string, string>;
}

/** Delivers one message. `held` means no SMTP server is configured: the message stays in the outbox. */
export interface Mailer { deliver(message: OutgoingEmail): Promise<'sent' | 'held'>; close(): void }

export function createMailer(smtpUrl: string | null, from: string): Mailer {
  if (!smtpUrl) return { deliver: async () => 'held', close: () => {} };
  // Timeouts well below nodemailer's defaults (up to 10 minutes), so a server that hangs fails the
  // attempt and the job is retried, instead of holding the worker. Query-string options in the URL win.
  // Pooled: a bulletin to thousands sends over a few kept-open connections (a new connection per message is several
  // times slower).
  const transport = nodemailer.createTransport({ url: smtpUrl, pool: true, connectionTimeout: 15_000, greetingTimeout: 15_000, socketTimeout: 60_000 });
  return {
    async deliver(message) {
      await transport.sendMail({ from, to: message.to, subject: message.subject, text: message.text, html: message.html, headers: message.headers });
      return 'sent';
    },
    close: () => transport.close(),
  };
}

export const SEND_EMAIL_JOB = 'email.send';

/** Records the message and queues its delivery in the caller's transaction. */
export async function queueEmail(tx: Queryable, jobs: JobQueue, lioId: string, message: OutgoingEmail, clock: Clock): Promise<void> {
  await queueEmails(tx, jobs, lioId, [message], clock);
}

/** As queueEmail, for many messages in two statements (a batch of sign-ups' confirmations). */
export async function queueEmails(tx: Queryable, jobs: JobQueue, lioId: string, messages: OutgoingEmail[], clock: Clock): Promise<void> {
  if (messages.length === 0) return;
  const now = clock.now();
  const rows = await tx.insertInto('email_messages')
    .values(messages.map((m) => ({ lio_id: lioId, to_address: m.to, subject: m.subject, body_text: m.text, created_at: now })))
    .returning('id').execute();
  await jobs.enqueueMany(tx, rows.map((row) => ({ lioId, kind: SEND_EMAIL_JOB, payload: { messageId: row.id } })));
}

export function registerEmailJob(jobs: JobQueue, db: Database, mailer: Mailer, clock: Clock): void {
  jobs.register(SEND_EMAIL_JOB, async (job) => {
    const lioId = job.lioId as string;
    const messageId = String(job.payload.messageId);
    const message = await db.withTenant(lioId, (tx) => tx.selectFrom('email_messages').selectAll().where('id', '=', messageId).executeTakeFirst());
    if (!message || message.status === 'sent') return;
    try {
      const outcome = await mailer.deliver({ to: message.to_address, subject: message.subject, text: message.body_text });
      await db.withTenant(lioId, (tx) => tx.updateTable('email_messages')
        .set({ status: outcome === 'sent' ? 'sent' : 'outbox', sent_at: outcome === 'sent' ? clock.now() : null })
        .where('id', '=', messageId).execute());
    } catch (err) {
      if (job.attempts >= job.maxAttempts) {
        await db.withTenant(lioId, (tx) => tx.updateTable('email_messages').set({ status: 'failed' }).where('id', '=', messageId).execute());
      }
      throw err;
    }
  });
}

export async function listEmails(db: Queryable, limit = 100) {
  return db.selectFrom('email_messages').selectAll().orderBy('created_at', 'desc').limit(limit).execute();
}
