import type { Database, Queryable } from '../platform/db/index.js';
import type { Clock } from '../platform/clock.js';
import type { SignedInUser } from '../platform/auth/actor.js';
import { authorise } from '../platform/auth/policy.js';
import { hashSecret, newSecret } from '../platform/auth/secrets.js';
import { auditActorOf, recordAudit } from '../platform/audit.js';
import { FormErrors, checkText } from '../platform/http/forms.js';

import { TOKEN_PREFIX, type ApiScope } from '../platform/auth/api-tokens.js';

export const apiTokensRepository = {
  list: (db: Queryable) => db.selectFrom('api_tokens').leftJoin('users', 'users.id', 'api_tokens.created_by')
    .select(['api_tokens.id', 'api_tokens.name', 'api_tokens.scope', 'api_tokens.token_hint', 'api_tokens.created_at', 'api_tokens.last_used_at', 'api_tokens.revoked_at', 'users.display_name as created_by_name'])
    .orderBy('api_tokens.created_at', 'desc').execute(),
};

/** Tokens are shown once at creation and stored only as a SHA-256 hash. */
export class ApiTokensService {
  constructor(private readonly deps: { db: Database; clock: Clock }) {}

  async list(actor: SignedInUser | null) {
    authorise(actor, 'api_tokens.manage');
    return this.deps.db.withTenant(actor.lioId, (tx) => apiTokensRepository.list(tx));
  }

  async create(actor: SignedInUser | null, name: string, scope: string): Promise<{ errors: FormErrors; token?: string }> {
    authorise(actor, 'api_tokens.manage');
    const errors = new FormErrors();
    checkText(errors, 'name', name, 'a name for the token', 100);
    if (scope !== 'read' && scope !== 'write') errors.add('scope', 'Select what the token may do');
    if (errors.any) return { errors };
    const token = `${TOKEN_PREFIX}${newSecret()}`;
    const now = this.deps.clock.now();
    await this.deps.db.withTenant(actor.lioId, async (tx) => {
      const row = await tx.insertInto('api_tokens').values({
        lio_id: actor.lioId, name, scope: scope as ApiScope, token_hash: hashSecret(token), token_hint: token.slice(-4), created_by: actor.id, created_at: now,
      }).returning('id').executeTakeFirstOrThrow();
      await recordAudit(tx, actor.lioId, auditActorOf(actor), { action: 'api_token.created', subjectType: 'api_token', subjectId: row.id, detail: { scope } }, now);
    });
    return { errors, token };
  }

  async revoke(actor: SignedInUser | null, id: string): Promise<boolean> {
    authorise(actor, 'api_tokens.manage');
    const now = this.deps.clock.now();
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      const result = await tx.updateTable('api_tokens').set({ revoked_at: now }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) return false;
      await recordAudit(tx, actor.lioId, auditActorOf(actor), { action: 'api_token.revoked', subjectType: 'api_token', subjectId: id }, now);
      return true;
    });
  }
}
