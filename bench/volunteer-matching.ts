/**
 * Matching benchmark: top-20 volunteers for a role and top-20 roles for a volunteer, over many distinct roles and
 * volunteers, on a generated LIO of BENCH_VOLUNTEERS volunteers (1,000,000) and BENCH_ROLES roles (50,000) with
 * skewed data: most people live around a few towns, a few skills and causes are common and most rare, most travel
 * 5-10 km and few far, one in six works remotely, one in five is inactive, a fifth hold a DBS check, and referrals
 * made over the last 60 days fall mostly on a busy few.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench node --import tsx bench/volunteer-matching.ts
 *   (PGlite, smaller: BENCH_VOLUNTEERS=50000 BENCH_ROLES=5000 node --import tsx bench/volunteer-matching.ts)
 *
 * For each direction it prints p50/p95/max of the whole call as the app makes it (a tenant transaction with row-level
 * security; for a role: its features and the pool's feature shares (migration 040), then each round's query of
 * matching/tiers.ts over the matching profiles of migration 034; for a volunteer: the one pass over the roles' indexes
 * of migration 039; the rows back) and, beside
 * it, the same rounds' execution time as PostgreSQL reports it (EXPLAIN ANALYZE, summed): the SQL-only time, and the
 * ratio of the two. It also gives how many rounds a search took and the share answered by the first, and times the
 * share of the pool offered a role lately (shown on every matching page) the same way; nothing is cached
 * (served_from_cache is 0: every sample is a distinct role or volunteer, computed afresh). Environment: BENCH_SAMPLES distinct roles and volunteers (300),
 * BENCH_PG_SCHEMA (a schema of its own; default none: give the bench a database of its own), BENCH_REGENERATE=1 to make the data again. Prints JSON.
 */
import { pathToFileURL } from 'node:url';
import { sql, type CompiledQuery } from 'kysely';
import type { Database } from '../src/platform/db/index.js';
import { summary } from './stats.js';

const VOLUNTEERS = Number(process.env.BENCH_VOLUNTEERS ?? 1_000_000);
const ROLES = Number(process.env.BENCH_ROLES ?? 50_000);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 300);
const SLUG = 'bench-volunteering';

const SKILLS = ['befriending', 'driving', 'admin', 'events', 'lifting', 'catering', 'gardening', 'computers', 'retail', 'caring', 'fundraising',
  'teaching', 'youth', 'marketing', 'coaching', 'finance', 'languages', 'trustee'];
const CAUSES = ['loneliness', 'food', 'older', 'health', 'community', 'families', 'environment', 'mental_health', 'money', 'digital', 'disability',
  'housing', 'learning', 'arts', 'sport', 'crisis', 'advice', 'employment', 'transport', 'heritage', 'faith', 'equalities', 'safety', 'volunteering'];
const SLOTS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].flatMap((d) => ['morning', 'afternoon', 'evening'].map((p) => `${d}-${p}`));

/** A random subset, the i-th value kept with chance base/(i+1): a Zipf-like skew. `seed` ties the draw to the row. */
const skewed = (values: string[], base: number, seed: string) =>
  sql.raw(`array(select v from unnest(${`array[${values.map((v) => `'${v}'`).join(',')}]`}) with ordinality as u(v, i) where random() < ${base} / i and ${seed} is not null)`);
/** A point near one of five towns, the first the most crowded. */
const lat = sql.raw(`53.80 + (floor(power(random(), 2) * 5)) * 0.06 + (random() + random() + random() - 1.5) * 0.05`);
const lon = sql.raw(`-1.55 + (floor(power(random(), 2) * 5)) * 0.09 + (random() + random() + random() - 1.5) * 0.08`);

async function generate(db: Database, log: (m: string) => void): Promise<string> {
  await sql`delete from lios where slug = ${SLUG}`.execute(db.system);
  const lio = await db.system.insertInto('lios').values({ slug: SLUG, name: 'Matching benchmark', hostnames: ['bench-volunteering.localhost'], is_default: false }).returning('id').executeTakeFirstOrThrow();
  const started = Date.now();
  const step = 200_000;
  for (let from = 1; from <= VOLUNTEERS; from += step) {
    const to = Math.min(VOLUNTEERS, from + step - 1);
    await sql`
      with p as (
        insert into people (lio_id, full_name, emails, date_of_birth, contact_methods)
        select ${lio.id}, 'Volunteer ' || g, array['v' || g || '@bench.example'], (date '1945-01-01' + (random() * 22000)::int), array['email']
        from generate_series(${from}::int, ${to}::int) g
        returning id
      )
      insert into volunteers (lio_id, person_id, status, registered_via, travel_km, latitude, longitude, in_person, remote, skills, causes, availability)
      select ${lio.id}, p.id, (array['active', 'active', 'active', 'new', 'placed', 'inactive'])[1 + floor(random() * 6)::int], 'online',
        (array[2, 5, 5, 5, 10, 10, 10, 10, 15, 25, 25, 50, 100])[1 + floor(random() * 13)::int], ${lat}, ${lon},
        true, random() < 0.17, ${skewed(SKILLS, 0.6, 'p.id')}, ${skewed(CAUSES, 0.5, 'p.id')}, ${skewed(SLOTS, 0.35, 'p.id')}
      from p`.execute(db.system);
    log(`volunteers ${to}/${VOLUNTEERS} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  }
  await sql`
    insert into vetting_checks (lio_id, volunteer_id, kind, dbs_level, outcome, expires_on)
    select lio_id, id, 'dbs', (array['basic', 'standard', 'enhanced', 'enhanced'])[1 + floor(random() * 4)::int],
      case when random() < 0.95 then 'passed' else 'failed' end, case when random() < 0.1 then current_date - 30 else current_date + 700 end
    from volunteers where lio_id = ${lio.id} and random() < 0.2`.execute(db.system);
  await sql`
    insert into opportunities (lio_id, title, description, skills, causes, schedule, availability, in_person, remote, postcode, latitude, longitude,
      dbs_level, minimum_age, places, closing_on, status)
    select ${lio.id}, 'Role ' || g, 'A benchmark role.', ${skewed(SKILLS, 0.4, 'g')}, ${skewed(CAUSES, 0.35, 'g')},
      (array['one_off', 'regular', 'regular', 'flexible'])[1 + floor(random() * 4)::int]::text, ${skewed(SLOTS, 0.15, 'g')},
      r.remote_only is false, r.remote_only or random() < 0.05, null, ${lat}, ${lon},
      (array['none', 'none', 'none', 'basic', 'enhanced'])[1 + floor(random() * 5)::int], (array[16, 16, 18, 18, 21])[1 + floor(random() * 5)::int], 3,
      case when random() < 0.3 then null else current_date + (random() * 120)::int - 20 end,
      (array['published', 'published', 'published', 'published', 'pending', 'closed'])[1 + floor(random() * 6)::int]
    from generate_series(1, ${ROLES}::int) g cross join lateral (select random() < 0.1 and g > 0 as remote_only) r`.execute(db.system);
  // Referrals of the last 60 days, most falling on a busy tenth of the volunteers.
  await sql`
    insert into referrals (lio_id, volunteer_id, opportunity_id, status, created_at, enquired_at)
    select ${lio.id}, v.id, o.id, 'ended', t, t
    from (select id, row_number() over () as n from volunteers where lio_id = ${lio.id} and random() < 0.1) v
    join (select id, row_number() over () as n from opportunities where lio_id = ${lio.id}) o on o.n = 1 + (v.n * 7919) % ${ROLES}
    cross join lateral (select now() - (random() * 60 || ' days')::interval as t where v.n > 0) w`.execute(db.system);
  await sql`analyze people; analyze volunteers; analyze opportunities; analyze vetting_checks; analyze referrals`.execute(db.system);
  // As autovacuum would after so many writes: the place indexes are read without visiting rows once pages are marked visible.
  await sql`vacuum (analyze) volunteer_match_profiles`.execute(db.system);
  await sql`vacuum (analyze) opportunities`.execute(db.system);
  log(`generated in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return lio.id;
}


async function main() {
  const { loadConfig } = await import('../src/platform/config.js');
  const { openDatabase } = await import('../src/platform/db/index.js');
  const { migrate } = await import('../src/platform/db/migrate.js');
  const { matchingRepository } = await import('../src/volunteering/matching/repository.js');
  const { londonDay } = await import('../src/platform/validation/dates.js');
  const config = loadConfig({ ...process.env, ...(process.env.BENCH_PG_SCHEMA ? { DATABASE_SCHEMA: process.env.BENCH_PG_SCHEMA } : {}), LOG_LEVEL: 'silent' } as NodeJS.ProcessEnv);
  const db = await openDatabase(config);
  const log = (m: string) => console.error(m);
  try {
    await migrate(db);
    const held = await db.system.selectFrom('lios').select('id').where('slug', '=', SLUG).executeTakeFirst();
    const count = held ? Number((await db.system.selectFrom('volunteers').select((eb) => eb.fn.countAll<number>().as('n')).where('lio_id', '=', held.id).executeTakeFirstOrThrow()).n) : 0;
    const lioId = held && count === VOLUNTEERS && !process.env.BENCH_REGENERATE ? held.id : await generate(db, log);
    const today = londonDay(new Date());
    const since = new Date(Date.now() - 30 * 86_400_000);
    const roles = (await sql<{ id: string }>`select id from opportunities where lio_id = ${lioId} and status = 'published' order by random() limit ${SAMPLES}`.execute(db.system)).rows.map((r) => r.id);
    const volunteers = (await sql<{ id: string }>`select id from volunteers where lio_id = ${lioId} and status <> 'inactive' order by random() limit ${SAMPLES}`.execute(db.system)).rows.map((r) => r.id);

    type Finder = (tx: Parameters<Parameters<typeof db.withTenant>[1]>[0], id: string, ran: CompiledQuery[]) => Promise<unknown[]>;
    const measure = async (ids: string[], find: Finder) => {
      const call: number[] = [];
      const sqlOnly: number[] = [];
      const rounds: number[] = [];
      let found = 0;
      for (const id of ids) {
        const ran: CompiledQuery[] = [];
        const t0 = performance.now();
        const rows = await db.withTenant(lioId, (tx) => find(tx, id, ran));
        call.push(performance.now() - t0);
        found += rows.length;
        rounds.push(ran.length);
        // The database's own time for the same rounds, one after another (EXPLAIN ANALYZE of each).
        let spent = 0;
        for (const compiled of ran) {
          const plan = await db.withTenant(lioId, (tx) => tx.executeQuery<{ 'QUERY PLAN': [{ 'Execution Time': number }] }>({ ...compiled, sql: `explain (analyze, format json) ${compiled.sql}` }));
          spent += plan.rows[0]!['QUERY PLAN'][0]['Execution Time'];
        }
        sqlOnly.push(spent);
      }
      const share = (test: (n: number) => boolean) => +(rounds.filter(test).length / rounds.length).toFixed(3);
      return {
        samples: ids.length, mean_matches: +(found / ids.length).toFixed(1), call_ms: summary(call), sql_only_ms: summary(sqlOnly),
        // Rounds of narrowing (matching/tiers.ts): answered by the first; and by the last, unnarrowed one (everyone scored).
        mean_rounds: +(rounds.reduce((a, b) => a + b, 0) / rounds.length).toFixed(2), answered_in_first_round: share((n) => n === 1),
        served_from_cache: 0, call_over_sql_p50: +(summary(call).p50 / Math.max(summary(sqlOnly).p50, 0.01)).toFixed(2),
      };
    };
    // One warm-up pass over a few, so the first samples do not measure a cold cache alone.
    for (const id of roles.slice(0, 10)) await db.withTenant(lioId, (tx) => matchingRepository.volunteersForRole(tx, id, today, since));
    const volunteersForRole = await measure(roles, (tx, id, ran) => matchingRepository.volunteersForRole(tx, id, today, since, 20, ran));
    const rolesForVolunteer = await measure(volunteers, (tx, id, ran) => matchingRepository.rolesForVolunteer(tx, id, today, since, 20, ran));
    // The share offered lately, shown on every matching page: the LIO's kept count and the volunteers offered something
    // since a moment of the last hour (a distinct one each time), as the page asks it, beside its SQL time.
    const shareCall: number[] = [];
    const shareSql: number[] = [];
    for (let i = 0; i < 50; i++) {
      const at = new Date(since.getTime() - Math.floor(Math.random() * 3_600_000));
      const t0 = performance.now();
      const share = await db.withTenant(lioId, (tx) => matchingRepository.offeredShare(tx, at));
      shareCall.push(performance.now() - t0);
      if (i === 0) log(`offered ${share.offered} of ${share.active}`);
      const plan = await db.withTenant(lioId, (tx) => sql<{ 'QUERY PLAN': [{ 'Execution Time': number }] }>`explain (analyze, format json)
        select coalesce((select volunteers from volunteering_pool_sizes), 0), (select count(*)::int from volunteer_match_profiles where last_offered_at >= ${at})`.execute(tx));
      shareSql.push(plan.rows[0]!['QUERY PLAN'][0]['Execution Time']);
    }
    const offeredShare = { samples: shareCall.length, call_ms: summary(shareCall), sql_only_ms: summary(shareSql), served_from_cache: 0 };
    console.log(JSON.stringify({ engine: db.engine, volunteers: VOLUNTEERS, roles: ROLES, targets_p95_ms: { volunteersForRole: 50, rolesForVolunteer: 20 },
      volunteersForRole, rolesForVolunteer, offeredShare }, null, 2));
  } finally {
    await db.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
