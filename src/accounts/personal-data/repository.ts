import { sql } from 'kysely';
import type { Queryable } from '../../platform/db/index.js';

/** Links that let someone in are worth keeping only a little while after they expire or are used. */
export const SPENT_TOKEN_DAYS = 30;

/** All SQL of the accounts capability's personal data: users, their sessions and their one-time links. */
export const accountsDataRepository = {
  usersOf(db: Queryable, personId: string) {
    return db.selectFrom('users').leftJoin('organisations', 'organisations.id', 'users.organisation_id')
      .select(['users.id', 'users.email', 'users.display_name', 'users.role', 'users.permission_sets', 'users.status', 'users.organisation_id', 'users.person_id',
        'users.last_sign_in_at', 'users.created_at', 'users.updated_at', 'organisations.name as organisation_name',
        sql<boolean>`users.password_hash is not null`.as('has_password')])
      .where('users.person_id', '=', personId).orderBy('users.created_at').execute();
  },

  /** Which of these names (lower case) an account of someone else also has: a history naming them could be either person's. */
  async namesSharedWithOthers(db: Queryable, lioId: string, personId: string, names: string[]): Promise<Set<string>> {
    if (names.length === 0) return new Set();
    const rows = await db.selectFrom('users').select(sql<string>`lower(display_name)`.as('name'))
      .where('lio_id', '=', lioId).where(sql<boolean>`person_id is distinct from ${personId}`).where(sql<string>`lower(display_name)`, '=', sql<string>`any(${names}::text[])`).execute();
    return new Set(rows.map((r) => r.name));
  },

  /** Sessions without their secret (a hash of the cookie), which is no information about the person. */
  sessionsOf(db: Queryable, userIds: string[]) {
    if (userIds.length === 0) return Promise.resolve([]);
    return db.selectFrom('sessions').select(['user_id', 'created_at', 'last_seen_at', 'expires_at']).where('user_id', 'in', userIds).orderBy('created_at').execute();
  },

  tokensOf(db: Queryable, userIds: string[]) {
    if (userIds.length === 0) return Promise.resolve([]);
    return db.selectFrom('user_tokens').select(['id', 'user_id', 'purpose', 'created_at', 'expires_at', 'used_at']).where('user_id', 'in', userIds).orderBy('created_at').execute();
  },

  /** Counts of wrong passwords for the accounts, without their keys (hashes that say nothing to the person). */
  throttlesOf(db: Queryable, userIds: string[]) {
    if (userIds.length === 0) return Promise.resolve([]);
    return db.selectFrom('sign_in_throttles').select(['user_id', sql<boolean>`key_hash = account_hash`.as('from_everywhere'), 'failures', 'window_started_at', 'blocked_until'])
      .where('user_id', 'in', userIds).orderBy('window_started_at').execute();
  },

  deleteThrottles(db: Queryable, userIds: string[]) {
    return db.deleteFrom('sign_in_throttles').where('user_id', 'in', userIds).executeTakeFirst();
  },

  deleteSessions(db: Queryable, userIds: string[]) {
    return db.deleteFrom('sessions').where('user_id', 'in', userIds).executeTakeFirst();
  },

  deleteTokens(db: Queryable, userIds: string[]) {
    return db.deleteFrom('user_tokens').where('user_id', 'in', userIds).executeTakeFirst();
  },

  /**
   * The account stays (what it did keeps its author, and role counts stay true) but can never sign in again and says
   * nothing about who held it: the address becomes one that cannot receive mail (.invalid), unique per account.
   */
  anonymiseUsers(db: Queryable, userIds: string[], now: Date) {
    return db.updateTable('users').set({
      email: sql<string>`'erased-' || id::text || '@erased.invalid'`, display_name: 'Erased person', password_hash: null, status: 'disabled',
      last_sign_in_at: null, updated_at: now,
    }).where('id', 'in', userIds).executeTakeFirst();
  },

  moveUsers(db: Queryable, fromPersonId: string, toPersonId: string) {
    return db.updateTable('users').set({ person_id: toPersonId }).where('person_id', '=', fromPersonId).executeTakeFirst();
  },

  deleteExpiredSessions(db: Queryable, now: Date) {
    return db.deleteFrom('sessions').where('expires_at', '<', now).executeTakeFirst();
  },

  deleteSpentTokens(db: Queryable, now: Date) {
    const cutoff = new Date(now.getTime() - SPENT_TOKEN_DAYS * 86_400_000);
    return db.deleteFrom('user_tokens').where((eb) => eb.or([eb('expires_at', '<', cutoff), eb('used_at', '<', cutoff)])).executeTakeFirst();
  },
};
