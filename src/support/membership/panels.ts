import type { HomePanel } from '../../platform/capability.js';
import { plural } from '../../platform/text.js';
import { londonDay } from '../../platform/validation/dates.js';
import { membershipRepository as repo } from './repository.js';

/** Advisers: organisations waiting for their membership to be approved, and memberships due for renewal within 30 days. */
export const membershipPanel: HomePanel = {
  id: 'support-membership',
  area: 'support',
  permission: 'membership.manage',
  order: 85,
  async load({ tx, now }) {
    const n = await repo.panelCounts(tx, londonDay(new Date(now.getTime() + 30 * 86_400_000)));
    return {
      title: 'Membership',
      waiting: [
        { label: plural(n.pending, 'application to join waiting for approval', 'applications to join waiting for approval'), count: n.pending, href: '/support/membership#pending' },
        { label: plural(n.due, 'membership due for renewal in 30 days', 'memberships due for renewal in 30 days'), count: n.due, href: '/support/membership#due' },
      ],
      actions: [{ text: 'Add a member', href: '/support/membership/new' }],
    };
  },
};

/** A group member: their organisation's membership, or the invitation to join. */
export const ownMembershipPanel: HomePanel = {
  id: 'support-own-membership',
  area: 'support',
  permission: 'membership.join',
  order: 85,
  async load({ tx, actor }) {
    if (!actor.organisationId) return null;
    const m = await repo.current(tx, actor.organisationId);
    const description = !m ? `${(await repo.organisation(tx, actor.organisationId))?.name ?? 'Your organisation'} is not a member yet.`
      : m.status === 'pending' ? 'Your application to join is waiting for approval.'
        : m.status === 'lapsed' ? 'Your membership has lapsed.' : `${m.type_name}: renews on ${new Date(`${m.renews_on}T12:00:00Z`).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric' })}.`;
    return { title: 'Membership', description, actions: [{ text: m ? 'Your membership' : 'Become a member', href: '/our-support/membership' }] };
  },
};
