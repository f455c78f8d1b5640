import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { Client, mainText } from '../helpers/client.js';
import { seedDemo, DEMO_PASSWORD } from '../../src/seed/demo.js';

let t: TestContext;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t.close(); });

it('gives the demo courses with sessions held and to come, a full one with a waiting list, and work on the trainer’s and group member’s home pages', async () => {
  expect((await seedDemo(t.db, t.config)).created).toBe(true);
  const lio = await t.db.system.selectFrom('lios').select('id').executeTakeFirstOrThrow();
  const courses = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('courses').select('title').orderBy('title').execute());
  expect(courses.map((c) => c.title)).toEqual(['Getting your group online', 'Safeguarding for community groups', 'Trustee basics', 'Writing a winning funding bid']);
  const feedback = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('course_feedback').select('id').execute());
  expect(feedback.length).toBeGreaterThan(0);

  const visitor = new Client(t.app, 'localhost');
  expect(mainText(await visitor.get('/'))).toContain('Training and events');
  const listing = await visitor.get('/training');
  expect(listing.$('[data-testid="places"]').map((_i, el) => listing.$(el).text()).get()).toContain('Full: join the waiting list');

  const ben = new Client(t.app, 'localhost');
  await ben.signIn('adviser@riverside.example', DEMO_PASSWORD);
  const home = mainText(await ben.get('/'));
  expect(home).toMatch(/1\s*Registers not yet taken/);
  expect(home).toMatch(/2\s*People on waiting lists/);
  // Held sessions are 20 and 40 days back: in April's first weeks they fall in the previous year.
  expect(home).toMatch(/People trained since 1 April\s*\d+/);
  const group = new Client(t.app, 'localhost');
  await group.signIn('group@riverside.example', DEMO_PASSWORD);
  expect(mainText(await group.get('/'))).toMatch(/[1-9]\d*\s*Places booked on courses coming up/);
});
