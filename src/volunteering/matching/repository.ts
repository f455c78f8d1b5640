import { sql, type CompiledQuery, type RawBuilder } from 'kysely';
import type { Queryable } from '../../platform/db/index.js';
import { DBS_ORDER } from '../vocabulary.js';
import { bestMatches, type Narrowing, type Probe, type Wanted } from './tiers.js';

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
 *
 * Both ways read the volunteers' matching profiles and the roles' generated columns (migration 034): features as bits
 * of the vocabularies, so a score is a few bit counts. `p` is a volunteer's profile, `o` the role, `m` the facts below.
 */
const scored = sql`
  volunteering_bits(p.skills & o.match_skills) * 3 + volunteering_bits(p.causes & o.match_causes) * 2
  + least(volunteering_bits(case when cardinality(o.availability) = 0 then p.slots else p.slots & o.match_slots end), 3)
  + case when m.distance_km is null then 1 else greatest(0, 1 - m.distance_km / greatest(p.reach_km, 1)) end
  - 0.5 * least(m.recent_offers, 6)`;

/** The facts judged beside the features: distance within reach, the DBS level held today, offers since `since`. */
const facts = (today: string, since: Date) => sql`
  case when o.in_person and p.in_person and o.latitude is not null and g.km <= p.reach_km then round(g.km::numeric, 1)::double precision end as distance_km,
  coalesce(case when p.dbs_until[3] >= ${today}::date then 'enhanced' when p.dbs_until[2] >= ${today}::date then 'standard'
    when p.dbs_until[1] >= ${today}::date then 'basic' end, 'none') as dbs_held,
  case when p.last_offered_at >= ${since} then (select count(*)::int from unnest(p.offered_at) t where t >= ${since}) else 0 end as recent_offers`;
const distance = sql`cross join lateral (select volunteering_distance_km(p.latitude, p.longitude, o.latitude, o.longitude) as km) g`;

/**
 * The rules no score makes up for. A role's remote work is offered to the remote volunteers sharing a skill or one of
 * their own causes with it (any of them when it names none); a remote volunteer is offered every remote role.
 */
const eligible = (today: string, remoteShares: boolean) => sql`
  (pe.date_of_birth is null and o.minimum_age < 18 or pe.date_of_birth <= (${today}::date - make_interval(years => o.minimum_age))::date)
  and (o.dbs_level = 'none' or array_position(array['none', 'basic', 'standard', 'enhanced'], m.dbs_held) >= array_position(array['none', 'basic', 'standard', 'enhanced'], o.dbs_level))
  and (m.distance_km is not null or (o.remote and p.remote and ${remoteShares ? sharesWork : sql`true`}))`;
const sharesWork = sql`(p.skills & o.match_skills <> 0 or p.own_causes & o.match_causes <> 0 or (cardinality(o.skills) = 0 and cardinality(o.causes) = 0))`;

/** What a match has in common, in words' codes, for the explanation: volunteer `v`, role `o`. */
const inCommon = sql`
  array(select unnest(v.skills) intersect select unnest(o.skills) order by 1) as skills_common,
  array(select unnest(v.causes || v.interests) intersect select unnest(o.causes) order by 1) as causes_common,
  array(select unnest(v.availability) intersect select unnest(o.availability) order by 1) as slots_common,
  cardinality(o.availability) = 0 as any_time`;

const texts = (values: string[]) => sql`${values}::text[]`;

/** A probe's features as index keys: every feature of its set (with `extra`), and any-of groups for a loose probe. */
function probeKeys(probe: Probe, w: Wanted, extra: RawBuilder<unknown>) {
  const set = setOf(probe);
  const all = sql`volunteering_feature_keys(${texts(set.skills)}, ${texts(set.causes)}, ${texts(set.slots)}, ${set.slotCount}::int) || ${extra}`;
  const l = probe.loose;
  const any = l ? [
    l.anySkill ? sql`volunteering_feature_keys(${texts(w.skills)}, '{}', '{}', 0)` : null,
    l.anyCause ? sql`volunteering_feature_keys('{}', ${texts(w.causes)}, '{}', 0)` : null,
    l.anySlot ? sql`volunteering_feature_keys('{}', '{}', ${texts(w.slots)}, 0)` : null,
  ].filter((g): g is RawBuilder<unknown> => g !== null) : [];
  return { all, any: [...any, null, null, null, null].slice(0, 4).map((g) => g ?? sql`null`) };
}

const setOf = (probe: Probe) => probe.set ?? { skills: [], causes: [], slots: [], slotCount: probe.loose!.slotCount };
const mask = (codes: string[], vocabulary: 'skill' | 'cause' | 'slot') => sql`volunteering_mask(${texts(codes)}, ${sql.raw(`volunteering_${vocabulary}_codes()`)})`;
/** What is wanted, as masks for a search by place. */
const wantedMasks = (w: Wanted) => sql.join([mask(w.skills, 'skill'), mask(w.causes, 'cause'), mask(w.slots, 'slot')]);

/** More index searches by features than this in a round, and the round reads everyone within reach by place instead. */
const MOST_KEY_PROBES = 8;

/**
 * The candidates of a round, by id. For work in person: those the round asks for within part of their travel distance
 * are read by place, in one search judging features and nearness in the index; those it asks for wherever they are
 * within reach (a whole part reaching the target on its own) by the features' index, one search for each set of
 * features (or, for many sets, by place within the whole distance). For remote work: by the features' index.
 */
function candidatesOf(narrowing: Narrowing, w: Wanted, side: {
  near: ((share: number, target: number) => RawBuilder<unknown>) | null; withKeys: string; from: string; remote: boolean; dbs: RawBuilder<unknown>;
}) {
  const calls: RawBuilder<unknown>[] = [];
  const byKeys = (extra: RawBuilder<unknown>, probe: Probe) => {
    const { all, any } = probeKeys(probe, w, extra);
    return sql`select ${sql.raw(side.withKeys)}(${all}, ${sql.join(any)}) as id from ${sql.raw(side.from)}`;
  };
  if (side.near) {
    const wholly = narrowing.probes.filter((p) => p.share >= 1);
    const nearShare = Math.max(0, ...narrowing.probes.filter((p) => p.share < 1).map((p) => p.share));
    if (wholly.length > MOST_KEY_PROBES) calls.push(side.near(1, narrowing.target));
    else calls.push(side.near(nearShare, narrowing.target), ...wholly.map((probe) => byKeys(side.dbs, probe)));
  }
  if (side.remote) calls.push(...narrowing.probes.map((probe) => byKeys(sql`${side.dbs} || volunteering_remote_key()`, probe)));
  return calls.length ? sql.join(calls, sql` union `) : sql`select null::uuid as id where false`;
}

const distinct = (values: string[]) => [...new Set(values)];

/** What the role offers a volunteer to be judged against. */
const roleWants = (o: { skills: string[]; causes: string[]; availability: string[] }): Wanted =>
  ({ skills: distinct(o.skills), causes: distinct(o.causes), slots: distinct(o.availability), anyTime: o.availability.length === 0 });
/** What a volunteer brings a role to be judged against (interests count as causes). */
const volunteerBrings = (v: { skills: string[]; causes: string[]; interests: string[]; availability: string[] }): Wanted =>
  ({ skills: distinct(v.skills), causes: distinct([...v.causes, ...v.interests]), slots: distinct(v.availability), anyTime: false });

/**
 * An LIO with fewer volunteers than this is matched in one round scoring everyone within reach: rounds of narrowing
 * would cost more than they save.
 */
export const SMALL_POOL = 2_000;
async function isSmall(db: Queryable, smallPool: number): Promise<boolean> {
  if (smallPool <= 0) return false;
  const { rows } = await sql<{ volunteers: number }>`select coalesce((select volunteers from volunteering_pool_sizes), 0) as volunteers`.execute(db);
  return rows[0]!.volunteers < smallPool;
}

/** A little more than the rounding of distances to 0.1 km can take off one. */
const ROUNDING_KM = 0.1;

export const matchingRepository = {
  /**
   * The best volunteers for a role, found round by round (tiers.ts): each round scores only the volunteers its probes
   * find, until no one left out could come into the best `limit`. `ran` collects each round's query, for the benchmark
   * to time in the database alone.
   */
  async volunteersForRole(db: Queryable, roleId: string, today: string, since: Date, limit = MATCHES_SHOWN, ran?: CompiledQuery[], smallPool = SMALL_POOL): Promise<VolunteerMatchRow[]> {
    const role = await db.selectFrom('opportunities').select(['skills', 'causes', 'availability', 'in_person', 'remote', 'latitude', 'dbs_level'])
      .where('id', '=', roleId).executeTakeFirst();
    if (!role) return [];
    const wanted = roleWants(role);
    const dbsLevel = DBS_ORDER.indexOf(role.dbs_level);
    const side = {
      near: role.in_person && role.latitude !== null ? (share: number, target: number) => sql`select cg_volunteers_near(o.latitude, o.longitude, ${share}::float8,
        ${ROUNDING_KM}::float8, ${wantedMasks(wanted)}, ${wanted.anyTime}, ${target}::float8, ${dbsLevel}::int) as id from o` : null,
      withKeys: 'cg_volunteers_with_keys', from: 'o', remote: role.remote,
      dbs: role.dbs_level === 'none' ? sql`'{}'::bigint[]` : sql`array[volunteering_dbs_key(${role.dbs_level})]`,
    };
    return bestMatches(wanted, limit, await isSmall(db, smallPool), async (narrowing) => {
      const query = this.volunteersForRoleRound(roleId, today, since, limit, candidatesOf(narrowing, wanted, side));
      ran?.push(query.compile(db));
      return (await query.execute(db)).rows;
    });
  },

  /** One round: the candidates found, scored and ranked, the best `limit` with what they have in common. */
  volunteersForRoleRound(roleId: string, today: string, since: Date, limit: number, candidates: RawBuilder<unknown>) {
    return sql<VolunteerMatchRow>`
      with o as (select * from opportunities where id = ${roleId}),
      c as (${candidates}),
      best as (
        select p.volunteer_id, pe.full_name, m.distance_km, m.dbs_held, m.recent_offers, (${scored})::double precision as score
        from c join volunteer_match_profiles p on p.volunteer_id = c.id cross join o ${distance}
        cross join lateral (select ${facts(today, since)}) m
        join people pe on pe.id = p.person_id
        where ${eligible(today, true)}
        order by score desc, m.recent_offers, p.volunteer_id
        limit ${limit}
      )
      select b.volunteer_id, b.full_name, v.status, ${inCommon}, b.distance_km, b.dbs_held, o.dbs_level as dbs_needed, b.recent_offers, b.score
      from best b join volunteers v on v.id = b.volunteer_id cross join o
      order by b.score desc, b.recent_offers, b.volunteer_id`;
  },

  /** The best published, open roles for a volunteer, round by round as for volunteers. */
  async rolesForVolunteer(db: Queryable, volunteerId: string, today: string, since: Date, limit = MATCHES_SHOWN, ran?: CompiledQuery[], smallPool = SMALL_POOL): Promise<RoleMatchRow[]> {
    const volunteer = await db.selectFrom('volunteers').select(['skills', 'causes', 'interests', 'availability', 'status', 'in_person', 'remote', 'latitude'])
      .where('id', '=', volunteerId).executeTakeFirst();
    if (!volunteer || volunteer.status === 'inactive') return [];
    const wanted = volunteerBrings(volunteer);
    const side = {
      near: volunteer.in_person && volunteer.latitude !== null ? (share: number, target: number) => sql`select cg_roles_near(p.latitude, p.longitude, p.reach_km,
        ${share}::float8, ${ROUNDING_KM}::float8, ${wantedMasks(wanted)}, ${target}::float8) as id from p` : null,
      withKeys: 'cg_roles_with_keys', from: 'p', remote: volunteer.remote, dbs: sql`'{}'::bigint[]`,
    };
    return bestMatches(wanted, limit, await isSmall(db, smallPool), async (narrowing) => {
      const query = this.rolesForVolunteerRound(volunteerId, today, since, limit, candidatesOf(narrowing, wanted, side));
      ran?.push(query.compile(db));
      return (await query.execute(db)).rows;
    });
  },

  /** One round for a volunteer: the open roles found, scored and ranked, the best `limit` with what they have in common. */
  rolesForVolunteerRound(volunteerId: string, today: string, since: Date, limit: number, candidates: RawBuilder<unknown>) {
    return sql<RoleMatchRow>`
      with p as (select * from volunteer_match_profiles where volunteer_id = ${volunteerId}),
      c as (${candidates}),
      best as (
        select o.id as opportunity_id, m.distance_km, m.dbs_held, m.recent_offers, (${scored})::double precision as score
        from c join opportunities o on o.id = c.id cross join p ${distance}
        cross join lateral (select ${facts(today, since)}) m
        join people pe on pe.id = p.person_id
        where (o.closing_on is null or o.closing_on >= ${today}::date) and ${eligible(today, false)}
        order by score desc, o.closing_on nulls last, o.id
        limit ${limit}
      )
      select o.id as opportunity_id, o.title, org.name as organisation_name, o.schedule, o.closing_on::text as closing_on, ${inCommon},
        b.distance_km, b.dbs_held, o.dbs_level as dbs_needed, b.recent_offers, b.score
      from best b join opportunities o on o.id = b.opportunity_id join volunteers v on v.id = ${volunteerId}
      left join organisations org on org.lio_id = o.lio_id and org.id = o.organisation_id
      order by b.score desc, o.closing_on nulls last, o.id`;
  },

  role(db: Queryable, id: string) {
    return db.selectFrom('opportunities').select(['id', 'title', 'status']).where('id', '=', id).executeTakeFirst();
  },

  /**
   * Of the volunteers not inactive, how many were offered a role (a referral made) since `since`: the count kept for
   * the LIO, and the profiles last offered something since then (by index, a few in a hundred of the whole).
   */
  async offeredShare(db: Queryable, since: Date): Promise<{ active: number; offered: number }> {
    const { rows } = await sql<{ active: number; offered: number }>`
      select coalesce((select volunteers from volunteering_pool_sizes), 0) as active,
        (select count(*)::int from volunteer_match_profiles where last_offered_at >= ${since}) as offered`.execute(db);
    return rows[0]!;
  },
};
