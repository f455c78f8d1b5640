import type { HomePanel } from '../../platform/capability.js';
import { plural } from '../../platform/text.js';
import { londonDay } from '../../platform/validation/dates.js';
import { quarterBefore } from '../figures/service.js';
import { spendRepository } from './repository.js';

/** An admin: the last four finished quarters with no spend entered, without which their leverage figure is missing. */
export const spendPanel: HomePanel = {
  id: 'support-spend',
  area: 'support',
  permission: 'support.spend',
  order: 85,
  async load({ tx, now }) {
    const today = londonDay(now);
    const quarters = [4, 3, 2, 1].map((back) => quarterBefore(today, back));
    const missing = (await spendRepository.quartersWithout(tx, quarters)).length;
    return {
      title: 'Spend on support to groups',
      waiting: [{ count: missing, label: plural(missing, 'quarter of the last year with no spend entered', 'quarters of the last year with no spend entered'), href: '/support/spend' }],
      actions: [{ text: 'Add spend', href: '/support/spend/new' }],
    };
  },
};
