import type { ColumnType, Generated } from 'kysely';

/** Row types of the people capability's tables (migration 014). */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type TextList = ColumnType<string[], string[] | undefined, string[]>;

export type ContactMethod = 'email' | 'phone' | 'text' | 'post';
export type ConsentPurpose = 'newsletter' | 'contact_about_services' | 'share_with_partners' | 'photographs' | 'case_records' | 'contact_about_volunteering' | 'volunteer_record';
export type ConsentMethod = 'online_form' | 'paper_form' | 'verbal' | 'email';

export interface PeopleTable {
  id: Generated<string>;
  lio_id: string;
  full_name: string | null;
  preferred_name: string | null;
  emails: TextList;
  phones: TextList;
  postcode: string | null;
  /** A calendar date, read as 'YYYY-MM-DD' text so no time zone moves it. */
  date_of_birth: ColumnType<string | null, string | null | undefined, string | null>;
  contact_methods: ColumnType<ContactMethod[], ContactMethod[] | undefined, ContactMethod[]>;
  merged_into_id: string | null;
  merged_at: NullableTimestamp;
  erased_at: NullableTimestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ConsentsTable {
  id: Generated<string>;
  lio_id: string;
  person_id: string;
  purpose: ConsentPurpose;
  given_at: Timestamp;
  method: ConsentMethod;
  wording_version: string;
  withdrawn_at: NullableTimestamp;
  recorded_by: string | null;
  created_at: Timestamp;
}

export interface PeopleTables {
  people: PeopleTable;
  consents: ConsentsTable;
}
