import { sql } from 'kysely';
import type { FastifyBaseLogger } from 'fastify';
import type { Database, Queryable } from './db/index.js';
import type { Clock } from './clock.js';

export interface Job { id: number; lioId: string | null; kind: string; payload: Record<string, unknown>; attempts: number; maxAttempts: number }
export type JobHandler = (job: Job) => Promise<void>;

export interface EnqueueOptions { lioId: string | null; kind: string; payload?: Record<string, unknown>; runAt?: Date; maxAttempts?: number }
/**
 * Which of the worker's two lanes runs a kind of job. A long job (an import of a whole feed or grants file, minutes of
 * work) runs in its own lane, so that e-mail, reminders and bulletins never wait behind it.
 */
export interface JobOptions { long?: boolean }
type Lane = 'long' | 'short';

/** A job left "running" this long without its claim renewed belongs to a process that died; it is taken again. */
const STALE_AFTER_MS = 5 * 60_000;
/** How often a running job's claim is renewed (well inside STALE_AFTER_MS). */
const HEARTBEAT_MS = 60_000;
/** How often a running worker checks that every recurring job still has a run waiting (one could have been abandoned). */
const RECURRING_CHECK_MS = 10 * 60_000;

export function backoffMs(attempts: number): number {
  return Math.min(2 ** Math.max(0, attempts - 1) * 10_000, 60 * 60_000);
}

/**
 * Durable background work: rows in `jobs`, claimed with FOR UPDATE SKIP LOCKED so that several
 * workers (or processes) never take the same job, retried with exponential backoff.
 */
export class JobQueue {
  private readonly handlers = new Map<string, JobHandler>();
  private readonly recurring = new Map<string, number>();
  private recurringCheckedAt = -Infinity;
  private readonly longKinds = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private readonly running: Record<Lane, Promise<void> | null> = { long: null, short: null };
  private stopped = true;

  constructor(private readonly db: Database, private readonly clock: Clock, private readonly log: FastifyBaseLogger, private readonly pollMs: number,
    private readonly heartbeatMs = HEARTBEAT_MS) {}

  register(kind: string, handler: JobHandler, options: JobOptions = {}): void {
    this.handlers.set(kind, handler);
    if (options.long) this.longKinds.add(kind);
  }

  /**
   * A job that runs every `everyMs` without anyone asking: one run waits in `jobs` at a time, and when it ends (done,
   * or failed for the last time) the next is queued `everyMs` later. Being a row like any other job, it survives
   * restarts, and across several processes still runs once per interval.
   */
  registerRecurring(kind: string, everyMs: number, handler: JobHandler): void {
    this.register(kind, handler);
    this.recurring.set(kind, everyMs);
  }

  /** Queues a run, due now, of each recurring job that has none waiting or running: at start, and after a run was abandoned. */
  async ensureRecurring(): Promise<void> {
    this.recurringCheckedAt = Date.now();
    for (const kind of this.recurring.keys()) await this.queueRecurring(kind, this.clock.now(), null);
  }

  /** The advisory lock makes check-then-insert safe when two processes start together. */
  private async queueRecurring(kind: string, runAt: Date, finishingId: number | null): Promise<void> {
    await this.db.system.transaction().execute(async (tx) => {
      await sql`select pg_advisory_xact_lock(hashtext(${`jobs.recurring:${kind}`}))`.execute(tx);
      const waiting = await tx.selectFrom('jobs').select('id').where('kind', '=', kind).where('status', 'in', ['queued', 'running'])
        .$if(finishingId !== null, (q) => q.where('id', '!=', finishingId!)).executeTakeFirst();
      if (!waiting) await tx.insertInto('jobs').values({ lio_id: null, kind, payload: '{}', run_at: runAt, max_attempts: 3, created_at: this.clock.now() }).execute();
    });
  }

  /** Enqueue inside the caller's transaction, so the job exists only if the work that asked for it was committed. */
  async enqueue(db: Queryable, options: EnqueueOptions): Promise<void> {
    await this.enqueueMany(db, [options]);
  }

  /** As enqueue, for many jobs in one statement (a batch of sign-ups' e-mails, say). */
  async enqueueMany(db: Queryable, jobs: EnqueueOptions[]): Promise<void> {
    if (jobs.length === 0) return;
    const now = this.clock.now();
    await db.insertInto('jobs').values(jobs.map((options) => ({
      lio_id: options.lioId,
      kind: options.kind,
      payload: JSON.stringify(options.payload ?? {}),
      run_at: options.runAt ?? now,
      max_attempts: options.maxAttempts ?? 5,
      created_at: now,
    }))).execute();
    this.wake();
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await Promise.all([this.running.long, this.running.short]);
  }

  /** Runs every job that is due now; returns how many ran. Tests use it to wait for e-mail deterministically. */
  async drain(): Promise<number> {
    let n = 0;
    await this.abandonDeadJobs();
    while (await this.runOne()) n++;
    return n;
  }

  /**
   * The worker's loop: like drain, but stops taking new jobs once stop() is called, so shutdown waits for one job of
   * each lane at most. The lanes run side by side: a long job runs while the short ones keep going.
   */
  private async work(lane: Lane): Promise<void> {
    if (lane === 'short') {
      await this.abandonDeadJobs();
      if (Date.now() - this.recurringCheckedAt >= RECURRING_CHECK_MS) await this.ensureRecurring();
    }
    while (!this.stopped && await this.runOne(lane));
  }

  /**
   * A job whose process died while running it, with no attempts left, is not tried again:
   * a job that kills its worker would otherwise be taken back for ever.
   */
  private async abandonDeadJobs(): Promise<void> {
    const now = this.clock.now();
    await sql`update jobs set status = 'failed', finished_at = ${now},
        last_error = coalesce(last_error || ' / ', '') || 'abandoned: the worker stopped while running it, and no attempts are left'
      where status = 'running' and locked_at < ${new Date(now.getTime() - STALE_AFTER_MS)} and attempts >= max_attempts`.execute(this.db.system);
  }

  private wake(): void {
    if (!this.stopped) this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.stopped) return;
      // Each idle lane starts; a busy one finds the new work itself when its current job ends.
      for (const lane of ['long', 'short'] as const) {
        if (this.running[lane]) continue;
        this.running[lane] = this.work(lane)
          .catch((err) => this.log.error({ err, lane }, 'job worker error'))
          .finally(() => { this.running[lane] = null; });
      }
      this.schedule(this.pollMs);
    }, ms);
    this.timer.unref();
  }

  /** Claims and runs the next due job (of one lane, or of either), returning whether there was one. */
  private async runOne(lane?: Lane): Promise<boolean> {
    const now = this.clock.now();
    const staleBefore = new Date(now.getTime() - STALE_AFTER_MS);
    const longKinds = [...this.longKinds];
    const inLane = lane === undefined ? sql`true` : lane === 'long' ? sql`kind = any(${longKinds}::text[])` : sql`not (kind = any(${longKinds}::text[]))`;
    const claimed = await sql<{ id: number; lio_id: string | null; kind: string; payload: Record<string, unknown>; attempts: number; max_attempts: number }>`
      update jobs set status = 'running', locked_at = ${now}, attempts = attempts + 1
      where id = (
        select id from jobs
        where ((status = 'queued' and run_at <= ${now}) or (status = 'running' and locked_at < ${staleBefore} and attempts < max_attempts)) and ${inLane}
        order by run_at, id
        for update skip locked
        limit 1)
      returning id, lio_id, kind, payload, attempts, max_attempts`.execute(this.db.system);
    const row = claimed.rows[0];
    if (!row) return false;
    const job: Job = { id: row.id, lioId: row.lio_id, kind: row.kind, payload: row.payload, attempts: row.attempts, maxAttempts: row.max_attempts };
    const handler = this.handlers.get(job.kind);
    const beating = this.keepClaimed(job.id);
    try {
      if (!handler) throw new Error(`no handler for job kind ${job.kind}`);
      await handler(job);
      await beating.stop();
      await this.db.system.updateTable('jobs').set({ status: 'done', finished_at: this.clock.now(), last_error: null }).where('id', '=', job.id).execute();
      await this.queueNextRun(job);
    } catch (err) {
      await beating.stop();
      const message = (err as Error).message?.slice(0, 1000) ?? 'error';
      const final = job.attempts >= job.maxAttempts;
      this.log.warn({ jobId: job.id, kind: job.kind, attempts: job.attempts, final }, 'job failed');
      await this.db.system.updateTable('jobs').set(final
        ? { status: 'failed', finished_at: this.clock.now(), last_error: message }
        : { status: 'queued', run_at: new Date(this.clock.now().getTime() + backoffMs(job.attempts)), last_error: message })
        .where('id', '=', job.id).execute();
      if (final) await this.queueNextRun(job);
    }
    return true;
  }

  /**
   * While a job runs, its claim is renewed every minute: a job of many minutes (an import, a bulletin to thousands)
   * is never taken for one whose process died, and run a second time by another worker.
   */
  private keepClaimed(id: number): { stop(): Promise<void> } {
    let beat: Promise<unknown> | null = null;
    const timer = setInterval(() => {
      if (beat) return;
      beat = this.db.system.updateTable('jobs').set({ locked_at: this.clock.now() }).where('id', '=', id).where('status', '=', 'running').execute()
        .catch((err: unknown) => this.log.warn({ err, jobId: id }, 'job claim not renewed'))
        .finally(() => { beat = null; });
    }, this.heartbeatMs);
    timer.unref();
    return { async stop() { clearInterval(timer); await beat; } };
  }

  private async queueNextRun(job: Job): Promise<void> {
    const everyMs = this.recurring.get(job.kind);
    if (everyMs !== undefined) await this.queueRecurring(job.kind, new Date(this.clock.now().getTime() + everyMs), job.id);
  }
}
