-- Open Referral UK exchange: the parts of an HSDS 3.0 (UK profile) record that the register did not hold yet,
-- so that a feed imports and exports back to the same content, the feed identities that make a re-import
-- update rather than duplicate, and the history of imports.

-- Organisation fields HSDS carries. parent_organization_id is the feed's reference as given: the parent may
-- be an organisation this LIO does not hold, so it is not a foreign key.
alter table organisations
  add column logo text check (length(logo) <= 1000),
  add column uri text check (length(uri) <= 1000),
  add column parent_organization_id uuid;

-- A location holds one address and one accessibility note inline (address_1 … country, accessibility,
-- accessibility_details); these keep the identity and the extra fields a feed gave them. When null, the
-- read model derives the ids from the location's and takes the address type from the location type.
alter table locations
  add column external_id text,
  add column address_id uuid,
  add column address_attention text check (length(address_attention) <= 300),
  add column address_type text check (address_type in ('physical', 'postal', 'virtual')),
  add column accessibility_id uuid,
  add column accessibility_url text check (length(accessibility_url) <= 1000);
create unique index locations_external_id on locations (lio_id, external_id) where external_id is not null;

alter table taxonomies add column external_id text;
create unique index taxonomies_external_id on taxonomies (lio_id, external_id) where external_id is not null;

-- parent_external_id keeps a feed's parent reference that names no term held here (the parent_id foreign key
-- cannot), so that the term is served as it was received.
alter table taxonomy_terms
  add column external_id text,
  add column parent_external_id text;
create unique index taxonomy_terms_external_id on taxonomy_terms (lio_id, external_id) where external_id is not null;

-- HSDS service_area.service_area (the UK profile's free-text area), beside name and description.
alter table service_areas add column service_area text;

-- Identifiers of an organisation in other registers (GB-CHC charity number, GB-COH company number, …).
create table organization_identifiers (
  id uuid primary key default gen_random_uuid(),
  lio_id uuid not null references lios (id) on delete cascade,
  organisation_id uuid not null references organisations (id) on delete cascade,
  identifier_scheme text check (length(identifier_scheme) <= 100),
  identifier_type text not null check (length(identifier_type) <= 200),
  identifier text not null check (length(identifier) <= 200)
);
create index organization_identifiers_org on organization_identifiers (organisation_id);

-- Where a service's (or organisation's) money comes from, as HSDS "funding".
create table funding (
  id uuid primary key default gen_random_uuid(),
  lio_id uuid not null references lios (id) on delete cascade,
  organisation_id uuid references organisations (id) on delete cascade,
  service_id uuid references services (id) on delete cascade,
  source text check (length(source) <= 10000)
);
create index funding_service on funding (service_id);
create index funding_organisation on funding (organisation_id);

-- One row per import (ORUK feed, HSDS CSV package, or the register's own CSV), with its report.
create table directory_imports (
  id uuid primary key default gen_random_uuid(),
  lio_id uuid not null references lios (id) on delete cascade,
  kind text not null check (kind in ('oruk', 'hsds_csv', 'organisations_csv', 'services_csv')),
  source text not null check (length(source) <= 2000),
  status text not null check (status in ('completed', 'rejected')),
  started_at timestamptz not null,
  finished_at timestamptz not null,
  actor_label text not null,
  counts jsonb not null default '{}',
  issues jsonb not null default '[]'
);
create index directory_imports_lio on directory_imports (lio_id, started_at desc);

do $$
declare t text;
begin
  foreach t in array array['organization_identifiers', 'funding', 'directory_imports']
  loop
    execute format('alter table %I enable row level security', t);
    execute format('create policy tenant_isolation on %I using (lio_id = cg_current_lio()) with check (lio_id = cg_current_lio())', t);
    execute format('grant select, insert, update, delete on %I to {{app_role}}', t);
  end loop;
end $$;
