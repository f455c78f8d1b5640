-- Foundation: LIOs (tenants), accounts, sessions, tokens, audit, jobs, e-mail.
-- Every tenant-owned table carries lio_id and a row-level security policy that limits the
-- application role to the LIO named in the transaction setting app.lio_id.

create function cg_current_lio() returns uuid language sql stable as $$
  select nullif(current_setting('app.lio_id', true), '')::uuid
$$;

create table lios (
  id uuid primary key default gen_random_uuid(),
  slug text not null unique check (slug ~ '^[a-z0-9-]{2,60}$'),
  name text not null check (length(name) between 1 and 200),
  hostnames text[] not null default '{}',
  is_default boolean not null default false,
  created_at timestamptz not null default now()
);
create unique index lios_one_default on lios (is_default) where is_default;
create index lios_hostnames on lios using gin (hostnames);

create table organisations (
  id uuid primary key default gen_random_uuid(),
  lio_id uuid not null references lios (id) on delete cascade,
  name text not null check (length(name) between 1 and 300),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index organisations_lio on organisations (lio_id, name);

create table users (
  id uuid primary key default gen_random_uuid(),
  lio_id uuid not null references lios (id) on delete cascade,
  email text not null check (length(email) between 3 and 254),
  display_name text not null check (length(display_name) between 1 and 120),
  password_hash text,
  role text not null check (role in ('admin', 'staff', 'group_member', 'volunteer', 'partner', 'network')),
  permission_sets text[] not null default '{}'
    check (permission_sets <@ array['adviser', 'volunteer_coordinator', 'helpline']::text[]),
  organisation_id uuid references organisations (id) on delete set null,
  status text not null default 'active' check (status in ('invited', 'active', 'disabled')),
  failed_sign_ins integer not null default 0,
  locked_until timestamptz,
  last_sign_in_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint group_member_has_organisation check (role <> 'group_member' or organisation_id is not null)
);
create unique index users_email_per_lio on users (lio_id, lower(email));

create table sessions (
  id_hash text primary key,
  lio_id uuid not null references lios (id) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  created_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  expires_at timestamptz not null
);
create index sessions_user on sessions (user_id);

create table user_tokens (
  id uuid primary key default gen_random_uuid(),
  lio_id uuid not null references lios (id) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  purpose text not null check (purpose in ('password_reset', 'invite')),
  token_hash text not null unique,
  expires_at timestamptz not null,
  used_at timestamptz,
  created_at timestamptz not null default now()
);

create table api_tokens (
  id uuid primary key default gen_random_uuid(),
  lio_id uuid not null references lios (id) on delete cascade,
  name text not null check (length(name) between 1 and 100),
  token_hash text not null unique,
  token_hint text not null,
  scope text not null check (scope in ('read', 'write')),
  created_by uuid references users (id) on delete set null,
  created_at timestamptz not null default now(),
  last_used_at timestamptz,
  revoked_at timestamptz
);

create table audit_events (
  id bigint generated always as identity primary key,
  lio_id uuid not null references lios (id) on delete cascade,
  occurred_at timestamptz not null default now(),
  actor_user_id uuid,
  actor_label text not null,
  action text not null,
  subject_type text,
  subject_id text,
  detail jsonb not null default '{}'
);
create index audit_events_lio_time on audit_events (lio_id, occurred_at desc);

create table jobs (
  id bigint generated always as identity primary key,
  lio_id uuid references lios (id) on delete cascade,
  kind text not null,
  payload jsonb not null default '{}',
  status text not null default 'queued' check (status in ('queued', 'running', 'done', 'failed')),
  attempts integer not null default 0,
  max_attempts integer not null default 5,
  run_at timestamptz not null default now(),
  locked_at timestamptz,
  last_error text,
  created_at timestamptz not null default now(),
  finished_at timestamptz
);
create index jobs_ready on jobs (run_at) where status = 'queued';

create table email_messages (
  id uuid primary key default gen_random_uuid(),
  lio_id uuid not null references lios (id) on delete cascade,
  to_address text not null,
  subject text not null,
  body_text text not null,
  status text not null default 'queued' check (status in ('queued', 'sent', 'outbox', 'failed')),
  created_at timestamptz not null default now(),
  sent_at timestamptz
);
create index email_messages_lio_time on email_messages (lio_id, created_at desc);

-- Row-level security: the application role sees only its LIO.
alter table lios enable row level security;
create policy tenant_isolation on lios using (id = cg_current_lio());

alter table organisations enable row level security;
create policy tenant_isolation on organisations using (lio_id = cg_current_lio()) with check (lio_id = cg_current_lio());
alter table users enable row level security;
create policy tenant_isolation on users using (lio_id = cg_current_lio()) with check (lio_id = cg_current_lio());
alter table sessions enable row level security;
create policy tenant_isolation on sessions using (lio_id = cg_current_lio()) with check (lio_id = cg_current_lio());
alter table user_tokens enable row level security;
create policy tenant_isolation on user_tokens using (lio_id = cg_current_lio()) with check (lio_id = cg_current_lio());
alter table api_tokens enable row level security;
create policy tenant_isolation on api_tokens using (lio_id = cg_current_lio()) with check (lio_id = cg_current_lio());
alter table audit_events enable row level security;
create policy tenant_isolation on audit_events using (lio_id = cg_current_lio()) with check (lio_id = cg_current_lio());
alter table jobs enable row level security;
create policy tenant_isolation on jobs using (lio_id = cg_current_lio()) with check (lio_id = cg_current_lio());
alter table email_messages enable row level security;
create policy tenant_isolation on email_messages using (lio_id = cg_current_lio()) with check (lio_id = cg_current_lio());

grant select on lios to {{app_role}};
grant select, insert, update, delete on organisations, users, sessions, user_tokens, api_tokens, email_messages to {{app_role}};
-- The audit trail is append-only for the application.
grant select, insert on audit_events to {{app_role}};
grant select, insert on jobs to {{app_role}};
