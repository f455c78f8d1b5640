import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, signedInUser, type TestContext } from '../helpers/app.js';
import { directoryFactories } from '../helpers/directory-factories.js';
import { GROUPS_SERVED, THEMES, groupCode, themeCode } from '../../src/directory/organisations/record.js';
import { seedDirectory } from '../../src/directory/seed.js';

/** One vocabulary of themes (and of groups served): codes stored, labels shown, every way in read through it. */

let t: TestContext;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t.close(); });

const setHeld = (lio: { id: string }, id: string, held: { themes: string[]; groups_served: string[] }) =>
  t.db.withTenant(lio.id, (tx) => tx.updateTable('organisations').set(held).where('id', '=', id).execute());
const heldOf = (lio: { id: string }, id: string) =>
  t.db.withTenant(lio.id, (tx) => tx.selectFrom('organisations').select(['themes', 'groups_served']).where('id', '=', id).executeTakeFirstOrThrow());

describe('theme vocabulary', () => {
  it('reads a code, a label in any case or another word as the code, and keeps a value it does not know', () => {
    expect(['food', 'Food', ' FOOD ', 'Poverty and cost of living', 'communities', 'Local history'].map(themeCode))
      .toEqual(['food', 'food', 'food', 'money', 'equalities', 'Local history']);
    expect(['People on low incomes', 'low_income', 'Disabled people', 'Women'].map(groupCode)).toEqual(['low_income', 'low_income', 'disability', 'Women']);
    // Labels are unique, so no label reads as two codes.
    expect(new Set(Object.values(THEMES).map((l) => l.toLowerCase())).size).toBe(Object.keys(THEMES).length);
  });

  it('migration 017 rewrites held themes and groups to codes, once each, keeping unknown values', async () => {
    const lio = await t.make.lio();
    const org = await directoryFactories(t.db).organisation(lio);
    const untouched = await directoryFactories(t.db).organisation(lio);
    await setHeld(lio, org.id, { themes: ['Food', ' food ', 'Advice and information', 'communities', 'Local history'], groups_served: ['People on low incomes', 'low_income', 'Women', 'Disabled people'] });
    const migration = readFileSync(new URL('../../src/platform/migrations/017_one_theme_vocabulary.sql', import.meta.url), 'utf8');
    await sql.raw(migration).execute(t.db.system);
    expect(await heldOf(lio, org.id)).toEqual({ themes: ['food', 'advice', 'equalities', 'Local history'], groups_served: ['low_income', 'Women', 'disability'] });
    expect(await heldOf(lio, untouched.id)).toEqual({ themes: [], groups_served: [] });
  });

  it('filters the register by a theme as labelled or coded, and names each theme once', async () => {
    const lio = await t.make.lio();
    const org = await directoryFactories(t.db).organisation(lio, { name: 'Riverside Pantry' });
    await setHeld(lio, org.id, { themes: ['food'], groups_served: [] });
    const { client } = await signedInUser(t, lio);
    for (const theme of ['Food', 'food']) {
      const page = await client.get(`/organisations?theme=${theme}`);
      expect(page.$('[data-testid="organisations"] tbody a').text().trim(), theme).toBe('Riverside Pantry');
      expect(page.$('#theme option').toArray().map((o) => page.$(o).text())).toEqual(['Any theme', 'Food']);
    }
  });

  it('shows a group its listing form with each theme and group once, however the record held them', async () => {
    const lio = await t.make.lio();
    const org = await directoryFactories(t.db).organisation(lio);
    await setHeld(lio, org.id, { themes: ['Food', 'food'], groups_served: ['People on low incomes'] });
    const { client } = await signedInUser(t, lio, { role: 'group_member', organisationId: org.id });
    const page = await client.get('/my-organisation');
    expect(page.status).toBe(200);
    const labels = (name: string) => page.$(`input[name="${name}"]`).toArray().map((i) => page.$(`label[for="${page.$(i).attr('id')}"]`).text().trim());
    expect(labels('themes').filter((l) => l.toLowerCase() === 'food')).toEqual(['Food']);
    expect(labels('groups_served').filter((l) => l === 'People on low incomes')).toHaveLength(1);
    expect(page.$('input[name="themes"][value="food"]').attr('checked')).toBeDefined();
    expect(page.$('input[name="groups_served"][value="low_income"]').attr('checked')).toBeDefined();
    expect(labels('themes')).toHaveLength(Object.keys(THEMES).length);
    expect(labels('groups_served')).toHaveLength(Object.keys(GROUPS_SERVED).length);
  });

  it('seeds the demo register in the same vocabulary', async () => {
    const lio = await t.make.lio();
    await t.db.system.transaction().execute((tx) => seedDirectory(tx, lio.id, t.clock.now()));
    const held = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('organisations').select(['themes']).execute());
    const themes = new Set(held.flatMap((o) => o.themes));
    expect(themes.size).toBeGreaterThan(5);
    expect([...themes].filter((code) => !Object.hasOwn(THEMES, code))).toEqual([]);
  });
});
