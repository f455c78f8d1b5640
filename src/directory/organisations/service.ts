import type { Database } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import type { SignedInUser } from '../../platform/auth/actor.js';
import { authorise } from '../../platform/auth/policy.js';
import { auditActorOf, recordAudit, type Actor } from '../../platform/audit.js';
import { FormErrors, checkText, list, str } from '../../platform/http/forms.js';
import { isUuid } from '../../platform/validation/ids.js';
import { ORGANISATION_FIELDS, diffOrganisation, fieldLabel, inputOf, type ChangeSet } from './record.js';
import { readOrganisationForm, type FormValues } from './form.js';
import { diffRows } from './present.js';
import { organisationsRepository, recordOrganisationEvent, type OrganisationFilter } from './repository.js';
import { findLikelyDuplicates, unconfirmedDuplicates, type LikelyDuplicate } from './duplicates.js';
import { loadRecordPanels, type RecordPanel } from '../../platform/record-panels.js';

/** The changed field names, for a summary line and for the audit log (which never holds the values). */
export const changedFields = (changes: ChangeSet) => Object.keys(changes).map(fieldLabel);

export type SaveResult =
  | { outcome: 'invalid'; values: FormValues; errors: FormErrors }
  | { outcome: 'duplicates'; values: FormValues; errors: FormErrors; duplicates: LikelyDuplicate[] }
  | { outcome: 'saved'; id: string; name: string; changes: ChangeSet }
  | { outcome: 'not_found' };

function duplicateConfirmation(body: unknown) {
  return { confirmed: str(body, 'confirmDuplicate') === 'yes', seen: list(body, 'duplicatesSeen').filter((id) => isUuid(id)) };
}

function duplicateWarning(values: FormValues, duplicates: LikelyDuplicate[]) {
  const errors = new FormErrors();
  errors.add('confirmDuplicate', duplicates.length === 1
    ? 'This may already be on the register: check the organisation listed, then confirm this is a different one to save it'
    : `This may already be on the register: check the ${duplicates.length} organisations listed, then confirm this is a different one to save it`);
  return { outcome: 'duplicates' as const, values, errors, duplicates };
}

export class OrganisationsService {
  constructor(private readonly deps: { db: Database; clock: Clock }) {}

  // --- The JSON API (src/api): callers check the token's scope first. ---

  async list(lioId: string, page: number, pageSize: number) {
    return this.deps.db.withTenant(lioId, async (tx) => ({
      total: await organisationsRepository.count(tx),
      items: await organisationsRepository.list(tx, pageSize, (page - 1) * pageSize),
    }));
  }

  find(lioId: string, id: string) {
    return this.deps.db.withTenant(lioId, (tx) => organisationsRepository.find(tx, id));
  }

  async create(lioId: string, actor: Actor, name: string) {
    const errors = new FormErrors();
    checkText(errors, 'name', name, 'the organisation’s name', 300);
    if (errors.any) return { errors };
    const now = this.deps.clock.now();
    const organisation = await this.deps.db.withTenant(lioId, async (tx) => {
      const row = await organisationsRepository.insert(tx, lioId, name, now);
      await recordOrganisationEvent(tx, lioId, row.id, actor.label, 'created', 'Added to the register', { via: 'api' }, now);
      await recordAudit(tx, lioId, actor, { action: 'organisation.created', subjectType: 'organisation', subjectId: row.id }, now);
      return row;
    });
    return { errors, organisation };
  }

  // --- Staff pages ---

  async search(actor: SignedInUser | null, filter: OrganisationFilter) {
    authorise(actor, 'organisations.read');
    return this.deps.db.withTenant(actor.lioId, async (tx) => ({
      ...(await organisationsRepository.search(tx, filter)),
      themes: await organisationsRepository.themesInUse(tx),
    }));
  }

  /** The organisation page: the record, its timeline, what hangs off it, and the panels other capabilities add to it. */
  async page(actor: SignedInUser | null, id: string, panels: readonly RecordPanel[] = []) {
    authorise(actor, 'organisations.read');
    if (!isUuid(id)) return null;
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      const organisation = await organisationsRepository.get(tx, id);
      if (!organisation) return null;
      const [timeline, services, members, pendingChanges, mergedInto, mergedFrom, verificationMonths] = await Promise.all([
        organisationsRepository.timeline(tx, id),
        organisationsRepository.services(tx, id),
        organisationsRepository.members(tx, id),
        organisationsRepository.pendingChanges(tx, id),
        organisation.merged_into_id ? organisationsRepository.find(tx, organisation.merged_into_id) : Promise.resolve(undefined),
        organisationsRepository.mergedFrom(tx, id),
        organisationsRepository.verificationMonths(tx, actor.lioId),
      ]);
      const recordPanels = await loadRecordPanels(panels, 'organisation', { tx, actor, recordId: id, now: this.deps.clock.now() });
      return {
        organisation, services, members, pendingChanges, mergedInto, mergedFrom, verificationMonths, recordPanels,
        timeline: timeline.map((e) => ({ ...e, changes: e.detail && typeof e.detail === 'object' && 'changes' in e.detail ? diffRows(e.detail.changes as ChangeSet) : [] })),
      };
    });
  }

  async get(actor: SignedInUser | null, id: string) {
    authorise(actor, 'organisations.read');
    if (!isUuid(id)) return undefined;
    return this.deps.db.withTenant(actor.lioId, (tx) => organisationsRepository.get(tx, id));
  }

  /** A new record from the full form; likely duplicates must be confirmed before it is saved. */
  async createFromForm(actor: SignedInUser | null, body: unknown): Promise<SaveResult> {
    authorise(actor, 'organisations.write');
    const { values, input, errors } = readOrganisationForm(body, ORGANISATION_FIELDS);
    if (errors.any) return { outcome: 'invalid', values, errors };
    const { confirmed, seen } = duplicateConfirmation(body);
    const now = this.deps.clock.now();
    return this.deps.db.withTenant(actor.lioId, async (tx): Promise<SaveResult> => {
      const duplicates = await findLikelyDuplicates(tx, { name: input.name, charityNumber: input.charity_number, postcode: input.postcode });
      if (unconfirmedDuplicates(duplicates, confirmed, seen)) return duplicateWarning(values, duplicates);
      const row = await organisationsRepository.insertFull(tx, actor.lioId, input, now);
      await recordOrganisationEvent(tx, actor.lioId, row.id, actor.displayName, 'created', 'Added to the register', {
        ...(duplicates.length ? { confirmed_not_duplicate_of: duplicates.map((d) => ({ id: d.id, name: d.name })) } : {}),
      }, now);
      await recordAudit(tx, actor.lioId, auditActorOf(actor), {
        action: 'organisation.created', subjectType: 'organisation', subjectId: row.id, detail: duplicates.length ? { confirmedNotDuplicateOf: duplicates.map((d) => d.id) } : {},
      }, now);
      return { outcome: 'saved', id: row.id, name: row.name, changes: {} };
    });
  }

  /** Staff edit: applied at once, the timeline says what changed. */
  async updateFromForm(actor: SignedInUser | null, id: string, body: unknown): Promise<SaveResult> {
    authorise(actor, 'organisations.write');
    if (!isUuid(id)) return { outcome: 'not_found' };
    const now = this.deps.clock.now();
    return this.deps.db.withTenant(actor.lioId, async (tx): Promise<SaveResult> => {
      const row = await organisationsRepository.get(tx, id);
      if (!row || row.merged_into_id) return { outcome: 'not_found' };
      const current = inputOf(row);
      const { values, input, errors } = readOrganisationForm(body, ORGANISATION_FIELDS, current);
      if (errors.any) return { outcome: 'invalid', values, errors };
      const changes = diffOrganisation(current, input);
      if (Object.keys(changes).length === 0) return { outcome: 'saved', id, name: row.name, changes };
      if (changes.name || changes.charity_number || changes.postcode) {
        const { confirmed, seen } = duplicateConfirmation(body);
        const duplicates = await findLikelyDuplicates(tx, { id, name: input.name, charityNumber: input.charity_number, postcode: input.postcode });
        if (unconfirmedDuplicates(duplicates, confirmed, seen)) return duplicateWarning(values, duplicates);
      }
      await organisationsRepository.applyChanges(tx, id, changes, now);
      await recordOrganisationEvent(tx, actor.lioId, id, actor.displayName, 'edited', `Edited: ${changedFields(changes).join(', ')}`, { changes }, now);
      await recordAudit(tx, actor.lioId, auditActorOf(actor), { action: 'organisation.updated', subjectType: 'organisation', subjectId: id, detail: { fields: Object.keys(changes) } }, now);
      return { outcome: 'saved', id, name: input.name, changes };
    });
  }
}
