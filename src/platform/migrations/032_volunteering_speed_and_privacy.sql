-- Matching by index (src/volunteering/matching/tiers.ts): each round asks for the volunteers, or the roles, that hold a
-- set of the other side's skills, causes and slots, so these arrays are indexed the way the rounds ask for them.
-- Causes are matched with interests, as the score counts them.
create index volunteers_matching_causes on volunteers using gin ((causes || interests)) where status <> 'inactive';
create index volunteers_matching_availability on volunteers using gin (availability) where status <> 'inactive';
create index opportunities_published_availability on opportunities using gin (availability) where status = 'published';
-- Roles for any time hold every slot of a volunteer's.
create index opportunities_published_any_time on opportunities (lio_id) where status = 'published' and availability = '{}';
