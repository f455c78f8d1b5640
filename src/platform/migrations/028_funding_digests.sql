-- Funding digests and grants imports that can be seen to stop.
--
-- A group member is e-mailed the opportunities that fit their organisation: each one once as new, and once more as
-- closing soon. What was sent is kept, so a digest never repeats; a member who stops the digests is kept too.
create table funding_digest_items (
  id uuid primary key default gen_random_uuid(),
  lio_id uuid not null references lios (id) on delete cascade,
  user_id uuid not null,
  opportunity_id uuid not null,
  reason text not null check (reason in ('new', 'closing')),
  sent_at timestamptz not null,
  constraint funding_digest_items_once unique (lio_id, user_id, opportunity_id, reason),
  constraint funding_digest_items_user_id_fkey foreign key (lio_id, user_id) references users (lio_id, id) on delete cascade,
  constraint funding_digest_items_opportunity_id_fkey foreign key (lio_id, opportunity_id) references funding_opportunities (lio_id, id) on delete cascade
);
create index funding_digest_items_user on funding_digest_items (user_id);
create index funding_digest_items_opportunity on funding_digest_items (opportunity_id);

create table funding_digest_stops (
  lio_id uuid not null references lios (id) on delete cascade,
  user_id uuid not null,
  stopped_at timestamptz not null,
  primary key (lio_id, user_id),
  constraint funding_digest_stops_user_id_fkey foreign key (lio_id, user_id) references users (lio_id, id) on delete cascade
);
create index funding_digest_stops_user on funding_digest_stops (user_id);

-- A running import says it is alive; one silent for a minute belongs to a process that stopped (nothing of it was
-- committed), and is ended so that the LIO can import again.
alter table grant_imports add column heartbeat_at timestamptz;

-- The register's organisations found by the numbers grants carry.
create index if not exists organisations_company_number on organisations (lio_id, company_number) where company_number is not null;

do $$
declare t text;
begin
  foreach t in array array['funding_digest_items', 'funding_digest_stops'] loop
    execute format('alter table %I enable row level security', t);
    execute format('create policy tenant_isolation on %I using (lio_id = cg_current_lio()) with check (lio_id = cg_current_lio())', t);
  end loop;
end $$;
grant select, insert, update, delete on funding_digest_items, funding_digest_stops to {{app_role}};
