import type { Capability } from '../platform/capability.js';
import { supportPolicy } from './policy.js';
import { supportPersonalData } from './personal-data/provider.js';
// Casework with groups.
import { registerCaseworkRoutes } from './casework/routes.js';
import { registerApplicationRoutes } from './applications/routes.js';
import { registerHealthCheckRoutes } from './health-checks/routes.js';
import { registerOurSupportRoutes } from './our-support/routes.js';
import { caseworkPanels } from './casework/panels.js';
import { seedCasework } from './casework/seed.js';

// Funding and leverage.

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
      { area: 'support', href: '/support/cases', text: 'Support cases', permission: 'cases.read', order: 10 },
      { area: 'support', href: '/support/cases/new', text: 'Open a case', permission: 'cases.write', order: 11 },
      { area: 'support', href: '/our-support', text: 'Our support', permission: 'support.request', order: 10 },

      // Funding

      // Training and events

      // Bulletins and membership

    ],
  },
  homePanels: [
    // Casework
    ...caseworkPanels,

    // Funding

    // Training and events

    // Bulletins and membership

  ],
  frontDoor: [
    // Training and events

    // Bulletins and membership

  ],
  async routes(app, deps) {
    // Casework
    await registerCaseworkRoutes(app, deps);
    await registerApplicationRoutes(app, deps);
    await registerHealthCheckRoutes(app, deps);
    await registerOurSupportRoutes(app, deps);

    // Funding

    // Training and events

    // Bulletins and membership

  },
  jobs(_queue, _deps) {
    // Casework

    // Funding

    // Training and events

    // Bulletins and membership

  },
  // Casework first (its applications are what funding figures count), then funding, training, bulletins (which pull
  // in funding and training items) and membership.
  async seedDemo(tx, context) {
    // Casework
    await seedCasework(tx, context);

    // Funding

    // Training and events

    // Bulletins and membership

  },
  personalData: supportPersonalData,
};
