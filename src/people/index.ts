import type { Capability } from '../platform/capability.js';
import { peoplePolicy } from './policy.js';
import { registerRecordRoutes } from './records/routes.js';
import { registerDataRightsRoutes, registerRetentionJob } from './data-rights/routes.js';
import { registerDuplicateRoutes } from './duplicates/routes.js';
import { peoplePersonalData } from './personal-data/provider.js';
import { seedPeople } from './seed.js';

/** The person record of the LIO, and people's data rights (UK GDPR) across every capability's personal data. */
export const peopleCapability: Capability = {
  name: 'people',
  policy: peoplePolicy,
  navigation: {
    areas: [{ id: 'people', title: 'People', order: 80 }],
    pages: [
      { area: 'people', href: '/people', text: 'People', permission: 'people.read', order: 10 },
      { area: 'people', href: '/people/new', text: 'Add a person', permission: 'people.write', order: 20 },
      { area: 'people', href: '/people/duplicates', text: 'Possible duplicates', permission: 'people.read', order: 30 },
    ],
  },
  async routes(app, deps) {
    await registerDuplicateRoutes(app, deps);
    await registerRecordRoutes(app, deps);
    await registerDataRightsRoutes(app, deps);
  },
  jobs: (queue, deps) => registerRetentionJob(queue, deps),
  async seedDemo(tx, { lio, now }) {
    await seedPeople(tx, lio.id, now);
  },
  personalData: peoplePersonalData,
};
