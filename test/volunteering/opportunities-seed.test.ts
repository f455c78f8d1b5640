import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { seedDemo, DEMO_PASSWORD } from '../../src/seed/demo.js';

let t: TestContext;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t.close(); });

it('gives the demo LIO roles in every state: Riverside Food Bank\'s waiting ones for its member, published ones for the public', async () => {
  expect((await seedDemo(t.db, t.config)).created).toBe(true);
  const lio = await t.db.system.selectFrom('lios').select('id').executeTakeFirstOrThrow();
  const statuses = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('opportunities').select('status').distinct().execute());
  expect(statuses.map((s) => s.status).sort()).toEqual(['closed', 'draft', 'pending', 'published', 'rejected']);

  const group = new Client(t.app, 'localhost');
  await group.signIn('group@riverside.example', DEMO_PASSWORD);
  const own = await group.get('/our-volunteering/roles');
  const rows = own.$('[data-testid="roles-table"] tbody tr').toArray().map((tr) => own.$(tr).text());
  expect(rows.filter((r) => r.includes('Waiting for approval')).length).toBeGreaterThanOrEqual(2);
  expect(rows.every((r) => r.includes('Riverside Food Bank'))).toBe(true);

  const visitor = new Client(t.app, 'localhost');
  const listing = await visitor.get('/opportunities');
  expect(listing.$('[data-testid="results"] h2').length).toBeGreaterThanOrEqual(8);
  expect(listing.body).not.toContain('Summer fun day helper');
});
