import type { Database } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import type { Config } from '../../platform/config.js';
import type { JobQueue } from '../../platform/jobs.js';
import { queueEmail } from '../../platform/mail.js';
import { listUnsubscribeHeaders } from '../../platform/http/one-step-links.js';
import { lioOrigin } from '../../platform/tenancy.js';
import { londonDay } from '../../platform/validation/dates.js';
import { CLOSING_SOON_DAYS, rankByFit, type Fit } from './fit.js';
import { fundingRepository } from './repository.js';
import { digestRepository } from './digest-repository.js';
import { amountRange } from './money.js';
import { fundingStopLinks } from './service.js';

export const DIGEST_JOB = 'support.funding_digests';
/** Daily: a digest goes out the day an opportunity is published, and again when it is about to close. */
const EVERY_MS = 24 * 60 * 60_000;
/** An opportunity older than this is not "new" to a member who joined after it was published: it was there already. */
const NEW_FOR_DAYS = 30;

type Ranked = Awaited<ReturnType<typeof fundingRepository.open>>[number] & { fit: Fit };

function digestText(name: string, organisation: string, fresh: Ranked[], closing: Ranked[], origin: string, stop: string): string {
  const entry = (o: Ranked) => [`* ${o.programme} (${o.funder_name})${amountRange(o.amount_min, o.amount_max) ? `: ${amountRange(o.amount_min, o.amount_max)}` : ''}`,
    `  ${o.fit.explanation}.`, ...(o.url ? [`  ${o.url}`] : [])].join('\n');
  return [
    `Hello ${name},`, '',
    `Funding that fits ${organisation}, from the opportunities your local infrastructure organisation keeps.`, '',
    ...(closing.length ? ['Closing soon:', ...closing.map(entry), ''] : []),
    ...(fresh.length ? ['New:', ...fresh.map(entry), ''] : []),
    `See every opportunity that fits, and why: ${origin}/our-support/funding`,
    `To stop these e-mails: ${stop}`,
  ].join('\n');
}

/** Sends each group member of one LIO the fitting opportunities they have not been told of; none when there are none. */
export async function sendDigests(deps: { db: Database; clock: Clock; jobs: JobQueue; config: Config }, lioId: string, origin: string): Promise<number> {
  const now = deps.clock.now();
  const today = londonDay(now);
  const newSince = new Date(now.getTime() - NEW_FOR_DAYS * 86_400_000);
  return deps.db.withTenant(lioId, async (tx) => {
    const open = await fundingRepository.open(tx, today);
    if (!open.length) return 0;
    const recipients = await digestRepository.recipients(tx);
    const sent = await digestRepository.sent(tx, recipients.map((r) => r.user_id));
    const stopLinks = fundingStopLinks(deps.config.sessionSecret);
    let emails = 0;
    for (const r of recipients) {
      const already = sent.get(r.user_id) ?? new Set<string>();
      const { eligible } = rankByFit(open, r, today);
      const closing = eligible.filter((o) => o.fit.daysLeft !== null && o.fit.daysLeft <= CLOSING_SOON_DAYS && !already.has(`${o.id}:closing`));
      const fresh = eligible.filter((o) => !closing.includes(o) && o.created_at >= newSince && !already.has(`${o.id}:new`) && !already.has(`${o.id}:closing`));
      if (!closing.length && !fresh.length) continue;
      const stop = `${origin}/funding/digests/stop/${stopLinks.token(r.user_id)}`;
      await queueEmail(tx, deps.jobs, lioId, {
        to: r.email, subject: `Funding for ${r.organisation_name}: ${closing.length + fresh.length} ${closing.length + fresh.length === 1 ? 'opportunity' : 'opportunities'}`,
        text: digestText(r.display_name, r.organisation_name, fresh, closing, origin, stop),
        headers: listUnsubscribeHeaders(stop),
      }, deps.clock);
      await digestRepository.record(tx, {
        lioId, userId: r.user_id, now,
        items: [...closing.flatMap((o) => [{ opportunityId: o.id, reason: 'closing' as const }, { opportunityId: o.id, reason: 'new' as const }]), ...fresh.map((o) => ({ opportunityId: o.id, reason: 'new' as const }))],
      });
      emails++;
    }
    return emails;
  });
}

/** The recurring job that sends the funding digests of every LIO. */
export function registerDigestJob(jobs: JobQueue, deps: { db: Database; clock: Clock; config: Config }): void {
  jobs.registerRecurring(DIGEST_JOB, EVERY_MS, async () => {
    for (const lio of await digestRepository.allLios(deps.db.system)) await sendDigests({ ...deps, jobs }, lio.id, lioOrigin(lio, deps.config.baseUrl));
  });
}
