import type { Database, Queryable } from '../platform/db/index.js';
import type { Capability, FrontDoorSection } from '../platform/capability.js';

/** Limits of the LIO's own words, as the migration (015) checks them. */
export const FRONT_DOOR_LIMITS = { welcome: 600, about: 3000 } as const;

export const frontDoorRepository = {
  words: (db: Queryable, lioId: string) => db.selectFrom('lios').select(['welcome_text', 'about_text']).where('id', '=', lioId).executeTakeFirstOrThrow(),
};

/** Plain text as an admin typed it, in paragraphs split at blank lines; single line breaks stay within a paragraph. */
export function paragraphs(text: string): string[] {
  return text.split(/\n\s*\n/).map((p) => p.trim()).filter(Boolean);
}

/**
 * The public home page: the LIO's own words (set at /admin/front-door) and the places each capability gives it,
 * in their order. A resident comes here to find help or to offer it; signing in is a link in the navigation.
 */
export class FrontDoor {
  readonly sections: FrontDoorSection[];

  constructor(private readonly deps: { db: Database }, capabilities: readonly Capability[]) {
    this.sections = capabilities.flatMap((c) => c.frontDoor ?? []).sort((a, b) => (a.order ?? 50) - (b.order ?? 50));
  }

  async view(lioId: string) {
    const words = await this.deps.db.withTenant(lioId, (tx) => frontDoorRepository.words(tx, lioId));
    return { welcome: paragraphs(words.welcome_text), about: paragraphs(words.about_text), sections: this.sections };
  }
}
