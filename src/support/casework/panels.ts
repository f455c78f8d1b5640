import type { HomePanel } from '../../platform/capability.js';
import { plural } from '../../platform/text.js';
import { londonDay } from '../../platform/validation/dates.js';
import { caseworkRepository as repo } from './repository.js';

export const caseworkPanels: HomePanel[] = [
  {
    // An adviser: their next actions due today and past due, and new requests no one has taken.
    id: 'support-cases',
    area: 'support',
    permission: 'cases.read',
    order: 10,
    async load({ tx, actor, now }) {
      const n = await repo.counts(tx, actor.id, londonDay(now));
      return {
        title: 'Support cases',
        waiting: [
          { count: n.dueToday, label: plural(n.dueToday, 'of your cases due today', 'of your cases due today'), href: '/support/cases?adviser=mine&due=today' },
          { count: n.overdue, label: plural(n.overdue, 'of your cases overdue', 'of your cases overdue'), href: '/support/cases?adviser=mine&due=overdue' },
          { count: n.unassigned, label: plural(n.unassigned, 'new request no one has taken', 'new requests no one has taken'), href: '/support/cases?adviser=unassigned&status=new' },
        ],
        actions: [{ text: 'Open a case', href: '/support/cases/new' }],
      };
    },
  },
  {
    // A group member: their organisation's requests, and those waiting for something from them.
    id: 'support-our-cases',
    area: 'support',
    permission: 'support.request',
    order: 11,
    async load({ tx, actor }) {
      if (actor.role !== 'group_member' || !actor.organisationId) return null;
      const { waiting, open } = await repo.groupCounts(tx, actor.organisationId);
      return {
        title: 'Our support',
        waiting: [
          { count: waiting, label: plural(waiting, 'request waiting for something from you', 'requests waiting for something from you'), href: '/our-support' },
          { count: open, label: plural(open, 'request being worked on', 'requests being worked on'), href: '/our-support' },
        ],
        actions: [{ text: 'Ask for support', href: '/our-support/new' }],
      };
    },
  },
];
