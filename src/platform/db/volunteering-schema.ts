import type { ColumnType, Generated } from 'kysely';

/** Row types of the volunteering capability's tables (migration 023). */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type TextList = ColumnType<string[], string[] | undefined, string[]>;
/** A calendar date, read as 'YYYY-MM-DD' text so no time zone moves it. */
type CalendarDate = ColumnType<string, string, string>;
type NullableCalendarDate = ColumnType<string | null, string | null | undefined, string | null>;

export type VolunteerStatus = 'new' | 'active' | 'placed' | 'inactive';
export type RegisteredVia = 'online' | 'staff' | 'surge' | 'import';
export type OpportunitySchedule = 'one_off' | 'regular' | 'flexible';
export type DbsLevel = 'none' | 'basic' | 'standard' | 'enhanced';
export type OpportunityStatus = 'draft' | 'pending' | 'published' | 'rejected' | 'closed';
export type ReferralStatus = 'enquired' | 'referred' | 'contacted' | 'accepted' | 'declined' | 'started' | 'ended' | 'withdrawn';
export type ReferralStep = ReferralStatus | 'chased' | 'escalated';
export type VettingKind = 'dbs' | 'reference' | 'induction' | 'training';
export type VettingOutcome = 'pending' | 'passed' | 'failed';
export type HoursLoggedBy = 'volunteer' | 'organisation' | 'staff';

export interface VolunteersTable {
  id: Generated<string>;
  lio_id: string;
  person_id: string;
  status: ColumnType<VolunteerStatus, VolunteerStatus | undefined, VolunteerStatus>;
  registered_via: RegisteredVia;
  travel_km: number | null;
  latitude: number | null;
  longitude: number | null;
  in_person: ColumnType<boolean, boolean | undefined, boolean>;
  remote: ColumnType<boolean, boolean | undefined, boolean>;
  skills: TextList;
  interests: TextList;
  causes: TextList;
  languages: TextList;
  availability: TextList;
  access_needs: string | null;
  emergency_reserve: ColumnType<boolean, boolean | undefined, boolean>;
  guardian_name: string | null;
  guardian_contact: string | null;
  guardian_consent_at: NullableTimestamp;
  signup_key: string | null;
  /** Null until the volunteer follows the link e-mailed at registration (migration 024). */
  email_confirmed_at: NullableTimestamp;
  confirm_token_hash: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface VolunteerNotesTable {
  id: Generated<string>;
  lio_id: string;
  volunteer_id: string;
  author_user_id: string | null;
  body: string;
  created_at: Timestamp;
}

export interface VolunteerEventsTable {
  id: Generated<string>;
  lio_id: string;
  volunteer_id: string;
  kind: string;
  detail: string | null;
  actor_user_id: string | null;
  actor_label: string | null;
  at: Timestamp;
  /** The surge form an offer made again came from (migration 038): a retry of that form is not held again. */
  signup_key: Generated<string | null>;
}

export interface OpportunitiesTable {
  id: Generated<string>;
  lio_id: string;
  organisation_id: string | null;
  title: string;
  description: string;
  skills: TextList;
  causes: TextList;
  schedule: OpportunitySchedule;
  schedule_detail: string | null;
  availability: TextList;
  in_person: ColumnType<boolean, boolean | undefined, boolean>;
  remote: ColumnType<boolean, boolean | undefined, boolean>;
  postcode: string | null;
  latitude: number | null;
  longitude: number | null;
  dbs_level: ColumnType<DbsLevel, DbsLevel | undefined, DbsLevel>;
  minimum_age: ColumnType<number, number | undefined, number>;
  places: number;
  closing_on: NullableCalendarDate;
  induction_required: ColumnType<boolean, boolean | undefined, boolean>;
  status: ColumnType<OpportunityStatus, OpportunityStatus | undefined, OpportunityStatus>;
  rejection_reason: string | null;
  submitted_by_user_id: string | null;
  approved_by_user_id: string | null;
  approved_at: NullableTimestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
  /** Generated from the row for matching (migration 034): features as bits of the vocabularies, index keys, grid square. */
  match_skills: ColumnType<number, never, never>;
  match_causes: ColumnType<number, never, never>;
  match_slots: ColumnType<number, never, never>;
  grid_y: ColumnType<number | null, never, never>;
  grid_x: ColumnType<number | null, never, never>;
}

export interface ReferralsTable {
  id: Generated<string>;
  lio_id: string;
  volunteer_id: string;
  opportunity_id: string;
  organisation_id: string | null;
  status: ColumnType<ReferralStatus, ReferralStatus | undefined, ReferralStatus>;
  enquired_at: Timestamp;
  referred_at: NullableTimestamp;
  contacted_at: NullableTimestamp;
  answered_at: NullableTimestamp;
  started_at: NullableTimestamp;
  ended_at: NullableTimestamp;
  decline_reason: string | null;
  end_reason: string | null;
  chased_at: NullableTimestamp;
  escalated_at: NullableTimestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ReferralStepsTable {
  id: Generated<string>;
  lio_id: string;
  referral_id: string;
  step: ReferralStep;
  at: Timestamp;
  actor_user_id: string | null;
  actor_label: string | null;
  note: string | null;
}

export interface ReferralLinksTable {
  id: Generated<string>;
  lio_id: string;
  referral_id: string;
  token_hash: string;
  sent_to: string;
  expires_at: Timestamp;
  used_at: NullableTimestamp;
  created_at: Timestamp;
}

export interface VettingChecksTable {
  id: Generated<string>;
  lio_id: string;
  volunteer_id: string;
  kind: VettingKind;
  dbs_level: Exclude<DbsLevel, 'none'> | null;
  certificate_number: string | null;
  issued_on: NullableCalendarDate;
  update_service: ColumnType<boolean, boolean | undefined, boolean>;
  expires_on: NullableCalendarDate;
  detail: string | null;
  outcome: ColumnType<VettingOutcome, VettingOutcome | undefined, VettingOutcome>;
  for_organisation_id: string | null;
  recorded_by_user_id: string | null;
  reminders_sent: ColumnType<number[], number[] | undefined, number[]>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface VolunteerHoursTable {
  id: Generated<string>;
  lio_id: string;
  volunteer_id: string;
  referral_id: string | null;
  organisation_id: string | null;
  worked_on: CalendarDate;
  minutes: number;
  description: string | null;
  logged_by: HoursLoggedBy;
  logged_by_user_id: string | null;
  confirmed_at: NullableTimestamp;
  confirmed_by_user_id: string | null;
  confirmed_by_label: string | null;
  created_at: Timestamp;
}

export interface VolunteeringSettingsTable {
  lio_id: string;
  chase_after_working_days: ColumnType<number, number | undefined, number>;
  surge_started_at: NullableTimestamp;
  surge_message: string | null;
  /** The youngest age the LIO takes volunteers at (migration 024). */
  minimum_age: ColumnType<number, number | undefined, number>;
  updated_at: Timestamp;
}

export interface SurgeAssignmentsTable {
  id: Generated<string>;
  lio_id: string;
  volunteer_id: string;
  locality: string | null;
  organisation_id: string | null;
  assigned_at: Timestamp;
  assigned_by_user_id: string | null;
}

export interface VolunteerMessagesTable {
  id: Generated<string>;
  lio_id: string;
  subject: string;
  body: string;
  cohort: string;
  recipients: number;
  sent_by_user_id: string | null;
  created_at: Timestamp;
}

/**
 * A volunteer's matching profile (migration 034): one row for each volunteer not inactive, written only by the triggers
 * that keep it in step with volunteers, vetting_checks and referrals.
 */
export interface VolunteerMatchProfilesTable {
  volunteer_id: string;
  lio_id: string;
  person_id: string;
  latitude: number | null;
  longitude: number | null;
  reach_km: number;
  in_person: boolean;
  remote: boolean;
  skills: number;
  causes: number;
  own_causes: number;
  slots: number;
  dbs_passed: number;
  dbs_until: (string | null)[];
  offered_at: Date[];
  last_offered_at: Date | null;
  keys: string[];
  band: number;
  grid_y: number | null;
  grid_x: number | null;
}
/** How many volunteers of an LIO are not inactive (migration 034), kept by the same triggers. */
export interface VolunteeringPoolSizesTable {
  lio_id: string;
  volunteers: number;
}

export interface VolunteeringTables {
  volunteer_match_profiles: VolunteerMatchProfilesTable;
  volunteering_pool_sizes: VolunteeringPoolSizesTable;
  volunteers: VolunteersTable;
  volunteer_notes: VolunteerNotesTable;
  volunteer_events: VolunteerEventsTable;
  opportunities: OpportunitiesTable;
  referrals: ReferralsTable;
  referral_steps: ReferralStepsTable;
  referral_links: ReferralLinksTable;
  vetting_checks: VettingChecksTable;
  volunteer_hours: VolunteerHoursTable;
  volunteering_settings: VolunteeringSettingsTable;
  surge_assignments: SurgeAssignmentsTable;
  volunteer_messages: VolunteerMessagesTable;
  volunteer_signups: VolunteerSignupsTable;
}

/** A front-door sign-up held until its e-mailed link is followed (migration 032). */
export interface VolunteerSignupsTable {
  id: Generated<string>;
  lio_id: string;
  via: 'online' | 'surge';
  signup_key: string;
  email: string;
  token_hash: string;
  answers: ColumnType<unknown, string, string>;
  created_at: Timestamp;
  expires_at: Timestamp;
}
