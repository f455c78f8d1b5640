import type { Database } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import type { SignedInUser } from '../../platform/auth/actor.js';
import { authorise } from '../../platform/auth/policy.js';
import { auditActorOf, recordAudit } from '../../platform/audit.js';
import { isUuid } from '../../platform/validation/ids.js';
import { normaliseUkPhone } from '../../platform/validation/phones.js';
import type { FormErrors } from '../../platform/http/forms.js';
import { recordsRepository as repo, type PersonRow } from './repository.js';
import { keepingUnshown, readConsentForm, readPersonForm, type ConsentFormValues, type PersonFormValues } from './form.js';

export const PAGE_SIZE = 25;

export type Saved = { errors: FormErrors; id?: undefined } | { errors?: undefined; id: string };

/** Finding, adding and correcting person records, and their consents. */
export class RecordsService {
  constructor(private readonly deps: { db: Database; clock: Clock }) {}

  async list(actor: SignedInUser | null, q: string, page: number) {
    authorise(actor, 'people.read');
    return this.deps.db.withTenant(actor.lioId, (tx) => repo.list(tx, { q, page, pageSize: PAGE_SIZE }, normaliseUkPhone(q)));
  }

  /** A person in use (not merged away, not erased), for its edit form; opening it is audited as a view of their data. */
  async forEdit(actor: SignedInUser | null, id: string): Promise<PersonRow | undefined> {
    authorise(actor, 'people.write');
    if (!isUuid(id)) return undefined;
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      const person = await repo.find(tx, id);
      if (!person || person.merged_into_id || person.erased_at) return undefined;
      await recordAudit(tx, actor.lioId, auditActorOf(actor), { action: 'person.viewed', subjectType: 'person', subjectId: id, detail: { page: 'edit' } }, this.deps.clock.now());
      return person;
    });
  }

  /** Whether a person in use has this id (before offering a form about them). */
  async exists(actor: SignedInUser | null, id: string): Promise<boolean> {
    authorise(actor, 'people.write');
    if (!isUuid(id)) return false;
    const person = await this.deps.db.withTenant(actor.lioId, (tx) => repo.find(tx, id));
    return Boolean(person && !person.merged_into_id && !person.erased_at);
  }

  async create(actor: SignedInUser | null, values: PersonFormValues): Promise<Saved> {
    authorise(actor, 'people.write');
    const now = this.deps.clock.now();
    const { errors, person } = readPersonForm(values, now);
    if (errors.any) return { errors };
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      const { id } = await repo.insert(tx, actor.lioId, person, now);
      await recordAudit(tx, actor.lioId, auditActorOf(actor), { action: 'person.created', subjectType: 'person', subjectId: id }, now);
      return { id };
    });
  }

  /** Undefined when there is no such person to change (merged away or erased meanwhile). */
  async update(actor: SignedInUser | null, id: string, values: PersonFormValues): Promise<Saved | undefined> {
    authorise(actor, 'people.write');
    if (!isUuid(id)) return undefined;
    const now = this.deps.clock.now();
    const { errors, person: typed } = readPersonForm(values, now);
    if (errors.any) return { errors };
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      const held = await repo.find(tx, id);
      if (!held || held.merged_into_id || held.erased_at) return undefined;
      const person = keepingUnshown(typed, held);
      await repo.update(tx, id, person, now);
      const changed = (Object.keys(person) as (keyof typeof person)[]).filter((k) => JSON.stringify(person[k]) !== JSON.stringify(held[k]));
      await recordAudit(tx, actor.lioId, auditActorOf(actor), { action: 'person.updated', subjectType: 'person', subjectId: id, detail: { fields: changed } }, now);
      return { id };
    });
  }

  async recordConsent(actor: SignedInUser | null, personId: string, values: ConsentFormValues): Promise<{ errors?: FormErrors; missing?: true }> {
    authorise(actor, 'people.write');
    if (!isUuid(personId)) return { missing: true };
    const now = this.deps.clock.now();
    const { errors, consent } = readConsentForm(values, now);
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      const person = await repo.find(tx, personId);
      if (!person || person.merged_into_id || person.erased_at) return { missing: true as const };
      if (errors.any) return { errors };
      const { id } = await repo.insertConsent(tx, { lioId: actor.lioId, personId, ...consent, recordedBy: actor.id, now });
      await recordAudit(tx, actor.lioId, auditActorOf(actor), { action: 'consent.recorded', subjectType: 'person', subjectId: personId, detail: { consentId: id, purpose: consent.purpose } }, now);
      return {};
    });
  }

  /** False when the consent is not this person's or was withdrawn already. */
  async withdrawConsent(actor: SignedInUser | null, personId: string, consentId: string): Promise<boolean> {
    authorise(actor, 'people.write');
    if (!isUuid(personId) || !isUuid(consentId)) return false;
    const now = this.deps.clock.now();
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      const result = await repo.withdrawConsent(tx, personId, consentId, now);
      if (Number(result.numUpdatedRows) === 0) return false;
      await recordAudit(tx, actor.lioId, auditActorOf(actor), { action: 'consent.withdrawn', subjectType: 'person', subjectId: personId, detail: { consentId } }, now);
      return true;
    });
  }
}
