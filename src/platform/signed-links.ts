import { createHmac, timingSafeEqual } from 'node:crypto';
import { isUuid } from './validation/ids.js';

/**
 * What each kind of link we e-mail is signed for. A signature is made over `purpose:value`, so one kind's signature
 * never passes for another's, and every purpose stands here, where two alike would be seen. The funding digests' stop
 * link took the bulletins' purpose as its prefix when it was first made; it keeps it, or the links in digests already
 * sent would stop working.
 */
export const LINK_PURPOSES = {
  bulletinUnsubscribe: 'bulletin-unsubscribe',
  bulletinOpened: 'bulletin-open',
  fundingDigestStop: 'bulletin-unsubscribe:funding-digest-stop',
} as const;
export type LinkPurpose = (typeof LINK_PURPOSES)[keyof typeof LINK_PURPOSES];

/**
 * The keyed hash of a link's value for one purpose. Stored in place of a link's random token, it cannot be turned back
 * into a working link by whoever reads a copy of the table; kept in a link, it proves we made the link.
 */
export const keyedHash = (secret: string, purpose: LinkPurpose, value: string, encoding: 'hex' | 'base64url' = 'hex'): string =>
  createHmac('sha256', secret).update(`${purpose}:${value}`).digest(encoding);

/** Whether a signature given in a link is the expected one: compared in constant time, so it cannot be guessed a character at a time. */
export function sameSignature(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Links that carry a record's id and its signature (`id.signature`), so nothing need be stored to know them again.
 * `length` characters of the signature are kept: 32 hex characters (128 bits) are proof enough, and keep the link under
 * the router's 100-character limit on a path's part.
 */
export function signedIds(secret: string, purpose: LinkPurpose, length = 32) {
  const signature = (id: string) => keyedHash(secret, purpose, id).slice(0, length);
  return {
    token: (id: string): string => `${id}.${signature(id)}`,
    /** The id a token is for, when it is whole and signed by us; undefined for a forged or broken one. */
    idOf(token: string): string | undefined {
      const [id = '', given = ''] = token.split('.');
      return isUuid(id) && sameSignature(given, signature(id)) ? id : undefined;
    },
  };
}
