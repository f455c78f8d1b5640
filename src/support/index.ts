import type { Capability } from '../platform/capability.js';
import { supportPolicy } from './policy.js';
import { supportPersonalData } from './personal-data/provider.js';
// Casework with groups.
import { registerCaseworkRoutes } from './casework/routes.js';
import { registerCaseworkApi } from './casework/api.js';
import { registerApplicationRoutes } from './applications/routes.js';
import { registerHealthCheckRoutes } from './health-checks/routes.js';
import { registerOurSupportRoutes } from './our-support/routes.js';
import { caseworkPanels, organisationSupportPanel } from './casework/panels.js';
import { seedCasework } from './casework/seed.js';

// Funding and leverage.
import { registerFundingRoutes } from './funding/routes.js';
import { fundingForGroupPanel, fundingOpportunitiesPanel } from './funding/panels.js';
import { registerDigestJob } from './funding/jobs.js';
import { seedFunding } from './funding/seed.js';
import { registerGrantRoutes } from './grants/routes.js';
import { registerGrantJobs } from './grants/service.js';
import { grantsPanel } from './grants/panels.js';
import { seedGrants } from './grants/seed.js';

// Figures, spend and leverage.
import { registerSpendRoutes } from './spend/routes.js';
import { spendPanel } from './spend/panels.js';
import { seedSpend } from './spend/seed.js';
import { registerFiguresRoutes } from './figures/routes.js';
import { supportFiguresPanel } from './figures/panels.js';

// Training and events.
import { registerCourseRoutes } from './courses/routes.js';
import { registerBookingRoutes } from './bookings/routes.js';
import { registerTrainingJobs } from './bookings/jobs.js';
import { groupBookingsPanel, trainingPanel } from './courses/panels.js';
import { seedTraining } from './courses/seed.js';

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
      { area: 'support', href: '/support/cases', text: 'Support cases', permission: 'cases.read', order: 10 },
      { area: 'support', href: '/support/cases/new', text: 'Open a case', permission: 'cases.write', order: 11 },
      { area: 'support', href: '/our-support', text: 'Our support', permission: 'support.request', order: 10 },

      // Funding
      { area: 'support', href: '/support/funding', text: 'Funding opportunities', permission: 'funding.manage', order: 20 },
      { area: 'support', href: '/our-support/funding', text: 'Funding for your group', permission: 'funding.portal', order: 21 },
      { area: 'support', href: '/support/grants', text: 'Who funds our area', permission: 'funding.manage', order: 22 },
      { area: 'support', href: '/support/grants/import', text: 'Import grants data', permission: 'grants.import', order: 23 },

      // Figures, spend and leverage
      { area: 'support', href: '/support/figures', text: 'Figures', permission: 'support.figures', order: 80 },
      { area: 'support', href: '/support/spend', text: 'Spend on support', permission: 'support.spend', order: 85 },

      // Training and events
      { area: 'support', href: '/support/training', text: 'Courses', permission: 'training.manage', order: 30 },
      { area: 'support', href: '/support/training/sessions', text: 'Sessions', permission: 'training.manage', order: 31 },
      { area: 'support', href: '/support/training/figures', text: 'People trained', permission: 'support.figures', order: 32 },
      { area: 'support', href: '/training/my-bookings', text: 'Course bookings', permission: 'training.book', order: 35 },
      // Bulletins and membership
      { area: 'support', href: '/support/bulletins', text: 'Bulletins', permission: 'bulletins.send', order: 80 },
      { area: 'support', href: '/support/membership', text: 'Membership', permission: 'membership.manage', order: 85 },
      { area: 'support', href: '/our-support/membership', text: 'Your membership', permission: 'membership.join', order: 85 },
    ],
  },
  homePanels: [
    // Casework
    ...caseworkPanels,

    // Funding
    fundingOpportunitiesPanel,
    fundingForGroupPanel,
    grantsPanel,

    // Figures, spend and leverage
    supportFiguresPanel,
    spendPanel,

    // Training and events
    trainingPanel,
    groupBookingsPanel,
    // Bulletins and membership
    bulletinsPanel,
    membershipPanel,
    ownMembershipPanel,
  ],
  // Casework: an organisation's cases and health checks, on its page in the register.
  recordPanels: [organisationSupportPanel],
  frontDoor: [
    // Training and events
    {
      id: 'training', title: 'Training and events', order: 30,
      description: 'Courses for local groups, their trustees, staff and volunteers: governance, safeguarding, funding bids, digital skills and more. Book a place online, no account needed.',
      links: [{ text: 'See training and events', href: '/training' }],
    },
    // Bulletins and membership
    {
      id: 'bulletins', title: 'News for local groups', order: 45,
      description: 'Our bulletins bring local groups the funding that is open, the training coming up and news from across the sector. Read past bulletins here.',
      links: [{ text: 'Read our bulletins', href: '/bulletins' }],
    },
  ],
  async routes(app, deps) {
    // Casework
    await registerCaseworkRoutes(app, deps);
    await registerApplicationRoutes(app, deps);
    await registerHealthCheckRoutes(app, deps);
    await registerOurSupportRoutes(app, deps);

    // Funding
    await registerFundingRoutes(app, deps);
    await registerGrantRoutes(app, deps);

    // Figures, spend and leverage
    await registerSpendRoutes(app, deps);
    await registerFiguresRoutes(app, deps);

    // Training and events
    await registerCourseRoutes(app, deps);
    await registerBookingRoutes(app, deps);
    // Bulletins and membership
    await registerBulletinRoutes(app, deps);
    await registerMembershipRoutes(app, deps);
  },
  // Casework: the staff list and one case, for tokens and advisers' sessions.
  api: (api, deps) => registerCaseworkApi(api, deps),
  jobs(queue, deps) {
    // Casework

    // Funding
    registerDigestJob(queue, deps);
    registerGrantJobs(queue, deps);

    // Training and events
    registerTrainingJobs(queue, deps);
    // Bulletins and membership
    registerBulletinJobs(queue, deps);
    registerMembershipJobs(queue, deps);
  },
  // Casework first (its applications are what funding figures count), then funding, training, bulletins (which pull
  // in funding and training items) and membership.
  async seedDemo(tx, context) {
    // Casework
    await seedCasework(tx, context);

    // Funding
    await seedFunding(tx, context);
    await seedGrants(tx, context);

    // Figures, spend and leverage
    await seedSpend(tx, context);

    // Training and events
    await seedTraining(tx, context);
    // Bulletins and membership
    await seedBulletins(tx, context);
    await seedMembership(tx, context);
  },
  personalData: supportPersonalData,
};
