import type { Capability } from '../platform/capability.js';
import { volunteeringPolicy } from './policy.js';
import { volunteeringPersonalData } from './personal-data/provider.js';
import { registerSurgeRoutes } from './surge/routes.js';
import { surgeFrontDoor, surgePanel } from './surge/home.js';
import { registerVettingRoutes } from './vetting/routes.js';
import { registerVettingJobs, vettingPanel } from './vetting/home.js';
import { seedSurgeAndVetting } from './surge/seed.js';

/**
 * Volunteering (one of NAVCA's Four Functions): volunteers (each a person), opportunities posted by groups and staff,
 * explained and fair matching, referrals that always get an answer, vetting on behalf of groups, hours, and emergency
 * surge mode. Its features each add their routes, panels, jobs and demo data here.
 */
export const volunteeringCapability: Capability = {
  name: 'volunteering',
  policy: volunteeringPolicy,
  navigation: {
    areas: [{ id: 'volunteering', title: 'Volunteering', order: 20 }],
    pages: [
      // Surge (vol-surge)
      { area: 'volunteering', href: '/volunteering/surge/queue', text: 'Surge sign-ups', permission: 'surge.work', order: 80 },
      { area: 'volunteering', href: '/volunteering/surge', text: 'Emergency surge mode', permission: 'surge.switch', order: 81 },
      // Vetting (vol-surge)
      { area: 'volunteering', href: '/volunteering/vetting', text: 'Checks lapsing soon', permission: 'vetting.write', order: 60 },
    ],
  },
  homePanels: [
    surgePanel, // surge (vol-surge)
    vettingPanel, // vetting (vol-surge)
  ],
  frontDoor: [
    surgeFrontDoor, // surge (vol-surge)
  ],
  async routes(app, deps) {
    await registerSurgeRoutes(app, deps); // surge (vol-surge)
    await registerVettingRoutes(app, deps); // vetting (vol-surge)
  },
  jobs(queue, deps) {
    registerVettingJobs(queue, deps); // vetting (vol-surge)
  },
  async seedDemo(tx, { lio, now }) {
    await seedSurgeAndVetting(tx, lio.id, now); // surge and vetting (vol-surge)
  },
  personalData: volunteeringPersonalData,
};
