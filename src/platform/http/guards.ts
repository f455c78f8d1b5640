import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { ForbiddenError, can, type Permission } from '../auth/policy.js';

export class SignInRequired extends Error {}

/** Route guard: a signed-in person is required; others are sent to sign in and brought back. */
export const signedIn: preHandlerAsyncHookHandler = async (request: FastifyRequest, reply: FastifyReply) => {
  if (!request.actor) {
    const returnTo = request.method === 'GET' ? `?returnTo=${encodeURIComponent(request.url)}` : '';
    return reply.redirect(`/sign-in${returnTo}`, 303);
  }
};

/** Route guard: signed in and allowed; a refusal is a 403 page and an audit entry. */
export function permitted(permission: Permission): preHandlerAsyncHookHandler {
  return async (request, reply) => {
    if (!request.actor) return signedIn.call(request.server, request, reply);
    if (!can(request.actor, permission)) throw new ForbiddenError(permission);
  };
}
