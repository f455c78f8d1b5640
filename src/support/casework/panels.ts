import type { HomePanel } from '../../platform/capability.js';
import type { RecordPanel } from '../../platform/record-panels.js';
import { healthChecksRepository } from '../health-checks/repository.js';
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

/** On an organisation's page in the register, for advisers: its support cases and health checks, each a link to them. */
export const organisationSupportPanel: RecordPanel = {
  id: 'support',
  record: 'organisation',
  permission: 'cases.read',
  async load({ tx, recordId }) {
    const cases = await repo.organisationCounts(tx, recordId);
    const checks = await healthChecksRepository.countOf(tx, recordId);
    return {
      title: 'Support for this group',
      links: [
        { text: `${cases.open} ${plural(cases.open, 'support case', 'support cases')} not closed`, href: `/support/cases?organisation=${recordId}` },
        { text: `${cases.all} ${plural(cases.all, 'support case', 'support cases')} in all`, href: `/support/cases?organisation=${recordId}&status=all` },
        { text: `${checks} ${plural(checks, 'health check', 'health checks')}`, href: `/support/organisations/${recordId}/health-checks` },
      ],
    };
  },
};
