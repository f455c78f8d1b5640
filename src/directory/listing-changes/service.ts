import type { Database, Queryable, Tx } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import type { JobQueue } from '../../platform/jobs.js';
import type { SignedInUser } from '../../platform/auth/actor.js';
import { ForbiddenError, authorise } from '../../platform/auth/policy.js';
import { auditActorOf, recordAudit } from '../../platform/audit.js';
import { queueEmail } from '../../platform/mail.js';
import { FormErrors, type FieldError } from '../../platform/http/forms.js';
import { isUuid } from '../../platform/validation/ids.js';
import { MEMBER_FIELDS, diffOrganisation, inputOf, type ChangeSet, type OrganisationInput } from '../organisations/record.js';
import { formValuesOf, readOrganisationForm, type FormValues } from '../organisations/form.js';
import { diffRows } from '../organisations/present.js';
import { organisationsRepository as organisations, recordOrganisationEvent } from '../organisations/repository.js';
import { changedFields } from '../organisations/service.js';
import { loadService } from '../services/repository.js';
import { saveServiceUpdate, validateService, valuesFromBody, valuesFromService, type ServiceFormValues } from '../services/service.js';
import {
  changedServiceFields, diffService, forMemberCheck, memberErrors, serviceDiffRows, snapshotOfService, snapshotOfWrite, withMemberFields, withProposal,
  type ServiceChangeSet,
} from '../services/service-changes.js';
import { londonDay } from '../../platform/validation/dates.js';
import { listingChangesRepository } from './repository.js';

export type ProposeResult =
  | { outcome: 'invalid'; values: FormValues; errors: FormErrors }
  | { outcome: 'unchanged' }
  | { outcome: 'submitted'; changes: ChangeSet };

export type ServiceProposeResult =
  | { outcome: 'invalid'; values: ServiceFormValues; errors: FormErrors }
  | { outcome: 'unchanged' }
  | { outcome: 'submitted'; changes: ServiceChangeSet };

export type ReviewResult =
  | { outcome: 'done'; name: string }
  | { outcome: 'already_reviewed' }
  | { outcome: 'not_found' }
  | { outcome: 'invalid'; errors: FormErrors; note: string }
  | { outcome: 'cannot_apply'; errors: FormErrors };

type Claimed = NonNullable<Awaited<ReturnType<typeof listingChangesRepository.claim>>>;

/** Thrown inside the review's transaction so that the claim is undone with everything else. */
class CannotApply extends Error {
  constructor(readonly errors: FormErrors) { super('The proposed change cannot be applied'); }
}

/** What a change is to, as staff read it in a message: the organisation, or a service and whose it is. */
const nameOf = (org: { name: string }, service: { name: string } | null) => (service ? `${service.name} (${org.name})` : org.name);

/**
 * A group member's edit of their own listing, or of one of their organisation's services (service_id
 * set), waits as a listing change (a diff, field by field, from → to) until staff with listing.approve
 * approve it (then it is applied through the same path as a staff edit) or reject it with a note.
 */
export class ListingChangesService {
  constructor(private readonly deps: { db: Database; clock: Clock; jobs: JobQueue }) {}

  /** The group member's page: their listing as it stands, with any proposal waiting and the last decision, and their services. */
  async myListing(actor: SignedInUser | null) {
    authorise(actor, 'listing.edit_own');
    const organisationId = actor.organisationId!;
    authorise(actor, 'listing.edit_own', organisationId);
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      const row = await organisations.get(tx, organisationId);
      if (!row) return null;
      const current = inputOf(row);
      const pending = await listingChangesRepository.pendingFor(tx, organisationId);
      const lastReviewed = await listingChangesRepository.lastReviewedFor(tx, organisationId);
      // The form shows the proposal waiting, if there is one, so a second edit builds on the first.
      const proposed: OrganisationInput = { ...current };
      for (const [field, change] of Object.entries(pending?.changes ?? {})) (proposed as unknown as Record<string, unknown>)[field] = change.to;
      return {
        organisation: row, current, values: formValuesOf(proposed),
        pending: pending ? { ...pending, rows: diffRows(pending.changes, current) } : null,
        lastReviewed: latestDecision(lastReviewed, pending),
        services: await listingChangesRepository.servicesWithPending(tx, organisationId),
      };
    });
  }

  /** A service of the member's own organisation, as its form shows it; another organisation's is refused (403). */
  async myService(actor: SignedInUser | null, serviceId: string) {
    authorise(actor, 'listing.edit_own');
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      const service = await this.ownService(tx, actor, serviceId);
      if (!service) return null;
      const pending = await listingChangesRepository.pendingFor(tx, service.organization_id, service.id);
      const lastReviewed = await listingChangesRepository.lastReviewedFor(tx, service.organization_id, service.id);
      const changes = (pending?.changes ?? {}) as ServiceChangeSet;
      return {
        service, values: withProposal(valuesFromService(service), changes),
        pending: pending ? { ...pending, rows: serviceDiffRows(changes, snapshotOfService(service)) } : null,
        lastReviewed: latestDecision(lastReviewed, pending),
      };
    });
  }

  /** Stores the member's edit of a service as a pending change; the service itself is not touched. */
  async proposeServiceChange(actor: SignedInUser | null, serviceId: string, body: unknown, lioName: string): Promise<ServiceProposeResult | null> {
    authorise(actor, 'listing.edit_own');
    const now = this.deps.clock.now();
    return this.deps.db.withTenant(actor.lioId, async (tx): Promise<ServiceProposeResult | null> => {
      const service = await this.ownService(tx, actor, serviceId);
      if (!service) return null;
      const values = withMemberFields(valuesFromService(service), valuesFromBody(body));
      const current = snapshotOfService(service);
      const { errors: found, write } = await validateService(tx, forMemberCheck(values), null, londonDay(now));
      const errors = memberErrors(found.list, JSON.stringify(current.deliveryModes) !== JSON.stringify([...values.deliveryModes].sort()), lioName);
      if (errors.any || !write) return { outcome: 'invalid', values, errors };
      const changes = diffService(current, snapshotOfWrite(write));
      if (Object.keys(changes).length === 0) return { outcome: 'unchanged' };
      const changeId = await this.storeProposal(tx, actor, service.organization_id, service.id, changes, now);
      await recordOrganisationEvent(tx, actor.lioId, service.organization_id, actor.displayName, 'change_submitted',
        `Changes to the service ${service.name} proposed by the group, waiting for approval: ${changedServiceFields(changes).join(', ')}`,
        { change_id: changeId, service_id: service.id, changes }, now);
      await recordAudit(tx, actor.lioId, auditActorOf(actor), {
        action: 'listing_change.submitted', subjectType: 'listing_change', subjectId: changeId,
        detail: { organisation: service.organization_id, service: service.id, fields: Object.keys(changes) },
      }, now);
      return { outcome: 'submitted', changes };
    });
  }

  /** Stores the member's edit as a pending change; the listing itself is not touched. */
  async propose(actor: SignedInUser | null, organisationId: string, body: unknown): Promise<ProposeResult | null> {
    authorise(actor, 'listing.edit_own', organisationId);
    const now = this.deps.clock.now();
    return this.deps.db.withTenant(actor.lioId, async (tx): Promise<ProposeResult | null> => {
      const row = await organisations.get(tx, organisationId);
      if (!row) return null;
      const current = inputOf(row);
      const { values, input, errors } = readOrganisationForm(body, MEMBER_FIELDS, current);
      if (errors.any) return { outcome: 'invalid', values, errors };
      const changes = diffOrganisation(current, input, MEMBER_FIELDS);
      if (Object.keys(changes).length === 0) return { outcome: 'unchanged' };
      const changeId = await this.storeProposal(tx, actor, organisationId, null, changes, now);
      await recordOrganisationEvent(tx, actor.lioId, organisationId, actor.displayName, 'change_submitted',
        `Changes proposed by the group, waiting for approval: ${changedFields(changes).join(', ')}`, { change_id: changeId, changes }, now);
      await recordAudit(tx, actor.lioId, auditActorOf(actor), {
        action: 'listing_change.submitted', subjectType: 'listing_change', subjectId: changeId, detail: { organisation: organisationId, fields: Object.keys(changes) },
      }, now);
      return { outcome: 'submitted', changes };
    });
  }

  /** Pending changes for staff, each with a from → to table and what the record holds now if it moved on since. */
  async pending(actor: SignedInUser | null) {
    authorise(actor, 'listing.approve');
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      const rows = await listingChangesRepository.pending(tx);
      return Promise.all(rows.map(async (c) => {
        if (c.service_id) {
          const service = await loadService(tx, c.service_id);
          return { ...c, rows: serviceDiffRows(c.changes as ServiceChangeSet, service ? snapshotOfService(service) : undefined) };
        }
        const org = await organisations.get(tx, c.organisation_id);
        return { ...c, rows: diffRows(c.changes, org ? inputOf(org) : undefined) };
      }));
    });
  }

  async approve(actor: SignedInUser | null, id: string, lioName: string): Promise<ReviewResult> {
    authorise(actor, 'listing.approve');
    if (!isUuid(id)) return { outcome: 'not_found' };
    const now = this.deps.clock.now();
    try {
      return await this.deps.db.withTenant(actor.lioId, async (tx): Promise<ReviewResult> => {
        const claimed = await listingChangesRepository.claim(tx, id, 'approved', actor.id, null, now);
        if (!claimed) return (await listingChangesRepository.exists(tx, id)) ? { outcome: 'already_reviewed' } : { outcome: 'not_found' };
        const org = await organisations.get(tx, claimed.organisation_id);
        if (!org) return { outcome: 'not_found' };
        const applied = claimed.service_id
          ? await this.applyServiceChange(tx, actor, id, claimed.service_id, claimed.changes as ServiceChangeSet, now)
          : await this.applyListingChange(tx, org.id, claimed.changes as ChangeSet, now);
        if (!applied) return { outcome: 'not_found' };
        const { service, fields } = applied;
        await recordOrganisationEvent(tx, actor.lioId, org.id, actor.displayName, 'change_approved',
          `Proposed changes${service ? ` to the service ${service.name}` : ''} approved and published: ${fields.join(', ')}`,
          { change_id: id, ...(service ? { service_id: service.id } : {}), changes: claimed.changes }, now);
        await recordAudit(tx, actor.lioId, auditActorOf(actor), {
          action: 'listing_change.approved', subjectType: 'listing_change', subjectId: id, detail: reviewDetail(claimed),
        }, now);
        await this.tellSubmitter(tx, actor.lioId, claimed.submitted_by, `Your changes to ${service?.name ?? org.name} have been approved`,
          `The changes you proposed to ${service ? `${service.name}, a service of ${org.name},` : `the listing of ${org.name}`} have been approved by ${lioName} and are now published:\n\n${fields.map((f) => `- ${f}`).join('\n')}\n`);
        return { outcome: 'done', name: nameOf(org, service) };
      });
    } catch (error) {
      if (error instanceof CannotApply) return { outcome: 'cannot_apply', errors: error.errors };
      throw error;
    }
  }

  async reject(actor: SignedInUser | null, id: string, note: string, lioName: string): Promise<ReviewResult> {
    authorise(actor, 'listing.approve');
    if (!isUuid(id)) return { outcome: 'not_found' };
    const errors = new FormErrors();
    if (!note) errors.add(`note-${id}`, 'Enter a note saying why the changes are not approved: the group will see it');
    else if (note.length > 1000) errors.add(`note-${id}`, 'The note must be 1,000 characters or fewer');
    if (errors.any) return { outcome: 'invalid', errors, note };
    const now = this.deps.clock.now();
    return this.deps.db.withTenant(actor.lioId, async (tx): Promise<ReviewResult> => {
      const claimed = await listingChangesRepository.claim(tx, id, 'rejected', actor.id, note, now);
      if (!claimed) return (await listingChangesRepository.exists(tx, id)) ? { outcome: 'already_reviewed' } : { outcome: 'not_found' };
      const org = await organisations.get(tx, claimed.organisation_id);
      if (!org) return { outcome: 'not_found' };
      const service = claimed.service_id ? (await loadService(tx, claimed.service_id)) ?? null : null;
      const fields = service ? changedServiceFields(claimed.changes as ServiceChangeSet) : changedFields(claimed.changes as ChangeSet);
      await recordOrganisationEvent(tx, actor.lioId, org.id, actor.displayName, 'change_rejected',
        `Proposed changes${service ? ` to the service ${service.name}` : ''} not approved: ${fields.join(', ')}`,
        { change_id: id, ...(service ? { service_id: service.id } : {}), changes: claimed.changes, note }, now);
      await recordAudit(tx, actor.lioId, auditActorOf(actor), {
        action: 'listing_change.rejected', subjectType: 'listing_change', subjectId: id, detail: reviewDetail(claimed),
      }, now);
      await this.tellSubmitter(tx, actor.lioId, claimed.submitted_by, `Your changes to ${service?.name ?? org.name} were not approved`,
        `${lioName} did not approve the changes you proposed to ${service ? `${service.name}, a service of ${org.name}` : `the listing of ${org.name}`}.\n\nTheir note:\n${note}\n\n${service ? 'The service has' : 'The listing has'} not changed. You can propose changes again from "Our listing" when you sign in.\n`);
      return { outcome: 'done', name: nameOf(org, service) };
    });
  }

  private async applyListingChange(tx: Queryable, organisationId: string, changes: ChangeSet, now: Date) {
    await organisations.applyChanges(tx, organisationId, changes, now);
    return { service: null, fields: changedFields(changes) };
  }

  /**
   * Replays the proposal over the service as it stands, through the staff update path, so the delivery history,
   * the audit entry and the published directory's version all follow as for any other change.
   */
  private async applyServiceChange(tx: Tx, actor: SignedInUser, changeId: string, serviceId: string, changes: ServiceChangeSet, now: Date) {
    const service = await loadService(tx, serviceId);
    if (!service) return null;
    const saved = await saveServiceUpdate(tx, actor.lioId, auditActorOf(actor), serviceId, withProposal(valuesFromService(service), changes), now);
    if (!saved) return null;
    if (saved.errors.any) throw new CannotApply(cannotApply(changeId, service.name, saved.errors.list));
    return { service, fields: changedServiceFields(changes) };
  }

  /** One pending change per listing or service: a newer edit replaces the one waiting. */
  private async storeProposal(tx: Queryable, actor: SignedInUser, organisationId: string, serviceId: string | null, changes: ChangeSet | ServiceChangeSet, now: Date) {
    const pending = await listingChangesRepository.pendingFor(tx, organisationId, serviceId);
    if (pending) {
      await listingChangesRepository.replace(tx, pending.id, actor.id, changes, now);
      return pending.id;
    }
    return (await listingChangesRepository.insert(tx, { lioId: actor.lioId, organisationId, serviceId: serviceId ?? undefined, userId: actor.id, changes, now })).id;
  }

  private async ownService(tx: Queryable, actor: SignedInUser, serviceId: string) {
    const service = isUuid(serviceId) ? await loadService(tx, serviceId) : undefined;
    if (!service) return null;
    if (service.organization_id !== actor.organisationId) throw new ForbiddenError('listing.edit_own');
    return service;
  }

  private async tellSubmitter(tx: Queryable, lioId: string, userId: string | null, subject: string, text: string) {
    if (!userId) return;
    const user = await listingChangesRepository.submitter(tx, userId);
    if (!user || user.status === 'disabled') return;
    await queueEmail(tx, this.deps.jobs, lioId, { to: user.email, subject, text: `Hello ${user.display_name},\n\n${text}` }, this.deps.clock);
  }
}

/** The last decision, shown only when no newer proposal is waiting. */
function latestDecision<T extends { reviewed_at: Date | null }>(lastReviewed: T | undefined, pending: { submitted_at: Date } | undefined) {
  return lastReviewed && (!pending || (lastReviewed.reviewed_at ?? 0) > pending.submitted_at) ? lastReviewed : null;
}

const reviewDetail = (c: Claimed) => ({ organisation: c.organisation_id, ...(c.service_id ? { service: c.service_id } : {}), fields: Object.keys(c.changes) });

/** Staff are told what stops the change (a venue gone, a fault in the record) and where to put it right. */
function cannotApply(changeId: string, serviceName: string, problems: FieldError[]): FormErrors {
  const errors = new FormErrors();
  errors.add(`change-${changeId}`, `The changes to ${serviceName} cannot be applied as they stand: ${problems.map((p) => p.text).join('; ')}. Change the service first, or do not approve.`);
  return errors;
}
