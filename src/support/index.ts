import type { Capability } from '../platform/capability.js';
import { supportPolicy } from './policy.js';
import { supportPersonalData } from './personal-data/provider.js';
// Casework with groups.

// Funding and leverage.

// Training and events.

// Bulletins and membership.
import { registerBulletinRoutes } from './bulletins/routes.js';
import { registerBulletinJobs } from './bulletins/jobs.js';
import { bulletinsPanel } from './bulletins/panels.js';
import { seedBulletins } from './bulletins/seed.js';
import { registerMembershipRoutes } from './membership/routes.js';
import { registerMembershipJobs } from './membership/jobs.js';
import { membershipPanel, ownMembershipPanel } from './membership/panels.js';
import { seedMembership } from './membership/seed.js';

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

      // Training and events

      // Bulletins and membership
      { area: 'support', href: '/support/bulletins', text: 'Bulletins', permission: 'bulletins.send', order: 80 },
      { area: 'support', href: '/support/membership', text: 'Membership', permission: 'membership.manage', order: 85 },
      { area: 'support', href: '/our-support/membership', text: 'Your membership', permission: 'membership.join', order: 85 },
    ],
  },
  homePanels: [
    // Casework

    // Funding

    // Training and events

    // Bulletins and membership
    bulletinsPanel,
    membershipPanel,
    ownMembershipPanel,
  ],
  frontDoor: [
    // Training and events

    // Bulletins and membership
    {
      id: 'bulletins', title: 'News for local groups', order: 45,
      description: 'Our bulletins bring local groups the funding that is open, the training coming up and news from across the sector. Read past bulletins here.',
      links: [{ text: 'Read our bulletins', href: '/bulletins' }],
    },
  ],
  async routes(app, deps) {
    // Casework

    // Funding

    // Training and events

    // Bulletins and membership
    await registerBulletinRoutes(app, deps);
    await registerMembershipRoutes(app, deps);
  },
  jobs(queue, deps) {
    // Casework

    // Funding

    // Training and events

    // Bulletins and membership
    registerBulletinJobs(queue, deps);
    registerMembershipJobs(queue, deps);
  },
  // Casework first (its applications are what funding figures count), then funding, training, bulletins (which pull
  // in funding and training items) and membership.
  async seedDemo(tx, context) {
    // Casework

    // Funding

    // Training and events

    // Bulletins and membership
    await seedBulletins(tx, context);
    await seedMembership(tx, context);
  },
  personalData: supportPersonalData,
};
