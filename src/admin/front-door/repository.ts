import type { Queryable } from '../../platform/db/index.js';

export const frontDoorWordsRepository = {
  save: (db: Queryable, lioId: string, words: { welcome: string; about: string }) =>
    db.updateTable('lios').set({ welcome_text: words.welcome, about_text: words.about }).where('id', '=', lioId).execute(),
};
