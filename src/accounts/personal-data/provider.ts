import { dateTimeText, type ErasureOutcome, type PersonalDataProvider } from '../../platform/personal-data.js';
import { ROLE_LABELS, PERMISSION_SET_LABELS } from '../../platform/auth/actor.js';
import { accountsDataRepository as repo, SPENT_TOKEN_DAYS } from './repository.js';

const when = (d: Date | null) => dateTimeText(d) || 'Never';
const deleted = (r: { numDeletedRows: bigint }) => Number(r.numDeletedRows);
const updated = (r: { numUpdatedRows?: bigint }) => Number(r.numUpdatedRows ?? 0);
const TOKEN_PURPOSES = { password_reset: 'Password reset link', invite: 'Invitation link' } as const;

/**
 * User accounts linked to the person, their signed-in sessions, their invitation and password-reset links, and the
 * counts of wrong passwords typed for their accounts (sign_in_throttles, found by account: their keys are hashes).
 */
export const accountsPersonalData: PersonalDataProvider = {
  key: 'accounts',
  title: 'User accounts',
  tables: ['users', 'sessions', 'user_tokens', 'sign_in_throttles'],

  async identify({ tx }, identity) {
    const users = await repo.usersOf(tx, identity.personId);
    // What the app writes as "who did it": the sign-in address (audit log, imports) or the account's name (listing
    // histories, which keep no account id). A name another account also has could be either person's: it is not theirs
    // to export or erase, so two staff called Sam Smith never see or lose each other's history.
    const shared = await repo.namesSharedWithOthers(tx, identity.lioId, identity.personId, users.map((u) => u.display_name.toLowerCase()));
    const names = users.map((u) => u.display_name).filter((n) => !shared.has(n.toLowerCase()));
    return { userIds: users.map((u) => u.id), emails: users.map((u) => u.email), actorLabels: [...users.map((u) => u.email), ...names] };
  },

  async describe({ tx }, identity) {
    const users = await repo.usersOf(tx, identity.personId);
    const sessions = await repo.sessionsOf(tx, identity.userIds);
    const tokens = await repo.tokensOf(tx, identity.userIds);
    return [
      {
        heading: 'Accounts',
        permission: 'users.manage',
        records: users.map((u) => ({
          title: u.email,
          fields: [
            { label: 'Name', value: u.display_name },
            { label: 'Role', value: ROLE_LABELS[u.role] + (u.permission_sets.length ? ` (${u.permission_sets.map((s) => PERMISSION_SET_LABELS[s]).join(', ')})` : '') },
            { label: 'Keeps the listing of', value: u.organisation_name ?? '' },
            { label: 'Status', value: u.status },
            { label: 'Last signed in', value: when(u.last_sign_in_at) },
            { label: 'Signed-in sessions', value: String(sessions.filter((s) => s.user_id === u.id).length) },
            { label: 'Account created', value: when(u.created_at) },
          ],
        })),
      },
      {
        heading: 'Invitation and password-reset links',
        permission: 'users.manage',
        records: tokens.map((t) => ({ title: TOKEN_PURPOSES[t.purpose], fields: [{ label: 'Sent', value: when(t.created_at) }, { label: 'Used', value: when(t.used_at) }] })),
      },
    ];
  },

  async export({ tx }, identity) {
    return {
      users: await repo.usersOf(tx, identity.personId), sessions: await repo.sessionsOf(tx, identity.userIds), user_tokens: await repo.tokensOf(tx, identity.userIds),
      sign_in_throttles: await repo.throttlesOf(tx, identity.userIds),
    };
  },

  erasure: 'Their user accounts are disabled and anonymised: they can no longer sign in, every session ends, counts of wrong passwords typed for them are removed, and no name or email address is left on them. What they did stays recorded against an anonymous account.',

  async erase({ tx, now }, identity): Promise<ErasureOutcome> {
    if (identity.userIds.length === 0) return { removed: {}, anonymised: {} };
    const sessions = await repo.deleteSessions(tx, identity.userIds);
    const tokens = await repo.deleteTokens(tx, identity.userIds);
    const throttles = await repo.deleteThrottles(tx, identity.userIds);
    const users = await repo.anonymiseUsers(tx, identity.userIds, now);
    return { removed: { sessions: deleted(sessions), user_tokens: deleted(tokens), sign_in_throttles: deleted(throttles) }, anonymised: { users: updated(users) } };
  },

  async merge({ tx }, { kept, merged }) {
    return { users: updated(await repo.moveUsers(tx, merged.personId, kept.personId)) };
  },

  retention: {
    rule: `Accounts are kept while the person works with the LIO, and erased on request. Signed-in sessions are removed when they expire; invitation and password-reset links ${SPENT_TOKEN_DAYS} days after they expire or are used; counts of wrong passwords within the hour after the throttle stops counting them.`,
    async apply({ tx, now }) {
      return { sessions: deleted(await repo.deleteExpiredSessions(tx, now)), user_tokens: deleted(await repo.deleteSpentTokens(tx, now)) };
    },
  },
};
