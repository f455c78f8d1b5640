import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { Client, mainText } from '../helpers/client.js';
import { seedDemo, DEMO_PASSWORD } from '../../src/seed/demo.js';

let t: TestContext;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t.close(); });

it('gives the demo funding that fits its group, some closing soon, and grants data with local funders and register recipients', async () => {
  expect((await seedDemo(t.db, t.config)).created).toBe(true);
  const group = new Client(t.app, 'localhost');
  await group.signIn('group@riverside.example', DEMO_PASSWORD);
  expect(mainText(await group.get('/'))).toMatch(/[1-9]\d*\s*open opportunities fit your group\s*[1-9]\d*\s*of them close/);
  const funding = await group.get('/our-support/funding');
  expect(funding.$('[data-testid="eligible"] [data-testid="why"]').first().text()).toMatch(/^Works on .*, like you/);

  const adviser = new Client(t.app, 'localhost');
  await adviser.signIn('adviser@riverside.example', DEMO_PASSWORD);
  expect(mainText(await adviser.get('/'))).toMatch(/[1-9]\d*\s*opportunities close in the next 14 days/);
  const funders = await adviser.get('/support/grants');
  expect(funders.$('[data-testid="funders"] tbody tr').length).toBeGreaterThanOrEqual(4);
  expect(funders.$('[data-testid="funders"] tbody tr').first().text()).toContain('Riverside Community Foundation');
  const lio = await t.db.system.selectFrom('lios').select('id').executeTakeFirstOrThrow();
  const matched = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('grants').select((eb) => eb.fn.countAll<string>().as('n')).where('organisation_id', 'is not', null).executeTakeFirstOrThrow());
  expect(Number(matched.n)).toBeGreaterThan(150);
  expect((await adviser.get('/support/grants/never-funded')).$('[data-testid="never-funded"] tbody tr').length).toBeGreaterThan(0);
});
