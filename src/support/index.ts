import type { Capability } from '../platform/capability.js';
import { supportPolicy } from './policy.js';
import { supportPersonalData } from './personal-data/provider.js';
// Casework with groups.

// Funding and leverage.

// Figures, spend and leverage.
import { registerSpendRoutes } from './spend/routes.js';
import { spendPanel } from './spend/panels.js';
import { seedSpend } from './spend/seed.js';
import { registerFiguresRoutes } from './figures/routes.js';
import { supportFiguresPanel } from './figures/panels.js';

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

      // Figures, spend and leverage
      { area: 'support', href: '/support/figures', text: 'Figures', permission: 'support.figures', order: 80 },
      { area: 'support', href: '/support/spend', text: 'Spend on support', permission: 'support.spend', order: 85 },

      // Training and events

      // Bulletins and membership

    ],
  },
  homePanels: [
    // Casework

    // Funding

    // Figures, spend and leverage
    supportFiguresPanel,
    spendPanel,

    // Training and events

    // Bulletins and membership

  ],
  frontDoor: [
    // Training and events

    // Bulletins and membership

  ],
  async routes(_app, _deps) {
    // Casework

    // Funding

    // Figures, spend and leverage
    await registerSpendRoutes(_app, _deps);
    await registerFiguresRoutes(_app, _deps);

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
  async seedDemo(_tx, _context) {
    // Casework

    // Funding

    // Figures, spend and leverage
    await seedSpend(_tx, _context);

    // Training and events

    // Bulletins and membership

  },
  personalData: supportPersonalData,
};
