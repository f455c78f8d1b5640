import type { Database } from '../platform/db/index.js';
import type { Config } from '../platform/config.js';
import type { PermissionSet, Role } from '../platform/db/schema.js';
import { hashPassword } from '../platform/auth/secrets.js';
import { seedDirectory } from './directory.js';

export const DEMO_PASSWORD = 'riverside-demo-2026';

export interface DemoSignIn { role: string; email: string; password: string }

const DEMO_ORGANISATIONS = [
  'Riverside Food Bank', 'Northgate Mutual Aid', 'St Anne’s Lunch Club', 'Riverside Carers Network', 'Hillside Youth Project',
  'Weavers Community Garden', 'Riverside Mind', 'Eastfield Tenants and Residents Association', 'Open Door Refugee Welcome', 'Canalside Men’s Shed',
];

const DEMO_USERS: { role: Role; email: string; name: string; sets?: PermissionSet[]; org?: boolean }[] = [
  { role: 'admin', email: 'admin@riverside.example', name: 'Asha Patel' },
  { role: 'staff', email: 'adviser@riverside.example', name: 'Ben Okafor', sets: ['adviser'] },
  { role: 'staff', email: 'coordinator@riverside.example', name: 'Carys Evans', sets: ['volunteer_coordinator', 'helpline'] },
  { role: 'group_member', email: 'group@riverside.example', name: 'Dan Murphy', org: true },
  { role: 'volunteer', email: 'volunteer@riverside.example', name: 'Ella Nowak' },
  { role: 'partner', email: 'partner@riverside.example', name: 'Farah Hussain' },
  { role: 'network', email: 'network@riverside.example', name: 'Gwen Thomas' },
];

/** A fictional LIO for a newcomer to look around. Only ever runs on an empty database. */
export async function seedDemo(db: Database, config: Config): Promise<{ created: boolean; signIns: DemoSignIn[] }> {
  const signIns = DEMO_USERS.map((u) => ({ role: u.role + (u.sets ? ` (${u.sets.join(', ')})` : ''), email: u.email, password: DEMO_PASSWORD }));
  const existing = await db.system.selectFrom('lios').select('id').executeTakeFirst();
  if (existing) return { created: false, signIns };
  const hash = await hashPassword(DEMO_PASSWORD, config.passwordHashing);
  await db.system.transaction().execute(async (tx) => {
    const lio = await tx.insertInto('lios').values({ slug: 'riverside', name: 'Riverside Community Action', is_default: true, hostnames: ['localhost'] })
      .returning('id').executeTakeFirstOrThrow();
    const now = new Date();
    const orgs = await tx.insertInto('organisations').values(DEMO_ORGANISATIONS.map((name) => ({ lio_id: lio.id, name, created_at: now, updated_at: now })))
      .returning(['id', 'name']).execute();
    await tx.insertInto('users').values(DEMO_USERS.map((u) => ({
      lio_id: lio.id, email: u.email, display_name: u.name, role: u.role, permission_sets: u.sets ?? [],
      organisation_id: u.org ? orgs[0]!.id : null, password_hash: hash, status: 'active' as const, created_at: now, updated_at: now,
    }))).execute();
    await seedDirectory(tx, lio.id, now);
  });
  return { created: true, signIns };
}
