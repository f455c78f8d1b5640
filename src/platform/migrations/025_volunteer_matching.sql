-- Matching volunteers and roles, and the public listing of roles. Matching scores in SQL over candidates found by
-- index: a role's place narrows its volunteers to those whose own travel distance could reach it.

-- Kilometres between two points on the Earth (haversine), for "3.2 km away" and the travel-distance rule.
create function volunteering_distance_km(lat1 double precision, lon1 double precision, lat2 double precision, lon2 double precision)
returns double precision language sql immutable parallel safe as $$
  select 2 * 6371 * asin(sqrt(power(sin(radians(lat2 - lat1) / 2), 2) + cos(radians(lat1)) * cos(radians(lat2)) * power(sin(radians(lon2 - lon1) / 2), 2)))
$$;

-- A volunteer's travel distance rounded up to a band (5, 10, 25, 50 km, or further). Volunteers of one band can be
-- found in a box of that size around a role, by index, without knowing each one's distance first. Not said: 10 km.
create function volunteering_travel_band(km integer) returns integer language sql immutable parallel safe as $$
  select case when coalesce(km, 10) <= 5 then 5 when coalesce(km, 10) <= 10 then 10 when coalesce(km, 10) <= 25 then 25
    when coalesce(km, 10) <= 50 then 50 else 500 end
$$;

create index volunteers_matching_place on volunteers (lio_id, volunteering_travel_band(travel_km), latitude, longitude)
  where status <> 'inactive' and in_person and latitude is not null;
create index volunteers_matching_remote on volunteers using gin (skills, causes) where status <> 'inactive' and remote;
create index volunteers_causes on volunteers using gin (causes);

create index opportunities_published on opportunities (lio_id, closing_on) where status = 'published';
create index opportunities_published_place on opportunities (lio_id, latitude, longitude) where status = 'published' and in_person;
create index opportunities_published_remote on opportunities (lio_id) where status = 'published' and remote;
create index opportunities_causes on opportunities using gin (causes);

-- A volunteer's passed DBS checks, for the role's required level.
create index vetting_checks_dbs_passed on vetting_checks (volunteer_id, expires_on) include (dbs_level) where kind = 'dbs' and outcome = 'passed';
-- Who was offered something lately: fair spreading and the coordinators' share figure.
create index referrals_recent on referrals (lio_id, created_at) include (volunteer_id);
