import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig, type Config } from '../src/platform/config.js';
import { openDatabase, type Database } from '../src/platform/db/index.js';
import { migrate } from '../src/platform/db/migrate.js';
import { FixedClock } from '../src/platform/clock.js';
import { buildApp, type App } from '../src/app.js';
import { TEST_HASHING } from './helpers/app.js';
import { onPostgres } from './helpers/database.js';
import { Client, errorSummary, formFields, mainText, signedInClient } from './helpers/client.js';
import { factories } from './helpers/factories.js';
import { directoryFactories } from './helpers/directory-factories.js';
import { startReplicatedPostgres, type ReplicatedPostgres } from './helpers/replicated-postgres.js';

/**
 * DATABASE_READ_URL against a real primary and hot standby that this file starts from the PostgreSQL 15 programs:
 * public reads go to the standby, writers read their writes from the primary, and a standby that lags or is down
 * is given up for the primary (and /readyz says so) until it keeps up again.
 */

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

/**
 * Two servers on the same primary and standby: one patient (its bound far beyond this test, so timing on a busy
 * machine cannot turn its standby "lagging" half way), one strict (a second's lag is too much for it).
 */
const PATIENT_LAG_MS = 60_000;
const STRICT_LAG_MS = 1000;

let cluster: ReplicatedPostgres | undefined;
let db: Database;
let strictDb: Database;
let app: App;
let strictApp: App;
let config: Config;

async function waitFor<T>(what: string, probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > until) throw new Error(`waited ${timeoutMs} ms for ${what}; last: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const readyz = async (on: App) => {
  const res = await on.inject({ method: 'GET', url: '/readyz' });
  return { status: res.statusCode, body: res.json() as { status: string; replica?: string } };
};
const replicaIs = (state: string, on: App = app) => waitFor(`/readyz to say the replica is ${state}`, () => readyz(on), (r) => r.body.replica === state);

async function appOn(maxLagMs: number) {
  const serverConfig = loadConfig({ LOG_LEVEL: 'silent' }, {
    databaseUrl: cluster!.primaryUrl,
    readReplica: { url: cluster!.replicaUrl, maxLagMs, checkMs: 100 },
    passwordHashing: TEST_HASHING, signInRateLimit: 1000, worker: { pollMs: 50, enabled: false },
  });
  const serverDb = await openDatabase(serverConfig);
  await migrate(serverDb);
  const server = await buildApp({ config: serverConfig, db: serverDb, clock: new FixedClock(new Date()) });
  await server.ready();
  return { config: serverConfig, db: serverDb, app: server };
}

// The embedded engine has no replicas: on the PGlite run this file says so and skips; the PostgreSQL run starts them.
const title = `a read replica (DATABASE_READ_URL) on a primary and hot standby of its own${onPostgres ? '' : ' — skipped: needs DATABASE_URL (the PostgreSQL run)'}`;
describe.skipIf(!onPostgres)(title, () => {
  beforeAll(async () => {
    cluster = await startReplicatedPostgres();
    ({ config, db, app } = await appOn(PATIENT_LAG_MS));
    ({ db: strictDb, app: strictApp } = await appOn(STRICT_LAG_MS));
  });
  afterAll(async () => {
    for (const server of [app, strictApp]) await server?.close();
    for (const opened of [db, strictDb]) await opened?.close();
    await cluster?.stop();
  });

  it('serves public pages and the ORUK API from the standby; whoever wrote reads the primary; a lagging standby is given up until it catches up', async () => {
    const make = factories(db);
    const d = directoryFactories(db);
    const lio = await make.lio();
    const service = await d.service(lio, { name: 'Riverside Lunch Club', locations: [{ name: 'Riverside Hall', postcode: 'RV1 1AA' }] });
    const servicePage = (client: Client, from: string) => client.get(`/find/services/${service.id}?from=${encodeURIComponent(from)}`);
    const orukName = async (from: string, on: App = app) => (await on.inject({ method: 'GET', url: `/api/oruk/services/${service.id}?x=${from}`, headers: { host: lio.host } })).json<{ name: string }>().name;

    expect((await replicaIs('ok')).status).toBe(200);
    await replicaIs('ok', strictApp);
    // Written on the primary, found on the public search once the standby has replayed it.
    await waitFor('the new service on /find', () => new Client(app, lio.host).get('/find?q=Lunch'), (page) => mainText(page).includes('Riverside Lunch Club'));

    // With replay paused, a change on the primary is not on the standby: a visitor who sees the old name was
    // served by the standby (each address here is asked for the first time, so nothing kept answers it).
    const writer = await signedInClient(app, lio.host, await make.user(lio));
    const form = await writer.get(`/services/${service.id}/edit`);
    await cluster!.pauseReplay();
    const saved = await writer.submit(`/services/${service.id}/edit`, `/services/${service.id}`, { ...formFields(form, 'form[action^="/services/"]'), name: 'Riverside Lunch and Chat' });
    expect(saved.status, errorSummary(saved).map((e) => e.text).join('; ')).toBe(303);
    expect(mainText(await servicePage(new Client(app, lio.host), 'a'))).toContain('Riverside Lunch Club');
    expect(await orukName('a')).toBe('Riverside Lunch Club');

    // The writer sees the change on their next pages, signed in and after signing out (the mark of a recent write).
    expect(mainText(await servicePage(writer, 'b'))).toContain('Riverside Lunch and Chat');
    expect((await writer.submit('/', '/sign-out', {})).status).toBe(303);
    expect(mainText(await servicePage(writer, 'c'))).toContain('Riverside Lunch and Chat');
    expect(mainText(await writer.get('/find?q=Chat'))).toContain('Riverside Lunch and Chat');
    expect(writer.hasCookie('cg_wrote')).toBe(true);
    // ... while everyone else was still being served by the standby.
    expect(mainText(await servicePage(new Client(app, lio.host), 'c'))).toContain('Riverside Lunch Club');
    expect(db.replicaStatus()).toBe('ok');

    // Behind for longer than its bound, the strict server reads the primary for everyone and /readyz says why (still ready).
    expect(await replicaIs('lagging', strictApp)).toEqual({ status: 200, body: { status: 'ready', database: 'postgres', replica: 'lagging' } });
    expect(mainText(await servicePage(new Client(strictApp, lio.host), 'd'))).toContain('Riverside Lunch and Chat');
    expect(await orukName('d', strictApp)).toBe('Riverside Lunch and Chat');

    await cluster!.resumeReplay();
    await replicaIs('ok', strictApp);
    expect(mainText(await servicePage(new Client(app, lio.host), 'e'))).toContain('Riverside Lunch and Chat');
    // The page made from the standby while it was behind was kept under the standby's version, not the
    // primary's newer one, so now that the standby has caught up it is not sent again.
    await waitFor('the standby to replay the change', () => servicePage(new Client(app, lio.host), 'a'), (page) => mainText(page).includes('Riverside Lunch and Chat'), 2000);
    expect(await orukName('a')).toBe('Riverside Lunch and Chat');
  });

  it('falls back to the primary while the standby is down, says so in /readyz, and uses it again once it is back', async () => {
    const make = factories(db);
    const lio = await make.lio();
    const service = await directoryFactories(db).service(lio, { name: 'Northfield Toy Library' });
    const anonymous = new Client(app, lio.host);
    await waitFor('the new service on /find', () => anonymous.get('/find?q=Toy'), (page) => mainText(page).includes('Northfield Toy Library'));

    // A second process that has not checked since the standby stopped: its read fails over to the primary at once.
    const unaware = await openDatabase({ ...config, readReplica: { ...config.readReplica!, checkMs: 60_000 } });
    try {
      expect(unaware.reading().source).toBe('replica');
      await cluster!.stopStandby();
      const name = await unaware.reading().withTenant(lio.id, (tx) => tx.selectFrom('services').select('name').where('id', '=', service.id).executeTakeFirst());
      expect(name).toEqual({ name: 'Northfield Toy Library' });
      expect(unaware.replicaStatus()).toBe('down');
      expect(unaware.reading().source).toBe('primary');
    } finally {
      await unaware.close();
    }

    expect(await replicaIs('down')).toEqual({ status: 200, body: { status: 'ready', database: 'postgres', replica: 'down' } });
    expect(db.reading().source).toBe('primary');
    const page = await anonymous.get('/find?q=Toy&page=1');
    expect(page.status).toBe(200);
    expect(mainText(page)).toContain('Northfield Toy Library');
    expect((await app.inject({ method: 'GET', url: `/api/oruk/services/${service.id}`, headers: { host: lio.host } })).statusCode).toBe(200);

    await cluster!.startStandby();
    await replicaIs('ok');
    expect(db.reading().source).toBe('replica');
    expect(db.reading({ fresh: true }).source).toBe('primary');
    expect(mainText(await anonymous.get('/find?q=Toy&page=1&free=')).toString()).toContain('Northfield Toy Library');
  });
});
