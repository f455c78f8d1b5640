import { sql, type Insertable, type Updateable } from 'kysely';
import type { Queryable } from '../../platform/db/index.js';
import type { DB } from '../../platform/db/schema.js';

/** Imports refused in the last `days` days. */
const refusedSince = (db: Queryable, now: Date, days: number) => db.selectFrom('directory_imports').where('status', '=', 'rejected')
  .where('started_at', '>', sql<Date>`${now}::timestamptz - make_interval(days => ${days}::int)`);

/** At most this many issues are kept with an import's record, of any kind (its counts say how many there were). */
export const ISSUES_KEPT = 1000;

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

  /** The import of the LIO that waits or runs, if one does (at most one may: a unique index says so). */
  unfinished: (db: Queryable) => db.selectFrom('directory_imports').select(['id', 'status', 'heartbeat_at', 'started_at']).where('status', 'in', ['queued', 'running'])
    .executeTakeFirst(),

  /** A queued import's record, made with its job. */
  async queue(db: Queryable, values: { lio_id: string; kind: 'oruk'; source: string; started_at: Date; actor_label: string }): Promise<string> {
    return (await db.insertInto('directory_imports').values({ ...values, status: 'queued', finished_at: null, heartbeat_at: values.started_at })
      .returning('id').executeTakeFirstOrThrow()).id;
  },

  /** Its job has taken it: false when it is no longer queued (ended meanwhile as stopped). */
  async markRunning(db: Queryable, id: string, now: Date): Promise<boolean> {
    const result = await db.updateTable('directory_imports').set({ status: 'running', heartbeat_at: now, started_at: now }).where('id', '=', id).where('status', '=', 'queued')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  },

  /** The running import's process is alive, with its progress so far. */
  async beat(db: Queryable, id: string, now: Date, progress: Record<string, unknown>): Promise<void> {
    await db.updateTable('directory_imports').set({ heartbeat_at: now, progress: JSON.stringify(progress) }).where('id', '=', id).where('status', '=', 'running').execute();
  },

  /**
   * Running imports whose process stopped (a restart, a crash) before they ended: rejected, with the reason. Their
   * transaction never committed, so nothing of them was imported. Answers their ids. (A queued import waits for its
   * job, which a restart keeps.)
   */
  async stopAbandoned(db: Queryable, silentSince: Date, now: Date, message: string): Promise<string[]> {
    const rows = await db.updateTable('directory_imports').set({ status: 'rejected', finished_at: now, counts: JSON.stringify({ message }) })
      .where('status', '=', 'running').where('heartbeat_at', '<', silentSince).returning('id').execute();
    return rows.map((r) => r.id);
  },

  /** Keeps an import's report, whichever kind of import made it. */
  async save(db: Queryable, values: Insertable<DB['directory_imports']>): Promise<string> {
    return (await db.insertInto('directory_imports').values(values).returning('id').executeTakeFirstOrThrow()).id;
  },
};
