import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readFile, writeFile, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import path from 'node:path';
import { sql } from 'kysely';
import { runCli } from './helpers/cli.js';
import { buildTestAppOn, createPersistentStore, type PersistentStore } from './helpers/store.js';
import { Client } from './helpers/client.js';
import { factories } from './helpers/factories.js';
import { directoryFactories } from './helpers/directory-factories.js';
import type { Database } from '../src/platform/db/index.js';
import { recordAudit } from '../src/platform/audit.js';
import { restore } from '../src/platform/backup.js';

// Every test here starts real processes (and PGlite opens its data directory in each): allow for a busy machine.
vi.setConfig({ testTimeout: 240_000, hookTimeout: 240_000 });

/**
 * Every row of every data table, as PostgreSQL's own JSON, in a stable order. Not data: schema_migrations, and
 * directory_changes, which a restore moves on (so running apps drop pages kept of the directory before it).
 */
async function snapshot(db: Database): Promise<Record<string, string[]>> {
  const tables = (await sql<{ name: string }>`
    select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = current_schema() and c.relkind = 'r' and c.relname not in ('schema_migrations', 'directory_changes') order by 1`.execute(db.system)).rows.map((r) => r.name);
  const out: Record<string, string[]> = {};
  for (const table of tables) {
    out[table] = (await sql<{ j: string }>`select row_to_json(t)::text as j from ${sql.table(table)} t`.execute(db.system)).rows.map((r) => r.j).sort();
  }
  return out;
}

async function withDb<T>(store: PersistentStore, work: (db: Database) => Promise<T>): Promise<T> {
  const db = await store.open();
  try {
    return await work(db);
  } finally {
    await db.close();
  }
}

describe('commonground CLI', () => {
  describe('migrate and seed --demo', () => {
    let store: PersistentStore;
    beforeAll(async () => { store = await createPersistentStore(); });
    afterAll(async () => { await store.dispose(); });

    it('migrate applies the migrations once, then reports the database up to date', async () => {
      const first = await runCli(['migrate'], store.env);
      expect(first.stderr).toBe('');
      expect(first.code).toBe(0);
      expect(first.stdout).toMatch(/^Applied 001_foundation\.sql/);
      const second = await runCli(['migrate'], store.env);
      expect(second.code).toBe(0);
      expect(second.stdout).toMatch(/Database is up to date/);
      await withDb(store, async (db) => {
        const applied = (await sql<{ version: string }>`select version from schema_migrations`.execute(db.system)).rows.map((r) => r.version);
        expect(applied).toContain('001_foundation.sql');
        expect(applied.length).toBe(first.stdout.split(',').length);
      });
    });

    it('seed --demo adds the demo LIO into an empty database, and only then', async () => {
      const first = await runCli(['seed', '--demo'], store.env);
      expect(first.code).toBe(0);
      expect(first.stdout).toMatch(/Demo LIO created/);
      await withDb(store, async (db) => {
        const lios = await db.system.selectFrom('lios').select(['name', 'is_default']).execute();
        expect(lios).toEqual([{ name: 'Riverside Community Action', is_default: true }]);
        const roles = (await db.system.selectFrom('users').select('role').execute()).map((u) => u.role).sort();
        expect(new Set(roles)).toEqual(new Set(['admin', 'staff', 'group_member', 'volunteer', 'partner', 'network']));
      });
      const second = await runCli(['seed', '--demo'], store.env);
      expect(second.code).toBe(0);
      expect(second.stdout).toMatch(/already has an LIO/);
      await withDb(store, async (db) => {
        expect(await db.system.selectFrom('lios').select('id').execute()).toHaveLength(1);
      });
    });

    it('seed without --demo, an unknown command and an unknown option exit 2 with a message', async () => {
      const seed = await runCli(['seed'], store.env);
      expect(seed.code).toBe(2);
      expect(seed.stderr).toMatch(/seed --demo/);
      const unknown = await runCli(['frobnicate'], store.env);
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toMatch(/Unknown command: frobnicate/);
      expect(unknown.stderr).toMatch(/Usage: commonground/);
      const option = await runCli(['create-admin', '--email', 'a@example.org', '--colour', 'blue'], store.env);
      expect(option.code).toBe(2);
      expect(option.stderr).toMatch(/--colour/);
      expect(option.stderr).not.toMatch(/\n\s+at /);
    });

    it('help prints the usage and exits 0', async () => {
      const help = await runCli(['help'], store.env);
      expect(help.code).toBe(0);
      for (const command of ['start', 'migrate', 'seed --demo', 'create-admin', 'backup FILE', 'restore FILE']) expect(help.stdout).toContain(command);
    });
  });

  describe('create-admin', () => {
    let store: PersistentStore;
    beforeAll(async () => { store = await createPersistentStore(); });
    afterAll(async () => { await store.dispose(); });

    const cases: [string, string[], RegExp][] = [
      ['a malformed email', ['--email', 'not-an-email', '--name', 'Ada Admin', '--password', 'a long enough password'], /--email must be an email address/],
      ['no email', ['--name', 'Ada Admin', '--password', 'a long enough password'], /--email must be an email address/],
      ['a short password', ['--email', 'ada@example.org', '--name', 'Ada Admin', '--password', 'short'], /--password .* at least \d+ characters/],
      ['no password', ['--email', 'ada@example.org', '--name', 'Ada Admin'], /--password .* at least \d+ characters/],
      ['no name', ['--email', 'ada@example.org', '--password', 'a long enough password'], /--name is required/],
    ];
    for (const [what, args, message] of cases) {
      it(`refuses ${what} with exit code 2 and a message`, async () => {
        const result = await runCli(['create-admin', ...args], store.env);
        expect(result.code).toBe(2);
        expect(result.stderr).toMatch(message);
        expect(result.stderr).not.toMatch(/\n\s+at /);
      });
    }

    it('refuses an LIO slug that does not exist', async () => {
      const result = await runCli(['create-admin', '--email', 'x@example.org', '--name', 'X', '--password', 'a long enough password', '--lio', 'no-such-lio'], store.env);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/No LIO with slug no-such-lio/);
    });

    it('creates an admin (and the first LIO) who can then sign in; a second with the same email is refused', async () => {
      const result = await runCli(['create-admin', '--email', 'Ada@Example.org', '--name', 'Ada Admin'], { ...store.env, ADMIN_PASSWORD: 'a long enough password' });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/Admin Ada@Example\.org created/);

      const again = await runCli(['create-admin', '--email', 'ada@example.org', '--name', 'Ada Again', '--password', 'another long password'], store.env);
      expect(again.code).toBe(2);
      expect(again.stderr).toMatch(/already an account/);

      await withDb(store, async (db) => {
        const users = await db.system.selectFrom('users').select(['email', 'role', 'status', 'password_hash']).execute();
        expect(users).toHaveLength(1);
        expect(users[0]).toMatchObject({ email: 'Ada@Example.org', role: 'admin', status: 'active' });
        expect(users[0]!.password_hash).toMatch(/^\$argon2id\$/);
        expect(users[0]!.password_hash).not.toContain('a long enough password');

        const { app } = await buildTestAppOn(db);
        try {
          const client = new Client(app, 'localhost');
          await client.signIn('ada@example.org', 'a long enough password');
          const home = await client.get('/');
          expect(home.status).toBe(200);
          expect(home.$('[data-testid="signed-in-user"]').text()).toBe('Ada Admin');
          expect((await client.get('/admin/audit')).status).toBe(200);
        } finally {
          await app.close();
        }
      });
    });

    it('adds an admin to a named LIO', async () => {
      await withDb(store, async (db) => {
        await db.system.insertInto('lios').values({ slug: 'northfield', name: 'Northfield CVS', hostnames: ['northfield.test'] }).execute();
      });
      const result = await runCli(['create-admin', '--email', 'nia@northfield.example', '--name', 'Nia', '--password', 'a long enough password', '--lio', 'northfield'], store.env);
      expect(result.code).toBe(0);
      await withDb(store, async (db) => {
        const row = await db.system.selectFrom('users').innerJoin('lios', 'lios.id', 'users.lio_id').select(['lios.slug', 'users.role'])
          .where('users.email', '=', 'nia@northfield.example').executeTakeFirstOrThrow();
        expect(row).toEqual({ slug: 'northfield', role: 'admin' });
      });
    });
  });

  describe(`backup and restore`, () => {
    let store: PersistentStore;
    let file: string;
    let original: Record<string, string[]>;
    let altered: Record<string, string[]>;

    beforeAll(async () => {
      store = await createPersistentStore();
      file = path.join(store.dir, 'backup.jsonl.gz');
      expect((await runCli(['migrate'], store.env)).code).toBe(0);
      // Data of every kind the schema holds: arrays, JSON, identity columns, dates and times, a generated
      // column, rows that refer to rows of their own table, several LIOs.
      await withDb(store, async (db) => {
        const make = factories(db);
        const dir = directoryFactories(db);
        for (const name of ['Riverside CVS', 'Hilltop Voluntary Action']) {
          const lio = await make.lio({ name });
          const admin = await make.user(lio, { role: 'admin' });
          await make.user(lio, { role: 'staff', permissionSets: ['adviser', 'helpline'] });
          await make.user(lio, { role: 'group_member' });
          await make.apiToken(lio, 'write');
          await make.apiToken(lio, 'read', { revoked: true });
          const taxonomy = await dir.taxonomy(lio);
          const parent = await dir.term(lio, taxonomy.id, { name: 'Health' });
          const child = await dir.term(lio, taxonomy.id, { name: 'Mental health', parentId: parent.id });
          const org = await dir.organisation(lio, { name: `${name} Food Bank`, charityNumber: '1234567' });
          const merged = await dir.organisation(lio, { name: `${name} Old Food Bank` });
          await db.withTenant(lio.id, (tx) => tx.updateTable('organisations').set({ merged_into_id: org.id }).where('id', '=', merged.id).execute());
          await dir.service(lio, {
            organisationId: org.id, name: 'Emergency food parcels', deliveryModes: ['in_person', 'phone'],
            locations: [{ latitude: 51.5, longitude: -0.12, postcode: 'SW1A 1AA' }], opening: [{ day: 'MO', opens: '09:30', closes: '12:00' }],
            termIds: [child.id], costs: [{ option: 'Per parcel', amount: 2.5 }],
          });
          await db.withTenant(lio.id, async (tx) => {
            await recordAudit(tx, lio.id, { userId: admin.id, label: admin.email }, { action: 'test.backup', subjectType: 'thing', subjectId: 'x', detail: { nested: { list: [1, 'two', null] }, unicode: 'Café ☕ “quotes”\n' } }, new Date());
            await tx.insertInto('email_messages').values({ lio_id: lio.id, to_address: 'someone@example.org', subject: 'Hello', body_text: 'Line one\nLine "two"', created_at: new Date() }).execute();
          });
          await db.system.insertInto('jobs').values({ lio_id: lio.id, kind: 'test.kind', payload: JSON.stringify({ a: [1, 2], b: { c: 'd' } }), run_at: new Date(), created_at: new Date() }).execute();
        }
        await dir.postcode({ postcode: 'SW1A 1AA', latitude: 51.501, longitude: -0.141 });
        original = await snapshot(db);
      });
      expect(original.lios).toHaveLength(2);
      expect(original.services!.length).toBeGreaterThan(0);
      expect(original.taxonomy_terms!.some((t) => !t.includes('"parent_id":null'))).toBe(true);
    });
    afterAll(async () => { await store.dispose(); });

    it('backup FILE writes a gzipped file, and restore FILE after changes gives back exactly the same data', async () => {
      let changesBefore: Record<string, number> = {};
      const directoryChanges = async (db: Database) => Object.fromEntries((await sql<{ lio_id: string; n: number }>`
        select lio_id, sum(weight)::int as n from directory_changes group by lio_id`.execute(db.system)).rows.map((r) => [r.lio_id, r.n]));
      const written = await runCli(['backup', file], store.env);
      expect(written.stderr).toBe('');
      expect(written.code).toBe(0);
      expect(written.stdout).toMatch(/Wrote .*backup\.jsonl\.gz: \d+ rows/);
      expect((await stat(file)).size).toBeGreaterThan(100);
      expect(existsSync(`${file}.partial`)).toBe(false);
      const lines = gunzipSync(await readFile(file)).toString('utf8').trim().split('\n');
      expect(JSON.parse(lines[0]!)).toMatchObject({ format: 'commonground-backup', migrations: expect.arrayContaining(['001_foundation.sql']) });
      expect(JSON.parse(lines.at(-1)!)).toMatchObject({ end: true });

      // Wipe and change things.
      await withDb(store, async (db) => {
        const lio = await db.system.selectFrom('lios').select('id').orderBy('name').executeTakeFirstOrThrow();
        await db.system.deleteFrom('services').execute();
        await db.system.deleteFrom('audit_events').where('action', '=', 'test.backup').execute();
        await db.system.updateTable('users').set({ display_name: 'Changed Name' }).execute();
        await db.system.insertInto('organisations').values({ lio_id: lio.id, name: 'Added after the backup', created_at: new Date(), updated_at: new Date() }).execute();
        await db.system.deleteFrom('lios').where('id', '<>', lio.id).execute();
        await db.system.insertInto('jobs').values({ kind: 'after.backup', payload: '{}', run_at: new Date(), created_at: new Date() }).execute();
        altered = await snapshot(db);
        changesBefore = await directoryChanges(db);
      });
      expect(altered).not.toEqual(original);

      const restored = await runCli(['restore', file], store.env);
      expect(restored.stderr).toBe('');
      expect(restored.code).toBe(0);
      expect(restored.stdout).toMatch(/Restored .*: \d+ rows/);

      await withDb(store, async (db) => {
        expect(await snapshot(db)).toEqual(original);
        // Pages kept by running apps are of the directory before the restore: every LIO's version moved on.
        const changesAfter = await directoryChanges(db);
        for (const [lioId, before] of Object.entries(changesBefore)) expect(changesAfter[lioId]).toBeGreaterThan(before);
        // Identity columns carry on after the restored rows.
        const lio = await db.system.selectFrom('lios').select('id').executeTakeFirstOrThrow();
        await db.withTenant(lio.id, (tx) => recordAudit(tx, lio.id, { userId: null, label: 'test' }, { action: 'after.restore' }, new Date()));
        await db.system.insertInto('jobs').values({ kind: 'after.restore', payload: '{}', run_at: new Date(), created_at: new Date() }).execute();
        // Put the data back exactly as backed up, for the tests that follow.
        await db.system.deleteFrom('audit_events').where('action', '=', 'after.restore').execute();
        await db.system.deleteFrom('jobs').where('kind', '=', 'after.restore').execute();
      });
    });

    it('the restored database works: its admin signs in', async () => {
      const email = (original.users!.map((u) => JSON.parse(u) as { email: string; role: string }).find((u) => u.role === 'admin'))!.email;
      await withDb(store, async (db) => {
        const lio = await db.system.selectFrom('users').innerJoin('lios', 'lios.id', 'users.lio_id').select('lios.hostnames').where('users.email', '=', email).executeTakeFirstOrThrow();
        const { app } = await buildTestAppOn(db);
        try {
          const client = new Client(app, lio.hostnames[0]!);
          await client.signIn(email, 'correct horse battery staple');
          expect((await client.get('/organisations')).status).toBe(200);
        } finally {
          await app.close();
        }
      });
    });

    describe('a damaged or foreign file changes nothing', () => {
      let good: Buffer;
      beforeAll(async () => {
        good = await readFile(file);
      });

      async function writeBad(bytes: Buffer | string): Promise<string> {
        const bad = path.join(store.dir, `bad-${Math.random().toString(36).slice(2)}.gz`);
        await writeFile(bad, bytes);
        return bad;
      }

      function edited(edit: (lines: string[]) => string[]): Buffer {
        const lines = gunzipSync(good).toString('utf8').trim().split('\n');
        return gzipSync(edit(lines).join('\n') + '\n');
      }

      async function cliRefuses(bytes: Buffer | string, message: RegExp) {
        const bad = await writeBad(bytes);
        const before = await withDb(store, snapshot);
        const result = await runCli(['restore', bad], store.env);
        expect(result.code).toBe(1);
        expect(result.stderr).toMatch(/Restore failed; nothing was changed/);
        expect(result.stderr).toMatch(message);
        expect(result.stderr).not.toMatch(/\n\s+at /);
        const after = await withDb(store, snapshot);
        expect(after).toEqual(before);
        expect(after.lios!.length).toBeGreaterThan(0);
      }

      it('through the CLI: a gzip file cut short exits 1 with a message', async () => {
        await cliRefuses(good.subarray(0, Math.floor(good.length * 0.6)), /damaged or cut short/);
      });

      it('through the CLI: a file that is not gzip at all, or does not exist, exits 1 with a message', async () => {
        await cliRefuses('this is not a backup\n', /not a Common Ground backup|damaged/);
        const result = await runCli(['restore', path.join(store.dir, 'missing.gz')], store.env);
        expect(result.code).toBe(1);
        expect(result.stderr).toMatch(/Cannot read/);
      });

      describe('in one process (each case is refused and the data is untouched)', () => {
        let db: Database;
        let before: Record<string, string[]>;
        beforeAll(async () => {
          db = await store.open();
          before = await snapshot(db);
        });
        afterAll(async () => { await db.close(); });

        const cases: [string, () => Buffer | string, RegExp][] = [
          ['a file whose rows end before the trailer', () => edited((lines) => lines.slice(0, -3)), /incomplete/],
          ['a trailer whose counts do not match the rows', () => edited((lines) => [...lines.slice(0, 1), ...lines.slice(2)]), /should have \d+ rows/],
          ['a row that is not valid JSON in the middle of the file', () => edited((lines) => {
            const copy = [...lines];
            copy[Math.floor(copy.length / 2)] = '{"t":"users","r":{"id":"broken';
            return copy;
          }), /damaged|not valid|json/i],
          ['a row that breaks a constraint', () => edited((lines) => lines.map((l) => (l.startsWith('{"t":"users"') ? l.replace(/"role":"[a-z_]+"/, '"role":"emperor"') : l))), /users|role|constraint/i],
          ['a row that refers to a row that is not there', () => edited((lines) => {
            const trailer = JSON.parse(lines.at(-1)!) as { rows: Record<string, number> };
            trailer.rows.lios = 0;
            return [...lines.slice(0, -1).filter((l) => !l.startsWith('{"t":"lios"')), JSON.stringify(trailer)];
          }), /foreign key|violates/i],
          ['a table this version does not know', () => edited((lines) => [lines[0]!, '{"t":"no_such_table","r":{"id":1}}', ...lines.slice(1)]), /does not know: no_such_table/],
          ['a gzipped file that is some other JSON', () => gzipSync('{"hello":"world"}\n'), /not a Common Ground backup/],
          ['an empty gzip file', () => gzipSync(''), /empty/],
          ['a backup from a newer version', () => edited((lines) => {
            const header = JSON.parse(lines[0]!) as { migrations: string[] };
            header.migrations.push('999_from_the_future.sql');
            return [JSON.stringify(header), ...lines.slice(1)];
          }), /newer version/],
        ];
        for (const [what, bytes, message] of cases) {
          it(what, async () => {
            const bad = await writeBad(bytes());
            await expect(restore(db, bad)).rejects.toThrow(message);
            expect(await snapshot(db)).toEqual(before);
          });
        }
      });

      it('the good file still restores afterwards', async () => {
        const result = await runCli(['restore', file], store.env);
        expect(result.code).toBe(0);
        expect(await withDb(store, snapshot)).toEqual(original);
      });
    });

    it('backup or restore without a file name exits 2', async () => {
      for (const command of ['backup', 'restore']) {
        const result = await runCli([command], store.env);
        expect(result.code).toBe(2);
        expect(result.stderr).toMatch(new RegExp(`commonground ${command} FILE`));
      }
    });
  });
});
