-- The figures of support for groups over a period (src/support/figures/): each figure reads its rows by its own date,
-- so each date has an index that starts with the LIO and carries what the figure sums or counts, and the figures of a
-- quarter read only that quarter's rows (covering indexes: index-only scans, no visit to the table).

-- Cases open at some time in a period: opened before its end, not closed before its start (open cases: never closed).
-- closed_on is carried too, or PostgreSQL will not answer from an index on an expression of it alone.
create index support_cases_open_span on support_cases (lio_id, (coalesce(closed_on, 'infinity'::date)), opened_on) include (organisation_id, closed_on);
-- The organisation of each case worked on in a period, without a visit to the table. The LIO leads, so the tenant's
-- row-level security condition is the index's, evaluated once, not once for every case of a scan.
create index support_cases_organisation_of on support_cases (lio_id, id) include (organisation_id);
-- Cases closed in a period, by topic.
create index support_cases_closed on support_cases (lio_id, closed_on) include (topic) where closed_on is not null;
-- Hours of support by the day the work was done, and the cases worked on; replaces 026's index of the same key.
create index support_case_notes_work_done on support_case_notes (lio_id, worked_on) include (case_id, minutes_spent);
drop index support_case_notes_worked;
-- Applications submitted, and decided (awarded or declined), in a period.
create index funding_applications_submitted on funding_applications (lio_id, submitted_on) where submitted_on is not null;
create index funding_applications_decision on funding_applications (lio_id, decision_on) include (status, amount_awarded) where decision_on is not null;
-- Sessions that started in a period (cancelled ones too: no one attends those, the bookings say so).
create index course_sessions_starts on course_sessions (lio_id, starts_at);
-- The attendance register's "came" answers, by session.
create index course_bookings_attended on course_bookings (lio_id, session_id) include (person_id, organisation_id) where attended;
-- Copies of bulletins sent in a period, and whether each was opened.
create index bulletin_recipients_sent on bulletin_recipients (lio_id, sent_at) include (opened_at, bulletin_id) where status = 'sent';
