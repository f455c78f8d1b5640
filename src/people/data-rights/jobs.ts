import type { Database } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import type { JobQueue } from '../../platform/jobs.js';
import type { PersonalDataProvider } from '../../platform/personal-data.js';
import { DataRightsService, RETENTION_JOB } from './service.js';

const DAY_MS = 24 * 60 * 60_000;

/** The daily retention run: every provider's rule, in every LIO. */
export function registerRetentionJob(queue: JobQueue, deps: { db: Database; clock: Clock; personalData: readonly PersonalDataProvider[] }) {
  const rights = new DataRightsService({ ...deps, providers: deps.personalData });
  queue.registerRecurring(RETENTION_JOB, DAY_MS, () => rights.applyRetentionEverywhere());
}
