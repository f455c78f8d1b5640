import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { Client, mainText } from '../helpers/client.js';
import { seedDemo, DEMO_PASSWORD } from '../../src/seed/demo.js';

let t: TestContext;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t.close(); });

it('gives the demo adviser cases due today and overdue, new requests to take and a document to read, and the demo group its own request', async () => {
  expect((await seedDemo(t.db, t.config)).created).toBe(true);
  const lio = await t.db.system.selectFrom('lios').select('id').executeTakeFirstOrThrow();
  const cases = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('support_cases').select(['reference', 'status']).orderBy('reference').execute());
  expect(cases.length).toBeGreaterThanOrEqual(8);
  expect(new Set(cases.map((c) => c.status))).toEqual(new Set(['new', 'open', 'waiting_on_group', 'closed']));
  const awards = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('funding_applications').select('status').execute());
  expect(awards.map((a) => a.status)).toEqual(expect.arrayContaining(['awarded', 'declined', 'submitted']));

  const adviser = new Client(t.app, 'localhost');
  await adviser.signIn('adviser@riverside.example', DEMO_PASSWORD);
  const home = mainText(await adviser.get('/'));
  expect(home).toMatch(/[1-9]\d* of your cases due today/);
  expect(home).toMatch(/[1-9]\d* of your cases overdue/);
  expect(home).toMatch(/[1-9]\d* new requests? no one has taken/);
  const list = await adviser.get('/support/cases?adviser=mine&due=overdue');
  expect(list.$('[data-testid="cases"] tbody tr').length).toBeGreaterThan(0);
  const withHealth = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('group_health_checks').select('case_id').executeTakeFirstOrThrow());
  expect((await adviser.get(`/support/cases/${withHealth.case_id}`)).$('[data-testid="health-check"] caption').text()).toContain('change +');

  const bid = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('support_cases').select('id').where('title', '=', 'Bid to the National Lottery Awards for All').executeTakeFirstOrThrow());
  const documents = (await adviser.get(`/support/cases/${bid.id}`)).$('[data-testid="documents"]');
  expect(documents.text()).toContain('Draft outcomes.txt');
  const draft = await adviser.get(documents.find('a:contains("Draft outcomes.txt")').attr('href')!);
  expect([draft.status, draft.headers['content-type'], draft.body.split('\n')[0]]).toEqual([200, 'text/plain', 'Outcomes for the winter warm space']);

  const group = new Client(t.app, 'localhost');
  await group.signIn('group@riverside.example', DEMO_PASSWORD);
  const ours = await group.get('/our-support');
  expect(ours.$('[data-testid="our-cases"] tbody').text()).toContain('Bid to the National Lottery Awards for All');
  expect(mainText(await group.get('/'))).toMatch(/\d+ requests? being worked on/);
});
