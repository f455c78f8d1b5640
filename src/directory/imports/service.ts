import type { Database } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import type { SignedInUser } from '../../platform/auth/actor.js';
import { authorise } from '../../platform/auth/policy.js';
import { importsRepository } from './repository.js';

/** /admin/imports?status=rejected lists the imports refused in this many days, as the home page counts them: long enough to be seen, short enough to clear. */
export const REFUSED_DAYS = 30;

/** The refused imports listed at most; more than a month's worth would be a source to look into, not to page through. */
const REFUSED_LIMIT = 200;

/** The imports made so far and each one's report, for admins who import. */
export class ImportHistoryService {
  constructor(private readonly deps: { db: Database; clock: Clock }) {}

  recent(actor: SignedInUser | null) {
    authorise(actor, 'directory.import');
    return this.deps.db.withTenant(actor.lioId, (tx) => importsRepository.recent(tx, 20));
  }

  /** Imports refused in the last `days` days: what the home page counts, each with its report. */
  refused(actor: SignedInUser | null, days = REFUSED_DAYS) {
    authorise(actor, 'directory.import');
    const now = this.deps.clock.now();
    return this.deps.db.withTenant(actor.lioId, (tx) => importsRepository.refused(tx, now, days, REFUSED_LIMIT));
  }
}
