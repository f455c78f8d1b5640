import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { seedDemo, DEMO_PASSWORD } from '../../src/seed/demo.js';

let t: TestContext;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t.close(); });

it('gives the demo LIO a small CVS\'s spend on support for each quarter of the last year and this one, so its admin has none waiting and its adviser sees the quarter\'s figures', async () => {
  expect((await seedDemo(t.db, t.config)).created).toBe(true);
  const lio = await t.db.system.selectFrom('lios').select('id').executeTakeFirstOrThrow();
  const rows = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('support_spend').select(['amount', 'entered_by_user_id']).execute());
  expect(rows).toHaveLength(5);
  for (const r of rows) {
    expect(Number(r.amount)).toBeGreaterThanOrEqual(20_000);
    expect(Number(r.amount)).toBeLessThanOrEqual(40_000);
    expect(r.entered_by_user_id).not.toBeNull();
  }

  const admin = new Client(t.app, 'localhost');
  await admin.signIn('admin@riverside.example', DEMO_PASSWORD);
  const spend = await admin.get('/support/spend');
  expect(spend.$('[data-testid="spend"] tbody tr')).toHaveLength(5);
  expect((await admin.get('/')).$('[data-panel="support-spend"] .cg-count').attr('data-count')).toBe('0');

  const adviser = new Client(t.app, 'localhost');
  await adviser.signIn('adviser@riverside.example', DEMO_PASSWORD);
  const panel = (await adviser.get('/')).$('[data-panel="support-figures"]');
  expect(panel.find('[data-figure="Leverage this quarter"] dd').text().trim()).toMatch(/^(£\d[\d,]*\.\d\d for every £1)$/);
});
