/**
 * Makes a realistic directory for benchmarks: N services (default 100,000) at 1.5 × N locations,
 * run by N / 4 organisations spread around fifty English towns and cities, with a two-level
 * taxonomy of needs, weekly opening times, costs, phones, service areas and a centre postcode for
 * each town. Everything is set-based SQL (generate_series), so 100,000 services take seconds on
 * PostgreSQL and well under two minutes on PGlite.
 *
 *   node --import tsx bench/generate-directory.ts            # into the configured database (DATABASE_URL or DATA_DIR)
 *   BENCH_SERVICES=20000 node --import tsx bench/generate-directory.ts
 *
 * The LIO it fills is `bench-directory` (hostname bench-directory.localhost); running it again
 * replaces that LIO's directory.
 */
import { sql } from 'kysely';
import { pathToFileURL } from 'node:url';
import type { Database } from '../src/platform/db/index.js';

export const BENCH_LIO_SLUG = 'bench-directory';
export const BENCH_HOST = 'bench-directory.localhost';

/** Town centres: [name, latitude, longitude, centre postcode]. Larger places first: they get more services. */
export const TOWNS: [string, number, number, string][] = [
  ['London', 51.5072, -0.1276, 'WC2N 5DU'], ['Birmingham', 52.4862, -1.8904, 'B2 4QA'], ['Manchester', 53.4808, -2.2426, 'M2 5DB'],
  ['Leeds', 53.7997, -1.5492, 'LS1 1UR'], ['Liverpool', 53.4084, -2.9916, 'L2 2DP'], ['Sheffield', 53.3811, -1.4701, 'S1 2HH'],
  ['Bristol', 51.4545, -2.5879, 'BS1 5TR'], ['Newcastle upon Tyne', 54.9783, -1.6178, 'NE1 7RU'], ['Nottingham', 52.9548, -1.1581, 'NG1 2DT'],
  ['Leicester', 52.6369, -1.1398, 'LE1 5YA'], ['Coventry', 52.4068, -1.5197, 'CV1 5RR'], ['Bradford', 53.7960, -1.7594, 'BD1 1HY'],
  ['Kingston upon Hull', 53.7457, -0.3367, 'HU1 2AA'], ['Stoke-on-Trent', 53.0027, -2.1794, 'ST1 1HP'], ['Wolverhampton', 52.5870, -2.1288, 'WV1 1RQ'],
  ['Plymouth', 50.3755, -4.1427, 'PL1 2AA'], ['Southampton', 50.9097, -1.4044, 'SO14 7DU'], ['Portsmouth', 50.8198, -1.0880, 'PO1 2AL'],
  ['Reading', 51.4543, -0.9781, 'RG1 1QH'], ['Derby', 52.9225, -1.4746, 'DE1 2FS'], ['Norwich', 52.6309, 1.2974, 'NR2 1NH'],
  ['Exeter', 50.7184, -3.5339, 'EX1 1HB'], ['York', 53.9600, -1.0873, 'YO1 7HH'], ['Cambridge', 52.2053, 0.1218, 'CB2 3QJ'],
  ['Oxford', 51.7520, -1.2577, 'OX1 3BD'], ['Brighton', 50.8225, -0.1372, 'BN1 1GE'], ['Ipswich', 52.0567, 1.1482, 'IP1 1DH'],
  ['Luton', 51.8787, -0.4200, 'LU1 2BQ'], ['Milton Keynes', 52.0406, -0.7594, 'MK9 3EP'], ['Northampton', 52.2405, -0.9027, 'NN1 1DE'],
  ['Peterborough', 52.5695, -0.2405, 'PE1 1HF'], ['Preston', 53.7632, -2.7031, 'PR1 2HE'], ['Blackpool', 53.8175, -3.0357, 'FY1 1AP'],
  ['Sunderland', 54.9069, -1.3838, 'SR1 3AA'], ['Middlesbrough', 54.5742, -1.2350, 'TS1 2QQ'], ['Carlisle', 54.8925, -2.9329, 'CA3 8JE'],
  ['Lincoln', 53.2307, -0.5406, 'LN1 1DF'], ['Gloucester', 51.8642, -2.2382, 'GL1 2DX'], ['Swindon', 51.5558, -1.7797, 'SN1 1EL'],
  ['Bournemouth', 50.7192, -1.8808, 'BH1 2BU'], ['Canterbury', 51.2802, 1.0789, 'CT1 2TU'], ['Chelmsford', 51.7356, 0.4685, 'CM1 1EY'],
  ['Worcester', 52.1920, -2.2200, 'WR1 2EJ'], ['Shrewsbury', 52.7077, -2.7541, 'SY1 1NY'], ['Truro', 50.2632, -5.0510, 'TR1 2HL'],
  ['Barnstaple', 51.0801, -4.0580, 'EX31 1BD'], ['Kendal', 54.3280, -2.7463, 'LA9 4AB'], ['Scarborough', 54.2831, -0.3998, 'YO11 1HQ'],
  ['Colchester', 51.8959, 0.8919, 'CO1 1JR'], ['Bath', 51.3811, -2.3590, 'BA1 1LZ'],
];

interface Category { code: string; name: string; children: [code: string, name: string, fragment: string, description: string][] }

/** The needs taxonomy: top-level categories, each with service types; a service's name and description come from its type. */
export const CATEGORIES: Category[] = [
  { code: 'food', name: 'Food and essentials', children: [
    ['food-banks', 'Food banks', 'Food Bank', 'Emergency food parcels, toiletries and household essentials for anyone struggling, with a warm welcome and advice on money.'],
    ['community-meals', 'Community meals', 'Community Cafe', 'A hot meal and a friendly chat: pay what you can, all welcome, vegetarian food available.'],
    ['food-pantries', 'Food pantries', 'Food Pantry', 'A membership food pantry: a weekly shop of groceries, fresh fruit and vegetables for a small fee.'],
    ['baby-essentials', 'Baby essentials', 'Baby Bank', 'Nappies, clothes, prams and cots for families with babies and young children.'],
  ] },
  { code: 'money', name: 'Money and debt', children: [
    ['debt-advice', 'Debt advice', 'Debt Advice', 'Free, confidential debt advice: we help you make a budget, deal with creditors and bailiffs.'],
    ['benefits-advice', 'Benefits advice', 'Benefits Advice', 'Help to check what benefits you can claim, fill in forms and challenge decisions.'],
    ['energy-help', 'Help with energy bills', 'Warm Homes', 'Advice on energy bills, switching, grants for heating and insulation, and warm spaces in winter.'],
  ] },
  { code: 'housing', name: 'Housing', children: [
    ['homelessness', 'Homelessness support', 'Homeless Support', 'Support for people who are homeless or at risk: a day centre, showers, laundry and housing advice.'],
    ['tenancy-support', 'Tenancy support', 'Tenancy Support', 'Help to keep your home: rent arrears, repairs, and dealing with landlords.'],
    ['home-repairs', 'Home repairs and adaptations', 'Handyperson Service', 'Small repairs, grab rails and home safety checks for older and disabled people.'],
  ] },
  { code: 'health', name: 'Health and wellbeing', children: [
    ['mental-health', 'Mental health support', 'Wellbeing Hub', 'Drop-in mental health support, peer groups and talking therapies for adults.'],
    ['physical-activity', 'Physical activity', 'Walking Group', 'Gentle walks and exercise for all abilities to improve health and meet people.'],
    ['dementia', 'Dementia support', 'Memory Cafe', 'A relaxed cafe for people living with dementia and the people who care for them.'],
  ] },
  { code: 'social', name: 'Loneliness and befriending', children: [
    ['befriending', 'Befriending', 'Befriending Service', 'A volunteer befriender visits or phones every week for a chat, for people who feel lonely or isolated.'],
    ['lunch-clubs', 'Lunch clubs', 'Lunch Club', 'A weekly lunch club with a two-course meal, games and company, with transport for those who need it.'],
    ['mens-sheds', 'Men’s sheds', 'Men’s Shed', 'A workshop space where men meet, make and mend things, share skills and have a cuppa.'],
  ] },
  { code: 'families', name: 'Children and families', children: [
    ['toddler-groups', 'Parent and toddler groups', 'Stay and Play', 'Play sessions for babies and toddlers with their parents and carers.'],
    ['youth-clubs', 'Youth clubs', 'Youth Club', 'Evening youth club for young people with sport, music, trips and a safe place to be.'],
    ['holiday-activities', 'Holiday activities', 'Holiday Club', 'Free holiday activities with a healthy meal for children on free school meals.'],
  ] },
  { code: 'carers', name: 'Carers', children: [
    ['carers-support', 'Carers support', 'Carers Group', 'Support, information and a break for unpaid carers of family and friends.'],
    ['respite', 'Respite and short breaks', 'Short Breaks', 'Short breaks and sitting services so carers can have time for themselves.'],
  ] },
  { code: 'learning', name: 'Learning and work', children: [
    ['digital-skills', 'Digital skills', 'Digital Help', 'Help with computers, tablets and smartphones: getting online, e-mail, video calls and staying safe.'],
    ['english-classes', 'English classes', 'English Conversation Club', 'Free English classes and conversation practice for speakers of other languages.'],
    ['employment', 'Employment support', 'Job Club', 'Help with CVs, job applications and interviews, and training to get back into work.'],
  ] },
  { code: 'transport', name: 'Transport', children: [
    ['community-transport', 'Community transport', 'Community Transport', 'Door-to-door minibus and volunteer car scheme for people who cannot use buses.'],
  ] },
  { code: 'rights', name: 'Advice and rights', children: [
    ['legal-advice', 'Legal advice', 'Legal Advice Clinic', 'Free legal advice on housing, employment, family and consumer problems.'],
    ['immigration-advice', 'Immigration advice', 'Refugee Welcome', 'Advice and support for refugees and asylum seekers, with English classes and a welcome group.'],
    ['domestic-abuse', 'Domestic abuse support', 'Domestic Abuse Support', 'Confidential support for anyone affected by domestic abuse, with safe accommodation.'],
  ] },
];

const PREFIXES = ['Riverside', 'Northgate', 'St Mary’s', 'Hillside', 'Canalside', 'Eastfield', 'Westbrook', 'Oakwood', 'Meadowbank', 'Parkside',
  'Victoria', 'Central', 'Old Town', 'Bridge Street', 'Church Lane', 'Greenbank', 'Moorside', 'Southgate', 'Highfield', 'Millbrook',
  'Beacon', 'Holy Trinity', 'Station Road', 'Ashfield', 'Kingsway', 'The Vine', 'Open Door', 'Together', 'Hope', 'Good Neighbours'];
const ORG_KINDS = ['Community Trust', 'Community Association', 'Mutual Aid', 'Church', 'Community Action', 'Charity', 'Partnership', 'Project', 'Forum', 'Friends'];
const SCHEDULES: [string, string, string][] = [
  ['MO,TU,WE,TH,FR', '09:00', '17:00'], ['TU,TH', '10:00', '14:00'], ['SA', '10:00', '12:30'], ['MO,WE', '18:00', '20:00'],
  ['WE', '12:00', '14:00'], ['FR', '13:00', '16:00'], ['MO,TU,WE,TH,FR', '10:00', '16:00'], ['TH', '19:00', '21:00'], ['SU', '11:00', '13:00'],
];

const q = (s: string) => `'${s.replaceAll("'", "''")}'`;

export interface GeneratedDirectory {
  lioId: string;
  services: number;
  locations: number;
  organisations: number;
  seconds: number;
}

/** Replaces the bench LIO's directory with a generated one of `services` services. */
export async function generateDirectory(db: Database, options: { services: number; log?: (message: string) => void }): Promise<GeneratedDirectory> {
  const n = Math.max(10, Math.floor(options.services));
  const log = options.log ?? (() => {});
  const started = Date.now();
  const orgs = Math.max(1, Math.floor(n / 4));
  const children = CATEGORIES.flatMap((c) => c.children.map((ch) => ({ parent: c.code, code: ch[0], name: ch[1], fragment: ch[2], description: ch[3] })));

  await sql`delete from lios where slug = ${BENCH_LIO_SLUG}`.execute(db.system);
  const lio = await db.system.insertInto('lios').values({ slug: BENCH_LIO_SLUG, name: 'Benchmark Community Action', hostnames: [BENCH_HOST, '127.0.0.1'], is_default: false })
    .returning('id').executeTakeFirstOrThrow();
  const L = q(lio.id);
  const id = (kind: string, key: string) => `md5(${L} || ':${kind}:' || ${key})::uuid`;

  const steps: [string, string][] = [
    ['catalogue', `
      create temp table gen_towns (k int primary key, name text, lat float8, lng float8, postcode text);
      insert into gen_towns values ${TOWNS.map((t, k) => `(${k}, ${q(t[0])}, ${t[1]}, ${t[2]}, ${q(t[3])})`).join(', ')};
      create temp table gen_types (k int primary key, code text, fragment text, description text);
      insert into gen_types values ${children.map((c, k) => `(${k}, ${q(c.code)}, ${q(c.fragment)}, ${q(c.description)})`).join(', ')};
      select setseed(0.42);`],
    ['taxonomy', `
      insert into taxonomies (id, lio_id, name, description, version) values (${id('tax', "'needs'")}, ${L}, 'Community needs', 'Needs and service types for community services', '1');
      insert into taxonomy_terms (id, lio_id, taxonomy_id, code, name, description)
        values ${CATEGORIES.map((c) => `(${id('term', q(c.code))}, ${L}, ${id('tax', "'needs'")}, ${q(c.code)}, ${q(c.name)}, ${q(c.name)})`).join(', ')};
      insert into taxonomy_terms (id, lio_id, taxonomy_id, code, name, description, parent_id)
        values ${children.map((c) => `(${id('term', q(c.code))}, ${L}, ${id('tax', "'needs'")}, ${q(c.code)}, ${q(c.name)}, ${q(c.description)}, ${id('term', q(c.parent))})`).join(', ')};`],
    ['organisations', `
      create temp table gen_orgs as
        select i, least(${TOWNS.length - 1}, floor(power(random(), 1.6) * ${TOWNS.length}))::int as town from generate_series(1, ${orgs}) i;
      insert into organisations (id, lio_id, name, organisation_type, description, email, phone, postcode, latitude, longitude, areas_served,
          status, consent_to_publish, last_verified_at, membership, created_at, updated_at)
        select ${id('org', 'o.i')}, ${L},
          (array[${PREFIXES.map(q).join(',')}])[1 + o.i % ${PREFIXES.length}] || ' ' || (array[${ORG_KINDS.map(q).join(',')}])[1 + (o.i / ${PREFIXES.length}) % ${ORG_KINDS.length}],
          (array['registered_charity','cio','unincorporated','mutual_aid','faith_group','cic'])[1 + o.i % 6],
          'A local voluntary group in ' || t.name || '.', 'hello' || o.i || '@group.example', '0113 496 ' || lpad((o.i % 10000)::text, 4, '0'),
          t.postcode, t.lat, t.lng, array[t.name],
          case when o.i % 20 = 0 then 'dormant' else 'active' end, o.i % 25 <> 0, now() - (o.i % 700) * interval '1 day',
          case when o.i % 3 = 0 then 'member' else 'none' end, now(), now()
        from gen_orgs o join gen_towns t on t.k = o.town;`],
    ['services', `
      create temp table gen_services as
        select i, 1 + (i - 1) % ${orgs} as org, floor(random() * ${children.length})::int as type, floor(random() * ${SCHEDULES.length})::int as sched, random() as r
        from generate_series(1, ${n}) i;
      insert into services (id, lio_id, organisation_id, name, description, status, delivery_modes, is_free, minimum_age, maximum_age,
          fees_description, email, url, consent_to_publish, created_at, updated_at)
        select ${id('svc', 's.i')}, ${L}, ${id('org', 's.org')},
          (array[${PREFIXES.map(q).join(',')}])[1 + (s.i * 7) % ${PREFIXES.length}] || ' ' || ty.fragment || case when s.i % 5 = 0 then ' ' || t.name else '' end,
          ty.description || ' Based in ' || t.name || '.',
          case when s.r < 0.92 then 'active' when s.r < 0.96 then 'temporarily closed' when s.r < 0.98 then 'inactive' else 'defunct' end,
          string_to_array((array['in_person', 'in_person,phone', 'phone,online', 'in_person', 'home_visit,phone', 'in_person,online'])[1 + s.i % 6], ','),
          s.i % 4 <> 0,
          case when s.i % 10 = 1 then 11 when s.i % 10 = 2 then 0 when s.i % 10 = 3 then 60 else null end,
          case when s.i % 10 = 1 then 25 when s.i % 10 = 2 then 11 else null end,
          case when s.i % 4 = 0 then 'A small charge per session' else null end,
          'service' || s.i || '@group.example', 'https://group.example/services/' || s.i, true, now(), now() - (s.i % 365) * interval '1 day'
        from gen_services s join gen_orgs o on o.i = s.org join gen_towns t on t.k = o.town join gen_types ty on ty.k = s.type;`],
    ['locations', `
      create temp table gen_locations as
        select l as k, case when l <= ${n} then l else l - ${n} end as svc from generate_series(1, ${n + Math.floor(n / 2)}) l;
      insert into locations (id, lio_id, organisation_id, name, latitude, longitude, address_1, city, postal_code, country, created_at, updated_at)
        select ${id('loc', 'g.k')}, ${L}, ${id('org', 's.org')}, case when g.k <= ${n} then 'Main venue' else 'Outreach venue' end,
          t.lat + 0.07 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()),
          t.lng + 0.11 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()),
          (g.k % 200 + 1) || ' ' || (array['High Street','Church Road','Station Road','Victoria Road','Park Lane','Mill Street'])[1 + g.k % 6],
          t.name, t.postcode, 'GB', now(), now()
        from gen_locations g join gen_services s on s.i = g.svc join gen_orgs o on o.i = s.org join gen_towns t on t.k = o.town;
      insert into service_at_locations (id, lio_id, service_id, location_id)
        select ${id('sal', 'g.k')}, ${L}, ${id('svc', 'g.svc')}, ${id('loc', 'g.k')} from gen_locations g;`],
    ['opening times, terms, costs, phones and areas', `
      insert into schedules (lio_id, service_id, freq, byday, opens_at, closes_at, description)
        select ${L}, ${id('svc', 's.i')}, 'WEEKLY', sc.byday, sc.opens::time, sc.closes::time, null
        from gen_services s join (values ${SCHEDULES.map((x, k) => `(${k}, ${q(x[0])}, ${q(x[1])}, ${q(x[2])})`).join(', ')}) sc(k, byday, opens, closes) on sc.k = s.sched;
      insert into schedules (lio_id, service_id, freq, byday, opens_at, closes_at)
        select ${L}, ${id('svc', 's.i')}, 'WEEKLY', 'SA', '10:00', '12:00' from gen_services s where s.i % 3 = 0 and s.sched <> 2;
      insert into attributes (lio_id, link_id, link_type, link_entity, taxonomy_term_id)
        select ${L}, ${id('svc', 's.i')}, 'service', 'service', ${id('term', 'ty.code')} from gen_services s join gen_types ty on ty.k = s.type;
      insert into attributes (lio_id, link_id, link_type, link_entity, taxonomy_term_id)
        select ${L}, ${id('svc', 's.i')}, 'service', 'service', ${id('term', 'ty.code')}
        from gen_services s join gen_types ty on ty.k = (s.type + 1 + s.i % ${children.length - 1}) % ${children.length} where s.i % 5 < 2;
      insert into cost_options (lio_id, service_id, option, amount, amount_description)
        select ${L}, ${id('svc', 's.i')}, 'Per session', 1 + s.i % 9, 'Concessions available' from gen_services s where s.i % 4 = 0;
      insert into phones (lio_id, service_id, number, type)
        select ${L}, ${id('svc', 's.i')}, '0113 496 ' || lpad((s.i % 10000)::text, 4, '0'), 'voice' from gen_services s;
      insert into service_areas (lio_id, service_id, name, extent_type)
        select ${L}, ${id('svc', 's.i')}, t.name, 'locality' from gen_services s join gen_orgs o on o.i = s.org join gen_towns t on t.k = o.town;
      insert into service_delivery_changes (lio_id, service_id, changed_on, delivery_modes, status)
        select ${L}, sv.id, current_date - 400, sv.delivery_modes, sv.status from services sv where sv.lio_id = ${L};
      insert into postcodes (postcode, latitude, longitude, local_authority_code)
        select replace(t.postcode, ' ', ''), t.lat, t.lng, 'E0' || lpad(t.k::text, 7, '0') from gen_towns t
        on conflict (postcode) do update set latitude = excluded.latitude, longitude = excluded.longitude, terminated_on = null;`],
  ];

  await db.system.transaction().execute(async (tx) => {
    for (const [name, text] of steps) {
      const t0 = Date.now();
      await sql.raw(text).execute(tx);
      log(`  ${name}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }
    await sql.raw('drop table gen_towns, gen_types, gen_orgs, gen_services, gen_locations').execute(tx);
  });
  const t0 = Date.now();
  // Vacuum too, not only analyze: it sets the visibility map, so index-only scans need no heap visits.
  await sql.raw('vacuum analyze').execute(db.system);
  log(`  vacuum analyze: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return { lioId: lio.id, services: n, locations: n + Math.floor(n / 2), organisations: orgs, seconds: (Date.now() - started) / 1000 };
}

/** The bench LIO and how many services it holds, or null when it has not been generated. */
export async function existingDirectory(db: Database): Promise<{ lioId: string; services: number } | null> {
  const lio = await db.system.selectFrom('lios').select('id').where('slug', '=', BENCH_LIO_SLUG).executeTakeFirst();
  if (!lio) return null;
  const row = await db.system.selectFrom('services').select((eb) => eb.fn.countAll<number>().as('n')).where('lio_id', '=', lio.id).executeTakeFirstOrThrow();
  return { lioId: lio.id, services: Number(row.n) };
}

async function cli(): Promise<void> {
  const { loadConfig } = await import('../src/platform/config.js');
  const { openDatabase } = await import('../src/platform/db/index.js');
  const { migrate } = await import('../src/platform/db/migrate.js');
  const config = loadConfig();
  const db = await openDatabase(config);
  try {
    await migrate(db);
    const services = Number(process.env.BENCH_SERVICES ?? 100_000);
    const result = await generateDirectory(db, { services, log: (m) => console.error(m) });
    console.log(JSON.stringify(result));
  } finally {
    await db.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  cli().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
