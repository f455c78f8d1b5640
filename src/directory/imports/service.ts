import type { Database } from '../../platform/db/index.js';
import type { SignedInUser } from '../../platform/auth/actor.js';
import { authorise } from '../../platform/auth/policy.js';
import { isUuid } from '../../platform/validation/ids.js';
import { importsRepository } from './repository.js';

/** The imports made so far and each one's report, for admins who import. */
export class ImportHistoryService {
  constructor(private readonly deps: { db: Database }) {}

  recent(actor: SignedInUser | null) {
    authorise(actor, 'directory.import');
    return this.deps.db.withTenant(actor.lioId, (tx) => importsRepository.recent(tx, 20));
  }

  find(actor: SignedInUser | null, id: string) {
    authorise(actor, 'directory.import');
    if (!isUuid(id)) return Promise.resolve(undefined);
    return this.deps.db.withTenant(actor.lioId, (tx) => importsRepository.find(tx, id));
  }
}
