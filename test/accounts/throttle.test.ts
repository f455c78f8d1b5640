import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KyselyPlugin } from 'kysely';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { Client, errorSummary } from '../helpers/client.js';
import { SignInThrottle } from '../../src/accounts/throttle.js';
import { addressKey } from '../../src/platform/http/address-key.js';
import { accountsPersonalData } from '../../src/accounts/personal-data/provider.js';

let t: TestContext;
const limits = { windowMinutes: 60, perAddress: 8, perAccountFromAddress: 3, maxDelayMinutes: 15, perAccount: 6 };
beforeAll(async () => { t = await createTestApp({ config: { signInThrottle: limits, signInRateLimit: 4 } }); });
afterAll(async () => { await t?.close(); });

const attempt = (client: Client, email: string, password: string) => client.submit('/sign-in', '/sign-in', { email, password });

describe('the sign-in throttle counts an address', () => {
  it('as itself for IPv4, also written as IPv6, and as its /64 for IPv6', () => {
    expect(addressKey('192.0.2.1')).toBe('192.0.2.1');
    expect(addressKey('::ffff:192.0.2.1')).toBe('192.0.2.1');
    const one = addressKey('2001:db8:1:2:aaaa::1');
    expect(one).toBe('2001:db8:1:2::/64');
    for (const same of ['2001:db8:1:2:bbbb:cccc:dddd:eeee', '2001:0db8:0001:0002::9', '2001:DB8:1:2::', '2001:db8:1:2:0:0:192.0.2.1', '2001:db8:1:2::1%eth0']) {
      expect(addressKey(same), same).toBe(one);
    }
    expect(addressKey('2001:db8:1:3::1')).not.toBe(one);
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
  });

  it('so a client that takes a new IPv6 address of its /64 for each guess is still slowed, and no neighbouring network is', async () => {
    const lio = await t.make.lio();
    const owner = await t.make.user(lio);
    for (let i = 0; i < limits.perAccountFromAddress; i++) {
      expect((await attempt(new Client(t.app, lio.host, `2001:db8:5:6::${i + 1}`), owner.email, `guess ${i}`)).status).toBe(400);
    }
    const waiting = await attempt(new Client(t.app, lio.host, '2001:db8:5:6:ffff::99'), owner.email, owner.password);
    expect(waiting.status).toBe(429);
    expect(errorSummary(waiting)[0]?.text).toContain('Too many attempts to sign in. Wait 1 minute');
    expect((await attempt(new Client(t.app, lio.host, '2001:db8:5:7::1'), owner.email, owner.password)).status).toBe(303);
  });

  it('and the per-minute limit counts the /64 too', async () => {
    const lio = await t.make.lio();
    for (let i = 0; i < 4; i++) expect((await attempt(new Client(t.app, lio.host, `2001:db8:9:9::${i + 1}`), `x${i}@example.org`, 'guess')).status).toBe(400);
    expect((await attempt(new Client(t.app, lio.host, '2001:db8:9:9::abcd'), 'y@example.org', 'guess')).status).toBe(429);
  });
});

describe('a wrong password', () => {
  it('is counted in one statement, for the address, the account from the address and the account', async () => {
    const lio = await t.make.lio();
    const user = await t.make.user(lio);
    const throttle = new SignInThrottle({ signInThrottle: limits, sessionSecret: t.config.sessionSecret });
    const keys = throttle.keys(user.email, '198.51.100.5');
    let statements = 0;
    const counting: KyselyPlugin = { transformQuery: (args) => { statements++; return args.node; }, transformResult: async (args) => args.result };
    for (let i = 1; i <= limits.perAccountFromAddress + 1; i++) {
      statements = 0;
      const failures = await t.db.withTenant(lio.id, (tx) => throttle.failed(tx.withPlugin(counting), lio.id, keys, t.clock.now(), user.id));
      expect(statements).toBe(1);
      expect(failures).toBe(i);
    }
    const rows = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('sign_in_throttles').select(['key_hash', 'failures', 'blocked_until', 'user_id']).execute());
    const byKey = new Map(rows.map((r) => [r.key_hash, r]));
    expect(byKey.get(keys.address)).toMatchObject({ failures: 4, blocked_until: null, user_id: null });
    expect(byKey.get(keys.account)).toMatchObject({ failures: 4, blocked_until: null, user_id: user.id });
    // The pair waits 2 minutes after its fourth failure (1 after the third, the first past the free ones).
    expect(byKey.get(keys.accountFromAddress)).toMatchObject({ failures: 4, user_id: user.id });
    expect(byKey.get(keys.accountFromAddress)!.blocked_until!.getTime()).toBe(t.clock.now().getTime() + 2 * 60_000);
  });
});

describe('counts of wrong passwords for a person\'s account', () => {
  it('are in their data export and go when they are erased', async () => {
    const lio = await t.make.lio();
    const person = await t.make.user(lio);
    const other = await t.make.user(lio);
    await attempt(new Client(t.app, lio.host, '198.51.100.31'), person.email, 'wrong');
    await attempt(new Client(t.app, lio.host, '198.51.100.32'), person.email.toUpperCase(), 'wrong again');
    await attempt(new Client(t.app, lio.host, '198.51.100.33'), other.email, 'wrong');
    const identity = { lioId: lio.id, personId: randomUUID(), emails: [person.email], phones: [], recordIds: [], userIds: [person.id], actorLabels: [] };
    const context = (tx: Parameters<Parameters<TestContext['db']['withTenant']>[1]>[0]) => ({ tx, now: t.clock.now() });

    const exported = await t.db.withTenant(lio.id, (tx) => accountsPersonalData.export(context(tx), identity));
    const counts = exported.sign_in_throttles!;
    // Two addresses: a row for the account from each, and one for the account from everywhere holding both.
    expect(counts).toHaveLength(3);
    expect(counts.every((r) => r.user_id === person.id)).toBe(true);
    expect(counts.find((r) => r.from_everywhere)?.failures).toBe(2);
    expect(JSON.stringify(counts)).not.toMatch(/[0-9a-f]{64}/);

    const outcome = await t.db.withTenant(lio.id, (tx) => accountsPersonalData.erase(context(tx), identity));
    expect(outcome.removed.sign_in_throttles).toBe(3);
    const left = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('sign_in_throttles').select(['user_id']).where('user_id', 'is not', null).execute());
    expect(left.map((r) => r.user_id)).toEqual([other.id, other.id]);
  });
});
