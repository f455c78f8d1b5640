import type { Queryable } from '../db/index.js';

export type ApiScope = 'read' | 'write';
export const TOKEN_PREFIX = 'cg_';

/** The lookups the JSON API makes on every call; the admin pages that issue and revoke tokens add their own. */
export const apiTokenLookups = {
  findByHash: (db: Queryable, hash: string) => db.selectFrom('api_tokens').select(['id', 'lio_id', 'scope', 'revoked_at', 'last_used_at']).where('token_hash', '=', hash).executeTakeFirst(),
  touch: (db: Queryable, id: string, now: Date) => db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', id).execute(),
};
