import type { ColumnType, Generated } from 'kysely';

/** Row types of migrations 006 (public search and signposting lists), 019 (published service places) and 035 (published services). */
export interface SignpostingListSendsTable {
  id: Generated<string>;
  lio_id: string;
  list_id: string;
  sent_at: ColumnType<Date, Date | string, Date | string>;
}

/** One place with a point of one service, kept by triggers from the source tables (read only for the app). */
export interface PublishedServicePlacesTable {
  lio_id: string;
  service_id: string;
  location_id: string;
  latitude: number;
  longitude: number;
  /** floor(latitude × 20), for the index searches near a place read (migration 035) */
  latitude_band: ColumnType<number, never, never>;
  name: string;
  status: string;
  consent_to_publish: boolean;
  organisation_status: string;
  organisation_consent_to_publish: boolean;
  organisation_merged_into_id: string | null;
  term_ids: string[];
  delivery_modes: string[];
  is_free: boolean;
  minimum_age: number | null;
  maximum_age: number | null;
}

/** One service, with a place or not, kept by the same triggers for searches not near a place (read only for the app). */
export type PublishedServicesTable = Omit<PublishedServicePlacesTable, 'location_id' | 'latitude' | 'longitude' | 'latitude_band'>;

export interface PublicSearchTables {
  signposting_list_sends: SignpostingListSendsTable;
  published_service_places: PublishedServicePlacesTable;
  published_services: PublishedServicesTable;
}
