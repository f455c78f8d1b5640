import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { HttpClient, runCli, startServer, type RunningServer } from '../helpers/cli.js';
import { createPersistentStore, engine, type PersistentStore } from '../helpers/store.js';

// Real processes, and PGlite opening its data directory in each: allow for a busy machine.
vi.setConfig({ testTimeout: 240_000, hookTimeout: 240_000 });

const ADMIN = { email: 'surge-admin@example.org', password: 'surge admin password 1' };
const SIGNUPS = 24;

describe(`a surge sign-up acknowledged before SIGKILL is there after a restart, once (${engine})`, () => {
  let store: PersistentStore;
  const servers: RunningServer[] = [];
  beforeAll(async () => {
    store = await createPersistentStore();
    const created = await runCli(['create-admin', '--email', ADMIN.email, '--name', 'Sunita Surge'], { ...store.env, ADMIN_PASSWORD: ADMIN.password });
    expect(created.code).toBe(0);
  });
  afterAll(async () => {
    for (const s of servers) await s.kill('SIGKILL');
    await store.dispose();
  });

  it('takes sign-ups (some sent twice) over HTTP, is killed at once, and the restarted server holds each exactly once', async () => {
    const first = await startServer({ ...store.env, SURGE_SIGNUP_RATE_LIMIT: '1000' });
    servers.push(first);
    const admin = new HttpClient(first.url);
    expect((await admin.submit('/sign-in', '/sign-in', { email: ADMIN.email, password: ADMIN.password })).status).toBe(303);
    expect((await admin.submit('/volunteering/surge', '/volunteering/surge', { on: 'yes', message: 'Flooding in Riverside: we need help' })).status).toBe(303);

    const visitor = new HttpClient(first.url);
    // The visitor's first page gives them their CSRF secret; the sign-ups then go together, as from one browser's tabs.
    expect((await visitor.get('/volunteer/surge')).status).toBe(200);
    const signUp = (n: number) => visitor.submit('/volunteer/surge', '/volunteer/surge', {
      signupKey: `durable-key-${String(n).padStart(8, '0')}`, fullName: `Durable Volunteer ${n}`, email: `durable-${n}@example.net`,
      phone: '', postcode: 'RV1 2AB', skills: 'driving', offer: '', consent: 'yes',
    });
    // Every other sign-up is sent twice at once, as a double click or a retry after a lost answer does.
    const answers = await Promise.all(Array.from({ length: SIGNUPS }, (_v, n) => (n % 2 ? [signUp(n), signUp(n)] : [signUp(n)])).flat());
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(answer.body).toContain('You have signed up');
    }

    // No time for anything to be flushed later: kill the moment the last acknowledgement arrived.
    const killed = await first.kill('SIGKILL');
    expect(killed.signal).toBe('SIGKILL');

    const second = await startServer(store.env);
    servers.push(second);
    expect((await new HttpClient(second.url).get('/volunteer/surge')).status).toBe(200);
    expect((await second.kill('SIGTERM')).code).toBe(0);

    const db = await store.open();
    try {
      // Each acknowledged sign-up is held, once, with the e-mail that asks the person to confirm it (sent by the job queue).
      const rows = await db.system.selectFrom('volunteer_signups').select('signup_key').where('via', '=', 'surge').execute();
      expect(rows.map((r) => r.signup_key).sort()).toEqual(Array.from({ length: SIGNUPS }, (_v, n) => `durable-key-${String(n).padStart(8, '0')}`));
      const mails = await db.system.selectFrom('email_messages').select('to_address').where('to_address', 'like', 'durable-%@example.net').execute();
      expect(mails).toHaveLength(SIGNUPS);
    } finally {
      await db.close();
    }
  });
});
