import type { HomePanel } from '../../platform/capability.js';
import { plural } from '../../platform/text.js';
import { londonDay } from '../../platform/validation/dates.js';
import { quarterBefore } from '../figures/service.js';
import { spendRepository } from './repository.js';

/**
 * An admin: the last four finished quarters with no spend entered, without which their leverage figure is missing.
 * Quarters that ended before the LIO began using the app are not asked for: a new LIO starts with nothing waiting.
 */
export const spendPanel: HomePanel = {
  id: 'support-spend',
  area: 'support',
  permission: 'support.spend',
  order: 85,
  async load({ tx, now, lio }) {
    const today = londonDay(now);
    const started = await spendRepository.lioStartedOn(tx, lio.id);
    const quarters = [4, 3, 2, 1].map((back) => quarterBefore(today, back)).filter((q) => q.to >= started);
    const missing = (await spendRepository.quartersWithout(tx, quarters)).length;
    return {
      title: 'Spend on support to groups',
      waiting: [{ count: missing, label: plural(missing, 'quarter of the last year with no spend entered', 'quarters of the last year with no spend entered'), href: '/support/spend' }],
      actions: [{ text: 'Add spend', href: '/support/spend/new' }],
    };
  },
};
