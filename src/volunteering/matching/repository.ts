import { sql, type CompiledQuery, type RawBuilder } from 'kysely';
import type { Queryable } from '../../platform/db/index.js';
import { DBS_ORDER } from '../vocabulary.js';
import { bestMatches, guessedShares, slotCap, type Narrowing, type PoolShares, type Probe, type Wanted } from './tiers.js';

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
const LEVELS = sql`array['none', 'basic', 'standard', 'enhanced']`;

/** The whole part of the score: the features volunteer profile `p` and role `o` (its masks) have in common. */
const wholePart = sql`(volunteering_bits(p.skills & o.match_skills) * 3 + volunteering_bits(p.causes & o.match_causes) * 2
  + least(volunteering_bits(p.slots & o.match_slots), 3))`;
/** The rest of the score, given the distance shown (null: remote) and the offers made lately to `p`. */
const nearnessLessOffers = (distanceKm: RawBuilder<unknown>, offers: RawBuilder<unknown>) => sql`
  case when ${distanceKm} is null then 1 else greatest(0, 1 - ${distanceKm} / greatest(p.reach_km, 1)) end - 0.5 * least(${offers}, 6)`;
/** The score of `p` against `o`, given the facts `m` beside them. */
const scored = sql`${wholePart} + ${nearnessLessOffers(sql.ref('m.distance_km'), sql.ref('m.recent_offers'))}`;

/** The DBS level profile `p` holds today, and the offers made to it since `since`: the volunteer's side of the facts. */
const dbsHeld = (today: string) => sql`coalesce(case when p.dbs_until[3] >= ${today}::date then 'enhanced' when p.dbs_until[2] >= ${today}::date then 'standard'
    when p.dbs_until[1] >= ${today}::date then 'basic' end, 'none')`;
const recentOffers = (since: Date) => sql`case when p.last_offered_at >= ${since} then (select count(*)::int from unnest(p.offered_at) t where t >= ${since}) else 0 end`;
/** The distance between `p` and role `o` (of `g.km`), rounded as shown, when the role is in person and within reach. */
const distanceWithinReach = sql`case when o.in_person and p.in_person and o.latitude is not null and g.km <= p.reach_km then round(g.km::numeric, 1)::double precision end`;

/** The facts judged beside the features: distance within reach, the DBS level held today, offers since `since`. */
const facts = (today: string, since: Date) => sql`
  ${distanceWithinReach} as distance_km, ${dbsHeld(today)} as dbs_held, ${recentOffers(since)} as recent_offers`;
const distance = sql`cross join lateral (select volunteering_distance_km(p.latitude, p.longitude, o.latitude, o.longitude) as km) g`;

/**
 * The rules no score makes up for. A role's remote work is offered to the remote volunteers sharing a skill or one of
 * their own causes with it (any of them when it names none); a remote volunteer is offered every remote role.
 */
const ageFits = (today: string) => sql`(pe.date_of_birth is null and o.minimum_age < 18 or pe.date_of_birth <= (${today}::date - make_interval(years => o.minimum_age))::date)`;
const dbsFits = sql`(o.dbs_level = 'none' or array_position(${LEVELS}, m.dbs_held) >= array_position(${LEVELS}, o.dbs_level))`;
const eligible = (today: string) => sql`
  ${ageFits(today)} and ${dbsFits} and (m.distance_km is not null or (o.remote and p.remote and ${sharesWork}))`;
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

/** A little more than the rounding of distances to 0.1 km can take off one. */
const ROUNDING_KM = 0.1;

/**
 * The candidates of a round, by id: for work in person, those the round asks for by features and near enough to reach
 * its target (migration 042), and those within its share of their travel distance, read by place in one search judging
 * features and nearness in the index; for remote work, those working remotely asked for by features.
 */
function candidatesOf(narrowing: Narrowing, w: Wanted, side: { near: ((share: number, target: number) => RawBuilder<unknown>) | null; dbs: RawBuilder<unknown> }) {
  // Only those who could still reach the round's target come back: in person, by their distance from the role `o`.
  const byKeys = (extra: RawBuilder<unknown>, probe: Probe, inPerson: boolean) => {
    const { all, any } = probeKeys(probe, w, extra);
    const place = inPerson ? sql`o.latitude, o.longitude` : sql`null::float8, null::float8`;
    return sql`select cg_volunteers_with_keys_reaching(${all}, ${sql.join(any)}, ${place}, ${ROUNDING_KM}::float8, ${wantedMasks(w)}, ${w.anyTime},
      ${narrowing.target}::float8) as id from o`;
  };
  const calls = [
    ...(side.near && narrowing.nearShare > 0 ? [side.near(narrowing.nearShare, narrowing.target)] : []),
    ...(side.near ? narrowing.byFeatures.map((probe) => byKeys(side.dbs, probe, true)) : []),
    ...narrowing.remote.map((probe) => byKeys(sql`${side.dbs} || volunteering_remote_key()`, probe, false)),
  ];
  return calls.length ? sql.join(calls, sql` union `) : sql`select null::uuid as id where false`;
}

const distinct = (values: string[]) => [...new Set(values)];

/** What the role offers a volunteer to be judged against. */
const roleWants = (o: { skills: string[]; causes: string[]; availability: string[] }): Wanted =>
  ({ skills: distinct(o.skills), causes: distinct(o.causes), slots: distinct(o.availability), anyTime: o.availability.length === 0 });

/**
 * An LIO with fewer volunteers than this is matched in one round scoring everyone within reach: rounds of narrowing
 * would cost more than they save.
 */
export const SMALL_POOL = 2_000;

/** A feature's key (migration 034) for each code, in order: an unknown code has none, and so no share. */
const keysOf = (codes: string[], kind: number, vocabulary: 'skill' | 'cause' | 'slot') => sql`array(select (${kind}::bigint << 40) + array_position(${sql.raw(`volunteering_${vocabulary}_codes()`)}, u.code) - 1
  from unnest(${texts(codes)}) with ordinality as u(code, i) order by u.i)`;

/** The pool's size and how common each feature `w` wants is in it (tiers.ts), guessed when there are no statistics. */
async function poolShares(db: Queryable, w: Wanted, dbsLevel: string): Promise<PoolShares> {
  const { rows } = await sql<{ volunteers: number; shares: number[] | null }>`
    select coalesce((select volunteers from volunteering_pool_sizes), 0) as volunteers,
      cg_volunteer_feature_shares(${keysOf(w.skills, 1, 'skill')} || ${keysOf(w.causes, 2, 'cause')} || ${keysOf(w.slots, 3, 'slot')}
        || array[(4::bigint << 40) + 1, (4::bigint << 40) + 2, (4::bigint << 40) + 3, volunteering_remote_key(),
          ${dbsLevel === 'none' ? sql`null::bigint` : sql`volunteering_dbs_key(${dbsLevel})`}]) as shares`.execute(db);
  const { volunteers, shares } = rows[0]!;
  if (!shares) return guessedShares(volunteers, w, dbsLevel !== 'none');
  const at = (from: number, count: number) => shares.slice(from, from + count).map(Number);
  const n = w.skills.length + w.causes.length + w.slots.length;
  return {
    volunteers, skills: at(0, w.skills.length), causes: at(w.skills.length, w.causes.length), slots: at(w.skills.length + w.causes.length, w.slots.length),
    atLeastSlots: at(n, 3), remote: Number(shares[n + 3]), vetted: dbsLevel === 'none' ? 1 : Number(shares[n + 4]),
  };
}

/**
 * The volunteer's side of a search for roles, worked out once: their profile, DBS level held today (and the levels it
 * covers), offers lately, age in years, and the squares of the grid surely within their reach.
 */
const volunteerSide = (volunteerId: string, today: string, since: Date) => sql`
      select p.*, ${dbsHeld(today)} as dbs_held, ${recentOffers(since)} as recent_offers,
        extract(year from age(${today}::date, pe.date_of_birth)) as age_years,
        (${LEVELS})[2:array_position(${LEVELS}, ${dbsHeld(today)})] as dbs_levels_held,
        -- The squares of the grid wholly inside a square inside nine tenths of the reach (a margin for the flat map;
        -- east to west measured where a degree is widest, at the edge nearer the equator): a role there is surely
        -- within reach, whatever its distance to the metre.
        volunteering_grid_y(p.latitude - s.dlat) + 1 as sure_y0, volunteering_grid_y(p.latitude + s.dlat) - 1 as sure_y1,
        volunteering_grid_x(p.longitude - s.dlon) + 1 as sure_x0, volunteering_grid_x(p.longitude + s.dlon) - 1 as sure_x1
      from volunteer_match_profiles p join people pe on pe.id = p.person_id
      cross join lateral (select 0.9 * p.reach_km / sqrt(2) / 111.2 as dlat,
        0.9 * p.reach_km / sqrt(2) / (111.2 * cos(radians(greatest(0.0, abs(p.latitude) - p.reach_km / 111.2)))) as dlon) s
      where p.volunteer_id = ${volunteerId}`;

export const matchingRepository = {
  /**
   * The best volunteers for a role, found round by round (tiers.ts): each round scores only the volunteers its probes
   * find, until no one left out could come into the best `limit`. `ran` collects each round's query, for the benchmark
   * to time in the database alone, and `targets` each round's target, for the tests.
   */
  async volunteersForRole(db: Queryable, roleId: string, today: string, since: Date, limit = MATCHES_SHOWN, ran?: CompiledQuery[], smallPool = SMALL_POOL,
    targets?: number[]): Promise<VolunteerMatchRow[]> {
    const role = await db.selectFrom('opportunities').select(['skills', 'causes', 'availability', 'in_person', 'remote', 'latitude', 'dbs_level'])
      .where('id', '=', roleId).executeTakeFirst();
    if (!role) return [];
    const wanted = roleWants(role);
    const dbsLevel = DBS_ORDER.indexOf(role.dbs_level);
    const inPerson = role.in_person && role.latitude !== null;
    const side = {
      near: inPerson ? (share: number, target: number) => sql`select cg_volunteers_near(o.latitude, o.longitude, ${share}::float8,
        ${ROUNDING_KM}::float8, ${wantedMasks(wanted)}, ${wanted.anyTime}, ${target}::float8, ${dbsLevel}::int) as id from o` : null,
      dbs: role.dbs_level === 'none' ? sql`'{}'::bigint[]` : sql`array[volunteering_dbs_key(${role.dbs_level})]`,
    };
    const shares = await poolShares(db, wanted, role.dbs_level);
    const atOnce = smallPool > 0 && shares.volunteers < smallPool;
    return bestMatches(wanted, limit, atOnce, shares, { remote: role.remote, inPerson }, async (narrowing) => {
      targets?.push(narrowing.target);
      // Work at any time counts the volunteer's own slots: every slot is wanted.
      const slots = wanted.anyTime ? sql`volunteering_mask(volunteering_slot_codes(), volunteering_slot_codes())` : mask(wanted.slots, 'slot');
      const remoteFirst = narrowing.remoteFirst > 0 ? sql`select cg_remote_volunteers_first(${mask(wanted.skills, 'skill')}, ${mask(wanted.causes, 'cause')}, ${slots},
        ${slotCap(wanted)}::int, ${dbsLevel}::int, ${since}, ${narrowing.remoteFirst}::int) as id` : null;
      const query = this.volunteersForRoleRound(roleId, today, since, limit, candidatesOf(narrowing, wanted, side), remoteFirst);
      ran?.push(query.compile(db));
      const rows = (await query.execute(db)).rows;
      return { rows: rows.map(({ remote_read: _r, remote_last_id: _l, ...row }) => row), remoteRead: rows[0]?.remote_read ?? 0, remoteLastId: rows[0]?.remote_last_id ?? null };
    });
  },

  /** One round: the candidates found, scored and ranked, the best `limit` with what they have in common. */
  volunteersForRoleRound(roleId: string, today: string, since: Date, limit: number, candidates: RawBuilder<unknown>, remoteFirst: RawBuilder<unknown> | null) {
    return sql<VolunteerMatchRow & { remote_read: number; remote_last_id: string | null }>`
      with o as (select * from opportunities where id = ${roleId}),
      first_remote as materialized (${remoteFirst ?? sql`select null::uuid as id where false`}),
      c as (${candidates} union select id from first_remote),
      best as (
        select p.volunteer_id, pe.full_name, m.distance_km, m.dbs_held, m.recent_offers, (${scored})::double precision as score
        from c join volunteer_match_profiles p on p.volunteer_id = c.id cross join o ${distance}
        cross join lateral (select ${facts(today, since)}) m
        join people pe on pe.id = p.person_id
        where ${eligible(today)}
        order by score desc, m.recent_offers, p.volunteer_id
        limit ${limit}
      )
      select b.volunteer_id, b.full_name, v.status, ${inCommon}, b.distance_km, b.dbs_held, o.dbs_level as dbs_needed, b.recent_offers, b.score,
        (select count(*)::int from first_remote) as remote_read, (select id::text from first_remote order by id desc limit 1) as remote_last_id
      from best b join volunteers v on v.id = b.volunteer_id cross join o
      order by b.score desc, b.recent_offers, b.volunteer_id`;
  },

  /**
   * The best published, open roles for a volunteer, in one pass over the indexes of migration 039: every open role
   * they may take within their reach (and every remote role, if they work remotely) has its whole part counted, but
   * the distance, which costs most, is measured only for those that could still come into the best `limit`: a role's
   * score is its whole part plus at most 1, so one whole part below the `limit`-th surely reached is as low as it needs
   * to go. `ran` collects the query, for the benchmark to time in the database alone.
   */
  async rolesForVolunteer(db: Queryable, volunteerId: string, today: string, since: Date, limit = MATCHES_SHOWN, ran?: CompiledQuery[]): Promise<RoleMatchRow[]> {
    // As ageFits and dbsFits, with the volunteer's side worked out once (see `p`), as each is judged on thousands of roles.
    const open = sql`(o.closing_on is null or o.closing_on >= ${today}::date)
      and (p.age_years is null and o.minimum_age < 18 or o.minimum_age <= p.age_years)
      and (o.dbs_level = 'none' or o.dbs_level = any(p.dbs_levels_held))`;
    const query = sql<RoleMatchRow>`
      with p as (${volunteerSide(volunteerId, today, since)}),
      boxed as materialized (
        select o.id, o.closing_on, o.latitude, o.longitude, ${wholePart} as whole,
          o.grid_y between p.sure_y0 and p.sure_y1 and o.grid_x between p.sure_x0 and p.sure_x1 as surely_reached
        from p cross join lateral volunteering_grid_box(p.latitude, p.longitude, p.reach_km) b
        -- The box's rows of the grid as one range: one pass along the index, where a search for each row (as the
        -- rounds do for volunteers) costs twice as much across the hundreds of rows of a long reach.
        join opportunities o on o.lio_id = p.lio_id and o.status = 'published' and o.in_person and o.latitude is not null
          and o.grid_y between b.ys[1] and b.ys[cardinality(b.ys)] and o.grid_x between b.x0 and b.x1
        where p.in_person and ${open}
      ),
      remote as (
        -- Remote work counts as remote (nearness 1) unless the role is also in person within the volunteer's reach.
        select o.id, o.closing_on, ${wholePart} as whole
        from p join opportunities o on o.lio_id = p.lio_id and o.status = 'published' and o.remote
        where p.remote and ${open} and not (p.in_person and o.in_person and o.latitude is not null
          and volunteering_distance_km(p.latitude, p.longitude, o.latitude, o.longitude) <= p.reach_km)
      ),
      lowest as (
        select coalesce((select surely from (select whole as surely from boxed where surely_reached union all select whole + 1 from remote) s
          order by surely desc offset ${limit - 1} limit 1), -1000) as surely
      ),
      reached as (
        select c.id, c.closing_on, c.whole, round(g.km::numeric, 1)::double precision as distance_km
        from boxed c cross join lowest cross join p
        cross join lateral (select volunteering_distance_km(p.latitude, p.longitude, c.latitude, c.longitude) as km offset 0) g
        where c.whole + 1 >= lowest.surely and g.km <= p.reach_km
      ),
      best as (
        select c.id as opportunity_id, c.distance_km,
          (c.whole + ${nearnessLessOffers(sql.ref('c.distance_km'), sql.ref('p.recent_offers'))})::double precision as score
        from (select id, closing_on, whole, distance_km from reached
          union all select r.id, r.closing_on, r.whole, null from remote r cross join lowest where r.whole + 1 >= lowest.surely) c cross join p
        order by score desc, c.closing_on nulls last, c.id
        limit ${limit}
      )
      select o.id as opportunity_id, o.title, org.name as organisation_name, o.schedule, o.closing_on::text as closing_on, ${inCommon},
        b.distance_km, p.dbs_held, o.dbs_level as dbs_needed, p.recent_offers, b.score
      from best b join opportunities o on o.id = b.opportunity_id cross join p join volunteers v on v.id = p.volunteer_id
      left join organisations org on org.lio_id = o.lio_id and org.id = o.organisation_id
      order by b.score desc, o.closing_on nulls last, o.id`;
    ran?.push(query.compile(db));
    return (await query.execute(db)).rows;
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
