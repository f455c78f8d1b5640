import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { Client, mainText } from '../helpers/client.js';
import { seedDemo, DEMO_PASSWORD } from '../../src/seed/demo.js';

let t: TestContext;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t.close(); });

it('gives the demo two sent bulletins in the archive, a draft, members that agree with the register, and Riverside Food Bank’s application waiting', async () => {
  expect((await seedDemo(t.db, t.config)).created).toBe(true);
  const lio = await t.db.system.selectFrom('lios').select('id').executeTakeFirstOrThrow();
  const bulletins = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('bulletins').select(['status', 'recipients_count']).orderBy('created_at').execute());
  expect(bulletins.map((b) => b.status)).toEqual(['sent', 'sent', 'draft']);
  expect(bulletins[0]!.recipients_count).toBeGreaterThan(5);

  const visitor = new Client(t.app, 'localhost');
  const archive = await visitor.get('/bulletins');
  expect(archive.$('[data-testid="archive"] li')).toHaveLength(2);
  expect(mainText(await visitor.get('/'))).toContain('Read our bulletins');

  const adviser = new Client(t.app, 'localhost');
  await adviser.signIn('adviser@riverside.example', DEMO_PASSWORD);
  const home = mainText(await adviser.get('/'));
  expect(home).toMatch(/1\s*bulletin drafted, not yet sent/);
  expect(home).toMatch(/1\s*application to join waiting for approval/);
  expect(home).toMatch(/[1-9]\d*\s*memberships? due for renewal in 30 days/);
  expect(mainText(await adviser.get('/support/bulletins'))).toMatch(/Winter bulletin[\s\S]*Sent/);

  // Every organisation the register flags has the membership that says so; the food bank waits, so it is not flagged.
  const flags = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('organisations as o').leftJoin('memberships as m', (j) => j.onRef('m.organisation_id', '=', 'o.id').on('m.status', '<>', 'ended'))
    .select(['o.name', 'o.membership', 'm.status']).where((eb) => eb.or([eb('o.membership', '<>', 'none'), eb('m.status', 'is not', null)])).execute());
  expect(flags.find((f) => f.name === 'Riverside Food Bank')).toMatchObject({ membership: 'none', status: 'pending' });
  for (const f of flags.filter((x) => x.name !== 'Riverside Food Bank')) expect(f.status, f.name).toBe(f.membership === 'lapsed' ? 'lapsed' : 'active');

  const group = new Client(t.app, 'localhost');
  await group.signIn('group@riverside.example', DEMO_PASSWORD);
  expect(mainText(await group.get('/'))).toContain('Your application to join is waiting for approval');
  expect(mainText(await group.get('/our-support/membership'))).toContain('Waiting for approval');
});
