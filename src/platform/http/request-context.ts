import type { FastifyRequest } from 'fastify';
import type { Actor } from '../audit.js';

/** The cookie holding a one-time message for the next page ("Organisation saved"). */
export const FLASH_COOKIE = 'cg_flash';

/** Who did it, as the audit log and the records' histories name them. */
export function actorOf(request: FastifyRequest): Actor {
  return request.actor ? { userId: request.actor.id, label: request.actor.email } : { userId: null, label: 'anonymous' };
}

/** Whether this request would get the same page as any other visitor's: not signed in, no message waiting. */
export function seesSharedPages(request: FastifyRequest): boolean {
  return request.actor === null && !request.cookies[FLASH_COOKIE];
}

/** A page kept whole and sent again to every visitor it is the same for: its bytes, split where the per-response parts (CSP nonce, CSRF token) go. */
export interface KeptResponse { status: number; chunks: Buffer[]; holes: ('nonce' | 'csrf')[] }
