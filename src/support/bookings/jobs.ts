import type { CapabilityDeps } from '../../platform/capability.js';
import type { JobQueue } from '../../platform/jobs.js';
import { lioOrigin } from '../../platform/tenancy.js';
import { bookingsRepository } from './repository.js';
import { BookingsService } from './service.js';

export const TRAINING_REMINDERS_JOB = 'support.training-reminders';
/** Hourly: a reminder goes about two days before, whatever the hour the session starts; feedback asks go the hour after it ends. */
const EVERY_MS = 60 * 60_000;

/** The recurring job that reminds booked attendees and asks attendees for feedback, in every LIO. */
export function registerTrainingJobs(queue: JobQueue, deps: CapabilityDeps): void {
  const bookings = new BookingsService({ db: deps.db, clock: deps.clock, jobs: queue });
  queue.registerRecurring(TRAINING_REMINDERS_JOB, EVERY_MS, async () => {
    for (const lio of await bookingsRepository.allLios(deps.db.system)) {
      const ctx = { origin: lioOrigin(lio, deps.config.baseUrl), lioName: lio.name };
      await bookings.sendReminders(lio.id, ctx);
      await bookings.askForFeedback(lio.id, ctx);
    }
  });
}
