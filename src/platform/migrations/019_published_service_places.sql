-- Published service places: one row for each place (a location with a point) of each service, holding what a
-- search near a postcode filters on, so that such a search reads one table instead of joining services, their
-- places, locations, attributes and organisations for every service in the circle.
--
-- The rows copy the service's and its organisation's publication flags rather than holding published services
-- only: the rule itself stays in one place (src/directory/public/published.ts, placePublished), applied to these
-- columns as to the source tables'.
--
-- Triggers on the source tables keep it in step within the writing statement's own transaction (so no reader ever
-- sees the two disagree): services, organisations, locations, service_at_locations and attributes. They are
-- statement triggers over the changed rows (transition tables), so an import or a merge of many rows refreshes its
-- services in one set-based pass, and they fire whatever the session's replication role (see 011): a bulk import
-- writes as a replica.
--
-- Under row-level security PostgreSQL uses an index only for leakproof operators (see 006), so the place is searched
-- by a latitude/longitude box on a btree, and the exact distance is worked out for the rows inside it. PGlite has
-- neither PostGIS nor anything else this would need.

create table published_service_places (
  lio_id uuid not null references lios (id) on delete cascade,
  service_id uuid not null,
  location_id uuid not null,
  latitude float8 not null,
  longitude float8 not null,
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
  maximum_age integer,
  primary key (service_id, location_id)
);
-- The index holds every column a search near a place reads but the words (a text vector can outgrow an index
-- entry), so that such a search reads the places in its box from the index alone, in order of place, without
-- visiting rows scattered over the table.
create index published_service_places_point on published_service_places (lio_id, latitude, longitude)
  include (service_id, name, status, consent_to_publish, organisation_status, organisation_consent_to_publish, organisation_merged_into_id,
    term_ids, delivery_modes, is_free, minimum_age, maximum_age);
create index published_service_places_location on published_service_places (location_id);

alter table published_service_places enable row level security;
create policy tenant_isolation on published_service_places using (lio_id = cg_current_lio());
-- Read only: the app's writes reach it through the triggers below, which run as the owner.
grant select on published_service_places to {{app_role}};

-- The rows of these services made again from the source tables.
create function cg_refresh_service_places(ids uuid[]) returns void
  language sql security definer set search_path = {{schema}}, public
as $$
  delete from published_service_places where service_id = any(ids);
  insert into published_service_places (lio_id, service_id, location_id, latitude, longitude, name, status, consent_to_publish,
      organisation_status, organisation_consent_to_publish, organisation_merged_into_id, search_text, term_ids, delivery_modes, is_free,
      minimum_age, maximum_age)
    select s.lio_id, s.id, l.id, l.latitude, l.longitude, s.name, s.status, s.consent_to_publish,
      o.status, o.consent_to_publish, o.merged_into_id, s.search_text,
      array(select a.taxonomy_term_id from attributes a where a.link_id = s.id and a.link_type = 'service' order by 1),
      s.delivery_modes, s.is_free, s.minimum_age, s.maximum_age
    from services s join organisations o on o.id = s.organisation_id
      join service_at_locations sal on sal.service_id = s.id join locations l on l.id = sal.location_id
    where s.id = any(ids) and l.latitude is not null and l.longitude is not null
    -- a service linked twice to one location (possible only through a bulk import) has one place there
    on conflict (service_id, location_id) do nothing;
$$;
revoke execute on function cg_refresh_service_places(uuid[]) from public;

-- After a statement on a source table: the services its changed rows touch, before the change and after it, made
-- again. TRUNCATE has no changed rows to read, so it remakes every row.
create function cg_service_places_after_change() returns trigger
  language plpgsql security definer set search_path = {{schema}}, public
as $$
declare
  -- the services that rows `x` of the table touch (%1$s: the transition table)
  touched text := case tg_table_name
    when 'services' then 'select x.id from %1$s x'
    when 'organisations' then 'select s.id from services s where s.organisation_id in (select x.id from %1$s x)'
    when 'locations' then 'select sal.service_id from service_at_locations sal where sal.location_id in (select x.id from %1$s x)
      union select p.service_id from published_service_places p where p.location_id in (select x.id from %1$s x)'
    when 'service_at_locations' then 'select x.service_id from %1$s x'
    when 'attributes' then 'select x.link_id from %1$s x where x.link_type = ''service''' end;
  before_change uuid[] := '{}';
  after_change uuid[] := '{}';
begin
  if tg_op = 'TRUNCATE' then
    perform cg_refresh_service_places(array(select service_id from published_service_places union select id from services));
    return null;
  end if;
  if tg_op in ('UPDATE', 'DELETE') then
    execute format('select array(' || touched || ')', 'old_rows') into before_change;
  end if;
  if tg_op in ('UPDATE', 'INSERT') then
    execute format('select array(' || touched || ')', 'new_rows') into after_change;
  end if;
  perform cg_refresh_service_places(before_change || after_change);
  return null;
end
$$;

-- PostgreSQL takes transition tables on triggers of one event each, hence a trigger per event; each fires whatever
-- the session's replication role. A new organisation has no services yet and a deleted one takes its services with
-- it (their own trigger fires); a new location is at no service yet.
do $$
declare
  t text;
  e text;
begin
  foreach t in array array['services', 'organisations', 'locations', 'service_at_locations', 'attributes'] loop
    foreach e in array array['insert', 'update', 'delete', 'truncate'] loop
      continue when (t = 'organisations' and e in ('insert', 'delete')) or (t = 'locations' and e = 'insert');
      execute format('create trigger %I after %s on %I %s for each statement execute function %I()', 'service_places_' || e, e, t,
        case e when 'insert' then 'referencing new table as new_rows' when 'update' then 'referencing old table as old_rows new table as new_rows'
          when 'delete' then 'referencing old table as old_rows' else '' end,
        'cg_service_places_after_change');
      execute format('alter table %I enable always trigger %I', t, 'service_places_' || e);
    end loop;
  end loop;
end
$$;

-- The directory as it is now.
select cg_refresh_service_places(array(select id from services));
