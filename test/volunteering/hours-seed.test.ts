import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { Client, mainText } from '../helpers/client.js';
import { seedDemo, DEMO_PASSWORD } from '../../src/seed/demo.js';

let t: TestContext;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t.close(); });

it('gives the demo’s placements hours, confirmed and waiting; the group member sees those waiting on the home page, the coordinator the totals, and the demo volunteer her own', async () => {
  expect((await seedDemo(t.db, t.config)).created).toBe(true);
  const lio = await t.db.system.selectFrom('lios').select('id').executeTakeFirstOrThrow();
  const rows = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('volunteer_hours').select(['confirmed_at', 'organisation_id']).execute());
  expect(rows.some((r) => r.confirmed_at)).toBe(true);
  expect(rows.some((r) => !r.confirmed_at)).toBe(true);

  const group = new Client(t.app, 'localhost');
  await group.signIn('group@riverside.example', DEMO_PASSWORD);
  expect(mainText(await group.get('/'))).toMatch(/[1-9]\d*\s*Entries of hours waiting for you to confirm/);
  const coordinator = new Client(t.app, 'localhost');
  await coordinator.signIn('coordinator@riverside.example', DEMO_PASSWORD);
  const from = new Date(Date.now() - 60 * 86_400_000).toISOString().slice(0, 10);
  expect(mainText(await coordinator.get(`/volunteering/hours?from=${from}`))).toContain('Grace Adeyemi');
  // The last week has a placement started and confirmed hours: the month's figures are not all nought from its first days.
  const weekAgo = new Date(Date.now() - 7 * 86_400_000).toISOString().slice(0, 10);
  const figures = mainText(await coordinator.get(`/volunteering/figures?from=${weekAgo}`));
  expect(figures).toMatch(/Placements \(started\)\s*[1-9]/);
  expect(figures).toMatch(/Hours given \(confirmed\)\s*[1-9]/);

  // The demo volunteer, accepted at the food bank three weeks ago, has hours of her own, and her home page counts what is under way.
  const volunteer = new Client(t.app, 'localhost');
  await volunteer.signIn('volunteer@riverside.example', DEMO_PASSWORD);
  const hours = await volunteer.get('/my-volunteering/hours');
  expect(mainText(hours)).toMatch(/Confirmed so far: [1-9]/);
  expect(mainText(hours)).toContain('Food bank warehouse helper');
  expect(mainText(await volunteer.get('/'))).toMatch(/2\s*enquiries in progress[\s\S]*1\s*entry of your hours waiting to be confirmed/);
});
