import type { Capability } from '../platform/capability.js';
import { volunteeringPolicy } from './policy.js';
import { volunteeringPersonalData } from './personal-data/provider.js';
// Opportunities and matching.
import { registerOpportunityRoutes } from './opportunities/routes.js';
import { registerOpportunityFeed } from './opportunities/api.js';
import { registerMatchingRoutes } from './matching/routes.js';
import { rolesWaitingPanel } from './opportunities/panel.js';
import { seedOpportunities } from './opportunities/seed.js';

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
      // Opportunities and matching.
      { area: 'volunteering', href: '/volunteering/roles', text: 'Roles', permission: 'opportunities.manage', order: 20 },
      { area: 'volunteering', href: '/our-volunteering/roles', text: 'Our volunteer roles', permission: 'opportunities.post', order: 25 },
      { area: 'volunteering', href: '/my-volunteering/roles', text: 'Roles for you', permission: 'volunteering.self', order: 20 },
    ],
  },
  homePanels: [
    // Opportunities and matching.
    rolesWaitingPanel,
  ],
  routes: async (app, deps) => {
    // Opportunities and matching.
    await registerOpportunityRoutes(app, deps);
    await registerOpportunityFeed(app, deps);
    await registerMatchingRoutes(app, deps);
  },
  seedDemo: async (tx, context) => {
    // Opportunities and matching.
    await seedOpportunities(tx, context);
  },
  personalData: volunteeringPersonalData,
};
