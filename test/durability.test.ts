import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { HttpClient, runCli, startServer, type RunningServer } from './helpers/cli.js';
import { createPersistentStore, engine, type PersistentStore } from './helpers/store.js';

// Real processes, and PGlite opening its data directory in each: allow for a busy machine.
vi.setConfig({ testTimeout: 240_000, hookTimeout: 240_000 });

const ADMIN = { email: 'durable-admin@example.org', password: 'durable admin password 1' };

describe(`a write acknowledged before SIGKILL is there after a restart (${engine})`, () => {
  let store: PersistentStore;
  const servers: RunningServer[] = [];
  beforeAll(async () => {
    store = await createPersistentStore();
    const created = await runCli(['create-admin', '--email', ADMIN.email, '--name', 'Dee Durable'], { ...store.env, ADMIN_PASSWORD: ADMIN.password });
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
  });
  afterAll(async () => {
    for (const s of servers) await s.kill('SIGKILL');
    await store.dispose();
  });

  it('signs in and adds organisations over HTTP, is killed with SIGKILL, and the restarted server still has them', async () => {
    const first = await startServer({ ...store.env, LOG_LEVEL: 'info' });
    servers.push(first);
    const client = new HttpClient(first.url);

    const signIn = await client.submit('/sign-in', '/sign-in', { email: ADMIN.email, password: ADMIN.password });
    expect(signIn.status).toBe(303);

    const names = ['Durable Dementia Café', 'Kill-Proof Knitting Circle'];
    for (const name of names) {
      const added = await client.submit('/organisations', '/organisations', { name });
      // The acknowledgement: the redirect after the write was committed.
      expect(added.status).toBe(303);
      expect(added.location).toMatch(/^\/organisations/);
    }

    // No time for anything to be flushed later: kill at once.
    const killed = await first.kill('SIGKILL');
    expect(killed.signal).toBe('SIGKILL');

    const second = await startServer({ ...store.env, LOG_LEVEL: 'info' });
    servers.push(second);
    client.base = second.url;
    // The session was written too: the same cookie still signs us in.
    const list = await client.get('/organisations');
    expect(list.status).toBe(200);
    for (const name of names) expect(list.body).toContain(name);

    // Logs never carry the password, the session cookie or the e-mail address.
    const logs = first.output() + second.output();
    expect(logs).not.toContain(ADMIN.password);
    expect(logs).not.toContain(ADMIN.email);
    expect(logs).not.toMatch(/cg_session=|cookie":/i);

    const stopped = await second.kill('SIGTERM');
    expect(stopped.code).toBe(0);

    const db = await store.open();
    try {
      const rows = await db.system.selectFrom('organisations').select('name').where('name', 'in', names).execute();
      expect(rows.map((r) => r.name).sort()).toEqual([...names].sort());
      const audit = await db.system.selectFrom('audit_events').select('action').where('action', '=', 'organisation.created').execute();
      expect(audit).toHaveLength(names.length);
    } finally {
      await db.close();
    }
  });
});
