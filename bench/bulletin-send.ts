/**
 * Bulletin sending benchmark: a bulletin to about 20,000 addresses queued (one set-based statement that finds every
 * organisation's address and every consenting contact, leaves out the unsubscribed and writes a row per address) and
 * then delivered over SMTP to a local server (smtp-server, as the tests use) by the app's own sender: recipients
 * claimed a batch at a time in a committed step before their messages go, each message made from the bulletin's MIME
 * made once, sent through the pooled mailer, and the batch settled in the step that claims the lane's next.
 *
 *   node --import tsx bench/bulletin-send.ts
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench node --import tsx bench/bulletin-send.ts
 *
 * The register is generated with skew: a few groups have many listed contacts and most have none or one; one contact in
 * 25 shares its group's own address (a duplicate to fold); 78% of contacts consented (some withdrew since), a few
 * hundred addresses unsubscribed, a few groups have no address or are closed. Queuing is timed for three segments (all
 * groups, members, a theme) against the same recipients query counted alone (the SQL's own cost), and delivery is
 * compared with bare nodemailer sending the same messages to the same server in the same run. Nothing is cached: every
 * message is claimed and settled in the database (cache share 0). Environment: BENCH_GROUPS (12,500), BENCH_CONTACTS
 * (12,000), BENCH_BARE (5,000 messages), BENCH_DELIVERY=0 (queuing only), BENCH_PG_SCHEMA (a schema of its own).
 * Prints JSON.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { sql } from 'kysely';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import pino from 'pino';
import type { Database } from '../src/platform/db/index.js';
import { percentile } from './stats.js';

const GROUPS = Number(process.env.BENCH_GROUPS ?? 12_500);
const CONTACTS = Number(process.env.BENCH_CONTACTS ?? 12_000);
const BARE = Number(process.env.BENCH_BARE ?? 5_000);
const SLUG = 'bench-bulletins';
const THEMES = ['food', 'money', 'health', 'loneliness', 'families', 'community', 'older', 'mental_health', 'arts', 'sport', 'environment', 'heritage'];

async function generate(db: Database): Promise<string> {
  await sql`delete from lios where slug = ${SLUG}`.execute(db.system);
  const lio = await db.system.insertInto('lios').values({ slug: SLUG, name: 'Bulletin benchmark', hostnames: ['bench-bulletins.localhost'], is_default: false }).returning('id').executeTakeFirstOrThrow();
  const themes = `array[${THEMES.map((t) => `'${t}'`).join(',')}]`;
  await sql`insert into organisations (lio_id, name, email, description, status, themes, areas_served)
    select ${lio.id}, 'Group ' || g, case when random() < 0.94 then 'office' || g || '@group' || (g % 997) || '.example' end, 'A group.',
      case when random() < 0.05 then 'closed' else 'active' end,
      array[(${sql.raw(themes)})[1 + floor(power(random(), 2) * ${THEMES.length})::int]], array['Ward ' || (1 + floor(power(random(), 2) * 20)::int)]
    from generate_series(1, ${GROUPS}::int) g`.execute(db.system);
  // Contacts fall mostly on a busy few groups; one in 25 is the group's own address again.
  await sql`with o as (select id, email, row_number() over (order by name) as n from organisations where lio_id = ${lio.id})
    insert into contacts (lio_id, organisation_id, name, email)
    select ${lio.id}, o.id, 'Contact ' || g, case when g % 25 = 0 and o.email is not null then o.email else 'c' || g || '@people' || (g % 503) || '.example' end
    from generate_series(1, ${CONTACTS}::int) g join o on o.n = 1 + floor(power(abs(hashtext(g::text))::float / 2147483648, 2.5) * ${GROUPS})::int`.execute(db.system);
  await sql`insert into people (lio_id, full_name, emails) select ${lio.id}, name, array[lower(email)] from contacts where lio_id = ${lio.id} and email like 'c%@people%'`.execute(db.system);
  await sql`insert into consents (lio_id, person_id, purpose, given_at, method, wording_version, withdrawn_at)
    select lio_id, id, case when random() < 0.9 then 'bulletins' else 'newsletter' end, now() - interval '200 days', 'online_form', 'v1',
      case when random() < 0.05 then now() - interval '10 days' end
    from people where lio_id = ${lio.id} and random() < 0.78`.execute(db.system);
  await sql`insert into bulletin_unsubscribes (lio_id, email) select ${lio.id}, email from contacts where lio_id = ${lio.id} and random() < 0.03 on conflict do nothing`.execute(db.system);
  const type = await db.system.insertInto('membership_types').values({ lio_id: lio.id, name: 'Full member', register_flag: 'member' }).returning('id').executeTakeFirstOrThrow();
  await sql`insert into memberships (lio_id, organisation_id, membership_type_id, joined_on, renews_on)
    select ${lio.id}, id, ${type.id}, current_date - 200, current_date + 165 from organisations where lio_id = ${lio.id} and random() < 0.3`.execute(db.system);
  await sql`analyze`.execute(db.system);
  return lio.id;
}


/** A local SMTP server that takes every message, noting when each arrived. */
async function smtpServer() {
  const arrivals: number[] = [];
  const server = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS'], logger: false,
    onData(stream, _session, callback) {
      stream.on('data', () => {});
      stream.on('end', () => { arrivals.push(performance.now()); callback(); });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`, arrivals, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** Messages a second over one-second windows of arrivals: the steady rate and its dips. */
function windows(arrivals: number[]) {
  if (arrivals.length < 2) return { p50: 0, p5: 0 };
  const start = arrivals[0]!;
  const counts = new Map<number, number>();
  for (const t of arrivals) counts.set(Math.floor((t - start) / 1000), (counts.get(Math.floor((t - start) / 1000)) ?? 0) + 1);
  const full = [...counts.entries()].filter(([w]) => w < Math.floor((arrivals.at(-1)! - start) / 1000)).map(([, n]) => n).sort((a, b) => a - b);
  return { p50: percentile(full, 50), p5: percentile(full, 5) };
}

async function bareRate(url: string, message: { subject: string; text: string; html: string; headers: Record<string, string> }) {
  const transport = nodemailer.createTransport({ url, pool: true });
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (next < BARE) {
      const n = next++;
      await transport.sendMail({ from: 'bench@riverside.example', to: `bare${n}@bench.example`, ...message });
    }
  }));
  const seconds = (performance.now() - t0) / 1000;
  transport.close();
  return { messages: BARE, seconds: +seconds.toFixed(2), per_second: Math.round(BARE / seconds) };
}

async function main() {
  const { loadConfig } = await import('../src/platform/config.js');
  const { openDatabase } = await import('../src/platform/db/index.js');
  const { migrate } = await import('../src/platform/db/migrate.js');
  const { JobQueue } = await import('../src/platform/jobs.js');
  const { systemClock } = await import('../src/platform/clock.js');
  const { createMailer } = await import('../src/platform/mail.js');
  const { BulletinsService } = await import('../src/support/bulletins/service.js');
  const { bulletinsRepository } = await import('../src/support/bulletins/repository.js');
  const { sendBulletin } = await import('../src/support/bulletins/jobs.js');
  const { bulletinBody, bulletinMessage } = await import('../src/support/bulletins/message.js');
  const { registerPolicy } = await import('../src/platform/auth/policy.js');
  const { supportPolicy } = await import('../src/support/policy.js');
  registerPolicy('support', supportPolicy);
  const dataDir = process.env.DATABASE_URL ? '' : await mkdtemp(path.join(tmpdir(), 'cg-bench-bulletins-'));
  const config = loadConfig({ ...process.env, DATA_DIR: dataDir || 'unused', ...(process.env.BENCH_PG_SCHEMA ? { DATABASE_SCHEMA: process.env.BENCH_PG_SCHEMA } : {}), LOG_LEVEL: 'silent' } as NodeJS.ProcessEnv);
  const db = await openDatabase(config);
  const smtp = await smtpServer();
  const mailer = createMailer(smtp.url, 'bench@riverside.example');
  try {
    await migrate(db);
    const lioId = await generate(db);
    const user = await db.system.insertInto('users').values({ lio_id: lioId, email: 'adviser@bench.example', display_name: 'Bench Adviser', role: 'staff', permission_sets: ['adviser'], status: 'active' })
      .returning('id').executeTakeFirstOrThrow();
    const actor = { id: user.id, lioId, email: 'adviser@bench.example', displayName: 'Bench Adviser', role: 'staff' as const, permissionSets: ['adviser' as const], organisationId: null };
    const jobs = new JobQueue(db, systemClock, pino({ level: 'silent' }), 1000);
    const bulletins = new BulletinsService({ db, clock: systemClock, config, jobs });
    const items = [
      { kind: 'funding' as const, title: 'Warm Spaces Grants (Riverside Community Foundation)', body: 'Grants for warm spaces this winter. £500 to £5,000. Closes 31 January 2027.', url: 'https://funder.example/warm' },
      { kind: 'course' as const, title: 'Safeguarding for small groups', body: '14 January 2027, 10am to 1pm, Riverside Community Hub. Free. What a policy needs and who does what.' },
      { kind: 'story' as const, title: 'Our AGM', body: 'Members are warmly invited to the AGM at the Community Hub on the last Thursday of January.' },
    ];
    const queueOne = async (segment: 'all_groups' | 'members' | 'groups_by_theme', value: string | null) => {
      const id = await db.withTenant(lioId, (tx) => bulletinsRepository.insert(tx, lioId, { subject: `Bench ${segment}`, introduction: 'Hello everyone.\n\nNews for groups.', items, segment, segmentValue: value }, user.id, new Date()));
      const c0 = performance.now();
      const counted = await db.withTenant(lioId, (tx) => bulletinsRepository.segmentSize(tx, lioId, { segment, value }));
      const countMs = performance.now() - c0;
      const q0 = performance.now();
      const outcome = await bulletins.send(actor, id);
      const queueMs = performance.now() - q0;
      if (outcome?.kind !== 'queued') throw new Error(`${segment}: ${outcome?.kind}`);
      return { id, segment, recipients: outcome.recipients, counted, queue_ms: Math.round(queueMs), recipients_query_alone_ms: Math.round(countMs), ratio_to_query: +(queueMs / countMs).toFixed(2) };
    };
    const queued = [await queueOne('all_groups', null), await queueOne('members', null), await queueOne('groups_by_theme', 'food')];
    const main = queued[0]!;
    if (process.env.BENCH_DELIVERY === '0') {
      console.log(JSON.stringify({ engine: db.engine, groups: GROUPS, contacts: CONTACTS, queuing: queued.map(({ id: _id, ...q }) => q) }, null, 2));
      return;
    }

    const d0 = performance.now();
    const outcome = await sendBulletin({ db, clock: systemClock, config, mailer }, lioId, main.id);
    const seconds = (performance.now() - d0) / 1000;
    const counts = await db.withTenant(lioId, (tx) => bulletinsRepository.counts(tx, main.id));
    const delivered = smtp.arrivals.length;
    const bulletin = (await db.withTenant(lioId, (tx) => bulletinsRepository.get(tx, main.id)))!;
    const sample = bulletinMessage(bulletinBody(bulletin, 'Bulletin benchmark', config.mailFrom), 'x@bench.example', { unsubscribe: 'http://localhost/bulletins/unsubscribe/abcdefghijklmnopqrstuvwxyz0123456789abcd', opened: 'http://localhost/bulletins/opened/00000000-0000-4000-8000-000000000000/abcdefghijklmnopqrstuv' });
    const perSecond = windows(smtp.arrivals);
    const bare = await bareRate(smtp.url, { subject: sample.subject, text: sample.text, html: sample.html!, headers: sample.headers! });
    const rate = Math.round(delivered / seconds);
    console.log(JSON.stringify({
      engine: db.engine, groups: GROUPS, contacts: CONTACTS, targets: { queue_ms: 5000, messages_per_second: 200 },
      queuing: queued.map(({ id: _id, ...q }) => q),
      delivery: {
        outcome, recipients: main.recipients, delivered, sent: counts.sent, failed: counts.failed, unknown: counts.unknown, seconds: +seconds.toFixed(2), messages_per_second: rate,
        per_second_windows: { p50: perSecond.p50, p5: perSecond.p5 },
      },
      bare_nodemailer: bare, ratio_to_bare: +(rate / bare.per_second).toFixed(2), cache_share: 0,
    }, null, 2));
  } finally {
    mailer.close();
    await smtp.close();
    await db.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
