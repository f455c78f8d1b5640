-- How common each feature of the matching profiles is (034's keys: skills, causes, slots, DBS levels, remote work), as
-- the planner's own statistics of the keys hold them: the search for a role's best volunteers estimates from these how
-- low its threshold must go, and which features are rare enough to look up by feature rather than by place. pg_stats
-- shows no statistics of a table under row-level security to the role it applies to, so this runs as the owner; it
-- gives shares of the whole table, no row and no LIO's own figures. Null when there are no statistics yet (no ANALYZE
-- has run): the search then takes every feature as common. A key missing from the statistics is rarer than the
-- rarest listed, and is given half its share.
create function cg_volunteer_feature_shares(wanted bigint[]) returns real[]
  language sql stable security definer set search_path = {{schema}}, public
as $$
  select array(select coalesce(s.freqs[array_position(s.elems, w.k)], s.freqs[cardinality(s.freqs) - 2] / 2)
    from unnest(wanted) with ordinality as w(k, i) order by w.i)
  from (select most_common_elems::text::bigint[] as elems, most_common_elem_freqs as freqs from pg_stats
    where schemaname = current_schema() and tablename = 'volunteer_match_profiles' and attname = 'keys' and most_common_elems is not null) s
$$;
revoke execute on function cg_volunteer_feature_shares(bigint[]) from public;
grant execute on function cg_volunteer_feature_shares(bigint[]) to {{app_role}};

-- A search by features or by place finds tens or hundreds of volunteers, not the thousand the planner takes a
-- function to return: told so, it reads each candidate's profile by its key instead of reading them all.
alter function cg_volunteers_with_keys(bigint[], bigint[], bigint[], bigint[], bigint[]) rows 100;
alter function cg_volunteers_near(double precision, double precision, double precision, double precision, integer, integer, integer, boolean, double precision, integer) rows 100;

-- Remote work for which many remote volunteers hold every wanted feature (a role asking for a common skill): they all
-- score the best there can be, and their order is by id alone, so the first few by id are the answer. This reads the
-- remote volunteers in order of id, judging each in the index, and stops at `wanted`, instead of scoring thousands.
-- Those with offers since `since` score less and are left out; the DBS level passed is checked here and its expiry,
-- like age, when scored (the search asks how far down the order of ids it read).
create index volunteer_match_profiles_remote on volunteer_match_profiles (lio_id, volunteer_id)
  include (skills, causes, slots, dbs_passed, last_offered_at) where remote;
create function cg_remote_volunteers_first(skills integer, causes integer, slots integer, slots_needed integer, dbs_level integer,
  since timestamptz, wanted integer) returns setof uuid
  language sql stable security definer set search_path = {{schema}}, public rows 100
as $$
  select p.volunteer_id from volunteer_match_profiles p
  where p.lio_id = cg_current_lio() and p.remote
    and p.skills & cg_remote_volunteers_first.skills = cg_remote_volunteers_first.skills
    and p.causes & cg_remote_volunteers_first.causes = cg_remote_volunteers_first.causes
    and volunteering_bits(p.slots & cg_remote_volunteers_first.slots) >= slots_needed
    and p.dbs_passed >= dbs_level and (p.last_offered_at is null or p.last_offered_at < since)
  order by p.volunteer_id
  limit wanted
$$;
revoke execute on function cg_remote_volunteers_first(integer, integer, integer, integer, integer, timestamptz, integer) from public;
grant execute on function cg_remote_volunteers_first(integer, integer, integer, integer, integer, timestamptz, integer) to {{app_role}};
