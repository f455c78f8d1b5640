import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestApp, signedInUser, type TestContext } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { buildTestAppOn } from '../helpers/store.js';
import type { Database } from '../../src/platform/db/index.js';
import { SurgeService } from '../../src/volunteering/surge/service.js';
import type { SignupValues } from '../../src/volunteering/surge/form.js';

// Surge sign-ups that arrive together are written in one transaction (group commit) and each answered after it.

let t: TestContext;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t.close(); });

const ORIGIN = 'http://surge.example';
const form = (n: number, signupKey: string): SignupValues => ({
  signupKey, fullName: `Batch Volunteer ${n}`, email: `batch-${n}@example.net`, phone: '', postcode: 'RV1 2AB', skills: ['driving'], offer: '', consent: 'yes',
});

async function lioInSurge() {
  const lio = await t.make.lio();
  const { client: admin } = await signedInUser(t, lio, { role: 'admin' });
  expect((await admin.submit('/volunteering/surge', '/volunteering/surge', { on: 'yes', message: 'Flooding in Riverside' })).status).toBe(303);
  return lio;
}

const heldKeys = async (lioId: string) => (await t.db.withTenant(lioId, (tx) => tx.selectFrom('volunteer_signups').select('signup_key').orderBy('signup_key').execute())).map((r) => r.signup_key);
const mailsTo = async (lioId: string) => (await t.db.withTenant(lioId, (tx) => tx.selectFrom('email_messages').select('to_address').orderBy('to_address').execute())).map((r) => r.to_address);

/** The test database, counting the tenant transactions begun on it, and failing them while `failing` says so. */
function watchedDatabase() {
  const watch = { transactions: 0, failing: false };
  const db: Database = {
    ...t.db,
    withTenant: (lioId, work) => {
      watch.transactions += 1;
      return watch.failing ? Promise.reject(new Error('the database went away')) : t.db.withTenant(lioId, work);
    },
  };
  return { db, watch };
}

describe('surge sign-ups written together', () => {
  it('holds a form sent twice in one batch once, with one e-mail, answers both as taken, in one transaction', async () => {
    const lio = await lioInSurge();
    const { db, watch } = watchedDatabase();
    const surge = new SurgeService({ db, clock: t.clock, config: t.config, jobs: t.app.jobs });
    const answers = await Promise.all([
      surge.signUp(lio.id, form(1, 'batch-key-aaaaaaaaaaaa'), ORIGIN, lio.name),
      surge.signUp(lio.id, form(1, 'batch-key-aaaaaaaaaaaa'), ORIGIN, lio.name),
      surge.signUp(lio.id, form(2, 'batch-key-bbbbbbbbbbbb'), ORIGIN, lio.name),
    ]);
    expect(answers).toEqual([
      { kind: 'taken', email: 'batch-1@example.net' }, { kind: 'taken', email: 'batch-1@example.net' }, { kind: 'taken', email: 'batch-2@example.net' },
    ]);
    expect(watch.transactions).toBe(1);
    expect(await heldKeys(lio.id)).toEqual(['batch-key-aaaaaaaaaaaa', 'batch-key-bbbbbbbbbbbb']);
    expect(await mailsTo(lio.id)).toEqual(['batch-1@example.net', 'batch-2@example.net']);

    // The same form in a later batch, beside a new one: still held once, and the new one is held.
    await Promise.all([
      surge.signUp(lio.id, form(1, 'batch-key-aaaaaaaaaaaa'), ORIGIN, lio.name),
      surge.signUp(lio.id, form(3, 'batch-key-cccccccccccc'), ORIGIN, lio.name),
    ]);
    expect(await heldKeys(lio.id)).toEqual(['batch-key-aaaaaaaaaaaa', 'batch-key-bbbbbbbbbbbb', 'batch-key-cccccccccccc']);
    expect(await mailsTo(lio.id)).toEqual(['batch-1@example.net', 'batch-2@example.net', 'batch-3@example.net']);
    // Each e-mail's link is its own sign-up's: following the first makes the first volunteer.
    const mail = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('email_messages').select('body_text').where('to_address', '=', 'batch-1@example.net').executeTakeFirstOrThrow());
    expect(await surge.confirm(lio.id, /\/volunteer\/surge\/confirm\/([A-Za-z0-9_-]+)/.exec(mail.body_text)![1]!)).toEqual({ known: false });
    expect(await heldKeys(lio.id)).toEqual(['batch-key-bbbbbbbbbbbb', 'batch-key-cccccccccccc']);
    // Sent again now, it is already a volunteer: nothing is held or sent; and with surge mode off, nothing is taken.
    expect(await surge.signUp(lio.id, form(1, 'batch-key-aaaaaaaaaaaa'), ORIGIN, lio.name)).toEqual({ kind: 'taken', email: 'batch-1@example.net' });
    expect(await heldKeys(lio.id)).toEqual(['batch-key-bbbbbbbbbbbb', 'batch-key-cccccccccccc']);
    expect(await mailsTo(lio.id)).toHaveLength(3);
    await t.db.withTenant(lio.id, (tx) => tx.updateTable('volunteering_settings').set({ surge_started_at: null }).where('lio_id', '=', lio.id).execute());
    expect(await surge.signUp(lio.id, form(4, 'batch-key-dddddddddddd'), ORIGIN, lio.name)).toEqual({ kind: 'closed' });
    expect(await heldKeys(lio.id)).toEqual(['batch-key-bbbbbbbbbbbb', 'batch-key-cccccccccccc']);
  });

  it('answers every sign-up of a batch that cannot be committed with an error, and holds none', async () => {
    const lio = await lioInSurge();
    const { db, watch } = watchedDatabase();
    const surge = new SurgeService({ db, clock: t.clock, config: t.config, jobs: t.app.jobs });
    watch.failing = true;
    const outcomes = await Promise.allSettled([1, 2, 2].map((n) => surge.signUp(lio.id, form(n, `failing-key-${n}-aaaaaaaaaa`), ORIGIN, lio.name)));
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(await heldKeys(lio.id)).toEqual([]);
    expect(await mailsTo(lio.id)).toEqual([]);
  });

  it('over HTTP, a sign-up whose batch failed gets the error page, never the acknowledgement', async () => {
    const lio = await lioInSurge();
    const { db, watch } = watchedDatabase();
    const { app } = await buildTestAppOn(db);
    try {
      const visitor = new Client(app, lio.host);
      const page = await visitor.get('/volunteer/surge');
      const csrf = String(page.$('input[name="_csrf"]').val());
      watch.failing = true;
      const answers = await Promise.all(['http-key-aaaaaaaaaaaaaa', 'http-key-aaaaaaaaaaaaaa', 'http-key-bbbbbbbbbbbbbb'].map((key, n) =>
        visitor.postRaw('/volunteer/surge', { ...form(n, key), _csrf: csrf })));
      for (const answer of answers) {
        expect(answer.status).toBe(500);
        expect(answer.body).not.toContain('You have signed up');
        expect(answer.$('h1').text()).toContain('Sorry, there is a problem with the service');
      }
      expect(await heldKeys(lio.id)).toEqual([]);
    } finally {
      await app.close();
    }
  });
});

describe('the surge form\'s rate limit, counted in memory', () => {
  it('holds an address to its limit at once in one process, and across processes once the counts are added to the database', async () => {
    const lio = await lioInSurge();
    // Only this test's address is counted in a row not there before it (the other tests here count theirs).
    const before = new Set((await t.db.system.selectFrom('rate_limit_hits').select('key_hash').execute()).map((r) => r.key_hash));
    const ours = async () => (await t.db.system.selectFrom('rate_limit_hits').select(['key_hash', 'hits']).execute()).filter((r) => !before.has(r.key_hash));
    const first = await buildTestAppOn(t.db, { config: { surgeSignupRateLimit: 3 } });
    const second = await buildTestAppOn(t.db, { config: { surgeSignupRateLimit: 3 } });
    try {
      const signUp = async (app: typeof first.app, n: number) => {
        const visitor = new Client(app, lio.host, '203.0.113.77');
        const page = await visitor.get('/volunteer/surge');
        return (await visitor.postRaw('/volunteer/surge', { ...form(n, `limited-key-${n}-aaaaaaaa`), _csrf: String(page.$('input[name="_csrf"]').val()) })).status;
      };
      expect([await signUp(first.app, 1), await signUp(first.app, 2), await signUp(first.app, 3), await signUp(first.app, 4)]).toEqual([200, 200, 200, 429]);
      // Nothing was written to count them until the counts are added (at the latest when the process closes).
      await first.app.close();
      const counted = await ours();
      expect(counted.map((c) => c.hits)).toEqual([4]);
      expect(JSON.stringify(counted)).not.toContain('203.0.113.77');

      // The second process answers its first request from its own count, then learns the total within the second.
      expect(await signUp(second.app, 5)).toBe(200);
      await vi.waitFor(async () => {
        expect((await ours()).map((c) => c.hits)).toEqual([5]);
      }, { timeout: 20_000, interval: 100 });
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await signUp(second.app, 6)).toBe(429);
    } finally {
      await second.app.close();
    }
  });

  it('a link followed twice at once (a double click) makes one volunteer and answers both without an error', async () => {
    const lio = await lioInSurge();
    const surge = new SurgeService({ db: t.db, clock: t.clock, config: t.config, jobs: t.app.jobs });
    await surge.signUp(lio.id, form(7, 'batch-key-double-click'), ORIGIN, lio.name);
    const mail = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('email_messages').select('body_text').where('to_address', '=', 'batch-7@example.net').executeTakeFirstOrThrow());
    const token = /\/volunteer\/surge\/confirm\/([A-Za-z0-9_-]+)/.exec(mail.body_text)![1]!;
    const answers = await Promise.all([surge.confirm(lio.id, token), surge.confirm(lio.id, token)]);
    // One made the volunteer; the other found them made (or, where the two ran one after the other, the link used).
    expect(answers).toContainEqual({ known: false });
    expect([{ known: true }, null]).toContainEqual(answers.find((a) => a?.known !== false) ?? null);
    const made = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('people').select('id').where('full_name', '=', 'Batch Volunteer 7').execute());
    expect(made).toHaveLength(1);
    // Nor does the second record an offer made again by the same form.
    const again = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('volunteer_events').select('id').where('kind', '=', 'surge.offered_again').execute());
    expect(again).toEqual([]);
  });
});
