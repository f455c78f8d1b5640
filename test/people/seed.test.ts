import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { seedDemo, DEMO_PASSWORD } from '../../src/seed/demo.js';

let t: TestContext;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t.close(); });

it('gives the demo LIO a person for every demo user, residents with consents, and one likely duplicate pair', async () => {
  expect((await seedDemo(t.db, t.config)).created).toBe(true);
  const lio = await t.db.system.selectFrom('lios').select('id').executeTakeFirstOrThrow();
  const held = await t.db.withTenant(lio.id, async (tx) => ({
    users: await tx.selectFrom('users').innerJoin('people', 'people.id', 'users.person_id').select(['users.display_name', 'people.full_name', 'people.emails', 'users.email']).execute(),
    unlinked: await tx.selectFrom('users').select('id').where('person_id', 'is', null).execute(),
    consents: await tx.selectFrom('consents').select(['person_id', 'withdrawn_at']).execute(),
  }));
  expect(held.unlinked).toEqual([]);
  expect(held.users).toHaveLength(7);
  for (const u of held.users) expect(u).toMatchObject({ full_name: u.display_name, emails: [u.email] });
  expect(new Set(held.consents.map((c) => c.person_id)).size).toBeGreaterThanOrEqual(5);
  expect(held.consents.some((c) => c.withdrawn_at !== null)).toBe(true);

  const admin = new Client(t.app, 'localhost');
  await admin.signIn('admin@riverside.example', DEMO_PASSWORD);
  const page = await admin.get('/people/duplicates');
  const pairs = page.$('[data-testid="duplicate-pairs"] tbody tr').toArray().map((tr) => page.$(tr).find('td').slice(0, 2).toArray().map((td) => page.$(td).text()).sort());
  expect(pairs).toEqual([['Maggie Ellis', 'Margaret Ellis']]);
});
