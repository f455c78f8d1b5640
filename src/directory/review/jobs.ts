import type { Database } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import type { Config } from '../../platform/config.js';
import type { JobQueue } from '../../platform/jobs.js';
import { recordAudit } from '../../platform/audit.js';
import { queueEmail } from '../../platform/mail.js';
import { hashSecret, newSecret } from '../../platform/auth/secrets.js';
import { organisationsRepository, recordOrganisationEvent } from '../organisations/repository.js';
import { DAY_MS, verificationRepository, type Sender } from './repository.js';
import { lioOrigin } from '../../platform/tenancy.js';

export { lioOrigin };

/** A verification link works once, for this many days. */
export const VERIFY_LINK_DAYS = 28;
/** Listings e-mailed by one run of the job; a longer queue continues in a follow-up job. */
export const VERIFICATION_BATCH = 200;
export const VERIFICATION_JOB = 'directory.verification_emails';
/** The daily job that e-mails, in every LIO, the listings that fell due: no one has to press the button. */
export const VERIFICATION_SWEEP_JOB = 'directory.verification_sweep';
const SWEEP_LABEL = 'Daily verification sweep';

/** The verification e-mails and the daily sweep that sends them for listings fallen due. */
export function registerVerificationJobs(jobs: JobQueue, deps: { db: Database; clock: Clock; config: Config }) {
  registerVerificationEmails(jobs, deps);
  registerDailySweep(jobs, deps);
}

/** The job: makes a one-time link per listing (only its hash is stored) and queues the e-mail. */
function registerVerificationEmails(jobs: JobQueue, { db, clock }: { db: Database; clock: Clock }): void {
  jobs.register(VERIFICATION_JOB, async (job) => {
    const lioId = job.lioId as string;
    const origin = String(job.payload.origin);
    const organisationId = typeof job.payload.organisationId === 'string' ? job.payload.organisationId : null;
    const requestedBy = typeof job.payload.requestedBy === 'string' ? job.payload.requestedBy : 'Common Ground';
    const sender: Sender = job.payload.sender === 'sweep' ? 'sweep' : 'staff';
    const now = clock.now();
    await db.withTenant(lioId, async (tx) => {
      // Two bulk runs for one LIO (a staff send and the sweep) take turns, so neither e-mails what the other just did.
      if (!organisationId) await verificationRepository.takeTurn(tx, lioId);
      const lio = await verificationRepository.lio(tx, lioId);
      let targets: { id: string; name: string }[];
      if (organisationId) {
        const org = await organisationsRepository.get(tx, organisationId);
        targets = org && !org.merged_into_id ? [{ id: org.id, name: org.name }] : [];
      } else {
        targets = await verificationRepository.toEmail(tx, now, lio.verification_months, VERIFICATION_BATCH, sender);
      }
      for (const target of targets) {
        const recipients = await verificationRepository.recipients(tx, target.id);
        if (!recipients.length) continue;
        // One e-mail, and one link, each: no contact sees another's address, and any one of them can confirm.
        for (const { email: to } of recipients) {
          const token = newSecret();
          await verificationRepository.insertRequest(tx, lioId, target.id, hashSecret(token), now);
          await queueEmail(tx, jobs, lioId, {
            to,
            subject: `Is the listing of ${target.name} still right?`,
            text: `Hello,\n\n${lio.name} lists ${target.name} in its directory of local groups and services, which residents, GPs and council staff use to find help.\n\n`
              + `Please check the details we hold and confirm they are still right, using this link within ${VERIFY_LINK_DAYS} days (no sign-in needed):\n\n${origin}/verify/${token}\n\n`
              + `If something has changed, reply to this e-mail or contact ${lio.name} and we will update it.\n\nThank you,\n${lio.name}\n`,
          }, clock);
        }
        // The history names the organisation's own (published) address; its people's addresses are only counted.
        const own = recipients.find((r) => r.own)?.email;
        const others = recipients.filter((r) => !r.own).length;
        const people = others ? `${others} of its ${others === 1 ? 'contact or member' : 'contacts and members'}` : '';
        await recordOrganisationEvent(tx, lioId, target.id, requestedBy, 'verification_sent', `Verification e-mail sent to ${[own, people].filter(Boolean).join(' and ')}`, {}, now);
      }
      // A long queue continues in a follow-up run rather than one long transaction.
      if (!organisationId && targets.length === VERIFICATION_BATCH) {
        await jobs.enqueue(tx, { lioId, kind: VERIFICATION_JOB, payload: job.payload });
      }
    });
  });
}

/**
 * Once a day, for every LIO, queues the verification e-mails of the listings that fell due and were not asked
 * within the verification period. The e-mails themselves go out through the same job as a staff member's send.
 */
function registerDailySweep(jobs: JobQueue, { db, clock, config }: { db: Database; clock: Clock; config: Config }): void {
  const baseUrl = config.baseUrl;
  jobs.registerRecurring(VERIFICATION_SWEEP_JOB, DAY_MS, async () => {
    const now = clock.now();
    const lios = await verificationRepository.allLios(db.system);
    for (const lio of lios) {
      await db.withTenant(lio.id, async (tx) => {
        const months = await organisationsRepository.verificationMonths(tx, lio.id);
        const count = await verificationRepository.countToEmail(tx, now, months, 'sweep');
        if (count === 0) return;
        await jobs.enqueue(tx, { lioId: lio.id, kind: VERIFICATION_JOB, payload: { origin: lioOrigin(lio, baseUrl), organisationId: null, requestedBy: SWEEP_LABEL, sender: 'sweep' } });
        await recordAudit(tx, lio.id, { userId: null, label: SWEEP_LABEL }, {
          action: 'organisation.verification_requested', subjectType: 'lio', subjectId: lio.id, detail: { listings: count, automatic: true },
        }, now);
      });
    }
  });
}
