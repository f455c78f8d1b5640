import type { Database } from '../platform/db/index.js';
import type { Capability, FrontDoorSection } from '../platform/capability.js';
import { readFrontDoorWords } from '../platform/front-door.js';

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
    const { words, sections } = await this.deps.db.withTenant(lioId, async (tx) => {
      const shown = await Promise.all(this.sections.map((s) => (s.shownFor ? s.shownFor(tx, lioId) : true)));
      return { words: await readFrontDoorWords(tx, lioId), sections: this.sections.filter((_s, i) => shown[i]) };
    });
    return { welcome: paragraphs(words.welcome), about: paragraphs(words.about), sections };
  }
}
