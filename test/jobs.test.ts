import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import pino from 'pino';
import { createTestApp, type TestContext } from './helpers/app.js';
import { buildTestAppOn, createPersistentStore, onPostgres, type PersistentStore } from './helpers/store.js';
import { JobQueue, backoffMs, type Job } from '../src/platform/jobs.js';
import { FixedClock } from '../src/platform/clock.js';
import { openDatabase, type Database } from '../src/platform/db/index.js';

// Some tests open a database on disk several times or start the real server: allow for a busy machine.
vi.setConfig({ testTimeout: 240_000, hookTimeout: 240_000 });

const silent = pino({ level: 'silent' });
const MINUTE = 60_000;

async function jobRow(db: Database, id: number) {
  return db.system.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

/** A job some worker claimed at `lockedAt` and is (or was, if it died) running. */
async function insertRunning(db: Database, job: { kind: string; attempts: number; maxAttempts: number; lockedAt: Date }): Promise<number> {
  const { id } = await db.system.insertInto('jobs').values({
    kind: job.kind, payload: '{}', max_attempts: job.maxAttempts, run_at: new Date(job.lockedAt.getTime() - MINUTE), created_at: job.lockedAt,
  }).returning('id').executeTakeFirstOrThrow();
  await db.system.updateTable('jobs').set({ status: 'running', attempts: job.attempts, locked_at: job.lockedAt }).where('id', '=', id).execute();
  return id;
}

async function lastJobId(db: Database, kind: string): Promise<number> {
  const row = await db.system.selectFrom('jobs').select('id').where('kind', '=', kind).orderBy('id', 'desc').executeTakeFirstOrThrow();
  return row.id;
}

describe('the durable job queue', () => {
  let t: TestContext;
  beforeAll(async () => { t = await createTestApp(); });
  afterAll(async () => { await t.close(); });

  it('runs a due job once with its payload and marks it done', async () => {
    const lio = await t.make.lio();
    const seen: Job[] = [];
    t.app.jobs.register('test.ok', async (job) => { seen.push(job); });
    await t.app.jobs.enqueue(t.db.system, { lioId: lio.id, kind: 'test.ok', payload: { hello: 'world' } });
    const id = await lastJobId(t.db, 'test.ok');

    expect(await t.app.jobs.drain()).toBe(1);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ id, lioId: lio.id, kind: 'test.ok', payload: { hello: 'world' }, attempts: 1, maxAttempts: 5 });
    const row = await jobRow(t.db, id);
    expect(row).toMatchObject({ status: 'done', attempts: 1, last_error: null });
    expect(row.finished_at?.getTime()).toBe(t.clock.now().getTime());

    expect(await t.app.jobs.drain()).toBe(0);
    expect(seen).toHaveLength(1);
  });

  it('does not run a job before its run_at', async () => {
    let runs = 0;
    t.app.jobs.register('test.later', async () => { runs++; });
    await t.app.jobs.enqueue(t.db.system, { lioId: null, kind: 'test.later', runAt: new Date(t.clock.now().getTime() + 10 * MINUTE) });
    await t.app.jobs.drain();
    expect(runs).toBe(0);
    t.clock.advance(10 * MINUTE);
    await t.app.jobs.drain();
    expect(runs).toBe(1);
  });

  it('retries a failing job with growing backoff, then marks it failed after max attempts', async () => {
    let runs = 0;
    t.app.jobs.register('test.flaky', async () => { runs++; throw new Error(`boom ${runs}`); });
    await t.app.jobs.enqueue(t.db.system, { lioId: null, kind: 'test.flaky', maxAttempts: 3 });
    const id = await lastJobId(t.db, 'test.flaky');

    await t.app.jobs.drain();
    let row = await jobRow(t.db, id);
    expect(row).toMatchObject({ status: 'queued', attempts: 1, last_error: 'boom 1', finished_at: null });
    const firstDelay = row.run_at.getTime() - t.clock.now().getTime();
    expect(firstDelay).toBe(backoffMs(1));
    expect(firstDelay).toBeGreaterThan(0);

    // Not due yet: nothing runs.
    t.clock.advance(firstDelay - 1);
    expect(await t.app.jobs.drain()).toBe(0);
    expect(runs).toBe(1);

    t.clock.advance(1);
    expect(await t.app.jobs.drain()).toBe(1);
    row = await jobRow(t.db, id);
    expect(row).toMatchObject({ status: 'queued', attempts: 2, last_error: 'boom 2' });
    const secondDelay = row.run_at.getTime() - t.clock.now().getTime();
    expect(secondDelay).toBe(backoffMs(2));
    expect(secondDelay).toBeGreaterThan(firstDelay);

    t.clock.advance(secondDelay);
    expect(await t.app.jobs.drain()).toBe(1);
    row = await jobRow(t.db, id);
    expect(row).toMatchObject({ status: 'failed', attempts: 3, last_error: 'boom 3' });
    expect(row.finished_at).not.toBeNull();

    t.clock.advance(24 * 60 * MINUTE);
    expect(await t.app.jobs.drain()).toBe(0);
    expect(runs).toBe(3);
  });

  it('backoff grows exponentially and is capped at an hour', () => {
    expect(backoffMs(1)).toBeLessThan(backoffMs(2));
    expect(backoffMs(2)).toBeLessThan(backoffMs(3));
    expect(backoffMs(100)).toBe(60 * MINUTE);
  });

  it('treats a job with no handler as a failure, not a crash', async () => {
    await t.app.jobs.enqueue(t.db.system, { lioId: null, kind: 'test.nobody-handles-this', maxAttempts: 1 });
    const id = await lastJobId(t.db, 'test.nobody-handles-this');
    await t.app.jobs.drain();
    const row = await jobRow(t.db, id);
    expect(row.status).toBe('failed');
    expect(row.last_error).toMatch(/no handler/);
  });

  it('enqueues inside the caller’s transaction: a rolled-back transaction leaves no job', async () => {
    const lio = await t.make.lio();
    await expect(t.db.withTenant(lio.id, async (tx) => {
      await t.app.jobs.enqueue(tx, { lioId: lio.id, kind: 'test.rolled-back' });
      throw new Error('the work failed');
    })).rejects.toThrow('the work failed');
    const rows = await t.db.system.selectFrom('jobs').select('id').where('kind', '=', 'test.rolled-back').execute();
    expect(rows).toHaveLength(0);
  });

  it('takes again a job left running by a dead process, but not one that is running now', async () => {
    const now = t.clock.now();
    let runs = 0;
    t.app.jobs.register('test.orphan', async () => { runs++; });
    const dead = await insertRunning(t.db, { kind: 'test.orphan', attempts: 1, maxAttempts: 5, lockedAt: new Date(now.getTime() - 10 * MINUTE) });
    const alive = await insertRunning(t.db, { kind: 'test.orphan', attempts: 1, maxAttempts: 5, lockedAt: new Date(now.getTime() - 1 * MINUTE) });

    expect(await t.app.jobs.drain()).toBe(1);
    expect(runs).toBe(1);
    expect(await jobRow(t.db, dead)).toMatchObject({ status: 'done', attempts: 2 });
    expect(await jobRow(t.db, alive)).toMatchObject({ status: 'running', attempts: 1 });
  });

  it('gives up on a job left running by a dead process when it has no attempts left', async () => {
    const now = t.clock.now();
    let runs = 0;
    t.app.jobs.register('test.poison', async () => { runs++; });
    const id = await insertRunning(t.db, { kind: 'test.poison', attempts: 3, maxAttempts: 3, lockedAt: new Date(now.getTime() - 10 * MINUTE) });
    await t.app.jobs.drain();
    expect(runs).toBe(0);
    const after = await jobRow(t.db, id);
    expect(after.status).toBe('failed');
    expect(after.last_error).toMatch(/abandoned/);
  });

  it('renews a running job\'s claim, so a job of many minutes is never taken again by another worker', async () => {
    const clock = new FixedClock(new Date());
    const [a, b] = [new JobQueue(t.db, clock, silent, 50, 20), new JobQueue(t.db, clock, silent, 50, 20)];
    let finish!: () => void;
    const importing = new Promise<void>((resolve) => { finish = resolve; });
    let runs = 0;
    for (const queue of [a, b]) queue.register('test.long_renewed', async () => { runs++; await importing; });
    await a.enqueue(t.db.system, { lioId: null, kind: 'test.long_renewed', maxAttempts: 3 });
    const first = a.drain();
    await expect.poll(() => runs, { timeout: 10_000, interval: 20 }).toBe(1);
    // Ten minutes on: long past the time a claim goes stale, but the running worker has renewed it meanwhile.
    clock.advance(10 * MINUTE);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await b.drain()).toBe(0);
    finish();
    await first;
    expect(runs).toBe(1);
  });

  it('the in-process worker runs queued jobs by itself, and stops when the app closes', async () => {
    const ctx = await createTestApp({ config: { worker: { pollMs: 20, enabled: true } } });
    try {
      const ran: string[] = [];
      ctx.app.jobs.register('test.worker', async (job) => { ran.push(String(job.payload.n)); });
      const other = await ctx.make.lio();
      for (const n of [1, 2, 3]) await ctx.app.jobs.enqueue(ctx.db.system, { lioId: other.id, kind: 'test.worker', payload: { n } });
      await expect.poll(() => ran.length, { timeout: 10_000, interval: 20 }).toBe(3);
      expect(ran.sort()).toEqual(['1', '2', '3']);
      await ctx.app.close();
      // Enqueued after close: the stopped worker does not pick it up.
      await ctx.app.jobs.enqueue(ctx.db.system, { lioId: other.id, kind: 'test.worker', payload: { n: 4 } });
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(ran).toHaveLength(3);
    } finally {
      await ctx.close();
    }
  });
});

describe('the worker\'s two lanes', () => {
  it('runs e-mail and other short jobs while a long job (an import) is still running', async () => {
    const ctx = await createTestApp({ config: { worker: { pollMs: 20, enabled: true } } });
    let finishImport!: () => void;
    const importing = new Promise<void>((resolve) => { finishImport = resolve; });
    try {
      const events: string[] = [];
      ctx.app.jobs.register('test.long_import', async () => { events.push('import started'); await importing; events.push('import ended'); }, { long: true });
      ctx.app.jobs.register('test.short_email', async (job) => { events.push(`e-mail ${String(job.payload.n)}`); });
      const lio = await ctx.make.lio();
      await ctx.app.jobs.enqueue(ctx.db.system, { lioId: lio.id, kind: 'test.long_import' });
      await expect.poll(() => events, { timeout: 10_000, interval: 20 }).toContain('import started');
      for (const n of [1, 2]) await ctx.app.jobs.enqueue(ctx.db.system, { lioId: lio.id, kind: 'test.short_email', payload: { n } });
      await expect.poll(() => events.filter((e) => e.startsWith('e-mail')).length, { timeout: 10_000, interval: 20 }).toBe(2);
      expect(events).not.toContain('import ended');
      finishImport();
      await expect.poll(() => events, { timeout: 10_000, interval: 20 }).toContain('import ended');
      await ctx.app.close();
    } finally {
      finishImport?.();
      await ctx.close();
    }
  });
});

describe('jobs across a restart', () => {
  let store: PersistentStore;
  beforeAll(async () => { store = await createPersistentStore(); });
  afterAll(async () => { await store.dispose(); });

  it('a job enqueued before the app (and its database connection) closed runs in the next app', async () => {
    const clock = new FixedClock(new Date());
    let db = await store.open();
    const first = await buildTestAppOn(db, { clock });
    const lio = await db.system.insertInto('lios').values({ slug: 'restart-lio', name: 'Restart LIO', hostnames: ['restart.test'] }).returning('id').executeTakeFirstOrThrow();
    await first.app.jobs.enqueue(db.system, { lioId: lio.id, kind: 'test.survivor', payload: { note: 'still here' } });
    await first.app.close();
    await db.close();

    db = await store.open();
    try {
      const second = await buildTestAppOn(db, { clock });
      const seen: Job[] = [];
      second.app.jobs.register('test.survivor', async (job) => { seen.push(job); });
      expect(await second.app.jobs.drain()).toBe(1);
      expect(seen).toHaveLength(1);
      expect(seen[0]).toMatchObject({ lioId: lio.id, payload: { note: 'still here' }, attempts: 1 });
      const row = await db.system.selectFrom('jobs').selectAll().where('kind', '=', 'test.survivor').executeTakeFirstOrThrow();
      expect(row.status).toBe('done');
      await second.app.close();
    } finally {
      await db.close();
    }
  });

  it('a job left running when the process died runs in the next app once it is stale', async () => {
    const clock = new FixedClock(new Date());
    let db = await store.open();
    const first = await buildTestAppOn(db, { clock });
    // The first app claims the job and "dies" inside the handler: it never returns, the row stays 'running'.
    let started!: () => void;
    const began = new Promise<void>((resolve) => { started = resolve; });
    first.app.jobs.register('test.interrupted', () => { started(); return new Promise<void>(() => {}); });
    await first.app.jobs.enqueue(db.system, { lioId: null, kind: 'test.interrupted' });
    void first.app.jobs.drain();
    await began;
    const id = await lastJobId(db, 'test.interrupted');
    expect(await jobRow(db, id)).toMatchObject({ status: 'running', attempts: 1 });
    await first.app.close();
    await db.close();

    db = await store.open();
    try {
      const second = await buildTestAppOn(db, { clock });
      let runs = 0;
      second.app.jobs.register('test.interrupted', async () => { runs++; });
      expect(await second.app.jobs.drain()).toBe(0);
      clock.advance(6 * MINUTE);
      expect(await second.app.jobs.drain()).toBe(1);
      expect(runs).toBe(1);
      expect(await jobRow(db, id)).toMatchObject({ status: 'done', attempts: 2 });
      await second.app.close();
    } finally {
      await db.close();
    }
  });

  it.runIf(onPostgres)('on PostgreSQL, a worker skips a job another holds locked instead of waiting for it', async () => {
    const clock = new FixedClock(new Date());
    const db = await store.open();
    const other = await openDatabase({ databaseUrl: store.env.DATABASE_URL!, dataDir: '', databaseSchema: store.env.DATABASE_SCHEMA!, appDbRole: 'commonground_app' });
    try {
      const ran: number[] = [];
      const worker = new JobQueue(other, clock, silent, 50);
      worker.register('test.locked', async (job) => { ran.push(job.id); });
      const ids = (await db.system.insertInto('jobs').values([0, 1, 2].map(() => ({ kind: 'test.locked', payload: '{}', run_at: clock.now(), created_at: clock.now() })))
        .returning('id').execute()).map((r) => r.id);
      const held = ids[0]!;
      await db.system.transaction().execute(async (tx) => {
        // Another worker is in the middle of claiming the first job.
        await tx.selectFrom('jobs').select('id').where('id', '=', held).forUpdate().execute();
        const outcome = await Promise.race([
          worker.drain(),
          new Promise<'blocked'>((resolve) => setTimeout(() => resolve('blocked'), 5_000)),
        ]);
        expect(outcome).toBe(2);
      });
      expect(ran.sort()).toEqual(ids.slice(1).sort());
      expect((await jobRow(db, held)).status).toBe('queued');
      expect(await worker.drain()).toBe(1);
      expect(ran).toContain(held);
    } finally {
      await other.close();
      await db.close();
    }
  });

  it('two workers draining at once never run one job twice', async () => {
    const clock = new FixedClock(new Date());
    const db = await store.open();
    // On PostgreSQL the second worker has its own connection pool, as a second process would:
    // both claim concurrently and FOR UPDATE SKIP LOCKED keeps them apart.
    const second = store.engine === 'postgres'
      ? await openDatabase({ databaseUrl: store.env.DATABASE_URL!, dataDir: '', databaseSchema: store.env.DATABASE_SCHEMA!, appDbRole: 'commonground_app' })
      : db;
    try {
      const runs = new Map<number, number>();
      const byWorker = { a: 0, b: 0 };
      const handler = (worker: 'a' | 'b') => async (job: Job) => {
        runs.set(job.id, (runs.get(job.id) ?? 0) + 1);
        byWorker[worker]++;
        await new Promise((resolve) => setTimeout(resolve, 2));
      };
      const a = new JobQueue(db, clock, silent, 50);
      const b = new JobQueue(second, clock, silent, 50);
      a.register('test.race', handler('a'));
      b.register('test.race', handler('b'));
      const total = 60;
      await db.system.insertInto('jobs').values(Array.from({ length: total }, (_, i) => ({
        kind: 'test.race', payload: JSON.stringify({ i }), run_at: clock.now(), created_at: clock.now(),
      }))).execute();

      const [ranA, ranB] = await Promise.all([a.drain(), b.drain()]);
      expect(ranA + ranB).toBe(total);
      expect(runs.size).toBe(total);
      expect([...runs.values()].every((n) => n === 1)).toBe(true);
      const states = await db.system.selectFrom('jobs').select(['status', 'attempts']).where('kind', '=', 'test.race').execute();
      expect(states.every((s) => s.status === 'done' && s.attempts === 1)).toBe(true);
      if (store.engine === 'postgres') {
        // Both really took part.
        expect(byWorker.a).toBeGreaterThan(0);
        expect(byWorker.b).toBeGreaterThan(0);
      }
    } finally {
      if (second !== db) await second.close();
      await db.close();
    }
  });
});
