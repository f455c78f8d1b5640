import type { Queryable } from '../platform/db/index.js';
import type { PermissionSet, Role } from '../platform/db/schema.js';

export const DEMO_PASSWORD = 'riverside-demo-2026';

/** The group member keeps this organisation's listing (the directory's demo seed adds it first). */
const DEMO_GROUP = 'Riverside Food Bank';

export const DEMO_USERS: { role: Role; email: string; name: string; sets?: PermissionSet[]; group?: boolean }[] = [
  { role: 'admin', email: 'admin@riverside.example', name: 'Asha Patel' },
  { role: 'staff', email: 'adviser@riverside.example', name: 'Ben Okafor', sets: ['adviser', 'trainer'] },
  { role: 'staff', email: 'coordinator@riverside.example', name: 'Carys Evans', sets: ['volunteer_coordinator', 'helpline'] },
  { role: 'group_member', email: 'group@riverside.example', name: 'Dan Murphy', group: true },
  { role: 'volunteer', email: 'volunteer@riverside.example', name: 'Ella Nowak' },
  { role: 'partner', email: 'partner@riverside.example', name: 'Farah Hussain' },
  { role: 'network', email: 'network@riverside.example', name: 'Gwen Thomas' },
];

/** One demo sign-in per role, all with the same password, hashed once by the caller. */
export async function seedDemoUsers(tx: Queryable, lioId: string, passwordHash: string, now: Date): Promise<void> {
  const group = await tx.selectFrom('organisations').select('id').where('lio_id', '=', lioId).where('name', '=', DEMO_GROUP).executeTakeFirst();
  await tx.insertInto('users').values(DEMO_USERS.map((u) => ({
    lio_id: lioId, email: u.email, display_name: u.name, role: u.role, permission_sets: u.sets ?? [],
    organisation_id: u.group ? group?.id ?? null : null, password_hash: passwordHash, status: 'active' as const, created_at: now, updated_at: now,
  }))).execute();
}
