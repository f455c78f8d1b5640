import { sql } from 'kysely';
import type { Tx } from '../../platform/db/index.js';

/** The SQL of adding an LIO: on the owner connection, as the app role may only read lios. */
export const liosRepository = {
  /** One LIO added at a time, so two operators cannot both find a host name free and both take it. */
  lockAdding(tx: Tx) {
    return sql`select pg_advisory_xact_lock(hashtext('lios.add'))`.execute(tx);
  },
  slugTaken(tx: Tx, slug: string) {
    return tx.selectFrom('lios').select('id').where('slug', '=', slug).executeTakeFirst();
  },
  /** Each of `hostnames` already answered by an LIO, with that LIO's name. */
  async hostnamesTaken(tx: Tx, hostnames: string[]) {
    const { rows } = await sql<{ hostname: string; name: string }>`select h as hostname, l.name from lios l, unnest(l.hostnames) h
      where h = any(${hostnames}::text[]) order by h`.execute(tx);
    return rows;
  },
  insert(tx: Tx, lio: { slug: string; name: string; hostnames: string[]; now: Date }) {
    return tx.insertInto('lios').values({ slug: lio.slug, name: lio.name, hostnames: lio.hostnames, is_default: false, created_at: lio.now })
      .returning(['id', 'slug', 'name', 'hostnames']).executeTakeFirstOrThrow();
  },
};
