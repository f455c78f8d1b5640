-- Review of issue 11, three repairs.
--
-- 1. Sign-in throttle rows say which account they count, when the e-mail address typed is an account's: the accounts
--    capability's personal-data provider exports and erases a person's rows by it (the key hashes alone cannot be
--    traced back without the app's secret). Rows for addresses with no account hold nothing that names anyone and
--    last only the throttle's window.
alter table sign_in_throttles add column user_id uuid;
alter table sign_in_throttles add constraint sign_in_throttles_user_id_fkey foreign key (lio_id, user_id) references users (lio_id, id) on delete cascade;
create index sign_in_throttles_user on sign_in_throttles (user_id) where user_id is not null;

-- 2. Published service places (019) remade one service at a time. Two transactions changing different rows of one
--    service (its location in one, its name in the other) each deleted and remade the service's rows: the second's
--    delete waited for the first's, then saw none of the rows the first had inserted, and its insert gave way to them
--    (on conflict do nothing), so the read model kept the first's version. Each refresh now locks the services it
--    remakes, in order of id, before it reads them; the statements after the lock (of volatile functions) then see what
--    the other transaction committed. A row lock, not an advisory lock: an import remaking 100,000 services would
--    otherwise need 100,000 entries in the server's shared lock table.
--    The remaking itself is 019's, kept under another name.
alter function cg_refresh_service_places(uuid[]) rename to cg_remake_service_places;
create function cg_refresh_service_places(ids uuid[]) returns void
  language sql security definer set search_path = {{schema}}, public
as $$
  select 1 from services where id = any(ids) order by id for no key update;
  select cg_remake_service_places(ids);
$$;
revoke execute on function cg_refresh_service_places(uuid[]) from public;

-- 3. Changes a group proposed to its listing before 017, still waiting for staff, hold themes and groups served as
--    the form's labels then were ("Food"): rewritten to codes as 017 rewrote the organisations (the same words, kept
--    here because 017 is applied history), both what the record held and what the group asked for. A field whose two
--    sides become the same is no change any more, and is taken out.
create function pg_temp.vocabulary_codes_021(held jsonb, of_field text) returns jsonb language sql immutable as $$
  with vocabulary(field, variant, code) as (values
    ('themes', 'advice', 'advice'),
    ('themes', 'advice and information', 'advice'),
    ('themes', 'arts', 'arts'),
    ('themes', 'arts and culture', 'arts'),
    ('themes', 'loneliness', 'loneliness'),
    ('themes', 'befriending and loneliness', 'loneliness'),
    ('themes', 'families', 'families'),
    ('themes', 'children, young people and families', 'families'),
    ('themes', 'community', 'community'),
    ('themes', 'community development', 'community'),
    ('themes', 'crisis', 'crisis'),
    ('themes', 'crisis and emergency support', 'crisis'),
    ('themes', 'safety', 'safety'),
    ('themes', 'crime and community safety', 'safety'),
    ('themes', 'digital', 'digital'),
    ('themes', 'digital inclusion', 'digital'),
    ('themes', 'disability', 'disability'),
    ('themes', 'learning', 'learning'),
    ('themes', 'education and training', 'learning'),
    ('themes', 'employment', 'employment'),
    ('themes', 'employment and skills', 'employment'),
    ('themes', 'environment', 'environment'),
    ('themes', 'equalities', 'equalities'),
    ('themes', 'equalities and human rights', 'equalities'),
    ('themes', 'faith', 'faith'),
    ('themes', 'food', 'food'),
    ('themes', 'health', 'health'),
    ('themes', 'health and wellbeing', 'health'),
    ('themes', 'heritage', 'heritage'),
    ('themes', 'housing', 'housing'),
    ('themes', 'housing and homelessness', 'housing'),
    ('themes', 'mental_health', 'mental_health'),
    ('themes', 'mental health', 'mental_health'),
    ('themes', 'older', 'older'),
    ('themes', 'older people', 'older'),
    ('themes', 'money', 'money'),
    ('themes', 'poverty and cost of living', 'money'),
    ('themes', 'sport', 'sport'),
    ('themes', 'sport and physical activity', 'sport'),
    ('themes', 'transport', 'transport'),
    ('themes', 'volunteering', 'volunteering'),
    ('themes', 'children and young people', 'families'),
    ('themes', 'communities', 'equalities'),
    ('themes', 'mental-health', 'mental_health'),
    ('themes', 'poverty', 'money'),
    ('themes', 'cost of living', 'money'),
    ('groups_served', 'age', 'age'),
    ('groups_served', 'age (older or younger people)', 'age'),
    ('groups_served', 'disability', 'disability'),
    ('groups_served', 'race_ethnicity', 'race_ethnicity'),
    ('groups_served', 'race or ethnicity', 'race_ethnicity'),
    ('groups_served', 'religion_belief', 'religion_belief'),
    ('groups_served', 'religion or belief', 'religion_belief'),
    ('groups_served', 'sex', 'sex'),
    ('groups_served', 'sexual_orientation', 'sexual_orientation'),
    ('groups_served', 'sexual orientation', 'sexual_orientation'),
    ('groups_served', 'gender_reassignment', 'gender_reassignment'),
    ('groups_served', 'gender reassignment', 'gender_reassignment'),
    ('groups_served', 'pregnancy_maternity', 'pregnancy_maternity'),
    ('groups_served', 'pregnancy and maternity', 'pregnancy_maternity'),
    ('groups_served', 'marriage_civil_partnership', 'marriage_civil_partnership'),
    ('groups_served', 'marriage and civil partnership', 'marriage_civil_partnership'),
    ('groups_served', 'carers', 'carers'),
    ('groups_served', 'low_income', 'low_income'),
    ('groups_served', 'people on low incomes', 'low_income'),
    ('groups_served', 'veterans', 'veterans'),
    ('groups_served', 'armed forces veterans', 'veterans'),
    ('groups_served', 'refugees_asylum', 'refugees_asylum'),
    ('groups_served', 'refugees and people seeking asylum', 'refugees_asylum'),
    ('groups_served', 'homelessness', 'homelessness'),
    ('groups_served', 'people experiencing homelessness', 'homelessness'),
    ('groups_served', 'disabled people', 'disability'),
    ('groups_served', 'people who are homeless', 'homelessness'),
    ('groups_served', 'homeless people', 'homelessness'),
    ('groups_served', 'refugees and asylum seekers', 'refugees_asylum'),
    ('groups_served', 'refugees', 'refugees_asylum'),
    ('groups_served', 'low income', 'low_income'),
    ('groups_served', 'people on a low income', 'low_income')
  )
  select coalesce(jsonb_agg(value order by first), '[]') from (
    select coalesce(v.code, btrim(t.value)) as value, min(t.n) as first
    from jsonb_array_elements_text(held) with ordinality as t(value, n)
    left join vocabulary v on v.field = of_field and v.variant = lower(regexp_replace(btrim(t.value), '\s+', ' ', 'g'))
    group by 1
  ) held_codes
$$;

create function pg_temp.change_in_codes_021(changes jsonb, of_field text) returns jsonb language sql immutable as $$
  select case
    when jsonb_typeof(changes -> of_field -> 'from') is distinct from 'array' or jsonb_typeof(changes -> of_field -> 'to') is distinct from 'array' then changes
    when pg_temp.vocabulary_codes_021(changes -> of_field -> 'from', of_field) = pg_temp.vocabulary_codes_021(changes -> of_field -> 'to', of_field)
      then changes - of_field
    else jsonb_set(changes, array[of_field], jsonb_build_object(
      'from', pg_temp.vocabulary_codes_021(changes -> of_field -> 'from', of_field),
      'to', pg_temp.vocabulary_codes_021(changes -> of_field -> 'to', of_field)))
  end
$$;

update listing_changes
set changes = pg_temp.change_in_codes_021(pg_temp.change_in_codes_021(changes, 'themes'), 'groups_served')
where status = 'pending' and (changes ? 'themes' or changes ? 'groups_served')
  and changes is distinct from pg_temp.change_in_codes_021(pg_temp.change_in_codes_021(changes, 'themes'), 'groups_served');

drop function pg_temp.change_in_codes_021(jsonb, text);
drop function pg_temp.vocabulary_codes_021(jsonb, text);
