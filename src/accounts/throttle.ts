import { createHmac } from 'node:crypto';
import { addressKey } from '../platform/http/address-key.js';
import type { Queryable } from '../platform/db/index.js';
import type { Config } from '../platform/config.js';
import { accountsRepository as repo } from './repository.js';

/** What the throttle says of an attempt, before the password is checked. */
export type ThrottleVerdict =
  /**
   * Check the password. `addressHeldUntil`: the address has failed too often, but not on this account; the right
   * password gets in (a person behind an address many share, a library's or an office's), a wrong one waits until then.
   */
  | { state: 'open'; addressHeldUntil?: Date }
  /** This address, or this account from this address, has failed too often: wait. */
  | { state: 'wait'; until: Date }
  /** The account has failed too often from everywhere: only a device it signed in on before, or a password reset, gets in. */
  | { state: 'known_devices_only' };

interface Keys { address: string; accountFromAddress: string; account: string }

/**
 * Slows down password guessing without letting a stranger lock the owner out. Failures are counted by address, by
 * account from one address, and by account from anywhere; only the first two ever make anyone wait, so a stranger's
 * guesses from elsewhere never hold back the owner's own address, and an address held back for guessing at many
 * accounts still lets in the right password of an account it has not guessed at. The account-wide count is a soft
 * limit that the owner passes from a known device or by resetting the password. Accounts are counted by the e-mail
 * address typed, known or not, so the throttle tells no one which accounts exist.
 */
export class SignInThrottle {
  constructor(private readonly config: Pick<Config, 'signInThrottle' | 'sessionSecret'>) {}

  /** Keyed hashes, so the table holds neither addresses nor e-mail addresses. An IPv6 address counts as its /64. */
  keys(email: string, address: string): Keys {
    const account = email.toLowerCase();
    const from = addressKey(address);
    return { address: this.hash(`address:${from}`), accountFromAddress: this.hash(`account-from-address:${account}\n${from}`), account: this.accountKey(account) };
  }

  accountKey(email: string): string {
    return this.hash(`account:${email.toLowerCase()}`);
  }

  async check(db: Queryable, keys: Keys, now: Date, knownDevice: boolean): Promise<ThrottleVerdict> {
    const limits = this.config.signInThrottle;
    const windowStartedAfter = this.windowStartedAfter(now);
    const rows = new Map((await repo.throttles(db, Object.values(keys))).map((r) => [r.key_hash, r]));
    const current = (key: string) => {
      const row = rows.get(key);
      return row && row.window_started_at > windowStartedAfter ? row : undefined;
    };
    const address = current(keys.address);
    const pair = current(keys.accountFromAddress);
    const addressHeldUntil = address && address.failures >= limits.perAddress
      ? new Date(address.window_started_at.getTime() + limits.windowMinutes * 60_000) : undefined;
    if (addressHeldUntil && pair) return { state: 'wait', until: pair.blocked_until && pair.blocked_until > addressHeldUntil ? pair.blocked_until : addressHeldUntil };
    if (pair?.blocked_until && pair.blocked_until > now) return { state: 'wait', until: pair.blocked_until };
    const account = current(keys.account);
    if (account && account.failures >= limits.perAccount && !knownDevice) return { state: 'known_devices_only' };
    return addressHeldUntil ? { state: 'open', addressHeldUntil } : { state: 'open' };
  }

  /**
   * Counts a wrong password against the address, the account from the address and the account, in one statement;
   * returns the account's count from everywhere. `userId`: the account typed, when there is one (what its owner's
   * data export and erasure find these rows by).
   */
  async failed(db: Queryable, lioId: string, keys: Keys, now: Date, userId: string | null): Promise<number> {
    const rows = await repo.countThrottleFailures(db, {
      lioId, now, windowStartedAfter: this.windowStartedAfter(now), userId, accountHash: keys.account,
      addressKey: keys.address, pairKey: keys.accountFromAddress, limits: this.config.signInThrottle,
    });
    return rows.find((r) => r.key_hash === keys.account)?.failures ?? 0;
  }

  /** The right password: this account's counts start again (the address's does not, or signing in to one's own account would wipe it). */
  async succeeded(db: Queryable, keys: Keys): Promise<void> {
    await repo.clearThrottles(db, [keys.accountFromAddress, keys.account]);
  }

  /** A password reset: whoever reset it holds the account's e-mail, so its counts from everywhere start again. */
  async passwordReset(db: Queryable, email: string): Promise<void> {
    await repo.clearThrottlesOfAccount(db, this.accountKey(email));
  }

  /** Forgets counts that no longer count, in every LIO (`db` is the system connection); returns how many. */
  async sweep(db: Queryable, now: Date): Promise<number> {
    return Number((await repo.sweepThrottles(db, this.windowStartedAfter(now), now)).numDeletedRows);
  }

  private windowStartedAfter(now: Date): Date {
    return new Date(now.getTime() - this.config.signInThrottle.windowMinutes * 60_000);
  }

  private hash(text: string): string {
    return createHmac('sha256', this.config.sessionSecret).update(text).digest('hex');
  }
}

