import type { Database, Queryable } from '../platform/db/index.js';
import type { Clock } from '../platform/clock.js';
import type { Config } from '../platform/config.js';
import type { JobQueue } from '../platform/jobs.js';
import type { PermissionSet, Role } from '../platform/db/schema.js';
import type { SignedInUser } from '../platform/auth/actor.js';
import { PERMISSION_SETS, ROLES, ROLE_LABELS } from '../platform/auth/actor.js';
import { authorise } from '../platform/auth/policy.js';
import { hashPassword, hashSecret, newSecret, verifyPassword, PASSWORD_MAX, PASSWORD_MIN } from '../platform/auth/secrets.js';
import { auditActorOf, recordAudit } from '../platform/audit.js';
import { queueEmail } from '../platform/mail.js';
import { FormErrors, checkEmail, checkText } from '../platform/http/forms.js';
import { accountsRepository as repo } from './repository.js';
import { isUuid } from '../platform/validation/ids.js';
import { SignInThrottle, type ThrottleVerdict } from './throttle.js';

export const RESET_LINK_MINUTES = 60;
export const INVITE_LINK_DAYS = 7;

export type TokenPurpose = 'password_reset' | 'invite';
export type TokenCheck =
  | { state: 'valid'; tokenId: string; userId: string; email: string; displayName: string }
  | { state: 'expired' | 'used' | 'unknown' };

export interface InviteInput { email: string; displayName: string; role: string; permissionSets: string[]; organisationId: string }
export interface RoleInput { role: string; permissionSets: string[]; organisationId: string }


function auditFailedSignIn(tx: Queryable, lioId: string, user: { id: string; email: string } | undefined, reason: string, now: Date) {
  return recordAudit(tx, lioId, user ? auditActorOf(user) : { userId: null, label: 'anonymous' }, {
    action: 'sign_in.failed', ...(user ? { subjectType: 'user', subjectId: user.id } : {}), detail: { reason },
  }, now);
}

export type SignInResult =
  | { ok: true; userId: string }
  | { ok: false; throttled?: undefined }
  | { ok: false; throttled: Exclude<ThrottleVerdict, { state: 'open' }> };

export class AccountsService {
  private readonly throttle: SignInThrottle;

  constructor(private readonly deps: { db: Database; clock: Clock; config: Config; jobs: JobQueue }) {
    this.throttle = new SignInThrottle(deps.config);
  }

  /**
   * The same answer, and about the same time, whether the account is unknown, disabled or the password wrong.
   * `address` is where the attempt comes from; `knownDeviceOf` the account this device last signed in to, if any.
   */
  async signIn(lioId: string, email: string, password: string, from: { address: string; knownDeviceOf: string | null }): Promise<SignInResult> {
    const { db, clock, config } = this.deps;
    const now = clock.now();
    const keys = this.throttle.keys(email, from.address);
    const { user, verdict } = await db.withTenant(lioId, async (tx) => {
      const found = email.length <= 254 ? await repo.findByEmail(tx, email) : undefined;
      return { user: found, verdict: await this.throttle.check(tx, keys, now, found !== undefined && found.id === from.knownDeviceOf) };
    });
    if (verdict.state !== 'open') {
      await db.withTenant(lioId, (tx) => auditFailedSignIn(tx, lioId, user, verdict.state === 'wait' ? 'throttled' : 'known_devices_only', now));
      return { ok: false, throttled: verdict };
    }
    // No password may be longer than PASSWORD_MAX, so a longer one is wrong; it is never cut down to size (that would let
    // "the password + anything" in). The decoy check still runs, so the answer takes as long as any other.
    const tooLong = password.length > PASSWORD_MAX;
    const passwordOk = (await verifyPassword(tooLong ? null : user?.password_hash ?? null, tooLong ? '' : password, config.passwordHashing)) && !tooLong;
    return db.withTenant(lioId, async (tx) => {
      // Every refusal counts, for unknown accounts too, so that the throttle treats all e-mail addresses alike.
      const reason = !user ? 'unknown_account' : user.status !== 'active' ? `account_${user.status}` : passwordOk ? null : 'wrong_password';
      if (!user || reason) {
        const accountFailures = await this.throttle.failed(tx, lioId, keys, now, user?.id ?? null);
        if (user && accountFailures === config.signInThrottle.perAccount) {
          // Worth an admin's notice: someone is guessing this account's password from many addresses.
          await recordAudit(tx, lioId, auditActorOf(user), { action: 'sign_in.known_devices_only', subjectType: 'user', subjectId: user.id, detail: { failures: accountFailures } }, now);
        }
        await auditFailedSignIn(tx, lioId, user, reason ?? 'unknown_account', now);
        // From an address held back, only the right password was worth a try: anything else waits like the address.
        if (verdict.addressHeldUntil) return { ok: false as const, throttled: { state: 'wait' as const, until: verdict.addressHeldUntil } };
        return { ok: false as const };
      }
      await this.throttle.succeeded(tx, keys);
      await repo.recordSuccess(tx, user.id, now);
      await recordAudit(tx, lioId, auditActorOf(user), { action: 'sign_in.succeeded', subjectType: 'user', subjectId: user.id }, now);
      return { ok: true as const, userId: user.id };
    });
  }

  async signedOut(actor: SignedInUser): Promise<void> {
    await this.deps.db.withTenant(actor.lioId, (tx) => recordAudit(tx, actor.lioId, auditActorOf(actor), { action: 'sign_out', subjectType: 'user', subjectId: actor.id }, this.deps.clock.now()));
  }

  /** Always looks the same to the person asking, so it cannot be used to find out who has an account. */
  async requestPasswordReset(lioId: string, lioName: string, email: string, origin: string): Promise<void> {
    const { db, clock, jobs } = this.deps;
    const now = clock.now();
    await db.withTenant(lioId, async (tx) => {
      const user = await repo.findByEmail(tx, email);
      if (!user || user.status !== 'active') {
        await recordAudit(tx, lioId, { userId: null, label: 'anonymous' }, { action: 'password_reset.requested', detail: { matched: false } }, now);
        return;
      }
      const token = newSecret();
      await repo.insertToken(tx, { lioId, userId: user.id, purpose: 'password_reset', tokenHash: hashSecret(token), expiresAt: new Date(now.getTime() + RESET_LINK_MINUTES * 60_000), now });
      await queueEmail(tx, jobs, lioId, {
        to: user.email,
        subject: `Reset your password for ${lioName}`,
        text: `Hello ${user.display_name},\n\nSomeone asked to reset the password for your ${lioName} account on Common Ground. If it was you, use this link within ${RESET_LINK_MINUTES} minutes:\n\n${origin}/reset-password/${token}\n\nThe link works once. If you did not ask, you can ignore this e-mail: your password has not changed.\n`,
      }, clock);
      await recordAudit(tx, lioId, auditActorOf(user), { action: 'password_reset.requested', subjectType: 'user', subjectId: user.id, detail: { matched: true } }, now);
    });
  }

  async checkToken(lioId: string, token: string, purpose: TokenPurpose): Promise<TokenCheck> {
    if (!token || token.length > 100) return { state: 'unknown' };
    const now = this.deps.clock.now();
    return this.deps.db.withTenant(lioId, async (tx) => {
      const row = await repo.findToken(tx, hashSecret(token));
      if (!row || row.purpose !== purpose) return { state: 'unknown' as const };
      if (row.used_at) return { state: 'used' as const };
      if (row.expires_at <= now) return { state: 'expired' as const };
      const user = await repo.findById(tx, row.user_id);
      if (!user || user.status === 'disabled') return { state: 'unknown' as const };
      return { state: 'valid' as const, tokenId: row.id, userId: user.id, email: user.email, displayName: user.display_name };
    });
  }

  /** Sets the password from a reset or invite link; the link is spent in the same transaction. */
  async completeToken(lioId: string, token: string, purpose: TokenPurpose, password: string, confirm: string): Promise<{ errors: FormErrors; check: TokenCheck; userId?: string }> {
    const errors = new FormErrors();
    const check = await this.checkToken(lioId, token, purpose);
    if (check.state !== 'valid') return { errors, check };
    checkNewPassword(errors, password, confirm);
    if (errors.any) return { errors, check };
    const { db, clock, config } = this.deps;
    const hash = await hashPassword(password, config.passwordHashing);
    const now = clock.now();
    const spent = await db.withTenant(lioId, async (tx) => {
      const used = await repo.useToken(tx, check.tokenId, now);
      if (Number(used.numUpdatedRows) !== 1) return 'used' as const;
      // Checked again inside the transaction: an account disabled since the link was opened stays disabled.
      const user = await repo.findById(tx, check.userId);
      if (!user || user.status === 'disabled') return 'unknown' as const;
      await repo.setPassword(tx, check.userId, hash, now);
      await this.throttle.passwordReset(tx, user.email);
      // Any other link still out for this account (an older reset e-mail, say) stops working too.
      await repo.spendTokensOf(tx, check.userId, now);
      // A reset ends every other session: whoever knew the old password is signed out.
      await repo.endSessions(tx, check.userId);
      await recordAudit(tx, lioId, { userId: check.userId, label: check.email }, {
        action: purpose === 'invite' ? 'invite.accepted' : 'password_reset.completed', subjectType: 'user', subjectId: check.userId,
      }, now);
      return 'done' as const;
    });
    if (spent !== 'done') return { errors, check: { state: spent } };
    return { errors, check, userId: check.userId };
  }

  async listUsers(actor: SignedInUser | null) {
    authorise(actor, 'users.manage');
    return this.deps.db.withTenant(actor.lioId, (tx) => repo.list(tx));
  }

  async organisations(actor: SignedInUser | null) {
    authorise(actor, 'users.manage');
    return this.deps.db.withTenant(actor.lioId, (tx) => repo.organisations(tx));
  }

  async getUser(actor: SignedInUser | null, userId: string) {
    authorise(actor, 'users.manage');
    return this.deps.db.withTenant(actor.lioId, (tx) => repo.findById(tx, userId));
  }

  async invite(actor: SignedInUser | null, input: InviteInput, origin: string, lioName: string): Promise<{ errors: FormErrors; userId?: string }> {
    authorise(actor, 'users.manage');
    const { db, clock, jobs } = this.deps;
    const errors = new FormErrors();
    checkText(errors, 'displayName', input.displayName, 'their full name', 120);
    checkEmail(errors, 'email', input.email);
    return db.withTenant(actor.lioId, async (tx) => {
      const roleInput = await validateRole(tx, errors, input);
      if (!errors.any && (await repo.findByEmail(tx, input.email))) errors.add('email', 'There is already an account with this email address');
      if (errors.any || !roleInput) return { errors };
      const now = clock.now();
      const { id } = await repo.insert(tx, {
        lioId: actor.lioId, email: input.email, displayName: input.displayName, role: roleInput.role, permissionSets: roleInput.permissionSets,
        organisationId: roleInput.organisationId, passwordHash: null, status: 'invited', now,
      });
      await sendInvite(tx, { jobs, clock }, { lioId: actor.lioId, lioName, origin, userId: id, email: input.email, displayName: input.displayName, role: roleInput.role, invitedBy: actor.displayName });
      await recordAudit(tx, actor.lioId, auditActorOf(actor), { action: 'user.invited', subjectType: 'user', subjectId: id, detail: { role: roleInput.role, permissionSets: roleInput.permissionSets } }, now);
      return { errors, userId: id };
    });
  }

  async changeRole(actor: SignedInUser | null, userId: string, input: RoleInput): Promise<{ errors: FormErrors; found: boolean }> {
    authorise(actor, 'users.manage');
    const errors = new FormErrors();
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      const user = await repo.findById(tx, userId);
      if (!user) return { errors, found: false };
      const roleInput = await validateRole(tx, errors, input);
      if (user.id === actor.id && roleInput && roleInput.role !== 'admin') errors.add('role', 'You cannot remove your own admin role; ask another admin');
      if (errors.any || !roleInput) return { errors, found: true };
      const now = this.deps.clock.now();
      await repo.setRole(tx, userId, roleInput.role, roleInput.permissionSets, roleInput.organisationId, now);
      await recordAudit(tx, actor.lioId, auditActorOf(actor), {
        action: 'user.role_changed', subjectType: 'user', subjectId: userId,
        detail: { from: { role: user.role, permissionSets: user.permission_sets }, to: { role: roleInput.role, permissionSets: roleInput.permissionSets } },
      }, now);
      return { errors, found: true };
    });
  }

  async setDisabled(actor: SignedInUser | null, userId: string, disabled: boolean): Promise<'done' | 'not_found' | 'self'> {
    authorise(actor, 'users.manage');
    if (userId === actor.id && disabled) return 'self';
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      const user = await repo.findById(tx, userId);
      if (!user) return 'not_found';
      const now = this.deps.clock.now();
      const status = disabled ? 'disabled' : user.password_hash ? 'active' : 'invited';
      await repo.setStatus(tx, userId, status, now);
      if (disabled) await repo.endSessions(tx, userId);
      await recordAudit(tx, actor.lioId, auditActorOf(actor), { action: disabled ? 'user.disabled' : 'user.enabled', subjectType: 'user', subjectId: userId }, now);
      return 'done';
    });
  }
}

/**
 * Gives an invited account its link to choose a password, by e-mail, in the caller's transaction; returns the link
 * (the command line shows it, for a deployment that does not send e-mail yet).
 */
export async function sendInvite(tx: Queryable, deps: { jobs: JobQueue; clock: Clock },
  invite: { lioId: string; lioName: string; origin: string; userId: string; email: string; displayName: string; role: Role; invitedBy: string }): Promise<string> {
  const now = deps.clock.now();
  const token = newSecret();
  await repo.insertToken(tx, { lioId: invite.lioId, userId: invite.userId, purpose: 'invite', tokenHash: hashSecret(token), expiresAt: new Date(now.getTime() + INVITE_LINK_DAYS * 86_400_000), now });
  const link = `${invite.origin}/accept-invite/${token}`;
  await queueEmail(tx, deps.jobs, invite.lioId, {
    to: invite.email,
    subject: `You have been invited to ${invite.lioName} on Common Ground`,
    text: `Hello ${invite.displayName},\n\n${invite.invitedBy} has invited you to use Common Ground at ${invite.lioName} as ${ROLE_LABELS[invite.role]}. Choose your password with this link within ${INVITE_LINK_DAYS} days:\n\n${link}\n`,
  }, deps.clock);
  return link;
}

export function checkNewPassword(errors: FormErrors, password: string, confirm: string): void {
  if (!password) errors.add('password', 'Enter a new password');
  else if (password.length < PASSWORD_MIN) errors.add('password', `Your password must be at least ${PASSWORD_MIN} characters`);
  else if (password.length > PASSWORD_MAX) errors.add('password', `Your password must be ${PASSWORD_MAX} characters or fewer`);
  else if (password !== confirm) errors.add('confirmPassword', 'The passwords do not match');
}

async function validateRole(tx: Parameters<typeof repo.organisationExists>[0], errors: FormErrors, input: RoleInput) {
  const role = input.role as Role;
  if (!ROLES.includes(role)) {
    errors.add('role', 'Select a role');
    return null;
  }
  const permissionSets = input.permissionSets.filter((p): p is PermissionSet => PERMISSION_SETS.includes(p as PermissionSet));
  if (permissionSets.length !== input.permissionSets.length) errors.add('permissionSets', 'Select permission sets from the list');
  if (role === 'staff' && permissionSets.length === 0) errors.add('permissionSets', 'Select at least one permission set for LIO staff');
  let organisationId: string | null = null;
  if (role === 'group_member') {
    const valid = isUuid(input.organisationId) && (await repo.organisationExists(tx, input.organisationId));
    if (!valid) errors.add('organisationId', 'Select the organisation this group member belongs to');
    else organisationId = input.organisationId;
  }
  return { role, permissionSets: role === 'staff' ? permissionSets : [], organisationId };
}
