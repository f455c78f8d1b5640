-- One vocabulary for an organisation's themes and groups served (issue 11). The form offered labels ("Food"), the
-- demo seed and the filter used codes ("food"), so filtering by Food found nothing and the group's listing form
-- showed a theme twice. Held values are rewritten to the codes of src/directory/organisations/record.ts (THEMES,
-- GROUPS_SERVED): a code or label in any case, or a known other word for one. A value in neither list is kept as
-- it is (trimmed), never lost; repeats that become one code are kept once, in the order first held.

create function pg_temp.vocabulary_codes_017(held text[], of_field text) returns text[] language sql immutable as $$
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
  select coalesce(array_agg(value order by first), '{}') from (
    select coalesce(v.code, btrim(t.value)) as value, min(t.n) as first
    from unnest(held) with ordinality as t(value, n)
    left join vocabulary v on v.field = of_field and v.variant = lower(regexp_replace(btrim(t.value), '\s+', ' ', 'g'))
    group by 1
  ) held_codes
$$;

update organisations
set themes = pg_temp.vocabulary_codes_017(themes, 'themes'), groups_served = pg_temp.vocabulary_codes_017(groups_served, 'groups_served')
where themes is distinct from pg_temp.vocabulary_codes_017(themes, 'themes')
   or groups_served is distinct from pg_temp.vocabulary_codes_017(groups_served, 'groups_served');

drop function pg_temp.vocabulary_codes_017(text[], text);
