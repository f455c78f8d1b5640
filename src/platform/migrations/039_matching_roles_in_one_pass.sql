-- Roles for a volunteer in one pass. A large LIO has tens of thousands of roles, not a million: every open role within
-- a volunteer's reach can be scored straight from an index, without rounds of narrowing. The rounds (034) read roles by
-- their features wherever they were and then fetched each from the table, which cost 0.2–0.8 s at 50,000 roles; a
-- volunteer who travels 100 km reaches 30,000 of them, and these indexes hold all that is judged (features, place,
-- closing date, minimum age, DBS level), so the scan reads no table row.
create index opportunities_match_near on opportunities (lio_id, grid_y, grid_x)
  include (id, match_skills, match_causes, match_slots, latitude, longitude, closing_on, minimum_age, dbs_level, remote)
  where status = 'published' and in_person and latitude is not null;
create index opportunities_match_remote on opportunities (lio_id)
  include (id, match_skills, match_causes, match_slots, latitude, longitude, closing_on, minimum_age, dbs_level, in_person)
  where status = 'published' and remote;

drop function cg_roles_near(double precision, double precision, integer, double precision, double precision, integer, integer, integer, double precision);
drop function cg_roles_with_keys(bigint[], bigint[], bigint[], bigint[], bigint[]);
drop index opportunities_match_place;
drop index opportunities_match_keys;
alter table opportunities drop column match_keys;
drop function volunteering_role_keys(text, text[], text[], text[], boolean, boolean, double precision, double precision);
