/**
 * Support figures at the size of a county LIO's five years: the figures of a period (page, CSV, home panels and the
 * insight capability all read the one `supportFigures`) over 50,000 cases, 200,000 notes, 20,000 applications
 * supported, 50,000 training bookings and 200,000 bulletin recipients (BENCH_SCALE=0.1 for a tenth).
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench node --import tsx bench/support-figures.ts
 *   node --import tsx bench/support-figures.ts            (PGlite in a temporary folder)
 *
 * Requests are drawn from a realistic mix of BENCH_REQUESTS (400) periods with skewed popularity: this month and
 * this quarter so far most of all (the home panels), then recent months and quarters, financial years, and odd
 * ranges a funder asks for. For each it times the whole call as the app makes it (a tenant transaction with
 * row-level security, every query, the rows back) and, in the same run, the raw SQL: one hand-written statement
 * computing the same figures on the owner's connection (no tenant transaction, no row-level security). Nothing is
 * cached, so the cache share is 0 and every request is an uncached one. Prints JSON.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import type { Database } from '../src/platform/db/index.js';
import type { Period } from '../src/platform/http/period.js';
import { summary } from './stats.js';

const SCALE = Number(process.env.BENCH_SCALE ?? 1);
const N = {
  organisations: Math.round(3000 * SCALE), people: Math.round(20_000 * SCALE), cases: Math.round(50_000 * SCALE), notes: Math.round(200_000 * SCALE),
  outcomes: Math.round(20_000 * SCALE), applications: Math.round(20_000 * SCALE), sessions: Math.round(2500 * SCALE), bookings: Math.round(50_000 * SCALE),
  bulletins: Math.max(1, Math.round(200 * SCALE)), recipientsPerBulletin: 1000,
};
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 400);
const SLUG = 'bench-support-figures';
const YEARS = 5;

async function generate(db: Database, log: (m: string) => void): Promise<string> {
  await sql`delete from lios where slug = ${SLUG}`.execute(db.system);
  const lio = (await db.system.insertInto('lios').values({ slug: SLUG, name: 'Support figures benchmark', hostnames: ['bench-support.localhost'], is_default: false })
    .returning('id').executeTakeFirstOrThrow()).id;
  const started = Date.now();
  const days = YEARS * 365;
  const run = async (what: string, query: ReturnType<typeof sql>) => {
    await query.execute(db.system);
    log(`${what} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  };
  await run('organisations', sql`insert into organisations (lio_id, name, created_at, updated_at) select ${lio}, 'Group ' || g, now(), now() from generate_series(1, ${N.organisations}::int) g`);
  await run('people', sql`insert into people (lio_id, full_name, emails, contact_methods) select ${lio}, 'Person ' || g, array['p' || g || '@bench.example'], array['email']
    from generate_series(1, ${N.people}::int) g`);
  // Cases opened over five years, busier lately, each closed within four months of opening or still open when recent. A few busy groups ask most.
  await run('cases', sql`with orgs as (select array_agg(id order by id) as ids from organisations where lio_id = ${lio})
    insert into support_cases (lio_id, reference, organisation_id, topic, title, request, asked_via, status, opened_on, closed_on)
    select ${lio}, 'SC-' || g, orgs.ids[1 + floor(power(random(), 2) * ${N.organisations})::int],
      (array['setting_up','governance','charity_registration','funding','funding','funding','finance','policies_safeguarding','volunteers','premises','digital','other'])[1 + floor(random() * 12)::int],
      'Case ' || g, 'Help asked for.', 'phone', case when c.closed then 'closed' else 'open' end, c.opened, case when c.closed then c.opened + floor(random() * least(120, current_date - c.opened + 1))::int end
    from orgs, generate_series(1, ${N.cases}::int) g
    cross join lateral (select current_date - floor(power(random(), 1.5) * ${days})::int as opened where g > 0) o
    cross join lateral (select o.opened, o.opened < current_date - 180 or random() < 0.5 as closed) c`);
  await run('notes', sql`insert into support_case_notes (lio_id, case_id, body, minutes_spent, worked_on)
    select ${lio}, c.id, 'Worked on it.', (array[15, 30, 30, 45, 60, 90, 120])[1 + floor(random() * 7)::int], c.opened_on + floor(random() * least(60, current_date - c.opened_on + 1))::int
    from (select id, opened_on, row_number() over (order by id) as n from support_cases where lio_id = ${lio}) c
    join generate_series(1, ${N.notes}::int) g on c.n = 1 + (g * 7919) % ${N.cases}`);
  await run('outcomes', sql`insert into support_outcomes (lio_id, case_id, kind, achieved_on)
    select ${lio}, c.id, (array['policy_adopted','registered_charity','incorporated','governance_improved','finance_improved','volunteers_recruited','premises_secured','digital_improved','other'])[1 + floor(random() * 9)::int],
      c.opened_on + floor(random() * least(90, current_date - c.opened_on + 1))::int
    from (select id, opened_on, row_number() over (order by id) as n from support_cases where lio_id = ${lio}) c
    join generate_series(1, ${N.outcomes}::int) g on c.n = 1 + (g * 104729) % ${N.cases}`);
  await run('applications', sql`insert into funding_applications (lio_id, organisation_id, case_id, funder_name, amount_requested, status, submitted_on, decision_on, amount_awarded)
    select ${lio}, c.organisation_id, c.id, 'Funder ' || (g % 40), a.requested, a.status, c.opened_on,
      case when a.status in ('awarded', 'declined') then c.opened_on + floor(random() * least(120, current_date - c.opened_on + 1))::int end,
      case when a.status = 'awarded' then round(a.requested * (0.5 + random() / 2)::numeric, 2) end
    from (select id, organisation_id, opened_on, row_number() over (order by id) as n from support_cases where lio_id = ${lio}) c
    join generate_series(1, ${N.applications}::int) g on c.n = 1 + (g * 15485863::bigint) % ${N.cases}
    cross join lateral (select round((500 + power(random(), 3) * 99500)::numeric, 2) as requested,
      (array['awarded','awarded','awarded','declined','declined','submitted','in_preparation','withdrawn'])[1 + floor(random() * 8)::int] as status where g > 0) a`);
  await run('sessions', sql`with course as (insert into courses (lio_id, title, summary, description) values (${lio}, 'Trustee basics', 'For trustees.', 'What trustees do.') returning id)
    insert into course_sessions (lio_id, course_id, starts_at, ends_at, venue, capacity)
    select ${lio}, course.id, t, t + interval '2 hours', 'Hub', 30 from course, generate_series(1, ${N.sessions}::int) g
    cross join lateral (select date_trunc('hour', now() - (random() * ${days}) * interval '1 day') as t where g > 0) s`);
  await run('bookings', sql`insert into course_bookings (lio_id, session_id, person_id, organisation_id, status, attended)
    select ${lio}, s.id, p.id, case when random() < 0.7 then o.id end, 'booked', case when random() < 0.85 then random() < 0.9 end
    from generate_series(1, ${N.bookings}::int) g
    join (select id, row_number() over (order by id) as n from course_sessions where lio_id = ${lio}) s on s.n = 1 + g % ${N.sessions}
    join (select id, row_number() over (order by id) as n from people where lio_id = ${lio}) p on p.n = 1 + (g / 5) % ${N.people}
    join (select id, row_number() over (order by id) as n from organisations where lio_id = ${lio}) o on o.n = 1 + (g * 31) % ${N.organisations}`);
  await run('bulletins', sql`with b as (
      insert into bulletins (lio_id, subject, introduction, segment, status, recipients_count, sent_at)
      select ${lio}, 'Bulletin ' || g, 'News.', 'all_groups', 'sent', ${N.recipientsPerBulletin}, now() - (g * ${days / N.bulletins}::float8) * interval '1 day'
      from generate_series(1, ${N.bulletins}::int) g returning id, sent_at)
    insert into bulletin_recipients (lio_id, bulletin_id, email, status, unsubscribe_token_hash, sent_at, opened_at)
    select ${lio}, b.id, 'r' || r || '@bench.example', 'sent', md5(b.id::text || r), b.sent_at + (r % 60) * interval '1 second',
      case when random() < 0.4 then b.sent_at + interval '3 hours' end
    from b cross join generate_series(1, ${N.recipientsPerBulletin}::int) r`);
  await run('spend', sql`insert into support_spend (lio_id, period_start, period_end, amount, description)
    select ${lio}, q, (q + interval '3 months - 1 day')::date, round((20000 + random() * 20000)::numeric, 2), 'Quarter'
    from generate_series(date_trunc('quarter', current_date - ${days}::int), date_trunc('quarter', current_date), interval '3 months') q`);
  // As autovacuum would soon after a bulk load: statistics, and the visibility map that lets covering indexes answer alone.
  for (const table of ['support_cases', 'support_case_notes', 'support_outcomes', 'funding_applications', 'course_sessions', 'course_bookings', 'bulletin_recipients', 'support_spend']) {
    await sql`vacuum analyze ${sql.table(table)}`.execute(db.system);
  }
  log(`generated in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return lio;
}

const iso = (d: Date) => d.toISOString().slice(0, 10);
const utc = (y: number, m: number, d: number) => new Date(Date.UTC(y, m, d));

/** Distinct periods, most asked first: the home panels' month and quarter so far, recent months and quarters, years, odd ranges. */
function periodPool(today: string): Period[] {
  const [y, m, d] = today.split('-').map(Number) as [number, number, number];
  const pool: Period[] = [{ from: iso(utc(y, m - 1, 1)), to: today }, { from: iso(utc(y, m - 1 - ((m - 1) % 3), 1)), to: today }];
  for (let back = 1; back <= 36; back++) pool.push({ from: iso(utc(y, m - 1 - back, 1)), to: iso(utc(y, m - back, 0)) });
  for (let back = 1; back <= 16; back++) {
    const first = m - 1 - ((m - 1) % 3) - 3 * back;
    pool.push({ from: iso(utc(y, first, 1)), to: iso(utc(y, first + 3, 0)) });
  }
  for (let back = 0; back < YEARS; back++) pool.push({ from: iso(utc(y - back - (m >= 4 ? 0 : 1), 3, 1)), to: iso(utc(y - back + (m >= 4 ? 1 : 0), 2, 31)) });
  // Odd ranges a funder asks for: a project's dates.
  let seed = 7;
  const next = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
  for (let i = 0; i < 60; i++) {
    const start = utc(y, m - 1, d - Math.floor(next() * 365 * YEARS));
    pool.push({ from: iso(start), to: iso(new Date(Math.min(Date.parse(`${today}T00:00:00Z`), start.getTime() + Math.floor(30 + next() * 500) * 86_400_000))) });
  }
  return pool;
}

/** Requests drawn from the pool with Zipf-like popularity (the i-th period asked about in proportion to 1/(i+1)). */
function requests(pool: Period[], n: number): Period[] {
  const weights = pool.map((_, i) => 1 / (i + 1));
  const total = weights.reduce((a, b) => a + b, 0);
  let seed = 11;
  const next = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
  return Array.from({ length: n }, () => {
    let r = next() * total;
    const i = weights.findIndex((w) => (r -= w) <= 0);
    return pool[i < 0 ? pool.length - 1 : i]!;
  });
}

/** The same figures as one hand-written statement on the owner's connection: what the database alone costs. */
const rawFigures = (lio: string, p: Period) => sql`select
  (select count(*) from (select organisation_id from support_cases where lio_id = ${lio} and opened_on <= ${p.to}::date and coalesce(closed_on, 'infinity'::date) >= ${p.from}::date
     union select organisation_id from support_cases where lio_id = ${lio} and id in (select case_id from support_case_notes where lio_id = ${lio} and worked_on between ${p.from}::date and ${p.to}::date)) g) as groups,
  (select json_agg(t) from (select topic, count(*) filter (where opened_on between ${p.from}::date and ${p.to}::date) as opened, count(*) filter (where closed_on between ${p.from}::date and ${p.to}::date) as closed
     from support_cases where lio_id = ${lio} and (opened_on between ${p.from}::date and ${p.to}::date or closed_on between ${p.from}::date and ${p.to}::date) group by topic) t) as topics,
  (select sum(minutes_spent) from support_case_notes where lio_id = ${lio} and worked_on between ${p.from}::date and ${p.to}::date) as minutes,
  (select json_agg(k) from (select kind, count(*) from support_outcomes where lio_id = ${lio} and achieved_on between ${p.from}::date and ${p.to}::date group by kind) k) as outcomes,
  (select sum(amount_awarded) from funding_applications where lio_id = ${lio} and status = 'awarded' and decision_on between ${p.from}::date and ${p.to}::date) as secured,
  (select count(*) from funding_applications where lio_id = ${lio} and submitted_on between ${p.from}::date and ${p.to}::date) as submitted,
  (select count(distinct b.person_id) from course_sessions s join course_bookings b on b.session_id = s.id and b.attended where s.lio_id = ${lio}
     and s.starts_at >= (${p.from}::date::timestamp at time zone 'Europe/London') and s.starts_at < ((${p.to}::date + 1)::timestamp at time zone 'Europe/London')) as trained,
  (select count(opened_at) from bulletin_recipients where lio_id = ${lio} and status = 'sent'
     and sent_at >= (${p.from}::date::timestamp at time zone 'Europe/London') and sent_at < ((${p.to}::date + 1)::timestamp at time zone 'Europe/London')) as opened,
  (select sum(round(amount * (least(period_end, ${p.to}::date) - greatest(period_start, ${p.from}::date) + 1) / (period_end - period_start + 1), 2))
     from support_spend where lio_id = ${lio} and period_start <= ${p.to}::date and period_end >= ${p.from}::date) as spend`;


async function main() {
  const { loadConfig } = await import('../src/platform/config.js');
  const { openDatabase } = await import('../src/platform/db/index.js');
  const { migrate } = await import('../src/platform/db/migrate.js');
  const { leverageFigures, supportFigures } = await import('../src/support/figures/service.js');
  const { londonDay } = await import('../src/platform/validation/dates.js');
  const dir = process.env.DATABASE_URL ? null : await mkdtemp(path.join(tmpdir(), 'support-figures-bench-'));
  const config = loadConfig({ ...process.env, ...(dir ? { DATA_DIR: path.join(dir, 'data') } : {}), LOG_LEVEL: 'silent' } as NodeJS.ProcessEnv);
  const db = await openDatabase(config);
  const log = (m: string) => console.error(m);
  try {
    await migrate(db);
    const held = await db.system.selectFrom('lios').select('id').where('slug', '=', SLUG).executeTakeFirst();
    const count = held ? Number((await sql<{ n: number }>`select count(*)::int as n from support_case_notes where lio_id = ${held.id}`.execute(db.system)).rows[0]!.n) : 0;
    const lio = held && count === N.notes && !process.env.BENCH_REGENERATE ? held.id : await generate(db, log);
    const today = londonDay(new Date());
    const pool = periodPool(today);
    const mix = requests(pool, REQUESTS);
    // A warm-up pass over a few, so the first samples do not measure a cold cache alone.
    for (const p of pool.slice(0, 5)) await db.withTenant(lio, (tx) => supportFigures(tx, p));
    const call: number[] = [];
    const raw: number[] = [];
    const panel: number[] = [];
    for (const p of mix) {
      let t0 = performance.now();
      await db.withTenant(lio, (tx) => supportFigures(tx, p));
      call.push(performance.now() - t0);
      t0 = performance.now();
      await rawFigures(lio, p).execute(db.system);
      raw.push(performance.now() - t0);
    }
    // The home panel: this month's figures and this quarter's leverage, read together on each home page of an adviser.
    for (let i = 0; i < 30; i++) {
      const t0 = performance.now();
      await db.withTenant(lio, async (tx) => { await supportFigures(tx, pool[0]!); await leverageFigures(tx, pool[1]!); });
      panel.push(performance.now() - t0);
    }
    const callMs = summary(call);
    const rawMs = summary(raw);
    console.log(JSON.stringify({
      engine: db.engine, rows: { cases: N.cases, notes: N.notes, outcomes: N.outcomes, applications: N.applications, bookings: N.bookings, bulletin_recipients: N.bulletins * N.recipientsPerBulletin },
      requests: mix.length, distinct_periods: new Set(mix.map((p) => `${p.from}/${p.to}`)).size, cache_share: 0,
      figures_call_ms: callMs, raw_sql_ms: rawMs, ratio_p50: +(callMs.p50 / rawMs.p50).toFixed(2), ratio_p95: +(callMs.p95 / rawMs.p95).toFixed(2),
      home_panel_ms: summary(panel), targets_p95_ms: { figures_call: 250, home_panel: 400 },
    }, null, 2));
  } finally {
    await db.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
