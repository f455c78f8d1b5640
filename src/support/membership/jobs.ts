import type { Database } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import type { Config } from '../../platform/config.js';
import type { JobQueue } from '../../platform/jobs.js';
import { queueEmail } from '../../platform/mail.js';
import { lioOrigin } from '../../platform/tenancy.js';
import { londonDay } from '../../platform/validation/dates.js';
import { membershipRepository as repo } from './repository.js';
import { penceText } from '../../platform/money.js';

export const MEMBERSHIP_JOB = 'membership.renewals';
/** Hourly: a reminder goes out on the day it is due, and a membership lapses the day its grace period ends. */
const EVERY_MS = 60 * 60_000;
/** Days after renews_on a membership stays active unpaid before it lapses. */
export const GRACE_DAYS = 30;

const longDay = (day: string) => new Date(`${day}T12:00:00Z`).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric' });

/** Sends due renewal reminders (30 and 7 days before) and lapses memberships past their grace period, in one LIO. */
export async function runRenewals(deps: { db: Database; clock: Clock; config: Config; jobs: JobQueue }, lio: { id: string; name: string; hostnames: string[]; is_default: boolean }) {
  const now = deps.clock.now();
  const today = londonDay(now);
  const origin = lioOrigin(lio, deps.config.baseUrl);
  return deps.db.withTenant(lio.id, async (tx) => {
    let reminded = 0;
    for (const due of await repo.takeDueReminders(tx, today, now)) {
      const m = await repo.reminderAddress(tx, due.id);
      const to = m?.email ?? m?.applicant_email;
      if (!m || !to) continue;
      const fee = m.annual_fee_pence ? ` The fee is ${penceText(m.annual_fee_pence)}.` : '';
      await queueEmail(tx, deps.jobs, lio.id, {
        to,
        subject: `${due.final ? 'One week left: ' : ''}Renew ${m.name}’s membership of ${lio.name}`,
        text: `${m.name}’s ${m.type_name} membership of ${lio.name} is due for renewal on ${longDay(due.renews_on)}.${fee}\n\n`
          + `To renew, reply to this e-mail or sign in and see your membership: ${origin}/our-support/membership\n\n`
          + `If it is not renewed within ${GRACE_DAYS} days of that date, the membership lapses and the directory stops showing ${m.name} as a member.\n`,
      }, deps.clock);
      reminded++;
    }
    return { reminded, lapsed: await repo.lapse(tx, today, GRACE_DAYS, now) };
  });
}

export function registerMembershipJobs(jobs: JobQueue, deps: { db: Database; clock: Clock; config: Config }): void {
  jobs.registerRecurring(MEMBERSHIP_JOB, EVERY_MS, async () => {
    for (const lio of await repo.allLios(deps.db.system)) await runRenewals({ ...deps, jobs }, lio);
  });
}
