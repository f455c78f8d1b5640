import type { ColumnType, Generated, JSONColumnType } from 'kysely';

/** Row types of the support-for-groups capability's tables (migration 026). */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type TextList = ColumnType<string[], string[] | undefined, string[]>;
/** A calendar date, read as 'YYYY-MM-DD' text so no time zone moves it. */
type CalendarDate = ColumnType<string, string, string>;
type NullableCalendarDate = ColumnType<string | null, string | null | undefined, string | null>;
/** numeric(…, 2): read as a decimal string ('1250.00') so pounds and pence stay exact. */
type Money = ColumnType<string, string | number, string | number>;
type NullableMoney = ColumnType<string | null, string | number | null | undefined, string | number | null>;
type Opt<T> = ColumnType<T | null, T | null | undefined, T | null>;
type WithDefault<T> = ColumnType<T, T | undefined, T>;

export type SupportTopic = 'setting_up' | 'governance' | 'charity_registration' | 'funding' | 'finance'
  | 'policies_safeguarding' | 'volunteers' | 'premises' | 'digital' | 'other';
export type CaseAskedVia = 'enquiry_form' | 'phone' | 'email' | 'referral' | 'in_person';
export type CaseStatus = 'new' | 'open' | 'waiting_on_group' | 'closed';
export type OutcomeKind = 'policy_adopted' | 'registered_charity' | 'incorporated' | 'governance_improved'
  | 'finance_improved' | 'volunteers_recruited' | 'premises_secured' | 'digital_improved' | 'other';
export type FundingApplicationStatus = 'in_preparation' | 'submitted' | 'awarded' | 'declined' | 'withdrawn';
export type GrantImportStatus = 'queued' | 'running' | 'imported' | 'rejected';
export type BookingStatus = 'booked' | 'waiting' | 'cancelled';
export type MembershipStatus = 'pending' | 'active' | 'lapsed' | 'ended';
export type BulletinSegment = 'members' | 'all_groups' | 'groups_by_theme' | 'groups_by_area' | 'volunteers';
export type BulletinStatus = 'draft' | 'sending' | 'sent';
export type BulletinRecipientStatus = 'queued' | 'sending' | 'sent' | 'failed' | 'unknown';
export interface BulletinItem { kind: 'funding' | 'course' | 'story'; id?: string; title: string; body: string; url?: string }
export interface GrantImportProblem { row: number; field: string; message: string }

export interface SupportCasesTable {
  id: Generated<string>; lio_id: string; reference: string; organisation_id: string; topic: SupportTopic; title: string;
  request: string; asked_via: CaseAskedVia; asked_by_person_id: Opt<string>; asked_by_user_id: Opt<string>;
  referred_by: Opt<string>; adviser_user_id: Opt<string>; status: WithDefault<CaseStatus>; next_action: Opt<string>;
  next_action_due: NullableCalendarDate; opened_on: CalendarDate; closed_on: NullableCalendarDate;
  closing_summary: Opt<string>; created_at: Timestamp; updated_at: Timestamp;
}
export interface SupportCaseNotesTable {
  id: Generated<string>; lio_id: string; case_id: string; author_user_id: Opt<string>; body: string;
  minutes_spent: WithDefault<number>; worked_on: CalendarDate; created_at: Timestamp;
}
export interface SupportCaseDocumentsTable {
  id: Generated<string>; lio_id: string; case_id: string; file_name: string; media_type: string; size_bytes: number;
  sha256: string; content: Opt<Uint8Array>; storage_key: Opt<string>; uploaded_by_user_id: Opt<string>; created_at: Timestamp;
}
export interface SupportOutcomesTable {
  id: Generated<string>; lio_id: string; case_id: string; kind: OutcomeKind; detail: Opt<string>; achieved_on: CalendarDate;
  recorded_by_user_id: Opt<string>; created_at: Timestamp;
}
export interface FundingApplicationsTable {
  id: Generated<string>; lio_id: string; organisation_id: string; case_id: Opt<string>; funder_name: string;
  programme: Opt<string>; amount_requested: Money; status: WithDefault<FundingApplicationStatus>;
  submitted_on: NullableCalendarDate; decision_on: NullableCalendarDate; amount_awarded: NullableMoney;
  created_at: Timestamp; updated_at: Timestamp;
}
export interface GroupHealthChecksTable {
  id: Generated<string>; lio_id: string; organisation_id: string; case_id: Opt<string>; stage: 'before' | 'after';
  answers: JSONColumnType<Record<string, number>, string, string>; score: number; assessed_on: CalendarDate;
  assessed_by_user_id: Opt<string>; created_at: Timestamp;
}
export interface FundingOpportunitiesTable {
  id: Generated<string>; lio_id: string; funder_name: string; programme: string; summary: string; amount_min: NullableMoney;
  amount_max: NullableMoney; deadline: NullableCalendarDate; eligibility: Opt<string>; organisation_types: TextList;
  income_bands: TextList; themes: TextList; areas: TextList; url: Opt<string>;
  status: WithDefault<'draft' | 'published' | 'withdrawn'>; created_by_user_id: Opt<string>; created_at: Timestamp; updated_at: Timestamp;
}
export interface GrantImportsTable {
  id: Generated<string>; lio_id: string; file_name: string; format: 'json' | 'xlsx' | 'csv'; status: WithDefault<GrantImportStatus>;
  rows_read: WithDefault<number>; rows_written: WithDefault<number>; rows_refused: WithDefault<number>;
  report: JSONColumnType<GrantImportProblem[], string | undefined, string>; rejection: Opt<string>;
  started_by_user_id: Opt<string>; created_at: Timestamp; finished_at: NullableTimestamp;
}
export interface GrantsTable {
  id: Generated<string>; lio_id: string; identifier: string; import_id: Opt<string>; title: string; description: Opt<string>;
  currency: string; amount_awarded: Money; award_date: CalendarDate; grant_programme: Opt<string>;
  funding_org_identifier: string; funding_org_name: string; recipient_org_identifier: string; recipient_org_name: string;
  recipient_charity_number: Opt<string>; recipient_company_number: Opt<string>; recipient_postcode: Opt<string>;
  beneficiary_locations: TextList; organisation_id: Opt<string>; created_at: Timestamp; updated_at: Timestamp;
}
export interface SupportSpendTable {
  id: Generated<string>; lio_id: string; period_start: CalendarDate; period_end: CalendarDate; amount: Money;
  description: Opt<string>; entered_by_user_id: Opt<string>; created_at: Timestamp;
}
export interface CoursesTable {
  id: Generated<string>; lio_id: string; title: string; summary: string; description: string; audience: Opt<string>;
  themes: TextList; certificate: WithDefault<boolean>; status: WithDefault<'draft' | 'published' | 'archived'>;
  created_by_user_id: Opt<string>; created_at: Timestamp; updated_at: Timestamp;
}
export interface CourseSessionsTable {
  id: Generated<string>; lio_id: string; course_id: string; starts_at: Timestamp; ends_at: Timestamp; venue: Opt<string>;
  online_url: Opt<string>; capacity: number; price_pence: WithDefault<number>; status: WithDefault<'scheduled' | 'cancelled'>;
  created_at: Timestamp; updated_at: Timestamp;
}
export interface CourseBookingsTable {
  id: Generated<string>; lio_id: string; session_id: string; person_id: string; organisation_id: Opt<string>;
  booked_by_user_id: Opt<string>; status: BookingStatus; waiting_since: NullableTimestamp; promoted_at: NullableTimestamp;
  cancelled_at: NullableTimestamp; attended: Opt<boolean>; reminder_sent_at: NullableTimestamp;
  manage_token_hash: Opt<string>; certificate_number: Opt<string>; created_at: Timestamp; updated_at: Timestamp;
}
export interface CourseFeedbackTable {
  id: Generated<string>; lio_id: string; booking_id: string; rating: number; most_useful: Opt<string>; improve: Opt<string>;
  created_at: Timestamp;
}
export interface MembershipTypesTable {
  id: Generated<string>; lio_id: string; name: string; description: Opt<string>; register_flag: 'member' | 'associate';
  annual_fee_pence: WithDefault<number>; term_months: WithDefault<number>; active: WithDefault<boolean>; created_at: Timestamp;
}
export interface MembershipsTable {
  id: Generated<string>; lio_id: string; organisation_id: string; membership_type_id: string; status: WithDefault<MembershipStatus>;
  joined_on: CalendarDate; renews_on: CalendarDate; lapsed_on: NullableCalendarDate; last_reminder_at: NullableTimestamp;
  applied_by_user_id: Opt<string>; created_at: Timestamp; updated_at: Timestamp;
}
export interface BulletinsTable {
  id: Generated<string>; lio_id: string; subject: string; introduction: string;
  items: JSONColumnType<BulletinItem[], string | undefined, string>; segment: BulletinSegment; segment_value: Opt<string>;
  status: WithDefault<BulletinStatus>; recipients_count: WithDefault<number>; created_by_user_id: Opt<string>;
  queued_at: NullableTimestamp; sent_at: NullableTimestamp; created_at: Timestamp; updated_at: Timestamp;
}
export interface BulletinRecipientsTable {
  id: Generated<string>; lio_id: string; bulletin_id: string; email: string; person_id: Opt<string>; organisation_id: Opt<string>;
  status: WithDefault<BulletinRecipientStatus>; unsubscribe_token_hash: string | null; sent_at: NullableTimestamp;
  opened_at: NullableTimestamp; created_at: Timestamp;
}
export interface BulletinUnsubscribesTable {
  id: Generated<string>; lio_id: string; email: string; bulletin_id: Opt<string>; created_at: Timestamp;
}

export interface SupportTables {
  support_cases: SupportCasesTable;
  support_case_notes: SupportCaseNotesTable;
  support_case_documents: SupportCaseDocumentsTable;
  support_outcomes: SupportOutcomesTable;
  funding_applications: FundingApplicationsTable;
  group_health_checks: GroupHealthChecksTable;
  funding_opportunities: FundingOpportunitiesTable;
  grant_imports: GrantImportsTable;
  grants: GrantsTable;
  support_spend: SupportSpendTable;
  courses: CoursesTable;
  course_sessions: CourseSessionsTable;
  course_bookings: CourseBookingsTable;
  course_feedback: CourseFeedbackTable;
  membership_types: MembershipTypesTable;
  memberships: MembershipsTable;
  bulletins: BulletinsTable;
  bulletin_recipients: BulletinRecipientsTable;
  bulletin_unsubscribes: BulletinUnsubscribesTable;
}

// Training and events (migration 029): the booking's access needs, its feedback link and when feedback was asked for.
// Declared here as a merge into the booking's row type, so the block stays apart from migration 026's.
export interface CourseBookingsTable {
  access_needs: Opt<string>; feedback_token_hash: Opt<string>; feedback_requested_at: NullableTimestamp;
}

// Bulletins and membership (migration 030): the lease of whoever is sending a bulletin now.
export interface BulletinsTable {
  sender_lease: Opt<string>; sender_heartbeat_at: NullableTimestamp;
}

// Casework with groups (migration 027): the per-LIO case counter, and the columns it adds to cases and notes (merged
// into the interfaces above, so every query of these tables sees them).
export interface SupportCasesTable { contact_preference: Opt<'email' | 'phone'> }
export interface SupportCaseNotesTable { shared_with_group: WithDefault<boolean>; from_group: WithDefault<boolean> }
export interface SupportCaseCountersTable { lio_id: string; last_number: number }
export interface SupportTables { support_case_counters: SupportCaseCountersTable }

// Funding and grants (migration 028): what each group member's digests sent, who stopped them, and a running
// grants import's heartbeat. (Interfaces of the same name merge with those above.)
export interface FundingDigestItemsTable {
  id: Generated<string>; lio_id: string; user_id: string; opportunity_id: string; reason: 'new' | 'closing'; sent_at: Timestamp;
}
export interface FundingDigestStopsTable { lio_id: string; user_id: string; stopped_at: Timestamp }
export interface GrantImportsTable { heartbeat_at: NullableTimestamp }
export interface SupportTables {
  funding_digest_items: FundingDigestItemsTable;
  funding_digest_stops: FundingDigestStopsTable;
}
