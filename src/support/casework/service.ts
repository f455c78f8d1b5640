import { createHash } from 'node:crypto';
import type { Database, Queryable } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import type { Config } from '../../platform/config.js';
import type { SignedInUser } from '../../platform/auth/actor.js';
import { authorise } from '../../platform/auth/policy.js';
import { auditActorOf, recordAudit, type Actor } from '../../platform/audit.js';
import { FormErrors } from '../../platform/http/forms.js';
import { isUuid } from '../../platform/validation/ids.js';
import { londonDay } from '../../platform/validation/dates.js';
import { applicationsRepository } from '../applications/repository.js';
import { healthChecksRepository } from '../health-checks/repository.js';
import { caseworkRepository as repo, type CaseFilter } from './repository.js';
import type { OpenAnswer, readEdit, readNote, readOutcome } from './form.js';
import { checkDocument, safeFileName, type UploadedFile } from './upload.js';
import { keepFile, readKeptFile, removeKeptFile } from './store.js';

type Answer<F extends (...args: never[]) => { answer?: unknown }> = NonNullable<ReturnType<F>['answer']>;
export interface CaseworkDeps { db: Database; clock: Clock; config: Config }

/**
 * Support cases worked by advisers: opened for an organisation of the register, worked with notes of the time it took,
 * documents, outcomes and funding applications, and closed with what it achieved. Only advisers (and admins) read
 * them; every opening of a case is audited, since a case names the person who asked. A case of another LIO, or an
 * identifier that is not one, is simply not found.
 */
export class CaseworkService {
  constructor(private readonly deps: CaseworkDeps) {}

  today(): string {
    return londonDay(this.deps.clock.now());
  }

  now(): Date {
    return this.deps.clock.now();
  }

  async list(actor: SignedInUser | null, filter: CaseFilter, page: number, pageSize: number) {
    authorise(actor, 'cases.read');
    return this.listOf(actor.lioId, filter, page, pageSize);
  }

  /** The list for a caller already allowed to read the LIO's cases: a signed-in adviser, or the API's authenticated caller. */
  async listOf(lioId: string, filter: CaseFilter, page: number, pageSize: number) {
    return this.deps.db.withTenant(lioId, async (tx) => ({
      ...(await repo.list(tx, filter, this.today(), pageSize, (page - 1) * pageSize)),
      advisers: await repo.advisers(tx), organisation: filter.organisationId ? await repo.organisation(tx, filter.organisationId) : undefined,
    }));
  }

  async choices(actor: SignedInUser | null) {
    authorise(actor, 'cases.write');
    return this.deps.db.withTenant(actor.lioId, async (tx) => ({ advisers: await repo.advisers(tx), organisations: await repo.organisations(tx) }));
  }

  /** Opens a case taken by phone, e-mail, in person or by referral; the person who asked is found by e-mail (or phone) or added. */
  async open(actor: SignedInUser | null, a: OpenAnswer): Promise<{ errors: FormErrors; id?: string }> {
    authorise(actor, 'cases.write');
    const now = this.deps.clock.now();
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      const errors = new FormErrors();
      if (!(await repo.organisation(tx, a.organisationId))) errors.add('organisationId', 'Choose the organisation that asked for support');
      const adviser = a.adviser === 'me' ? actor.id : a.adviser;
      if (adviser && !(await repo.advisers(tx)).some((u) => u.id === adviser)) errors.add('adviser', 'Choose an adviser from the list');
      if (errors.any) return { errors };
      const personId = await this.askerPerson(tx, actor.lioId, a.asker, now);
      const reference = await repo.nextReference(tx, actor.lioId);
      const id = await repo.insertCase(tx, {
        lioId: actor.lioId, reference, organisationId: a.organisationId, topic: a.topic, title: a.title, request: a.request, askedVia: a.askedVia,
        askedByPersonId: personId, askedByUserId: null, referredBy: a.referredBy, adviserUserId: adviser, contactPreference: a.asker.email ? 'email' : 'phone',
        nextAction: a.nextAction, nextActionDue: a.nextActionDue, openedOn: londonDay(now), now,
      });
      await recordAudit(tx, actor.lioId, auditActorOf(actor), { action: 'support_case.opened', subjectType: 'support_case', subjectId: id, detail: { reference, via: a.askedVia } }, now);
      return { errors, id };
    });
  }

  /** One person per e-mail address (or, without one, per phone number): whoever asked before is the same person record. */
  private async askerPerson(tx: Queryable, lioId: string, asker: OpenAnswer['asker'], now: Date): Promise<string> {
    const held = asker.email ? await repo.personByEmail(tx, asker.email) : asker.phone ? await repo.personByPhone(tx, asker.phone) : undefined;
    if (held) {
      await repo.fillPerson(tx, held.id, { fullName: asker.name, phone: asker.phone, now });
      return held.id;
    }
    return (await repo.insertPerson(tx, { lioId, fullName: asker.name, email: asker.email, phone: asker.phone, now })).id;
  }

  /** The case and everything on it, for its page; the opening is audited. Undefined when there is no such case. */
  async view(actor: SignedInUser | null, id: string) {
    authorise(actor, 'cases.read');
    return this.record(actor.lioId, auditActorOf(actor), id);
  }

  /** The same for a caller already allowed to read the LIO's cases (the API's); audited as theirs, `via` saying how. */
  async record(lioId: string, caller: Actor, id: string, via?: 'api') {
    if (!isUuid(id)) return undefined;
    return this.deps.db.withTenant(lioId, async (tx) => {
      const found = await repo.byId(tx, id);
      if (!found) return undefined;
      await recordAudit(tx, lioId, caller, { action: 'support_case.viewed', subjectType: 'support_case', subjectId: id, detail: { reference: found.reference, ...(via ? { via } : {}) } }, this.deps.clock.now());
      return {
        case: found, notes: await repo.notes(tx, id, false), documents: await repo.documents(tx, id), outcomes: await repo.outcomes(tx, id),
        applications: await applicationsRepository.ofCase(tx, id), healthChecks: await healthChecksRepository.ofCase(tx, id),
        advisers: await repo.advisers(tx),
      };
    });
  }

  /** The case alone (a form's page), without its timeline; not audited again by each form. */
  async find(actor: SignedInUser | null, id: string, permission: 'cases.read' | 'cases.write' = 'cases.write') {
    authorise(actor, permission);
    if (!isUuid(id)) return undefined;
    return this.deps.db.withTenant(actor.lioId, (tx) => repo.byId(tx, id));
  }

  /** Runs `change` on an existing case in one transaction and audits it; undefined when there is no such case. */
  private async onCase<T>(actor: SignedInUser | null, id: string, action: string, change: (tx: Queryable, c: NonNullable<Awaited<ReturnType<typeof repo.byId>>>, now: Date) => Promise<T>) {
    authorise(actor, 'cases.write');
    if (!isUuid(id)) return undefined;
    const now = this.deps.clock.now();
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      const found = await repo.byId(tx, id);
      if (!found) return undefined;
      const result = await change(tx, found, now);
      await recordAudit(tx, actor.lioId, auditActorOf(actor), { action, subjectType: 'support_case', subjectId: id }, now);
      return { result };
    });
  }

  async edit(actor: SignedInUser | null, id: string, a: Answer<typeof readEdit>) {
    return this.onCase(actor, id, 'support_case.edited', async (tx, c, now) => {
      if (c.status === 'closed') return false;
      // A case no adviser has taken stays new, whatever the form said.
      await repo.update(tx, id, { ...a, status: c.adviser_user_id ? (a.status === 'new' ? 'open' : a.status) : 'new' }, now);
      return true;
    });
  }

  /** Gives the case to an adviser ('me', an account) or to no one; a new case taken up is open. */
  async assign(actor: SignedInUser | null, id: string, adviser: string): Promise<{ result: 'done' | 'not_adviser' } | undefined> {
    return this.onCase(actor, id, 'support_case.assigned', async (tx, c, now) => {
      const to = adviser === 'me' ? actor!.id : adviser || null;
      if (to && !(await repo.advisers(tx)).some((u) => u.id === to)) return 'not_adviser' as const;
      const status = c.status === 'closed' ? 'closed' : to ? (c.status === 'new' ? 'open' : c.status) : 'new';
      await repo.update(tx, id, { adviser_user_id: to, status }, now);
      return 'done' as const;
    });
  }

  async addNote(actor: SignedInUser | null, id: string, a: Answer<typeof readNote>) {
    return this.onCase(actor, id, 'support_case.noted', async (tx, c, now) => {
      await repo.insertNote(tx, { lioId: actor!.lioId, caseId: id, authorUserId: actor!.id, body: a.body, minutes: a.minutes, workedOn: a.workedOn, shared: a.shared, fromGroup: false, now });
      // Work on a new case is someone taking it up.
      if (c.status === 'new' && !c.adviser_user_id) await repo.update(tx, id, { adviser_user_id: actor!.id, status: 'open' }, now);
      else await repo.update(tx, id, {}, now);
    });
  }

  async close(actor: SignedInUser | null, id: string, summary: string) {
    return this.onCase(actor, id, 'support_case.closed', async (tx, c, now) => {
      if (c.status === 'closed') return false;
      await repo.update(tx, id, { status: 'closed', closed_on: londonDay(now), closing_summary: summary, next_action: null, next_action_due: null }, now);
      return true;
    });
  }

  async reopen(actor: SignedInUser | null, id: string) {
    return this.onCase(actor, id, 'support_case.reopened', async (tx, c, now) => {
      if (c.status !== 'closed') return false;
      await repo.update(tx, id, { status: c.adviser_user_id ? 'open' : 'new', closed_on: null }, now);
      return true;
    });
  }

  async addOutcome(actor: SignedInUser | null, id: string, a: Answer<typeof readOutcome>) {
    return this.onCase(actor, id, 'support_case.outcome_recorded', (tx, _c, now) =>
      repo.insertOutcome(tx, { lioId: actor!.lioId, caseId: id, kind: a.kind, detail: a.detail, achievedOn: a.achievedOn, userId: actor!.id, now }));
  }

  /** Keeps a document checked by its bytes: in the database, or as a file under a random name when a folder is set. */
  async addDocument(actor: SignedInUser | null, id: string, file: UploadedFile | null): Promise<{ result: { problem: string } | { id: string } } | undefined> {
    authorise(actor, 'cases.write');
    const { maxBytes, dir } = this.deps.config.supportDocuments;
    const checked = file ? await checkDocument(file, maxBytes) : { problem: 'Select a file to upload' };
    if ('problem' in checked) return (await this.find(actor, id)) ? { result: checked } : undefined;
    const bytes = file!.bytes;
    const key = dir ? await keepFile(dir, bytes) : null;
    try {
      const added = await this.onCase(actor, id, 'support_case.document_added', async (tx, _c, now) => repo.insertDocument(tx, {
        lioId: actor.lioId, caseId: id, fileName: safeFileName(file!.fileName), mediaType: checked.mediaType, size: bytes.length,
        sha256: createHash('sha256').update(bytes).digest('hex'), content: key ? null : bytes, storageKey: key, userId: actor.id, now,
      }));
      // No such case: the file kept for it goes too.
      if (!added && key) await removeKeptFile(dir!, key);
      return added;
    } catch (err) {
      if (key) await removeKeptFile(dir!, key);
      throw err;
    }
  }

  /** A document's bytes to download; the download is audited like a view of the case. */
  async document(actor: SignedInUser | null, caseId: string, documentId: string) {
    authorise(actor, 'cases.read');
    if (!isUuid(caseId) || !isUuid(documentId)) return undefined;
    const found = await this.deps.db.withTenant(actor.lioId, async (tx) => {
      const d = await repo.document(tx, caseId, documentId);
      if (d) await recordAudit(tx, actor.lioId, auditActorOf(actor), { action: 'support_case.document_downloaded', subjectType: 'support_case', subjectId: caseId, detail: { documentId } }, this.deps.clock.now());
      return d;
    });
    if (!found) return undefined;
    const bytes = found.content ? Buffer.from(found.content) : this.deps.config.supportDocuments.dir && found.storage_key
      ? await readKeptFile(this.deps.config.supportDocuments.dir, found.storage_key) : null;
    return bytes ? { fileName: found.file_name, mediaType: found.media_type, bytes } : undefined;
  }

  async deleteDocument(actor: SignedInUser | null, caseId: string, documentId: string) {
    if (!isUuid(documentId)) return undefined;
    const done = await this.onCase(actor, caseId, 'support_case.document_deleted', (tx) => repo.deleteDocument(tx, caseId, documentId));
    const dir = this.deps.config.supportDocuments.dir;
    if (done?.result?.storage_key && dir) await removeKeptFile(dir, done.result.storage_key);
    return done?.result ? done : undefined;
  }
}
