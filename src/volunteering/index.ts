import type { Capability } from '../platform/capability.js';
import { volunteeringPolicy } from './policy.js';
import { volunteeringPersonalData } from './personal-data/provider.js';
// Volunteers (registration, the volunteer's own profile, coordinators' records).
import { registerRegistrationRoutes } from './register/routes.js';
import { registerVolunteerRoutes } from './volunteers/routes.js';
import { registerMyVolunteeringRoutes } from './my-volunteering/routes.js';
import { volunteerProfilePanel, volunteersPanel } from './volunteers/panels.js';
import { seedVolunteers } from './volunteers/seed.js';
// Emergency surge mode and vetting.
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
      // Volunteers
      { area: 'volunteering', href: '/volunteering/volunteers', text: 'Volunteers', permission: 'volunteers.read', order: 10 },
      { area: 'volunteering', href: '/volunteering/volunteers/new', text: 'Register a volunteer', permission: 'volunteers.write', order: 11 },
      { area: 'volunteering', href: '/my-volunteering', text: 'Your volunteering', permission: 'volunteering.self', order: 10 },
      // Vetting
      { area: 'volunteering', href: '/volunteering/vetting', text: 'Checks lapsing soon', permission: 'vetting.write', order: 60 },
      // Surge
      { area: 'volunteering', href: '/volunteering/surge/queue', text: 'Surge sign-ups', permission: 'surge.work', order: 80 },
      { area: 'volunteering', href: '/volunteering/surge', text: 'Emergency surge mode', permission: 'surge.switch', order: 81 },
    ],
  },
  homePanels: [
    // Volunteers
    volunteersPanel,
    volunteerProfilePanel,
    // Surge and vetting
    surgePanel,
    vettingPanel,
  ],
  frontDoor: [
    // Volunteers
    {
      id: 'volunteer', title: 'Volunteer with us', order: 20,
      description: 'Give your time to a local group: in person or from home, for an afternoon or every week. Tell us what you can offer and we will match you with volunteering that suits you.',
      links: [{ text: 'Register to volunteer', href: '/volunteer/register' }],
    },
    // Surge
    surgeFrontDoor,
  ],
  async routes(app, deps) {
    // Volunteers
    await registerRegistrationRoutes(app, deps);
    await registerVolunteerRoutes(app, deps);
    await registerMyVolunteeringRoutes(app, deps);
    // Surge and vetting
    await registerSurgeRoutes(app, deps);
    await registerVettingRoutes(app, deps);
  },
  jobs(queue, deps) {
    // Vetting
    registerVettingJobs(queue, deps);
  },
  async seedDemo(tx, context) {
    // Volunteers
    await seedVolunteers(tx, context);
    // Surge and vetting
    await seedSurgeAndVetting(tx, context.lio.id, context.now);
  },
  personalData: volunteeringPersonalData,
};
