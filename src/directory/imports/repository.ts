import type { Insertable } from 'kysely';
import type { Queryable } from '../../platform/db/index.js';
import type { DB } from '../../platform/db/schema.js';

/** The imports made into the register, each with its report (counts and issues). */
export const importsRepository = {
  recent: (db: Queryable, limit: number) => db.selectFrom('directory_imports')
    .select(['id', 'kind', 'source', 'status', 'started_at', 'finished_at', 'actor_label', 'counts']).orderBy('started_at', 'desc').orderBy('id').limit(limit).execute(),
  find: (db: Queryable, id: string) => db.selectFrom('directory_imports').selectAll().where('id', '=', id).executeTakeFirst(),

  /** Keeps an import's report, whichever kind of import made it. */
  async save(db: Queryable, values: Insertable<DB['directory_imports']>): Promise<string> {
    return (await db.insertInto('directory_imports').values(values).returning('id').executeTakeFirstOrThrow()).id;
  },
};
