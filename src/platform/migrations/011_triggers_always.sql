-- The directory's own triggers fire whatever the session's replication role.
--
-- A bulk import (directory/oruk/import/writer.ts) writes with session_replication_role = replica, which skips
-- the row-by-row foreign-key checks, and then checks every reference of what it wrote set-based before it
-- commits. That role also skips ordinary triggers; these two must still fire, or an import would leave the
-- published directory's version where it was (pages and API answers served stale) and a service's delivery
-- history without the changes it made.
do $$
declare
  t regclass;
begin
  for t in select g.tgrelid::regclass from pg_trigger g join pg_class c on c.oid = g.tgrelid
    where g.tgname = 'note_directory_change' and c.relnamespace = current_schema()::regnamespace
  loop
    execute format('alter table %s enable always trigger note_directory_change', t);
  end loop;
end
$$;
alter table services enable always trigger services_delivery_history;
