import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestApp, type TestContext } from './helpers/app.js';
import { Client } from './helpers/client.js';
import { onPostgres } from './helpers/database.js';
import { LioResolver } from '../src/platform/tenancy.js';

/** Row-level security refuses the write: "new row violates row-level security policy". */
const RLS_REFUSAL = /row-level security/i;

describe('several LIOs in one deployment', () => {
  let t: TestContext;
  beforeAll(async () => { t = await createTestApp(); });
  afterAll(async () => { await t.close(); });

  async function twoLios() {
    const a = await t.make.lio({ name: 'Alpha Community Action' });
    const b = await t.make.lio({ name: 'Beta CVS' });
    const adminA = await t.make.user(a, { role: 'admin', name: 'Alice of Alpha' });
    const adminB = await t.make.user(b, { role: 'admin', name: 'Bob of Beta' });
    const staffB = await t.make.user(b, { role: 'staff', name: 'Bea Beta Staff' });
    return { a, b, adminA, adminB, staffB };
  }

  it('answers each request as the LIO of its hostname', async () => {
    const { a, b } = await twoLios();
    expect((await new Client(t.app, a.host).get('/')).$('main h1').text()).toBe('Alpha Community Action');
    expect((await new Client(t.app, b.host).get('/')).$('main h1').text()).toBe('Beta CVS');
    expect((await new Client(t.app, a.host.toUpperCase()).get('/')).$('main h1').text()).toBe('Alpha Community Action');
  });

  it('refuses an address that belongs to no LIO (there is no default here), and does not hoard made-up names', async () => {
    const page = await new Client(t.app, 'unknown.example').get('/');
    expect(page.status).toBe(404);
    expect(page.body).toContain('No Local Infrastructure Organisation is set up for this address');
    for (let i = 0; i < LioResolver.MAX_CACHED + 50; i++) await t.app.lios.forHostname(`made-up-${i}.example`);
    expect(t.app.lios.cachedHostnames).toBeLessThanOrEqual(LioResolver.MAX_CACHED);
  });

  it('does not let a user of LIO A sign in on LIO B\'s address, with the usual answer', async () => {
    const { a, b, adminA } = await twoLios();
    const onB = new Client(t.app, b.host);
    const page = await onB.submit('/sign-in', '/sign-in', { email: adminA.email, password: adminA.password });
    expect(page.status).toBe(400);
    expect(page.$('.govuk-error-summary').text()).toContain('Enter a correct email address and password');
    expect(onB.hasCookie('cg_session')).toBe(false);
    // The failure is LIO B's to know about, and names no one of LIO A.
    const failed = await t.db.withTenant(b.id, (tx) => tx.selectFrom('audit_events').selectAll().where('action', '=', 'sign_in.failed').execute());
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ actor_user_id: null, actor_label: 'anonymous' });
    // Failures on B do not count towards a lockout on A.
    for (let i = 0; i < 6; i++) await onB.submit('/sign-in', '/sign-in', { email: adminA.email, password: adminA.password });
    await new Client(t.app, a.host).signIn(adminA.email, adminA.password);
  });

  it('does not carry a session from LIO A to LIO B', async () => {
    const { a, b, adminA } = await twoLios();
    const onA = new Client(t.app, a.host);
    await onA.signIn(adminA.email, adminA.password);
    const cookie = onA.cookie('cg_session')!;
    const replayed = await t.app.inject({ method: 'GET', url: '/admin/users', headers: { host: b.host, cookie: `cg_session=${cookie}` } });
    expect(replayed.statusCode).toBe(303);
    expect(replayed.headers.location).toBe('/sign-in?returnTo=%2Fadmin%2Fusers');
  });

  it('shows LIO A\'s admin only LIO A\'s users, and nothing of LIO B by its ids', async () => {
    const { a, b, adminA, adminB, staffB } = await twoLios();
    await t.make.user(b, { role: 'volunteer', email: 'shared.person@example.org' });
    const client = new Client(t.app, a.host);
    await client.signIn(adminA.email, adminA.password);

    const list = await client.get('/admin/users');
    expect(list.status).toBe(200);
    const emails = list.$('table.govuk-table tbody tr').toArray().map((tr) => list.$(tr).find('td').eq(1).text().trim());
    expect(emails).toEqual([adminA.email]);
    expect(list.body).not.toContain(adminB.email);
    expect(list.body).not.toContain('Bob of Beta');

    for (const id of [adminB.id, staffB.id]) {
      expect((await client.get(`/admin/users/${id}`)).status).toBe(404);
      expect((await client.submit('/admin/users', `/admin/users/${id}/disable`, {})).status).toBe(404);
      expect((await client.submit('/admin/users', `/admin/users/${id}/role`, { role: 'volunteer' })).status).toBe(404);
    }
    const staffRow = await t.db.withTenant(b.id, (tx) => tx.selectFrom('users').select(['role', 'status']).where('id', '=', staffB.id).executeTakeFirstOrThrow());
    expect(staffRow).toEqual({ role: 'staff', status: 'active' });

    // An e-mail address used in LIO B is free to invite in LIO A: accounts belong to one LIO.
    expect((await client.submit('/admin/users/invite', '/admin/users/invite', { displayName: 'Shared Person', email: 'shared.person@example.org', role: 'volunteer' })).status).toBe(303);

    // LIO B's audit log holds none of LIO A's doings.
    const audit = await client.get('/admin/audit');
    expect(audit.body).not.toContain(adminB.email);
    const bClient = new Client(t.app, b.host);
    await bClient.signIn(adminB.email, adminB.password);
    const bAudit = await bClient.get('/admin/audit');
    expect(bAudit.body).not.toContain(adminA.email);
    expect(bAudit.body).not.toContain('user.invited');
  });
});

describe('row-level security in the database', () => {
  let t: TestContext;
  beforeAll(async () => { t = await createTestApp(); });
  afterAll(async () => { await t.close(); });

  it(`hides every other LIO's rows from a query made in one LIO's context (${onPostgres ? 'PostgreSQL' : 'PGlite'})`, async () => {
    const a = await t.make.lio();
    const b = await t.make.lio();
    const userA = await t.make.user(a);
    const userB = await t.make.user(b);
    const orgB = await t.make.organisation(b);
    await t.make.apiToken(b);

    const seenFromA = await t.db.withTenant(a.id, (tx) => tx.selectFrom('users').select(['id', 'lio_id']).execute());
    expect(seenFromA.map((u) => u.id)).toEqual([userA.id]);
    expect(seenFromA.every((u) => u.lio_id === a.id)).toBe(true);

    // Asking for LIO B's rows by id, or by its lio_id, from LIO A's context finds nothing either.
    await t.db.withTenant(a.id, async (tx) => {
      expect(await tx.selectFrom('users').selectAll().where('id', '=', userB.id).execute()).toHaveLength(0);
      expect(await tx.selectFrom('users').selectAll().where('lio_id', '=', b.id).execute()).toHaveLength(0);
      expect(await tx.selectFrom('organisations').selectAll().where('id', '=', orgB.id).execute()).toHaveLength(0);
      expect(await tx.selectFrom('api_tokens').selectAll().execute()).toHaveLength(0);
      expect(await tx.selectFrom('lios').select('id').execute()).toEqual([{ id: a.id }]);
      // Raw SQL gets no further than the query builder.
      const raw = await sql<{ n: number }>`select count(*)::int as n from users`.execute(tx);
      expect(raw.rows[0]!.n).toBe(1);
    });

    // Updates and deletes aimed at LIO B's rows touch nothing.
    await t.db.withTenant(a.id, async (tx) => {
      const updated = await tx.updateTable('users').set({ display_name: 'Hijacked' }).where('id', '=', userB.id).executeTakeFirst();
      expect(Number(updated.numUpdatedRows)).toBe(0);
      const deleted = await tx.deleteFrom('users').where('lio_id', '=', b.id).executeTakeFirst();
      expect(Number(deleted.numDeletedRows)).toBe(0);
    });
    const stillThere = await t.db.withTenant(b.id, (tx) => tx.selectFrom('users').select('display_name').where('id', '=', userB.id).executeTakeFirstOrThrow());
    expect(stillThere.display_name).not.toBe('Hijacked');

    // The system connection (the owner, for platform work only) sees both, so the rows are really there.
    const all = await t.db.system.selectFrom('users').select('id').where('id', 'in', [userA.id, userB.id]).execute();
    expect(all).toHaveLength(2);
  });

  it('refuses to insert or move a row into another LIO from one LIO\'s context', async () => {
    const a = await t.make.lio();
    const b = await t.make.lio();
    const userA = await t.make.user(a);
    const now = new Date();

    await expect(t.db.withTenant(a.id, (tx) => tx.insertInto('users').values({
      lio_id: b.id, email: 'planted@example.org', display_name: 'Planted', role: 'admin', permission_sets: [],
      organisation_id: null, password_hash: null, status: 'active', created_at: now, updated_at: now,
    }).execute())).rejects.toThrow(RLS_REFUSAL);

    await expect(t.db.withTenant(a.id, (tx) => tx.insertInto('organisations').values({ lio_id: b.id, name: 'Planted group', created_at: now, updated_at: now }).execute()))
      .rejects.toThrow(RLS_REFUSAL);

    await expect(t.db.withTenant(a.id, (tx) => tx.insertInto('audit_events').values({
      lio_id: b.id, occurred_at: now, actor_user_id: null, actor_label: 'forger', action: 'forged', subject_type: null, subject_id: null, detail: '{}',
    }).execute())).rejects.toThrow(RLS_REFUSAL);

    // Moving one's own row to another LIO is refused by the policy's check too.
    await expect(t.db.withTenant(a.id, (tx) => tx.updateTable('users').set({ lio_id: b.id }).where('id', '=', userA.id).execute())).rejects.toThrow(RLS_REFUSAL);

    const planted = await t.db.system.selectFrom('users').select('id').where('email', '=', 'planted@example.org').execute();
    expect(planted).toHaveLength(0);
    expect(await t.db.withTenant(b.id, (tx) => tx.selectFrom('audit_events').select('id').where('action', '=', 'forged').execute())).toHaveLength(0);
    expect((await t.db.withTenant(a.id, (tx) => tx.selectFrom('users').select('lio_id').where('id', '=', userA.id).executeTakeFirstOrThrow())).lio_id).toBe(a.id);
  });

  it('sees nothing at all without an LIO in context, and keeps no LIO context after a transaction', async () => {
    const a = await t.make.lio();
    await t.make.user(a);
    // With the app role but no app.lio_id, every tenant table is empty.
    const none = await t.db.system.transaction().execute(async (tx) => {
      await sql`select set_config('role', ${t.db.appRole}, true)`.execute(tx);
      return (await sql<{ n: number }>`select count(*)::int as n from users`.execute(tx)).rows[0]!.n;
    });
    expect(none).toBe(0);
    // The application role may not switch the policy off or take the owner's role back for itself.
    await expect(t.db.withTenant(a.id, (tx) => sql`alter table users disable row level security`.execute(tx))).rejects.toThrow();
    // set_config(..., true) lasts for the transaction only: after it, the setting is gone.
    await t.db.withTenant(a.id, async () => undefined);
    const after = await sql<{ lio: string | null }>`select nullif(current_setting('app.lio_id', true), '') as lio`.execute(t.db.system);
    expect(after.rows[0]!.lio).toBeNull();
  });

  it('runs public reads (Database.reading) on the primary when there is no replica, read-only and in their LIO alone', async () => {
    const [a, b] = [await t.make.lio(), await t.make.lio()];
    const [mine] = [await t.make.organisation(a), await t.make.organisation(b)];
    expect(t.db.replicaStatus()).toBe('none');
    const reads = t.db.reading();
    expect(reads.source).toBe('primary');
    expect(await reads.withTenant(a.id, (tx) => tx.selectFrom('organisations').select('id').execute())).toEqual([{ id: mine.id }]);
    // Read-only on the primary too, so a write slipped into a public read fails here, not first on a replica.
    await expect(reads.withTenant(a.id, (tx) => tx.updateTable('organisations').set({ name: 'Renamed' }).execute())).rejects.toThrow(/read-only/);
    // ... and for that transaction only: the connection writes again afterwards.
    await t.db.withTenant(a.id, (tx) => tx.updateTable('organisations').set({ name: 'Renamed' }).where('id', '=', mine.id).execute());
  });

  it('answers an address of no LIO as the default LIO, when there is one', async () => {
    const fallback = await t.make.lio({ name: 'Default District CVS', isDefault: true });
    const other = await t.make.lio({ name: 'Other Town CVS' });
    expect((await new Client(t.app, 'localhost').get('/')).$('main h1').text()).toBe('Default District CVS');
    expect((await new Client(t.app, fallback.host).get('/')).$('main h1').text()).toBe('Default District CVS');
    expect((await new Client(t.app, other.host).get('/')).$('main h1').text()).toBe('Other Town CVS');
  });

  it('runs the application role without the power to bypass row-level security, and not as the owner of the tables', async () => {
    const role = await sql<{ rolbypassrls: boolean; rolsuper: boolean }>`select rolbypassrls, rolsuper from pg_roles where rolname = ${t.db.appRole}`.execute(t.db.system);
    expect(role.rows[0]).toEqual({ rolbypassrls: false, rolsuper: false });
    const owners = await sql<{ tablename: string; tableowner: string; rowsecurity: boolean }>`
      select tablename, tableowner, rowsecurity from pg_tables where schemaname = ${t.db.schema} and tablename in ('users', 'organisations', 'sessions', 'user_tokens', 'api_tokens', 'audit_events', 'email_messages')`.execute(t.db.system);
    expect(owners.rows).toHaveLength(7);
    for (const row of owners.rows) {
      expect(row.tableowner, row.tablename).not.toBe(t.db.appRole);
      expect(row.rowsecurity, row.tablename).toBe(true);
    }
  });
});
