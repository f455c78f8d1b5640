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
  /**
   * One more failure for the address, the account from the address and the account, in one statement (so concurrent
   * failures all count), each counted afresh when its window has passed. The account from the address is made to wait
   * 1, 2, 4… minutes after each failure past the free ones, up to the most.
   */
  countThrottleFailures(db: Queryable, row: {
    lioId: string; now: Date; windowStartedAfter: Date; userId: string | null; accountHash: string; addressKey: string; pairKey: string;
    limits: { perAccountFromAddress: number; maxDelayMinutes: number };
  }) {
    const t = 'sign_in_throttles';
    const fresh = sql<boolean>`${sql.ref(`${t}.window_started_at`)} <= ${row.windowStartedAfter}`;
    const failures = sql<number>`case when ${fresh} then 1 else ${sql.ref(`${t}.failures`)} + 1 end`;
    const free = sql`${row.limits.perAccountFromAddress}::integer`;
    const waitAfter = (count: typeof failures | number) => sql<Date | null>`case when (${count})::integer >= ${free}
      then ${row.now}::timestamptz + least(power(2, least((${count})::integer - ${free}, 20)), ${row.limits.maxDelayMinutes}::integer) * interval '1 minute' end`;
    const values = (keyHash: string, accountHash: string | null, userId: string | null, blockedUntil: ReturnType<typeof waitAfter> | null) =>
      ({ lio_id: row.lioId, key_hash: keyHash, account_hash: accountHash, user_id: userId, failures: 1, window_started_at: row.now, blocked_until: blockedUntil });
    return db.insertInto('sign_in_throttles')
      .values([
        values(row.addressKey, null, null, null),
        values(row.pairKey, row.accountHash, row.userId, waitAfter(1)),
        values(row.accountHash, row.accountHash, row.userId, null),
      ])
      .onConflict((oc) => oc.columns(['lio_id', 'key_hash']).doUpdateSet({
        failures,
        window_started_at: sql`case when ${fresh} then ${row.now} else ${sql.ref(`${t}.window_started_at`)} end`,
        blocked_until: sql`case when ${sql.ref(`${t}.key_hash`)} = ${row.pairKey} then ${waitAfter(failures)}
          when ${fresh} then null else ${sql.ref(`${t}.blocked_until`)} end`,
        user_id: sql`coalesce(excluded.user_id, ${sql.ref(`${t}.user_id`)})`,
      }))
      .returning(['key_hash', 'failures']).execute();
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
