import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import { sql } from 'kysely';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { Client, signedInClient, type Page, resultNames } from '../helpers/client.js';
import { directoryFactories, type DirectoryFactories } from '../helpers/directory-factories.js';
import { OTHER_PROCESSES_SEEN_WITHIN_MS, PublishedCache } from '../../src/directory/published/cache.js';
import { openDatabase } from '../../src/platform/db/index.js';
import { onPostgres } from '../helpers/database.js';

/**
 * Public search pages and Open Referral UK answers are kept and served again: never after the directory
 * under them changed, never with another visitor's CSRF token or CSP nonce, never to a signed-in person.
 */

let t: TestContext;
let d: DirectoryFactories;
beforeAll(async () => {
  t = await createTestApp();
  d = directoryFactories(t.db);
});
afterAll(async () => { await t.close(); });

const scriptNonce = (page: Page) => page.$('script[src^="/assets/find."]').attr('nonce');
const cspNonce = (page: Page) => /script-src[^;]*'nonce-([^']+)'/.exec(String(page.headers['content-security-policy']))?.[1];

describe('the directory version', () => {
  it('moves on with each committed write to the directory, for that LIO only, and not for other work', async () => {
    const versions = await PublishedCache.open(t.db);
    const mine = await t.make.lio();
    const theirs = await t.make.lio();
    const start = { mine: await versions.version(mine.id), theirs: await versions.version(theirs.id) };

    const service = await d.service(mine, { name: 'Lunch Club' });
    const afterCreate = await versions.version(mine.id);
    expect(afterCreate).not.toBe(start.mine);
    expect(await versions.version(theirs.id)).toBe(start.theirs);

    await t.db.withTenant(mine.id, async (tx) => {
      await tx.updateTable('services').set({ name: 'Lunch Club (Tuesdays)' }).where('id', '=', service.id).execute();
      await tx.updateTable('services').set({ description: 'Soup and company.' }).where('id', '=', service.id).execute();
    });
    const afterEdit = await versions.version(mine.id);
    expect(afterEdit).not.toBe(afterCreate);
    // a transaction that is rolled back changes nothing
    await expect(t.db.withTenant(mine.id, async (tx) => {
      await tx.updateTable('services').set({ name: 'Never seen' }).where('id', '=', service.id).execute();
      throw new Error('changed my mind');
    })).rejects.toThrow('changed my mind');
    expect(await versions.version(mine.id)).toBe(afterEdit);

    // a new user is not a directory change
    await t.make.user(mine);
    expect(await versions.version(mine.id)).toBe(afterEdit);

    // platform work without an LIO (a postcode import) may change every LIO's directory
    await d.postcode({ postcode: 'LS6 2AA', latitude: 53.82, longitude: -1.57 });
    expect(await versions.version(mine.id)).not.toBe(afterEdit);
    expect(await versions.version(theirs.id)).not.toBe(start.theirs);
  });

  it('is counted once per transaction in the database, and folding old counts keeps the sum', async () => {
    const lio = await t.make.lio();
    const sum = async () => Number((await sql<{ n: string | null }>`select sum(weight)::text as n from directory_changes where lio_id = ${lio.id}`.execute(t.db.system)).rows[0]?.n ?? 0);
    const seen = [await sum()];
    await t.db.withTenant(lio.id, async (tx) => {
      for (let i = 0; i < 3; i++) await tx.insertInto('taxonomies').values({ lio_id: lio.id, name: `Several ${i}`, created_at: new Date(), updated_at: new Date() }).execute();
    });
    expect(await sum()).toBe(seen[0]! + 1);
    // enough transactions to pass a fold (every 200th change)
    for (let i = 0; i < 210; i++) {
      await t.db.withTenant(lio.id, (tx) => tx.insertInto('taxonomies').values({ lio_id: lio.id, name: `Taxonomy ${i}`, created_at: new Date(), updated_at: new Date() }).execute());
      seen.push(await sum());
    }
    for (let i = 2; i < seen.length; i++) expect(seen[i]! - seen[i - 1]!).toBe(1);
    const rows = await sql<{ n: number }>`select count(*)::int as n from directory_changes where lio_id = ${lio.id}`.execute(t.db.system);
    expect(rows.rows[0]!.n).toBeLessThan(200);
  });
});

describe('on PostgreSQL, where several processes may share the database', () => {
  it.skipIf(!onPostgres)('sees this process’s writes at once, and another process’s within a moment', async () => {
    const versions = await PublishedCache.open(t.db);
    const lio = await t.make.lio();
    const before = await versions.version(lio.id);
    // With nothing done in between, the last read stands.
    expect(await versions.version(lio.id)).toBe(before);
    await d.service(lio, { name: 'Written here' });
    const afterOwn = await versions.version(lio.id);
    expect(afterOwn).not.toBe(before);

    const elsewhere = await openDatabase({ databaseUrl: process.env.DATABASE_URL!, dataDir: '', databaseSchema: t.db.schema, appDbRole: t.db.appRole });
    try {
      await directoryFactories(elsewhere).service(lio, { name: 'Written by another process' });
    } finally {
      await elsewhere.close();
    }
    await new Promise((resolve) => setTimeout(resolve, OTHER_PROCESSES_SEEN_WITHIN_MS + 20));
    expect(await versions.version(lio.id)).not.toBe(afterOwn);
  });

  it.skipIf(!onPostgres)('keeps its last version read while the process only serves public reads, which commit nothing', async () => {
    let versionReads = 0;
    const counted: typeof t.db.readPrepared = (name, text, values) => {
      versionReads += 1;
      return t.db.readPrepared!(name, text, values);
    };
    const versions = new PublishedCache({ ...t.db, readPrepared: counted });
    const lio = await t.make.lio();
    await d.service(lio, { name: 'Read by the public' });
    // the clock stands still, so a slow machine cannot outlast the moment a version read stands for
    vi.useFakeTimers({ toFake: ['Date'] });
    onTestFinished(() => { vi.useRealTimers(); });
    const before = await versions.version(lio.id);
    expect(versionReads).toBe(1);
    // public reads in between (a busy server): the last version read stands
    await t.db.reading().withTenant(lio.id, (tx) => tx.selectFrom('services').select('name').execute());
    expect(await versions.version(lio.id)).toBe(before);
    expect(versionReads).toBe(1);
    // work that may write: read again, and see the write
    await d.service(lio, { name: 'Written after' });
    expect(await versions.version(lio.id)).not.toBe(before);
    expect(versionReads).toBe(2);
  });
});

describe('reading the version', () => {
  it('shares a read among requests, but never one begun before a request arrived', async () => {
    const pending: { lioId: string; resolve: (v: string) => void }[] = [];
    const versions = new PublishedCache(t.db, 1024, (lioId) => new Promise((resolve) => pending.push({ lioId, resolve })));
    const first = versions.version('lio-a');
    expect(pending.length).toBe(1);
    // Arriving while that read is under way: a write may have committed after it began, so they wait for the next.
    const second = versions.version('lio-a');
    const third = versions.version('lio-a');
    const otherLio = versions.version('lio-b');
    expect(pending.map((p) => p.lioId)).toEqual(['lio-a', 'lio-b']);
    pending[0]!.resolve('7');
    expect(await first).toBe('7');
    await new Promise((resolve) => setImmediate(resolve));
    expect(pending.map((p) => p.lioId)).toEqual(['lio-a', 'lio-b', 'lio-a']);
    pending[2]!.resolve('8');
    expect([await second, await third]).toEqual(['8', '8']);
    pending[1]!.resolve('1');
    expect(await otherLio).toBe('1');
    // Nothing under way: a new read.
    const later = versions.version('lio-a');
    expect(pending.length).toBe(4);
    pending[3]!.resolve('9');
    expect(await later).toBe('9');
  });

  it('begins the next read even when the one under way fails', async () => {
    let calls = 0;
    const versions = new PublishedCache(t.db, 1024, async () => {
      calls += 1;
      if (calls === 1) throw new Error('connection lost');
      return '5';
    });
    const failing = versions.version('lio-a');
    const waiting = versions.version('lio-a');
    await expect(failing).rejects.toThrow('connection lost');
    expect(await waiting).toBe('5');
  });
});

describe('kept search pages', () => {
  it('change as soon as a service is published, edited or withdrawn', async () => {
    const lio = await t.make.lio();
    const client = new Client(t.app, lio.host);
    expect(resultNames(await client.get('/find?q=swimming'))).toEqual([]);
    const pool = await d.service(lio, { name: 'Swimming for All' });
    expect(resultNames(await client.get('/find?q=swimming'))).toEqual(['Swimming for All']);
    expect(resultNames(await client.get('/find?q=swimming'))).toEqual(['Swimming for All']);
    await t.db.withTenant(lio.id, (tx) => tx.updateTable('services').set({ name: 'Swimming for Everyone' }).where('id', '=', pool.id).execute());
    expect(resultNames(await client.get('/find?q=swimming'))).toEqual(['Swimming for Everyone']);
    await t.db.withTenant(lio.id, (tx) => tx.updateTable('services').set({ consent_to_publish: false }).where('id', '=', pool.id).execute());
    expect(resultNames(await client.get('/find?q=swimming'))).toEqual([]);
  });

  it('last no longer than the minute: "open now" turns to "closed" on the minute the service closes', async () => {
    const lio = await t.make.lio();
    await d.service(lio, { name: 'Weekday Office', opening: [{ day: 'MO,TU,WE,TH,FR', opens: '09:00', closes: '17:00' }] });
    const client = new Client(t.app, lio.host);
    t.clock.advance(new Date('2026-01-05T16:59:10Z').getTime() - t.clock.now().getTime());
    expect(resultNames(await client.get('/find?open=now'))).toEqual(['Weekday Office']);
    t.clock.advance(40_000);
    expect(resultNames(await client.get('/find?open=now'))).toEqual(['Weekday Office']);
    t.clock.advance(20_000); // 17:00:10
    expect(resultNames(await client.get('/find?open=now'))).toEqual([]);
  });

  it('of a service change as soon as the service does', async () => {
    const lio = await t.make.lio();
    const service = await d.service(lio, { name: 'Men’s Shed', description: 'Woodwork on Wednesdays.' });
    const client = new Client(t.app, lio.host);
    const text = async () => (await client.get(`/find/services/${service.id}?from=q%3Dshed`)).$('main').text();
    expect(await text()).toContain('Woodwork on Wednesdays.');
    expect(await text()).toContain('Woodwork on Wednesdays.');
    await t.db.withTenant(lio.id, (tx) => tx.updateTable('services').set({ description: 'Woodwork and repairs on Wednesdays.' }).where('id', '=', service.id).execute());
    expect(await text()).toContain('Woodwork and repairs on Wednesdays.');
    await t.db.withTenant(lio.id, (tx) => tx.updateTable('services').set({ status: 'defunct' }).where('id', '=', service.id).execute());
    expect((await client.get(`/find/services/${service.id}?from=q%3Dshed`)).status).toBe(404);
  });

  it('carry each visitor’s own CSRF token and script nonce, and the token works', async () => {
    const lio = await t.make.lio();
    await d.service(lio, { name: 'Knit and Natter' });
    const first = new Client(t.app, lio.host);
    const second = new Client(t.app, lio.host);
    const a = await first.get('/find?q=knit');
    const b = await second.get('/find?q=knit');
    expect(resultNames(b)).toEqual(['Knit and Natter']);
    expect(scriptNonce(a)).toBe(cspNonce(a));
    expect(scriptNonce(b)).toBe(cspNonce(b));
    expect(scriptNonce(a)).not.toBe(scriptNonce(b));
    expect(b.body).not.toMatch(/cgnonce|cgcsrf/);
    const token = b.$('form[action="/find/list/items"] input[name="_csrf"]').val() as string;
    expect(token).toBeTruthy();
    expect(token).not.toBe(a.$('form[action="/find/list/items"] input[name="_csrf"]').val());
    const added = await second.postRaw('/find/list/items', {
      _csrf: token, service: b.$('form[action="/find/list/items"] input[name="service"]').val() as string, returnTo: '/find?q=knit',
    });
    expect(added.status).toBe(303);
    // once the visitor holds a list, the page is theirs: the service shows as on their list
    const own = await second.get('/find?q=knit');
    expect(own.$('.cg-on-list').text()).toContain('On your list');
    expect((await first.get('/find?q=knit')).$('.cg-on-list').length).toBe(0);
  });

  it('are not shown to signed-in staff, who get their own page', async () => {
    const lio = await t.make.lio();
    await d.service(lio, { name: 'Tea Dance' });
    const visitor = new Client(t.app, lio.host);
    expect((await visitor.get('/find?q=tea')).$('form[action="/sign-out"]').length).toBe(0);
    const staff = await t.make.user(lio, { role: 'staff' });
    const signedIn = await signedInClient(t.app, lio.host, staff);
    const page = await signedIn.get('/find?q=tea');
    expect(resultNames(page)).toEqual(['Tea Dance']);
    expect(page.$('form[action="/sign-out"]').length).toBe(1);
  });
});

describe('kept Open Referral UK answers', () => {
  it('change as soon as the service does', async () => {
    const lio = await t.make.lio();
    const service = await d.service(lio, { name: 'Benefits Advice' });
    const get = async () => {
      const response = await t.app.inject({ method: 'GET', url: `/api/oruk/services/${service.id}`, headers: { host: lio.host } });
      return { status: response.statusCode, type: response.headers['content-type'], cors: response.headers['access-control-allow-origin'], body: response.json() as { name: string } };
    };
    const first = await get();
    expect(first.body.name).toBe('Benefits Advice');
    const again = await get();
    expect(again).toEqual(first);
    expect(again.type).toContain('application/json');
    expect(again.cors).toBe('*');
    await t.db.withTenant(lio.id, (tx) => tx.updateTable('services').set({ name: 'Benefits and Debt Advice' }).where('id', '=', service.id).execute());
    expect((await get()).body.name).toBe('Benefits and Debt Advice');
    await t.db.withTenant(lio.id, (tx) => tx.updateTable('services').set({ consent_to_publish: false }).where('id', '=', service.id).execute());
    expect((await get()).status).toBe(404);
  });
});
