import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../db/index.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { SignedInUser } from '../auth/actor.js';
import { hashSecret, newSecret } from '../auth/secrets.js';

export const SESSION_COOKIE = 'cg_session';

/**
 * Server-side sessions: the cookie holds a random id, the database holds only its hash,
 * so a leaked database cannot be replayed as cookies.
 */
export class Sessions {
  constructor(private readonly db: Database, private readonly clock: Clock, private readonly config: Config) {}

  async load(request: FastifyRequest): Promise<SignedInUser | null> {
    const id = request.cookies[SESSION_COOKIE];
    if (!id || id.length > 100) return null;
    const now = this.clock.now();
    return this.db.withTenant(request.lio.id, async (tx) => {
      const row = await tx.selectFrom('sessions').innerJoin('users', 'users.id', 'sessions.user_id')
        .select(['sessions.id_hash', 'sessions.created_at', 'sessions.last_seen_at', 'users.id', 'users.lio_id', 'users.email', 'users.display_name',
          'users.role', 'users.permission_sets', 'users.organisation_id', 'users.status'])
        .where('sessions.id_hash', '=', hashSecret(id)).where('sessions.expires_at', '>', now).executeTakeFirst();
      if (!row || row.status !== 'active') return null;
      // Sliding idle expiry, written at most once a minute to keep reads cheap.
      if (now.getTime() - row.last_seen_at.getTime() > 60_000) {
        await tx.updateTable('sessions').set({ last_seen_at: now, expires_at: this.expiry(row.created_at, now) })
          .where('id_hash', '=', row.id_hash).execute();
      }
      return {
        id: row.id, lioId: row.lio_id, email: row.email, displayName: row.display_name,
        role: row.role, permissionSets: row.permission_sets, organisationId: row.organisation_id,
      };
    });
  }

  /** A new id at every sign-in (the old one, if any, is deleted), so a fixated id is worthless. */
  async start(request: FastifyRequest, reply: FastifyReply, userId: string): Promise<void> {
    const now = this.clock.now();
    const id = newSecret();
    const previous = request.cookies[SESSION_COOKIE];
    await this.db.withTenant(request.lio.id, async (tx) => {
      if (previous) await tx.deleteFrom('sessions').where('id_hash', '=', hashSecret(previous)).execute();
      await tx.insertInto('sessions').values({
        id_hash: hashSecret(id), lio_id: request.lio.id, user_id: userId, created_at: now, last_seen_at: now, expires_at: this.expiry(now, now),
      }).execute();
    });
    reply.setCookie(SESSION_COOKIE, id, {
      path: '/', httpOnly: true, sameSite: 'lax', secure: this.config.secureCookies, maxAge: this.config.session.absoluteHours * 3600,
    });
  }

  async end(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const id = request.cookies[SESSION_COOKIE];
    if (id) await this.db.withTenant(request.lio.id, (tx) => tx.deleteFrom('sessions').where('id_hash', '=', hashSecret(id)).execute());
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
  }

  private expiry(createdAt: Date, now: Date): Date {
    const idle = now.getTime() + this.config.session.idleMinutes * 60_000;
    const absolute = createdAt.getTime() + this.config.session.absoluteHours * 3_600_000;
    return new Date(Math.min(idle, absolute));
  }
}
