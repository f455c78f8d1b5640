import type { Queryable } from '../../platform/db/index.js';
import type { FrontDoorWords } from '../../platform/front-door.js';

/** Limits of the LIO's own words, as the migration (015) checks them. */
export const FRONT_DOOR_LIMITS = { welcome: 600, about: 3000 } as const;

/** The LIO's front-door words are written here; they are read with platform's readFrontDoorWords, as the public home page reads them. */
export const frontDoorWordsRepository = {
  save: (db: Queryable, lioId: string, words: FrontDoorWords) =>
    db.updateTable('lios').set({ welcome_text: words.welcome, about_text: words.about }).where('id', '=', lioId).execute(),
};
