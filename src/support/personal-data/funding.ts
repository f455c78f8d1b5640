import { sql } from 'kysely';
import { dateTimeText, type ErasureOutcome, type PersonalDataPart } from '../../platform/personal-data.js';
import { anyId } from '../../platform/db/personal-data-sql.js';

/** Funding digests are a record of e-mails sent: kept this long, then forgotten (the opportunities stay). */
const DIGEST_RETENTION_YEARS = 2;

/**
 * Funding and grants hold about a person only what their account did: the funding e-mails a group member was sent
 * (and whether they stopped them), and the opportunities and grants imports a member of staff added.
 *
 * `grants` is named because its recipient columns look like a person's to the coverage rule: a grant's recipient is
 * always an organisation (360Giving grants to individuals are never imported), so it holds nothing about anyone.
 */
export const fundingPersonalData: PersonalDataPart = {
  tables: ['funding_digest_items', 'funding_digest_stops', 'funding_opportunities', 'grant_imports', 'grants'],

  async describe({ tx }, identity) {
    if (!identity.userIds.length) return [];
    const ids = anyId(identity.userIds);
    const sent = await tx.selectFrom('funding_digest_items as d').innerJoin('funding_opportunities as o', 'o.id', 'd.opportunity_id')
      .select(['d.sent_at', 'd.reason', 'o.programme', 'o.funder_name']).where('d.user_id', '=', ids).orderBy('d.sent_at').execute();
    const stopped = await tx.selectFrom('funding_digest_stops').select('stopped_at').where('user_id', '=', ids).execute();
    const added = await tx.selectFrom('funding_opportunities').select(['programme', 'funder_name', 'created_at']).where('created_by_user_id', '=', ids).orderBy('created_at').execute();
    return [{
      heading: 'Funding e-mails and opportunities',
      records: [
        ...sent.map((s) => ({ title: `${s.programme} (${s.funder_name})`, fields: [{ label: s.reason === 'new' ? 'E-mailed as new' : 'E-mailed as closing soon', value: dateTimeText(s.sent_at) }] })),
        ...stopped.map((s) => ({ title: 'Funding e-mails stopped', fields: [{ label: 'Stopped', value: dateTimeText(s.stopped_at) }] })),
        ...added.map((a) => ({ title: `Added the opportunity ${a.programme} (${a.funder_name})`, fields: [{ label: 'Added', value: dateTimeText(a.created_at) }] })),
      ],
    }];
  },

  async export({ tx }, identity): Promise<Record<string, Record<string, unknown>[]>> {
    if (!identity.userIds.length) return {};
    const ids = anyId(identity.userIds);
    return {
      funding_digest_items: await tx.selectFrom('funding_digest_items').selectAll().where('user_id', '=', ids).execute(),
      funding_digest_stops: await tx.selectFrom('funding_digest_stops').selectAll().where('user_id', '=', ids).execute(),
      funding_opportunities_added_by_them: await tx.selectFrom('funding_opportunities').selectAll().where('created_by_user_id', '=', ids).execute(),
      grant_imports_started_by_them: await tx.selectFrom('grant_imports').select(['id', 'file_name', 'status', 'created_at']).where('started_by_user_id', '=', ids).execute(),
    };
  },

  erasure: 'The record of funding e-mails sent to them is removed; opportunities and grants imports they added stay, without their name. Grants data names organisations only (grants to individuals are never imported).',

  async erase({ tx }, identity): Promise<ErasureOutcome> {
    if (!identity.userIds.length) return { removed: {}, anonymised: {} };
    const ids = anyId(identity.userIds);
    const items = await tx.deleteFrom('funding_digest_items').where('user_id', '=', ids).executeTakeFirst();
    const stops = await tx.deleteFrom('funding_digest_stops').where('user_id', '=', ids).executeTakeFirst();
    const opportunities = await tx.updateTable('funding_opportunities').set({ created_by_user_id: null }).where('created_by_user_id', '=', ids).executeTakeFirst();
    const imports = await tx.updateTable('grant_imports').set({ started_by_user_id: null }).where('started_by_user_id', '=', ids).executeTakeFirst();
    return {
      removed: { funding_digest_items: Number(items.numDeletedRows), funding_digest_stops: Number(stops.numDeletedRows) },
      anonymised: { funding_opportunities: Number(opportunities.numUpdatedRows), grant_imports: Number(imports.numUpdatedRows) },
    };
  },

  // Rows here are keyed by accounts, which a merge of two person records does not move.
  async merge() { return {}; },

  retention: {
    rule: `The record of funding e-mails sent is kept ${DIGEST_RETENTION_YEARS} years.`,
    async apply({ tx, now }) {
      const done = await tx.deleteFrom('funding_digest_items').where('sent_at', '<', sql<Date>`${now}::timestamptz - make_interval(years => ${DIGEST_RETENTION_YEARS})`).executeTakeFirst();
      return { funding_digest_items: Number(done.numDeletedRows) };
    },
  },
};
