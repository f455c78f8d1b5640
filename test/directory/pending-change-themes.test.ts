import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../helpers/database.js';
import { factories } from '../helpers/factories.js';
import { directoryFactories } from '../helpers/directory-factories.js';
import { migrate } from '../../src/platform/db/migrate.js';
import type { Database } from '../../src/platform/db/index.js';

/**
 * Migration 017 rewrote the themes and groups organisations hold to the codes of one vocabulary, but not the changes
 * groups had proposed and staff had not yet reviewed: approving one would have written the old labels back. 021
 * rewrites those, and leaves reviewed changes (history) as they were.
 */
describe('migration 021 on changes waiting for review', () => {
  let db: Database;
  let dispose: () => Promise<void>;
  beforeAll(async () => { ({ db, dispose } = await createTestDatabase({ migrateUntil: '020' })); });
  afterAll(async () => { await dispose?.(); });

  it('rewrites the themes and groups of pending changes to codes, drops a field that is then no change, and keeps reviewed ones', async () => {
    const lio = await factories(db).lio();
    const organisation = await directoryFactories(db).organisation(lio);
    const insert = (status: 'pending' | 'approved', changes: object) => db.withTenant(lio.id, async (tx) => {
      const row = await tx.insertInto('listing_changes').values({ lio_id: lio.id, organisation_id: organisation.id, changes: JSON.stringify(changes) }).returning('id').executeTakeFirstOrThrow();
      if (status !== 'pending') await tx.updateTable('listing_changes').set({ status, reviewed_at: new Date() }).where('id', '=', row.id).execute();
      return row;
    });
    const proposed = await insert('pending', {
      themes: { from: ['Food'], to: ['Food', 'Advice and information', 'communities', 'Local history'] },
      groups_served: { from: ['People on low incomes'], to: ['low_income', 'Disabled people', 'Women'] },
      name: { from: 'Old name', to: 'New name' },
    });
    const sameOnceCoded = await insert('pending', { themes: { from: ['food'], to: ['Food'] }, description: { from: 'a', to: 'b' } });
    const reviewed = await insert('approved', { themes: { from: [], to: ['Food'] } });

    await migrate(db);
    const changesOf = async (id: string) => (await db.withTenant(lio.id, (tx) => tx.selectFrom('listing_changes').select('changes').where('id', '=', id).executeTakeFirstOrThrow())).changes;
    expect(await changesOf(proposed.id)).toEqual({
      themes: { from: ['food'], to: ['food', 'advice', 'equalities', 'Local history'] },
      groups_served: { from: ['low_income'], to: ['low_income', 'disability', 'Women'] },
      name: { from: 'Old name', to: 'New name' },
    });
    expect(await changesOf(sameOnceCoded.id)).toEqual({ description: { from: 'a', to: 'b' } });
    expect(await changesOf(reviewed.id)).toEqual({ themes: { from: [], to: ['Food'] } });
  });
});
