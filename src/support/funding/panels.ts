import type { HomePanel } from '../../platform/capability.js';
import { plural } from '../../platform/text.js';
import { londonDay } from '../../platform/validation/dates.js';
import { CLOSING_SOON_DAYS, rankByFit } from './fit.js';
import { fundingRepository as repo } from './repository.js';

/** Advisers: the opportunities open to groups, and those closing soon (to remind groups of). */
export const fundingOpportunitiesPanel: HomePanel = {
  id: 'support-funding',
  area: 'support',
  permission: 'funding.manage',
  order: 20,
  async load({ tx, now }) {
    const { open, closing } = await repo.counts(tx, londonDay(now), CLOSING_SOON_DAYS);
    return {
      title: 'Funding opportunities',
      waiting: [
        { count: closing, label: plural(closing, 'opportunity closes in the next 14 days', 'opportunities close in the next 14 days'), href: '/support/funding?show=closing' },
        { count: open, label: plural(open, 'opportunity is open', 'opportunities are open'), href: '/support/funding' },
      ],
      actions: [{ text: 'Add a funding opportunity', href: '/support/funding/new' }],
    };
  },
};

/** A group member: the open opportunities that fit their organisation, and how many close soon. */
export const fundingForGroupPanel: HomePanel = {
  id: 'support-funding-group',
  area: 'support',
  permission: 'funding.view',
  order: 21,
  async load({ tx, actor, now }) {
    if (actor.role !== 'group_member' || !actor.organisationId) return null;
    const organisation = await repo.profile(tx, actor.organisationId);
    if (!organisation) return null;
    const today = londonDay(now);
    const { eligible } = rankByFit(await repo.open(tx, today), organisation, today);
    const closing = eligible.filter((o) => o.fit.daysLeft !== null && o.fit.daysLeft <= CLOSING_SOON_DAYS).length;
    return {
      title: 'Funding for your group',
      waiting: [
        { count: eligible.length, label: plural(eligible.length, 'open opportunity fits your group', 'open opportunities fit your group'), href: '/our-support/funding' },
        { count: closing, label: plural(closing, 'of them closes in the next 14 days', 'of them close in the next 14 days'), href: '/our-support/funding' },
      ],
    };
  },
};
