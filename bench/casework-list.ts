/**
 * The advisers' list of support cases (/support/cases) at the size of a county LIO's years of casework: BENCH_CASES
 * cases (50,000) of BENCH_ORGANISATIONS organisations (1,500) worked by 30 advisers, with two notes a case on average.
 * The data is skewed as real casework is: most cases closed, a few busy advisers and organisations, funding and
 * governance the common topics, next actions bunched around today.
 *
 *   node --import tsx bench/casework-list.ts                                    (PGlite in a temporary folder)
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench node --import tsx bench/casework-list.ts
 *
 * BENCH_REQUESTS (3000) list requests are drawn, with Zipf-like popularity, from a pool of distinct filter combinations
 * and pages (status, topic, adviser incl. "mine" and "unassigned", organisation, due, text in title or reference, page),
 * and sent through the app (inject: session, guard, validation, the two queries, the page rendered). Beside them, in the
 * same run: the same two queries alone in a tenant transaction (the raw SQL's cost) and a bare Fastify handler. Nothing
 * is cached, so the cached share is 0 and every figure is the uncached cost. Prints JSON. Target: p95 ≤ 50 ms a request.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import { sql } from 'kysely';
import { loadConfig } from '../src/platform/config.js';
import { openDatabase, type Database } from '../src/platform/db/index.js';
import { migrate } from '../src/platform/db/migrate.js';
import { systemClock } from '../src/platform/clock.js';
import { hashPassword } from '../src/platform/auth/secrets.js';
import { londonDay } from '../src/platform/validation/dates.js';
import { buildApp } from '../src/app.js';
import { caseworkRepository, referenceOf } from '../src/support/casework/repository.js';
import { readFilter, filterValues } from '../src/support/casework/form.js';
import { summary } from './stats.js';

const CASES = Number(process.env.BENCH_CASES ?? 50_000);
const ORGANISATIONS = Number(process.env.BENCH_ORGANISATIONS ?? 1_500);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 3_000);
const ADVISERS = 30;
const EMAIL = 'bench-adviser@example.org';
const PASSWORD = 'benchmark password 1';
const TOPICS = ['funding', 'governance', 'finance', 'policies_safeguarding', 'setting_up', 'volunteers', 'charity_registration', 'digital', 'premises', 'other'];
const WORDS = ['Lottery bid', 'constitution', 'safeguarding policy', 'reserves', 'volunteer drivers', 'charity registration', 'trustee recruitment', 'website',
  'community hall lease', 'annual accounts', 'data protection', 'minibus', 'lunch club', 'youth club', 'food bank', 'warm space'];

const pick = (list: string[], skew: string) => sql.raw(`(array[${list.map((v) => `'${v}'`).join(',')}])[1 + floor(power(random(), ${skew}) * ${list.length})::int]`);

async function generate(db: Database, log: (m: string) => void): Promise<{ lioId: string; host: string }> {
  const host = 'bench-casework.localhost';
  await sql`delete from lios where slug = 'bench-casework'`.execute(db.system);
  const lio = await db.system.insertInto('lios').values({ slug: 'bench-casework', name: 'Casework benchmark', hostnames: [host], is_default: false }).returning('id').executeTakeFirstOrThrow();
  const started = Date.now();
  const hash = await hashPassword(PASSWORD, { memoryCost: 19456, timeCost: 2 });
  await sql`insert into organisations (lio_id, name) select ${lio.id}, 'Group ' || lpad(g::text, 5, '0') from generate_series(1, ${ORGANISATIONS}::int) g`.execute(db.system);
  await sql`insert into users (lio_id, email, display_name, role, permission_sets, status, password_hash)
    select ${lio.id}, case when g = 1 then ${EMAIL} else 'adviser' || g || '@bench.example' end, 'Adviser ' || lpad(g::text, 2, '0'), 'staff', array['adviser'], 'active', ${hash}
    from generate_series(1, ${ADVISERS}::int) g`.execute(db.system);
  // Each case: its status first, then what follows from it (an adviser unless new, a next action unless closed).
  await sql`
    with o as (select array_agg(id order by name) as ids from organisations where lio_id = ${lio.id}),
      a as (select array_agg(id order by display_name) as ids from users where lio_id = ${lio.id}),
      c as (select g, case when r < 0.6 then 'closed' when r < 0.7 then 'new' when r < 0.85 then 'open' else 'waiting_on_group' end as status,
              current_date - (power(random(), 1.5) * 1100)::int as opened, random() as d
            from (select g, random() as r from generate_series(1, ${CASES}::int) g) s)
    insert into support_cases (lio_id, reference, organisation_id, topic, title, request, asked_via, adviser_user_id, status, next_action, next_action_due, opened_on, closed_on, closing_summary)
    select ${lio.id}, 'SC-' || case when c.g < 10000 then lpad(c.g::text, 4, '0') else c.g::text end, o.ids[1 + floor(power(random(), 2.5) * ${ORGANISATIONS})::int], ${pick(TOPICS, '2')},
      initcap(${pick(WORDS, '1.5')}) || ' ' || c.g, 'What the group asked for.', ${pick(['phone', 'email', 'enquiry_form', 'in_person', 'referral'], '1.5')},
      case when c.status = 'new' then null else a.ids[1 + floor(power(random(), 2) * ${ADVISERS})::int] end, c.status,
      case when c.status <> 'closed' and c.d < 0.8 then 'Call the chair' end,
      case when c.status <> 'closed' and c.d < 0.8 then current_date + (floor((random() - 0.6) * 40))::int end,
      c.opened, case when c.status = 'closed' then least(current_date, c.opened + 60) end, case when c.status = 'closed' then 'Done.' end
    from c, o, a`.execute(db.system);
  await sql`insert into support_case_counters (lio_id, last_number) values (${lio.id}, ${CASES})`.execute(db.system);
  await sql`insert into support_case_notes (lio_id, case_id, author_user_id, body, minutes_spent, worked_on)
    select lio_id, id, adviser_user_id, 'Worked on the case.', 30, opened_on from support_cases cross join generate_series(1, 2) where lio_id = ${lio.id} and random() < 0.9`.execute(db.system);
  await sql`analyze organisations; analyze users; analyze support_cases; analyze support_case_notes`.execute(db.system);
  log(`generated ${CASES} cases in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return { lioId: lio.id, host };
}

/** Zipf-like: the i-th of n chosen with weight 1/(i+1). */
function zipf(n: number): number {
  const h = Array.from({ length: n }, (_, i) => 1 / (i + 1)).reduce((a, b) => a + b, 0);
  let r = Math.random() * h;
  for (let i = 0; i < n; i++) if ((r -= 1 / (i + 1)) <= 0) return i;
  return n - 1;
}
const oneOf = <T>(choices: [number, T][]): T => {
  let r = Math.random();
  for (const [p, v] of choices) if ((r -= p) <= 0) return v;
  return choices.at(-1)![1];
};

/** A pool of distinct list addresses, as advisers would filter: mostly their own open work, sometimes a search or a later page. */
function requestPool(advisers: string[], organisations: string[], size: number): string[] {
  const pool = new Set<string>();
  while (pool.size < size) {
    const q: Record<string, string> = {};
    const status = oneOf<string>([[0.5, ''], [0.1, 'new'], [0.1, 'waiting_on_group'], [0.1, 'open'], [0.1, 'closed'], [0.1, 'all']]);
    if (status) q.status = status;
    const adviser = oneOf<string>([[0.3, ''], [0.3, 'mine'], [0.1, 'unassigned'], [0.3, advisers[zipf(advisers.length)]!]]);
    if (adviser) q.adviser = adviser;
    if (Math.random() < 0.35) q.topic = TOPICS[zipf(TOPICS.length)]!;
    if (Math.random() < 0.15) q.organisation = organisations[zipf(organisations.length)]!;
    const due = oneOf<string>([[0.6, ''], [0.15, 'overdue'], [0.15, 'today'], [0.1, 'week']]);
    if (due) q.due = due;
    const text = oneOf<string>([[0.85, ''], [0.1, WORDS[zipf(WORDS.length)]!.split(' ')[0]!], [0.05, referenceOf(1 + Math.floor(Math.random() * CASES))]]);
    if (text) q.q = text;
    const page = oneOf<number>([[0.7, 1], [0.2, 2 + Math.floor(Math.random() * 4)], [0.1, 6 + Math.floor(Math.random() * 35)]]);
    if (page > 1) q.page = String(page);
    pool.add(`/support/cases?${new URLSearchParams(q)}`);
  }
  return [...pool];
}


async function signIn(app: Awaited<ReturnType<typeof buildApp>>, host: string): Promise<string> {
  const form = await app.inject({ method: 'GET', url: '/sign-in', headers: { host } });
  const csrf = /name="_csrf"\s+value="([^"]+)"/.exec(form.body)?.[1];
  const jar = form.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
  const done = await app.inject({ method: 'POST', url: '/sign-in', headers: { host, cookie: jar, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ email: EMAIL, password: PASSWORD, _csrf: csrf ?? '' }).toString() });
  const session = done.cookies.find((c) => c.name === 'cg_session');
  if (done.statusCode !== 303 || !session) throw new Error(`sign-in failed: ${done.statusCode}`);
  return `cg_session=${session.value}`;
}

async function main() {
  const dataDir = process.env.DATABASE_URL ? null : await mkdtemp(path.join(tmpdir(), 'cg-bench-casework-'));
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent', ...(dataDir ? { DATA_DIR: dataDir } : {}) } as NodeJS.ProcessEnv, { worker: { pollMs: 1000, enabled: false } });
  const db = await openDatabase(config);
  const log = (m: string) => console.error(m);
  try {
    await migrate(db);
    const held = await db.system.selectFrom('lios').select('id').where('slug', '=', 'bench-casework').executeTakeFirst();
    const count = held ? Number((await db.system.selectFrom('support_cases').select((eb) => eb.fn.countAll<string>().as('n')).where('lio_id', '=', held.id).executeTakeFirstOrThrow()).n) : 0;
    const { lioId, host } = held && count === CASES && !process.env.BENCH_REGENERATE ? { lioId: held.id, host: 'bench-casework.localhost' } : await generate(db, log);
    const app = await buildApp({ config, db, clock: systemClock });
    await app.ready();
    const cookie = await signIn(app, host);
    const adviserIds = (await db.system.selectFrom('users').select('id').where('lio_id', '=', lioId).orderBy('display_name').execute()).map((r) => r.id);
    const orgIds = (await db.system.selectFrom('organisations').select('id').where('lio_id', '=', lioId).orderBy('name').execute()).map((r) => r.id);
    const pool = requestPool(adviserIds, orgIds, Math.min(2000, Math.max(200, Math.floor(REQUESTS * 0.6))));
    const requests = Array.from({ length: REQUESTS }, () => pool[zipf(pool.length)]!);
    for (const url of requests.slice(0, 100)) await app.inject({ method: 'GET', url, headers: { host, cookie } });

    const through: number[] = [];
    const rawSql: number[] = [];
    let rows = 0;
    const slowest: [number, string][] = [];
    const today = londonDay(new Date());
    for (const url of requests) {
      const t0 = performance.now();
      const res = await app.inject({ method: 'GET', url, headers: { host, cookie } });
      through.push(performance.now() - t0);
      if (res.statusCode !== 200) throw new Error(`${url} answered ${res.statusCode}`);
      const query = new URL(url, 'http://x').searchParams;
      const { filter } = readFilter(filterValues(Object.fromEntries(query)), adviserIds[0]!);
      const page = Number(query.get('page') ?? 1);
      const t1 = performance.now();
      const found = await db.withTenant(lioId, (tx) => caseworkRepository.list(tx, filter, today, 25, (page - 1) * 25));
      rawSql.push(performance.now() - t1);
      slowest.push([performance.now() - t1, url]);
      rows += found.rows.length;
    }
    log(`slowest queries: ${JSON.stringify(slowest.sort((a, b) => b[0] - a[0]).slice(0, 12).map(([ms, url]) => `${ms.toFixed(0)} ms ${decodeURIComponent(url)}`), null, 1)}`);
    const bare = Fastify({ logger: false });
    bare.get('/', async () => ({ hello: 'world' }));
    await bare.ready();
    const bareMs: number[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      const t0 = performance.now();
      await bare.inject({ method: 'GET', url: '/' });
      bareMs.push(performance.now() - t0);
    }
    await bare.close();
    await app.close();
    const app95 = summary(through).p95;
    console.log(JSON.stringify({
      engine: db.engine, cases: CASES, organisations: ORGANISATIONS, advisers: ADVISERS, requests: REQUESTS, distinct_requests: new Set(requests).size, pool: pool.length,
      mean_rows_per_page: +(rows / REQUESTS).toFixed(1), cached_share: 0, target_p95_ms: 50,
      list_through_app_ms: summary(through), list_sql_only_ms: summary(rawSql), bare_handler_ms: summary(bareMs),
      ratio_app_to_sql_p95: +(app95 / summary(rawSql).p95).toFixed(2), met: app95 <= 50,
    }, null, 2));
  } finally {
    await db.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
