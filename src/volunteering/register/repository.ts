import { sql } from 'kysely';
import type { Queryable } from '../../platform/db/index.js';

/** How long the link of a sign-up waiting for its e-mail address to be confirmed works; after it, the sign-up is deleted. */
export const SIGNUP_LINK_DAYS = 7;

export interface HoldSignup { lioId: string; via: 'online' | 'surge'; signupKey: string; email: string; tokenHash: string; answers: unknown; now: Date }
export interface HeldSignup { id: string; via: 'online' | 'surge'; signup_key: string; email: string; answers: unknown; created_at: Date }

/** Sign-ups from the front door held until their e-mailed link is followed (migration 032). */
export const signupsRepository = {
  /** False when this form (its one-time key) was sent before: a retry, or a double click. */
  async hold(db: Queryable, row: HoldSignup): Promise<boolean> {
    return (await signupsRepository.holdMany(db, [row])).length === 1;
  },

  /** Holds many sign-ups in one statement; answers the keys held now (a key sent before, or twice here, is held once). */
  async holdMany(db: Queryable, rows: HoldSignup[]): Promise<string[]> {
    if (rows.length === 0) return [];
    const made = await db.insertInto('volunteer_signups').values(rows.map((row) => ({
      lio_id: row.lioId, via: row.via, signup_key: row.signupKey, email: row.email, token_hash: row.tokenHash, answers: JSON.stringify(row.answers),
      created_at: row.now, expires_at: new Date(row.now.getTime() + SIGNUP_LINK_DAYS * 86_400_000),
    }))).onConflict((oc) => oc.columns(['lio_id', 'signup_key']).doNothing()).returning('signup_key').execute();
    return made.map((r) => r.signup_key);
  },

  /** The sign-up a link is for, while the link works; locked, so a link followed twice at once makes one volunteer. */
  byToken(db: Queryable, tokenHash: string, via: 'online' | 'surge', now: Date): Promise<HeldSignup | undefined> {
    return db.selectFrom('volunteer_signups').select(['id', 'via', 'signup_key', 'email', 'answers', 'created_at'])
      .where('token_hash', '=', tokenHash).where('via', '=', via).where('expires_at', '>', now).forUpdate().executeTakeFirst() as Promise<HeldSignup | undefined>;
  },

  /** False when it was gone already: another request following the same link took it first. */
  async remove(db: Queryable, id: string): Promise<boolean> {
    const { numDeletedRows } = await db.deleteFrom('volunteer_signups').where('id', '=', id).executeTakeFirst();
    return numDeletedRows > 0n;
  },

  /** Sign-ups for one address are made into records one at a time: two links followed at once make one volunteer. */
  async serialise(db: Queryable, lioId: string, email: string): Promise<void> {
    await sql`select pg_advisory_xact_lock(hashtext(${`volunteer-signup:${lioId}:${email}`}))`.execute(db);
  },

  async waiting(db: Queryable, via: 'online' | 'surge', now: Date): Promise<number> {
    const row = await db.selectFrom('volunteer_signups').select((eb) => eb.fn.countAll<string>().as('n')).where('via', '=', via).where('expires_at', '>', now).executeTakeFirstOrThrow();
    return Number(row.n);
  },
};
