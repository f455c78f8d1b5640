import type { Database } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import type { Config } from '../../platform/config.js';
import type { JobQueue } from '../../platform/jobs.js';
import { SURGE_PLACE_JOB, SurgeService } from './service.js';

/** Places surge volunteers whose postcode only the postcodes service may know (queued when their link is followed). */
export function registerSurgeJobs(jobs: JobQueue, deps: { db: Database; clock: Clock; config: Config }): void {
  const surge = new SurgeService({ ...deps, jobs });
  jobs.register(SURGE_PLACE_JOB, async (job) => {
    const { volunteerId } = job.payload as { volunteerId?: unknown };
    if (job.lioId && typeof volunteerId === 'string') await surge.placeFromService(job.lioId, volunteerId);
  });
}
