-- Import speed: the parts of a service, location or organisation stop checking their LIO row on every write.
--
-- Each foreign key is checked row by row, and in an ORUK import of 100,000 services (1.4 million rows) those
-- checks were the largest single cost on PostgreSQL (profiled with perf: about 38% of the backend's CPU, half
-- of it on lio_id). For the tables below the check on lio_id adds nothing:
--   * which LIO a row belongs to is already pinned by row-level security (`with check (lio_id = cg_current_lio())`);
--   * every row has an owner it cascades from (a service, venue, contact, phone or taxonomy term), and that owner
--     cascades from its LIO, so deleting a LIO still deletes the row.
-- The owner is guaranteed by a NOT NULL column or, where a part may belong to one of several owners, by the
-- checks added here. Organisations, locations (a venue may have no organisation), taxonomies and every other
-- table keep their foreign key to lios; a service always has its organisation (organisation_id is NOT NULL).
alter table schedules add constraint schedules_owner check (num_nonnulls(service_id, service_at_location_id) >= 1);
alter table contacts add constraint contacts_owner check (num_nonnulls(organisation_id, service_id) >= 1);
alter table phones add constraint phones_owner check (num_nonnulls(organisation_id, service_id, location_id, contact_id) >= 1);
alter table languages add constraint languages_owner check (num_nonnulls(service_id, phone_id, location_id) >= 1);

alter table services drop constraint services_lio_id_fkey;
alter table service_at_locations drop constraint service_at_locations_lio_id_fkey;
alter table schedules drop constraint schedules_lio_id_fkey;
alter table contacts drop constraint contacts_lio_id_fkey;
alter table phones drop constraint phones_lio_id_fkey;
alter table languages drop constraint languages_lio_id_fkey;
alter table cost_options drop constraint cost_options_lio_id_fkey;
alter table service_areas drop constraint service_areas_lio_id_fkey;
alter table service_delivery_changes drop constraint service_delivery_changes_lio_id_fkey;
alter table attributes drop constraint attributes_lio_id_fkey;

-- service_at_locations_location_service (location_id) include (service_id, lio_id) serves every lookup this one did.
drop index service_at_locations_location;
