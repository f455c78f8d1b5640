import type { Queryable } from '../../platform/db/index.js';

import { countOf as count } from '../../platform/db/count.js';

/** The administration's home-page counts, each the length of the list its link opens. */
export const adminHomeRepository = {
  /** People invited who have not yet set a password (they show as "Invited" on /admin/users). */
  async invitationsNotAccepted(db: Queryable): Promise<number> {
    return count(await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'invited').executeTakeFirst());
  },
  /** E-mails the mail server refused for good (shown as "Failed" in the outbox). */
  async failedEmails(db: Queryable): Promise<number> {
    return count(await db.selectFrom('email_messages').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'failed').executeTakeFirst());
  },
};
