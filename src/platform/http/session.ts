import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../db/index.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { SignedInUser } from '../auth/actor.js';
import { createHmac } from 'node:crypto';
import { hashSecret, newSecret } from '../auth/secrets.js';

export const SESSION_COOKIE = 'cg_session';
/** Holds the CSRF secret of a visitor who is not signed in (signed, so it cannot be made up). */
export const CSRF_COOKIE = '_csrf';

/** Where @fastify/csrf-protection (as sessionPlugin '@fastify/session') reads and keeps a visitor's CSRF secret. */
export interface CsrfSecretHolder { _csrf?: string }

/** What this request knows of its session: the live id (once loaded, started or ended) and whether the anonymous secret is spent. */
interface RequestSession { id: string | null; anonymousSpent: boolean }

/**
 * Server-side sessions: the cookie holds a random id, the database holds only its hash,
 * so a leaked database cannot be replayed as cookies.
 */
export class Sessions {
  private readonly current = new WeakMap<FastifyRequest, RequestSession>();

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
      this.current.set(request, { id, anonymousSpent: false });
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
    // The secret of the signed-out visitor is dropped: tokens made before sign-in (or planted with it) stop working.
    this.current.set(request, { id, anonymousSpent: true });
    reply.clearCookie(CSRF_COOKIE, { path: '/' });
  }

  async end(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const id = request.cookies[SESSION_COOKIE];
    if (id) await this.db.withTenant(request.lio.id, (tx) => tx.deleteFrom('sessions').where('id_hash', '=', hashSecret(id)).execute());
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    // Signed out, the visitor starts afresh with a new CSRF secret, not one that was in use before sign-in.
    this.current.set(request, { id: null, anonymousSpent: true });
    reply.clearCookie(CSRF_COOKIE, { path: '/' });
  }

  /**
   * The CSRF secret of this request. Signed in, it is derived from the session id (which only the cookie holds and
   * which is new at every sign-in), so a token fits one session and no cookie an attacker plants can change it.
   * Signed out, it is kept in a signed cookie, made on the first form shown.
   */
  csrfSecretHolder(request: FastifyRequest, reply: FastifyReply): CsrfSecretHolder {
    const { current, config } = this;
    const cookieOptions = { path: '/', httpOnly: true, sameSite: 'lax' as const, secure: config.secureCookies, signed: true };
    let made: string | undefined;
    return {
      get _csrf() {
        const session = current.get(request);
        if (session?.id) return createHmac('sha256', config.sessionSecret).update(`csrf:${session.id}`).digest('base64url');
        if (made || session?.anonymousSpent) return made;
        const kept = request.cookies[CSRF_COOKIE];
        const unsigned = kept ? request.unsignCookie(kept) : null;
        return unsigned?.valid ? unsigned.value ?? undefined : undefined;
      },
      set _csrf(secret: string | undefined) {
        if (!secret || current.get(request)?.id) return;
        made = secret;
        reply.setCookie(CSRF_COOKIE, secret, cookieOptions);
      },
    };
  }

  private expiry(createdAt: Date, now: Date): Date {
    const idle = now.getTime() + this.config.session.idleMinutes * 60_000;
    const absolute = createdAt.getTime() + this.config.session.absoluteHours * 3_600_000;
    return new Date(Math.min(idle, absolute));
  }
}
