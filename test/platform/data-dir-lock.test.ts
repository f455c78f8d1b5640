import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { DataDirInUseError, LOCK_FILE, lockDataDir } from '../../src/platform/db/data-dir-lock.js';
import { openDatabase } from '../../src/platform/db/index.js';
import { runCli, serversOnOneStore, startServer } from '../helpers/cli.js';
import { createPersistentStore, onPostgres } from '../helpers/store.js';

// Real processes, each opening PGlite: allow for a busy machine.
vi.setConfig({ testTimeout: 240_000, hookTimeout: 240_000 });

/** The pid of a process that has ended, as a server killed with SIGKILL leaves in its lock file. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

const holderPid = (folder: string) => Number(readFileSync(path.join(folder, LOCK_FILE), 'utf8').split('\n')[0]);

describe('the lock on the embedded database folder, in one process', () => {
  let dir: string;
  beforeAll(() => { dir = mkdtempSync(path.join(tmpdir(), 'cg-lock-')); });
  afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

  it('refuses a second lock while the first is held, naming the folder and the process, and allows it once released', async () => {
    const folder = path.join(dir, 'held');
    const first = await lockDataDir(folder);
    expect(holderPid(folder)).toBe(process.pid);
    const refused = await lockDataDir(folder).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(DataDirInUseError);
    expect((refused as Error).message).toContain(folder);
    expect((refused as Error).message).toContain(`process ${process.pid}`);
    expect((refused as Error).message).toMatch(/stop that process.*DATABASE_URL/s);
    first.release();
    expect(existsSync(path.join(folder, LOCK_FILE))).toBe(false);
    (await lockDataDir(folder)).release();
  });

  it('takes over a lock left by a process that no longer runs', async () => {
    const folder = path.join(dir, 'stale');
    await lockDataDir(folder).then((l) => l.release());
    writeFileSync(path.join(folder, LOCK_FILE), `${deadPid()}\n`);
    const lock = await lockDataDir(folder);
    expect(holderPid(folder)).toBe(process.pid);
    lock.release();
  });

  it('takes over a lock holding its own pid that it did not take (a container restarted with the same pid)', async () => {
    const folder = path.join(dir, 'restarted');
    await lockDataDir(folder).then((l) => l.release());
    writeFileSync(path.join(folder, LOCK_FILE), `${process.pid}\n`);
    (await lockDataDir(folder)).release();
  });

  it('refuses a lock another host (a container sharing the volume) holds while its heartbeat goes on, even with our own pid; takes it over once the heartbeat stops', async () => {
    const folder = path.join(dir, 'other-host');
    await lockDataDir(folder).then((l) => l.release());
    const file = path.join(folder, LOCK_FILE);
    // Both containers' servers are pid 1 in their own namespaces: here, our own pid stands for it.
    writeFileSync(file, `${process.pid}\nworker-b7\n`);
    const refused = await lockDataDir(folder).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(DataDirInUseError);
    expect((refused as Error).message).toContain(`process ${process.pid} on worker-b7`);
    const longAgo = new Date(Date.now() - 120_000);
    utimesSync(file, longAgo, longAgo);
    const lock = await lockDataDir(folder);
    expect(readFileSync(file, 'utf8')).toBe(`${process.pid}\n${hostname()}\n`);
    lock.release();
  });

  it('keeps touching its own lock, so that other hosts see it is held', async () => {
    const folder = path.join(dir, 'heartbeat');
    const lock = await lockDataDir(folder, { heartbeatMs: 20 });
    const file = path.join(folder, LOCK_FILE);
    const longAgo = new Date(Date.now() - 120_000);
    utimesSync(file, longAgo, longAgo);
    await expect.poll(() => Date.now() - statSync(file).mtimeMs, { timeout: 5_000, interval: 20 }).toBeLessThan(10_000);
    lock.release();
  });

  it('of two takeovers of one stale lock at the same moment, exactly one succeeds', async () => {
    const folder = path.join(dir, 'race');
    await lockDataDir(folder).then((l) => l.release());
    writeFileSync(path.join(folder, LOCK_FILE), `${deadPid()}\n`);
    const results = await Promise.allSettled([lockDataDir(folder), lockDataDir(folder)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason)).toEqual([expect.any(DataDirInUseError)]);
    for (const r of results) if (r.status === 'fulfilled') r.value.release();
  });

  // The embedded engine whatever DATABASE_URL says: once, on the PGlite run, is enough.
  it.skipIf(onPostgres)('openDatabase refuses a folder another handle has open, and frees it when that handle is closed', async () => {
    const options = { databaseUrl: null, dataDir: path.join(dir, 'db'), databaseSchema: null, appDbRole: 'commonground_app' };
    const first = await openDatabase(options);
    await expect(openDatabase(options)).rejects.toBeInstanceOf(DataDirInUseError);
    await first.close();
    expect(existsSync(path.join(options.dataDir, LOCK_FILE))).toBe(false);
  });
});

// These processes use the embedded database whatever DATABASE_URL says: once, on the PGlite run, is enough.
describe.skipIf(onPostgres)('the lock between processes', () => {
  const running = serversOnOneStore(createPersistentStore);

  it('two first starts together: one serves, the other is refused; create-admin is refused while it runs, and works after kill -9', async () => {
    const { store, servers } = running;
    const starts = await Promise.allSettled([startServer(store.env), startServer(store.env)]);
    for (const s of starts) if (s.status === 'fulfilled') servers.push(s.value);
    expect(servers).toHaveLength(1);
    const refusal = String((starts.find((s) => s.status === 'rejected') as PromiseRejectedResult).reason);
    expect(refusal).toContain(`already in use by process ${servers[0]!.child.pid}`);
    expect(refusal).not.toMatch(/\n\s+at /); // a message, not a stack trace

    const admin = ['create-admin', '--email', 'locked-out@example.org', '--name', 'Lou Locked', '--password', 'a long enough password'];
    const whileRunning = await runCli(admin, store.env);
    expect(whileRunning.code).toBe(1);
    expect(whileRunning.stdout).not.toContain('created');
    expect(whileRunning.stderr).toContain(`The embedded database in ${store.env.DATA_DIR} is already in use by process ${servers[0]!.child.pid}`);
    // The running server still answers: the refused process did not touch its folder.
    expect((await fetch(`${servers[0]!.url}/healthz`)).status).toBe(200);

    await servers[0]!.kill('SIGKILL');
    const afterKill = await runCli(admin, store.env);
    expect(afterKill.stderr).toBe('');
    expect(afterKill.code).toBe(0);

    const db = await store.open();
    try {
      const users = await db.system.selectFrom('users').select('email').where('email', '=', 'locked-out@example.org').execute();
      expect(users).toHaveLength(1);
      // The migrated folder holds the tables and the demo LIO of the start that won.
      expect(await db.system.selectFrom('lios').select('slug').execute()).toHaveLength(1);
    } finally {
      await db.close();
    }
  });
});
