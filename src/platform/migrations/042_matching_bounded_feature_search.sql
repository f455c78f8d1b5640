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
