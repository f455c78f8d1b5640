import type { FastifyRequest } from 'fastify';
import type { Actor } from '../audit.js';
import type { Database, Reads } from '../db/index.js';

/** The cookie holding a one-time message for the next page ("Organisation saved"). */
export const FLASH_COOKIE = 'cg_flash';

/**
 * The cookie marking a visitor who sent a form or any other write a moment ago (set only with a read replica):
 * their reads go to the primary while it lasts, so they see what they wrote even when the replica is behind.
 */
export const WROTE_COOKIE = 'cg_wrote';

/**
 * Reads for a public page or API answer: the replica (when there is one keeping up) for visitors who are not
 * signed in and have not written a moment ago; the primary for everyone else, who may be looking for their own change.
 */
export function publicReads(request: FastifyRequest, db: Database): Reads {
  return db.reading({ fresh: request.actor !== null || request.cookies[WROTE_COOKIE] !== undefined });
}

/**
 * Whether a request is for one of the JSON APIs (the token API at /api/v1, the ORUK API at /api/oruk, their
 * documents): its errors, refusals included, are answered in JSON; every other request is for a page.
 */
export function answersJson(request: FastifyRequest): boolean {
  return request.url === '/api' || request.url.startsWith('/api/') || request.url.startsWith('/api?');
}

/** Who did it, as the audit log and the records' histories name them. */
export function actorOf(request: FastifyRequest): Actor {
  return request.actor ? { userId: request.actor.id, label: request.actor.email } : { userId: null, label: 'anonymous' };
}

/** Whether this request would get the same page as any other visitor's: not signed in, no message waiting. */
export function seesSharedPages(request: FastifyRequest): boolean {
  return request.actor === null && !request.cookies[FLASH_COOKIE];
}

/**
 * A page kept whole and sent again to every visitor it is the same for: its bytes, split where the per-response parts
 * go: the CSP nonce, the CSRF token, and any of the route's own fields (the address a sign-up was sent to, say).
 */
export interface KeptResponse { status: number; chunks: Buffer[]; holes: ('nonce' | 'csrf' | { field: string })[] }
