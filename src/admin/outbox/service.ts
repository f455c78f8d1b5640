import type { Database } from '../../platform/db/index.js';
import type { SignedInUser } from '../../platform/auth/actor.js';
import { authorise } from '../../platform/auth/policy.js';
import { listEmails } from '../../platform/mail.js';

/** The e-mails the app has sent or tried to send for the LIO, newest first (the mail table is the platform's). */
export class OutboxService {
  constructor(private readonly deps: { db: Database }) {}

  async messages(actor: SignedInUser | null) {
    authorise(actor, 'outbox.read');
    return this.deps.db.withTenant(actor.lioId, (tx) => listEmails(tx));
  }
}
