import type { ColumnType, Generated } from 'kysely';

/** Row types of migration 006 (public search and signposting lists). */
export interface SignpostingListSendsTable {
  id: Generated<string>;
  lio_id: string;
  list_id: string;
  sent_at: ColumnType<Date, Date | string, Date | string>;
}

export interface PublicSearchTables {
  signposting_list_sends: SignpostingListSendsTable;
}
