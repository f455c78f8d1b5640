/**
 * Referrals at the size of a busy LIO's few years: how long the figures (page, panel and CSV share one query set) and
 * one run of the chasers take. PGlite in a temporary folder; REFERRALS_BENCH_N referrals (default 20000) over
 * N/4 volunteers and 200 roles of 100 organisations, referred over the last three years, a tenth still waiting for
 * contact (so a first chaser run reminds them all).
 *
 *   node --import tsx bench/volunteering-referrals.ts
 *
 * Prints one JSON object: {referrals, figures_ms: {year, month} (median of 5), chaser_first_run_ms, chased, chaser_idle_run_ms}.
 * Targets: the figures under 500 ms for a year; a chaser run with nothing to do under 200 ms.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { sql } from 'kysely';
import { loadConfig } from '../src/platform/config.js';
import { openDatabase } from '../src/platform/db/index.js';
import { migrate } from '../src/platform/db/migrate.js';
import { systemClock } from '../src/platform/clock.js';
import { JobQueue } from '../src/platform/jobs.js';
import { ReferralsService } from '../src/volunteering/referrals/service.js';
import { registerPolicy } from '../src/platform/auth/policy.js';
import { volunteeringPolicy } from '../src/volunteering/policy.js';

registerPolicy('volunteering', volunteeringPolicy);

const N = Number(process.env.REFERRALS_BENCH_N ?? 20000);
if (!(Number.isInteger(N) && N >= 100)) throw new Error('REFERRALS_BENCH_N must be a whole number of at least 100');

const dir = await mkdtemp(path.join(tmpdir(), 'referrals-bench-'));
const config = loadConfig({ LOG_LEVEL: 'silent', DATA_DIR: path.join(dir, 'data') }, { worker: { pollMs: 1000, enabled: false } });
const db = await openDatabase(config);
try {
  await migrate(db);
  const lio = await db.system.insertInto('lios').values({ slug: 'bench', name: 'Bench LIO', is_default: true }).returning('id').executeTakeFirstOrThrow();
  const volunteers = Math.ceil(N / 4);
  await db.withTenant(lio.id, async (tx) => {
    await sql`insert into organisations (lio_id, name, email, created_at, updated_at)
      select ${lio.id}, 'Group ' || g, 'group' || g || '@bench.example', now(), now() from generate_series(1, 100) g`.execute(tx);
    await sql`insert into opportunities (lio_id, organisation_id, title, description, schedule, places, status, created_at, updated_at)
      select ${lio.id}, o.id, 'Role ' || g, 'A role.', 'regular', 10000, 'published', now(), now()
      from generate_series(1, 200) g join lateral (select id from organisations order by name offset (g % 100) limit 1) o on true`.execute(tx);
    await sql`insert into people (lio_id, full_name, emails, created_at, updated_at)
      select ${lio.id}, 'Volunteer ' || g, array['v' || g || '@bench.example'], now(), now() from generate_series(1, ${volunteers}) g`.execute(tx);
    await sql`insert into volunteers (lio_id, person_id, status, registered_via, created_at, updated_at)
      select ${lio.id}, id, 'active', 'online', created_at - (random() * interval '1000 days'), now() from people`.execute(tx);
    // Each referral a distinct (volunteer, role) pair, so the one-open-referral index holds.
    await sql`with v as (select id, row_number() over () - 1 as n from volunteers), o as (select id, organisation_id, row_number() over () - 1 as n from opportunities),
      g as (select g, now() - (random() * interval '1095 days') as at from generate_series(0, ${N - 1}) g)
      insert into referrals (lio_id, volunteer_id, opportunity_id, organisation_id, status, enquired_at, referred_at, contacted_at, started_at, created_at, updated_at)
      select ${lio.id}, v.id, o.id, o.organisation_id,
        case when g.g % 10 = 0 then 'referred' when g.g % 3 = 0 then 'started' else 'contacted' end,
        g.at, g.at, case when g.g % 10 = 0 then null else g.at + random() * interval '9 days' end, case when g.g % 10 <> 0 and g.g % 3 = 0 then g.at + interval '12 days' end, g.at, g.at
      from g join v on v.n = g.g % ${volunteers} join o on o.n = (g.g / ${volunteers} + g.g) % 200`.execute(tx);
    await sql`analyze`.execute(tx);
  });
  const jobs = new JobQueue(db, systemClock, pino({ level: 'silent' }), 1000);
  const service = new ReferralsService({ db, clock: systemClock, jobs });
  const actor = { id: '00000000-0000-4000-8000-000000000000', lioId: lio.id, email: 'bench@bench.example', displayName: 'Bench', role: 'admin' as const, permissionSets: [], organisationId: null };
  const today = new Date().toISOString().slice(0, 10);
  const yearAgo = `${Number(today.slice(0, 4)) - 1}${today.slice(4)}`;
  const timed = async (fn: () => Promise<unknown>) => { const t0 = performance.now(); await fn(); return performance.now() - t0; };
  const median = async (fn: () => Promise<unknown>) => {
    const runs: number[] = [];
    for (let i = 0; i < 5; i++) runs.push(await timed(fn));
    return Number(runs.sort((a, b) => a - b)[2]!.toFixed(1));
  };
  const figuresYear = await median(() => service.figures(actor, { from: yearAgo, to: today }));
  const figuresMonth = await median(() => service.figures(actor, { from: `${today.slice(0, 8)}01`, to: today }));
  let chased = 0;
  const first = await timed(async () => { chased = (await service.chase(lio.id, 'http://127.0.0.1')).chased; });
  const idle = await timed(() => service.chase(lio.id, 'http://127.0.0.1'));
  console.log(JSON.stringify({
    referrals: N, figures_ms: { year: figuresYear, month: figuresMonth }, chaser_first_run_ms: Math.round(first), chased, chaser_idle_run_ms: Number(idle.toFixed(1)),
  }));
} finally {
  await db.close();
  await rm(dir, { recursive: true, force: true });
}
