import type { HomePanel } from '../../platform/capability.js';
import { plural } from '../../platform/text.js';
import { opportunitiesRepository as repo } from './repository.js';

/** Coordinators: the roles groups have posted that wait for approval, and how many are live. */
export const rolesWaitingPanel: HomePanel = {
  id: 'volunteering-roles',
  area: 'volunteering',
  permission: 'opportunities.manage',
  order: 20,
  async load({ tx }) {
    const pending = await repo.countByStatus(tx, 'pending');
    const published = await repo.countByStatus(tx, 'published');
    return {
      title: 'Volunteer roles',
      waiting: [
        { count: pending, label: plural(pending, 'role from a group waits for approval', 'roles from groups wait for approval'), href: '/volunteering/roles?status=pending' },
        { count: published, label: plural(published, 'role is published', 'roles are published'), href: '/volunteering/roles?status=published' },
      ],
      actions: [{ text: 'Post a role', href: '/volunteering/roles/new' }],
    };
  },
};
