import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { Client, mainText } from '../helpers/client.js';
import { seedDemo, DEMO_PASSWORD } from '../../src/seed/demo.js';

let t: TestContext;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t.close(); });

it('gives the demo LIO referrals in every state, one waiting past the limit on the coordinator’s home page, and the volunteer an enquiry', async () => {
  expect((await seedDemo(t.db, t.config)).created).toBe(true);
  const lio = await t.db.system.selectFrom('lios').select('id').executeTakeFirstOrThrow();
  const statuses = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('referrals').select('status').distinct().execute());
  expect(statuses.map((s) => s.status).sort()).toEqual(['accepted', 'contacted', 'declined', 'ended', 'enquired', 'referred', 'started', 'withdrawn']);

  const coordinator = new Client(t.app, 'localhost');
  await coordinator.signIn('coordinator@riverside.example', DEMO_PASSWORD);
  expect(mainText(await coordinator.get('/'))).toMatch(/1\s*volunteer waiting past the limit/);
  const volunteer = new Client(t.app, 'localhost');
  await volunteer.signIn('volunteer@riverside.example', DEMO_PASSWORD);
  expect(mainText(await volunteer.get('/my-volunteering/enquiries'))).toContain('Community garden volunteer');
  const group = new Client(t.app, 'localhost');
  await group.signIn('group@riverside.example', DEMO_PASSWORD);
  expect(mainText(await group.get('/our-volunteering/referrals'))).toContain('Grace Mensah');
});
