import type { Database } from '../platform/db/index.js';
import type { Config } from '../platform/config.js';
import type { Capability } from '../platform/capability.js';
import { DEMO_PASSWORD, DEMO_USERS } from '../accounts/index.js';
import { capabilities as allCapabilities } from '../capabilities.js';
import { PERMISSION_SET_LABELS, ROLE_LABELS } from '../platform/auth/actor.js';

export { DEMO_PASSWORD };

export interface DemoSignIn { role: string; email: string; password: string }

/** A fictional LIO for a newcomer to look around, each capability adding its part. Only ever runs on an empty database. */
export async function seedDemo(db: Database, config: Config, capabilities: readonly Capability[] = allCapabilities()): Promise<{ created: boolean; signIns: DemoSignIn[] }> {
  // Roles in the words the pages use ("LIO staff (Adviser)"), not the codes the database keeps.
  const signIns = DEMO_USERS.map((u) => ({
    role: ROLE_LABELS[u.role] + (u.sets ? ` (${u.sets.map((s) => PERMISSION_SET_LABELS[s]).join(', ')})` : ''), email: u.email, password: DEMO_PASSWORD,
  }));
  const existing = await db.system.selectFrom('lios').select('id').executeTakeFirst();
  if (existing) return { created: false, signIns };
  await db.system.transaction().execute(async (tx) => {
    const lio = await tx.insertInto('lios').values({ slug: 'riverside', name: 'Riverside Community Action', is_default: true, hostnames: ['localhost'] })
      .returning('id').executeTakeFirstOrThrow();
    const now = new Date();
    for (const capability of capabilities) await capability.setUpLio?.(tx, lio, now);
    for (const capability of capabilities) await capability.seedDemo?.(tx, { lio, now, config });
  });
  return { created: true, signIns };
}
