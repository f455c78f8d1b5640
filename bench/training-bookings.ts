/**
 * Training benchmark: the public listing of upcoming sessions (/training's query, with its filters) and booking a place
 * (the session locked, the person found or made by e-mail, the booking and its e-mail written), on a generated LIO of
 * BENCH_COURSES courses (500) with BENCH_SESSIONS sessions (20,000) over the last and next year and bookings on them
 * (most on a popular few, about one in eight sessions full with a waiting list).
 *
 *   node --import tsx bench/training-bookings.ts
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench node --import tsx bench/training-bookings.ts
 *
 * The listing is asked BENCH_SAMPLES (400) distinct ways (theme × month × online × page, the common ones more often),
 * each timed as the app makes it (a tenant transaction with row-level security, both its queries, the rows back) and,
 * beside it, the execution time of the same two queries as PostgreSQL reports it (EXPLAIN ANALYZE), added. Bookings: BENCH_BOOKINGS
 * (400) distinct people booking sessions chosen with a Zipf-like skew, timed through the service, against a bare
 * insert of a booking row in its own tenant transaction in the same run. Nothing is cached (cache share 0). Prints JSON.
 */
import { pathToFileURL } from 'node:url';
import { sql } from 'kysely';
import type { Database } from '../src/platform/db/index.js';
import { summary } from './stats.js';

const COURSES = Number(process.env.BENCH_COURSES ?? 500);
const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 20_000);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 400);
const BOOKINGS = Number(process.env.BENCH_BOOKINGS ?? 400);
const SLUG = 'bench-training';
const THEMES = ['community', 'digital', 'money', 'families', 'safety', 'health', 'mental_health', 'learning', 'environment', 'older', 'food', 'arts'];

async function generate(db: Database, log: (m: string) => void): Promise<string> {
  await sql`delete from lios where slug = ${SLUG}`.execute(db.system);
  const lio = await db.system.insertInto('lios').values({ slug: SLUG, name: 'Training benchmark', hostnames: ['bench-training.localhost'], is_default: false }).returning('id').executeTakeFirstOrThrow();
  const started = Date.now();
  await sql`insert into courses (lio_id, title, summary, description, themes, certificate, status)
    select ${lio.id}, 'Course ' || g, 'A benchmark course.', 'What it covers.',
      array[(${THEMES}::text[])[1 + floor(power(random(), 2) * ${THEMES.length})::int], (${THEMES}::text[])[1 + floor(random() * ${THEMES.length})::int]],
      random() < 0.5, case when random() < 0.9 then 'published' else 'draft' end
    from generate_series(1, ${COURSES}::int) g`.execute(db.system);
  await sql`insert into course_sessions (lio_id, course_id, starts_at, ends_at, venue, online_url, capacity, status)
    select ${lio.id}, c.id, t, t + interval '2 hours', case when online then null else 'Community Centre' end,
      case when online then 'https://meet.example.org/s' else null end, (array[8, 10, 12, 12, 15, 20, 30])[1 + floor(random() * 7)::int],
      case when random() < 0.03 then 'cancelled' else 'scheduled' end
    from generate_series(1, ${SESSIONS}::int) g
    cross join lateral (select now() + ((random() * 730 - 365) || ' days')::interval + (g * 0)::int * interval '1 day' as t, random() < 0.25 as online) s
    join lateral (select id from courses where lio_id = ${lio.id} order by id offset floor(power(random(), 2) * ${COURSES})::int + (g * 0) limit 1) c on true`.execute(db.system);
  log(`sessions ${SESSIONS} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  // Attendees, and bookings: a session's share of its places rises with its popularity; one in eight is over-full.
  await sql`insert into people (lio_id, full_name, emails, contact_methods)
    select ${lio.id}, 'Attendee ' || g, array['a' || g || '@bench.example'], array['email'] from generate_series(1, ${SESSIONS * 3}::int) g`.execute(db.system);
  await sql`
    with s as (select id, capacity, row_number() over (order by random()) as n from course_sessions where lio_id = ${lio.id}),
         p as (select id, row_number() over () as n from people where lio_id = ${lio.id}),
         want as (select s.id, s.capacity, least(s.capacity + 3, ceil(s.capacity * (case when s.n % 8 = 0 then 1.3 else random() end))::int) as k, s.n from s)
    insert into course_bookings (lio_id, session_id, person_id, status, waiting_since)
    select ${lio.id}, w.id, p.id, case when i <= w.capacity then 'booked' else 'waiting' end, case when i <= w.capacity then null else now() end
    from want w cross join lateral generate_series(1, w.k) i join p on p.n = 1 + ((w.n * 31 + i * 7919) % ${SESSIONS * 3})`.execute(db.system);
  await sql`analyze courses; analyze course_sessions; analyze course_bookings; analyze people`.execute(db.system);
  log(`generated in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return lio.id;
}

/** The i-th of n choices, the first ones far more often (Zipf-like). */
const skewedIndex = (n: number) => Math.min(n - 1, Math.floor(n * Math.pow(Math.random(), 3)));

/** Distinct filter combinations, the common (no filter, this month, first page) asked most. */
function listingMix(now: Date) {
  const months = Array.from({ length: 12 }, (_v, i) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + i, 15)).toISOString().slice(0, 7));
  const seen = new Set<string>();
  const mix: { theme: string; month: string; online: boolean; page: number }[] = [];
  while (mix.length < SAMPLES && seen.size < 5000) {
    const f = { theme: Math.random() < 0.4 ? '' : THEMES[skewedIndex(THEMES.length)]!, month: Math.random() < 0.5 ? '' : months[skewedIndex(12)]!, online: Math.random() < 0.2, page: 1 + skewedIndex(5) };
    const key = JSON.stringify(f);
    if (!seen.has(key)) { seen.add(key); mix.push(f); } else if (Math.random() < 0.3) mix.push(f);
  }
  return { mix, distinct: seen.size };
}

async function main() {
  const { loadConfig } = await import('../src/platform/config.js');
  const { openDatabase } = await import('../src/platform/db/index.js');
  const { migrate } = await import('../src/platform/db/migrate.js');
  const { JobQueue } = await import('../src/platform/jobs.js');
  const { systemClock } = await import('../src/platform/clock.js');
  const { bookingsRepository } = await import('../src/support/bookings/repository.js');
  const { BookingsService } = await import('../src/support/bookings/service.js');
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent' } as NodeJS.ProcessEnv);
  const db = await openDatabase(config);
  const log = (m: string) => console.error(m);
  try {
    await migrate(db);
    const held = await db.system.selectFrom('lios').select('id').where('slug', '=', SLUG).executeTakeFirst();
    const count = held ? Number((await db.system.selectFrom('course_sessions').select((eb) => eb.fn.countAll<number>().as('n')).where('lio_id', '=', held.id).executeTakeFirstOrThrow()).n) : 0;
    const lioId = held && count === SESSIONS && !process.env.BENCH_REGENERATE ? held.id : await generate(db, log);
    const now = new Date();
    const { mix, distinct } = listingMix(now);
    const call: number[] = [];
    const sqlOnly: number[] = [];
    for (const f of mix.slice(0, 10)) await db.withTenant(lioId, (tx) => bookingsRepository.upcoming(tx, now, { ...f, pageSize: 20 }));
    for (const f of mix) {
      const t0 = performance.now();
      await db.withTenant(lioId, (tx) => bookingsRepository.upcoming(tx, now, { ...f, pageSize: 20 }));
      call.push(performance.now() - t0);
      sqlOnly.push(await explained(db, lioId, now, f));
    }
    const booking = await measureBookings(db, lioId, new BookingsService({ db, clock: systemClock, jobs: new JobQueue(db, systemClock, { error() {}, warn() {}, info() {} } as never, 1000) }));
    console.log(JSON.stringify({
      engine: db.engine, courses: COURSES, sessions: SESSIONS, cache_share: 0,
      listing: { samples: mix.length, distinct_queries: distinct, call_ms: summary(call), sql_only_ms: summary(sqlOnly), ratio_p50: +(summary(call).p50 / Math.max(0.01, summary(sqlOnly).p50)).toFixed(2) },
      booking,
    }, null, 2));
  } finally {
    await db.close();
  }
}

/** The listing's two queries (its page of rows, and the count of all that match) as PostgreSQL times them, added. */
async function explained(db: Database, lioId: string, now: Date, f: { theme: string; month: string; online: boolean; page: number }): Promise<number> {
  const month = `${f.month || '2000-01'}-01`;
  const where = sql`c.status = 'published' and s.status = 'scheduled' and s.starts_at > ${now}
      and (${f.theme} = '' or ${f.theme} = any(c.themes))
      and (${f.month} = '' or (s.starts_at >= (${month}::date::timestamp at time zone 'Europe/London')
        and s.starts_at < ((${month}::date + interval '1 month')::timestamp at time zone 'Europe/London')))
      and (not ${f.online} or s.online_url is not null)`;
  type Plan = { 'QUERY PLAN': [{ 'Execution Time': number }] };
  return db.withTenant(lioId, async (tx) => {
    const rows = await sql<Plan>`explain (analyze, format json)
      select s.id, c.title, (select count(*)::int from course_bookings b where b.session_id = s.id and b.status = 'booked') as booked
      from course_sessions s join courses c on c.id = s.course_id where ${where} order by s.starts_at, s.id limit 20 offset ${(f.page - 1) * 20}`.execute(tx);
    const count = await sql<Plan>`explain (analyze, format json) select count(*) from course_sessions s join courses c on c.id = s.course_id where ${where}`.execute(tx);
    return rows.rows[0]!['QUERY PLAN'][0]['Execution Time'] + count.rows[0]!['QUERY PLAN'][0]['Execution Time'];
  });
}

/** Distinct people booking popular-first sessions through the service, against a bare insert of a booking row in the same run. */
async function measureBookings(db: Database, lioId: string, service: InstanceType<typeof import('../src/support/bookings/service.js').BookingsService>) {
  const sessions = (await sql<{ id: string }>`select s.id from course_sessions s join courses c on c.id = s.course_id
    where s.lio_id = ${lioId} and s.starts_at > now() + interval '1 day' and s.status = 'scheduled' and c.status = 'published' order by random() limit 200`.execute(db.system)).rows.map((r) => r.id);
  const people = (await sql<{ id: string }>`select id from people where lio_id = ${lioId} order by random() limit ${BOOKINGS}`.execute(db.system)).rows.map((r) => r.id);
  const run = Date.now().toString(36);
  const viaService: number[] = [];
  const outcomes: Record<string, number> = {};
  for (let i = 0; i < BOOKINGS; i++) {
    const t0 = performance.now();
    const outcome = await service.book(lioId, null, sessions[skewedIndex(sessions.length)]!, {
      fullName: `Booker ${run} ${i}`, email: `booker-${run}-${i}@bench.example`, organisationId: '', accessNeeds: '', waitingList: 'yes',
    }, { origin: 'http://bench.localhost', lioName: 'Training benchmark' });
    viaService.push(performance.now() - t0);
    outcomes[outcome?.kind ?? 'none'] = (outcomes[outcome?.kind ?? 'none'] ?? 0) + 1;
  }
  const bare: number[] = [];
  for (let i = 0; i < Math.min(BOOKINGS, people.length); i++) {
    const t0 = performance.now();
    await db.withTenant(lioId, (tx) => tx.insertInto('course_bookings').values({ lio_id: lioId, session_id: sessions[skewedIndex(sessions.length)]!, person_id: people[i]!, status: 'cancelled', cancelled_at: new Date() }).execute());
    bare.push(performance.now() - t0);
  }
  return { samples: BOOKINGS, outcomes, call_ms: summary(viaService), bare_insert_ms: summary(bare), ratio_p50: +(summary(viaService).p50 / Math.max(0.01, summary(bare).p50)).toFixed(2) };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
