import type { ColumnType, Generated } from 'kysely';

/** Row types of migrations 006 (public search and signposting lists) and 019 (published service places). */
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

export interface PublicSearchTables {
  signposting_list_sends: SignpostingListSendsTable;
  published_service_places: PublishedServicePlacesTable;
}
