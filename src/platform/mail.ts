import { randomBytes, randomUUID } from 'node:crypto';
import nodemailer from 'nodemailer';
import addressparser from 'nodemailer/lib/addressparser';
import { encodeWords, foldLines, isPlainText, quoteString } from 'nodemailer/lib/mime-funcs';
import { encode as qpEncode, wrap as qpWrap } from 'nodemailer/lib/qp';
import type { Database, Queryable } from './db/index.js';
import type { JobQueue } from './jobs.js';
import type { Clock } from './clock.js';

export interface OutgoingEmail {
  to: string; subject: string; text: string;
  /** An HTML alternative to the text (a bulletin, with its open-tracking image). */
  html?: string;
  /** Extra headers: a bulletin's or a funding digest's List-Unsubscribe and List-Unsubscribe-Post. */
  headers?: Record<string, string>;
  /** The whole message as made for this recipient (a copy of a bulk message), sent as it is. */
  mime?: string;
}

/** Delivers one message. `held` means no SMTP server is configured: the message stays in the outbox. */
export interface Mailer { deliver(message: OutgoingEmail): Promise<'sent' | 'held'>; close(): void }

export function createMailer(smtpUrl: string | null, from: string): Mailer {
  if (!smtpUrl) return { deliver: async () => 'held', close: () => {} };
  // Timeouts well below nodemailer's defaults (up to 10 minutes), so a server that hangs fails the
  // attempt and the job is retried, instead of holding the worker. Query-string options in the URL win.
  // Pooled: a bulletin to thousands sends over a few kept-open connections (a new connection per message is several
  // times slower).
  const transport = nodemailer.createTransport({
    url: smtpUrl, pool: true, maxConnections: MAIL_CONNECTIONS, connectionTimeout: 15_000, greetingTimeout: 15_000, socketTimeout: 60_000,
  });
  const sender = senderOf(from);
  return {
    async deliver(message) {
      if (message.mime) await transport.sendMail({ envelope: { from: sender.address, to: [message.to] }, raw: message.mime });
      else await transport.sendMail({ from, to: message.to, subject: message.subject, text: message.text, html: message.html, headers: safeHeaders(message.headers) });
      return 'sent';
    },
    close: () => transport.close(),
  };
}

/** Connections the mailer keeps open to the SMTP server: a bulletin's lanes send over them at once. */
export const MAIL_CONNECTIONS = 8;

/** The address and the ready From header of MAIL_FROM ('Name <address>' or a bare address). */
function senderOf(from: string) {
  const parsed = addressparser(from, { flatten: true })[0];
  const address = parsed?.address || from;
  const name = parsed?.name ?? '';
  return { address, header: name ? `${isPlainText(name) ? quoteString(name) : encodeWords(name, 'Q', 52)} <${address}>` : address };
}

/** A part's text in quoted-printable, CRLF line ends, soft-wrapped at 76. */
const quotedPrintable = (s: string) => qpWrap(qpEncode(s.replace(/\r?\n/g, '\r\n')), 76);

/** A header's name as RFC 5322 allows it: printable ASCII but the colon, so a name cannot end its header or start another. */
const HEADER_NAME = /^[!-9;-~]+$/;
/** A line break in a header's value would end the header (or, doubled, the headers): a space, as in the subject. */
const LINE_BREAKS = /[\r\n]+/g;
/** Other control characters have no place in a header and some servers take them for line ends: dropped. */
// eslint-disable-next-line no-control-regex -- control characters are what it finds
const CONTROLS = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g;

/**
 * Extra headers as they may be written: each value on one line, whatever reached it (a link made from a LIO's address,
 * say). A name that is not a header's is a mistake in the code that made it, so it is refused, not mended.
 */
export function safeHeaders(headers: Record<string, string> | null | undefined): Record<string, string> {
  const safe: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (!HEADER_NAME.test(name)) throw new Error(`not a header name: ${JSON.stringify(name)}`);
    safe[name] = value.replace(LINE_BREAKS, ' ').replace(CONTROLS, '');
  }
  return safe;
}

/** An address that can go in a To header as it is: plain ASCII and nothing a header would have to quote. */
const BARE_ADDRESS = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+$/;

/**
 * One message to many recipients with its MIME made once (nodemailer would build each copy from scratch, most of a
 * bulk send's time). Each copy's parts are the shared head plus the recipient's own tail (their links): quoted-printable
 * encodes line by line, so a head ending in a line break encoded once, followed by the tail encoded per copy, gives the
 * same bytes as encoding the whole part. `copy` returns null for an address a header would have to quote or encode:
 * that one is sent the ordinary way.
 */
export function bulkMessage(from: string, head: { subject: string; text: string; html: string }) {
  if (!head.text.endsWith('\n') || !head.html.endsWith('\n')) throw new Error('a bulk message\'s heads end with a line break');
  const sender = senderOf(from);
  const domain = sender.address.split('@')[1] || 'localhost';
  const boundary = `--_cg_${randomBytes(12).toString('hex')}`;
  // A line break in the subject would end the header: it is a space, as each copy's own headers are.
  const oneLine = head.subject.replace(/[\r\n]+/g, ' ');
  const subject = foldLines(`Subject: ${isPlainText(oneLine) ? oneLine : encodeWords(oneLine, 'Q', 52)}`, 76).trimEnd();
  const top = `Content-Type: multipart/alternative; boundary="${boundary}"\r\nFrom: ${sender.header}\r\n`;
  const textHead = `--${boundary}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n${quotedPrintable(head.text)}`;
  const htmlHead = `\r\n--${boundary}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n${quotedPrintable(head.html)}`;
  return {
    copy(to: string, own: { text: string; html: string; headers: Record<string, string> }): string | null {
      if (!BARE_ADDRESS.test(to)) return null;
      let headers = `${top}To: ${to}\r\n${subject}\r\nMessage-ID: <${randomUUID()}@${domain}>\r\nDate: ${new Date().toUTCString().replace(/GMT/, '+0000')}\r\nMIME-Version: 1.0\r\n`;
      for (const [key, value] of Object.entries(safeHeaders(own.headers))) headers += `${key}: ${value}\r\n`;
      return `${headers}\r\n${textHead}${quotedPrintable(own.text)}${htmlHead}${quotedPrintable(own.html)}\r\n--${boundary}--\r\n`;
    },
  };
}

export const SEND_EMAIL_JOB = 'email.send';

/** A message's extra headers as the outbox keeps them: made safe before they are stored, null when there are none. */
export function storedHeaders(headers: Record<string, string> | undefined): string | null {
  const safe = safeHeaders(headers);
  return Object.keys(safe).length ? JSON.stringify(safe) : null;
}

/** Records the message and queues its delivery in the caller's transaction. */
export async function queueEmail(tx: Queryable, jobs: JobQueue, lioId: string, message: OutgoingEmail, clock: Clock): Promise<void> {
  await queueEmails(tx, jobs, lioId, [message], clock);
}

/** As queueEmail, for many messages in two statements (a batch of sign-ups' confirmations). */
export async function queueEmails(tx: Queryable, jobs: JobQueue, lioId: string, messages: OutgoingEmail[], clock: Clock): Promise<void> {
  if (messages.length === 0) return;
  const now = clock.now();
  const rows = await tx.insertInto('email_messages')
    .values(messages.map((m) => ({ lio_id: lioId, to_address: m.to, subject: m.subject, body_text: m.text, headers: storedHeaders(m.headers), created_at: now })))
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
      const outcome = await mailer.deliver({ to: message.to_address, subject: message.subject, text: message.body_text, ...(message.headers ? { headers: message.headers } : {}) });
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
