import type { Capability } from '../platform/capability.js';
import { supportPolicy } from './policy.js';
import { supportPersonalData } from './personal-data/provider.js';
// Casework with groups.

// Funding and leverage.
import { registerFundingRoutes } from './funding/routes.js';
import { fundingForGroupPanel, fundingOpportunitiesPanel } from './funding/panels.js';
import { registerDigestJob } from './funding/jobs.js';
import { seedFunding } from './funding/seed.js';
import { registerGrantRoutes } from './grants/routes.js';
import { registerGrantJobs } from './grants/service.js';
import { grantsPanel } from './grants/panels.js';
import { seedGrants } from './grants/seed.js';

// Training and events.

// Bulletins and membership.

/**
 * Support for groups (NAVCA's capacity building): casework with groups and the outcomes it brings, funding
 * opportunities and the applications the LIO supports, 360Giving grants data, the leverage figure, training and events,
 * bulletins and membership. Its features each add their routes, panels, jobs and demo data here.
 */
export const supportCapability: Capability = {
  name: 'support',
  policy: supportPolicy,
  navigation: {
    areas: [{ id: 'support', title: 'Support for groups', order: 40 }],
    pages: [
      // Casework

      // Funding
      { area: 'support', href: '/support/funding', text: 'Funding opportunities', permission: 'funding.manage', order: 20 },
      { area: 'support', href: '/our-support/funding', text: 'Funding for your group', permission: 'funding.view', order: 21 },
      { area: 'support', href: '/support/grants', text: 'Who funds our area', permission: 'funding.manage', order: 22 },
      { area: 'support', href: '/support/grants/import', text: 'Import grants data', permission: 'grants.import', order: 23 },

      // Training and events

      // Bulletins and membership

    ],
  },
  homePanels: [
    // Casework

    // Funding
    fundingOpportunitiesPanel,
    fundingForGroupPanel,
    grantsPanel,

    // Training and events

    // Bulletins and membership

  ],
  frontDoor: [
    // Training and events

    // Bulletins and membership

  ],
  async routes(app, deps) {
    // Casework

    // Funding
    await registerFundingRoutes(app, deps);
    await registerGrantRoutes(app, deps);

    // Training and events

    // Bulletins and membership

  },
  jobs(queue, deps) {
    // Casework

    // Funding
    registerDigestJob(queue, deps);
    registerGrantJobs(queue, deps);

    // Training and events

    // Bulletins and membership

  },
  // Casework first (its applications are what funding figures count), then funding, training, bulletins (which pull
  // in funding and training items) and membership.
  async seedDemo(tx, context) {
    // Casework

    // Funding
    await seedFunding(tx, context);
    await seedGrants(tx, context);

    // Training and events

    // Bulletins and membership

  },
  personalData: supportPersonalData,
};
