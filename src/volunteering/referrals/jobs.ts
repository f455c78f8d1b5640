import type { Database } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import type { Config } from '../../platform/config.js';
import type { JobQueue } from '../../platform/jobs.js';
import { lioOrigin } from '../../platform/tenancy.js';
import { referralsRepository } from './repository.js';
import { ReferralsService } from './service.js';

export const CHASER_JOB = 'volunteering.referral_chasers';
/** Hourly: a chaser goes out within the hour its working days run out, whenever in the day the referral was made. */
const EVERY_MS = 60 * 60_000;

/** The recurring job that chases organisations slow to contact a referred volunteer, in every LIO. */
export function registerChaserJob(jobs: JobQueue, deps: { db: Database; clock: Clock; config: Config }): void {
  const referrals = new ReferralsService({ ...deps, jobs });
  jobs.registerRecurring(CHASER_JOB, EVERY_MS, async () => {
    for (const lio of await referralsRepository.allLios(deps.db.system)) {
      await referrals.chase(lio.id, lioOrigin(lio, deps.config.baseUrl));
    }
  });
}
