import type { ColumnType, Generated, JSONColumnType } from 'kysely';
import type { DirectoryTables, OrganisationDirectoryColumns } from './directory-schema.js';
import type { OrukTables } from './oruk-schema.js';
import type { PublicSearchTables } from './public-search-schema.js';
import type { PeopleTables } from './people-schema.js';
import type { VolunteeringTables } from './volunteering-schema.js';
import type { SupportTables } from './support-schema.js';

/** Row types of the tables, kept beside the migrations that create them. */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export type Role = 'admin' | 'staff' | 'group_member' | 'volunteer' | 'partner' | 'network';
export type PermissionSet = 'adviser' | 'volunteer_coordinator' | 'helpline' | 'trainer';
export type UserStatus = 'invited' | 'active' | 'disabled';

export interface LiosTable {
  id: Generated<string>;
  slug: string;
  name: string;
  hostnames: ColumnType<string[], string[] | undefined, string[]>;
  is_default: ColumnType<boolean, boolean | undefined, boolean>;
  verification_months: ColumnType<number, number | undefined, number>;
  /** The LIO's own words on its public home page (migration 015); empty until an admin writes them. */
  welcome_text: ColumnType<string, string | undefined, string>;
  about_text: ColumnType<string, string | undefined, string>;
  created_at: Generated<Date>;
}

export interface OrganisationsTable extends OrganisationDirectoryColumns {
  id: Generated<string>;
  lio_id: string;
  name: string;
  created_at: Generated<Date>;
  updated_at: Timestamp;
}

export interface UsersTable {
  id: Generated<string>;
  lio_id: string;
  email: string;
  display_name: string;
  password_hash: string | null;
  role: Role;
  permission_sets: ColumnType<PermissionSet[], PermissionSet[] | undefined, PermissionSet[]>;
  organisation_id: string | null;
  /** Their person record (set by the database when a user is added: migration 014). */
  person_id: ColumnType<string | null, string | null | undefined, string | null>;
  status: ColumnType<UserStatus, UserStatus | undefined, UserStatus>;
  last_sign_in_at: NullableTimestamp;
  created_at: Generated<Date>;
  updated_at: Timestamp;
}

export interface SessionsTable {
  id_hash: string;
  lio_id: string;
  user_id: string;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
}

/** Failures counted for sign-in throttling (migration 020); see accounts/throttle.ts. */
/** Rate-limit counts shared by every process (migration 033): a keyed hash of the client's address and the route. */
export interface RateLimitHitsTable {
  key_hash: string;
  window_started_at: Timestamp;
  hits: number;
}

export interface SignInThrottlesTable {
  lio_id: string;
  key_hash: string;
  account_hash: string | null;
  failures: number;
  window_started_at: Timestamp;
  blocked_until: NullableTimestamp;
  /** the account counted, when the e-mail address typed is one's (migration 021) */
  user_id: string | null;
}

export interface UserTokensTable {
  id: Generated<string>;
  lio_id: string;
  user_id: string;
  purpose: 'password_reset' | 'invite';
  token_hash: string;
  expires_at: Timestamp;
  used_at: NullableTimestamp;
  created_at: Timestamp;
}

export interface ApiTokensTable {
  id: Generated<string>;
  lio_id: string;
  name: string;
  token_hash: string;
  token_hint: string;
  scope: 'read' | 'write';
  created_by: string | null;
  created_at: Timestamp;
  last_used_at: NullableTimestamp;
  revoked_at: NullableTimestamp;
}

export interface AuditEventsTable {
  id: Generated<number>;
  lio_id: string;
  occurred_at: Timestamp;
  actor_user_id: string | null;
  actor_label: string;
  action: string;
  subject_type: string | null;
  subject_id: string | null;
  detail: JSONColumnType<Record<string, unknown>, string | undefined, string>;
}

export interface JobsTable {
  id: Generated<number>;
  lio_id: string | null;
  kind: string;
  payload: JSONColumnType<Record<string, unknown>, string, string>;
  status: ColumnType<'queued' | 'running' | 'done' | 'failed', 'queued' | undefined, 'queued' | 'running' | 'done' | 'failed'>;
  attempts: ColumnType<number, number | undefined, number>;
  max_attempts: ColumnType<number, number | undefined, number>;
  run_at: Timestamp;
  locked_at: NullableTimestamp;
  last_error: string | null;
  created_at: Timestamp;
  finished_at: NullableTimestamp;
}

export interface EmailMessagesTable {
  id: Generated<string>;
  lio_id: string;
  to_address: string;
  subject: string;
  body_text: string;
  /** Extra headers sent with the message (a List-Unsubscribe); null for none. */
  headers: ColumnType<Record<string, string> | null, string | null | undefined, string | null>;
  status: ColumnType<'queued' | 'sent' | 'outbox' | 'failed', 'queued' | undefined, 'queued' | 'sent' | 'outbox' | 'failed'>;
  created_at: Timestamp;
  sent_at: NullableTimestamp;
}

export interface DB extends DirectoryTables, OrukTables, PublicSearchTables, PeopleTables, VolunteeringTables, SupportTables {
  lios: LiosTable;
  organisations: OrganisationsTable;
  users: UsersTable;
  sessions: SessionsTable;
  sign_in_throttles: SignInThrottlesTable;
  rate_limit_hits: RateLimitHitsTable;
  user_tokens: UserTokensTable;
  api_tokens: ApiTokensTable;
  audit_events: AuditEventsTable;
  jobs: JobsTable;
  email_messages: EmailMessagesTable;
}
