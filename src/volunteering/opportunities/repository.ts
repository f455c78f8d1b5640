import { sql } from 'kysely';
import type { Queryable } from '../../platform/db/index.js';
import type { OpportunitySchedule, OpportunityStatus } from '../../platform/db/volunteering-schema.js';
import { containing } from '../../platform/db/like.js';
import type { RoleValues } from './form.js';

export interface PlacedRole extends RoleValues { latitude: number | null; longitude: number | null }

/** What the public listing is asked for. */
export interface RoleSearch {
  words: string; cause: string; skill: string; schedule: OpportunitySchedule | ''; remote: boolean;
  near: { latitude: number; longitude: number; km: number } | null; today: string; page: number; pageSize: number;
}

const withOrganisation = (db: Queryable) => db.selectFrom('opportunities as o')
  .leftJoin('organisations as org', (j) => j.onRef('org.lio_id', '=', 'o.lio_id').onRef('org.id', '=', 'o.organisation_id'))
  .selectAll('o').select('org.name as organisation_name');

export const opportunitiesRepository = {
  insert(db: Queryable, r: { lioId: string; organisationId: string | null; role: PlacedRole; status: OpportunityStatus; userId: string; now: Date }) {
    const { role } = r;
    return db.insertInto('opportunities').values({
      lio_id: r.lioId, organisation_id: r.organisationId, title: role.title, description: role.description, skills: role.skills, causes: role.causes,
      schedule: role.schedule, schedule_detail: role.scheduleDetail, availability: role.availability, in_person: role.inPerson, remote: role.remote,
      postcode: role.postcode, latitude: role.latitude, longitude: role.longitude, dbs_level: role.dbsLevel, minimum_age: role.minimumAge, places: role.places,
      closing_on: role.closingOn, induction_required: role.inductionRequired, status: r.status, submitted_by_user_id: r.userId,
      approved_by_user_id: r.status === 'published' ? r.userId : null, approved_at: r.status === 'published' ? r.now : null, created_at: r.now, updated_at: r.now,
    }).returning('id').executeTakeFirstOrThrow();
  },

  byId(db: Queryable, id: string) {
    return withOrganisation(db).where('o.id', '=', id).executeTakeFirst();
  },

  /** Roles of one status (all statuses when null), of one organisation when given; newest first. */
  async list(db: Queryable, f: { status: OpportunityStatus | null; organisationId?: string; page: number; pageSize: number }) {
    let q = withOrganisation(db);
    if (f.status) q = q.where('o.status', '=', f.status);
    if (f.organisationId) q = q.where('o.organisation_id', '=', f.organisationId);
    const [rows, total] = await Promise.all([
      q.orderBy('o.created_at', 'desc').orderBy('o.id').limit(f.pageSize).offset((f.page - 1) * f.pageSize).execute(),
      q.clearSelect().select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(total.n) };
  },

  countByStatus(db: Queryable, status: OpportunityStatus) {
    return db.selectFrom('opportunities').select((eb) => eb.fn.countAll<string>().as('n')).where('status', '=', status).executeTakeFirstOrThrow().then((r) => Number(r.n));
  },

  /** Moves a role from one status to another; false when it was not in `from` (decided meanwhile). */
  async decide(db: Queryable, id: string, from: OpportunityStatus[], to: OpportunityStatus, d: { userId: string; now: Date; reason?: string }) {
    const result = await db.updateTable('opportunities').set({
      status: to, updated_at: d.now, rejection_reason: to === 'rejected' ? d.reason ?? null : null,
      ...(to === 'published' ? { approved_by_user_id: d.userId, approved_at: d.now } : {}),
    }).where('id', '=', id).where('status', 'in', from).executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  },

  organisations(db: Queryable) {
    return db.selectFrom('organisations').select(['id', 'name']).where('status', '<>', 'closed').orderBy('name').execute();
  },

  /** Published roles open today matching the search, nearest first when near a place, else closing soonest. */
  async publicSearch(db: Queryable, s: RoleSearch) {
    const distance = s.near
      ? sql<number | null>`case when o.latitude is null then null else round(volunteering_distance_km(${s.near.latitude}, ${s.near.longitude}, o.latitude, o.longitude)::numeric, 1)::double precision end`
      : sql<number | null>`null::double precision`;
    let q = withOrganisation(db).select(distance.as('distance_km'))
      .where('o.status', '=', 'published')
      .where((eb) => eb.or([eb('o.closing_on', 'is', null), eb('o.closing_on', '>=', s.today)]));
    if (s.words) {
      const like = containing(s.words);
      q = q.where((eb) => eb.or([eb('o.title', 'ilike', like), eb('o.description', 'ilike', like), eb('org.name', 'ilike', like)]));
    }
    if (s.cause) q = q.where(sql<boolean>`o.causes @> array[${s.cause}]::text[]`);
    if (s.skill) q = q.where(sql<boolean>`o.skills @> array[${s.skill}]::text[]`);
    if (s.schedule) q = q.where('o.schedule', '=', s.schedule);
    if (s.remote) q = q.where('o.remote', '=', true);
    if (s.near) {
      const { latitude, longitude, km } = s.near;
      // Remote roles can be done from anywhere; a role in person must be within the distance asked.
      q = q.where((eb) => eb.or([
        eb('o.remote', '=', true),
        eb.and([eb('o.in_person', '=', true), sql<boolean>`o.latitude between ${latitude - km / 111} and ${latitude + km / 111}`,
          sql<boolean>`volunteering_distance_km(${latitude}, ${longitude}, o.latitude, o.longitude) <= ${km}`]),
      ]));
    }
    const [rows, total] = await Promise.all([
      (s.near ? q.orderBy(sql`distance_km asc nulls last`) : q.orderBy(sql`o.closing_on asc nulls last`)).orderBy('o.created_at', 'desc').orderBy('o.id')
        .limit(s.pageSize).offset((s.page - 1) * s.pageSize).execute(),
      q.clearSelect().clearOrderBy().select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(total.n) };
  },

  /** A published role open today, for its public page and the feed. */
  publicById(db: Queryable, id: string, today: string) {
    return withOrganisation(db).where('o.id', '=', id).where('o.status', '=', 'published')
      .where((eb) => eb.or([eb('o.closing_on', 'is', null), eb('o.closing_on', '>=', today)])).executeTakeFirst();
  },

  /** A role that was public and has closed (closed by hand, or past its closing date): its title, for an old link's answer. */
  closedById(db: Queryable, id: string, today: string) {
    // Approved: a group's role closed while it waited for approval was never public, and its title stays unknown.
    return db.selectFrom('opportunities').select('title').where('id', '=', id).where('approved_at', 'is not', null)
      .where((eb) => eb.or([eb('status', '=', 'closed'), eb.and([eb('status', '=', 'published'), eb('closing_on', '<', today)])])).executeTakeFirst();
  },
};
export type RoleRow = NonNullable<Awaited<ReturnType<typeof opportunitiesRepository.byId>>>;
