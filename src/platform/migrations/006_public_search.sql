-- Public search (/find) and signposting lists.
--
-- Row-level security confines each query to its LIO, but on a table with a policy PostgreSQL uses an
-- index only for conditions whose operators are leakproof. Plain comparisons (=, <, between on uuid,
-- text, float8) are; tsvector @@, trigram LIKE and cube @> (earthdistance) are not, so under the app
-- role those indexes are never used and a search reads every row of the LIO. Hence:
--   * distance search uses a latitude/longitude bounding box on a btree (leakproof comparisons,
--     index-only), then the exact great-circle distance on the few rows inside the box;
--   * text search goes through cg_services_matching_text, which runs as the owner (so the GIN indexes
--     are used) and applies the LIO itself, exactly as the policy would: lio_id = cg_current_lio().

create index locations_lat_lng on locations (lio_id, latitude, longitude) include (id)
  where latitude is not null and longitude is not null;
create index service_at_locations_location_service on service_at_locations (location_id) include (service_id, lio_id);
create index services_lio_name on services (lio_id, name, id);
create index services_name_trgm on services using gin (lower(name) gin_trgm_ops);
create index service_areas_lio_name on service_areas (lio_id, lower(name));

-- Published services of the current LIO whose text matches: the words (web-search syntax: quotes, or,
-- -word) in the name and description, or the characters anywhere in the name. Rank: text relevance,
-- plus one when the name holds the characters. "Published" is the same rule as the public search's:
-- the service active or temporarily closed and consented, its organisation active, consented, not merged.
create function cg_services_matching_text(terms text) returns table (service_id uuid, rank real)
  language sql stable security definer set search_path = {{schema}}, public
as $$
  select s.id,
    ts_rank(s.search_text, websearch_to_tsquery('english', terms))
      + case when lower(s.name) like '%' || replace(replace(replace(lower(terms), '\', '\\'), '%', '\%'), '_', '\_') || '%' then 1 else 0 end
  from services s join organisations o on o.id = s.organisation_id
  where s.lio_id = cg_current_lio() and o.lio_id = cg_current_lio()
    and s.status in ('active', 'temporarily closed') and s.consent_to_publish
    and o.consent_to_publish and o.status = 'active' and o.merged_into_id is null
    and (s.search_text @@ websearch_to_tsquery('english', terms)
      or lower(s.name) like '%' || replace(replace(replace(lower(terms), '\', '\\'), '%', '\%'), '_', '\_') || '%')
$$;
revoke execute on function cg_services_matching_text(text) from public;
grant execute on function cg_services_matching_text(text) to {{app_role}};

-- Each e-mail of a signposting list, so that one list cannot be used to send mail without limit.
create table signposting_list_sends (
  id uuid primary key default gen_random_uuid(),
  lio_id uuid not null references lios (id) on delete cascade,
  list_id uuid not null references signposting_lists (id) on delete cascade,
  sent_at timestamptz not null
);
create index signposting_list_sends_list on signposting_list_sends (list_id, sent_at);
create index signposting_lists_created_by on signposting_lists (created_by, created_at desc) where created_by is not null;

alter table signposting_list_sends enable row level security;
create policy tenant_isolation on signposting_list_sends using (lio_id = cg_current_lio()) with check (lio_id = cg_current_lio());
grant select, insert, delete on signposting_list_sends to {{app_role}};
