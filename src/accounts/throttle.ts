import { createHmac } from 'node:crypto';
import type { Queryable } from '../platform/db/index.js';
import type { Config } from '../platform/config.js';
import { accountsRepository as repo } from './repository.js';

/** What the throttle says of an attempt, before the password is checked. */
export type ThrottleVerdict =
  | { state: 'open' }
  /** This address, or this account from this address, has failed too often: wait. */
  | { state: 'wait'; until: Date }
  /** The account has failed too often from everywhere: only a device it signed in on before, or a password reset, gets in. */
  | { state: 'known_devices_only' };

interface Keys { address: string; accountFromAddress: string; account: string }

/**
 * Slows down password guessing without letting a stranger lock the owner out. Failures are counted by address, by
 * account from one address, and by account from anywhere; only the first two ever make anyone wait, so a stranger's
 * guesses from elsewhere never hold back the owner's own address. The account-wide count is a soft limit that the
 * owner passes from a known device or by resetting the password. Accounts are counted by the e-mail address typed,
 * known or not, so the throttle tells no one which accounts exist.
 */
export class SignInThrottle {
  constructor(private readonly config: Pick<Config, 'signInThrottle' | 'sessionSecret'>) {}

  /** Keyed hashes, so the table holds neither addresses nor e-mail addresses. */
  keys(email: string, address: string): Keys {
    const account = email.toLowerCase();
    return { address: this.hash(`address:${address}`), accountFromAddress: this.hash(`account-from-address:${account}\n${address}`), account: this.accountKey(account) };
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
    if (address && address.failures >= limits.perAddress) {
      return { state: 'wait', until: new Date(address.window_started_at.getTime() + limits.windowMinutes * 60_000) };
    }
    const pair = current(keys.accountFromAddress);
    if (pair?.blocked_until && pair.blocked_until > now) return { state: 'wait', until: pair.blocked_until };
    const account = current(keys.account);
    if (account && account.failures >= limits.perAccount && !knownDevice) return { state: 'known_devices_only' };
    return { state: 'open' };
  }

  /** Counts a wrong password; returns the account's count from everywhere. */
  async failed(db: Queryable, lioId: string, keys: Keys, now: Date): Promise<number> {
    const limits = this.config.signInThrottle;
    const windowStartedAfter = this.windowStartedAfter(now);
    const count = (keyHash: string, accountHash: string | null) => repo.countThrottleFailure(db, { lioId, keyHash, accountHash, now, windowStartedAfter });
    await count(keys.address, null);
    const pair = await count(keys.accountFromAddress, keys.account);
    if (pair.failures >= limits.perAccountFromAddress) {
      // 1, 2, 4… minutes after each failure past the free ones, up to the most.
      const minutes = Math.min(2 ** Math.min(pair.failures - limits.perAccountFromAddress, 20), limits.maxDelayMinutes);
      await repo.blockThrottle(db, keys.accountFromAddress, new Date(now.getTime() + minutes * 60_000));
    }
    return (await count(keys.account, keys.account)).failures;
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
