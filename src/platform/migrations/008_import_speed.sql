-- Import speed: the GiST index of locations on ll_to_earth(latitude, longitude) is dropped.
--
-- It cost more than half of the time of writing a location (a GiST insertion computes a cube and descends the
-- tree by penalty for every row: about 60% of an ORUK import's location writes, measured), and nothing uses it:
-- every query of the app runs under row-level security, where PostgreSQL uses an index only for leakproof
-- operators, and cube's @> is not one (see 006). Distance search goes through the latitude/longitude btree
-- locations_lat_lng (006), then computes the exact distance on the rows inside the box.
drop index if exists locations_earth;
