-- Matching by index (src/volunteering/matching/tiers.ts): each round asks for the volunteers, or the roles, that hold a
-- set of the other side's skills, causes and slots, so these arrays are indexed the way the rounds ask for them.
-- Causes are matched with interests, as the score counts them.
create index volunteers_matching_causes on volunteers using gin ((causes || interests)) where status <> 'inactive';
create index volunteers_matching_availability on volunteers using gin (availability) where status <> 'inactive';
create index opportunities_published_availability on opportunities using gin (availability) where status = 'published';
-- Roles for any time hold every slot of a volunteer's.
create index opportunities_published_any_time on opportunities (lio_id) where status = 'published' and availability = '{}';

-- A sign-up from the front door (registration, or the surge form) held until the e-mailed link proves the address is
-- the sender's. Nothing is written to a person or volunteer record before then, and the form answers the same, in the
-- same time, whether or not the address is already held: only whoever follows the link learns that, and only then is
-- the sign-up matched against the people held. Only a hash of the link's secret is kept. The form's one-time key makes
-- a retried or double-submitted form one sign-up.
create table volunteer_signups (
  id uuid primary key default gen_random_uuid(),
  lio_id uuid not null references lios (id) on delete cascade,
  via text not null check (via in ('online', 'surge')),
  signup_key text not null check (length(signup_key) between 1 and 100),
  email text not null check (length(email) between 3 and 320),
  token_hash text not null check (length(token_hash) between 32 and 128),
  -- The form's answers, as the form reads them: made into the person and volunteer records when the link is followed.
  answers jsonb not null,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  constraint volunteer_signups_lio_id_id_key unique (lio_id, id),
  constraint volunteer_signups_key unique (lio_id, signup_key),
  constraint volunteer_signups_token unique (token_hash)
);
create index volunteer_signups_email on volunteer_signups (lio_id, lower(email));
create index volunteer_signups_expires on volunteer_signups (expires_at);
alter table volunteer_signups enable row level security;
create policy tenant_isolation on volunteer_signups using (lio_id = cg_current_lio()) with check (lio_id = cg_current_lio());
grant select, insert, update, delete on volunteer_signups to {{app_role}};

-- Under row-level security PostgreSQL uses an index only for leakproof operators (see 006), and the arrays' @> and &&
-- are not: under the app role the indexes above would never be used. So the rounds ask through these functions, which
-- run as the owner (so the GIN indexes are used) and apply the LIO themselves, exactly as the policy does:
-- lio_id = cg_current_lio(). Each asks for one set of features: all of `all_*` (and at least `least_slots` slots of the
-- volunteer's own), and one or more of each `any_*` not null. Only the conditions asked for are written, so each call
-- is planned for the values it has.
create function cg_volunteers_holding(all_skills text[], all_causes text[], all_slots text[], least_slots integer,
  any_skills text[], any_causes text[], any_slots text[]) returns setof uuid
  language plpgsql stable security definer set search_path = {{schema}}, public
as $$
declare
  conditions text[] := array['v.lio_id = cg_current_lio()', 'v.status <> ''inactive'''];
begin
  if cardinality(all_skills) > 0 then conditions := array_append(conditions, 'v.skills @> $1'); end if;
  if cardinality(all_causes) > 0 then conditions := array_append(conditions, '(v.causes || v.interests) @> $2'); end if;
  if cardinality(all_slots) > 0 then conditions := array_append(conditions, 'v.availability @> $3'); end if;
  if least_slots > 0 then conditions := array_append(conditions, 'cardinality(v.availability) >= $4'); end if;
  if any_skills is not null then conditions := array_append(conditions, 'v.skills && $5'); end if;
  if any_causes is not null then conditions := array_append(conditions, '(v.causes || v.interests) && $6'); end if;
  if any_slots is not null then conditions := array_append(conditions, 'v.availability && $7'); end if;
  return query execute 'select v.id from volunteers v where ' || array_to_string(conditions, ' and ')
    using all_skills, all_causes, all_slots, least_slots, any_skills, any_causes, any_slots;
end $$;
revoke execute on function cg_volunteers_holding(text[], text[], text[], integer, text[], text[], text[]) from public;
grant execute on function cg_volunteers_holding(text[], text[], text[], integer, text[], text[], text[]) to {{app_role}};

-- The same for published roles; a role for any time holds every slot of the volunteer's.
create function cg_roles_holding(all_skills text[], all_causes text[], all_slots text[],
  any_skills text[], any_causes text[], any_slots text[]) returns setof uuid
  language plpgsql stable security definer set search_path = {{schema}}, public
as $$
declare
  conditions text[] := array['o.lio_id = cg_current_lio()', 'o.status = ''published'''];
begin
  if cardinality(all_skills) > 0 then conditions := array_append(conditions, 'o.skills @> $1'); end if;
  if cardinality(all_causes) > 0 then conditions := array_append(conditions, 'o.causes @> $2'); end if;
  if cardinality(all_slots) > 0 then conditions := array_append(conditions, '(o.availability @> $3 or o.availability = ''{}'')'); end if;
  if any_skills is not null then conditions := array_append(conditions, 'o.skills && $4'); end if;
  if any_causes is not null then conditions := array_append(conditions, 'o.causes && $5'); end if;
  if any_slots is not null then conditions := array_append(conditions, '(o.availability && $6 or o.availability = ''{}'')'); end if;
  return query execute 'select o.id from opportunities o where ' || array_to_string(conditions, ' and ')
    using all_skills, all_causes, all_slots, any_skills, any_causes, any_slots;
end $$;
revoke execute on function cg_roles_holding(text[], text[], text[], text[], text[], text[]) from public;
grant execute on function cg_roles_holding(text[], text[], text[], text[], text[], text[]) to {{app_role}};
