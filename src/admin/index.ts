import type { Capability } from '../platform/capability.js';
import { adminPolicy } from './policy.js';
import { registerAdminRoutes } from './routes.js';
import { adminPersonalData } from './personal-data/provider.js';
import { adminHomePanels } from './home/panels.js';
import { frontDoorWordsRepository } from './front-door/repository.js';

/** The demo LIO's own words, as its admin would write them at /admin/front-door. */
const DEMO_FRONT_DOOR = {
  welcome: 'Riverside Community Action helps the charities, community groups and volunteers of Riverside do more for the people they serve.',
  about: 'We are the council for voluntary service for Riverside.\n\n'
    + 'We help local groups to set up, find funding and run well, match volunteers with the organisations that need them, '
    + 'and bring the sector together in networks and forums.',
};

/** The LIO's administration: audit log, outbox, the API tokens that open the JSON API, and the words of its public home page. */
export const adminCapability: Capability = {
  name: 'admin',
  policy: adminPolicy,
  navigation: {
    areas: [{ id: 'admin', title: 'Admin', order: 90 }],
    pages: [
      { area: 'admin', href: '/admin/audit', text: 'Audit log', permission: 'audit.read', order: 20 },
      { area: 'admin', href: '/admin/outbox', text: 'Outbox', permission: 'outbox.read', order: 30 },
      { area: 'admin', href: '/admin/api-tokens', text: 'API tokens', permission: 'api_tokens.manage', order: 40 },
      { area: 'admin', href: '/admin/front-door', text: 'Public home page', permission: 'front_door.manage', order: 80 },
    ],
  },
  homePanels: adminHomePanels,
  routes: (app, deps) => registerAdminRoutes(app, deps),
  personalData: adminPersonalData,
  async seedDemo(tx, { lio }) {
    await frontDoorWordsRepository.save(tx, lio.id, DEMO_FRONT_DOOR);
  },
};
