-- Sign-in throttling in place of the account lock-out (which let anyone lock anyone out with five wrong passwords).
-- One row per thing whose failures are counted: an address, an account from an address, an account from anywhere.
-- Kept in the database so every process sees the same counts. The key is a keyed hash, never the address or the
-- e-mail address itself; account_hash lets a password reset clear the rows of its account.
create table sign_in_throttles (
  lio_id uuid not null references lios (id) on delete cascade,
  key_hash text not null,
  account_hash text,
  failures integer not null check (failures >= 0),
  window_started_at timestamptz not null,
  blocked_until timestamptz,
  primary key (lio_id, key_hash)
);
create index sign_in_throttles_account on sign_in_throttles (lio_id, account_hash);

alter table sign_in_throttles enable row level security;
create policy tenant_isolation on sign_in_throttles using (lio_id = cg_current_lio()) with check (lio_id = cg_current_lio());
grant select, insert, update, delete on sign_in_throttles to {{app_role}};

alter table users drop column failed_sign_ins, drop column locked_until;
