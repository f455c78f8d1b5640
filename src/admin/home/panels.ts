import type { HomePanel } from '../../platform/capability.js';
import { can } from '../../platform/auth/policy.js';
import { plural } from '../../platform/text.js';
import { adminHomeRepository as repo } from './repository.js';

/** The LIO admin's panel: people and e-mails that need a hand. */
export const adminHomePanels: HomePanel[] = [
  {
    id: 'admin-accounts',
    area: 'admin',
    permission: 'outbox.read',
    order: 90,
    async load({ tx, actor }) {
      const waiting = [];
      if (can(actor, 'users.manage')) {
        const invited = await repo.invitationsNotAccepted(tx);
        waiting.push({ count: invited, label: plural(invited, 'invitation not accepted yet', 'invitations not accepted yet'), href: '/admin/users' });
      }
      const failed = await repo.failedEmails(tx);
      waiting.push({ count: failed, label: plural(failed, 'e-mail could not be sent', 'e-mails could not be sent'), href: '/admin/outbox' });
      return {
        title: 'People and e-mail',
        waiting,
        actions: [
          ...(can(actor, 'users.manage') ? [{ text: 'Invite someone', href: '/admin/users/invite' }] : []),
          ...(can(actor, 'front_door.manage') ? [{ text: 'Change the words on your public home page', href: '/admin/front-door' }] : []),
        ],
      };
    },
  },
];
