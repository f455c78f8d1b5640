import type { Database, Queryable } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import type { JobQueue } from '../../platform/jobs.js';
import type { SignedInUser } from '../../platform/auth/actor.js';
import { authorise } from '../../platform/auth/policy.js';
import { auditActorOf, recordAudit } from '../../platform/audit.js';
import { queueEmail } from '../../platform/mail.js';
import { isUuid } from '../../platform/validation/ids.js';
import { londonDay } from '../../platform/validation/dates.js';
import { SUPPORT_TOPICS } from '../vocabulary.js';
import { caseworkRepository as repo } from '../casework/repository.js';
import type { readRequest } from './form.js';

type RequestAnswer = NonNullable<ReturnType<typeof readRequest>['answer']>;

/**
 * A group's own support, from its portal: it asks for support (a new case no adviser has taken yet, and an e-mail to
 * the LIO's advisers), follows its cases and writes to its adviser. It sees where each case stands, its adviser and
 * the next action when it is theirs, and the notes shared with it, never the advisers' own notes.
 */
export class OurSupportService {
  constructor(private readonly deps: { db: Database; clock: Clock; jobs: JobQueue }) {}

  private organisationOf(actor: SignedInUser): string {
    authorise(actor, 'support.request', actor.organisationId);
    return actor.organisationId!;
  }

  async cases(actor: SignedInUser | null) {
    authorise(actor, 'support.request');
    const organisationId = this.organisationOf(actor);
    return this.deps.db.withTenant(actor.lioId, async (tx) => ({ organisation: await repo.organisation(tx, organisationId), cases: await repo.ofOrganisation(tx, organisationId) }));
  }

  async request(actor: SignedInUser | null, a: RequestAnswer, origin: string): Promise<string> {
    authorise(actor, 'support.request');
    const organisationId = this.organisationOf(actor);
    const now = this.deps.clock.now();
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      const personId = await this.askerPerson(tx, actor, a.phone, now);
      const reference = await repo.nextReference(tx, actor.lioId);
      const id = await repo.insertCase(tx, {
        lioId: actor.lioId, reference, organisationId, topic: a.topic, title: a.title, request: a.request, askedVia: 'enquiry_form', askedByPersonId: personId,
        askedByUserId: actor.id, referredBy: null, adviserUserId: null, contactPreference: a.contactBy, nextAction: null, nextActionDue: null, openedOn: londonDay(now), now,
      });
      await recordAudit(tx, actor.lioId, auditActorOf(actor), { action: 'support_case.requested', subjectType: 'support_case', subjectId: id, detail: { reference } }, now);
      await this.tellAdvisers(tx, actor.lioId, { id, reference, topic: a.topic, organisationId }, origin);
      return id;
    });
  }

  /** The asker's own person record (their account's); a phone number they give for a call is added to it. */
  private async askerPerson(tx: Queryable, actor: SignedInUser, phone: string | null, now: Date): Promise<string | null> {
    const user = await repo.userPerson(tx, actor.id);
    const personId = user?.person_id ?? (await repo.personByEmail(tx, actor.email.toLowerCase()))?.id ?? null;
    if (personId) await repo.fillPerson(tx, personId, { fullName: actor.displayName, phone, now });
    return personId;
  }

  /** Each adviser hears of a new request (the outbox holds it when no mail server is set); no personal data in it. */
  private async tellAdvisers(tx: Queryable, lioId: string, c: { id: string; reference: string; topic: keyof typeof SUPPORT_TOPICS; organisationId: string }, origin: string) {
    const organisation = await repo.organisation(tx, c.organisationId);
    const advisers = await repo.adviserAddresses(tx);
    for (const adviser of advisers) {
      await queueEmail(tx, this.deps.jobs, lioId, {
        to: adviser.email, subject: `New request for support: ${c.reference}`,
        text: `${organisation?.name ?? 'A group'} has asked for support with ${SUPPORT_TOPICS[c.topic].toLowerCase()} (${c.reference}).\n\nIt is new and no one has taken it yet:\n${origin}/support/cases/${c.id}\n`,
      }, this.deps.clock);
    }
  }

  /** One of the organisation's cases with what the group may read; undefined for any other case. The view is audited. */
  async view(actor: SignedInUser | null, id: string) {
    authorise(actor, 'support.request');
    const organisationId = this.organisationOf(actor);
    if (!isUuid(id)) return undefined;
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      const c = await repo.byId(tx, id);
      if (!c || c.organisation_id !== organisationId) return undefined;
      await recordAudit(tx, actor.lioId, auditActorOf(actor), { action: 'support_case.viewed', subjectType: 'support_case', subjectId: id, detail: { by: 'group' } }, this.deps.clock.now());
      return { case: c, notes: await repo.notes(tx, id, true) };
    });
  }

  /** The group writes to its adviser; a case waiting on them is open again, since they have answered. */
  async message(actor: SignedInUser | null, id: string, message: string): Promise<boolean> {
    authorise(actor, 'support.request');
    const organisationId = this.organisationOf(actor);
    if (!isUuid(id)) return false;
    const now = this.deps.clock.now();
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      const c = await repo.byId(tx, id);
      if (!c || c.organisation_id !== organisationId) return false;
      await repo.insertNote(tx, { lioId: actor.lioId, caseId: id, authorUserId: actor.id, body: message, minutes: 0, workedOn: londonDay(now), shared: true, fromGroup: true, now });
      await repo.update(tx, id, c.status === 'waiting_on_group' ? { status: 'open' } : {}, now);
      await recordAudit(tx, actor.lioId, auditActorOf(actor), { action: 'support_case.message_from_group', subjectType: 'support_case', subjectId: id }, now);
      return true;
    });
  }
}
