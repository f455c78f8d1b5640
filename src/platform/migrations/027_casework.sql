-- Casework with groups: case references that never repeat, what the group sees of a case, how the group would like to
-- be contacted, and the indexes the staff's list of cases needs (filters by status, topic, adviser, organisation and due
-- date, and a search of the title or reference, over tens of thousands of cases).

-- The last case number given in each LIO: taking the next one locks this one row, so two cases opened at the same
-- moment never share a reference ('SC-0042').
create table support_case_counters (
  lio_id uuid primary key references lios (id) on delete cascade,
  last_number integer not null check (last_number >= 0)
);

-- A note is the advisers' own unless it is shared with the group; a message the group sends from its portal is shared
-- and marked as theirs, so the timeline says who wrote it even once the account is gone.
alter table support_case_notes add column shared_with_group boolean not null default false;
alter table support_case_notes add column from_group boolean not null default false;
alter table support_case_notes add constraint support_case_notes_group_sees check (not from_group or shared_with_group);
create index support_case_notes_shared on support_case_notes (case_id, created_at desc) where shared_with_group;

-- How the person who asked would like the adviser to get in touch.
alter table support_cases add column contact_preference text check (contact_preference in ('email', 'phone'));

-- The list, in its one order (next action due first, then the newest): an index for each way it is narrowed, each in
-- that order, so a page is read from the index and stops at its last row instead of sorting every match. Closed cases
-- have no next action, so they come last in the plain order and the default list (not closed) reads only open work.
create index support_cases_list_order on support_cases (lio_id, next_action_due, opened_on desc, id);
create index support_cases_status_order on support_cases (lio_id, status, next_action_due, opened_on desc, id);
create index support_cases_adviser_order on support_cases (adviser_user_id, next_action_due, opened_on desc, id) where adviser_user_id is not null;
create index support_cases_unassigned_order on support_cases (lio_id, next_action_due, opened_on desc, id) where adviser_user_id is null;
create index support_cases_topic_order on support_cases (lio_id, topic, next_action_due, opened_on desc, id);
-- The search of title and reference: a reference or a rare word is found through its trigrams.
create index support_cases_search on support_cases using gin ((reference || ' ' || title) gin_trgm_ops);

alter table support_case_counters enable row level security;
create policy tenant_isolation on support_case_counters using (lio_id = cg_current_lio()) with check (lio_id = cg_current_lio());
grant select, insert, update, delete on support_case_counters to {{app_role}};
