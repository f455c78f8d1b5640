import { sql, type RawBuilder } from 'kysely';
import type { RoleMatchRow, VolunteerMatchRow } from '../../src/volunteering/matching/repository.js';

/*
 * The matching rule written once more, over the source tables (volunteers, people, vetting checks, referrals,
 * opportunities) and scoring everyone within reach: what the search over the matching profiles (migration 034) must
 * answer, so a test catches both a search that misses someone and a profile left out of step with its sources.
 */
const scored = sql`
  cardinality(m.skills_common) * 3 + cardinality(m.causes_common) * 2
  + least(case when m.any_time then cardinality(m.volunteer_slots) else cardinality(m.slots_common) end, 3)
  + case when m.distance_km is null then 1 else greatest(0, 1 - m.distance_km / greatest(coalesce(m.travel_km, 10), 1)) end
  - 0.5 * least(m.recent_offers, 6)`;

const dbsHeldOf = (today: string) => sql`coalesce((select (array['basic', 'standard', 'enhanced'])[max(array_position(array['basic', 'standard', 'enhanced'], c.dbs_level))]
    from vetting_checks c where c.volunteer_id = v.id and c.kind = 'dbs' and c.outcome = 'passed' and (c.expires_on is null or c.expires_on >= ${today}::date)), 'none')`;
const recentOffersOf = (since: Date) => sql`(select count(*)::int from referrals r where r.volunteer_id = v.id and r.created_at >= ${since})`;

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

const eligible = (today: string) => sql`
  v.status <> 'inactive'
  and (p.date_of_birth is null and o.minimum_age < 18 or p.date_of_birth <= (${today}::date - make_interval(years => o.minimum_age))::date)
  and (m.dbs_needed = 'none' or array_position(array['none', 'basic', 'standard', 'enhanced'], m.dbs_held) >= array_position(array['none', 'basic', 'standard', 'enhanced'], m.dbs_needed))
  and (m.distance_km is not null or (o.remote and v.remote))`;

/** Everyone within reach of the role (and, for remote work, remote volunteers sharing a skill or cause with it), scored. */
export const volunteersForRoleEveryone = (roleId: string, today: string, since: Date, limit: number) => sql<VolunteerMatchRow>`
  with o as (select * from opportunities where id = ${roleId}),
  candidates as (
    select v.id from o join volunteers v on v.lio_id = o.lio_id and v.status <> 'inactive' and v.in_person and v.latitude is not null
      and volunteering_distance_km(v.latitude, v.longitude, o.latitude, o.longitude) <= coalesce(v.travel_km, 10)
    where o.in_person and o.latitude is not null
    union
    select v.id from o join volunteers v on v.lio_id = o.lio_id and v.status <> 'inactive' and v.remote
      and (v.skills && o.skills or v.causes && o.causes or (cardinality(o.skills) = 0 and cardinality(o.causes) = 0))
    where o.remote
  ),
  judged as (
    select v.id as volunteer_id, p.full_name, v.status, ${facts(today, since)}
    from candidates c join volunteers v on v.id = c.id join people p on p.id = v.person_id cross join o
  )
  select m.volunteer_id, m.full_name, m.status, m.skills_common, m.causes_common, m.slots_common, m.any_time, m.distance_km, m.dbs_held, m.dbs_needed,
    m.recent_offers, (${scored})::double precision as score
  from judged m
  join volunteers v on v.id = m.volunteer_id join people p on p.id = v.person_id cross join o
  where ${eligible(today)}
  order by score desc, m.recent_offers, m.volunteer_id
  limit ${limit}`;

/** Every open published role within the volunteer's reach (and remote ones if they work remotely), scored. */
export const rolesForVolunteerEveryone = (volunteerId: string, today: string, since: Date, limit: number) => sql<RoleMatchRow>`
  with v as (select v.*, ${dbsHeldOf(today)} as dbs_held_now, ${recentOffersOf(since)} as recent_offers_now from volunteers v where v.id = ${volunteerId}),
  candidates as (
    select o.id from v join opportunities o on o.lio_id = v.lio_id and o.status = 'published' and o.in_person where v.in_person and v.latitude is not null
    union
    select o.id from v join opportunities o on o.lio_id = v.lio_id and o.status = 'published' and o.remote where v.remote
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
