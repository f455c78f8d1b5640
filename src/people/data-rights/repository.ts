import type { Database, Queryable } from '../../platform/db/index.js';
import { recordsRepository } from '../records/repository.js';

/** The SQL data rights need of their own: the person, locked while everything held about them changes, and the LIOs a retention run visits. */
export const dataRightsRepository = {
  person(db: Queryable, id: string) {
    return recordsRepository.find(db, id);
  },

  /** Two erasures (or an erasure and a merge) of one person wait for each other rather than interleave. */
  lockPerson(db: Queryable, id: string) {
    return recordsRepository.selectPerson(db).where('id', '=', id).forUpdate().executeTakeFirst();
  },

  /** Every LIO, read across tenants (platform work: the retention job then works inside each LIO's own transaction). */
  lioIds(db: Database) {
    return db.system.selectFrom('lios').select('id').orderBy('created_at').execute();
  },
};
