import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { Client, errorSummary } from '../helpers/client.js';
import { buildTestAppOn, createPersistentStore, type PersistentStore } from '../helpers/store.js';
import { runCli } from '../helpers/cli.js';
import type { Database } from '../../src/platform/db/index.js';

const OPERATOR_KEY = 'operator-key-for-tests-0123456789abcdef';

/** What a new LIO has: its row, its taxonomy (the directory's setUpLio), its invited admin and the e-mail to them. */
async function whatWasAdded(db: Database, slug: string) {
  const lio = await db.system.selectFrom('lios').selectAll().where('slug', '=', slug).executeTakeFirst();
  if (!lio) return null;
  return db.withTenant(lio.id, async (tx) => ({
    lio,
    taxonomies: (await tx.selectFrom('taxonomies').select('id').execute()).length,
    users: await tx.selectFrom('users').select(['email', 'role', 'status', 'password_hash']).execute(),
    emails: await tx.selectFrom('email_messages').select(['to_address', 'body_text']).execute(),
    audit: (await tx.selectFrom('audit_events').select('action').orderBy('id').execute()).map((a) => a.action),
  }));
}

describe('adding an LIO on the operator page', () => {
  let t: TestContext;
  let home: Awaited<ReturnType<TestContext['make']['lio']>>;
  const form = (fields: Record<string, string>) => ({
    name: 'Riverside CVS', slug: `riverside-${Math.random().toString(36).slice(2, 8)}`, hostnames: '', adminName: 'Rita Rivers', adminEmail: 'rita@riverside.example.org', operatorKey: OPERATOR_KEY, ...fields,
  });
  beforeAll(async () => {
    t = await createTestApp({ env: { OPERATOR_KEY, BASE_URL: 'https://commonground.example.net' } });
    home = await t.make.lio({ name: 'Home Community Action' });
  });
  afterAll(async () => { await t.close(); });

  it('adds the LIO with its host names, prepares it, and invites its first admin by a link on its own address', async () => {
    const client = new Client(t.app, home.host);
    expect((await client.get('/operator/lios/new')).status).toBe(200);
    const fields = form({ hostnames: 'Riverside.Example.org\nwww.riverside.example.org' });
    const page = await client.submit('/operator/lios/new', '/operator/lios', fields);
    expect(page.status).toBe(200);
    expect(page.$('h1').text()).toContain('Riverside CVS is added');

    const added = await whatWasAdded(t.db, fields.slug);
    expect(added?.lio).toMatchObject({ name: 'Riverside CVS', hostnames: ['riverside.example.org', 'www.riverside.example.org'], is_default: false });
    expect(added!.taxonomies).toBeGreaterThan(0);
    expect(added!.users).toEqual([{ email: 'rita@riverside.example.org', role: 'admin', status: 'invited', password_hash: null }]);
    expect(added!.emails).toHaveLength(1);
    const link = /https:\/\/riverside\.example\.org\/accept-invite\/\S+/.exec(added!.emails[0]!.body_text)?.[0];
    expect(link).toBeDefined();
    expect(page.$('[data-testid="invite-link"]').text()).toBe(link);
    expect(added!.audit).toEqual(['lio.created', 'user.invited']);

    // The new LIO answers on its host names at once, and its admin chooses a password there.
    const onNew = new Client(t.app, 'riverside.example.org');
    expect((await onNew.get('/')).$('main h1').text()).toBe('Riverside CVS');
    const path = new URL(link!).pathname;
    const accepted = await onNew.submit(path, path, { password: 'a brand new password', confirmPassword: 'a brand new password' });
    expect(accepted.status).toBe(303);
    await onNew.signIn('rita@riverside.example.org', 'a brand new password');
  });

  it('refuses a wrong or missing operator key, to anyone, an LIO admin signed in included, and adds nothing', async () => {
    const admin = await t.make.user(home, { role: 'admin' });
    const client = new Client(t.app, home.host);
    await client.signIn(admin.email, admin.password);
    for (const operatorKey of ['', 'not the key', OPERATOR_KEY.slice(0, -1)]) {
      const fields = form({ hostnames: 'refused.example.org', operatorKey });
      const page = await client.submit('/operator/lios/new', '/operator/lios', fields);
      expect(page.status).toBe(400);
      expect(errorSummary(page)).toEqual([{ href: '#operatorKey', text: 'Enter the operator key this deployment was set up with' }]);
      expect(await whatWasAdded(t.db, fields.slug)).toBeNull();
    }
  });

  it('names each field that is wrong, and a slug or host name another LIO already has', async () => {
    const client = new Client(t.app, home.host);
    const bad = await client.submit('/operator/lios/new', '/operator/lios', form({ slug: 'Not A Slug', name: '', hostnames: 'good.example.org https://bad.example.org:8080', adminEmail: 'nobody' }));
    expect(bad.status).toBe(400);
    expect(errorSummary(bad).map((e) => e.href)).toEqual(['#name', '#slug', '#hostnames', '#adminEmail']);
    expect(errorSummary(bad)[2]!.text).toContain('https://bad.example.org:8080 is not a host name');
    expect(bad.$('#hostnames').val()).toBe('good.example.org https://bad.example.org:8080');

    const taken = await client.submit('/operator/lios/new', '/operator/lios', form({ slug: home.slug, hostnames: `fresh.example.org ${home.host.toUpperCase()}` }));
    expect(taken.status).toBe(400);
    expect(errorSummary(taken)).toEqual([
      { href: '#slug', text: `There is already an LIO with the short name ${home.slug}` },
      { href: '#hostnames', text: `${home.host} is already the address of Home Community Action` },
    ]);
    expect(await t.db.system.selectFrom('lios').select('id').where((eb) => eb(eb.val('fresh.example.org'), '=', eb.fn.any('hostnames'))).execute()).toEqual([]);
  });

  it('is not there when the configuration names no operator key', async () => {
    const { app } = await buildTestAppOn(t.db, { config: { operatorKey: null } });
    try {
      const client = new Client(app, home.host);
      expect((await client.get('/operator/lios/new')).status).toBe(404);
      // with a good CSRF token (from another page's form), so that it is the route that is missing
      expect((await client.submit('/sign-in', '/operator/lios', form({ hostnames: 'closed.example.org' }))).status).toBe(404);
    } finally {
      await app.close();
    }
  });
});

// A real process, opening the database as the command line does.
describe('commonground create-lio', () => {
  vi.setConfig({ testTimeout: 240_000, hookTimeout: 240_000 });
  let store: PersistentStore;
  beforeAll(async () => { store = await createPersistentStore(); });
  afterAll(async () => { await store.dispose(); });

  it('adds an LIO and shows the invitation link; a second with the same host name is refused naming it', async () => {
    const args = ['create-lio', '--slug', 'northside', '--name', 'Northside Community Action', '--host', 'northside.example.org', '--host', 'cvs.northside.example.org',
      '--admin-email', 'nell@northside.example.org', '--admin-name', 'Nell North'];
    const created = await runCli(args, store.env);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(created.stdout).toContain('LIO Northside Community Action (northside) added, answering on northside.example.org, cvs.northside.example.org.');
    expect(created.stdout).toMatch(/http:\/\/northside\.example\.org:3000\/accept-invite\/\S+/);

    const again = await runCli(['create-lio', '--slug', 'eastside', '--name', 'Eastside CVS', '--host', 'NorthSide.example.org', '--admin-email', 'eve@eastside.example.org', '--admin-name', 'Eve East'], store.env);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('--host: northside.example.org is already the address of Northside Community Action');

    const db = await store.open();
    try {
      const added = await whatWasAdded(db, 'northside');
      expect(added?.lio.hostnames).toEqual(['northside.example.org', 'cvs.northside.example.org']);
      expect(added!.taxonomies).toBeGreaterThan(0);
      expect(added!.users).toMatchObject([{ email: 'nell@northside.example.org', role: 'admin', status: 'invited' }]);
      expect(added!.emails).toHaveLength(1);
      expect(await whatWasAdded(db, 'eastside')).toBeNull();
    } finally {
      await db.close();
    }
  });
});
