import type { Queryable } from '../../platform/db/index.js';

/** What the funding digests read and record: who receives them, what each was already sent, who stopped them. */
export const digestRepository = {
  allLios: (db: Queryable) => db.selectFrom('lios').select(['id', 'name', 'hostnames', 'is_default']).orderBy('created_at').execute(),

  /** Active group members with an organisation still on the register, who have not stopped the digests. */
  recipients(db: Queryable) {
    return db.selectFrom('users as u')
      .innerJoin('organisations as o', (j) => j.onRef('o.lio_id', '=', 'u.lio_id').onRef('o.id', '=', 'u.organisation_id'))
      .select(['u.id as user_id', 'u.email', 'u.display_name', 'o.id as organisation_id', 'o.name as organisation_name', 'o.organisation_type', 'o.income_band', 'o.themes', 'o.areas_served'])
      .where('u.role', '=', 'group_member').where('u.status', '=', 'active').where('o.status', '<>', 'closed')
      .where((eb) => eb.not(eb.exists(eb.selectFrom('funding_digest_stops as s').select('s.user_id').whereRef('s.user_id', '=', 'u.id'))))
      .orderBy('u.id').execute();
  },

  /** user id → 'opportunity id:reason' already sent. */
  async sent(db: Queryable, userIds: string[]) {
    const sent = new Map<string, Set<string>>();
    if (!userIds.length) return sent;
    const rows = await db.selectFrom('funding_digest_items').select(['user_id', 'opportunity_id', 'reason']).where('user_id', 'in', userIds).execute();
    for (const r of rows) {
      if (!sent.has(r.user_id)) sent.set(r.user_id, new Set());
      sent.get(r.user_id)!.add(`${r.opportunity_id}:${r.reason}`);
    }
    return sent;
  },

  async record(db: Queryable, r: { lioId: string; userId: string; items: { opportunityId: string; reason: 'new' | 'closing' }[]; now: Date }) {
    if (!r.items.length) return;
    await db.insertInto('funding_digest_items')
      .values(r.items.map((i) => ({ lio_id: r.lioId, user_id: r.userId, opportunity_id: i.opportunityId, reason: i.reason, sent_at: r.now })))
      .onConflict((oc) => oc.columns(['lio_id', 'user_id', 'opportunity_id', 'reason']).doNothing()).execute();
  },

  /** A group member's account of this LIO (the tenant), for a digest's stop link. */
  member: (db: Queryable, userId: string) => db.selectFrom('users').select(['id', 'email']).where('id', '=', userId).where('role', '=', 'group_member').executeTakeFirst(),

  async stopped(db: Queryable, userId: string) {
    return !!(await db.selectFrom('funding_digest_stops').select('user_id').where('user_id', '=', userId).executeTakeFirst());
  },

  stop: (db: Queryable, lioId: string, userId: string, now: Date) =>
    db.insertInto('funding_digest_stops').values({ lio_id: lioId, user_id: userId, stopped_at: now }).onConflict((oc) => oc.columns(['lio_id', 'user_id']).doNothing()).execute(),

  restart: (db: Queryable, userId: string) => db.deleteFrom('funding_digest_stops').where('user_id', '=', userId).execute(),
};
