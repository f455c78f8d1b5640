-- People: one record per person per LIO, whatever role they come to it in (user, volunteer, attendee, resident), so
-- that a subject-access request or an erasure can be answered across everything the LIO holds.
--
-- Names: one full name as the person writes it (many names do not split into first and last) and the name they like
-- to be called. E-mails and phones are short lists held on the row (a person has one to three of each): they are read
-- with the person, merged by union (with no cap: a merge loses nothing), and found by GIN indexes. E-mails are kept in lower case and phones as digits
-- (UK numbers from 0), so that a lookup is an equality rather than a guess.
create table people (
  id uuid primary key default gen_random_uuid(),
  lio_id uuid not null references lios (id) on delete cascade,
  full_name text check (length(full_name) between 1 and 200),
  preferred_name text check (length(preferred_name) <= 100),
  emails text[] not null default '{}',
  phones text[] not null default '{}',
  postcode text check (length(postcode) <= 10),
  date_of_birth date,
  -- How the person is happy to be contacted; nothing ticked means do not contact them.
  contact_methods text[] not null default '{}' check (contact_methods <@ array['email', 'phone', 'text', 'post']::text[]),
  -- A record merged into another is kept as it was (the history of the merge) and points at the one kept.
  merged_into_id uuid references people (id),
  merged_at timestamptz,
  -- Erased: the row stays, with no personal data, so that counts of people stay true.
  erased_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint people_named_unless_erased check (erased_at is not null or full_name is not null)
);
create index people_lio_name on people (lio_id, lower(full_name)) where merged_into_id is null and erased_at is null;
create index people_names_trgm on people using gin (lower(coalesce(full_name, '') || ' ' || coalesce(preferred_name, '')) gin_trgm_ops);
create index people_emails on people using gin (emails);
create index people_phones on people using gin (phones);
create index people_postcode on people (lio_id, postcode) where postcode is not null;
create index people_merged_into on people (merged_into_id) where merged_into_id is not null;

-- A consent: what the person agreed to, when, how, to which version of the wording; withdrawn when. Rows are never
-- overwritten, so the history of what was agreed stays readable.
create table consents (
  id uuid primary key default gen_random_uuid(),
  lio_id uuid not null references lios (id) on delete cascade,
  person_id uuid not null references people (id) on delete cascade,
  purpose text not null check (purpose in ('newsletter', 'contact_about_services', 'share_with_partners', 'photographs', 'case_records')),
  given_at timestamptz not null,
  method text not null check (method in ('online_form', 'paper_form', 'verbal', 'email')),
  wording_version text not null check (length(wording_version) between 1 and 50),
  withdrawn_at timestamptz,
  recorded_by uuid references users (id) on delete set null,
  created_at timestamptz not null default now(),
  constraint consents_withdrawn_after_given check (withdrawn_at is null or withdrawn_at >= given_at)
);
create index consents_person on consents (person_id, given_at desc);
create index consents_recorded_by on consents (recorded_by) where recorded_by is not null;

alter table users add column person_id uuid references people (id);
create index users_person on users (person_id) where person_id is not null;

-- Every user is a person: the ones already here get a person each, and a new user is linked to the person of the
-- same LIO holding their e-mail address, or to a new person, by the trigger below (invitations, create-admin, the
-- demo seed and imports all insert users, and none of them need to know about people).
create function cg_person_for_user() returns trigger language plpgsql as $$
begin
  if new.person_id is null then
    select id into new.person_id from people
      where lio_id = new.lio_id and emails @> array[lower(new.email)] and merged_into_id is null and erased_at is null
      order by created_at limit 1;
    if new.person_id is null then
      insert into people (lio_id, full_name, emails, created_at, updated_at)
        values (new.lio_id, new.display_name, array[lower(new.email)], new.created_at, new.created_at)
        returning id into new.person_id;
    end if;
  end if;
  return new;
end $$;
create trigger person_for_user before insert on users for each row execute function cg_person_for_user();

do $$
declare u record;
declare p uuid;
begin
  for u in select id, lio_id, email, display_name, created_at from users where person_id is null order by created_at loop
    insert into people (lio_id, full_name, emails, created_at, updated_at)
      values (u.lio_id, u.display_name, array[lower(u.email)], u.created_at, u.created_at) returning id into p;
    update users set person_id = p where id = u.id;
  end loop;
end $$;

-- A subject-access request or an erasure finds what other capabilities hold about a person by e-mail, phone and user
-- account: these keep each of those lookups on an index however large the directory or the audit log grows.
create function cg_phone_digits(number text) returns text language sql immutable parallel safe
  as $$ select regexp_replace(regexp_replace(replace(number, '(0)', ''), '[^0-9+]', '', 'g'), '^(\+44|0044)', '0') $$;
create index phones_digits on phones (lio_id, cg_phone_digits(number));
create index organisations_phone_digits on organisations (lio_id, cg_phone_digits(phone)) where phone is not null;
create index contacts_email on contacts (lio_id, lower(email)) where email is not null;
create index organisations_email on organisations (lio_id, lower(email)) where email is not null;
create index services_email on services (lio_id, lower(email)) where email is not null;
create index services_assurer_email on services (lio_id, lower(assurer_email)) where assurer_email is not null;
create index organisation_events_actor on organisation_events (lio_id, lower(actor_label));
create index audit_events_actor_user on audit_events (actor_user_id) where actor_user_id is not null;
create index audit_events_actor_label on audit_events (lio_id, lower(actor_label));
create index email_messages_to on email_messages (lio_id, lower(to_address));

alter table people enable row level security;
create policy tenant_isolation on people using (lio_id = cg_current_lio()) with check (lio_id = cg_current_lio());
alter table consents enable row level security;
create policy tenant_isolation on consents using (lio_id = cg_current_lio()) with check (lio_id = cg_current_lio());
grant select, insert, update, delete on people, consents to {{app_role}};

-- Erasure and retention replace the name of a person who acted in the audit log (an e-mail address today) with
-- "Erased person"; what was done, when and to what stays. Only that column may change: the log stays append-only
-- in every other respect.
grant update (actor_label) on audit_events to {{app_role}};
