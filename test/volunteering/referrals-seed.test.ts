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

  // One set of volunteers (the volunteers seed's 24 and Ella Nowak), whose status agrees with their referrals.
  const volunteers = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('volunteers as v').select(['v.id', 'v.status', 'v.emergency_reserve'])
    .select((eb) => eb.selectFrom('referrals as r').select((r) => r.fn.agg<string[]>('array_agg', ['r.status']).as('s')).whereRef('r.volunteer_id', '=', 'v.id').as('referrals'))
    .select((eb) => eb.exists(eb.selectFrom('vetting_checks as c').select('c.id').whereRef('c.volunteer_id', '=', 'v.id')).as('vetted')).execute());
  expect(volunteers).toHaveLength(25);
  for (const v of volunteers) expect(v.status === 'placed', v.id).toBe(Boolean(v.referrals?.includes('started')));
  expect(volunteers.filter((v) => v.referrals?.includes('ended')).map((v) => v.status)).toEqual(['inactive']);
  expect(volunteers.filter((v) => v.referrals?.some((s) => s !== 'ended')).every((v) => v.status !== 'inactive' && v.status !== 'new')).toBe(true);
  expect(volunteers.filter((v) => v.vetted && v.emergency_reserve).length).toBeGreaterThanOrEqual(4);

  const coordinator = new Client(t.app, 'localhost');
  await coordinator.signIn('coordinator@riverside.example', DEMO_PASSWORD);
  expect(mainText(await coordinator.get('/'))).toMatch(/1\s*volunteer waiting past the limit/);
  const volunteer = new Client(t.app, 'localhost');
  await volunteer.signIn('volunteer@riverside.example', DEMO_PASSWORD);
  expect(mainText(await volunteer.get('/my-volunteering/enquiries'))).toContain('Community garden volunteer');
  const group = new Client(t.app, 'localhost');
  await group.signIn('group@riverside.example', DEMO_PASSWORD);
  expect(mainText(await group.get('/our-volunteering/referrals'))).toContain('Tomasz Kowalski');
});
