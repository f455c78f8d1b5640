import type { Capability } from '../platform/capability.js';
import { peoplePolicy } from './policy.js';
import { registerRecordRoutes } from './records/routes.js';
import { registerDataRightsRoutes } from './data-rights/routes.js';
import { registerRetentionJob } from './data-rights/jobs.js';
import { registerDuplicateRoutes } from './duplicates/routes.js';
import { peoplePersonalData } from './personal-data/provider.js';
import { seedPeople } from './seed.js';
import { duplicatesRepository } from './duplicates/repository.js';
import { PAIRS_SHOWN } from './duplicates/service.js';

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
  homePanels: [{
    id: 'people',
    area: 'people',
    permission: 'people.read',
    order: 60,
    async load({ tx }) {
      const pairs = await duplicatesRepository.pairs(tx, PAIRS_SHOWN);
      return {
        title: 'People',
        waiting: [{ label: `${pairs.length === 1 ? 'pair of records may be' : 'pairs of records may be'} the same person${pairs.length >= PAIRS_SHOWN ? ' (or more)' : ''}`, count: pairs.length, href: '/people/duplicates' }],
        actions: [{ text: 'Find a person', href: '/people' }, { text: 'Add a person', href: '/people/new' }],
      };
    },
  }],
  jobs: (queue, deps) => registerRetentionJob(queue, deps),
  async seedDemo(tx, { lio, now }) {
    await seedPeople(tx, lio.id, now);
  },
  personalData: peoplePersonalData,
};
