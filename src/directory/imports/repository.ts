import { sql, type Insertable, type Updateable } from 'kysely';
import type { Queryable } from '../../platform/db/index.js';
import type { DB } from '../../platform/db/schema.js';

/** Imports refused in the last `days` days. */
const refusedSince = (db: Queryable, now: Date, days: number) => db.selectFrom('directory_imports').where('status', '=', 'rejected')
  .where('started_at', '>', sql<Date>`${now}::timestamptz - make_interval(days => ${days}::int)`);

/** The imports made into the register, each with its report (counts and issues). */
export const importsRepository = {
  recent: (db: Queryable, limit: number) => db.selectFrom('directory_imports')
    .select(['id', 'kind', 'source', 'status', 'started_at', 'finished_at', 'actor_label', 'counts']).orderBy('started_at', 'desc').orderBy('id').limit(limit).execute(),
  /** Imports the importer refused in the last `days` days, newest first, with how many there are. */
  async refused(db: Queryable, now: Date, days: number, limit: number) {
    const items = await refusedSince(db, now, days).select(['id', 'kind', 'source', 'status', 'started_at', 'finished_at', 'actor_label', 'counts'])
      .orderBy('started_at', 'desc').orderBy('id').limit(limit).execute();
    return { total: await importsRepository.countRefused(db, now, days), items };
  },
  /** How many imports the importer refused in the last `days` days (the home page's count of that list). */
  countRefused: async (db: Queryable, now: Date, days: number) =>
    Number((await refusedSince(db, now, days).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n),
  find: (db: Queryable, id: string) => db.selectFrom('directory_imports').selectAll().where('id', '=', id).executeTakeFirst(),

  /** Completes the record of a queued import with its report. */
  async finish(db: Queryable, id: string, values: Updateable<DB['directory_imports']>): Promise<void> {
    await db.updateTable('directory_imports').set(values).where('id', '=', id).execute();
  },

  /** Keeps an import's report, whichever kind of import made it. */
  async save(db: Queryable, values: Insertable<DB['directory_imports']>): Promise<string> {
    return (await db.insertInto('directory_imports').values(values).returning('id').executeTakeFirstOrThrow()).id;
  },
};
