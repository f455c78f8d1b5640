-- One vocabulary for an organisation's themes and groups served (issue 11). The form offered labels ("Food"), the
-- demo seed and the filter used codes ("food"), so filtering by Food found nothing and the group's listing form
-- showed a theme twice. Held values are rewritten to the codes of src/directory/organisations/record.ts (THEMES,
-- GROUPS_SERVED): a code or label in any case, or a known other word for one. A value in neither list is kept as
-- it is (trimmed), never lost; repeats that become one code are kept once, in the order first held.

with vocabulary(variant, code) as (values
  ('advice', 'advice'),
  ('advice and information', 'advice'),
  ('arts', 'arts'),
  ('arts and culture', 'arts'),
  ('loneliness', 'loneliness'),
  ('befriending and loneliness', 'loneliness'),
  ('families', 'families'),
  ('children, young people and families', 'families'),
  ('community', 'community'),
  ('community development', 'community'),
  ('crisis', 'crisis'),
  ('crisis and emergency support', 'crisis'),
  ('safety', 'safety'),
  ('crime and community safety', 'safety'),
  ('digital', 'digital'),
  ('digital inclusion', 'digital'),
  ('disability', 'disability'),
  ('learning', 'learning'),
  ('education and training', 'learning'),
  ('employment', 'employment'),
  ('employment and skills', 'employment'),
  ('environment', 'environment'),
  ('equalities', 'equalities'),
  ('equalities and human rights', 'equalities'),
  ('faith', 'faith'),
  ('food', 'food'),
  ('health', 'health'),
  ('health and wellbeing', 'health'),
  ('heritage', 'heritage'),
  ('housing', 'housing'),
  ('housing and homelessness', 'housing'),
  ('mental_health', 'mental_health'),
  ('mental health', 'mental_health'),
  ('older', 'older'),
  ('older people', 'older'),
  ('money', 'money'),
  ('poverty and cost of living', 'money'),
  ('sport', 'sport'),
  ('sport and physical activity', 'sport'),
  ('transport', 'transport'),
  ('volunteering', 'volunteering'),
  ('children and young people', 'families'),
  ('communities', 'equalities'),
  ('mental-health', 'mental_health'),
  ('poverty', 'money'),
  ('cost of living', 'money')
), normalised as (
  select o.id, array_agg(n.value order by n.first) as codes
  from organisations o
  cross join lateral (
    select coalesce(v.code, btrim(t.value)) as value, min(t.n) as first
    from unnest(o.themes) with ordinality as t(value, n)
    left join vocabulary v on v.variant = lower(regexp_replace(btrim(t.value), '\s+', ' ', 'g'))
    group by 1
  ) n
  group by o.id
)
update organisations o set themes = normalised.codes
from normalised
where normalised.id = o.id and normalised.codes is distinct from o.themes;

with vocabulary(variant, code) as (values
  ('age', 'age'),
  ('age (older or younger people)', 'age'),
  ('disability', 'disability'),
  ('race_ethnicity', 'race_ethnicity'),
  ('race or ethnicity', 'race_ethnicity'),
  ('religion_belief', 'religion_belief'),
  ('religion or belief', 'religion_belief'),
  ('sex', 'sex'),
  ('sexual_orientation', 'sexual_orientation'),
  ('sexual orientation', 'sexual_orientation'),
  ('gender_reassignment', 'gender_reassignment'),
  ('gender reassignment', 'gender_reassignment'),
  ('pregnancy_maternity', 'pregnancy_maternity'),
  ('pregnancy and maternity', 'pregnancy_maternity'),
  ('marriage_civil_partnership', 'marriage_civil_partnership'),
  ('marriage and civil partnership', 'marriage_civil_partnership'),
  ('carers', 'carers'),
  ('low_income', 'low_income'),
  ('people on low incomes', 'low_income'),
  ('veterans', 'veterans'),
  ('armed forces veterans', 'veterans'),
  ('refugees_asylum', 'refugees_asylum'),
  ('refugees and people seeking asylum', 'refugees_asylum'),
  ('homelessness', 'homelessness'),
  ('people experiencing homelessness', 'homelessness'),
  ('disabled people', 'disability'),
  ('people who are homeless', 'homelessness'),
  ('homeless people', 'homelessness'),
  ('refugees and asylum seekers', 'refugees_asylum'),
  ('refugees', 'refugees_asylum'),
  ('low income', 'low_income'),
  ('people on a low income', 'low_income')
), normalised as (
  select o.id, array_agg(n.value order by n.first) as codes
  from organisations o
  cross join lateral (
    select coalesce(v.code, btrim(t.value)) as value, min(t.n) as first
    from unnest(o.groups_served) with ordinality as t(value, n)
    left join vocabulary v on v.variant = lower(regexp_replace(btrim(t.value), '\s+', ' ', 'g'))
    group by 1
  ) n
  group by o.id
)
update organisations o set groups_served = normalised.codes
from normalised
where normalised.id = o.id and normalised.codes is distinct from o.groups_served;
