import type { ColumnType, Generated, JSONColumnType } from 'kysely';

/** Row types of the directory tables (migration 002), shaped on Open Referral UK. */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
/** `date` columns come back as Date objects from both engines. */
type DateColumn = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Opt<T> = ColumnType<T | null, T | null | undefined, T | null>;
type TextArray = ColumnType<string[], string[] | undefined, string[]>;

export type OrganisationType = 'registered_charity' | 'cio' | 'cic' | 'company_limited_by_guarantee' | 'unincorporated' | 'mutual_aid'
  | 'faith_group' | 'social_enterprise' | 'parish_council' | 'statutory_body';
export type ServiceStatus = 'active' | 'inactive' | 'defunct' | 'temporarily closed';
export type DeliveryMode = 'in_person' | 'phone' | 'online' | 'home_visit';

/** Columns migration 002 adds to `organisations`. */
export interface OrganisationDirectoryColumns {
  other_names: TextArray;
  organisation_type: Opt<OrganisationType>;
  charity_number: Opt<string>;
  company_number: Opt<string>;
  description: ColumnType<string, string | undefined, string>;
  website: Opt<string>;
  email: Opt<string>;
  phone: Opt<string>;
  address: Opt<string>;
  postcode: Opt<string>;
  latitude: Opt<number>;
  longitude: Opt<number>;
  areas_served: TextArray;
  themes: TextArray;
  groups_served: TextArray;
  income_band: Opt<'under_10k' | '10k_100k' | '100k_1m' | '1m_plus' | 'unknown'>;
  staff_count: Opt<number>;
  volunteer_count: Opt<number>;
  membership: ColumnType<'member' | 'associate' | 'lapsed' | 'none', 'member' | 'associate' | 'lapsed' | 'none' | undefined, 'member' | 'associate' | 'lapsed' | 'none'>;
  status: ColumnType<'active' | 'dormant' | 'closed', 'active' | 'dormant' | 'closed' | undefined, 'active' | 'dormant' | 'closed'>;
  consent_to_publish: ColumnType<boolean, boolean | undefined, boolean>;
  last_verified_at: NullableTimestamp;
  relationship: ColumnType<string, string | undefined, string>;
  merged_into_id: Opt<string>;
  external_id: Opt<string>;
}

export interface OrganisationEventsTable {
  id: Generated<string>; lio_id: string; organisation_id: string; occurred_at: Timestamp; actor_label: string; kind: string; summary: string;
  detail: JSONColumnType<Record<string, unknown>, string | undefined, string>;
}

export interface ListingChangesTable {
  id: Generated<string>; lio_id: string; organisation_id: string; service_id: Opt<string>; submitted_by: Opt<string>; submitted_at: Timestamp;
  status: ColumnType<'pending' | 'approved' | 'rejected', 'pending' | undefined, 'pending' | 'approved' | 'rejected'>;
  changes: JSONColumnType<Record<string, { from: unknown; to: unknown }>, string, string>;
  reviewed_by: Opt<string>; reviewed_at: NullableTimestamp; review_note: Opt<string>;
}

export interface TaxonomiesTable {
  id: Generated<string>; lio_id: string; name: string; description: ColumnType<string, string | undefined, string>; uri: Opt<string>; version: Opt<string>;
  created_at: Timestamp; updated_at: Timestamp;
}

export interface TaxonomyTermsTable {
  id: Generated<string>; lio_id: string; taxonomy_id: string; code: string; name: string; description: ColumnType<string, string | undefined, string>;
  parent_id: Opt<string>; term_uri: Opt<string>; created_at: Timestamp; updated_at: Timestamp;
}

export interface LocationsTable {
  id: Generated<string>; lio_id: string; organisation_id: Opt<string>;
  location_type: ColumnType<'physical' | 'postal' | 'virtual', 'physical' | 'postal' | 'virtual' | undefined, 'physical' | 'postal' | 'virtual'>;
  name: Opt<string>; description: Opt<string>; latitude: Opt<number>; longitude: Opt<number>;
  external_identifier: Opt<string>; external_identifier_type: Opt<string>;
  address_1: Opt<string>; address_2: Opt<string>; city: Opt<string>; region: Opt<string>; state_province: Opt<string>; postal_code: Opt<string>;
  country: ColumnType<string, string | undefined, string>; accessibility: Opt<string>; accessibility_details: Opt<string>;
  created_at: Timestamp; updated_at: Timestamp;
}

export interface ServicesTable {
  id: Generated<string>; lio_id: string; organisation_id: string; name: string; description: ColumnType<string, string | undefined, string>;
  url: Opt<string>; email: Opt<string>; status: ColumnType<ServiceStatus, ServiceStatus | undefined, ServiceStatus>;
  fees_description: Opt<string>; accreditations: Opt<string>; minimum_age: Opt<number>; maximum_age: Opt<number>;
  assured_date: DateColumn; assurer_email: Opt<string>; alert: Opt<string>;
  delivery_modes: ColumnType<DeliveryMode[], DeliveryMode[] | undefined, DeliveryMode[]>;
  is_free: ColumnType<boolean, boolean | undefined, boolean>;
  consent_to_publish: ColumnType<boolean, boolean | undefined, boolean>;
  external_id: Opt<string>;
  created_at: Timestamp; updated_at: Timestamp;
  search_text: ColumnType<string, never, never>;
}

export interface ServiceAtLocationsTable { id: Generated<string>; lio_id: string; service_id: string; location_id: string; description: Opt<string> }

export interface ServiceDeliveryChangesTable {
  id: Generated<string>; lio_id: string; service_id: string; changed_on: ColumnType<Date, Date | string, Date | string>;
  delivery_modes: ColumnType<DeliveryMode[], DeliveryMode[], DeliveryMode[]>; status: string; note: Opt<string>;
}

export interface ContactsTable { id: Generated<string>; lio_id: string; organisation_id: Opt<string>; service_id: Opt<string>; name: Opt<string>; title: Opt<string>; department: Opt<string>; email: Opt<string> }

export interface PhonesTable {
  id: Generated<string>; lio_id: string; organisation_id: Opt<string>; service_id: Opt<string>; location_id: Opt<string>; contact_id: Opt<string>;
  number: string; extension: Opt<string>; type: Opt<string>; description: Opt<string>;
}

export interface SchedulesTable {
  id: Generated<string>; lio_id: string; service_id: Opt<string>; service_at_location_id: Opt<string>;
  valid_from: DateColumn; valid_to: DateColumn; dtstart: DateColumn; freq: Opt<'WEEKLY' | 'MONTHLY'>; interval: Opt<number>;
  byday: Opt<string>; bymonthday: Opt<string>; opens_at: Opt<string>; closes_at: Opt<string>;
  description: Opt<string>; notes: Opt<string>; attending_type: Opt<string>; schedule_link: Opt<string>;
}

export interface CostOptionsTable {
  id: Generated<string>; lio_id: string; service_id: string; valid_from: DateColumn; valid_to: DateColumn; option: Opt<string>;
  /** numeric comes back as a string to keep pence exact */
  amount: ColumnType<string | null, string | number | null | undefined, string | number | null>;
  currency: ColumnType<string, string | undefined, string>; amount_description: Opt<string>;
}

export interface ServiceAreasTable { id: Generated<string>; lio_id: string; service_id: string; name: Opt<string>; description: Opt<string>; extent: Opt<string>; extent_type: Opt<string>; uri: Opt<string> }

export interface LanguagesTable { id: Generated<string>; lio_id: string; service_id: Opt<string>; phone_id: Opt<string>; location_id: Opt<string>; name: Opt<string>; code: Opt<string>; note: Opt<string> }

export interface AttributesTable {
  id: Generated<string>; lio_id: string; link_id: string; link_type: 'service' | 'organization' | 'location'; link_entity: Opt<string>;
  taxonomy_term_id: string; value: Opt<string>;
}

export interface SignpostingListsTable { id: Generated<string>; lio_id: string; share_code: string; title: ColumnType<string, string | undefined, string>; created_by: Opt<string>; created_at: Timestamp; updated_at: Timestamp }
export interface SignpostingListItemsTable { list_id: string; lio_id: string; service_id: string; position: number; note: Opt<string> }
export interface VerificationRequestsTable { id: Generated<string>; lio_id: string; organisation_id: string; token_hash: string; sent_at: Timestamp; confirmed_at: NullableTimestamp }

export interface PostcodesTable {
  postcode: string; latitude: Opt<number>; longitude: Opt<number>; ward_code: Opt<string>; local_authority_code: Opt<string>;
  lsoa_code: Opt<string>; imd_rank: Opt<number>; terminated_on: DateColumn;
}

export interface DirectoryTables {
  organisation_events: OrganisationEventsTable;
  listing_changes: ListingChangesTable;
  taxonomies: TaxonomiesTable;
  taxonomy_terms: TaxonomyTermsTable;
  locations: LocationsTable;
  services: ServicesTable;
  service_at_locations: ServiceAtLocationsTable;
  service_delivery_changes: ServiceDeliveryChangesTable;
  contacts: ContactsTable;
  phones: PhonesTable;
  schedules: SchedulesTable;
  cost_options: CostOptionsTable;
  service_areas: ServiceAreasTable;
  languages: LanguagesTable;
  attributes: AttributesTable;
  signposting_lists: SignpostingListsTable;
  signposting_list_items: SignpostingListItemsTable;
  verification_requests: VerificationRequestsTable;
  postcodes: PostcodesTable;
}
