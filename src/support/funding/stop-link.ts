import { timingSafeEqual } from 'node:crypto';
import { isUuid } from '../../platform/validation/ids.js';
import { unsubscribeHash } from '../bulletins/message.js';

// The bulletins' keyed hash signs these links too, over a value no bulletin token can be: one signing rule for every
// unsubscribe link the capability sends. 128 bits of it are proof enough, and keep the link under the router's
// 100-character limit on a path's part.
const signed = (secret: string, userId: string) => unsubscribeHash(secret, `funding-digest-stop:${userId}`).slice(0, 32);

/** The token of a group member's link that stops their funding digests: their account and its signature. */
export const stopToken = (secret: string, userId: string): string => `${userId}.${signed(secret, userId)}`;

/** The account a stop link is for, when the link is whole and signed by this service; undefined for a forged or broken one. */
export function stopTokenUser(secret: string, token: string): string | undefined {
  const [userId = '', signature = ''] = token.split('.');
  if (!isUuid(userId)) return undefined;
  const expected = Buffer.from(signed(secret, userId));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected) ? userId : undefined;
}
