-- The counts behind the rate limits on sign-in and public forms, kept in the database so that every process of a
-- deployment counts the same client together (in memory, each of N processes let a client through N times over).
-- The key is a keyed hash of the client's address (its /64 for IPv6) and the route, never the address itself; a row
-- lives for one window and is swept a day later.
create table rate_limit_hits (
  key_hash text primary key check (length(key_hash) = 64),
  window_started_at timestamptz not null,
  hits integer not null check (hits >= 0)
);
create index rate_limit_hits_window on rate_limit_hits (window_started_at);
grant select, insert, update, delete on rate_limit_hits to {{app_role}};
