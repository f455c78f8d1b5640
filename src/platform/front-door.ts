import type { Queryable } from './db/index.js';

/** The LIO's own words on its public home page: a welcome and a few paragraphs about it, plain text, empty until written. */
export interface FrontDoorWords { welcome: string; about: string }

/**
 * Reads the LIO's front-door words (columns of `lios`, the platform's table of tenants). The admin capability writes
 * them at /admin/front-door (src/admin/front-door/); the public home page (src/web/front-door.ts) shows them. Reading
 * here keeps SQL out of web and spares web an import of a capability.
 */
export async function readFrontDoorWords(db: Queryable, lioId: string): Promise<FrontDoorWords> {
  const row = await db.selectFrom('lios').select(['welcome_text', 'about_text']).where('id', '=', lioId).executeTakeFirstOrThrow();
  return { welcome: row.welcome_text, about: row.about_text };
}
