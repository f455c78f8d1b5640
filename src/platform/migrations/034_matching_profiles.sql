-- Matching at the size of a large LIO (a million volunteers, fifty thousand roles): one compact row per volunteer who
-- is not inactive, holding what a match is judged on, and on each role the same, so that a search reads a few hundred
-- small rows found by one index instead of joining and scoring hundreds of thousands.
--
-- What a row holds: skills, causes (with interests) and availability as bits of the vocabularies below; where the
-- volunteer is and how far they travel; the DBS levels their passed checks cover and until when; when they were last
-- offered roles (fair spreading). And `keys`: every feature as a number, and the grid squares around where they live
-- (ten sizes, told apart by how far they travel), in one GIN index, so that "holds these skills and causes, within
-- this distance" is one index search whatever mix of the two is the rare one.
--
-- Triggers on the source tables (volunteers, vetting_checks, referrals) keep the rows, and each LIO's count of them, in step within the writing
-- statement's transaction, as 019 does for service places: statement triggers over the changed rows, firing whatever
-- the session's replication role. A role's own columns are generated from its row.

-- The vocabularies, in the order of their bits: the skills of src/volunteering/vocabulary.ts, the themes of
-- src/platform/vocabulary/themes.ts, the weekly slots (test/volunteering/matching-profiles.test.ts checks they agree).
create function volunteering_skill_codes() returns text[] language sql immutable parallel safe as $$
  select array['admin', 'befriending', 'caring', 'catering', 'coaching', 'computers', 'driving', 'events', 'finance', 'fundraising',
    'gardening', 'languages', 'lifting', 'marketing', 'retail', 'teaching', 'trustee', 'youth']
$$;
create function volunteering_cause_codes() returns text[] language sql immutable parallel safe as $$
  select array['advice', 'arts', 'loneliness', 'families', 'community', 'crisis', 'safety', 'digital', 'disability', 'learning', 'employment',
    'environment', 'equalities', 'faith', 'food', 'health', 'heritage', 'housing', 'mental_health', 'older', 'money', 'sport', 'transport', 'volunteering']
$$;
create function volunteering_slot_codes() returns text[] language sql immutable parallel safe as $$
  select array['mon-morning', 'mon-afternoon', 'mon-evening', 'tue-morning', 'tue-afternoon', 'tue-evening',
    'wed-morning', 'wed-afternoon', 'wed-evening', 'thu-morning', 'thu-afternoon', 'thu-evening',
    'fri-morning', 'fri-afternoon', 'fri-evening', 'sat-morning', 'sat-afternoon', 'sat-evening',
    'sun-morning', 'sun-afternoon', 'sun-evening']
$$;

-- The codes of `vocabulary` among `vals`, as bits; and how many bits a mask has set.
create function volunteering_mask(vals text[], vocabulary text[]) returns integer language sql immutable parallel safe as $$
  select coalesce(sum(1 << (u.i - 1)::int), 0)::integer from unnest(vocabulary) with ordinality as u(code, i) where u.code = any(vals)
$$;
create function volunteering_bits(mask integer) returns integer language sql immutable parallel safe as $$
  select bit_count(mask::bit(32))::integer
$$;

-- Index keys, a kind in the high bits: 1 a skill, 2 a cause, 3 a slot (bit positions), 4 "at least n slots", 5 works
-- remotely, 6 "a passed DBS check at level n or above" (n: 1 basic, 2 standard, 3 enhanced; its expiry is read from the
-- row).
create function volunteering_feature_keys(skills integer, causes integer, slots integer, least_slots integer) returns bigint[]
  language sql immutable parallel safe as $$
  select array(select (1::bigint << 40) + b from generate_series(0, 17) b where skills & (1 << b) <> 0)
    || array(select (2::bigint << 40) + b from generate_series(0, 23) b where causes & (1 << b) <> 0)
    || array(select (3::bigint << 40) + b from generate_series(0, 20) b where slots & (1 << b) <> 0)
    || array(select (4::bigint << 40) + n from generate_series(1, least(coalesce(least_slots, 0), 3)) n)
$$;
-- The same from codes, as a search asks for them.
create function volunteering_feature_keys(skills text[], causes text[], slots text[], least_slots integer) returns bigint[]
  language sql immutable parallel safe as $$
  select volunteering_feature_keys(volunteering_mask(skills, volunteering_skill_codes()), volunteering_mask(causes, volunteering_cause_codes()),
    volunteering_mask(slots, volunteering_slot_codes()), least_slots)
$$;
create function volunteering_remote_key() returns bigint language sql immutable parallel safe as $$ select 5::bigint << 40 $$;
create function volunteering_dbs_key(level text) returns bigint language sql immutable parallel safe as $$
  select (6::bigint << 40) + array_position(array['basic', 'standard', 'enhanced'], level)
$$;

-- A fine grid (0.0025 degrees of latitude, about 280 m, by 0.004 of longitude) on which a circle around a place is
-- looked for as rows of squares: the matching indexes are ordered by it, so a search reads the rows near a place and
-- few others.
create function volunteering_grid_y(lat double precision) returns integer language sql immutable parallel safe as $$
  select floor((lat + 90) / 0.0025)::integer
$$;
create function volunteering_grid_x(lon double precision) returns integer language sql immutable parallel safe as $$
  select floor((lon + 180) / 0.004)::integer
$$;
-- The grid's rows and columns a box holding every point within `km` of (lat, lon) spans. The box is a little larger
-- than the circle (a degree of latitude is 111.2 km; 110 is used, and longitude is measured at the box's edge nearest
-- a pole).
create function volunteering_grid_box(lat double precision, lon double precision, km double precision, out ys integer[], out x0 integer, out x1 integer)
  language sql immutable parallel safe as $$
  select array(select generate_series(volunteering_grid_y(lat - d.dlat), volunteering_grid_y(lat + d.dlat))),
    volunteering_grid_x(lon - d.dlon), volunteering_grid_x(lon + d.dlon)
  from (select km / 110.0 as dlat, km / (110.0 * cos(radians(least(89.0, abs(lat) + km / 110.0)))) as dlon) d
$$;

-- Travel distances in bands (up to 5, 10, 25, 50, 100, 200 and 500 km): a search for the volunteers within a share of
-- their own travel distance of a role looks, band by band, within that share of the band's largest distance.
create function volunteering_reach_bands() returns integer[] language sql immutable parallel safe as $$ select array[5, 10, 25, 50, 100, 200, 500] $$;
create function volunteering_reach_band(km integer) returns integer language sql immutable parallel safe as $$
  select coalesce((select min(i)::integer from unnest(volunteering_reach_bands()) with ordinality as b(top, i) where km <= b.top), 7)
$$;

create table volunteer_match_profiles (
  volunteer_id uuid primary key,
  lio_id uuid not null references lios (id) on delete cascade,
  person_id uuid not null,
  latitude double precision,
  longitude double precision,
  -- How far they will travel, in km (10 when not said).
  reach_km integer not null,
  -- Can be matched to work in person: willing, and their place is known.
  in_person boolean not null,
  remote boolean not null,
  skills integer not null,
  -- Causes with interests (as the score counts them), and causes alone (as remote work is offered).
  causes integer not null,
  own_causes integer not null,
  slots integer not null,
  -- The highest DBS level of a passed check, expired or not (1 basic, 2 standard, 3 enhanced; 0 none).
  dbs_passed integer not null,
  -- Until when the volunteer's passed DBS checks cover basic, standard and enhanced ('infinity': no expiry; null: none).
  dbs_until date[] not null,
  -- When roles were offered (referrals made), newest first: those within 30 days of the newest, the most that can still
  -- count in any 30 days from now on.
  offered_at timestamptz[] not null,
  last_offered_at timestamptz,
  keys bigint[] not null,
  band integer not null,
  grid_y integer,
  grid_x integer
);
-- Candidates by their features, wherever they are (the rarer the features, the fewer)…
create index volunteer_match_profiles_keys on volunteer_match_profiles using gin (keys);
-- …or by where they are, with what is judged held in the index, so that a search near a place reads no table row for
-- those it leaves out.
create index volunteer_match_profiles_place on volunteer_match_profiles (lio_id, band, grid_y, grid_x)
  include (volunteer_id, skills, causes, slots, dbs_passed, latitude, longitude, reach_km) where in_person;
create index volunteer_match_profiles_offered on volunteer_match_profiles (lio_id, last_offered_at) where last_offered_at is not null;
alter table volunteer_match_profiles enable row level security;
create policy tenant_isolation on volunteer_match_profiles using (lio_id = cg_current_lio());
-- Read only: the app's writes reach it through the triggers below, which run as the owner.
grant select on volunteer_match_profiles to {{app_role}};

-- How many volunteers of each LIO are not inactive: the share offered a role is of these, shown on every matching page.
create table volunteering_pool_sizes (
  lio_id uuid primary key references lios (id) on delete cascade,
  volunteers integer not null
);
alter table volunteering_pool_sizes enable row level security;
create policy tenant_isolation on volunteering_pool_sizes using (lio_id = cg_current_lio());
grant select on volunteering_pool_sizes to {{app_role}};

-- The profiles of these volunteers made again from the source tables.
create function cg_refresh_volunteer_match(ids uuid[]) returns void
  language plpgsql security definer set search_path = {{schema}}, public
as $$
declare
  before_change jsonb;
  after_change jsonb;
begin
  -- As 021 does for service places: two transactions remaking one volunteer's profile (a check recorded while a
  -- referral is made) would each delete, then the second's insert would collide with the first's row. The volunteers
  -- are locked first, in order of id, so the second waits and then sees the first's profile.
  perform 1 from volunteers where id = any(ids) order by id for no key update;
  select coalesce(jsonb_object_agg(lio_id, n), '{}') into before_change
    from (select lio_id, count(*) as n from volunteer_match_profiles where volunteer_id = any(ids) group by lio_id) c;
  delete from volunteer_match_profiles where volunteer_id = any(ids);
  insert into volunteer_match_profiles (volunteer_id, lio_id, person_id, latitude, longitude, reach_km, in_person, remote, skills, causes, own_causes,
      slots, dbs_passed, dbs_until, offered_at, last_offered_at, keys, band, grid_y, grid_x)
    select v.id, v.lio_id, v.person_id, v.latitude, v.longitude, coalesce(v.travel_km, 10), v.in_person and v.latitude is not null, v.remote,
      f.skills, f.causes, f.own_causes, f.slots, d.passed, d.until, o.offered, o.offered[1],
      volunteering_feature_keys(f.skills, f.causes, f.slots, volunteering_bits(f.slots))
        || case when v.remote then array[volunteering_remote_key()] else '{}' end
        || array(select volunteering_dbs_key(l) from unnest((array['basic', 'standard', 'enhanced'])[1:d.passed]) l),
      volunteering_reach_band(coalesce(v.travel_km, 10)), volunteering_grid_y(v.latitude), volunteering_grid_x(v.longitude)
    from volunteers v
    cross join lateral (select volunteering_mask(v.skills, volunteering_skill_codes()) as skills,
      volunteering_mask(v.causes || v.interests, volunteering_cause_codes()) as causes, volunteering_mask(v.causes, volunteering_cause_codes()) as own_causes,
      volunteering_mask(v.availability, volunteering_slot_codes()) as slots) f
    cross join lateral (
      select array[max(c.until) filter (where c.level >= 1), max(c.until) filter (where c.level >= 2), max(c.until) filter (where c.level >= 3)] as until,
        coalesce(max(c.level), 0) as passed
      from (select array_position(array['basic', 'standard', 'enhanced'], c.dbs_level) as level, coalesce(c.expires_on, 'infinity'::date) as until
        from vetting_checks c where c.volunteer_id = v.id and c.kind = 'dbs' and c.outcome = 'passed') c) d
    cross join lateral (select array(select r.created_at from referrals r where r.volunteer_id = v.id
      and r.created_at >= (select max(n.created_at) - interval '30 days' from referrals n where n.volunteer_id = v.id) order by r.created_at desc) as offered) o
    where v.id = any(ids) and v.status <> 'inactive';
  select coalesce(jsonb_object_agg(lio_id, n), '{}') into after_change
    from (select lio_id, count(*) as n from volunteer_match_profiles where volunteer_id = any(ids) group by lio_id) c;
  -- Only a change in the number touches the LIO's count, so refreshing a profile takes no lock on it.
  insert into volunteering_pool_sizes as m (lio_id, volunteers)
    select k::uuid, coalesce((after_change ->> k)::int, 0) - coalesce((before_change ->> k)::int, 0)
    from (select jsonb_object_keys(before_change || after_change) as k) keys
    where coalesce((after_change ->> k)::int, 0) <> coalesce((before_change ->> k)::int, 0)
  on conflict (lio_id) do update set volunteers = m.volunteers + excluded.volunteers;
end
$$;
revoke execute on function cg_refresh_volunteer_match(uuid[]) from public;

create function cg_volunteer_match_after_change() returns trigger
  language plpgsql security definer set search_path = {{schema}}, public
as $$
declare
  -- the volunteers that rows `x` of the table are about
  about text := case tg_table_name when 'volunteers' then 'select x.id from %1$s x' else 'select x.volunteer_id from %1$s x' end;
  before_change uuid[] := '{}';
  after_change uuid[] := '{}';
begin
  if tg_op in ('UPDATE', 'DELETE') then
    execute format('select array(' || about || ')', 'old_rows') into before_change;
  end if;
  if tg_op in ('UPDATE', 'INSERT') then
    execute format('select array(' || about || ')', 'new_rows') into after_change;
  end if;
  perform cg_refresh_volunteer_match(array(select distinct unnest(before_change || after_change)));
  return null;
end
$$;

-- Every change remakes the profiles it touches (a deleted volunteer's goes, and the count with it).
do $$
declare
  t text;
  e text;
begin
  foreach t in array array['volunteers', 'vetting_checks', 'referrals'] loop
    foreach e in array array['insert', 'update', 'delete'] loop
      execute format('create trigger %I after %s on %I %s for each statement execute function cg_volunteer_match_after_change()', 'volunteer_match_' || e, e, t,
        case e when 'insert' then 'referencing new table as new_rows' when 'update' then 'referencing old table as old_rows new table as new_rows'
          else 'referencing old table as old_rows' end);
      execute format('alter table %I enable always trigger %I', t, 'volunteer_match_' || e);
    end loop;
  end loop;
end
$$;

select cg_refresh_volunteer_match(array(select id from volunteers));

-- Volunteers holding every key of `all_keys` and one or more of each `any_*` not null, in the current LIO. Under
-- row-level security the arrays' operators could not use the index (see 032), so this runs as the owner and applies
-- the LIO itself, as the policy does. Only the conditions asked for are written, so each is planned for its values;
-- a GIN search is always wanted over reading the table (a common skill may look as if half the rows had it).
create function cg_volunteers_with_keys(all_keys bigint[], any_a bigint[], any_b bigint[], any_c bigint[], any_d bigint[]) returns setof uuid
  language plpgsql stable security definer set search_path = {{schema}}, public set enable_seqscan = off
as $$
declare
  conditions text[] := array['p.lio_id = cg_current_lio()'];
begin
  if cardinality(all_keys) > 0 then conditions := array_append(conditions, 'p.keys @> $1'); end if;
  if any_a is not null then conditions := array_append(conditions, 'p.keys && $2'); end if;
  if any_b is not null then conditions := array_append(conditions, 'p.keys && $3'); end if;
  if any_c is not null then conditions := array_append(conditions, 'p.keys && $4'); end if;
  if any_d is not null then conditions := array_append(conditions, 'p.keys && $5'); end if;
  return query execute 'select p.volunteer_id from volunteer_match_profiles p where ' || array_to_string(conditions, ' and ')
    using all_keys, any_a, any_b, any_c, any_d;
end $$;
revoke execute on function cg_volunteers_with_keys(bigint[], bigint[], bigint[], bigint[], bigint[]) from public;
grant execute on function cg_volunteers_with_keys(bigint[], bigint[], bigint[], bigint[], bigint[]) to {{app_role}};

-- Volunteers near (lat, lon) who could score `target` or more against a role wanting the features of the masks (a
-- role for any time: `any_time`), held to a DBS check at `dbs_level` or above, in the current LIO: within `share` of
-- their band's largest travel distance (plus `margin_km`, for distances rounded to 0.1 km), read band by band from the
-- place index alone, and judged there by features and nearness (the penalty for offers lately is left to the scoring).
create function cg_volunteers_near(lat double precision, lon double precision, share double precision, margin_km double precision,
  skills integer, causes integer, slots integer, any_time boolean, target double precision, dbs_level integer)
  returns setof uuid language sql stable security definer set search_path = {{schema}}, public
as $$
  select p.volunteer_id
  from unnest(volunteering_reach_bands()) with ordinality as b(top, band)
  cross join lateral volunteering_grid_box(lat, lon, least(share, 1) * b.top + margin_km) g
  join volunteer_match_profiles p on p.lio_id = cg_current_lio() and p.in_person and p.band = b.band
    and p.grid_y = any(g.ys) and p.grid_x between g.x0 and g.x1
  cross join lateral (select volunteering_distance_km(p.latitude, p.longitude, lat, lon) as km) d
  where p.dbs_passed >= dbs_level and d.km <= p.reach_km + margin_km
    and 3 * volunteering_bits(p.skills & cg_volunteers_near.skills) + 2 * volunteering_bits(p.causes & cg_volunteers_near.causes)
      + least(volunteering_bits(case when any_time then p.slots else p.slots & cg_volunteers_near.slots end), 3)
      + 1 - greatest(d.km - margin_km, 0) / greatest(p.reach_km, 1) >= target
$$;
revoke execute on function cg_volunteers_near(double precision, double precision, double precision, double precision, integer, integer, integer, boolean, double precision, integer) from public;
grant execute on function cg_volunteers_near(double precision, double precision, double precision, double precision, integer, integer, integer, boolean, double precision, integer) to {{app_role}};

-- A role's side, generated from its row: its features as bits (a role for any time has every slot), keys for
-- published roles, and its square of the grid.
create function volunteering_role_keys(status text, skills text[], causes text[], availability text[], in_person boolean, remote boolean,
  latitude double precision, longitude double precision) returns bigint[] language sql immutable parallel safe as $$
  select case when status <> 'published' then '{}'::bigint[] else
    volunteering_feature_keys(skills, causes, case when cardinality(availability) = 0 then volunteering_slot_codes() else availability end, 0)
    || case when remote then array[volunteering_remote_key()] else '{}' end end
$$;
alter table opportunities
  add column match_skills integer generated always as (volunteering_mask(skills, volunteering_skill_codes())) stored,
  add column match_causes integer generated always as (volunteering_mask(causes, volunteering_cause_codes())) stored,
  add column match_slots integer generated always as (
    volunteering_mask(case when cardinality(availability) = 0 then volunteering_slot_codes() else availability end, volunteering_slot_codes())) stored,
  add column match_keys bigint[] generated always as (volunteering_role_keys(status, skills, causes, availability, in_person, remote, latitude, longitude)) stored,
  add column grid_y integer generated always as (volunteering_grid_y(latitude)) stored,
  add column grid_x integer generated always as (volunteering_grid_x(longitude)) stored;
create index opportunities_match_keys on opportunities using gin (match_keys) where status = 'published';
create index opportunities_match_place on opportunities (lio_id, grid_y, grid_x) include (id, match_skills, match_causes, match_slots, latitude, longitude)
  where status = 'published' and in_person and latitude is not null;

create function cg_roles_with_keys(all_keys bigint[], any_a bigint[], any_b bigint[], any_c bigint[], any_d bigint[]) returns setof uuid
  language plpgsql stable security definer set search_path = {{schema}}, public set enable_seqscan = off
as $$
declare
  conditions text[] := array['o.lio_id = cg_current_lio()', 'o.status = ''published'''];
begin
  if cardinality(all_keys) > 0 then conditions := array_append(conditions, 'o.match_keys @> $1'); end if;
  if any_a is not null then conditions := array_append(conditions, 'o.match_keys && $2'); end if;
  if any_b is not null then conditions := array_append(conditions, 'o.match_keys && $3'); end if;
  if any_c is not null then conditions := array_append(conditions, 'o.match_keys && $4'); end if;
  if any_d is not null then conditions := array_append(conditions, 'o.match_keys && $5'); end if;
  return query execute 'select o.id from opportunities o where ' || array_to_string(conditions, ' and ')
    using all_keys, any_a, any_b, any_c, any_d;
end $$;
revoke execute on function cg_roles_with_keys(bigint[], bigint[], bigint[], bigint[], bigint[]) from public;
grant execute on function cg_roles_with_keys(bigint[], bigint[], bigint[], bigint[], bigint[]) to {{app_role}};

-- Published roles for work in person near a volunteer at (lat, lon) travelling `reach_km`, who could score `target`
-- or more against the volunteer's features (the masks): within `share` of the distance (plus `margin_km`), from the
-- place index alone.
create function cg_roles_near(lat double precision, lon double precision, reach_km integer, share double precision, margin_km double precision,
  skills integer, causes integer, slots integer, target double precision)
  returns setof uuid language sql stable security definer set search_path = {{schema}}, public
as $$
  select o.id
  from volunteering_grid_box(lat, lon, least(share, 1) * reach_km + margin_km) g
  join opportunities o on o.lio_id = cg_current_lio() and o.status = 'published' and o.in_person and o.latitude is not null
    and o.grid_y = any(g.ys) and o.grid_x between g.x0 and g.x1
  cross join lateral (select volunteering_distance_km(o.latitude, o.longitude, lat, lon) as km) d
  where d.km <= reach_km + margin_km
    and 3 * volunteering_bits(o.match_skills & cg_roles_near.skills) + 2 * volunteering_bits(o.match_causes & cg_roles_near.causes)
      + least(volunteering_bits(o.match_slots & cg_roles_near.slots), 3)
      + 1 - greatest(d.km - margin_km, 0) / greatest(reach_km, 1) >= target
$$;
revoke execute on function cg_roles_near(double precision, double precision, integer, double precision, double precision, integer, integer, integer, double precision) from public;
grant execute on function cg_roles_near(double precision, double precision, integer, double precision, double precision, integer, integer, integer, double precision) to {{app_role}};

-- The narrowing of 025 and 032 is done by the keys now.
drop function if exists cg_volunteers_holding(text[], text[], text[], integer, text[], text[], text[]);
drop function if exists cg_roles_holding(text[], text[], text[], text[], text[], text[]);
drop index if exists volunteers_matching_place;
drop index if exists volunteers_matching_remote;
drop index if exists volunteers_matching_causes;
drop index if exists volunteers_matching_availability;
drop index if exists opportunities_published_availability;
drop index if exists opportunities_published_any_time;
