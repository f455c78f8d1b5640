import { randomBytes, randomUUID } from 'node:crypto';
import type { Database } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import type { Config } from '../../platform/config.js';
import type { JobQueue } from '../../platform/jobs.js';
import type { Mailer, OutgoingEmail } from '../../platform/mail.js';
import { lioOrigin } from '../../platform/tenancy.js';
import { bulletinsRepository as repo } from './repository.js';
import { bulletinBody, bulletinMessage, openProof, unsubscribeHash } from './message.js';

export const SEND_JOB = 'bulletins.send';
export const RESUME_JOB = 'bulletins.resume';
/** A sender whose heartbeat is older than this has stopped (its process died): the next one takes over. */
export const LEASE_MS = 20_000;
const HEARTBEAT_MS = 5_000;
const RESUME_EVERY_MS = 30_000;
/** Lanes sending at once over the mailer's pooled connections. */
export const LANES = 8;
/**
 * Recipients a lane claims in one committed step before their messages go, and settles in one step after: a sender
 * killed mid-send leaves at most LANES × BATCH rows of unknown fate (never sent again), and the database is written
 * twice a batch rather than twice a message.
 */
export const BATCH = 10;

type Deps = { db: Database; clock: Clock; config: Config; mailer: Mailer };

/** Whether the SMTP server never took the message (it can go again) or refused it for good. */
function failureOf(err: unknown): 'queued' | 'failed' | 'unknown' {
  const e = err as { responseCode?: number; command?: string; code?: string };
  if (typeof e.responseCode === 'number') return e.responseCode >= 500 ? 'failed' : 'queued';
  return e.command === 'CONN' || e.code === 'ECONNECTION' || e.code === 'ECONNREFUSED' ? 'queued' : 'unknown';
}

type Outcomes = Record<'sent' | 'failed' | 'queued', string[]>;
interface Run { deps: Deps; lioId: string; bulletinId: string; lease: string; body: ReturnType<typeof bulletinBody>; origin: string }

/** Claims a batch (committed before any message goes), sends each, settles them together; 'done' when none was left. */
async function sendBatch(run: Run): Promise<'more' | 'done'> {
  const { db, clock, config, mailer } = run.deps;
  const tokens = new Map(Array.from({ length: BATCH }, () => {
    const token = randomBytes(24).toString('base64url');
    return [unsubscribeHash(config.sessionSecret, token), token] as const;
  }));
  const rows = await db.withTenant(run.lioId, (tx) => repo.claim(tx, run.bulletinId, run.lease, [...tokens.keys()]));
  if (rows.length === 0) return 'done';
  const outcomes: Outcomes = { sent: [], failed: [], queued: [] };
  const held: OutgoingEmail[] = [];
  let stop: 'queued' | 'unknown' | null = null;
  // The batch's messages go together: the mailer's pool spreads them over its connections.
  const results = await Promise.allSettled(rows.map(async (row) => {
    const unsubscribe = `${run.origin}/bulletins/unsubscribe/${tokens.get(row.unsubscribe_token_hash)!}`;
    const message = bulletinMessage(run.body, row.email, {
      unsubscribe, oneClick: `${unsubscribe}/one-click`, opened: `${run.origin}/bulletins/opened/${row.id}/${openProof(config.sessionSecret, row.id)}`,
    });
    if (await mailer.deliver(message) === 'held') held.push(message);
  }));
  results.forEach((result, i) => {
    const id = rows[i]!.id;
    if (result.status === 'fulfilled') return void outcomes.sent.push(id);
    const failure = failureOf(result.reason);
    // 'unknown' stays claimed: releasing the lease marks it so.
    if (failure !== 'unknown') outcomes[failure].push(id);
    if (failure !== 'failed') stop = failure;
  });
  await db.withTenant(run.lioId, async (tx) => {
    // With no mail server configured, the messages are kept in the outbox staff read, as every other e-mail of the app is.
    for (const message of held) await repo.keepInOutbox(tx, run.lioId, message, clock.now());
    for (const outcome of ['sent', 'failed', 'queued'] as const) await repo.settle(tx, outcomes[outcome], outcome, clock.now());
  });
  if (stop) throw new Error(stop === 'queued' ? 'the mail server did not take the message: sending resumes later' : 'a message may or may not have gone');
  return 'more';
}

/**
 * Sends one bulletin. It takes the bulletin's lease first (so two senders never share one), then claims recipients (a
 * small batch at a time) in a committed step of their own before their messages go, and settles them after; rows a
 * dead sender left claimed are never sent again (see repository.takeLease). Lanes share the mailer's pool; a server
 * that cannot be reached stops the run, which the job queue retries later.
 */
export async function sendBulletin(deps: Deps, lioId: string, bulletinId: string): Promise<'sent' | 'busy' | 'gone'> {
  const { db, clock, config } = deps;
  const lease = randomUUID();
  const start = await db.withTenant(lioId, async (tx) => {
    const bulletin = await repo.get(tx, bulletinId);
    if (!bulletin || bulletin.status !== 'sending') return 'gone' as const;
    if (!await repo.takeLease(tx, bulletinId, lease, clock.now(), new Date(clock.now().getTime() - LEASE_MS))) return 'busy' as const;
    return { bulletin, lio: await repo.lio(tx, lioId) };
  });
  if (typeof start === 'string') return start;
  const run: Run = {
    deps, lioId, bulletinId, lease, body: bulletinBody(start.bulletin, start.lio?.name ?? 'us'),
    origin: start.lio ? lioOrigin(start.lio, config.baseUrl) : config.baseUrl,
  };
  let leased = true;
  const beat = setInterval(() => {
    void db.withTenant(lioId, (tx) => repo.heartbeat(tx, bulletinId, lease, clock.now())).then((ok) => { leased &&= ok; }, () => {});
  }, HEARTBEAT_MS);
  beat.unref();
  const lane = async () => {
    while (leased && await sendBatch(run) === 'more');
  };
  try {
    const results = await Promise.allSettled(Array.from({ length: LANES }, lane));
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    const finished = await db.withTenant(lioId, (tx) => repo.finishIfDone(tx, bulletinId, lease, clock.now()));
    return finished ? 'sent' : 'busy';
  } finally {
    clearInterval(beat);
    await db.withTenant(lioId, (tx) => repo.releaseLease(tx, bulletinId, lease));
  }
}

/** The send job (queued when a bulletin is sent) and the recurring job that resumes a bulletin whose sender stopped. */
export function registerBulletinJobs(jobs: JobQueue, deps: Deps): void {
  // A bulletin to thousands takes minutes: in the long lane, so password resets and reminders never wait behind it.
  jobs.register(SEND_JOB, async (job) => {
    await sendBulletin(deps, job.lioId as string, String(job.payload.bulletinId));
  }, { long: true });
  jobs.registerRecurring(RESUME_JOB, RESUME_EVERY_MS, async () => {
    for (const b of await repo.abandoned(deps.db.system, new Date(deps.clock.now().getTime() - LEASE_MS))) {
      await jobs.enqueue(deps.db.system, { lioId: b.lio_id, kind: SEND_JOB, payload: { bulletinId: b.id } });
    }
  });
}
