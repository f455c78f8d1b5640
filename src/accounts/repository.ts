import { sql } from 'kysely';
import type { Queryable } from '../platform/db/index.js';
import type { PermissionSet, Role, UserStatus } from '../platform/db/schema.js';

/** All SQL about accounts. Each function runs on whatever the caller passes: a tenant transaction, usually. */
export const accountsRepository = {
  findByEmail(db: Queryable, email: string) {
    return db.selectFrom('users').selectAll().where(sql<string>`lower(email)`, '=', email.toLowerCase()).executeTakeFirst();
  },
  findById(db: Queryable, id: string) {
    return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  },
  list(db: Queryable) {
    return db.selectFrom('users').leftJoin('organisations', 'organisations.id', 'users.organisation_id')
      .select(['users.id', 'users.email', 'users.display_name', 'users.role', 'users.permission_sets', 'users.status', 'users.last_sign_in_at', 'organisations.name as organisation_name'])
      .orderBy('users.display_name').execute();
  },
  insert(db: Queryable, row: { lioId: string; email: string; displayName: string; role: Role; permissionSets: PermissionSet[]; organisationId: string | null; passwordHash: string | null; status: UserStatus; now: Date }) {
    return db.insertInto('users').values({
      lio_id: row.lioId, email: row.email, display_name: row.displayName, role: row.role, permission_sets: row.permissionSets,
      organisation_id: row.organisationId, password_hash: row.passwordHash, status: row.status, created_at: row.now, updated_at: row.now,
    }).returning(['id']).executeTakeFirstOrThrow();
  },
  recordSuccess(db: Queryable, id: string, now: Date) {
    return db.updateTable('users').set({ last_sign_in_at: now }).where('id', '=', id).execute();
  },
  setPassword(db: Queryable, id: string, hash: string, now: Date) {
    return db.updateTable('users').set({ password_hash: hash, status: 'active', updated_at: now }).where('id', '=', id).execute();
  },
  throttles(db: Queryable, keyHashes: string[]) {
    return db.selectFrom('sign_in_throttles').select(['key_hash', 'failures', 'window_started_at', 'blocked_until']).where('key_hash', 'in', keyHashes).execute();
  },
  /** One more failure, counted afresh when the window has passed; one statement, so concurrent failures all count. */
  countThrottleFailure(db: Queryable, row: { lioId: string; keyHash: string; accountHash: string | null; now: Date; windowStartedAfter: Date }) {
    const fresh = sql<boolean>`sign_in_throttles.window_started_at <= ${row.windowStartedAfter}`;
    return db.insertInto('sign_in_throttles')
      .values({ lio_id: row.lioId, key_hash: row.keyHash, account_hash: row.accountHash, failures: 1, window_started_at: row.now })
      .onConflict((oc) => oc.columns(['lio_id', 'key_hash']).doUpdateSet({
        failures: sql`case when ${fresh} then 1 else sign_in_throttles.failures + 1 end`,
        window_started_at: sql`case when ${fresh} then ${row.now} else sign_in_throttles.window_started_at end`,
        blocked_until: sql`case when ${fresh} then null else sign_in_throttles.blocked_until end`,
      }))
      .returning(['failures']).executeTakeFirstOrThrow();
  },
  blockThrottle(db: Queryable, keyHash: string, until: Date) {
    return db.updateTable('sign_in_throttles').set({ blocked_until: until }).where('key_hash', '=', keyHash).execute();
  },
  clearThrottles(db: Queryable, keyHashes: string[]) {
    return db.deleteFrom('sign_in_throttles').where('key_hash', 'in', keyHashes).execute();
  },
  /** Rows whose window has ended and which hold no one back: they would count from nothing anyway. */
  sweepThrottles(db: Queryable, windowStartedBefore: Date, now: Date) {
    return db.deleteFrom('sign_in_throttles').where('window_started_at', '<=', windowStartedBefore)
      .where((eb) => eb.or([eb('blocked_until', 'is', null), eb('blocked_until', '<=', now)])).executeTakeFirst();
  },
  clearThrottlesOfAccount(db: Queryable, accountHash: string) {
    return db.deleteFrom('sign_in_throttles').where('account_hash', '=', accountHash).execute();
  },
  setRole(db: Queryable, id: string, role: Role, permissionSets: PermissionSet[], organisationId: string | null, now: Date) {
    return db.updateTable('users').set({ role, permission_sets: permissionSets, organisation_id: organisationId, updated_at: now }).where('id', '=', id).execute();
  },
  setStatus(db: Queryable, id: string, status: UserStatus, now: Date) {
    return db.updateTable('users').set({ status, updated_at: now }).where('id', '=', id).execute();
  },
  endSessions(db: Queryable, userId: string) {
    return db.deleteFrom('sessions').where('user_id', '=', userId).execute();
  },
  insertToken(db: Queryable, row: { lioId: string; userId: string; purpose: 'password_reset' | 'invite'; tokenHash: string; expiresAt: Date; now: Date }) {
    return db.insertInto('user_tokens').values({
      lio_id: row.lioId, user_id: row.userId, purpose: row.purpose, token_hash: row.tokenHash, expires_at: row.expiresAt, created_at: row.now,
    }).execute();
  },
  findToken(db: Queryable, tokenHash: string) {
    return db.selectFrom('user_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
  },
  /** Marks the token used only if it still was not: of two racing uses, one wins. */
  useToken(db: Queryable, id: string, now: Date) {
    return db.updateTable('user_tokens').set({ used_at: now }).where('id', '=', id).where('used_at', 'is', null).executeTakeFirst();
  },
  spendTokensOf(db: Queryable, userId: string, now: Date) {
    return db.updateTable('user_tokens').set({ used_at: now }).where('user_id', '=', userId).where('used_at', 'is', null).execute();
  },
  organisations(db: Queryable) {
    return db.selectFrom('organisations').select(['id', 'name']).orderBy('name').execute();
  },
  organisationExists(db: Queryable, id: string) {
    return db.selectFrom('organisations').select('id').where('id', '=', id).executeTakeFirst();
  },
};
