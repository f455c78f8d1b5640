import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { directoryFactories, type DirectoryFactories } from '../helpers/directory-factories.js';
import { JobQueue } from '../../src/platform/jobs.js';
import { VERIFICATION_SWEEP_JOB, lioOrigin } from '../../src/directory/review/jobs.js';

/**
 * Listings that fall due are asked to confirm their details without anyone pressing a button: a recurring job in the
 * durable queue sweeps every LIO once a day, and asks each listing at most once per verification period.
 */

type Lio = Awaited<ReturnType<TestContext['make']['lio']>>;
const DAY = 86_400_000;

const sweepRuns = (t: TestContext) => t.db.system.selectFrom('jobs').select(['id', 'status', 'run_at', 'lio_id']).where('kind', '=', VERIFICATION_SWEEP_JOB).orderBy('id').execute();
const mailTo = (t: TestContext, lio: Lio, address: string, since = new Date(0)) => t.db.withTenant(lio.id, (tx) => tx.selectFrom('email_messages').select(['subject', 'body_text'])
  .where('to_address', '=', address).where('created_at', '>', since).execute());

describe('recurring jobs', () => {
  let t: TestContext;
  beforeAll(async () => { t = await createTestApp(); });
  afterAll(async () => { await t.close(); });

  it('keep exactly one run waiting, run once per interval, and carry on after a run that failed for good', async () => {
    const runs: number[] = [];
    let failing = false;
    const queue = new JobQueue(t.db, t.clock, pino({ level: 'silent' }), 50);
    queue.registerRecurring('test.nightly', DAY, async (job) => {
      runs.push(job.id);
      if (failing) throw new Error('the report server is down');
    });
    // Two processes starting together still leave one run waiting.
    const other = new JobQueue(t.db, t.clock, pino({ level: 'silent' }), 50);
    other.registerRecurring('test.nightly', DAY, async () => {});
    await Promise.all([queue.ensureRecurring(), other.ensureRecurring(), queue.ensureRecurring()]);
    const waiting = () => t.db.system.selectFrom('jobs').select(['id', 'status', 'run_at']).where('kind', '=', 'test.nightly').where('status', '=', 'queued').execute();
    expect(await waiting()).toHaveLength(1);

    expect(await queue.drain()).toBe(1);
    expect(runs).toHaveLength(1);
    const [next] = await waiting();
    expect(next!.run_at.getTime()).toBe(t.clock.now().getTime() + DAY);
    await queue.ensureRecurring();
    expect(await waiting()).toHaveLength(1);
    expect(await queue.drain()).toBe(0);

    t.clock.advance(DAY);
    expect(await queue.drain()).toBe(1);
    expect(runs).toHaveLength(2);

    // A run that fails is retried with backoff (no second run queued meanwhile); once it has failed for good the next day's run is queued.
    failing = true;
    t.clock.advance(DAY);
    for (let attempt = 1; attempt <= 3; attempt++) {
      await queue.drain();
      expect(await waiting(), `after attempt ${attempt}`).toHaveLength(1);
      t.clock.advance(60 * 60_000);
    }
    expect(runs).toHaveLength(5);
    const failed = await t.db.system.selectFrom('jobs').select('status').where('kind', '=', 'test.nightly').where('status', '=', 'failed').execute();
    expect(failed).toHaveLength(1);
    expect((await waiting())[0]!.run_at.getTime()).toBeGreaterThan(t.clock.now().getTime());
  });
});

describe('the daily verification sweep', () => {
  let t: TestContext;
  let d: DirectoryFactories;
  beforeAll(async () => { t = await createTestApp(); d = directoryFactories(t.db); });
  afterAll(async () => { await t.close(); });

  it('e-mails the due listings of every LIO once a day, and a listing only once per verification period', async () => {
    const now = t.clock.now().getTime();
    const riverside = await t.make.lio({ name: 'Riverside Community Action' });
    const hillside = await t.make.lio({ name: 'Hillside CVS' });
    const due = await d.organisation(riverside, { name: 'Weavers Community Garden', email: 'weavers@example.org', lastVerifiedAt: null });
    const nearlyDue = await d.organisation(riverside, { name: 'Canal Boat Club', email: 'canal@example.org', lastVerifiedAt: new Date(now - 365 * DAY + DAY / 2) });
    await d.organisation(riverside, { name: 'Recently Checked', email: 'fresh@example.org', lastVerifiedAt: new Date(now) });
    // Falls due on day 18 of the period, when the first listing was asked more than 14 days before.
    await d.organisation(riverside, { name: 'Late Bloomers', email: 'late@example.org', lastVerifiedAt: new Date(now - 365 * DAY + 18 * DAY) });
    const otherLio = await d.organisation(hillside, { name: 'Hillside Youth Project', email: 'youth@example.org', lastVerifiedAt: new Date(now - 400 * DAY) });

    await t.app.jobs.ensureRecurring();
    await t.app.jobs.drain();
    const [first] = await mailTo(t, riverside, 'weavers@example.org');
    expect(first!.subject).toBe('Is the listing of Weavers Community Garden still right?');
    expect(first!.body_text).toMatch(new RegExp(`http://${riverside.host.replace(/\./g, '\\.')}/verify/[A-Za-z0-9_-]{40,}`));
    expect(await mailTo(t, hillside, 'youth@example.org')).toHaveLength(1);
    expect(await mailTo(t, riverside, 'canal@example.org')).toEqual([]);
    expect(await mailTo(t, riverside, 'fresh@example.org')).toEqual([]);
    const events = await t.db.withTenant(riverside.id, (tx) => tx.selectFrom('organisation_events').select(['actor_label', 'summary']).where('organisation_id', '=', due.id).where('kind', '=', 'verification_sent').execute());
    expect(events).toEqual([{ actor_label: 'Daily verification sweep', summary: 'Verification e-mail sent to weavers@example.org' }]);
    const audit = await t.db.withTenant(riverside.id, (tx) => tx.selectFrom('audit_events').select(['action', 'actor_user_id', 'actor_label', 'detail']).where('action', '=', 'organisation.verification_requested').execute());
    expect(audit).toEqual([{ action: 'organisation.verification_requested', actor_user_id: null, actor_label: 'Daily verification sweep', detail: { listings: 1, automatic: true } }]);

    // Tomorrow's run is already waiting; it asks the listing that has fallen due since, and not the one asked yesterday.
    const runs = await sweepRuns(t);
    expect(runs.map((r) => r.status)).toEqual(['done', 'queued']);
    expect(runs[1]!.run_at.getTime()).toBe(t.clock.now().getTime() + DAY);
    t.clock.advance(DAY);
    await t.app.jobs.drain();
    expect(await mailTo(t, riverside, 'canal@example.org')).toHaveLength(1);
    expect(await mailTo(t, riverside, 'weavers@example.org')).toHaveLength(1);

    // Past the 14 days after which staff may send again, the sweep still leaves the listing be for the rest of the period.
    for (let day = 0; day < 20; day++) {
      t.clock.advance(DAY);
      await t.app.jobs.drain();
    }
    expect(await mailTo(t, riverside, 'late@example.org')).toHaveLength(1);
    expect(await mailTo(t, riverside, 'weavers@example.org')).toHaveLength(1);
    expect(await mailTo(t, hillside, 'youth@example.org')).toHaveLength(1);
    expect((await sweepRuns(t)).filter((r) => r.status === 'done')).toHaveLength(22);

    // The listing confirms by its link: it leaves the queue and is not asked again, even after the period.
    const link = /\/verify\/[A-Za-z0-9_-]+/.exec(first!.body_text)![0];
    await new Client(t.app, riverside.host).submit(link, link, {});
    const verified = await t.db.withTenant(riverside.id, (tx) => tx.selectFrom('organisations').select('last_verified_at').where('id', '=', due.id).executeTakeFirstOrThrow());
    expect(verified.last_verified_at).toEqual(t.clock.now());

    // A year on, the listings that did not answer are asked again, once; the confirmed one falls due again only now.
    // (The outbox keeps an e-mail for a year, by the admin capability's retention rule: count those made since.)
    const beforeTheYear = t.clock.now();
    t.clock.advance(345 * DAY);
    await t.app.jobs.drain();
    expect(await mailTo(t, hillside, 'youth@example.org', beforeTheYear)).toHaveLength(1);
    expect(await mailTo(t, riverside, 'weavers@example.org', beforeTheYear)).toHaveLength(0);
    t.clock.advance(30 * DAY);
    await t.app.jobs.drain();
    expect(await mailTo(t, riverside, 'weavers@example.org', beforeTheYear)).toHaveLength(1);
    expect(await mailTo(t, hillside, 'youth@example.org', beforeTheYear)).toHaveLength(1);
    void nearlyDue; void otherLio;
  });

  it('points the links of the default LIO at BASE_URL and of any other LIO at its own address', () => {
    expect(lioOrigin({ is_default: true, hostnames: ['riverside.example'] }, 'https://cg.example.org')).toBe('https://cg.example.org');
    expect(lioOrigin({ is_default: false, hostnames: [] }, 'https://cg.example.org')).toBe('https://cg.example.org');
    expect(lioOrigin({ is_default: false, hostnames: ['hillside.example', 'www.hillside.example'] }, 'https://cg.example.org')).toBe('https://hillside.example');
  });
});

describe('the running worker', () => {
  let t: TestContext;
  beforeAll(async () => { t = await createTestApp({ config: { worker: { pollMs: 50, enabled: true } } }); });
  afterAll(async () => { await t.close(); });

  it('starts the sweep by itself when the app starts: a due listing is e-mailed with no one asking', async () => {
    const lio = await t.make.lio();
    await directoryFactories(t.db).organisation(lio, { name: 'Forgotten Allotment Society', email: 'allotments@example.org', lastVerifiedAt: null });
    // The sweep queued at start may already have run (or be running) before the listing existed: bring the next
    // one forward, again each time round, since a sweep running now queues its successor only when it ends.
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && (await mailTo(t, lio, 'allotments@example.org')).length === 0) {
      await t.db.system.updateTable('jobs').set({ run_at: t.clock.now() }).where('kind', '=', VERIFICATION_SWEEP_JOB).where('status', '=', 'queued').execute();
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await mailTo(t, lio, 'allotments@example.org')).toHaveLength(1);
    // The sweep that sent it queues its successor as it ends, which may be a moment after its e-mail was committed.
    const queued = async () => (await sweepRuns(t)).filter((r) => r.status === 'queued');
    const successorBy = Date.now() + 20_000;
    while (Date.now() < successorBy && (await queued()).length === 0) await new Promise((r) => setTimeout(r, 100));
    expect(await queued()).toHaveLength(1);
  });
});
