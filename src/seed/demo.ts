import type { Database } from '../platform/db/index.js';
import type { Config } from '../platform/config.js';
import type { Capability } from '../platform/capability.js';
import { DEMO_PASSWORD, DEMO_USERS } from '../accounts/index.js';
import { capabilities as allCapabilities } from '../capabilities.js';

export { DEMO_PASSWORD };

export interface DemoSignIn { role: string; email: string; password: string }

/** A fictional LIO for a newcomer to look around, each capability adding its part. Only ever runs on an empty database. */
export async function seedDemo(db: Database, config: Config, capabilities: readonly Capability[] = allCapabilities()): Promise<{ created: boolean; signIns: DemoSignIn[] }> {
  const signIns = DEMO_USERS.map((u) => ({ role: u.role + (u.sets ? ` (${u.sets.join(', ')})` : ''), email: u.email, password: DEMO_PASSWORD }));
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
