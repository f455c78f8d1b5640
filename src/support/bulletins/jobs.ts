import { randomBytes, randomUUID } from 'node:crypto';
import type { Database, Tx } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import type { Config } from '../../platform/config.js';
import type { JobQueue } from '../../platform/jobs.js';
import { MAIL_CONNECTIONS, type Mailer, type OutgoingEmail } from '../../platform/mail.js';
import { lioOrigin } from '../../platform/tenancy.js';
import { bulletinsRepository as repo } from './repository.js';
import { bulletinBody, bulletinMessage, openProof, unsubscribeHash } from './message.js';

export const SEND_JOB = 'bulletins.send';
export const RESUME_JOB = 'bulletins.resume';
/** A sender whose heartbeat is older than this has stopped (its process died): the next one takes over. */
export const LEASE_MS = 20_000;
const HEARTBEAT_MS = 5_000;
const RESUME_EVERY_MS = 30_000;
/** Lanes sending at once, one batch each, over the mailer's pooled connections. */
export const LANES = MAIL_CONNECTIONS;
/**
 * Recipients a lane claims in one committed step before their messages go. The window of doubt is exactly the rows
 * claimed and not yet settled: a sender killed mid-send leaves at most LANES × BATCH of them, whose messages may or may
 * not have gone, and they are marked 'unknown' and never sent again; every other row is either settled or still queued
 * (never claimed, so never sent). A batch's outcomes are settled in the same transaction that claims the lane's next
 * batch, so the database is written once a batch.
 */
export const BATCH = 25;

type Deps = { db: Database; clock: Clock; config: Config; mailer: Mailer };

/** Whether the SMTP server never took the message (it can go again) or refused it for good. */
function failureOf(err: unknown): 'queued' | 'failed' | 'unknown' {
  const e = err as { responseCode?: number; command?: string; code?: string };
  if (typeof e.responseCode === 'number') return e.responseCode >= 500 ? 'failed' : 'queued';
  return e.command === 'CONN' || e.code === 'ECONNECTION' || e.code === 'ECONNREFUSED' ? 'queued' : 'unknown';
}

type Claimed = { rows: { id: string; email: string; unsubscribe_token_hash: string }[]; tokens: Map<string, string> };
type Outcomes = { sent: string[]; failed: string[]; queued: string[]; held: OutgoingEmail[]; stop: 'queued' | 'unknown' | null };
interface Run { deps: Deps; lioId: string; bulletinId: string; lease: string; body: ReturnType<typeof bulletinBody>; origin: string; leased: boolean }

/** Claims the lane's next batch in the caller's transaction, each row given the hash of its own new unsubscribe token. */
async function claim(run: Run, tx: Tx): Promise<Claimed> {
  const tokens = new Map(Array.from({ length: BATCH }, () => {
    const token = randomBytes(24).toString('base64url');
    return [unsubscribeHash(run.deps.config.sessionSecret, token), token] as const;
  }));
  return { rows: await repo.claim(tx, run.bulletinId, run.lease, [...tokens.keys()]), tokens };
}

/** Sends a claimed batch's messages together (the mailer's pool spreads them over its connections). */
async function deliver(run: Run, { rows, tokens }: Claimed): Promise<Outcomes> {
  const { config, mailer } = run.deps;
  const outcomes: Outcomes = { sent: [], failed: [], queued: [], held: [], stop: null };
  const results = await Promise.allSettled(rows.map(async (row) => {
    const unsubscribe = `${run.origin}/bulletins/unsubscribe/${tokens.get(row.unsubscribe_token_hash)!}`;
    const message = bulletinMessage(run.body, row.email, {
      unsubscribe, opened: `${run.origin}/bulletins/opened/${row.id}/${openProof(config.sessionSecret, row.id)}`,
    });
    if (await mailer.deliver(message) === 'held') outcomes.held.push(message);
  }));
  results.forEach((result, i) => {
    const id = rows[i]!.id;
    if (result.status === 'fulfilled') return void outcomes.sent.push(id);
    const failure = failureOf(result.reason);
    // 'unknown' stays claimed: releasing the lease marks it so.
    if (failure !== 'unknown') outcomes[failure].push(id);
    if (failure !== 'failed') outcomes.stop = failure;
  });
  return outcomes;
}

/** Records a batch's outcomes in the caller's transaction. */
async function settle(run: Run, tx: Tx, outcomes: Outcomes): Promise<void> {
  const { clock } = run.deps;
  // With no mail server configured, the messages are kept in the outbox staff read, as every other e-mail of the app is.
  for (const message of outcomes.held) await repo.keepInOutbox(tx, run.lioId, message, clock.now());
  for (const outcome of ['sent', 'failed', 'queued'] as const) await repo.settle(tx, outcomes[outcome], outcome, clock.now());
}

/** One lane: claim a batch (committed before any of its messages goes), send it, then settle it and claim the next in one step. */
async function lane(run: Run): Promise<void> {
  const { db } = run.deps;
  let batch = await db.withTenant(run.lioId, (tx) => claim(run, tx));
  while (batch.rows.length > 0) {
    const outcomes = await deliver(run, batch);
    const goOn = run.leased && !outcomes.stop;
    batch = await db.withTenant(run.lioId, async (tx) => {
      await settle(run, tx, outcomes);
      return goOn ? claim(run, tx) : { rows: [], tokens: new Map() };
    });
    if (outcomes.stop) throw new Error(outcomes.stop === 'queued' ? 'the mail server did not take the message: sending resumes later' : 'a message may or may not have gone');
  }
}

/**
 * Sends one bulletin. It takes the bulletin's lease first (so two senders never share one), then claims recipients (a
 * small batch at a time) in a committed step before their messages go, and settles them after; rows a
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
  if (await repo.statisticsMiss(db.system, bulletinId, start.bulletin.recipients_count)) await repo.refreshStatistics(db.system);
  const run: Run = {
    deps, lioId, bulletinId, lease, body: bulletinBody(start.bulletin, start.lio?.name ?? 'us', config.mailFrom),
    origin: start.lio ? lioOrigin(start.lio, config.baseUrl) : config.baseUrl, leased: true,
  };
  const beat = setInterval(() => {
    void db.withTenant(lioId, (tx) => repo.heartbeat(tx, bulletinId, lease, clock.now())).then((ok) => { run.leased &&= ok; }, () => {});
  }, HEARTBEAT_MS);
  beat.unref();
  try {
    const results = await Promise.allSettled(Array.from({ length: LANES }, () => lane(run)));
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
