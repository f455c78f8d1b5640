import type { HomePanel } from '../../platform/capability.js';
import type { JobQueue } from '../../platform/jobs.js';
import type { CapabilityDeps } from '../../platform/capability.js';
import { VettingService, countLapsing } from './service.js';

export const VETTING_REMINDERS_JOB = 'volunteering.vetting-reminders';
const DAY_MS = 86_400_000;

/** The coordinator's flag for checks about to lapse: the count, linking to the list. */
export const vettingPanel: HomePanel = {
  id: 'volunteering-vetting',
  area: 'volunteering',
  permission: 'vetting.write',
  order: 30,
  async load({ tx, now }) {
    const count = await countLapsing(tx, now);
    return { title: 'Vetting', waiting: [{ label: 'Checks lapsing in the next 60 days', count, href: '/volunteering/vetting' }] };
  },
};

/** Once a day: the lapse reminders now due. */
export function registerVettingJobs(queue: JobQueue, deps: CapabilityDeps): void {
  const vetting = new VettingService({ db: deps.db, clock: deps.clock, jobs: queue });
  queue.registerRecurring(VETTING_REMINDERS_JOB, DAY_MS, async () => { await vetting.sendReminders(); });
}
