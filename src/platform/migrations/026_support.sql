-- Support for groups: casework with groups, funding (curated opportunities, applications supported, 360Giving grants,
-- the LIO's spend on support for the leverage figure), training and events, bulletins and membership.
--
-- A case is about an organisation of the directory's register; the person who asked, an attendee and a bulletin
-- reader are person records (people). Every key between tenant tables is (lio_id, id), as 016_tenant_links.sql
-- explains. Amounts of money are numeric pounds with pence (never floating point).

-- A trainer runs courses and their sessions; an adviser works cases with groups.
alter table users drop constraint users_permission_sets_check;
alter table users add constraint users_permission_sets_check
  check (permission_sets <@ array['adviser', 'volunteer_coordinator', 'helpline', 'trainer']::text[]);

-- Consent to receive the LIO's bulletins.
alter table consents drop constraint consents_purpose_check;
alter table consents add constraint consents_purpose_check check (purpose in (
  'newsletter', 'contact_about_services', 'share_with_partners', 'photographs', 'case_records',
  'contact_about_volunteering', 'volunteer_record', 'bulletins'));

------------------------------------------------------------------------------------------------------------------------
-- Casework with groups
------------------------------------------------------------------------------------------------------------------------

-- A support case: one organisation, one topic. The current state is on the row (lists and counts); notes keep the work.
create table support_cases (
  id uuid primary key default gen_random_uuid(),
  lio_id uuid not null references lios (id) on delete cascade,
  -- A short human reference shown to the group and staff: 'SC-0042', unique in the LIO.
  reference text not null check (length(reference) between 1 and 20),
  organisation_id uuid not null,
  topic text not null check (topic in ('setting_up', 'governance', 'charity_registration', 'funding', 'finance',
    'policies_safeguarding', 'volunteers', 'premises', 'digital', 'other')),
  title text not null check (length(title) between 1 and 200),
  -- What the group asked for, in their words.
  request text not null check (length(request) between 1 and 10000),
  asked_via text not null check (asked_via in ('enquiry_form', 'phone', 'email', 'referral', 'in_person')),
  -- Who asked: a person record (taken by phone, say) and, when they asked from the portal, their account.
  asked_by_person_id uuid,
  asked_by_user_id uuid,
  -- Who referred them, in words, when asked_via is 'referral' ('Council community team').
  referred_by text check (length(referred_by) <= 200),
  adviser_user_id uuid,
  status text not null default 'new' check (status in ('new', 'open', 'waiting_on_group', 'closed')),
  next_action text check (length(next_action) <= 500),
  next_action_due date,
  opened_on date not null,
  closed_on date,
  -- The closing outcome in words.
  closing_summary text check (length(closing_summary) <= 5000),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint support_cases_lio_id_id_key unique (lio_id, id),
  constraint support_cases_reference_key unique (lio_id, reference),
  constraint support_cases_closed_whole check ((status = 'closed') = (closed_on is not null)),
  constraint support_cases_organisation_id_fkey foreign key (lio_id, organisation_id) references organisations (lio_id, id) on delete cascade,
  constraint support_cases_asked_by_person_id_fkey foreign key (lio_id, asked_by_person_id) references people (lio_id, id) on delete set null (asked_by_person_id),
  constraint support_cases_asked_by_user_id_fkey foreign key (lio_id, asked_by_user_id) references users (lio_id, id) on delete set null (asked_by_user_id),
  constraint support_cases_adviser_user_id_fkey foreign key (lio_id, adviser_user_id) references users (lio_id, id) on delete set null (adviser_user_id)
);
create index support_cases_list on support_cases (lio_id, status, next_action_due);
create index support_cases_adviser on support_cases (adviser_user_id, status, next_action_due) where adviser_user_id is not null;
create index support_cases_organisation on support_cases (organisation_id, opened_on desc);
create index support_cases_topic on support_cases (lio_id, topic, opened_on);
create index support_cases_opened on support_cases (lio_id, opened_on);
create index support_cases_asked_by_person on support_cases (asked_by_person_id) where asked_by_person_id is not null;
create index support_cases_asked_by_user on support_cases (asked_by_user_id) where asked_by_user_id is not null;

-- The work on a case: a note with the time it took (the hours of support the LIO reports).
create table support_case_notes (
  id uuid primary key default gen_random_uuid(),
  lio_id uuid not null references lios (id) on delete cascade,
  case_id uuid not null,
  author_user_id uuid,
  body text not null check (length(body) between 1 and 10000),
  minutes_spent integer not null default 0 check (minutes_spent between 0 and 1440),
  -- The day the work was done (may be before the note was written).
  worked_on date not null,
  created_at timestamptz not null default now(),
  constraint support_case_notes_case_id_fkey foreign key (lio_id, case_id) references support_cases (lio_id, id) on delete cascade,
  constraint support_case_notes_author_user_id_fkey foreign key (lio_id, author_user_id) references users (lio_id, id) on delete set null (author_user_id)
);
create index support_case_notes_case on support_case_notes (case_id, created_at desc);
create index support_case_notes_worked on support_case_notes (lio_id, worked_on);
create index support_case_notes_author on support_case_notes (author_user_id) where author_user_id is not null;

-- A document on a case (a draft constitution, a bid). Checked by its content and size before it is kept; held in
-- PostgreSQL (content) or in a configured folder outside the web root (storage_key), never both.
create table support_case_documents (
  id uuid primary key default gen_random_uuid(),
  lio_id uuid not null references lios (id) on delete cascade,
  case_id uuid not null,
  file_name text not null check (length(file_name) between 1 and 255),
  -- The type read from the content, not the one the browser claimed.
  media_type text not null check (length(media_type) between 1 and 100),
  size_bytes integer not null check (size_bytes between 1 and 52428800),
  sha256 text not null check (sha256 ~ '^[0-9a-f]{64}$'),
  content bytea,
  storage_key text check (length(storage_key) <= 200),
  uploaded_by_user_id uuid,
  created_at timestamptz not null default now(),
  constraint support_case_documents_one_store check ((content is null) <> (storage_key is null)),
  constraint support_case_documents_case_id_fkey foreign key (lio_id, case_id) references support_cases (lio_id, id) on delete cascade,
  constraint support_case_documents_uploaded_by_user_id_fkey foreign key (lio_id, uploaded_by_user_id) references users (lio_id, id) on delete set null (uploaded_by_user_id)
);
create index support_case_documents_case on support_case_documents (case_id, created_at desc);
create index support_case_documents_uploaded_by on support_case_documents (uploaded_by_user_id) where uploaded_by_user_id is not null;

-- Outcomes that count, recorded on a case: a policy adopted, registered as a charity, governance improved …
-- (a funding application supported is its own record, below).
create table support_outcomes (
  id uuid primary key default gen_random_uuid(),
  lio_id uuid not null references lios (id) on delete cascade,
  case_id uuid not null,
  kind text not null check (kind in ('policy_adopted', 'registered_charity', 'incorporated', 'governance_improved',
    'finance_improved', 'volunteers_recruited', 'premises_secured', 'digital_improved', 'other')),
  detail text check (length(detail) <= 2000),
  achieved_on date not null,
  recorded_by_user_id uuid,
  created_at timestamptz not null default now(),
  constraint support_outcomes_case_id_fkey foreign key (lio_id, case_id) references support_cases (lio_id, id) on delete cascade,
  constraint support_outcomes_recorded_by_user_id_fkey foreign key (lio_id, recorded_by_user_id) references users (lio_id, id) on delete set null (recorded_by_user_id)
);
create index support_outcomes_case on support_outcomes (case_id);
create index support_outcomes_achieved on support_outcomes (lio_id, achieved_on);
create index support_outcomes_recorded_by on support_outcomes (recorded_by_user_id) where recorded_by_user_id is not null;

-- A funding application the LIO supported: the funder, the amount asked, the decision and the amount awarded.
-- Awarded amounts with their decision date are the funding secured for the sector (the leverage figure's top line).
create table funding_applications (
  id uuid primary key default gen_random_uuid(),
  lio_id uuid not null references lios (id) on delete cascade,
  organisation_id uuid not null,
  case_id uuid,
  funder_name text not null check (length(funder_name) between 1 and 200),
  programme text check (length(programme) <= 200),
  amount_requested numeric(14, 2) not null check (amount_requested > 0),
  status text not null default 'in_preparation' check (status in ('in_preparation', 'submitted', 'awarded', 'declined', 'withdrawn')),
  submitted_on date,
  decision_on date,
  amount_awarded numeric(14, 2) check (amount_awarded >= 0),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint funding_applications_lio_id_id_key unique (lio_id, id),
  constraint funding_applications_award_whole check ((status = 'awarded') = (amount_awarded is not null)),
  constraint funding_applications_decided check (status not in ('awarded', 'declined') or decision_on is not null),
  constraint funding_applications_organisation_id_fkey foreign key (lio_id, organisation_id) references organisations (lio_id, id) on delete cascade,
  constraint funding_applications_case_id_fkey foreign key (lio_id, case_id) references support_cases (lio_id, id) on delete set null (case_id)
);
create index funding_applications_decided on funding_applications (lio_id, decision_on) where status = 'awarded';
create index funding_applications_organisation on funding_applications (organisation_id);
create index funding_applications_case on funding_applications (case_id) where case_id is not null;

-- A group health check: a short diagnostic scored before support and again after it, to show the change.
-- answers: question code → score (0 to 4); score: their sum.
create table group_health_checks (
  id uuid primary key default gen_random_uuid(),
  lio_id uuid not null references lios (id) on delete cascade,
  organisation_id uuid not null,
  case_id uuid,
  stage text not null check (stage in ('before', 'after')),
  answers jsonb not null check (jsonb_typeof(answers) = 'object'),
  score integer not null check (score >= 0),
  assessed_on date not null,
  assessed_by_user_id uuid,
  created_at timestamptz not null default now(),
  constraint group_health_checks_organisation_id_fkey foreign key (lio_id, organisation_id) references organisations (lio_id, id) on delete cascade,
  constraint group_health_checks_case_id_fkey foreign key (lio_id, case_id) references support_cases (lio_id, id) on delete set null (case_id),
  constraint group_health_checks_assessed_by_user_id_fkey foreign key (lio_id, assessed_by_user_id) references users (lio_id, id) on delete set null (assessed_by_user_id)
);
create index group_health_checks_organisation on group_health_checks (organisation_id, assessed_on);
create index group_health_checks_case on group_health_checks (case_id) where case_id is not null;
create index group_health_checks_assessed_by on group_health_checks (assessed_by_user_id) where assessed_by_user_id is not null;

------------------------------------------------------------------------------------------------------------------------
-- Funding: curated opportunities, 360Giving grants, the LIO's spend on support
------------------------------------------------------------------------------------------------------------------------

-- A funding opportunity staff curate, shown to each group by its fit with the group's register profile.
create table funding_opportunities (
  id uuid primary key default gen_random_uuid(),
  lio_id uuid not null references lios (id) on delete cascade,
  funder_name text not null check (length(funder_name) between 1 and 200),
  programme text not null check (length(programme) between 1 and 200),
  summary text not null check (length(summary) between 1 and 5000),
  amount_min numeric(14, 2) check (amount_min >= 0),
  amount_max numeric(14, 2) check (amount_max >= 0),
  -- Null: a rolling programme with no deadline.
  deadline date,
  eligibility text check (length(eligibility) <= 5000),
  -- Who may apply, by the register's words: organisation types and income bands; empty: any.
  organisation_types text[] not null default '{}',
  income_bands text[] not null default '{}',
  -- The sector's theme vocabulary (platform/vocabulary/themes.ts), by code; empty: any theme.
  themes text[] not null default '{}',
  -- Areas it funds in, in the register's words for areas served; empty: anywhere.
  areas text[] not null default '{}',
  url text check (url ~* '^https?://' and length(url) <= 2000),
  status text not null default 'published' check (status in ('draft', 'published', 'withdrawn')),
  created_by_user_id uuid,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint funding_opportunities_lio_id_id_key unique (lio_id, id),
  constraint funding_opportunities_amounts check (amount_min is null or amount_max is null or amount_min <= amount_max),
  constraint funding_opportunities_created_by_user_id_fkey foreign key (lio_id, created_by_user_id) references users (lio_id, id) on delete set null (created_by_user_id)
);
create index funding_opportunities_open on funding_opportunities (lio_id, status, deadline);
create index funding_opportunities_themes on funding_opportunities using gin (themes);
create index funding_opportunities_created_by on funding_opportunities (created_by_user_id) where created_by_user_id is not null;

-- A 360Giving file imported (the JSON package or the spreadsheet form), run as a job with progress; a refused file
-- commits no grants and keeps its row-by-row report.
create table grant_imports (
  id uuid primary key default gen_random_uuid(),
  lio_id uuid not null references lios (id) on delete cascade,
  file_name text not null check (length(file_name) between 1 and 255),
  format text not null check (format in ('json', 'xlsx', 'csv')),
  status text not null default 'queued' check (status in ('queued', 'running', 'imported', 'rejected')),
  rows_read integer not null default 0 check (rows_read >= 0),
  rows_written integer not null default 0 check (rows_written >= 0),
  rows_refused integer not null default 0 check (rows_refused >= 0),
  -- Row-by-row problems: [{ row, field, message }] (capped; rows_refused has the count).
  report jsonb not null default '[]' check (jsonb_typeof(report) = 'array'),
  -- Why the whole file was refused, in words.
  rejection text check (length(rejection) <= 2000),
  started_by_user_id uuid,
  created_at timestamptz not null default now(),
  finished_at timestamptz,
  constraint grant_imports_lio_id_id_key unique (lio_id, id),
  constraint grant_imports_started_by_user_id_fkey foreign key (lio_id, started_by_user_id) references users (lio_id, id) on delete set null (started_by_user_id)
);
create index grant_imports_recent on grant_imports (lio_id, created_at desc);
create index grant_imports_started_by on grant_imports (started_by_user_id) where started_by_user_id is not null;
-- One import at a time per LIO.
create unique index grant_imports_one_running on grant_imports (lio_id) where status in ('queued', 'running');

-- A grant from 360Giving data: who gave how much to whom, matched to the register by charity or company number.
-- Grants to individuals are not imported (they are personal data the LIO does not need).
create table grants (
  id uuid primary key default gen_random_uuid(),
  lio_id uuid not null references lios (id) on delete cascade,
  -- The 360Giving grant identifier (360G-…), unique in the LIO: importing a file again updates its grants.
  identifier text not null check (length(identifier) between 1 and 200),
  import_id uuid,
  title text not null check (length(title) between 1 and 1000),
  description text check (length(description) <= 10000),
  currency text not null check (currency ~ '^[A-Z]{3}$'),
  amount_awarded numeric(16, 2) not null check (amount_awarded >= 0),
  award_date date not null,
  grant_programme text check (length(grant_programme) <= 500),
  funding_org_identifier text not null check (length(funding_org_identifier) between 1 and 200),
  funding_org_name text not null check (length(funding_org_name) between 1 and 500),
  recipient_org_identifier text not null check (length(recipient_org_identifier) between 1 and 200),
  recipient_org_name text not null check (length(recipient_org_name) between 1 and 500),
  recipient_charity_number text check (length(recipient_charity_number) <= 20),
  recipient_company_number text check (length(recipient_company_number) <= 20),
  recipient_postcode text check (length(recipient_postcode) <= 10),
  -- Where the grant benefits, in the file's words (beneficiaryLocation names), for "who gives in our area".
  beneficiary_locations text[] not null default '{}',
  -- The register's organisation the recipient is, when its charity or company number matches.
  organisation_id uuid,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint grants_identifier_key unique (lio_id, identifier),
  constraint grants_import_id_fkey foreign key (lio_id, import_id) references grant_imports (lio_id, id) on delete set null (import_id),
  constraint grants_organisation_id_fkey foreign key (lio_id, organisation_id) references organisations (lio_id, id) on delete set null (organisation_id)
);
create index grants_funder on grants (lio_id, funding_org_identifier, award_date);
create index grants_award_date on grants (lio_id, award_date);
create index grants_organisation on grants (organisation_id) where organisation_id is not null;
create index grants_recipient_charity on grants (lio_id, recipient_charity_number) where recipient_charity_number is not null;
create index grants_recipient_company on grants (lio_id, recipient_company_number) where recipient_company_number is not null;
create index grants_import on grants (import_id) where import_id is not null;

-- What the LIO spent on support to groups in a period (entered by a manager): the leverage figure's bottom line.
create table support_spend (
  id uuid primary key default gen_random_uuid(),
  lio_id uuid not null references lios (id) on delete cascade,
  period_start date not null,
  period_end date not null,
  amount numeric(14, 2) not null check (amount > 0),
  description text check (length(description) <= 500),
  entered_by_user_id uuid,
  created_at timestamptz not null default now(),
  constraint support_spend_period check (period_start <= period_end),
  constraint support_spend_entered_by_user_id_fkey foreign key (lio_id, entered_by_user_id) references users (lio_id, id) on delete set null (entered_by_user_id)
);
create index support_spend_period on support_spend (lio_id, period_start, period_end);
create index support_spend_entered_by on support_spend (entered_by_user_id) where entered_by_user_id is not null;

------------------------------------------------------------------------------------------------------------------------
-- Training and events
------------------------------------------------------------------------------------------------------------------------

create table courses (
  id uuid primary key default gen_random_uuid(),
  lio_id uuid not null references lios (id) on delete cascade,
  title text not null check (length(title) between 1 and 200),
  summary text not null check (length(summary) between 1 and 500),
  description text not null check (length(description) between 1 and 10000),
  -- Who it is for, in words ('Trustees of small groups').
  audience text check (length(audience) <= 500),
  themes text[] not null default '{}',
  -- Whether attendees receive a certificate of attendance.
  certificate boolean not null default false,
  status text not null default 'published' check (status in ('draft', 'published', 'archived')),
  created_by_user_id uuid,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint courses_lio_id_id_key unique (lio_id, id),
  constraint courses_created_by_user_id_fkey foreign key (lio_id, created_by_user_id) references users (lio_id, id) on delete set null (created_by_user_id)
);
create index courses_status on courses (lio_id, status);
create index courses_created_by on courses (created_by_user_id) where created_by_user_id is not null;

create table course_sessions (
  id uuid primary key default gen_random_uuid(),
  lio_id uuid not null references lios (id) on delete cascade,
  course_id uuid not null,
  starts_at timestamptz not null,
  ends_at timestamptz not null,
  venue text check (length(venue) <= 500),
  online_url text check (online_url ~* '^https?://' and length(online_url) <= 2000),
  capacity integer not null check (capacity between 1 and 10000),
  -- Price per place in pence; 0: free.
  price_pence integer not null default 0 check (price_pence between 0 and 10000000),
  status text not null default 'scheduled' check (status in ('scheduled', 'cancelled')),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint course_sessions_lio_id_id_key unique (lio_id, id),
  constraint course_sessions_times check (starts_at < ends_at),
  constraint course_sessions_somewhere check (venue is not null or online_url is not null),
  constraint course_sessions_course_id_fkey foreign key (lio_id, course_id) references courses (lio_id, id) on delete cascade
);
create index course_sessions_course on course_sessions (course_id, starts_at);
create index course_sessions_upcoming on course_sessions (lio_id, starts_at) where status = 'scheduled';

-- A place on a session, or a place on its waiting list. The attendee is a person; the group they came for, if any.
-- When a booked place frees, the longest-waiting person is promoted (in the same transaction).
create table course_bookings (
  id uuid primary key default gen_random_uuid(),
  lio_id uuid not null references lios (id) on delete cascade,
  session_id uuid not null,
  person_id uuid not null,
  organisation_id uuid,
  -- Their account, when they booked signed in.
  booked_by_user_id uuid,
  status text not null check (status in ('booked', 'waiting', 'cancelled')),
  -- The waiting list's order (the time they joined it); null once booked or cancelled.
  waiting_since timestamptz,
  promoted_at timestamptz,
  cancelled_at timestamptz,
  -- Attendance register: null until taken.
  attended boolean,
  reminder_sent_at timestamptz,
  -- A keyed hash of the random link in the booking e-mail that lets them manage it without an account.
  manage_token_hash text check (length(manage_token_hash) <= 128),
  certificate_number text check (length(certificate_number) <= 40),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint course_bookings_lio_id_id_key unique (lio_id, id),
  constraint course_bookings_waiting_whole check ((status = 'waiting') = (waiting_since is not null)),
  constraint course_bookings_session_id_fkey foreign key (lio_id, session_id) references course_sessions (lio_id, id) on delete cascade,
  constraint course_bookings_person_id_fkey foreign key (lio_id, person_id) references people (lio_id, id) on delete cascade,
  constraint course_bookings_organisation_id_fkey foreign key (lio_id, organisation_id) references organisations (lio_id, id) on delete set null (organisation_id),
  constraint course_bookings_booked_by_user_id_fkey foreign key (lio_id, booked_by_user_id) references users (lio_id, id) on delete set null (booked_by_user_id)
);
-- Booking twice: one live booking (booked or waiting) per person per session.
create unique index course_bookings_one_live on course_bookings (lio_id, session_id, person_id) where status in ('booked', 'waiting');
create index course_bookings_session on course_bookings (session_id, status, waiting_since);
create index course_bookings_person on course_bookings (person_id);
create index course_bookings_organisation on course_bookings (organisation_id) where organisation_id is not null;
create index course_bookings_booked_by on course_bookings (booked_by_user_id) where booked_by_user_id is not null;
create unique index course_bookings_manage_token on course_bookings (lio_id, manage_token_hash) where manage_token_hash is not null;

create table course_feedback (
  id uuid primary key default gen_random_uuid(),
  lio_id uuid not null references lios (id) on delete cascade,
  booking_id uuid not null,
  rating integer not null check (rating between 1 and 5),
  most_useful text check (length(most_useful) <= 2000),
  improve text check (length(improve) <= 2000),
  created_at timestamptz not null default now(),
  constraint course_feedback_one_per_booking unique (lio_id, booking_id),
  constraint course_feedback_booking_id_fkey foreign key (lio_id, booking_id) references course_bookings (lio_id, id) on delete cascade
);
create index course_feedback_booking on course_feedback (booking_id);

------------------------------------------------------------------------------------------------------------------------
-- Membership
------------------------------------------------------------------------------------------------------------------------

-- The LIO's membership types ('Full member', 'Associate member') and how the register flags each.
create table membership_types (
  id uuid primary key default gen_random_uuid(),
  lio_id uuid not null references lios (id) on delete cascade,
  name text not null check (length(name) between 1 and 100),
  description text check (length(description) <= 2000),
  register_flag text not null check (register_flag in ('member', 'associate')),
  annual_fee_pence integer not null default 0 check (annual_fee_pence between 0 and 10000000),
  term_months integer not null default 12 check (term_months between 1 and 60),
  active boolean not null default true,
  created_at timestamptz not null default now(),
  constraint membership_types_lio_id_id_key unique (lio_id, id),
  constraint membership_types_name_key unique (lio_id, name)
);

-- An organisation's membership: joined, renewed each term, reminded before it lapses, lapsed when not renewed.
create table memberships (
  id uuid primary key default gen_random_uuid(),
  lio_id uuid not null references lios (id) on delete cascade,
  organisation_id uuid not null,
  membership_type_id uuid not null,
  status text not null default 'active' check (status in ('pending', 'active', 'lapsed', 'ended')),
  joined_on date not null,
  renews_on date not null,
  lapsed_on date,
  last_reminder_at timestamptz,
  -- Who asked to join (a group member's account), when they joined from the portal.
  applied_by_user_id uuid,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint memberships_lio_id_id_key unique (lio_id, id),
  constraint memberships_organisation_id_fkey foreign key (lio_id, organisation_id) references organisations (lio_id, id) on delete cascade,
  constraint memberships_membership_type_id_fkey foreign key (lio_id, membership_type_id) references membership_types (lio_id, id),
  constraint memberships_applied_by_user_id_fkey foreign key (lio_id, applied_by_user_id) references users (lio_id, id) on delete set null (applied_by_user_id)
);
-- One membership per organisation that is not ended.
create unique index memberships_one_current on memberships (lio_id, organisation_id) where status <> 'ended';
create index memberships_organisation on memberships (organisation_id);
create index memberships_renewal on memberships (lio_id, status, renews_on);
create index memberships_type on memberships (membership_type_id);
create index memberships_applied_by on memberships (applied_by_user_id) where applied_by_user_id is not null;

-- The register's membership flag (organisations.membership) follows the organisation's membership, so the directory
-- shows members without knowing about this capability.
create function cg_support_membership_flag() returns trigger language plpgsql as $$
declare
  org uuid := coalesce(new.organisation_id, old.organisation_id);
  flag text;
begin
  select case m.status when 'active' then t.register_flag when 'lapsed' then 'lapsed' else null end into flag
  from memberships m join membership_types t on t.lio_id = m.lio_id and t.id = m.membership_type_id
  where m.organisation_id = org and m.status in ('active', 'lapsed')
  order by m.status = 'active' desc limit 1;
  update organisations set membership = coalesce(flag, 'none') where id = org and membership is distinct from coalesce(flag, 'none');
  return null;
end $$;
create trigger memberships_register_flag after insert or update or delete on memberships
  for each row execute function cg_support_membership_flag();

------------------------------------------------------------------------------------------------------------------------
-- Bulletins
------------------------------------------------------------------------------------------------------------------------

-- A bulletin composed in the app, with funding and training items pulled in, sent to a segment through the job queue.
create table bulletins (
  id uuid primary key default gen_random_uuid(),
  lio_id uuid not null references lios (id) on delete cascade,
  subject text not null check (length(subject) between 1 and 200),
  introduction text not null check (length(introduction) between 1 and 20000),
  -- Items in order: [{ kind: 'funding' | 'course' | 'story', id?, title, body, url? }], copied at composing so the
  -- archive shows what was sent.
  items jsonb not null default '[]' check (jsonb_typeof(items) = 'array'),
  segment text not null check (segment in ('members', 'all_groups', 'groups_by_theme', 'groups_by_area', 'volunteers')),
  -- The theme code or area name for the two segments that need one.
  segment_value text check (length(segment_value) <= 200),
  status text not null default 'draft' check (status in ('draft', 'sending', 'sent')),
  recipients_count integer not null default 0 check (recipients_count >= 0),
  created_by_user_id uuid,
  queued_at timestamptz,
  sent_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint bulletins_lio_id_id_key unique (lio_id, id),
  constraint bulletins_segment_value check ((segment in ('groups_by_theme', 'groups_by_area')) = (segment_value is not null)),
  constraint bulletins_created_by_user_id_fkey foreign key (lio_id, created_by_user_id) references users (lio_id, id) on delete set null (created_by_user_id)
);
create index bulletins_archive on bulletins (lio_id, sent_at desc) where status = 'sent';
create index bulletins_created_by on bulletins (created_by_user_id) where created_by_user_id is not null;

-- One recipient of one bulletin. A row is claimed ('sending') in its own committed step before the message goes, so a
-- restart never sends it twice: a row left 'sending' by a crash is not sent again.
create table bulletin_recipients (
  id uuid primary key default gen_random_uuid(),
  lio_id uuid not null references lios (id) on delete cascade,
  bulletin_id uuid not null,
  email citext not null check (length(email) between 3 and 320),
  person_id uuid,
  organisation_id uuid,
  status text not null default 'queued' check (status in ('queued', 'sending', 'sent', 'failed', 'unknown')),
  -- A keyed hash of the recipient's own unsubscribe link.
  unsubscribe_token_hash text not null check (length(unsubscribe_token_hash) <= 128),
  sent_at timestamptz,
  opened_at timestamptz,
  created_at timestamptz not null default now(),
  constraint bulletin_recipients_one_copy unique (lio_id, bulletin_id, email),
  constraint bulletin_recipients_bulletin_id_fkey foreign key (lio_id, bulletin_id) references bulletins (lio_id, id) on delete cascade,
  constraint bulletin_recipients_person_id_fkey foreign key (lio_id, person_id) references people (lio_id, id) on delete set null (person_id),
  constraint bulletin_recipients_organisation_id_fkey foreign key (lio_id, organisation_id) references organisations (lio_id, id) on delete set null (organisation_id)
);
create index bulletin_recipients_queue on bulletin_recipients (bulletin_id, status);
create index bulletin_recipients_email on bulletin_recipients (lio_id, email);
create index bulletin_recipients_person on bulletin_recipients (person_id) where person_id is not null;
create index bulletin_recipients_organisation on bulletin_recipients (organisation_id) where organisation_id is not null;
create unique index bulletin_recipients_unsubscribe on bulletin_recipients (lio_id, unsubscribe_token_hash);

-- Addresses that asked for no more bulletins: never a recipient again until they subscribe again.
create table bulletin_unsubscribes (
  id uuid primary key default gen_random_uuid(),
  lio_id uuid not null references lios (id) on delete cascade,
  email citext not null check (length(email) between 3 and 320),
  -- The bulletin whose link they used; null when staff recorded it.
  bulletin_id uuid,
  created_at timestamptz not null default now(),
  constraint bulletin_unsubscribes_email_key unique (lio_id, email),
  constraint bulletin_unsubscribes_bulletin_id_fkey foreign key (lio_id, bulletin_id) references bulletins (lio_id, id) on delete set null (bulletin_id)
);
create index bulletin_unsubscribes_bulletin on bulletin_unsubscribes (bulletin_id) where bulletin_id is not null;

do $$
declare t text;
begin
  foreach t in array array['support_cases', 'support_case_notes', 'support_case_documents', 'support_outcomes',
    'funding_applications', 'group_health_checks', 'funding_opportunities', 'grant_imports', 'grants', 'support_spend',
    'courses', 'course_sessions', 'course_bookings', 'course_feedback', 'membership_types', 'memberships', 'bulletins',
    'bulletin_recipients', 'bulletin_unsubscribes'] loop
    execute format('alter table %I enable row level security', t);
    execute format('create policy tenant_isolation on %I using (lio_id = cg_current_lio()) with check (lio_id = cg_current_lio())', t);
  end loop;
end $$;
grant select, insert, update, delete on support_cases, support_case_notes, support_case_documents, support_outcomes,
  funding_applications, group_health_checks, funding_opportunities, grant_imports, grants, support_spend, courses,
  course_sessions, course_bookings, course_feedback, membership_types, memberships, bulletins, bulletin_recipients,
  bulletin_unsubscribes to {{app_role}};
