-- Imports started on the admin page run as jobs. Their record is made when they are queued, shows their progress
-- while they run (on PostgreSQL, from any process; `heartbeat_at` says the process running it is alive), and takes
-- the report when they end. One import at a time per LIO: a second, while one waits or runs, is refused.
alter table directory_imports drop constraint directory_imports_status_check;
alter table directory_imports add constraint directory_imports_status_check check (status in ('queued', 'running', 'completed', 'rejected'));
alter table directory_imports alter column finished_at drop not null;
alter table directory_imports add column progress jsonb not null default '{}';
alter table directory_imports add column heartbeat_at timestamptz;
create unique index directory_imports_one_at_a_time on directory_imports (lio_id) where status in ('queued', 'running');
