import { sql, type CompiledQuery, type RawBuilder } from 'kysely';
import type { Queryable } from '../../platform/db/index.js';
import { bestMatches, type Narrowing, type Wanted } from './tiers.js';

/** How far back an offer (a referral made) counts against a volunteer, for fair spreading. */
export const FAIRNESS_DAYS = 30;
export const MATCHES_SHOWN = 20;

/** One match and why: what the explanation on the page is made from. */
export interface MatchRow {
  score: number;
  skills_common: string[];
  causes_common: string[];
  slots_common: string[];
  /** The role asks for no slots: any time suits it. */
  any_time: boolean;
  /** Null: matched as remote work. */
  distance_km: number | null;
  /** The highest passed, unexpired DBS level the volunteer holds (none: no check). */
  dbs_held: 'none' | 'basic' | 'standard' | 'enhanced';
  dbs_needed: 'none' | 'basic' | 'standard' | 'enhanced';
  recent_offers: number;
}
export interface VolunteerMatchRow extends MatchRow { volunteer_id: string; full_name: string | null; status: string }
export interface RoleMatchRow extends MatchRow { opportunity_id: string; title: string; organisation_name: string | null; schedule: string; closing_on: string | null }

/*
 * The score, the same both ways: a skill in common counts 3, a cause 2, each slot of availability in common 1 (up to 3),
 * nearness up to 1 (remote work counts 1), and each offer made to the volunteer in the last 30 days takes 0.5 away (up
 * to 3): of two equally good volunteers, the one offered less lately comes first. The hard filters (not inactive, old
 * enough, vetted to the role's DBS level, within the volunteer's travel distance unless remote) leave a volunteer out.
 */
const scored = sql`
  cardinality(m.skills_common) * 3 + cardinality(m.causes_common) * 2
  + least(case when m.any_time then cardinality(m.volunteer_slots) else cardinality(m.slots_common) end, 3)
  + case when m.distance_km is null then 1 else greatest(0, 1 - m.distance_km / greatest(coalesce(m.travel_km, 10), 1)) end
  - 0.5 * least(m.recent_offers, 6)`;

/** The highest passed, unexpired DBS level volunteer `v` holds. */
const dbsHeldOf = (today: string) => sql`coalesce((select (array['basic', 'standard', 'enhanced'])[max(array_position(array['basic', 'standard', 'enhanced'], c.dbs_level))]
    from vetting_checks c where c.volunteer_id = v.id and c.kind = 'dbs' and c.outcome = 'passed' and (c.expires_on is null or c.expires_on >= ${today}::date)), 'none')`;
/** Offers (referrals made) to volunteer `v` since `since`. */
const recentOffersOf = (since: Date) => sql`(select count(*)::int from referrals r where r.volunteer_id = v.id and r.created_at >= ${since})`;

/**
 * The facts a match is judged on, for volunteer `v` (joined to person `p`) and role `o`. `known`: the volunteer's DBS
 * level and recent offers worked out once beforehand (roles for one volunteer), rather than again for every role.
 */
const facts = (today: string, since: Date, known?: { dbsHeld: RawBuilder<unknown>; recentOffers: RawBuilder<unknown> }) => sql`
  array(select unnest(v.skills) intersect select unnest(o.skills) order by 1) as skills_common,
  array(select unnest(v.causes || v.interests) intersect select unnest(o.causes) order by 1) as causes_common,
  array(select unnest(v.availability) intersect select unnest(o.availability) order by 1) as slots_common,
  v.availability as volunteer_slots,
  cardinality(o.availability) = 0 as any_time,
  v.travel_km,
  case when o.in_person and v.in_person and o.latitude is not null and v.latitude is not null
    and volunteering_distance_km(v.latitude, v.longitude, o.latitude, o.longitude) <= coalesce(v.travel_km, 10)
    then round(volunteering_distance_km(v.latitude, v.longitude, o.latitude, o.longitude)::numeric, 1)::double precision end as distance_km,
  ${known?.dbsHeld ?? dbsHeldOf(today)} as dbs_held,
  o.dbs_level as dbs_needed,
  ${known?.recentOffers ?? recentOffersOf(since)} as recent_offers`;

/** The rules no score makes up for. */
const eligible = (today: string) => sql`
  v.status <> 'inactive'
  and (p.date_of_birth is null and o.minimum_age < 18 or p.date_of_birth <= (${today}::date - make_interval(years => o.minimum_age))::date)
  and (m.dbs_needed = 'none' or array_position(array['none', 'basic', 'standard', 'enhanced'], m.dbs_held) >= array_position(array['none', 'basic', 'standard', 'enhanced'], m.dbs_needed))
  and (m.distance_km is not null or (o.remote and v.remote))`;

/*
 * The candidates a narrowing lets through, by id: one call for each set of features, to the functions of migration 032
 * that use the arrays' indexes (row-level security would not let a plain query use them).
 */
const texts = (values: string[] | null) => sql`${values}::text[]`;

function volunteersHolding(narrowing: NonNullable<Narrowing>, w: Wanted): RawBuilder<unknown> {
  const calls = narrowing.sets
    ? narrowing.sets.map((set) => sql`select cg_volunteers_holding(${texts(set.skills)}, ${texts(set.causes)}, ${texts(set.slots)}, ${set.slotCount}::int, null, null, null) as id`)
    : narrowing.loose!.map((l) => sql`select cg_volunteers_holding('{}', '{}', '{}', ${l.slotCount}::int, ${texts(l.anySkill ? w.skills : null)},
        ${texts(l.anyCause ? w.causes : null)}, ${texts(l.anySlot ? w.slots : null)}) as id`);
  return sql.join(calls, sql` union `);
}

function rolesHolding(narrowing: NonNullable<Narrowing>, w: Wanted): RawBuilder<unknown> {
  const calls = narrowing.sets
    ? narrowing.sets.map((set) => sql`select cg_roles_holding(${texts(set.skills)}, ${texts(set.causes)}, ${texts(set.slots)}, null, null, null) as id`)
    : narrowing.loose!.map((l) => sql`select cg_roles_holding('{}', '{}', '{}', ${texts(l.anySkill ? w.skills : null)},
        ${texts(l.anyCause ? w.causes : null)}, ${texts(l.anySlot ? w.slots : null)}) as id`);
  return sql.join(calls, sql` union `);
}

const distinct = (values: string[]) => [...new Set(values)];

/** What the role offers a volunteer to be judged against. */
const roleWants = (o: { skills: string[]; causes: string[]; availability: string[] }): Wanted =>
  ({ skills: distinct(o.skills), causes: distinct(o.causes), slots: distinct(o.availability), anyTime: o.availability.length === 0 });
/** What a volunteer brings a role to be judged against (interests count as causes). */
const volunteerBrings = (v: { skills: string[]; causes: string[]; interests: string[]; availability: string[] }): Wanted =>
  ({ skills: distinct(v.skills), causes: distinct([...v.causes, ...v.interests]), slots: distinct(v.availability), anyTime: false });

/** The volunteer's passed, unexpired DBS check at the role's level or above: a hard filter, asked before any scoring. */
const vettedEnough = (today: string) => sql<boolean>`(o.dbs_level = 'none' or exists (select 1 from vetting_checks c where c.volunteer_id = v.id
  and c.kind = 'dbs' and c.outcome = 'passed' and (c.expires_on is null or c.expires_on >= ${today}::date)
  and array_position(array['basic', 'standard', 'enhanced'], c.dbs_level) >= array_position(array['none', 'basic', 'standard', 'enhanced'], o.dbs_level) - 1))`;

export const matchingRepository = {
  /**
   * The best volunteers for a role, found round by round (tiers.ts): each round scores only the volunteers holding
   * enough of the role's skills, causes and slots, until no one left out could come into the best `limit`. `ran`
   * collects each round's query, for the benchmark to time in the database alone.
   */
  async volunteersForRole(db: Queryable, roleId: string, today: string, since: Date, limit = MATCHES_SHOWN, ran?: CompiledQuery[]): Promise<VolunteerMatchRow[]> {
    const role = await db.selectFrom('opportunities').select(['skills', 'causes', 'availability']).where('id', '=', roleId).executeTakeFirst();
    if (!role) return [];
    const wanted = roleWants(role);
    return bestMatches(wanted, limit, async (narrowing) => {
      const query = this.volunteersForRoleQuery(roleId, today, since, limit, narrowing && volunteersHolding(narrowing, wanted));
      ran?.push(query.compile(db));
      return (await query.execute(db)).rows;
    });
  },

  /**
   * One round's query; with no narrowing, the full question. Candidates come by index: with a narrowing, those holding
   * the features it names, near enough for their travel band or remote; without, for work in person, volunteers of each
   * travel band in a box of that band's size around the role, and for remote work, remote volunteers sharing a skill or
   * cause with it (any remote volunteer when the role names none).
   */
  volunteersForRoleQuery(roleId: string, today: string, since: Date, limit = MATCHES_SHOWN, held: RawBuilder<unknown> | null = null) {
    const candidates = held ? sql`
        select v.id from o cross join (${held}) h join volunteers v on v.id = h.id and v.lio_id = o.lio_id and v.status <> 'inactive'
        where ${vettedEnough(today)} and (
          (o.in_person and o.latitude is not null and v.in_person and v.latitude is not null
            and v.latitude between o.latitude - volunteering_travel_band(v.travel_km) / 111.0 and o.latitude + volunteering_travel_band(v.travel_km) / 111.0
            and v.longitude between o.longitude - volunteering_travel_band(v.travel_km) / (111.0 * cos(radians(o.latitude)))
              and o.longitude + volunteering_travel_band(v.travel_km) / (111.0 * cos(radians(o.latitude))))
          or (o.remote and v.remote and (v.skills && o.skills or v.causes && o.causes or (cardinality(o.skills) = 0 and cardinality(o.causes) = 0))))` : sql`
        select v.id from o cross join (values (5), (10), (25), (50)) as band(km)
        join volunteers v on v.lio_id = o.lio_id and volunteering_travel_band(v.travel_km) = band.km
          and v.status <> 'inactive' and v.in_person and v.latitude is not null
          and v.latitude between o.latitude - band.km / 111.0 and o.latitude + band.km / 111.0
          and v.longitude between o.longitude - band.km / (111.0 * cos(radians(o.latitude))) and o.longitude + band.km / (111.0 * cos(radians(o.latitude)))
        where o.in_person and o.latitude is not null
        union
        -- The few who travel further than 50 km: each one's own distance decides.
        select v.id from o join volunteers v on v.lio_id = o.lio_id and volunteering_travel_band(v.travel_km) = 500
          and v.status <> 'inactive' and v.in_person and v.latitude is not null
        where o.in_person and o.latitude is not null
        union
        select v.id from o join volunteers v on v.lio_id = o.lio_id and v.status <> 'inactive' and v.remote
          and (v.skills && o.skills or v.causes && o.causes or (cardinality(o.skills) = 0 and cardinality(o.causes) = 0))
        where o.remote`;
    return sql<VolunteerMatchRow>`
      with o as (select * from opportunities where id = ${roleId}),
      candidates as (${candidates}),
      judged as (
        select v.id as volunteer_id, p.full_name, v.status, o.minimum_age, o.remote as role_remote, v.remote as volunteer_remote, p.date_of_birth, ${facts(today, since)}
        from candidates c join volunteers v on v.id = c.id join people p on p.id = v.person_id cross join o
      )
      select m.volunteer_id, m.full_name, m.status, m.skills_common, m.causes_common, m.slots_common, m.any_time, m.distance_km, m.dbs_held, m.dbs_needed,
        m.recent_offers, (${scored})::double precision as score
      from judged m
      join volunteers v on v.id = m.volunteer_id join people p on p.id = v.person_id cross join o
      where ${eligible(today)}
      order by score desc, m.recent_offers, m.volunteer_id
      limit ${limit}`;
  },

  /**
   * The best published, open roles for a volunteer, scored all at once: there are far fewer roles than volunteers, and
   * measured at 50,000 roles, narrowing round by round (as for volunteers) cost more than it saved, a volunteer holding
   * more features than most roles ask for. (`rolesHolding` and the rounds stay ready for larger role registers.)
   */
  async rolesForVolunteer(db: Queryable, volunteerId: string, today: string, since: Date, limit = MATCHES_SHOWN, ran?: CompiledQuery[]): Promise<RoleMatchRow[]> {
    const query = this.rolesForVolunteerQuery(volunteerId, today, since, limit);
    ran?.push(query.compile(db));
    return (await query.execute(db)).rows;
  },

  /** Roles for a volunteer round by round (tiers.ts): the same answer, for a register of very many roles. */
  async rolesForVolunteerByRounds(db: Queryable, volunteerId: string, today: string, since: Date, limit = MATCHES_SHOWN): Promise<RoleMatchRow[]> {
    const volunteer = await db.selectFrom('volunteers').select(['skills', 'causes', 'interests', 'availability']).where('id', '=', volunteerId).executeTakeFirst();
    if (!volunteer) return [];
    const wanted = volunteerBrings(volunteer);
    return bestMatches(wanted, limit, async (narrowing) =>
      (await this.rolesForVolunteerQuery(volunteerId, today, since, limit, narrowing && rolesHolding(narrowing, wanted)).execute(db)).rows);
  },

  /** One round's query: roles near enough for the volunteer's travel distance, and remote ones if they work remotely. */
  rolesForVolunteerQuery(volunteerId: string, today: string, since: Date, limit = MATCHES_SHOWN, held: RawBuilder<unknown> | null = null) {
    const narrowing = held ? sql<boolean>`o.id in (${held})` : sql<boolean>`true`;
    return sql<RoleMatchRow>`
      with v as (select v.*, ${dbsHeldOf(today)} as dbs_held_now, ${recentOffersOf(since)} as recent_offers_now from volunteers v where v.id = ${volunteerId}),
      candidates as (
        select o.id from v join opportunities o on o.lio_id = v.lio_id and o.status = 'published' and o.in_person
          and o.latitude between v.latitude - coalesce(v.travel_km, 10) / 111.0 and v.latitude + coalesce(v.travel_km, 10) / 111.0
          and o.longitude between v.longitude - coalesce(v.travel_km, 10) / (111.0 * cos(radians(v.latitude))) and v.longitude + coalesce(v.travel_km, 10) / (111.0 * cos(radians(v.latitude)))
        where v.in_person and v.latitude is not null and ${narrowing}
        union
        select o.id from v join opportunities o on o.lio_id = v.lio_id and o.status = 'published' and o.remote where v.remote and ${narrowing}
      ),
      judged as (
        select o.id as opportunity_id, o.title, org.name as organisation_name, o.schedule, o.closing_on::text as closing_on,
          ${facts(today, since, { dbsHeld: sql`v.dbs_held_now`, recentOffers: sql`v.recent_offers_now` })}
        from candidates c join opportunities o on o.id = c.id cross join v
        left join organisations org on org.lio_id = o.lio_id and org.id = o.organisation_id
        where o.closing_on is null or o.closing_on >= ${today}::date
      )
      select m.opportunity_id, m.title, m.organisation_name, m.schedule, m.closing_on, m.skills_common, m.causes_common, m.slots_common, m.any_time,
        m.distance_km, m.dbs_held, m.dbs_needed, m.recent_offers, (${scored})::double precision as score
      from judged m
      join opportunities o on o.id = m.opportunity_id cross join v join people p on p.id = v.person_id
      where ${eligible(today)}
      order by score desc, m.closing_on nulls last, m.opportunity_id
      limit ${limit}`;
  },

  role(db: Queryable, id: string) {
    return db.selectFrom('opportunities').select(['id', 'title', 'status']).where('id', '=', id).executeTakeFirst();
  },

  /** Of the volunteers not inactive, how many were offered a role (a referral made) since `since`. */
  async offeredShare(db: Queryable, since: Date): Promise<{ active: number; offered: number }> {
    const { rows } = await sql<{ active: number; offered: number }>`
      select (select count(*)::int from volunteers where status <> 'inactive') as active,
        (select count(distinct r.volunteer_id)::int from referrals r join volunteers v on v.id = r.volunteer_id
          where r.created_at >= ${since} and v.status <> 'inactive') as offered`.execute(db);
    return rows[0]!;
  },
};
