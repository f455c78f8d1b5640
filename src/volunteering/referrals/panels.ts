import type { HomePanel } from '../../platform/capability.js';
import { plural } from '../../platform/text.js';
import { londonDay } from '../../platform/validation/dates.js';
import { referralsRepository as repo } from './repository.js';
import { figureRows } from './service.js';

export const referralPanels: HomePanel[] = [
  {
    // Coordinators: enquiries to check and refer, and the volunteers an organisation has left waiting past the limit.
    id: 'volunteering-referrals',
    area: 'volunteering',
    permission: 'referrals.manage',
    order: 20,
    async load({ tx }) {
      const n = await repo.counts(tx, null);
      return {
        title: 'Referrals',
        waiting: [
          { count: n.enquired, label: plural(n.enquired, 'enquiry to check and refer', 'enquiries to check and refer'), href: '/volunteering/referrals?status=enquired' },
          { count: n.pastLimit, label: plural(n.pastLimit, 'volunteer waiting past the limit', 'volunteers waiting past the limit'), href: '/volunteering/referrals?waiting=past' },
        ],
        actions: [{ text: 'Refer a volunteer', href: '/volunteering/referrals/new' }],
      };
    },
  },
  {
    // Coordinators and managers: the month so far.
    id: 'volunteering-figures',
    area: 'volunteering',
    permission: 'volunteering.figures',
    order: 25,
    async load({ tx, now }) {
      const today = londonDay(now);
      const rows = figureRows(await repo.figures(tx, { from: `${today.slice(0, 8)}01`, to: today }, now));
      return {
        title: 'Volunteering this month',
        figures: rows.slice(0, 8).map(([label, value]) => ({ label: label!, value: value!, href: '/volunteering/figures' })),
      };
    },
  },
  {
    // A group member: the volunteers referred to their organisation and not answered yet.
    id: 'volunteering-our-referrals',
    area: 'volunteering',
    permission: 'referrals.answer',
    order: 30,
    async load({ tx, actor }) {
      if (actor.role !== 'group_member' || !actor.organisationId) return null;
      const n = await repo.counts(tx, actor.organisationId);
      return {
        title: 'Volunteers referred to you',
        waiting: [{ count: n.waiting, label: plural(n.waiting, 'volunteer waiting for your answer', 'volunteers waiting for your answer'), href: '/our-volunteering/referrals' }],
      };
    },
  },
];
