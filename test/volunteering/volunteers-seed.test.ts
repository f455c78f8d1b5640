import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { seedDemo, DEMO_PASSWORD } from '../../src/seed/demo.js';

let t: TestContext;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t.close(); });

it('gives the demo LIO about 25 varied volunteers placed on the map, and Ella Nowak an active volunteer with a full profile', async () => {
  expect((await seedDemo(t.db, t.config)).created).toBe(true);
  const lio = await t.db.system.selectFrom('lios').select('id').executeTakeFirstOrThrow();
  const volunteers = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('volunteers').select(['status', 'skills', 'latitude', 'emergency_reserve']).execute());
  expect(volunteers.length).toBeGreaterThanOrEqual(25);
  expect(new Set(volunteers.map((v) => v.status))).toEqual(new Set(['new', 'active', 'placed', 'inactive']));
  expect(volunteers.every((v) => v.latitude !== null)).toBe(true);
  expect(new Set(volunteers.flatMap((v) => v.skills)).size).toBeGreaterThan(10);

  const ella = new Client(t.app, 'localhost');
  await ella.signIn('volunteer@riverside.example', DEMO_PASSWORD);
  const mine = await ella.get('/my-volunteering');
  expect(mine.$('h1').text()).toBe('Your volunteering');
  expect(mine.$('[data-testid="status"]').text()).toBe('Active');
  expect(mine.$('[data-testid="completeness"]')).toHaveLength(0);

  const coordinator = new Client(t.app, 'localhost');
  await coordinator.signIn('coordinator@riverside.example', DEMO_PASSWORD);
  const list = await coordinator.get('/volunteering/volunteers?status=new');
  expect(list.$('[data-testid="volunteers-table"] tbody a').length).toBeGreaterThanOrEqual(4);
});
