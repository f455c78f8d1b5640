import type { HomePanel } from '../../platform/capability.js';
import { plural } from '../../platform/text.js';
import { moneyText } from '../../platform/money.js';
import { grantsRepository as repo } from './repository.js';

/** Advisers: the local grants known from 360Giving data, and the groups that have never had one (to reach out to). */
export const grantsPanel: HomePanel = {
  id: 'support-grants',
  area: 'support',
  permission: 'funding.manage',
  order: 22,
  async load({ tx }) {
    const totals = await repo.totals(tx);
    const never = (await repo.neverFunded(tx)).length;
    return {
      title: 'Grants in our area',
      waiting: [{ count: never, label: plural(never, 'active group has never had a grant', 'active groups have never had a grant'), href: '/support/grants/never-funded' }],
      figures: [{ label: 'Local grants in the 360Giving data imported', value: `${totals.local} (${moneyText(totals.total)})`, href: '/support/grants' }],
      actions: [{ text: 'Import 360Giving data', href: '/support/grants/import' }],
    };
  },
};
