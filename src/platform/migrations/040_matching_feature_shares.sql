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
    where schemaname = current_schema() and tablename = 'volunteer_match_profiles' and attname = 'keys') s
$$;
revoke execute on function cg_volunteer_feature_shares(bigint[]) from public;
grant execute on function cg_volunteer_feature_shares(bigint[]) to {{app_role}};

-- A search by features or by place finds tens or hundreds of volunteers, not the thousand the planner takes a
-- function to return: told so, it reads each candidate's profile by its key instead of reading them all.
alter function cg_volunteers_with_keys(bigint[], bigint[], bigint[], bigint[], bigint[]) rows 100;
alter function cg_volunteers_near(double precision, double precision, double precision, double precision, integer, integer, integer, boolean, double precision, integer) rows 100;
