-- A search by features (034's keys) finds everyone holding a set of features wherever they live: for a role asking
-- for a common skill and cause, ten thousand volunteers across the LIO, of whom the round needs only the few near
-- enough to reach its target. Each was then read again by its key and with its person to be scored (30 µs each: a
-- third of a second for such a role). This search judges the bound where it already reads the row: the whole part
-- in common with the role, and the best nearness the volunteer could have (their distance less the rounding of
-- distances, `margin_km`), so that only those who could score `target` or more come back. With no place (`lat` null:
-- remote work), nearness counts 1. The offers lately, age and DBS expiry are left to the scoring, which only lowers
-- scores, so no one who could reach the target is left out.
create function cg_volunteers_with_keys_reaching(all_keys bigint[], any_a bigint[], any_b bigint[], any_c bigint[], any_d bigint[],
  lat double precision, lon double precision, margin_km double precision, skills integer, causes integer, slots integer, any_time boolean,
  target double precision) returns setof uuid
  language plpgsql stable security definer set search_path = {{schema}}, public set enable_seqscan = off rows 100
as $$
declare
  conditions text[] := array['p.lio_id = cg_current_lio()'];
  whole text := '3 * volunteering_bits(p.skills & $9) + 2 * volunteering_bits(p.causes & $10)'
    || ' + least(volunteering_bits(case when $12 then p.slots else p.slots & $11 end), 3)';
begin
  if cardinality(all_keys) > 0 then conditions := array_append(conditions, 'p.keys @> $1'); end if;
  if any_a is not null then conditions := array_append(conditions, 'p.keys && $2'); end if;
  if any_b is not null then conditions := array_append(conditions, 'p.keys && $3'); end if;
  if any_c is not null then conditions := array_append(conditions, 'p.keys && $4'); end if;
  if any_d is not null then conditions := array_append(conditions, 'p.keys && $5'); end if;
  if lat is null then
    conditions := array_append(conditions, whole || ' + 1 >= $13');
  else
    -- As cg_volunteers_near judges the same volunteers by place.
    conditions := array_append(conditions, 'p.in_person and p.latitude is not null');
    conditions := array_append(conditions, 'd.km <= p.reach_km + $8');
    conditions := array_append(conditions, whole || ' + 1 - greatest(d.km - $8, 0) / greatest(p.reach_km, 1) >= $13');
  end if;
  return query execute 'select p.volunteer_id from volunteer_match_profiles p'
    || case when lat is null then '' else ' cross join lateral (select volunteering_distance_km(p.latitude, p.longitude, $6, $7) as km) d' end
    || ' where ' || array_to_string(conditions, ' and ')
    using all_keys, any_a, any_b, any_c, any_d, lat, lon, margin_km, skills, causes, slots, any_time, target;
end $$;
revoke execute on function cg_volunteers_with_keys_reaching(bigint[], bigint[], bigint[], bigint[], bigint[], double precision, double precision,
  double precision, integer, integer, integer, boolean, double precision) from public;
grant execute on function cg_volunteers_with_keys_reaching(bigint[], bigint[], bigint[], bigint[], bigint[], double precision, double precision,
  double precision, integer, integer, integer, boolean, double precision) to {{app_role}};

-- A role needing a DBS check is matched among the fifth of the pool holding one. Read by place, every volunteer in
-- the box was read from the index and most left out for want of a check (the slowest roles to match were these: a
-- common skill and a DBS check); read from an index of the vetted alone, ordered by the level passed before place,
-- only those holding the level or above are read. Expiry is still judged when scored.
create index volunteer_match_profiles_place_vetted on volunteer_match_profiles (lio_id, band, dbs_passed, grid_y, grid_x)
  include (volunteer_id, in_person, skills, causes, slots, latitude, longitude, reach_km) where dbs_passed > 0;
create or replace function cg_volunteers_near(lat double precision, lon double precision, share double precision, margin_km double precision,
  skills integer, causes integer, slots integer, any_time boolean, target double precision, dbs_level integer)
  returns setof uuid language sql stable security definer set search_path = {{schema}}, public rows 100
as $$
  select p.volunteer_id
  from unnest(volunteering_reach_bands()) with ordinality as b(top, band)
  cross join lateral volunteering_grid_box(lat, lon, least(share, 1) * b.top + margin_km) g
  join volunteer_match_profiles p on p.lio_id = cg_current_lio() and p.in_person and p.band = b.band
    and p.grid_y = any(g.ys) and p.grid_x between g.x0 and g.x1
  cross join lateral (select volunteering_distance_km(p.latitude, p.longitude, lat, lon) as km) d
  where dbs_level <= 0 and d.km <= p.reach_km + margin_km
    and 3 * volunteering_bits(p.skills & cg_volunteers_near.skills) + 2 * volunteering_bits(p.causes & cg_volunteers_near.causes)
      + least(volunteering_bits(case when any_time then p.slots else p.slots & cg_volunteers_near.slots end), 3)
      + 1 - greatest(d.km - margin_km, 0) / greatest(p.reach_km, 1) >= target
  union all
  select p.volunteer_id
  from unnest(volunteering_reach_bands()) with ordinality as b(top, band)
  cross join lateral volunteering_grid_box(lat, lon, least(share, 1) * b.top + margin_km) g
  cross join (values (1), (2), (3)) l(level)
  -- In person is asked as a number: asked as itself, the index of 034 (of those in person) would answer too, and the
  -- planner, not knowing how few are vetted, prefers it.
  join volunteer_match_profiles p on p.lio_id = cg_current_lio() and p.in_person::int = 1 and p.band = b.band and p.dbs_passed > 0
    and p.dbs_passed = l.level and p.grid_y between g.ys[1] and g.ys[cardinality(g.ys)] and p.grid_x between g.x0 and g.x1
  cross join lateral (select volunteering_distance_km(p.latitude, p.longitude, lat, lon) as km) d
  where dbs_level > 0 and l.level >= dbs_level and d.km <= p.reach_km + margin_km
    and 3 * volunteering_bits(p.skills & cg_volunteers_near.skills) + 2 * volunteering_bits(p.causes & cg_volunteers_near.causes)
      + least(volunteering_bits(case when any_time then p.slots else p.slots & cg_volunteers_near.slots end), 3)
      + 1 - greatest(d.km - margin_km, 0) / greatest(p.reach_km, 1) >= target
$$;
