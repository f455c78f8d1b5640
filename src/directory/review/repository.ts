import { sql } from 'kysely';
import type { Queryable } from '../../platform/db/index.js';

/** A listing e-mailed in the last this-many days is not e-mailed again by a bulk send. */
export const RESEND_AFTER_DAYS = 14;
export const DAY_MS = 86_400_000;

/**
 * Listings due for review: never verified, or verified longer ago than the LIO's verification period
 * (lios.verification_months). Closed and merged records are not reviewed.
 */
function dueQuery(db: Queryable, now: Date, months: number) {
  return db.selectFrom('organisations as o')
    .where('o.merged_into_id', 'is', null)
    .where('o.status', '<>', 'closed')
    .where((eb) => eb.or([
      eb('o.last_verified_at', 'is', null),
      eb('o.last_verified_at', '<', sql<Date>`${now}::timestamptz - make_interval(months => ${months}::int)`),
    ]));
}

/**
 * A staff member's bulk send skips listings asked in the last RESEND_AFTER_DAYS days; the daily sweep asks each
 * listing at most once per verification period, so a contact who does not answer is not e-mailed every fortnight.
 */
export type Sender = 'staff' | 'sweep';

/**
 * Whom a listing's check goes to: the organisation's own e-mail address, the e-mail of each of its contacts, and
 * each active group member who keeps its listing; an address once, however many of these give it.
 */
const hasRecipient = sql<boolean>`(o.email is not null
  or exists (select 1 from contacts c where c.organisation_id = o.id and c.email is not null)
  or exists (select 1 from users u where u.organisation_id = o.id and u.role = 'group_member' and u.status = 'active'))`;

function emailable(db: Queryable, now: Date, months: number, sender: Sender) {
  const askedSince = sender === 'sweep' ? sql<Date>`${now}::timestamptz - make_interval(months => ${months}::int)` : sql<Date>`${new Date(now.getTime() - RESEND_AFTER_DAYS * DAY_MS)}::timestamptz`;
  return dueQuery(db, now, months)
    .where(hasRecipient)
    .where(sql<boolean>`not exists (select 1 from verification_requests v where v.organisation_id = o.id and v.sent_at > ${askedSince})`);
}

/**
 * Listings e-mailed a verification link and not verified since the latest one: nobody has answered. Any one
 * recipient's confirmation verifies the listing, so a listing verified after its last e-mail is answered. The home
 * page's count and /directory/review?show=unanswered both read this.
 */
function unansweredQuery(db: Queryable) {
  return db.selectFrom('organisations as o')
    .where('o.merged_into_id', 'is', null)
    .where('o.status', '<>', 'closed')
    .where(sql<boolean>`exists (select 1 from verification_requests v where v.organisation_id = o.id and v.confirmed_at is null
      and (o.last_verified_at is null or o.last_verified_at < v.sent_at))`);
}

const lastSent = sql<Date | null>`(select max(v.sent_at) from verification_requests v where v.organisation_id = o.id)`;

export const verificationRepository = {
  setMonths: (db: Queryable, lioId: string, months: number) => db.updateTable('lios').set({ verification_months: months }).where('id', '=', lioId).execute(),

  async queue(db: Queryable, now: Date, months: number, page: number, pageSize: number) {
    const base = dueQuery(db, now, months);
    const counts = await base.select((eb) => [eb.fn.countAll<number>().as('n'), sql<number>`count(*) filter (where ${hasRecipient})`.as('with_email')]).executeTakeFirstOrThrow();
    const items = await base.select(['o.id', 'o.name', 'o.status', 'o.last_verified_at', lastSent.as('last_sent_at'), hasRecipient.as('emailable')])
      .orderBy(sql`o.last_verified_at asc nulls first`).orderBy(sql`lower(o.name)`).orderBy('o.id')
      .limit(pageSize).offset((page - 1) * pageSize).execute();
    return { total: Number(counts.n), withEmail: Number(counts.with_email), items };
  },

  /** Listings asked by e-mail and not answered (see unansweredQuery), asked longest ago first. */
  async unanswered(db: Queryable, page: number, pageSize: number) {
    const base = unansweredQuery(db);
    const total = Number((await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    const items = await base.select(['o.id', 'o.name', 'o.status', 'o.last_verified_at', lastSent.as('last_sent_at'), hasRecipient.as('emailable')])
      .orderBy(sql`${lastSent} asc`).orderBy(sql`lower(o.name)`).orderBy('o.id')
      .limit(pageSize).offset((page - 1) * pageSize).execute();
    return { total, items };
  },

  /** How many listings were asked by e-mail and have not answered. */
  countUnanswered: async (db: Queryable) => Number((await unansweredQuery(db).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n),

  /** The due listings with an e-mail address that were not e-mailed recently. */
  toEmail: (db: Queryable, now: Date, months: number, limit: number, sender: Sender) => emailable(db, now, months, sender)
    .select(['o.id', 'o.name']).orderBy(sql`o.last_verified_at asc nulls first`).orderBy('o.id').limit(limit).execute(),

  /** The addresses a listing's check goes to (see hasRecipient), the organisation's own first. */
  async recipients(db: Queryable, organisationId: string): Promise<{ email: string; own: boolean }[]> {
    const { rows } = await sql<{ email: string; rank: number }>`select email, rank from (
        select o.email, 0 as rank from organisations o where o.id = ${organisationId} and o.email is not null
        union all select c.email, 1 from contacts c where c.organisation_id = ${organisationId} and c.email is not null
        union all select u.email, 2 from users u where u.organisation_id = ${organisationId} and u.role = 'group_member' and u.status = 'active'
      ) r order by rank, lower(email)`.execute(db);
    const seen = new Set<string>();
    return rows.map((r) => ({ email: r.email.trim(), own: r.rank === 0 })).filter(({ email }) => !seen.has(email.toLowerCase()) && seen.add(email.toLowerCase()));
  },
  countToEmail: async (db: Queryable, now: Date, months: number, sender: Sender) =>
    Number((await emailable(db, now, months, sender).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n),

  insertRequest: (db: Queryable, lioId: string, organisationId: string, tokenHash: string, now: Date) =>
    db.insertInto('verification_requests').values({ lio_id: lioId, organisation_id: organisationId, token_hash: tokenHash, sent_at: now }).execute(),

  findRequest: (db: Queryable, tokenHash: string) => db.selectFrom('verification_requests').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst(),

  spend: (db: Queryable, id: string, now: Date) =>
    db.updateTable('verification_requests').set({ confirmed_at: now }).where('id', '=', id).where('confirmed_at', 'is', null).executeTakeFirst(),

  /** The LIO's name and verification period, for the e-mails a job sends. */
  lio: (db: Queryable, lioId: string) => db.selectFrom('lios').select(['name', 'verification_months']).where('id', '=', lioId).executeTakeFirstOrThrow(),

  /** Every LIO, for the daily sweep (read on the owner connection: no tenant is chosen yet). */
  allLios: (db: Queryable) => db.selectFrom('lios').select(['id', 'hostnames', 'is_default']).orderBy('created_at').execute(),

  /** Waits for any other bulk run of the LIO's verification e-mails; the lock is held to the end of the transaction. */
  async takeTurn(tx: Queryable, lioId: string): Promise<void> {
    await sql`select pg_advisory_xact_lock(hashtext(${`verification:${lioId}`}))`.execute(tx);
  },
};
