import type { Queryable } from '../../platform/db/index.js';
import type { ChangeSet } from '../organisations/record.js';
import type { ServiceChangeSet } from '../services/service-changes.js';

/** The SQL of listing changes. Every function runs on the caller's tenant transaction. */
export const listingChangesRepository = {
  /** The change waiting for the listing itself (serviceId null) or for one of its services. */
  pendingFor: (db: Queryable, organisationId: string, serviceId: string | null = null) => db.selectFrom('listing_changes').selectAll()
    .where('organisation_id', '=', organisationId).where('status', '=', 'pending').where('service_id', serviceId === null ? 'is' : '=', serviceId)
    .orderBy('submitted_at', 'desc').executeTakeFirst(),
  lastReviewedFor: (db: Queryable, organisationId: string, serviceId: string | null = null) => db.selectFrom('listing_changes').selectAll()
    .where('organisation_id', '=', organisationId).where('status', '<>', 'pending').where('service_id', serviceId === null ? 'is' : '=', serviceId)
    .orderBy('reviewed_at', 'desc').executeTakeFirst(),
  insert: (db: Queryable, row: { lioId: string; organisationId: string; serviceId?: string; userId: string; changes: ChangeSet | ServiceChangeSet; now: Date }) =>
    db.insertInto('listing_changes').values({
      lio_id: row.lioId, organisation_id: row.organisationId, service_id: row.serviceId ?? null, submitted_by: row.userId, submitted_at: row.now, changes: JSON.stringify(row.changes),
    }).returning('id').executeTakeFirstOrThrow(),
  replace: (db: Queryable, id: string, userId: string, changes: ChangeSet | ServiceChangeSet, now: Date) =>
    db.updateTable('listing_changes').set({ changes: JSON.stringify(changes), submitted_by: userId, submitted_at: now }).where('id', '=', id).where('status', '=', 'pending').execute(),
  pending: (db: Queryable) => db.selectFrom('listing_changes as c')
    .innerJoin('organisations as o', 'o.id', 'c.organisation_id')
    .leftJoin('services as s', 's.id', 'c.service_id')
    .leftJoin('users as u', 'u.id', 'c.submitted_by')
    .select(['c.id', 'c.organisation_id', 'c.service_id', 'c.submitted_at', 'c.changes', 'o.name as organisation_name', 's.name as service_name',
      'u.display_name as submitter_name', 'u.email as submitter_email'])
    .where('c.status', '=', 'pending')
    .orderBy('c.submitted_at').orderBy('c.id').execute(),
  /** The organisation's services, each with whether a change to it waits for approval. */
  servicesWithPending: (db: Queryable, organisationId: string) => db.selectFrom('services as s')
    .select(['s.id', 's.name', 's.status', (eb) => eb.exists(eb.selectFrom('listing_changes as c').select('c.id')
      .whereRef('c.service_id', '=', 's.id').where('c.status', '=', 'pending')).as('pending')])
    .where('s.organisation_id', '=', organisationId).orderBy('s.name').execute(),
  /** Takes a pending change for review; undefined when someone else already did (or it does not exist). */
  claim: (db: Queryable, id: string, status: 'approved' | 'rejected', reviewerId: string, note: string | null, now: Date) =>
    db.updateTable('listing_changes').set({ status, reviewed_by: reviewerId, reviewed_at: now, review_note: note })
      .where('id', '=', id).where('status', '=', 'pending')
      .returning(['id', 'organisation_id', 'service_id', 'changes', 'submitted_by', 'submitted_at']).executeTakeFirst(),
  exists: (db: Queryable, id: string) => db.selectFrom('listing_changes').select(['id', 'status']).where('id', '=', id).executeTakeFirst(),
  /** Whom to tell about a decision: the member who proposed the change, unless their account is gone or disabled. */
  submitter: (db: Queryable, userId: string) => db.selectFrom('users').select(['email', 'display_name', 'status']).where('id', '=', userId).executeTakeFirst(),
};
