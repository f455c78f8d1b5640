-- A change counter for each LIO's published directory, so that what the public sees (search pages,
-- the Open Referral UK API) can be kept and served again until the directory changes.
--
-- Every statement that writes a directory table notes the change once per transaction, as a new row
-- rather than an update of one counter row: an update would hold a row lock from the first write to
-- the commit, queueing every other writer of that LIO behind a long import (and risking deadlocks).
-- A reader's version is the sum of the LIO's weights, which any commit that wrote the directory
-- raises and nothing lowers; now and then the rows of each LIO are folded into one of the same sum.
-- The embedded engine (one process, notifications delivered in it before a commit returns) counts
-- the notifications sent at each such commit instead of reading the sum.

create table directory_changes (
  id bigint generated always as identity primary key,
  -- No foreign key: a restore truncates lios and everything referring to it, and this count must only
  -- ever rise (a running app may have kept pages under any version seen before).
  lio_id uuid not null,
  weight bigint not null default 1
);
create index directory_changes_lio on directory_changes (lio_id) include (weight);
-- Platform bookkeeping, read by the owner only: the app role gets no grant.
alter table directory_changes enable row level security;

create function cg_fold_directory_changes() returns void
  language sql security definer set search_path = {{schema}}, public
as $$
  with gone as (delete from directory_changes returning lio_id, weight)
  insert into directory_changes (lio_id, weight) select lio_id, sum(weight) from gone group by lio_id
$$;
revoke execute on function cg_fold_directory_changes() from public;

create function cg_note_directory_change() returns trigger
  language plpgsql security definer set search_path = {{schema}}, public
as $$
declare
  lio uuid := cg_current_lio();
  noted bigint;
begin
  -- Requests write as one LIO; platform work (migrations, the seed, imports by the owner) writes
  -- without one, and then every LIO's directory may have changed.
  if current_setting('cg.directory_changed', true) = coalesce(lio::text, 'all') then
    return null;
  end if;
  if lio is null then
    insert into directory_changes (lio_id) select id from lios;
  else
    insert into directory_changes (lio_id) values (lio);
  end if;
  perform set_config('cg.directory_changed', coalesce(lio::text, 'all'), true);
  -- Delivered at commit, and not at all on rollback: the embedded engine keeps its versions from these.
  perform pg_notify('cg_directory_changed', coalesce(lio::text, 'all'));
  select max(id) into noted from directory_changes;
  if noted % 200 = 0 then
    perform cg_fold_directory_changes();
  end if;
  return null;
end
$$;
revoke execute on function cg_note_directory_change() from public;

do $$
declare
  t text;
begin
  foreach t in array array['lios', 'organisations', 'taxonomies', 'taxonomy_terms', 'locations', 'services', 'service_at_locations',
    'contacts', 'phones', 'schedules', 'cost_options', 'service_areas', 'languages', 'attributes', 'organization_identifiers', 'funding', 'postcodes']
  loop
    execute format('create trigger note_directory_change after insert or update or delete or truncate on %I '
      || 'for each statement execute function cg_note_directory_change()', t);
  end loop;
end
$$;
