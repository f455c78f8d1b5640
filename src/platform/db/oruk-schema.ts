import type { ColumnType, Generated, JSONColumnType } from 'kysely';

/**
 * Row types of migration 005 (Open Referral UK exchange). The columns it adds to tables declared elsewhere
 * are merged into those declarations here (TypeScript interface merging), so the base files stay as they are.
 */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Opt<T> = ColumnType<T | null, T | null | undefined, T | null>;

declare module './schema.js' {
  interface OrganisationsTable {
    logo: Opt<string>;
    uri: Opt<string>;
    /** the feed's reference to a parent organisation, which may not be held here */
    parent_organization_id: Opt<string>;
  }
}

declare module './directory-schema.js' {
  interface LocationsTable {
    external_id: Opt<string>;
    address_id: Opt<string>;
    address_attention: Opt<string>;
    address_type: Opt<'physical' | 'postal' | 'virtual'>;
    accessibility_id: Opt<string>;
    accessibility_url: Opt<string>;
  }
  interface TaxonomiesTable {
    external_id: Opt<string>;
  }
  interface TaxonomyTermsTable {
    external_id: Opt<string>;
    /** a feed's parent reference naming no term held here */
    parent_external_id: Opt<string>;
  }
  interface ServiceAreasTable {
    service_area: Opt<string>;
  }
}

export interface OrganizationIdentifiersTable {
  id: Generated<string>; lio_id: string; organisation_id: string; identifier_scheme: Opt<string>; identifier_type: string; identifier: string;
}

export interface FundingTable { id: Generated<string>; lio_id: string; organisation_id: Opt<string>; service_id: Opt<string>; source: Opt<string> }

export type DirectoryImportKind = 'oruk' | 'hsds_csv' | 'organisations_csv' | 'services_csv' | 'taxonomy';

/** queued and running: an import started on the admin page, which its job has not finished */
export type DirectoryImportStatus = 'queued' | 'running' | 'completed' | 'rejected';

export interface DirectoryImportsTable {
  id: Generated<string>; lio_id: string; kind: DirectoryImportKind; source: string; status: DirectoryImportStatus;
  started_at: Timestamp; finished_at: NullableTimestamp; actor_label: string;
  /** a queued import's records read, written and refused so far */
  progress: JSONColumnType<Record<string, unknown>, string | undefined, string>;
  /** when the process running a queued import last said it was alive */
  heartbeat_at: NullableTimestamp;
  counts: JSONColumnType<Record<string, unknown>, string | undefined, string>;
  issues: JSONColumnType<unknown[], string | undefined, string>;
}

export interface OrukTables {
  organization_identifiers: OrganizationIdentifiersTable;
  funding: FundingTable;
  directory_imports: DirectoryImportsTable;
}
