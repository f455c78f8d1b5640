-- Directory searches that are not kept (issue 11): each kind reads few rows, from compact read models.
--
-- 1. Near a place. 019's index on (lio_id, latitude, longitude) read every place in the latitude band of the box,
--    across the whole country (a search in London read Bristol's and Reading's places too), and tested the longitude
--    of each. Places are now indexed by a band of latitude (0.05°, about 5.6 km) and then longitude, so a search
--    reads, for each band its box crosses, the places within its longitudes only. Equality and ranges on plain
--    columns stay leakproof, so the index is used under row-level security (see 006), on both engines (PGlite has no
--    PostGIS). The band's formula is also in src/directory/public/repository.ts (LATITUDE_BANDS_PER_DEGREE).
alter table published_service_places add column latitude_band integer generated always as (floor(latitude * 20)::integer) stored;
drop index published_service_places_point;
create index published_service_places_band on published_service_places (lio_id, latitude_band, longitude)
  include (latitude, service_id, name, status, consent_to_publish, organisation_status, organisation_consent_to_publish, organisation_merged_into_id,
    term_ids, delivery_modes, is_free, minimum_age, maximum_age);

-- 2. Searches not near a place (words, a category, the other filters) read published_services: one row for each
--    service, with a place or not, holding what they filter and sort on, as published_service_places holds it for
--    each place (the same columns, the same copied flags, so the same rule applies: placePublished). They read the
--    source tables only for the page's services, and for areas and opening times, which neither read model holds.
--    Before, a common word read ten thousand services and joined each to its organisation, then read each again
--    for its name; a category walked the services by name and looked up each one's terms.
create table published_services (
  lio_id uuid not null references lios (id) on delete cascade,
  service_id uuid primary key,
  name text not null,
  status text not null,
  consent_to_publish boolean not null,
  organisation_status text not null,
  organisation_consent_to_publish boolean not null,
  organisation_merged_into_id uuid,
  search_text tsvector not null,
  term_ids uuid[] not null,
  delivery_modes text[] not null,
  is_free boolean not null,
  minimum_age integer,
  maximum_age integer
);
-- By name, with every column a search filters on but the words, so that a page (and a capped count) is read in
-- order from the index alone.
create index published_services_name on published_services (lio_id, name, service_id)
  include (status, consent_to_publish, organisation_status, organisation_consent_to_publish, organisation_merged_into_id,
    term_ids, delivery_modes, is_free, minimum_age, maximum_age);
create index published_services_words on published_services using gin (search_text);
create index published_services_name_trgm on published_services using gin (lower(name) gin_trgm_ops);

alter table published_services enable row level security;
create policy tenant_isolation on published_services using (lio_id = cg_current_lio());
-- Read only: kept by the same triggers as published_service_places (019), which run as the owner.
grant select on published_services to {{app_role}};

-- A service's row made again from the source tables, as 019 makes its places (cg_remake_service_places).
create function cg_remake_published_services(ids uuid[]) returns void
  language sql security definer set search_path = {{schema}}, public
as $$
  delete from published_services where service_id = any(ids);
  insert into published_services (lio_id, service_id, name, status, consent_to_publish, organisation_status, organisation_consent_to_publish,
      organisation_merged_into_id, search_text, term_ids, delivery_modes, is_free, minimum_age, maximum_age)
    select s.lio_id, s.id, s.name, s.status, s.consent_to_publish, o.status, o.consent_to_publish, o.merged_into_id, s.search_text,
      array(select a.taxonomy_term_id from attributes a where a.link_id = s.id and a.link_type = 'service' order by 1),
      s.delivery_modes, s.is_free, s.minimum_age, s.maximum_age
    from services s join organisations o on o.id = s.organisation_id
    where s.id = any(ids);
$$;
revoke execute on function cg_remake_published_services(uuid[]) from public;

-- 021's refresh (the services locked in order of id, then remade), remaking both read models: the triggers of 019
-- call it with the services a change touches.
create or replace function cg_refresh_service_places(ids uuid[]) returns void
  language sql security definer set search_path = {{schema}}, public
as $$
  select 1 from services where id = any(ids) order by id for no key update;
  select cg_remake_service_places(ids);
  select cg_remake_published_services(ids);
$$;

-- A TRUNCATE of services remakes the services that have places (019's trigger); the rows of those without any go here.
create function cg_published_services_after_truncate() returns trigger
  language plpgsql security definer set search_path = {{schema}}, public
as $$
begin
  delete from published_services p where not exists (select 1 from services s where s.id = p.service_id);
  return null;
end
$$;
create trigger published_services_truncate after truncate on services for each statement execute function cg_published_services_after_truncate();
alter table services enable always trigger published_services_truncate;

-- The directory as it is now.
select cg_remake_published_services(array(select id from services));

-- 3. Words. 006's function read the services and joined each match to its organisation, and its callers read each
--    match's service again for its name to sort them. It now reads published_services alone (the same matches, rank
--    and rule: published, active or temporarily closed) and gives the name too, so a page of words alone is sorted
--    from its answer and only the page's services are read again.
drop function cg_services_matching_text(text);
create function cg_services_matching_text(terms text) returns table (service_id uuid, rank real, name text)
  language sql stable security definer set search_path = {{schema}}, public
as $$
  select p.service_id,
    ts_rank(p.search_text, websearch_to_tsquery('english', terms))
      + case when lower(p.name) like '%' || replace(replace(replace(lower(terms), '\', '\\'), '%', '\%'), '_', '\_') || '%' then 1 else 0 end,
    p.name
  from published_services p
  where p.lio_id = cg_current_lio()
    and p.status in ('active', 'temporarily closed') and p.consent_to_publish
    and p.organisation_consent_to_publish and p.organisation_status = 'active' and p.organisation_merged_into_id is null
    and (p.search_text @@ websearch_to_tsquery('english', terms)
      or lower(p.name) like '%' || replace(replace(replace(lower(terms), '\', '\\'), '%', '\%'), '_', '\_') || '%')
$$;
revoke execute on function cg_services_matching_text(text) from public;
grant execute on function cg_services_matching_text(text) to {{app_role}};

-- Planned with the read model's real sizes from the first search on (the table is new; autovacuum comes later).
analyze published_services;
analyze published_service_places;
