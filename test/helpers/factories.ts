import { randomBytes } from 'node:crypto';
import type { Database } from '../../src/platform/db/index.js';
import type { PermissionSet, Role, UserStatus } from '../../src/platform/db/schema.js';
import type { Lio } from '../../src/platform/tenancy.js';
import { hashPassword, hashSecret } from '../../src/platform/auth/secrets.js';
import { TOKEN_PREFIX } from '../../src/platform/auth/api-tokens.js';
import { TEST_HASHING } from './app.js';

const unique = () => randomBytes(4).toString('hex');
export const TEST_PASSWORD = 'correct horse battery staple';

export interface TestUser { id: string; email: string; password: string; role: Role; lioId: string }

/** Every test makes the rows it needs; nothing depends on the demo seed or on another test. */
export function factories(db: Database) {
  return {
    async lio(overrides: { name?: string; isDefault?: boolean } = {}): Promise<Lio & { host: string }> {
      const id = unique();
      const host = `lio-${id}.test`;
      const row = await db.system.insertInto('lios').values({
        slug: `lio-${id}`, name: overrides.name ?? `Test Community Action ${id}`, hostnames: [host], is_default: overrides.isDefault ?? false,
      }).returning(['id', 'slug', 'name', 'hostnames']).executeTakeFirstOrThrow();
      return { ...row, host };
    },

    async organisation(lio: { id: string }, overrides: { name?: string } = {}) {
      const now = new Date();
      return db.withTenant(lio.id, (tx) => tx.insertInto('organisations').values({ lio_id: lio.id, name: overrides.name ?? `Group ${unique()}`, created_at: now, updated_at: now })
        .returning(['id', 'name']).executeTakeFirstOrThrow());
    },

    async user(lio: { id: string }, overrides: { role?: Role; permissionSets?: PermissionSet[]; email?: string; name?: string; password?: string | null; status?: UserStatus; organisationId?: string } = {}): Promise<TestUser> {
      const role = overrides.role ?? 'staff';
      const password = overrides.password === undefined ? TEST_PASSWORD : overrides.password;
      let organisationId = overrides.organisationId ?? null;
      if (role === 'group_member' && !organisationId) organisationId = (await this.organisation(lio)).id;
      const email = overrides.email ?? `${role}-${unique()}@example.org`;
      const now = new Date();
      const row = await db.withTenant(lio.id, async (tx) => tx.insertInto('users').values({
        lio_id: lio.id, email, display_name: overrides.name ?? `Test ${role} ${unique()}`, role,
        permission_sets: overrides.permissionSets ?? (role === 'staff' ? ['adviser'] : []),
        organisation_id: organisationId, password_hash: password ? await hashPassword(password, TEST_HASHING) : null,
        status: overrides.status ?? 'active', created_at: now, updated_at: now,
      }).returning('id').executeTakeFirstOrThrow());
      return { id: row.id, email, password: password ?? '', role, lioId: lio.id };
    },

    async apiToken(lio: { id: string }, scope: 'read' | 'write' = 'read', overrides: { revoked?: boolean } = {}) {
      const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
      const now = new Date();
      const row = await db.withTenant(lio.id, (tx) => tx.insertInto('api_tokens').values({
        lio_id: lio.id, name: `Token ${unique()}`, scope, token_hash: hashSecret(token), token_hint: token.slice(-4), created_at: now, revoked_at: overrides.revoked ? now : null,
      }).returning('id').executeTakeFirstOrThrow());
      return { id: row.id, token };
    },
  };
}
export type Factories = ReturnType<typeof factories>;
