import type { Database, Queryable } from '../platform/db/index.js';
import type { Clock } from '../platform/clock.js';
import type { JobQueue } from '../platform/jobs.js';
import type { SignedInUser } from '../platform/auth/actor.js';
import { authorise } from '../platform/auth/policy.js';
import { recordAudit } from '../platform/audit.js';
import { queueEmail } from '../platform/mail.js';
import { FormErrors } from '../platform/http/forms.js';
import {
  MEMBER_FIELDS, UUID, authoriseOwnListing, diffOrganisation, diffRows, formValuesOf, inputOf, readOrganisationForm,
  type ChangeSet, type FormValues, type OrganisationInput,
} from './organisation-policy.js';
import { asAuditActor, changedFields, organisationsRepository, recordOrganisationEvent } from './organisations.js';

/**
 * A group member's edit of their own listing waits as a listing change (a diff, field by field,
 * from → to) until staff with listing.approve approve it (then it is applied) or reject it.
 * Changes to services (service_id set) belong to the services pages and are left alone here.
 */
export const listingChangesRepository = {
  pendingFor: (db: Queryable, organisationId: string) => db.selectFrom('listing_changes').selectAll()
    .where('organisation_id', '=', organisationId).where('status', '=', 'pending').where('service_id', 'is', null)
    .orderBy('submitted_at', 'desc').executeTakeFirst(),
  lastReviewedFor: (db: Queryable, organisationId: string) => db.selectFrom('listing_changes').selectAll()
    .where('organisation_id', '=', organisationId).where('status', '<>', 'pending').where('service_id', 'is', null)
    .orderBy('reviewed_at', 'desc').executeTakeFirst(),
  insert: (db: Queryable, row: { lioId: string; organisationId: string; userId: string; changes: ChangeSet; now: Date }) =>
    db.insertInto('listing_changes').values({
      lio_id: row.lioId, organisation_id: row.organisationId, submitted_by: row.userId, submitted_at: row.now, changes: JSON.stringify(row.changes),
    }).returning('id').executeTakeFirstOrThrow(),
  replace: (db: Queryable, id: string, userId: string, changes: ChangeSet, now: Date) =>
    db.updateTable('listing_changes').set({ changes: JSON.stringify(changes), submitted_by: userId, submitted_at: now }).where('id', '=', id).where('status', '=', 'pending').execute(),
  pending: (db: Queryable) => db.selectFrom('listing_changes as c')
    .innerJoin('organisations as o', 'o.id', 'c.organisation_id')
    .leftJoin('users as u', 'u.id', 'c.submitted_by')
    .select(['c.id', 'c.organisation_id', 'c.submitted_at', 'c.changes', 'o.name as organisation_name', 'u.display_name as submitter_name', 'u.email as submitter_email'])
    .where('c.status', '=', 'pending').where('c.service_id', 'is', null)
    .orderBy('c.submitted_at').orderBy('c.id').execute(),
  /** Takes a pending change for review; undefined when someone else already did (or it does not exist). */
  claim: (db: Queryable, id: string, status: 'approved' | 'rejected', reviewerId: string, note: string | null, now: Date) =>
    db.updateTable('listing_changes').set({ status, reviewed_by: reviewerId, reviewed_at: now, review_note: note })
      .where('id', '=', id).where('status', '=', 'pending').where('service_id', 'is', null)
      .returning(['id', 'organisation_id', 'changes', 'submitted_by', 'submitted_at']).executeTakeFirst(),
  exists: (db: Queryable, id: string) => db.selectFrom('listing_changes').select(['id', 'status']).where('id', '=', id).executeTakeFirst(),
};

export type ProposeResult =
  | { outcome: 'invalid'; values: FormValues; errors: FormErrors }
  | { outcome: 'unchanged' }
  | { outcome: 'submitted'; changes: ChangeSet };

export type ReviewResult = { outcome: 'done'; organisationName: string } | { outcome: 'already_reviewed' } | { outcome: 'not_found' } | { outcome: 'invalid'; errors: FormErrors; note: string };

export class ListingChangesService {
  constructor(private readonly deps: { db: Database; clock: Clock; jobs: JobQueue }) {}

  /** The group member's page: their listing as it stands, with any proposal waiting and the last decision. */
  async myListing(actor: SignedInUser | null) {
    authorise(actor, 'listing.edit_own');
    const organisationId = actor.organisationId!;
    authoriseOwnListing(actor, organisationId);
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      const row = await organisationsRepository.get(tx, organisationId);
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
        lastReviewed: lastReviewed && (!pending || (lastReviewed.reviewed_at ?? 0) > pending.submitted_at) ? lastReviewed : null,
      };
    });
  }

  /** Stores the member's edit as a pending change; the listing itself is not touched. */
  async propose(actor: SignedInUser | null, organisationId: string, body: unknown): Promise<ProposeResult | null> {
    authoriseOwnListing(actor, organisationId);
    const now = this.deps.clock.now();
    return this.deps.db.withTenant(actor.lioId, async (tx): Promise<ProposeResult | null> => {
      const row = await organisationsRepository.get(tx, organisationId);
      if (!row) return null;
      const current = inputOf(row);
      const { values, input, errors } = readOrganisationForm(body, MEMBER_FIELDS, current);
      if (errors.any) return { outcome: 'invalid', values, errors };
      const changes = diffOrganisation(current, input, MEMBER_FIELDS);
      if (Object.keys(changes).length === 0) return { outcome: 'unchanged' };
      const pending = await listingChangesRepository.pendingFor(tx, organisationId);
      let changeId: string;
      if (pending) {
        await listingChangesRepository.replace(tx, pending.id, actor.id, changes, now);
        changeId = pending.id;
      } else {
        changeId = (await listingChangesRepository.insert(tx, { lioId: actor.lioId, organisationId, userId: actor.id, changes, now })).id;
      }
      await recordOrganisationEvent(tx, actor.lioId, organisationId, actor.displayName, 'change_submitted',
        `Changes proposed by the group, waiting for approval: ${changedFields(changes).join(', ')}`, { change_id: changeId, changes }, now);
      await recordAudit(tx, actor.lioId, asAuditActor(actor), {
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
        const org = await organisationsRepository.get(tx, c.organisation_id);
        return { ...c, rows: diffRows(c.changes, org ? inputOf(org) : undefined) };
      }));
    });
  }

  async approve(actor: SignedInUser | null, id: string, lioName: string): Promise<ReviewResult> {
    authorise(actor, 'listing.approve');
    if (!UUID.test(id)) return { outcome: 'not_found' };
    const now = this.deps.clock.now();
    return this.deps.db.withTenant(actor.lioId, async (tx): Promise<ReviewResult> => {
      const claimed = await listingChangesRepository.claim(tx, id, 'approved', actor.id, null, now);
      if (!claimed) return (await listingChangesRepository.exists(tx, id)) ? { outcome: 'already_reviewed' } : { outcome: 'not_found' };
      const org = await organisationsRepository.get(tx, claimed.organisation_id);
      if (!org) return { outcome: 'not_found' };
      const changes = claimed.changes as ChangeSet;
      await organisationsRepository.applyChanges(tx, org.id, changes, now);
      await recordOrganisationEvent(tx, actor.lioId, org.id, actor.displayName, 'change_approved',
        `Proposed changes approved and published: ${changedFields(changes).join(', ')}`, { change_id: id, changes }, now);
      await recordAudit(tx, actor.lioId, asAuditActor(actor), {
        action: 'listing_change.approved', subjectType: 'listing_change', subjectId: id, detail: { organisation: org.id, fields: Object.keys(changes) },
      }, now);
      await this.tellSubmitter(tx, actor.lioId, claimed.submitted_by, `Your changes to ${org.name} have been approved`,
        `The changes you proposed to the listing of ${org.name} have been approved by ${lioName} and are now published:\n\n${changedFields(changes).map((f) => `- ${f}`).join('\n')}\n`);
      return { outcome: 'done', organisationName: org.name };
    });
  }

  async reject(actor: SignedInUser | null, id: string, note: string, lioName: string): Promise<ReviewResult> {
    authorise(actor, 'listing.approve');
    if (!UUID.test(id)) return { outcome: 'not_found' };
    const errors = new FormErrors();
    if (!note) errors.add(`note-${id}`, 'Enter a note saying why the changes are not approved: the group will see it');
    else if (note.length > 1000) errors.add(`note-${id}`, 'The note must be 1,000 characters or fewer');
    if (errors.any) return { outcome: 'invalid', errors, note };
    const now = this.deps.clock.now();
    return this.deps.db.withTenant(actor.lioId, async (tx): Promise<ReviewResult> => {
      const claimed = await listingChangesRepository.claim(tx, id, 'rejected', actor.id, note, now);
      if (!claimed) return (await listingChangesRepository.exists(tx, id)) ? { outcome: 'already_reviewed' } : { outcome: 'not_found' };
      const org = await organisationsRepository.get(tx, claimed.organisation_id);
      if (!org) return { outcome: 'not_found' };
      const changes = claimed.changes as ChangeSet;
      await recordOrganisationEvent(tx, actor.lioId, org.id, actor.displayName, 'change_rejected',
        `Proposed changes not approved: ${changedFields(changes).join(', ')}`, { change_id: id, changes, note }, now);
      await recordAudit(tx, actor.lioId, asAuditActor(actor), {
        action: 'listing_change.rejected', subjectType: 'listing_change', subjectId: id, detail: { organisation: org.id, fields: Object.keys(changes) },
      }, now);
      await this.tellSubmitter(tx, actor.lioId, claimed.submitted_by, `Your changes to ${org.name} were not approved`,
        `${lioName} did not approve the changes you proposed to the listing of ${org.name}.\n\nTheir note:\n${note}\n\nThe listing has not changed. You can propose changes again from "Our listing" when you sign in.\n`);
      return { outcome: 'done', organisationName: org.name };
    });
  }

  private async tellSubmitter(tx: Queryable, lioId: string, userId: string | null, subject: string, text: string) {
    if (!userId) return;
    const user = await tx.selectFrom('users').select(['email', 'display_name', 'status']).where('id', '=', userId).executeTakeFirst();
    if (!user || user.status === 'disabled') return;
    await queueEmail(tx, this.deps.jobs, lioId, { to: user.email, subject, text: `Hello ${user.display_name},\n\n${text}` }, this.deps.clock);
  }
}
