-- Directory: the register of local groups and the services they run, shaped on Open Referral UK
-- (HSDS 3.0 UK profile) so that the ORUK API is a presentation of these tables, not a copy.

alter table lios add column verification_months integer not null default 12 check (verification_months between 1 and 60);

alter table organisations
  add column other_names text[] not null default '{}',
  add column organisation_type text check (organisation_type in ('registered_charity', 'cio', 'cic', 'company_limited_by_guarantee',
    'unincorporated', 'mutual_aid', 'faith_group', 'social_enterprise', 'parish_council', 'statutory_body')),
  add column charity_number text check (charity_number ~ '^[0-9]{6,8}(-[0-9]{1,3})?$' or charity_number ~ '^SC[0-9]{6}$'),
  add column company_number text check (company_number ~ '^([0-9]{8}|[A-Z]{2}[0-9]{6})$'),
  add column description text not null default '' check (length(description) <= 10000),
  add column website text check (length(website) <= 500),
  add column email text check (length(email) <= 254),
  add column phone text check (length(phone) <= 40),
  add column address text check (length(address) <= 500),
  add column postcode text check (length(postcode) <= 10),
  add column latitude double precision check (latitude between -90 and 90),
  add column longitude double precision check (longitude between -180 and 180),
  add column areas_served text[] not null default '{}',
  add column themes text[] not null default '{}',
  add column groups_served text[] not null default '{}',
  add column income_band text check (income_band in ('under_10k', '10k_100k', '100k_1m', '1m_plus', 'unknown')),
  add column staff_count integer check (staff_count between 0 and 1000000),
  add column volunteer_count integer check (volunteer_count between 0 and 1000000),
  add column membership text not null default 'none' check (membership in ('member', 'associate', 'lapsed', 'none')),
  add column status text not null default 'active' check (status in ('active', 'dormant', 'closed')),
  add column consent_to_publish boolean not null default false,
  add column last_verified_at timestamptz,
  add column relationship text not null default 'none' check (relationship in ('none', 'supported', 'partner', 'commissioned', 'member', 'funder')),
  add column merged_into_id uuid references organisations (id),
  add column external_id text;
create index organisations_charity_number on organisations (lio_id, charity_number) where charity_number is not null;
create index organisations_name_trgm on organisations using gin (lower(name) gin_trgm_ops);
create unique index organisations_external_id on organisations (lio_id, external_id) where external_id is not null;

-- The history of an organisation, read as its timeline.
create table organisation_events (
  id uuid primary key default gen_random_uuid(),
  lio_id uuid not null references lios (id) on delete cascade,
  organisation_id uuid not null references organisations (id) on delete cascade,
  occurred_at timestamptz not null default now(),
  actor_label text not null,
  kind text not null,
  summary text not null,
  detail jsonb not null default '{}'
);
create index organisation_events_org on organisation_events (organisation_id, occurred_at desc);

-- A group member's edit waits here for staff approval before it goes public.
create table listing_changes (
  id uuid primary key default gen_random_uuid(),
  lio_id uuid not null references lios (id) on delete cascade,
  organisation_id uuid not null references organisations (id) on delete cascade,
  service_id uuid,
  submitted_by uuid references users (id) on delete set null,
  submitted_at timestamptz not null default now(),
  status text not null default 'pending' check (status in ('pending', 'approved', 'rejected')),
  changes jsonb not null,
  reviewed_by uuid references users (id) on delete set null,
  reviewed_at timestamptz,
  review_note text
);
create index listing_changes_pending on listing_changes (lio_id, submitted_at) where status = 'pending';

create table taxonomies (
  id uuid primary key default gen_random_uuid(),
  lio_id uuid not null references lios (id) on delete cascade,
  name text not null check (length(name) between 1 and 200),
  description text not null default '',
  uri text,
  version text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (lio_id, name)
);

create table taxonomy_terms (
  id uuid primary key default gen_random_uuid(),
  lio_id uuid not null references lios (id) on delete cascade,
  taxonomy_id uuid not null references taxonomies (id) on delete cascade,
  code text not null check (length(code) between 1 and 100),
  name text not null check (length(name) between 1 and 200),
  description text not null default '',
  parent_id uuid references taxonomy_terms (id) on delete set null,
  term_uri text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (taxonomy_id, code)
);
create index taxonomy_terms_parent on taxonomy_terms (parent_id);

create table locations (
  id uuid primary key default gen_random_uuid(),
  lio_id uuid not null references lios (id) on delete cascade,
  organisation_id uuid references organisations (id) on delete cascade,
  location_type text not null default 'physical' check (location_type in ('physical', 'postal', 'virtual')),
  name text,
  description text,
  latitude double precision check (latitude between -90 and 90),
  longitude double precision check (longitude between -180 and 180),
  external_identifier text,
  external_identifier_type text,
  address_1 text,
  address_2 text,
  city text,
  region text,
  state_province text,
  postal_code text,
  country text not null default 'GB',
  accessibility text,
  accessibility_details text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index locations_lio on locations (lio_id);
create index locations_earth on locations using gist (ll_to_earth(latitude, longitude)) where latitude is not null and longitude is not null;

create table services (
  id uuid primary key default gen_random_uuid(),
  lio_id uuid not null references lios (id) on delete cascade,
  organisation_id uuid not null references organisations (id) on delete cascade,
  name text not null check (length(name) between 1 and 300),
  description text not null default '' check (length(description) <= 10000),
  url text,
  email text,
  status text not null default 'active' check (status in ('active', 'inactive', 'defunct', 'temporarily closed')),
  fees_description text,
  accreditations text,
  minimum_age integer check (minimum_age between 0 and 130),
  maximum_age integer check (maximum_age between 0 and 130),
  assured_date date,
  assurer_email text,
  alert text,
  delivery_modes text[] not null default '{}' check (delivery_modes <@ array['in_person', 'phone', 'online', 'home_visit']::text[]),
  is_free boolean not null default false,
  consent_to_publish boolean not null default true,
  external_id text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  search_text tsvector generated always as (
    setweight(to_tsvector('english', coalesce(name, '')), 'A') || setweight(to_tsvector('english', coalesce(description, '')), 'B')
  ) stored
);
create index services_org on services (organisation_id);
create index services_lio_status on services (lio_id, status);
create index services_search on services using gin (search_text);
create index services_updated on services (lio_id, updated_at);
create unique index services_external_id on services (lio_id, external_id) where external_id is not null;

create table service_at_locations (
  id uuid primary key default gen_random_uuid(),
  lio_id uuid not null references lios (id) on delete cascade,
  service_id uuid not null references services (id) on delete cascade,
  location_id uuid not null references locations (id) on delete cascade,
  description text,
  unique (service_id, location_id)
);
create index service_at_locations_location on service_at_locations (location_id);

-- Delivery mode and status history: one row per dated change, read as Remaking / Rearranging / Reaffirming.
create table service_delivery_changes (
  id uuid primary key default gen_random_uuid(),
  lio_id uuid not null references lios (id) on delete cascade,
  service_id uuid not null references services (id) on delete cascade,
  changed_on date not null,
  delivery_modes text[] not null,
  status text not null,
  note text
);
create index service_delivery_changes_service on service_delivery_changes (service_id, changed_on);

create table contacts (
  id uuid primary key default gen_random_uuid(),
  lio_id uuid not null references lios (id) on delete cascade,
  organisation_id uuid references organisations (id) on delete cascade,
  service_id uuid references services (id) on delete cascade,
  name text,
  title text,
  department text,
  email text
);
create index contacts_service on contacts (service_id);

create table phones (
  id uuid primary key default gen_random_uuid(),
  lio_id uuid not null references lios (id) on delete cascade,
  organisation_id uuid references organisations (id) on delete cascade,
  service_id uuid references services (id) on delete cascade,
  location_id uuid references locations (id) on delete cascade,
  contact_id uuid references contacts (id) on delete cascade,
  number text not null check (length(number) between 1 and 40),
  extension text,
  type text,
  description text
);
create index phones_service on phones (service_id);

create table schedules (
  id uuid primary key default gen_random_uuid(),
  lio_id uuid not null references lios (id) on delete cascade,
  service_id uuid references services (id) on delete cascade,
  service_at_location_id uuid references service_at_locations (id) on delete cascade,
  valid_from date,
  valid_to date,
  dtstart date,
  freq text check (freq in ('WEEKLY', 'MONTHLY')),
  interval integer,
  byday text,
  bymonthday text,
  opens_at time,
  closes_at time,
  description text,
  notes text,
  attending_type text,
  schedule_link text
);
create index schedules_service on schedules (service_id);
create index schedules_sal on schedules (service_at_location_id);

create table cost_options (
  id uuid primary key default gen_random_uuid(),
  lio_id uuid not null references lios (id) on delete cascade,
  service_id uuid not null references services (id) on delete cascade,
  valid_from date,
  valid_to date,
  option text,
  amount numeric(12, 2),
  currency text not null default 'GBP',
  amount_description text
);
create index cost_options_service on cost_options (service_id);

create table service_areas (
  id uuid primary key default gen_random_uuid(),
  lio_id uuid not null references lios (id) on delete cascade,
  service_id uuid not null references services (id) on delete cascade,
  name text,
  description text,
  extent text,
  extent_type text,
  uri text
);
create index service_areas_service on service_areas (service_id);

create table languages (
  id uuid primary key default gen_random_uuid(),
  lio_id uuid not null references lios (id) on delete cascade,
  service_id uuid references services (id) on delete cascade,
  phone_id uuid references phones (id) on delete cascade,
  location_id uuid references locations (id) on delete cascade,
  name text,
  code text,
  note text
);
create index languages_service on languages (service_id);

-- Taxonomy terms linked to services, organisations or locations (HSDS "attribute").
create table attributes (
  id uuid primary key default gen_random_uuid(),
  lio_id uuid not null references lios (id) on delete cascade,
  link_id uuid not null,
  link_type text not null check (link_type in ('service', 'organization', 'location')),
  link_entity text,
  taxonomy_term_id uuid not null references taxonomy_terms (id) on delete cascade,
  value text,
  unique (link_id, taxonomy_term_id)
);
create index attributes_term on attributes (taxonomy_term_id, link_id);

-- A collection of services to print, e-mail or share by link.
create table signposting_lists (
  id uuid primary key default gen_random_uuid(),
  lio_id uuid not null references lios (id) on delete cascade,
  share_code text not null unique,
  title text not null default 'Your list of local services' check (length(title) <= 200),
  created_by uuid references users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create table signposting_list_items (
  list_id uuid not null references signposting_lists (id) on delete cascade,
  lio_id uuid not null references lios (id) on delete cascade,
  service_id uuid not null references services (id) on delete cascade,
  position integer not null,
  note text check (length(note) <= 1000),
  primary key (list_id, service_id)
);

-- Listings whose contacts were asked to confirm their details are still right.
create table verification_requests (
  id uuid primary key default gen_random_uuid(),
  lio_id uuid not null references lios (id) on delete cascade,
  organisation_id uuid not null references organisations (id) on delete cascade,
  token_hash text not null unique,
  sent_at timestamptz not null default now(),
  confirmed_at timestamptz
);
create index verification_requests_org on verification_requests (organisation_id, sent_at desc);

-- Reference data shared by every LIO: the ONS Postcode Directory (or Code-Point Open).
create table postcodes (
  postcode text primary key,
  latitude double precision,
  longitude double precision,
  ward_code text,
  local_authority_code text,
  lsoa_code text,
  imd_rank integer,
  terminated_on date
);

do $$
declare t text;
begin
  foreach t in array array['organisation_events', 'listing_changes', 'taxonomies', 'taxonomy_terms', 'locations', 'services',
    'service_at_locations', 'service_delivery_changes', 'contacts', 'phones', 'schedules', 'cost_options', 'service_areas',
    'languages', 'attributes', 'signposting_lists', 'signposting_list_items', 'verification_requests']
  loop
    execute format('alter table %I enable row level security', t);
    execute format('create policy tenant_isolation on %I using (lio_id = cg_current_lio()) with check (lio_id = cg_current_lio())', t);
    execute format('grant select, insert, update, delete on %I to {{app_role}}', t);
  end loop;
end $$;
grant select on postcodes to {{app_role}};
