import { sql } from 'kysely';
import type { Queryable } from '../../platform/db/index.js';
import { anyId } from '../../platform/db/personal-data-sql.js';

/** SQL of what funding holds about a person's accounts: the digests sent them, their stop, and what they added as staff. */
export const fundingDataRepository = {
  async described(db: Queryable, userIds: string[]) {
    const ids = anyId(userIds);
    return {
      sent: await db.selectFrom('funding_digest_items as d').innerJoin('funding_opportunities as o', 'o.id', 'd.opportunity_id')
        .select(['d.sent_at', 'd.reason', 'o.programme', 'o.funder_name']).where('d.user_id', '=', ids).orderBy('d.sent_at').execute(),
      stopped: await db.selectFrom('funding_digest_stops').select('stopped_at').where('user_id', '=', ids).execute(),
      added: await db.selectFrom('funding_opportunities').select(['programme', 'funder_name', 'created_at']).where('created_by_user_id', '=', ids).orderBy('created_at').execute(),
    };
  },

  async rows(db: Queryable, userIds: string[]) {
    const ids = anyId(userIds);
    return {
      funding_digest_items: await db.selectFrom('funding_digest_items').selectAll().where('user_id', '=', ids).execute(),
      funding_digest_stops: await db.selectFrom('funding_digest_stops').selectAll().where('user_id', '=', ids).execute(),
      funding_opportunities_added_by_them: await db.selectFrom('funding_opportunities').selectAll().where('created_by_user_id', '=', ids).execute(),
      grant_imports_started_by_them: await db.selectFrom('grant_imports').select(['id', 'file_name', 'status', 'created_at']).where('started_by_user_id', '=', ids).execute(),
    };
  },

  async erase(db: Queryable, userIds: string[]) {
    const ids = anyId(userIds);
    const items = await db.deleteFrom('funding_digest_items').where('user_id', '=', ids).executeTakeFirst();
    const stops = await db.deleteFrom('funding_digest_stops').where('user_id', '=', ids).executeTakeFirst();
    const opportunities = await db.updateTable('funding_opportunities').set({ created_by_user_id: null }).where('created_by_user_id', '=', ids).executeTakeFirst();
    const imports = await db.updateTable('grant_imports').set({ started_by_user_id: null }).where('started_by_user_id', '=', ids).executeTakeFirst();
    return {
      removed: { funding_digest_items: Number(items.numDeletedRows), funding_digest_stops: Number(stops.numDeletedRows) },
      anonymised: { funding_opportunities: Number(opportunities.numUpdatedRows), grant_imports: Number(imports.numUpdatedRows) },
    };
  },

  async forgetDigestsBefore(db: Queryable, now: Date, years: number) {
    const done = await db.deleteFrom('funding_digest_items').where('sent_at', '<', sql<Date>`${now}::timestamptz - make_interval(years => ${years})`).executeTakeFirst();
    return Number(done.numDeletedRows);
  },
};
