-- Indexes under the foreign keys that had none, where the referenced records are many.
--
-- Deleting a record makes PostgreSQL find the rows naming it (to cascade, or set null) once per deleted record; with
-- no index on the naming column that is a scan of the whole table each time. A re-import replaces the contacts of
-- its services, each contact's phones go with it, and each phone's languages were looked for across every language
-- of the directory: a re-import of 100,000 services scanned the languages table 100,000 times. Deleting an
-- organisation scanned every venue, contact and phone, and deleting a LIO did so once per organisation.
create index languages_phone on languages (phone_id) where phone_id is not null;
create index locations_organisation on locations (organisation_id) where organisation_id is not null;
create index contacts_organisation on contacts (organisation_id) where organisation_id is not null;
create index phones_organisation on phones (organisation_id) where organisation_id is not null;
create index signposting_list_items_service on signposting_list_items (service_id);
create index users_organisation on users (organisation_id) where organisation_id is not null;
-- Keys to users: deleting a user (or a LIO, user by user) looked through these tables once per user.
create index user_tokens_user on user_tokens (user_id);
create index api_tokens_created_by on api_tokens (created_by) where created_by is not null;
create index listing_changes_submitted_by on listing_changes (submitted_by) where submitted_by is not null;
create index listing_changes_reviewed_by on listing_changes (reviewed_by) where reviewed_by is not null;
-- Keys to lios keep none: a LIO is deleted one at a time, so each of those tables is looked through once.
