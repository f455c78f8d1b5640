import { randomBytes, randomUUID } from 'node:crypto';
import type { Database } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import type { Config } from '../../platform/config.js';
import type { JobQueue } from '../../platform/jobs.js';
import type { Mailer } from '../../platform/mail.js';
import { lioOrigin } from '../../platform/tenancy.js';
import { bulletinsRepository as repo } from './repository.js';
import { bulletinBody, bulletinMessage, openProof, unsubscribeHash } from './message.js';

export const SEND_JOB = 'bulletins.send';
export const RESUME_JOB = 'bulletins.resume';
/** A sender whose heartbeat is older than this has stopped (its process died): the next one takes over. */
export const LEASE_MS = 20_000;
const HEARTBEAT_MS = 5_000;
const RESUME_EVERY_MS = 30_000;
/** Messages in flight at once over the mailer's pooled connections. */
const LANES = 8;

type Deps = { db: Database; clock: Clock; config: Config; mailer: Mailer };

/** Whether the SMTP server never took the message (it can go again) or refused it for good. */
function failureOf(err: unknown): 'queued' | 'failed' | 'unknown' {
  const e = err as { responseCode?: number; command?: string; code?: string };
  if (typeof e.responseCode === 'number') return e.responseCode >= 500 ? 'failed' : 'queued';
  return e.command === 'CONN' || e.code === 'ECONNECTION' || e.code === 'ECONNREFUSED' ? 'queued' : 'unknown';
}

/**
 * Sends one bulletin. It takes the bulletin's lease first (so two senders never share one), then claims each recipient
 * in its own committed step before the message goes, and settles it after; rows a dead sender left claimed are never
 * sent again (see repository.takeLease). Lanes share the mailer's pool; a server that cannot be reached stops the run,
 * which the job queue retries later.
 */
export async function sendBulletin(deps: Deps, lioId: string, bulletinId: string): Promise<'sent' | 'busy' | 'gone'> {
  const { db, clock, config, mailer } = deps;
  const lease = randomUUID();
  const staleBefore = () => new Date(clock.now().getTime() - LEASE_MS);
  const start = await db.withTenant(lioId, async (tx) => {
    const bulletin = await repo.get(tx, bulletinId);
    if (!bulletin || bulletin.status !== 'sending') return 'gone' as const;
    if (!await repo.takeLease(tx, bulletinId, lease, clock.now(), staleBefore())) return 'busy' as const;
    return { bulletin, lio: await repo.lio(tx, lioId) };
  });
  if (typeof start === 'string') return start;
  const origin = start.lio ? lioOrigin(start.lio, config.baseUrl) : config.baseUrl;
  const body = bulletinBody(start.bulletin, start.lio?.name ?? 'us');
  let leased = true;
  const beat = setInterval(() => {
    void db.withTenant(lioId, (tx) => repo.heartbeat(tx, bulletinId, lease, clock.now())).then((ok) => { leased &&= ok; }, () => {});
  }, HEARTBEAT_MS);
  beat.unref();
  const lane = async () => {
    while (leased) {
      const token = randomBytes(24).toString('base64url');
      const row = await db.withTenant(lioId, (tx) => repo.claim(tx, bulletinId, lease, unsubscribeHash(config.sessionSecret, token)));
      if (!row) return;
      const unsubscribe = `${origin}/bulletins/unsubscribe/${token}`;
      const message = bulletinMessage(body, row.email, {
        unsubscribe, oneClick: `${unsubscribe}/one-click`, opened: `${origin}/bulletins/opened/${row.id}/${openProof(config.sessionSecret, row.id)}`,
      });
      let outcome: 'sent' | 'failed' | 'queued' | 'unknown' = 'sent';
      let held = false;
      try {
        held = await mailer.deliver(message) === 'held';
      } catch (err) {
        outcome = failureOf(err);
      }
      // 'unknown' stays claimed: releasing the lease below marks it so. With no mail server configured, the message is
      // kept in the outbox staff read, as every other e-mail of the app is.
      if (outcome !== 'unknown') {
        await db.withTenant(lioId, async (tx) => {
          if (held) await repo.keepInOutbox(tx, lioId, message, clock.now());
          await repo.settle(tx, row.id, outcome as 'sent' | 'failed' | 'queued', clock.now());
        });
      }
      if (outcome === 'queued' || outcome === 'unknown') throw new Error(outcome === 'queued' ? 'the mail server did not take the message: sending resumes later' : 'a message may or may not have gone');
    }
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
  jobs.register(SEND_JOB, async (job) => {
    await sendBulletin(deps, job.lioId as string, String(job.payload.bulletinId));
  });
  jobs.registerRecurring(RESUME_JOB, RESUME_EVERY_MS, async () => {
    for (const b of await repo.abandoned(deps.db.system, new Date(deps.clock.now().getTime() - LEASE_MS))) {
      await jobs.enqueue(deps.db.system, { lioId: b.lio_id, kind: SEND_JOB, payload: { bulletinId: b.id } });
    }
  });
}
