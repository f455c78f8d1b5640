-- Links between tenant tables name the LIO as well as the record.
--
-- Row-level security does not stop a link across LIOs: a foreign key is checked by PostgreSQL itself, past every
-- policy, so as the application role with one LIO set a row could name another LIO's organisation (and learn, from
-- the answer, that its id exists). Each key below now includes lio_id and refers to (lio_id, id) of its table, so
-- a row can only point at a record of its own LIO, and another LIO's id is refused exactly as one that does not
-- exist. What each key does on delete is kept; "set null (column)" empties the link and leaves lio_id alone
-- (PostgreSQL 15 or newer). Existing data keeps working as long as its links stay within their LIO, as the app
-- has always made them.

-- The (lio_id, id) pairs the keys refer to. id alone is already unique; this is what a composite key needs.
alter table contacts add constraint contacts_lio_id_id_key unique (lio_id, id);
alter table locations add constraint locations_lio_id_id_key unique (lio_id, id);
alter table organisations add constraint organisations_lio_id_id_key unique (lio_id, id);
alter table people add constraint people_lio_id_id_key unique (lio_id, id);
alter table phones add constraint phones_lio_id_id_key unique (lio_id, id);
alter table service_at_locations add constraint service_at_locations_lio_id_id_key unique (lio_id, id);
alter table services add constraint services_lio_id_id_key unique (lio_id, id);
alter table signposting_lists add constraint signposting_lists_lio_id_id_key unique (lio_id, id);
alter table taxonomies add constraint taxonomies_lio_id_id_key unique (lio_id, id);
alter table taxonomy_terms add constraint taxonomy_terms_lio_id_id_key unique (lio_id, id);
alter table users add constraint users_lio_id_id_key unique (lio_id, id);

-- links to contacts
alter table phones drop constraint phones_contact_id_fkey,
  add constraint phones_contact_id_fkey foreign key (lio_id, contact_id) references contacts (lio_id, id) on delete cascade;
-- links to locations
alter table languages drop constraint languages_location_id_fkey,
  add constraint languages_location_id_fkey foreign key (lio_id, location_id) references locations (lio_id, id) on delete cascade;
alter table phones drop constraint phones_location_id_fkey,
  add constraint phones_location_id_fkey foreign key (lio_id, location_id) references locations (lio_id, id) on delete cascade;
alter table service_at_locations drop constraint service_at_locations_location_id_fkey,
  add constraint service_at_locations_location_id_fkey foreign key (lio_id, location_id) references locations (lio_id, id) on delete cascade;
-- links to organisations
alter table contacts drop constraint contacts_organisation_id_fkey,
  add constraint contacts_organisation_id_fkey foreign key (lio_id, organisation_id) references organisations (lio_id, id) on delete cascade;
alter table funding drop constraint funding_organisation_id_fkey,
  add constraint funding_organisation_id_fkey foreign key (lio_id, organisation_id) references organisations (lio_id, id) on delete cascade;
alter table listing_changes drop constraint listing_changes_organisation_id_fkey,
  add constraint listing_changes_organisation_id_fkey foreign key (lio_id, organisation_id) references organisations (lio_id, id) on delete cascade;
alter table locations drop constraint locations_organisation_id_fkey,
  add constraint locations_organisation_id_fkey foreign key (lio_id, organisation_id) references organisations (lio_id, id) on delete cascade;
alter table organisation_events drop constraint organisation_events_organisation_id_fkey,
  add constraint organisation_events_organisation_id_fkey foreign key (lio_id, organisation_id) references organisations (lio_id, id) on delete cascade;
alter table organisations drop constraint organisations_merged_into_id_fkey,
  add constraint organisations_merged_into_id_fkey foreign key (lio_id, merged_into_id) references organisations (lio_id, id);
alter table organization_identifiers drop constraint organization_identifiers_organisation_id_fkey,
  add constraint organization_identifiers_organisation_id_fkey foreign key (lio_id, organisation_id) references organisations (lio_id, id) on delete cascade;
alter table phones drop constraint phones_organisation_id_fkey,
  add constraint phones_organisation_id_fkey foreign key (lio_id, organisation_id) references organisations (lio_id, id) on delete cascade;
alter table services drop constraint services_organisation_id_fkey,
  add constraint services_organisation_id_fkey foreign key (lio_id, organisation_id) references organisations (lio_id, id) on delete cascade;
alter table users drop constraint users_organisation_id_fkey,
  add constraint users_organisation_id_fkey foreign key (lio_id, organisation_id) references organisations (lio_id, id) on delete set null (organisation_id);
alter table verification_requests drop constraint verification_requests_organisation_id_fkey,
  add constraint verification_requests_organisation_id_fkey foreign key (lio_id, organisation_id) references organisations (lio_id, id) on delete cascade;
-- links to people
alter table consents drop constraint consents_person_id_fkey,
  add constraint consents_person_id_fkey foreign key (lio_id, person_id) references people (lio_id, id) on delete cascade;
alter table people drop constraint people_merged_into_id_fkey,
  add constraint people_merged_into_id_fkey foreign key (lio_id, merged_into_id) references people (lio_id, id);
alter table users drop constraint users_person_id_fkey,
  add constraint users_person_id_fkey foreign key (lio_id, person_id) references people (lio_id, id);
-- links to phones
alter table languages drop constraint languages_phone_id_fkey,
  add constraint languages_phone_id_fkey foreign key (lio_id, phone_id) references phones (lio_id, id) on delete cascade;
-- links to service_at_locations
alter table schedules drop constraint schedules_service_at_location_id_fkey,
  add constraint schedules_service_at_location_id_fkey foreign key (lio_id, service_at_location_id) references service_at_locations (lio_id, id) on delete cascade;
-- links to services
alter table contacts drop constraint contacts_service_id_fkey,
  add constraint contacts_service_id_fkey foreign key (lio_id, service_id) references services (lio_id, id) on delete cascade;
alter table cost_options drop constraint cost_options_service_id_fkey,
  add constraint cost_options_service_id_fkey foreign key (lio_id, service_id) references services (lio_id, id) on delete cascade;
alter table funding drop constraint funding_service_id_fkey,
  add constraint funding_service_id_fkey foreign key (lio_id, service_id) references services (lio_id, id) on delete cascade;
alter table languages drop constraint languages_service_id_fkey,
  add constraint languages_service_id_fkey foreign key (lio_id, service_id) references services (lio_id, id) on delete cascade;
alter table listing_changes drop constraint listing_changes_service_fk,
  add constraint listing_changes_service_fk foreign key (lio_id, service_id) references services (lio_id, id) on delete cascade;
alter table phones drop constraint phones_service_id_fkey,
  add constraint phones_service_id_fkey foreign key (lio_id, service_id) references services (lio_id, id) on delete cascade;
alter table schedules drop constraint schedules_service_id_fkey,
  add constraint schedules_service_id_fkey foreign key (lio_id, service_id) references services (lio_id, id) on delete cascade;
alter table service_areas drop constraint service_areas_service_id_fkey,
  add constraint service_areas_service_id_fkey foreign key (lio_id, service_id) references services (lio_id, id) on delete cascade;
alter table service_at_locations drop constraint service_at_locations_service_id_fkey,
  add constraint service_at_locations_service_id_fkey foreign key (lio_id, service_id) references services (lio_id, id) on delete cascade;
alter table service_delivery_changes drop constraint service_delivery_changes_service_id_fkey,
  add constraint service_delivery_changes_service_id_fkey foreign key (lio_id, service_id) references services (lio_id, id) on delete cascade;
alter table signposting_list_items drop constraint signposting_list_items_service_id_fkey,
  add constraint signposting_list_items_service_id_fkey foreign key (lio_id, service_id) references services (lio_id, id) on delete cascade;
-- links to signposting_lists
alter table signposting_list_items drop constraint signposting_list_items_list_id_fkey,
  add constraint signposting_list_items_list_id_fkey foreign key (lio_id, list_id) references signposting_lists (lio_id, id) on delete cascade;
alter table signposting_list_sends drop constraint signposting_list_sends_list_id_fkey,
  add constraint signposting_list_sends_list_id_fkey foreign key (lio_id, list_id) references signposting_lists (lio_id, id) on delete cascade;
-- links to taxonomies
alter table taxonomy_terms drop constraint taxonomy_terms_taxonomy_id_fkey,
  add constraint taxonomy_terms_taxonomy_id_fkey foreign key (lio_id, taxonomy_id) references taxonomies (lio_id, id) on delete cascade;
-- links to taxonomy_terms
alter table attributes drop constraint attributes_taxonomy_term_id_fkey,
  add constraint attributes_taxonomy_term_id_fkey foreign key (lio_id, taxonomy_term_id) references taxonomy_terms (lio_id, id) on delete cascade;
alter table taxonomy_terms drop constraint taxonomy_terms_parent_id_fkey,
  add constraint taxonomy_terms_parent_id_fkey foreign key (lio_id, parent_id) references taxonomy_terms (lio_id, id) on delete set null (parent_id);
-- links to users
alter table api_tokens drop constraint api_tokens_created_by_fkey,
  add constraint api_tokens_created_by_fkey foreign key (lio_id, created_by) references users (lio_id, id) on delete set null (created_by);
alter table consents drop constraint consents_recorded_by_fkey,
  add constraint consents_recorded_by_fkey foreign key (lio_id, recorded_by) references users (lio_id, id) on delete set null (recorded_by);
alter table listing_changes drop constraint listing_changes_reviewed_by_fkey,
  add constraint listing_changes_reviewed_by_fkey foreign key (lio_id, reviewed_by) references users (lio_id, id) on delete set null (reviewed_by);
alter table listing_changes drop constraint listing_changes_submitted_by_fkey,
  add constraint listing_changes_submitted_by_fkey foreign key (lio_id, submitted_by) references users (lio_id, id) on delete set null (submitted_by);
alter table sessions drop constraint sessions_user_id_fkey,
  add constraint sessions_user_id_fkey foreign key (lio_id, user_id) references users (lio_id, id) on delete cascade;
alter table signposting_lists drop constraint signposting_lists_created_by_fkey,
  add constraint signposting_lists_created_by_fkey foreign key (lio_id, created_by) references users (lio_id, id) on delete set null (created_by);
alter table user_tokens drop constraint user_tokens_user_id_fkey,
  add constraint user_tokens_user_id_fkey foreign key (lio_id, user_id) references users (lio_id, id) on delete cascade;
