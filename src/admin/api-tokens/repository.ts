import type { Queryable } from '../../platform/db/index.js';
import type { ApiScope } from '../../platform/auth/api-tokens.js';

/** The LIO's API tokens: each kept as a hash of the secret and its last four characters, never the secret itself. */
export const apiTokensRepository = {
  list: (db: Queryable) => db.selectFrom('api_tokens').leftJoin('users', 'users.id', 'api_tokens.created_by')
    .select(['api_tokens.id', 'api_tokens.name', 'api_tokens.scope', 'api_tokens.token_hint', 'api_tokens.created_at', 'api_tokens.last_used_at', 'api_tokens.revoked_at', 'users.display_name as created_by_name'])
    .orderBy('api_tokens.created_at', 'desc').execute(),

  async create(db: Queryable, token: { lioId: string; name: string; scope: ApiScope; hash: string; hint: string; createdBy: string; at: Date }): Promise<string> {
    return (await db.insertInto('api_tokens').values({
      lio_id: token.lioId, name: token.name, scope: token.scope, token_hash: token.hash, token_hint: token.hint, created_by: token.createdBy, created_at: token.at,
    }).returning('id').executeTakeFirstOrThrow()).id;
  },

  /** Whether a token still working was revoked now (false: no such token, or revoked already). */
  async revoke(db: Queryable, id: string, at: Date): Promise<boolean> {
    const result = await db.updateTable('api_tokens').set({ revoked_at: at }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  },
};
