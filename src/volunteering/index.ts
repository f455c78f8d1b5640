import type { Capability } from '../platform/capability.js';
import { volunteeringPolicy } from './policy.js';
import { volunteeringPersonalData } from './personal-data/provider.js';
import { registerReferralRoutes } from './referrals/routes.js';
import { registerChaserJob } from './referrals/jobs.js';
import { referralPanels } from './referrals/panels.js';
import { seedReferrals } from './referrals/seed.js';

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
      // Referrals
      { area: 'volunteering', href: '/volunteering/referrals', text: 'Referrals', permission: 'referrals.manage', order: 30 },
      { area: 'volunteering', href: '/volunteering/figures', text: 'Figures', permission: 'volunteering.figures', order: 80 },
      { area: 'volunteering', href: '/my-volunteering/enquiries', text: 'Your enquiries', permission: 'volunteering.self', order: 30 },
    ],
  },
  homePanels: [
    ...referralPanels,
  ],
  routes: async (app, deps) => {
    await registerReferralRoutes(app, deps);
  },
  jobs: (queue, deps) => {
    registerChaserJob(queue, deps);
  },
  seedDemo: async (tx, context) => {
    await seedReferrals(tx, context);
  },
  personalData: volunteeringPersonalData,
};
