import { describe, expect, it } from 'vitest';
import { ReplicaHealth, isLostConnection, walPosition, type ReplicaProbe } from '../../src/platform/db/replica.js';

/** The replica's health from WAL positions alone, with time and positions in the test's hands. */
function probeAndClock() {
  const state = { now: 0, primary: '0/1000', replayed: '0/1000' as string | null, standby: true, down: false };
  const probe: ReplicaProbe = {
    primaryPosition: async () => state.primary,
    replicaPosition: async () => {
      if (state.down) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5433'), { code: 'ECONNREFUSED' });
      return { standby: state.standby, replayed: state.replayed };
    },
  };
  const health = new ReplicaHealth(probe, { maxLagMs: 5000, checkMs: 1000 }, () => state.now);
  return { state, health };
}

describe('replica health', () => {
  it('orders WAL positions as PostgreSQL does, across the slash', () => {
    expect(walPosition('0/FFFFFFFF') < walPosition('1/0')).toBe(true);
    expect(walPosition('16/B374D848')).toBe((0x16n << 32n) + 0xB374D848n);
    expect(() => walPosition('not a position')).toThrow();
  });

  it('is ok while the standby has replayed what the primary had, however long the primary has been idle', async () => {
    const { state, health } = probeAndClock();
    await health.check();
    expect(health.current()).toBe('ok');
    state.now = 60 * 60_000;
    await health.check();
    expect(health.current()).toBe('ok');
    expect(health.usable()).toBe(true);
  });

  it('counts the lag from when the primary was first seen past what the standby has replayed', async () => {
    const { state, health } = probeAndClock();
    await health.check();
    state.primary = '0/2000';
    state.now = 1000;
    await health.check();
    state.primary = '0/3000';
    state.now = 5000;
    await health.check();
    expect(health.current()).toBe('ok');
    state.now = 6001;
    await health.check();
    expect(health.current()).toBe('lagging');
    expect(health.usable()).toBe(false);
    // It replays the first position: now only the second, seen at 5000, is missing.
    state.replayed = '0/2000';
    state.now = 7000;
    await health.check();
    expect(health.current()).toBe('ok');
    state.replayed = '0/3000';
    state.now = 60_000;
    await health.check();
    expect(health.current()).toBe('ok');
  });

  it('is down when the standby does not answer or is no standby, and is not trusted on an old check', async () => {
    const { state, health } = probeAndClock();
    await health.check();
    state.now = 2999;
    expect(health.usable()).toBe(true);
    state.now = 3001;
    expect(health.usable()).toBe(false);
    state.down = true;
    await health.check();
    expect(health.current()).toBe('down');
    state.down = false;
    await health.check();
    expect(health.current()).toBe('ok');
    state.standby = false;
    await health.check();
    expect(health.current()).toBe('down');
  });

  it('gives up on a standby that does not answer, and the next check is not held up by the one that hangs', async () => {
    let asked = 0;
    const health = new ReplicaHealth({
      primaryPosition: async () => '0/1000',
      // The first ask never answers (a host gone from the network); the next one does.
      replicaPosition: () => (++asked === 1 ? new Promise(() => undefined) : Promise.resolve({ standby: true, replayed: '0/1000' })),
    }, { maxLagMs: 5000, checkMs: 1000 });
    const started = Date.now();
    await health.check();
    expect(health.current()).toBe('down');
    expect(Date.now() - started).toBeLessThan(3000);
    await health.check();
    expect(health.current()).toBe('ok');
  });

  it('tells a lost connection from a query that is wrong', () => {
    expect(isLostConnection(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isLostConnection(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))).toBe(true);
    expect(isLostConnection(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isLostConnection(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(isLostConnection(Object.assign(new Error('relation "x" does not exist'), { code: '42P01' }))).toBe(false);
  });
});

