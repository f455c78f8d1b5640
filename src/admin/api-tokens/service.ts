import type { Database } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import type { SignedInUser } from '../../platform/auth/actor.js';
import { authorise } from '../../platform/auth/policy.js';
import { hashSecret, newSecret } from '../../platform/auth/secrets.js';
import { auditActorOf, recordAudit } from '../../platform/audit.js';
import { FormErrors, checkText } from '../../platform/http/forms.js';
import { isUuid } from '../../platform/validation/ids.js';
import { TOKEN_PREFIX, type ApiScope } from '../../platform/auth/api-tokens.js';
import { apiTokensRepository as repo } from './repository.js';

/** Tokens are shown once at creation and stored only as a SHA-256 hash. */
export class ApiTokensService {
  constructor(private readonly deps: { db: Database; clock: Clock }) {}

  async list(actor: SignedInUser | null) {
    authorise(actor, 'api_tokens.manage');
    return this.deps.db.withTenant(actor.lioId, (tx) => repo.list(tx));
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
      const id = await repo.create(tx, { lioId: actor.lioId, name, scope: scope as ApiScope, hash: hashSecret(token), hint: token.slice(-4), createdBy: actor.id, at: now });
      await recordAudit(tx, actor.lioId, auditActorOf(actor), { action: 'api_token.created', subjectType: 'api_token', subjectId: id, detail: { scope } }, now);
    });
    return { errors, token };
  }

  /** False when there is no such working token: an identifier that is not a UUID never reaches the database. */
  async revoke(actor: SignedInUser | null, id: string): Promise<boolean> {
    authorise(actor, 'api_tokens.manage');
    if (!isUuid(id)) return false;
    const now = this.deps.clock.now();
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      if (!(await repo.revoke(tx, id, now))) return false;
      await recordAudit(tx, actor.lioId, auditActorOf(actor), { action: 'api_token.revoked', subjectType: 'api_token', subjectId: id }, now);
      return true;
    });
  }
}
