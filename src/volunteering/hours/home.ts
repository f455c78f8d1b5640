import type { HomePanel } from '../../platform/capability.js';
import { hoursRepository } from './repository.js';

/** A group member's flag: volunteers' hours waiting for their organisation to confirm. */
export const hoursWaitingPanel: HomePanel = {
  id: 'volunteering-hours-waiting',
  area: 'volunteering',
  permission: 'hours.confirm',
  order: 45,
  async load({ tx, actor }) {
    if (actor.role !== 'group_member' || !actor.organisationId) return null;
    const count = Number((await hoursRepository.waitingFor(tx, { organisationId: actor.organisationId })).n);
    return { title: 'Volunteers’ hours', waiting: [{ label: 'Entries of hours waiting for you to confirm', count, href: '/our-volunteering/hours' }] };
  },
};
