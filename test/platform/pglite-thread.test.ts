import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { sql } from 'kysely';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { PGliteThread } from '../../src/platform/db/pglite-thread.js';

const embedded = !process.env.DATABASE_URL;

describe.runIf(embedded)('the embedded database in its own thread', () => {
  let t: TestContext;
  beforeAll(async () => { t = await createTestApp(); });
  afterAll(async () => { await t?.close(); });

  it('/healthz answers while a statement of several seconds runs', async () => {
    let finished = false;
    // Seconds of work inside PostgreSQL; in the web process's own thread it would hold every request until done.
    const long = sql`select count(*) from generate_series(1, 2000000) g where md5(g::text) like 'ab%'`.execute(t.db.system).then(() => { finished = true; });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const started = performance.now();
    const health = await t.app.inject({ method: 'GET', url: '/healthz' });
    const took = performance.now() - started;
    expect(health.statusCode).toBe(200);
    expect(finished, `the statement had finished before /healthz answered (it took ${took.toFixed(0)} ms)`).toBe(false);
    await long;
  });

  it('a PostgreSQL error keeps its code and constraint, and the thread goes on answering', async () => {
    const lio = await t.make.lio();
    const failed = await t.db.system.insertInto('lios').values({ id: lio.id, slug: `copy-${lio.slug}`, name: 'Copy', hostnames: [] } as never).execute()
      .then(() => null, (err: unknown) => err as { code?: string; constraint?: string; message: string });
    expect(failed).toMatchObject({ code: '23505', constraint: 'lios_pkey' });
    expect((await sql<{ n: number }>`select 1 + 1 as n`.execute(t.db.system)).rows).toEqual([{ n: 2 }]);
  });

  it('a notification reaches its listener before the committing statement returns', async () => {
    const seen: string[] = [];
    await t.db.listenInProcess!('thread_test', (payload) => seen.push(payload));
    await sql`select pg_notify('thread_test', 'hello')`.execute(t.db.system);
    expect(seen).toEqual(['hello']);
  });

  it('statements after close, or after the thread stopped, fail clearly instead of waiting for ever', async () => {
    const template = inject('pgliteTemplate');
    const pg = await PGliteThread.start(template ? { loadDataDir: new Blob([await readFile(template)]) } : {});
    expect((await pg.query<{ n: number }>('select $1::int as n', [7])).rows).toEqual([{ n: 7 }]);
    const waiting = pg.query('select pg_sleep(30)');
    // The thread dies under a statement (a crash, say): the statement is answered with an error.
    await (pg as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
    await expect(waiting).rejects.toThrow(/thread stopped/);
    await expect(pg.query('select 1')).rejects.toThrow(/thread stopped/);
    await pg.close();
  });
});
