import { sql, type RawBuilder, type SqlBool } from 'kysely';

/**
 * What the public may see of the directory: one rule for /find (public/repository.ts) and the Open Referral UK
 * API (oruk/repository.ts), so a service is in both or in neither.
 *
 * An organisation is published when it consents, is active and is not merged into another record. A dormant
 * organisation is not running its activities for now: a resident or a partner's system sent to its services would
 * find nobody there, so an LIO expects them off both until the group is active again (closed ones, the same). The
 * text search function cg_services_matching_text (migration 006) applies this same rule inside the database.
 *
 * A service is published when it consents and its organisation is published. Which of its statuses each place
 * lists is that place's own choice: /find lists what people can use now or soon (active, temporarily closed); the
 * API lists all but defunct services and answers for a defunct one by id, since its consumers read the status.
 *
 * The read model of searches near a place, published_service_places (migration 019), copies the flags this rule
 * reads, the organisation's under an `organisation_` prefix, so that the same rule applies to it (placePublished).
 */
export function organisationPublished(o = 'o', prefix = ''): RawBuilder<SqlBool> {
  const col = (c: string) => sql.ref(`${o}.${prefix}${c}`);
  return sql<SqlBool>`${col('consent_to_publish')} and ${col('status')} = 'active' and ${col('merged_into_id')} is null`;
}

export function servicePublished(s = 's', o = 'o', organisationPrefix = ''): RawBuilder<SqlBool> {
  return sql<SqlBool>`${sql.ref(`${s}.consent_to_publish`)} and ${organisationPublished(o, organisationPrefix)}`;
}

/** The rule for a row `p` of published_service_places: its service is published. */
export function placePublished(p = 'p'): RawBuilder<SqlBool> {
  return servicePublished(p, p, 'organisation_');
}
