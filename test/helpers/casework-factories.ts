import { randomBytes } from 'node:crypto';
import type { App } from '../../src/app.js';
import type { Database } from '../../src/platform/db/index.js';
import type { CaseAskedVia, CaseStatus, SupportTopic } from '../../src/platform/db/support-schema.js';
import { caseworkRepository } from '../../src/support/casework/repository.js';
import type { Client, Page } from './client.js';
import * as cheerio from 'cheerio';

const unique = () => randomBytes(4).toString('hex');

export interface CaseInput {
  organisationId: string; topic?: SupportTopic; title?: string; request?: string; askedVia?: CaseAskedVia; status?: CaseStatus;
  adviserUserId?: string | null; askedByPersonId?: string | null; askedByUserId?: string | null; nextAction?: string | null; nextActionDue?: string | null; openedOn?: string;
}

/** Support cases, notes and people made directly in the tables, with references from the LIO's own counter. */
export function caseworkFactories(db: Database) {
  return {
    async supportCase(lio: { id: string }, c: CaseInput) {
      const now = new Date();
      return db.withTenant(lio.id, async (tx) => {
        const reference = await caseworkRepository.nextReference(tx, lio.id);
        const status = c.status ?? (c.adviserUserId ? 'open' : 'new');
        const row = await tx.insertInto('support_cases').values({
          lio_id: lio.id, reference, organisation_id: c.organisationId, topic: c.topic ?? 'funding', title: c.title ?? `Case ${unique()}`,
          request: c.request ?? 'Help with a bid.', asked_via: c.askedVia ?? 'phone', asked_by_person_id: c.askedByPersonId ?? null, asked_by_user_id: c.askedByUserId ?? null,
          adviser_user_id: c.adviserUserId ?? null, status, next_action: c.nextAction ?? null, next_action_due: c.nextActionDue ?? null,
          opened_on: c.openedOn ?? now.toISOString().slice(0, 10), closed_on: status === 'closed' ? now.toISOString().slice(0, 10) : null, created_at: now, updated_at: now,
        }).returningAll().executeTakeFirstOrThrow();
        return row;
      });
    },

    async note(lio: { id: string }, n: { caseId: string; body?: string; minutes?: number; shared?: boolean; fromGroup?: boolean; authorUserId?: string | null }) {
      const now = new Date();
      return db.withTenant(lio.id, (tx) => caseworkRepository.insertNote(tx, {
        lioId: lio.id, caseId: n.caseId, authorUserId: n.authorUserId ?? null, body: n.body ?? `Note ${unique()}`, minutes: n.minutes ?? 30,
        workedOn: now.toISOString().slice(0, 10), shared: n.shared ?? false, fromGroup: n.fromGroup ?? false, now,
      }));
    },

    async person(lio: { id: string }, p: { fullName?: string; email?: string; phone?: string } = {}) {
      const now = new Date();
      return db.withTenant(lio.id, (tx) => tx.insertInto('people').values({
        lio_id: lio.id, full_name: p.fullName ?? `Person ${unique()}`, emails: p.email ? [p.email] : [], phones: p.phone ? [p.phone] : [], contact_methods: ['email'], created_at: now, updated_at: now,
      }).returning('id').executeTakeFirstOrThrow());
    },
  };
}

/**
 * Uploads a file as a browser sends it (multipart, the bytes as they are), with the form's CSRF token and the client's
 * cookies: the shared client's own multipart helper sends text only.
 */
export async function uploadFile(app: App, client: Client, formPage: string, action: string, file: { name: string; bytes: Buffer; type?: string }): Promise<Page> {
  const page = await client.get(formPage);
  const csrf = page.$('input[name="_csrf"]').first().val() as string | undefined;
  if (!csrf) throw new Error(`No CSRF token on ${formPage} (status ${page.status})`);
  const boundary = `----cg${randomBytes(8).toString('hex')}`;
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${csrf}\r\n`),
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: ${file.type ?? 'application/octet-stream'}\r\n\r\n`),
    file.bytes, Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  const cookies = ['cg_session', '_csrf'].filter((c) => client.hasCookie(c)).map((c) => `${c}=${client.cookie(c)}`).join('; ');
  const response = await app.inject({ method: 'POST', url: action, payload, headers: { host: client.host, 'content-type': `multipart/form-data; boundary=${boundary}`, cookie: cookies } });
  return { status: response.statusCode, headers: response.headers, body: response.body, $: cheerio.load(response.body), location: response.headers.location as string | undefined };
}

/** A small, real PDF. */
export const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n');
/** The first bytes of a Windows program. */
export const EXE = Buffer.concat([Buffer.from([0x4d, 0x5a, 0x90, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0xff, 0xff, 0x00, 0x00]), Buffer.alloc(200, 0x41)]);
/** A one-pixel PNG. */
export const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
