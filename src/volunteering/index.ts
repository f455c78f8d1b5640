import type { Capability } from '../platform/capability.js';
import { volunteeringPolicy } from './policy.js';
import { volunteeringPersonalData } from './personal-data/provider.js';
// Volunteers (registration, the volunteer's own profile, coordinators' records).
import { registerRegistrationRoutes } from './register/routes.js';
import { registerVolunteerRoutes } from './volunteers/routes.js';
import { registerMyVolunteeringRoutes } from './my-volunteering/routes.js';
import { volunteerProfilePanel, volunteersPanel } from './volunteers/panels.js';
import { seedVolunteers } from './volunteers/seed.js';
// Opportunities and matching.
import { registerOpportunityRoutes } from './opportunities/routes.js';
import { registerOpportunityFeed } from './opportunities/api.js';
import { registerMatchingRoutes } from './matching/routes.js';
import { rolesWaitingPanel } from './opportunities/panel.js';
import { seedOpportunities } from './opportunities/seed.js';
// Referrals, chasers and figures.
import { registerReferralRoutes } from './referrals/routes.js';
import { registerChaserJob } from './referrals/jobs.js';
import { referralPanels } from './referrals/panels.js';
import { seedReferrals } from './referrals/seed.js';
// Emergency surge mode and vetting.
import { registerSurgeRoutes } from './surge/routes.js';
import { registerSurgeJobs } from './surge/jobs.js';
import { surgeFrontDoor, surgePanel } from './surge/home.js';
import { registerVettingRoutes } from './vetting/routes.js';
import { registerVettingJobs, vettingPanel } from './vetting/home.js';
import { seedSurgeAndVetting } from './surge/seed.js';
// Hours.
import { registerHoursRoutes } from './hours/routes.js';
import { hoursWaitingPanel } from './hours/home.js';
import { seedHours } from './hours/seed.js';

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
      // Volunteers
      { area: 'volunteering', href: '/volunteering/volunteers', text: 'Volunteers', permission: 'volunteers.read', order: 10 },
      { area: 'volunteering', href: '/volunteering/volunteers/new', text: 'Register a volunteer', permission: 'volunteers.write', order: 11 },
      { area: 'volunteering', href: '/my-volunteering', text: 'Your volunteering', permission: 'volunteering.self', order: 10 },
      // Opportunities and matching
      { area: 'volunteering', href: '/volunteering/roles', text: 'Roles', permission: 'opportunities.manage', order: 20 },
      { area: 'volunteering', href: '/our-volunteering/roles', text: 'Our volunteer roles', permission: 'volunteering.portal', order: 25 },
      { area: 'volunteering', href: '/my-volunteering/roles', text: 'Roles for you', permission: 'volunteering.self', order: 20 },
      // Referrals
      { area: 'volunteering', href: '/volunteering/referrals', text: 'Referrals', permission: 'referrals.manage', order: 30 },
      { area: 'volunteering', href: '/my-volunteering/enquiries', text: 'Your enquiries', permission: 'volunteering.self', order: 30 },
      // Vetting
      { area: 'volunteering', href: '/volunteering/vetting', text: 'Checks lapsing soon', permission: 'vetting.write', order: 60 },
      // Hours
      { area: 'volunteering', href: '/my-volunteering/hours', text: 'Your hours', permission: 'volunteering.self', order: 40 },
      { area: 'volunteering', href: '/our-volunteering/hours', text: 'Volunteers’ hours', permission: 'hours.confirm', order: 41 },
      { area: 'volunteering', href: '/volunteering/hours', text: 'Hours given', permission: 'volunteering.figures', order: 42 },
      // Surge
      { area: 'volunteering', href: '/volunteering/surge/queue', text: 'Surge sign-ups', permission: 'surge.work', order: 70 },
      { area: 'volunteering', href: '/volunteering/surge', text: 'Emergency surge mode', permission: 'surge.switch', order: 71 },
      // Figures
      { area: 'volunteering', href: '/volunteering/figures', text: 'Figures', permission: 'volunteering.figures', order: 80 },
    ],
  },
  homePanels: [
    volunteersPanel,
    volunteerProfilePanel,
    rolesWaitingPanel,
    ...referralPanels,
    surgePanel,
    vettingPanel,
    hoursWaitingPanel,
  ],
  frontDoor: [
    {
      id: 'volunteer', title: 'Volunteer with us', order: 20,
      description: 'Give your time to a local group: in person or from home, for an afternoon or every week. Tell us what you can offer and we will match you with volunteering that suits you.',
      links: [{ text: 'Register to volunteer', href: '/volunteer/register' }, { text: 'Browse volunteering roles', href: '/opportunities' }],
    },
    surgeFrontDoor,
  ],
  async routes(app, deps) {
    await registerRegistrationRoutes(app, deps);
    await registerVolunteerRoutes(app, deps);
    await registerMyVolunteeringRoutes(app, deps);
    await registerOpportunityRoutes(app, deps);
    await registerOpportunityFeed(app, deps);
    await registerMatchingRoutes(app, deps);
    await registerReferralRoutes(app, deps);
    await registerSurgeRoutes(app, deps);
    await registerVettingRoutes(app, deps);
    await registerHoursRoutes(app, deps);
  },
  jobs(queue, deps) {
    registerChaserJob(queue, deps);
    registerVettingJobs(queue, deps);
    registerSurgeJobs(queue, deps);
  },
  // Volunteers first: the roles, referrals, vetting and hours of the demo are theirs.
  async seedDemo(tx, context) {
    const volunteers = await seedVolunteers(tx, context);
    await seedOpportunities(tx, context);
    await seedReferrals(tx, context, volunteers);
    await seedSurgeAndVetting(tx, context.lio.id, context.now, volunteers);
    // Last: the hours are given in the placements the referrals seed makes.
    await seedHours(tx, context);
  },
  personalData: volunteeringPersonalData,
};
