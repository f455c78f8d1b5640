-- Volunteering: volunteers, opportunities (roles), referrals from enquiry to the end of a placement, vetting the LIO
-- does on behalf of groups, hours, and emergency surge mode.
--
-- A volunteer is a person: the volunteer's profile points at the person record (people), which holds the name, e-mails,
-- phones, postcode and date of birth once for every role the person comes to the LIO in. The profile holds only what
-- volunteering needs on top. Every key between tenant tables is (lio_id, id), as 016_tenant_links.sql explains.

-- Consents a volunteer gives at registration: to be contacted about volunteering, and to the LIO holding and
-- sharing their volunteer record with the groups it refers them to.
alter table consents drop constraint consents_purpose_check;
alter table consents add constraint consents_purpose_check check (purpose in (
  'newsletter', 'contact_about_services', 'share_with_partners', 'photographs', 'case_records',
  'contact_about_volunteering', 'volunteer_record'));

create table volunteers (
  id uuid primary key default gen_random_uuid(),
  lio_id uuid not null references lios (id) on delete cascade,
  person_id uuid not null,
  status text not null default 'new' check (status in ('new', 'active', 'placed', 'inactive')),
  -- How they came: the public form, taken by phone by staff, the short surge form, or an import.
  registered_via text not null check (registered_via in ('online', 'staff', 'surge', 'import')),
  -- Kilometres they will travel from their postcode; null: not said.
  travel_km integer check (travel_km between 0 and 500),
  -- Where the volunteer's postcode is, for distance: copied from the postcode table when the postcode is set.
  latitude double precision check (latitude between -90 and 90),
  longitude double precision check (longitude between -180 and 180),
  in_person boolean not null default true,
  remote boolean not null default false,
  skills text[] not null default '{}',
  interests text[] not null default '{}',
  -- The sector's theme vocabulary (platform/vocabulary/themes.ts), by code.
  causes text[] not null default '{}',
  languages text[] not null default '{}',
  -- Weekly availability as slots 'mon-morning' … 'sun-evening' (day: mon..sun; part: morning, afternoon, evening).
  availability text[] not null default '{}' check (availability <@ array[
    'mon-morning', 'mon-afternoon', 'mon-evening', 'tue-morning', 'tue-afternoon', 'tue-evening',
    'wed-morning', 'wed-afternoon', 'wed-evening', 'thu-morning', 'thu-afternoon', 'thu-evening',
    'fri-morning', 'fri-afternoon', 'fri-evening', 'sat-morning', 'sat-afternoon', 'sat-evening',
    'sun-morning', 'sun-afternoon', 'sun-evening']::text[]),
  access_needs text check (length(access_needs) <= 2000),
  -- Willing to be called on in an emergency (surge mode).
  emergency_reserve boolean not null default false,
  -- Under-18s: a parent's or guardian's consent, recorded with who gave it and when.
  guardian_name text check (length(guardian_name) <= 200),
  guardian_contact text check (length(guardian_contact) <= 200),
  guardian_consent_at timestamptz,
  -- A surge or registration form's one-time key: a retried or double-submitted form makes one volunteer.
  signup_key text check (length(signup_key) <= 100),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint volunteers_lio_id_id_key unique (lio_id, id),
  constraint volunteers_one_per_person unique (lio_id, person_id),
  constraint volunteers_signup_key unique (lio_id, signup_key),
  constraint volunteers_person_id_fkey foreign key (lio_id, person_id) references people (lio_id, id) on delete cascade,
  constraint volunteers_place_whole check ((latitude is null) = (longitude is null))
);
create index volunteers_person on volunteers (person_id);
create index volunteers_status on volunteers (lio_id, status);
create index volunteers_reserve on volunteers (lio_id) where emergency_reserve;
create index volunteers_skills on volunteers using gin (skills);

-- Staff notes on a volunteer.
create table volunteer_notes (
  id uuid primary key default gen_random_uuid(),
  lio_id uuid not null references lios (id) on delete cascade,
  volunteer_id uuid not null,
  author_user_id uuid,
  body text not null check (length(body) between 1 and 5000),
  created_at timestamptz not null default now(),
  constraint volunteer_notes_volunteer_id_fkey foreign key (lio_id, volunteer_id) references volunteers (lio_id, id) on delete cascade,
  constraint volunteer_notes_author_user_id_fkey foreign key (lio_id, author_user_id) references users (lio_id, id) on delete set null (author_user_id)
);
create index volunteer_notes_volunteer on volunteer_notes (volunteer_id, created_at desc);
create index volunteer_notes_author on volunteer_notes (author_user_id) where author_user_id is not null;

-- A volunteer's history: registered, status changed, referred, vetted, assigned … each dated with who did it.
create table volunteer_events (
  id uuid primary key default gen_random_uuid(),
  lio_id uuid not null references lios (id) on delete cascade,
  volunteer_id uuid not null,
  kind text not null check (length(kind) between 1 and 50),
  detail text check (length(detail) <= 2000),
  actor_user_id uuid,
  -- Who acted, in words, when there is no account to point at ('The organisation, from its e-mail', 'System').
  actor_label text check (length(actor_label) <= 200),
  at timestamptz not null default now(),
  constraint volunteer_events_volunteer_id_fkey foreign key (lio_id, volunteer_id) references volunteers (lio_id, id) on delete cascade,
  constraint volunteer_events_actor_user_id_fkey foreign key (lio_id, actor_user_id) references users (lio_id, id) on delete set null (actor_user_id)
);
create index volunteer_events_volunteer on volunteer_events (volunteer_id, at desc);
create index volunteer_events_actor on volunteer_events (actor_user_id) where actor_user_id is not null;

-- An opportunity (a volunteer role), posted by a group member for their organisation or by staff (for a group, or
-- the LIO's own role when organisation_id is null). A group's post waits for the LIO's approval.
create table opportunities (
  id uuid primary key default gen_random_uuid(),
  lio_id uuid not null references lios (id) on delete cascade,
  organisation_id uuid,
  title text not null check (length(title) between 1 and 200),
  description text not null check (length(description) between 1 and 10000),
  skills text[] not null default '{}',
  causes text[] not null default '{}',
  schedule text not null check (schedule in ('one_off', 'regular', 'flexible')),
  -- 'Tuesdays 10am to 12pm', 'Saturday 14 March, all day'.
  schedule_detail text check (length(schedule_detail) <= 500),
  -- The slots the role needs (same codes as volunteers.availability); empty: any time.
  availability text[] not null default '{}',
  in_person boolean not null default true,
  remote boolean not null default false,
  postcode text check (length(postcode) <= 10),
  latitude double precision check (latitude between -90 and 90),
  longitude double precision check (longitude between -180 and 180),
  dbs_level text not null default 'none' check (dbs_level in ('none', 'basic', 'standard', 'enhanced')),
  minimum_age integer not null default 16 check (minimum_age between 0 and 100),
  places integer not null check (places between 1 and 10000),
  closing_on date,
  induction_required boolean not null default false,
  status text not null default 'draft' check (status in ('draft', 'pending', 'published', 'rejected', 'closed')),
  rejection_reason text check (length(rejection_reason) <= 2000),
  submitted_by_user_id uuid,
  approved_by_user_id uuid,
  approved_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint opportunities_lio_id_id_key unique (lio_id, id),
  constraint opportunities_place_whole check ((latitude is null) = (longitude is null)),
  constraint opportunities_somewhere check (in_person or remote),
  constraint opportunities_organisation_id_fkey foreign key (lio_id, organisation_id) references organisations (lio_id, id) on delete cascade,
  constraint opportunities_submitted_by_user_id_fkey foreign key (lio_id, submitted_by_user_id) references users (lio_id, id) on delete set null (submitted_by_user_id),
  constraint opportunities_approved_by_user_id_fkey foreign key (lio_id, approved_by_user_id) references users (lio_id, id) on delete set null (approved_by_user_id)
);
create index opportunities_status on opportunities (lio_id, status, closing_on);
create index opportunities_organisation on opportunities (organisation_id) where organisation_id is not null;
create index opportunities_submitted_by on opportunities (submitted_by_user_id) where submitted_by_user_id is not null;
create index opportunities_approved_by on opportunities (approved_by_user_id) where approved_by_user_id is not null;
create index opportunities_skills on opportunities using gin (skills);

-- A referral: a volunteer's enquiry about a role, referred to its organisation, and every step after it. The current
-- state is on the row (for lists and counts); referral_steps keeps each step, dated, with who took it.
create table referrals (
  id uuid primary key default gen_random_uuid(),
  lio_id uuid not null references lios (id) on delete cascade,
  volunteer_id uuid not null,
  opportunity_id uuid not null,
  -- The role's organisation when referred (null: the LIO's own role), kept so its portal lists its referrals.
  organisation_id uuid,
  status text not null default 'enquired' check (status in ('enquired', 'referred', 'contacted', 'accepted', 'declined', 'started', 'ended', 'withdrawn')),
  enquired_at timestamptz not null default now(),
  referred_at timestamptz,
  contacted_at timestamptz,
  answered_at timestamptz,
  started_at timestamptz,
  ended_at timestamptz,
  decline_reason text check (length(decline_reason) <= 2000),
  end_reason text check (length(end_reason) <= 2000),
  -- Chasers: when the organisation was e-mailed for not contacting the volunteer, and when the coordinator was alerted.
  chased_at timestamptz,
  escalated_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint referrals_lio_id_id_key unique (lio_id, id),
  constraint referrals_volunteer_id_fkey foreign key (lio_id, volunteer_id) references volunteers (lio_id, id) on delete cascade,
  constraint referrals_opportunity_id_fkey foreign key (lio_id, opportunity_id) references opportunities (lio_id, id) on delete cascade,
  constraint referrals_organisation_id_fkey foreign key (lio_id, organisation_id) references organisations (lio_id, id) on delete cascade
);
-- One live referral per volunteer and role: a second enquiry while one is open is the same enquiry.
create unique index referrals_one_open on referrals (lio_id, volunteer_id, opportunity_id) where status not in ('declined', 'ended', 'withdrawn');
create index referrals_volunteer on referrals (volunteer_id, created_at desc);
create index referrals_opportunity on referrals (opportunity_id, status);
create index referrals_organisation on referrals (organisation_id, status) where organisation_id is not null;
create index referrals_waiting on referrals (lio_id, referred_at) where status = 'referred';

create table referral_steps (
  id uuid primary key default gen_random_uuid(),
  lio_id uuid not null references lios (id) on delete cascade,
  referral_id uuid not null,
  step text not null check (step in ('enquired', 'referred', 'contacted', 'accepted', 'declined', 'started', 'ended', 'withdrawn', 'chased', 'escalated')),
  at timestamptz not null default now(),
  actor_user_id uuid,
  actor_label text check (length(actor_label) <= 200),
  note text check (length(note) <= 2000),
  constraint referral_steps_referral_id_fkey foreign key (lio_id, referral_id) references referrals (lio_id, id) on delete cascade,
  constraint referral_steps_actor_user_id_fkey foreign key (lio_id, actor_user_id) references users (lio_id, id) on delete set null (actor_user_id)
);
create index referral_steps_referral on referral_steps (referral_id, at);
create index referral_steps_actor on referral_steps (actor_user_id) where actor_user_id is not null;

-- A signed link e-mailed to an organisation so it can answer a referral without a password. Only a hash of the token
-- is kept; a link works until it expires or is used for the answer it was sent for.
create table referral_links (
  id uuid primary key default gen_random_uuid(),
  lio_id uuid not null references lios (id) on delete cascade,
  referral_id uuid not null,
  token_hash text not null unique check (length(token_hash) between 32 and 128),
  sent_to text not null check (length(sent_to) <= 320),
  expires_at timestamptz not null,
  used_at timestamptz,
  created_at timestamptz not null default now(),
  constraint referral_links_referral_id_fkey foreign key (lio_id, referral_id) references referrals (lio_id, id) on delete cascade
);
create index referral_links_referral on referral_links (referral_id);
create index referral_links_sent_to on referral_links (lio_id, lower(sent_to));

-- Vetting the LIO does for a volunteer, often on behalf of a group: DBS checks (no certificate image is stored, only
-- its level, number, date and whether it is on the update service), references, inductions and training.
create table vetting_checks (
  id uuid primary key default gen_random_uuid(),
  lio_id uuid not null references lios (id) on delete cascade,
  volunteer_id uuid not null,
  kind text not null check (kind in ('dbs', 'reference', 'induction', 'training')),
  -- For a DBS check.
  dbs_level text check (dbs_level in ('basic', 'standard', 'enhanced')),
  certificate_number text check (certificate_number ~ '^[0-9]{12}$'),
  issued_on date,
  update_service boolean not null default false,
  -- When it stops counting (a DBS check by the LIO's policy, a training course's renewal); null: does not lapse.
  expires_on date,
  -- A reference's referee, a training course's name.
  detail text check (length(detail) <= 500),
  outcome text not null default 'pending' check (outcome in ('pending', 'passed', 'failed')),
  -- The group the check was done for; null: for the LIO.
  for_organisation_id uuid,
  recorded_by_user_id uuid,
  -- Which lapse reminders have gone (days before: 60, 30, 7), so each goes once.
  reminders_sent integer[] not null default '{}',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint vetting_checks_lio_id_id_key unique (lio_id, id),
  constraint vetting_checks_dbs_whole check (kind <> 'dbs' or dbs_level is not null),
  constraint vetting_checks_volunteer_id_fkey foreign key (lio_id, volunteer_id) references volunteers (lio_id, id) on delete cascade,
  constraint vetting_checks_for_organisation_id_fkey foreign key (lio_id, for_organisation_id) references organisations (lio_id, id) on delete set null (for_organisation_id),
  constraint vetting_checks_recorded_by_user_id_fkey foreign key (lio_id, recorded_by_user_id) references users (lio_id, id) on delete set null (recorded_by_user_id)
);
create index vetting_checks_volunteer on vetting_checks (volunteer_id, kind);
create index vetting_checks_lapsing on vetting_checks (lio_id, expires_on) where expires_on is not null;
create index vetting_checks_for_organisation on vetting_checks (for_organisation_id) where for_organisation_id is not null;
create index vetting_checks_recorded_by on vetting_checks (recorded_by_user_id) where recorded_by_user_id is not null;

-- Hours given: logged by the volunteer or the organisation (or staff); a volunteer's own entry counts once the
-- organisation confirms it.
create table volunteer_hours (
  id uuid primary key default gen_random_uuid(),
  lio_id uuid not null references lios (id) on delete cascade,
  volunteer_id uuid not null,
  referral_id uuid,
  organisation_id uuid,
  worked_on date not null,
  minutes integer not null check (minutes between 1 and 1440),
  description text check (length(description) <= 1000),
  logged_by text not null check (logged_by in ('volunteer', 'organisation', 'staff')),
  logged_by_user_id uuid,
  confirmed_at timestamptz,
  confirmed_by_user_id uuid,
  -- Who confirmed, in words, when it was not a signed-in person (the organisation from its e-mailed link).
  confirmed_by_label text check (length(confirmed_by_label) <= 200),
  created_at timestamptz not null default now(),
  constraint volunteer_hours_volunteer_id_fkey foreign key (lio_id, volunteer_id) references volunteers (lio_id, id) on delete cascade,
  constraint volunteer_hours_referral_id_fkey foreign key (lio_id, referral_id) references referrals (lio_id, id) on delete set null (referral_id),
  constraint volunteer_hours_organisation_id_fkey foreign key (lio_id, organisation_id) references organisations (lio_id, id) on delete set null (organisation_id),
  constraint volunteer_hours_logged_by_user_id_fkey foreign key (lio_id, logged_by_user_id) references users (lio_id, id) on delete set null (logged_by_user_id),
  constraint volunteer_hours_confirmed_by_user_id_fkey foreign key (lio_id, confirmed_by_user_id) references users (lio_id, id) on delete set null (confirmed_by_user_id)
);
create index volunteer_hours_volunteer on volunteer_hours (volunteer_id, worked_on desc);
create index volunteer_hours_organisation on volunteer_hours (organisation_id, worked_on) where organisation_id is not null;
create index volunteer_hours_period on volunteer_hours (lio_id, worked_on);
create index volunteer_hours_referral on volunteer_hours (referral_id) where referral_id is not null;
create index volunteer_hours_logged_by on volunteer_hours (logged_by_user_id) where logged_by_user_id is not null;
create index volunteer_hours_confirmed_by on volunteer_hours (confirmed_by_user_id) where confirmed_by_user_id is not null;

-- Volunteering settings of an LIO: how many working days an organisation has to contact a referred volunteer before
-- it is chased, and emergency surge mode (on while surge_started_at is set).
create table volunteering_settings (
  lio_id uuid primary key references lios (id) on delete cascade,
  chase_after_working_days integer not null default 5 check (chase_after_working_days between 1 and 30),
  surge_started_at timestamptz,
  -- What the front door says in surge mode ('Help us respond to the flooding in …').
  surge_message text check (length(surge_message) <= 1000),
  updated_at timestamptz not null default now()
);

-- Surge mode: a volunteer assigned to a locality or a group for the emergency.
create table surge_assignments (
  id uuid primary key default gen_random_uuid(),
  lio_id uuid not null references lios (id) on delete cascade,
  volunteer_id uuid not null,
  locality text check (length(locality) between 1 and 200),
  organisation_id uuid,
  assigned_at timestamptz not null default now(),
  assigned_by_user_id uuid,
  constraint surge_assignments_somewhere check (locality is not null or organisation_id is not null),
  constraint surge_assignments_volunteer_id_fkey foreign key (lio_id, volunteer_id) references volunteers (lio_id, id) on delete cascade,
  constraint surge_assignments_organisation_id_fkey foreign key (lio_id, organisation_id) references organisations (lio_id, id) on delete cascade,
  constraint surge_assignments_assigned_by_user_id_fkey foreign key (lio_id, assigned_by_user_id) references users (lio_id, id) on delete set null (assigned_by_user_id)
);
create index surge_assignments_volunteer on surge_assignments (volunteer_id, assigned_at desc);
create index surge_assignments_organisation on surge_assignments (organisation_id) where organisation_id is not null;
create index surge_assignments_assigned_by on surge_assignments (assigned_by_user_id) where assigned_by_user_id is not null;

-- A message to a cohort of volunteers (e-mailed one by one through the job queue).
create table volunteer_messages (
  id uuid primary key default gen_random_uuid(),
  lio_id uuid not null references lios (id) on delete cascade,
  subject text not null check (length(subject) between 1 and 200),
  body text not null check (length(body) between 1 and 10000),
  -- The cohort in words, as it was chosen ('Emergency reserve in Riverside North').
  cohort text not null check (length(cohort) between 1 and 500),
  recipients integer not null check (recipients >= 0),
  sent_by_user_id uuid,
  created_at timestamptz not null default now(),
  constraint volunteer_messages_sent_by_user_id_fkey foreign key (lio_id, sent_by_user_id) references users (lio_id, id) on delete set null (sent_by_user_id)
);
create index volunteer_messages_sent_by on volunteer_messages (sent_by_user_id) where sent_by_user_id is not null;

do $$
declare t text;
begin
  foreach t in array array['volunteers', 'volunteer_notes', 'volunteer_events', 'opportunities', 'referrals', 'referral_steps',
    'referral_links', 'vetting_checks', 'volunteer_hours', 'volunteering_settings', 'surge_assignments', 'volunteer_messages'] loop
    execute format('alter table %I enable row level security', t);
    execute format('create policy tenant_isolation on %I using (lio_id = cg_current_lio()) with check (lio_id = cg_current_lio())', t);
  end loop;
end $$;
grant select, insert, update, delete on volunteers, volunteer_notes, volunteer_events, opportunities, referrals, referral_steps,
  referral_links, vetting_checks, volunteer_hours, volunteering_settings, surge_assignments, volunteer_messages to {{app_role}};
