import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { signedInClient } from '../helpers/client.js';
import { bulletinsFactories, type BulletinsFactories } from '../helpers/bulletins-factories.js';
import { sendBulletin } from '../../src/support/bulletins/jobs.js';

// Its own file: what is counted is the recipients table of this file's database, which no other file's bulletins touch.
let t: TestContext;
let b: BulletinsFactories;
beforeAll(async () => { t = await createTestApp(); b = bulletinsFactories(t.db); });
afterAll(async () => { await t?.close(); });

const held = { deliver: async () => 'held' as const, close: () => {} };
const send = (lioId: string, id: string) => sendBulletin({ db: t.db, clock: t.clock, config: t.config, mailer: held }, lioId, id);

/** A bulletin to `groups` groups of a new LIO, queued by an adviser as the send button does. */
async function queued(groups: number) {
  const lio = await t.make.lio();
  for (let i = 0; i < groups; i++) await b.group(lio, { email: `g${i}@group.example` });
  const adviser = await signedInClient(t.app, lio.host, await t.make.user(lio, { role: 'staff', permissionSets: ['adviser'] }));
  const saved = await adviser.submit('/support/bulletins/new', '/support/bulletins', { subject: 'Statistics', introduction: 'Hello.', segment: 'all_groups' });
  const id = /([0-9a-f-]{36})$/.exec(saved.location ?? '')![1]!;
  expect((await adviser.submit(`/support/bulletins/${id}`, `/support/bulletins/${id}/send`, {})).status).toBe(303);
  return { lioId: lio.id, id };
}

/** How many times the recipients table has been analysed, and the rows its statistics count. */
async function analysed() {
  const row = await sql<{ times: string; counted: number }>`select coalesce(s.analyze_count, 0) as times, c.reltuples::float8 as counted
    from pg_class c left join pg_stat_user_tables s on s.relid = c.oid where c.oid = 'bulletin_recipients'::regclass`.execute(t.db.system);
  return { times: Number(row.rows[0]!.times), counted: row.rows[0]!.counted };
}

describe('the planner’s statistics of a bulletin’s recipients', () => {
  it('are brought up to date before a bulletin that outgrows them is sent, and not again when its sender resumes, nor for a small one', async () => {
    const first = await queued(60);
    const before = await analysed();
    expect(before.counted).toBeLessThan(60);
    expect(await send(first.lioId, first.id)).toBe('sent');
    const after = await analysed();
    expect(after.times).toBe(before.times + 1);
    expect(after.counted).toBe(60);

    // A second one as big, whose sender analysed the table and then stopped: the one that takes over does not again.
    const resumed = await queued(80);
    await sql`analyze bulletin_recipients`.execute(t.db.system);
    // (analyze_count counts analyses asked for, never autovacuum's, which may come at any time on PostgreSQL)
    const known = (await analysed()).times;
    expect(await send(resumed.lioId, resumed.id)).toBe('sent');
    expect((await analysed()).times).toBe(known);

    // Three more beside the 140 counted change no plan.
    const small = await queued(3);
    expect(await send(small.lioId, small.id)).toBe('sent');
    expect((await analysed()).times).toBe(known);
  });
});
