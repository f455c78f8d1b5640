import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { createTestDatabase } from './helpers/database.js';
import { factories } from './helpers/factories.js';
import { directoryFactories } from './helpers/directory-factories.js';
import { volunteeringFactories } from './helpers/volunteering-factories.js';
import { peopleFactories } from './helpers/people-factories.js';
import type { Database } from '../src/platform/db/index.js';
import { migrate } from '../src/platform/db/migrate.js';

/** A foreign key between two tables that both carry lio_id, read from the catalogue. */
interface Link { table: string; constraint: string; columns: string[]; refTable: string; refColumns: string[] }

async function foreignKeys(db: Database): Promise<(Link & { tableHasLio: boolean; refHasLio: boolean })[]> {
  const { rows } = await sql<Link & { tableHasLio: boolean; refHasLio: boolean }>`
    select t.relname as "table", c.conname as "constraint", r.relname as "refTable",
      array(select a.attname::text from unnest(c.conkey) with ordinality k(n, i) join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.n order by k.i) as columns,
      array(select a.attname::text from unnest(c.confkey) with ordinality k(n, i) join pg_attribute a on a.attrelid = c.confrelid and a.attnum = k.n order by k.i) as "refColumns",
      exists (select 1 from pg_attribute a where a.attrelid = c.conrelid and a.attname = 'lio_id' and not a.attisdropped) as "tableHasLio",
      exists (select 1 from pg_attribute a where a.attrelid = c.confrelid and a.attname = 'lio_id' and not a.attisdropped) as "refHasLio"
    from pg_constraint c join pg_class t on t.oid = c.conrelid join pg_class r on r.oid = c.confrelid
    where c.contype = 'f' and t.relnamespace = current_schema()::regnamespace
    order by 1, 2`.execute(db.system);
  return rows;
}

const unique = () => randomBytes(4).toString('hex');

/** One row in every tenant table of `lio`, so each link has a row to point from and a row to point at. */
async function everyTenantTable(db: Database, lio: { id: string }) {
  const make = factories(db);
  const directory = directoryFactories(db);
  const people = peopleFactories(db);
  const organisation = await directory.organisation(lio);
  const user = await make.user(lio, { role: 'group_member', organisationId: organisation.id });
  await make.apiToken(lio);
  const person = await people.person(lio);
  await people.consent(lio, person.id);
  await people.directoryContact(lio, { organisationId: organisation.id, name: 'Cass Contact', email: `cass-${unique()}@example.org`, phone: '01632 960000' });
  await people.listingChange(lio, { organisationId: organisation.id, submittedBy: user.id });
  const taxonomy = await directory.taxonomy(lio);
  const term = await directory.term(lio, taxonomy.id);
  const service = await directory.service(lio, {
    organisationId: organisation.id, locations: [{ postcode: 'RV1 1AA' }], opening: [{ day: 'MO', opens: '09:00', closes: '12:00' }], termIds: [term.id], costs: [{ option: 'Session', amount: 2 }],
  });
  const now = new Date();
  await db.withTenant(lio.id, async (tx) => {
    await tx.insertInto('sessions').values({ id_hash: unique(), lio_id: lio.id, user_id: user.id, expires_at: now }).execute();
    await tx.insertInto('user_tokens').values({ lio_id: lio.id, user_id: user.id, purpose: 'invite', token_hash: unique(), expires_at: now }).execute();
    await tx.insertInto('verification_requests').values({ lio_id: lio.id, organisation_id: organisation.id, token_hash: unique() }).execute();
    await tx.insertInto('organisation_events').values({ lio_id: lio.id, organisation_id: organisation.id, actor_label: 'test', kind: 'note', summary: 'A note' }).execute();
    await tx.insertInto('organization_identifiers').values({ lio_id: lio.id, organisation_id: organisation.id, identifier_type: 'Charity number', identifier: '1000001' }).execute();
    await tx.insertInto('funding').values({ lio_id: lio.id, organisation_id: organisation.id, service_id: service.id }).execute();
    await tx.insertInto('service_areas').values({ lio_id: lio.id, service_id: service.id }).execute();
    await tx.insertInto('languages').values({ lio_id: lio.id, service_id: service.id, name: 'Welsh' }).execute();
    const list = await tx.insertInto('signposting_lists').values({ lio_id: lio.id, share_code: unique(), created_by: user.id }).returning('id').executeTakeFirstOrThrow();
    await tx.insertInto('signposting_list_items').values({ lio_id: lio.id, list_id: list.id, service_id: service.id, position: 1 }).execute();
    await tx.insertInto('signposting_list_sends').values({ lio_id: lio.id, list_id: list.id, sent_at: now }).execute();
  });
  return { organisation, service };
}

/** A row in each tenant table of the migrations after 016 (sign-in throttles, volunteering, 032's sign-ups), linked to the tables it may point at. */
async function everyLaterTable(db: Database, lio: { id: string }) {
  const make = factories(db);
  const directory = directoryFactories(db);
  const volunteering = volunteeringFactories(db);
  const organisation = await directory.organisation(lio);
  const user = await make.user(lio, { role: 'staff', permissionSets: ['volunteer_coordinator'] });
  const volunteer = await volunteering.volunteer(lio);
  const opportunity = await volunteering.opportunity(lio, { organisationId: organisation.id, submittedBy: user.id });
  await db.withTenant(lio.id, (tx) => tx.updateTable('opportunities').set({ approved_by_user_id: user.id }).where('id', '=', opportunity.id).execute());
  const referral = await volunteering.referral(lio, { volunteerId: volunteer.id, opportunityId: opportunity.id, organisationId: organisation.id });
  await volunteering.vettingCheck(lio, { volunteerId: volunteer.id, forOrganisationId: organisation.id });
  await db.withTenant(lio.id, async (tx) => {
    await tx.insertInto('sign_in_throttles').values({ lio_id: lio.id, key_hash: unique(), account_hash: unique(), user_id: user.id, failures: 1, window_started_at: new Date() }).execute();
    await tx.updateTable('vetting_checks').set({ recorded_by_user_id: user.id }).where('volunteer_id', '=', volunteer.id).execute();
    await tx.insertInto('volunteer_hours').values({
      lio_id: lio.id, volunteer_id: volunteer.id, referral_id: referral.id, organisation_id: organisation.id, worked_on: '2026-11-02', minutes: 90,
      logged_by: 'staff', logged_by_user_id: user.id, confirmed_by_user_id: user.id, confirmed_at: new Date(),
    }).execute();
    await tx.insertInto('volunteer_notes').values({ lio_id: lio.id, volunteer_id: volunteer.id, author_user_id: user.id, body: 'Called back' }).execute();
    await tx.insertInto('volunteer_events').values({ lio_id: lio.id, volunteer_id: volunteer.id, kind: 'registered', actor_user_id: user.id }).execute();
    await tx.insertInto('referral_steps').values({ lio_id: lio.id, referral_id: referral.id, step: 'referred', actor_user_id: user.id }).execute();
    await tx.insertInto('referral_links').values({ lio_id: lio.id, referral_id: referral.id, token_hash: unique().repeat(8), sent_to: 'group@example.org', expires_at: new Date() }).execute();
    await tx.insertInto('surge_assignments').values({ lio_id: lio.id, volunteer_id: volunteer.id, organisation_id: organisation.id, assigned_by_user_id: user.id }).execute();
    await tx.insertInto('volunteer_messages').values({ lio_id: lio.id, subject: 'Thank you', body: 'Thanks', cohort: 'Everyone', recipients: 1, sent_by_user_id: user.id }).execute();
    // Migration 032: a sign-up waiting for its e-mailed link (it points at no other tenant table).
    await tx.insertInto('volunteer_signups').values({
      lio_id: lio.id, via: 'online', signup_key: unique(), email: `signup-${unique()}@example.org`, token_hash: unique().repeat(8), answers: JSON.stringify({}), expires_at: new Date(),
    }).execute();
  });
}

/** A row in each tenant table of support for groups (migrations 026 to 031), linked to every table it may point at. */
async function everySupportTable(db: Database, lio: { id: string }) {
  const make = factories(db);
  const directory = directoryFactories(db);
  const people = peopleFactories(db);
  const organisation = await directory.organisation(lio);
  const user = await make.user(lio, { role: 'staff', permissionSets: ['adviser', 'trainer'] });
  const person = await people.person(lio);
  const now = new Date();
  await db.withTenant(lio.id, async (tx) => {
    const supportCase = await tx.insertInto('support_cases').values({
      lio_id: lio.id, reference: `SC-${unique()}`, organisation_id: organisation.id, topic: 'funding', title: 'A bid', request: 'Help with a bid',
      asked_via: 'phone', asked_by_person_id: person.id, asked_by_user_id: user.id, adviser_user_id: user.id, opened_on: '2026-11-02',
    }).returning('id').executeTakeFirstOrThrow();
    await tx.insertInto('support_case_notes').values({ lio_id: lio.id, case_id: supportCase.id, author_user_id: user.id, body: 'Called', minutes_spent: 30, worked_on: '2026-11-02' }).execute();
    await tx.insertInto('support_case_documents').values({
      lio_id: lio.id, case_id: supportCase.id, file_name: 'bid.pdf', media_type: 'application/pdf', size_bytes: 4, sha256: 'a'.repeat(64), content: new Uint8Array([37, 80, 68, 70]), uploaded_by_user_id: user.id,
    }).execute();
    await tx.insertInto('support_outcomes').values({ lio_id: lio.id, case_id: supportCase.id, kind: 'policy_adopted', achieved_on: '2026-11-03', recorded_by_user_id: user.id }).execute();
    await tx.insertInto('funding_applications').values({ lio_id: lio.id, organisation_id: organisation.id, case_id: supportCase.id, funder_name: 'A funder', amount_requested: 5000 }).execute();
    await tx.insertInto('group_health_checks').values({
      lio_id: lio.id, organisation_id: organisation.id, case_id: supportCase.id, stage: 'before', answers: JSON.stringify({ governance: 2 }), score: 2, assessed_on: '2026-11-02', assessed_by_user_id: user.id,
    }).execute();
    const opportunity = await tx.insertInto('funding_opportunities').values({ lio_id: lio.id, funder_name: 'A funder', programme: 'Small grants', summary: 'Up to £5,000', created_by_user_id: user.id })
      .returning('id').executeTakeFirstOrThrow();
    // Migration 027: the LIO's case reference counter (it points at no other tenant table).
    await tx.insertInto('support_case_counters').values({ lio_id: lio.id, last_number: 1 }).execute();
    // Migration 028: a funding digest sent to a user, and a user who stopped them.
    await tx.insertInto('funding_digest_items').values({ lio_id: lio.id, user_id: user.id, opportunity_id: opportunity.id, reason: 'new', sent_at: now }).execute();
    await tx.insertInto('funding_digest_stops').values({ lio_id: lio.id, user_id: user.id, stopped_at: now }).execute();
    const grantImport = await tx.insertInto('grant_imports').values({ lio_id: lio.id, file_name: 'grants.json', format: 'json', status: 'imported', started_by_user_id: user.id }).returning('id').executeTakeFirstOrThrow();
    await tx.insertInto('grants').values({
      lio_id: lio.id, identifier: `360G-${unique()}`, import_id: grantImport.id, title: 'A grant', currency: 'GBP', amount_awarded: 1000, award_date: '2026-01-01',
      funding_org_identifier: 'GB-CHC-1', funding_org_name: 'A funder', recipient_org_identifier: 'GB-CHC-2', recipient_org_name: 'A group', organisation_id: organisation.id,
    }).execute();
    await tx.insertInto('support_spend').values({ lio_id: lio.id, period_start: '2026-01-01', period_end: '2026-03-31', amount: 10000, entered_by_user_id: user.id }).execute();
    const course = await tx.insertInto('courses').values({ lio_id: lio.id, title: 'Being a trustee', summary: 'The basics', description: 'The basics of trusteeship', created_by_user_id: user.id }).returning('id').executeTakeFirstOrThrow();
    const session = await tx.insertInto('course_sessions').values({ lio_id: lio.id, course_id: course.id, starts_at: now, ends_at: new Date(now.getTime() + 3_600_000), venue: 'The hall', capacity: 10 }).returning('id').executeTakeFirstOrThrow();
    const booking = await tx.insertInto('course_bookings').values({
      lio_id: lio.id, session_id: session.id, person_id: person.id, organisation_id: organisation.id, booked_by_user_id: user.id, status: 'booked',
    }).returning('id').executeTakeFirstOrThrow();
    await tx.insertInto('course_feedback').values({ lio_id: lio.id, booking_id: booking.id, rating: 5 }).execute();
    const type = await tx.insertInto('membership_types').values({ lio_id: lio.id, name: 'Full member', register_flag: 'member' }).returning('id').executeTakeFirstOrThrow();
    await tx.insertInto('memberships').values({ lio_id: lio.id, organisation_id: organisation.id, membership_type_id: type.id, joined_on: '2026-01-01', renews_on: '2027-01-01', applied_by_user_id: user.id }).execute();
    const bulletin = await tx.insertInto('bulletins').values({ lio_id: lio.id, subject: 'News', introduction: 'Hello', segment: 'all_groups', created_by_user_id: user.id }).returning('id').executeTakeFirstOrThrow();
    await tx.insertInto('bulletin_recipients').values({
      lio_id: lio.id, bulletin_id: bulletin.id, email: `reader-${unique()}@example.org`, person_id: person.id, organisation_id: organisation.id, unsubscribe_token_hash: unique().repeat(8),
    }).execute();
    await tx.insertInto('bulletin_unsubscribes').values({ lio_id: lio.id, email: `gone-${unique()}@example.org`, bulletin_id: bulletin.id }).execute();
  });
}

/** What the database answers, with the id named replaced, so that two answers naming different ids compare. */
async function refusal(work: Promise<unknown>, id: string): Promise<string> {
  try {
    await work;
  } catch (err) {
    const e = err as { code?: string; message: string; detail?: string };
    return `${e.code} | ${e.message} | ${e.detail ?? ''}`.replaceAll(id, '<id>');
  }
  return 'accepted';
}

// The database has data in two LIOs before migration 016 makes the links name their LIO: it must apply over them.
describe('links between tenant tables stay within one LIO', () => {
  let db: Database;
  let dispose: () => Promise<void>;
  let links: Link[];
  const lioA = { id: '' };
  const lioB = { id: '' };
  beforeAll(async () => {
    ({ db, dispose } = await createTestDatabase({ migrateUntil: '015' }));
    const make = factories(db);
    Object.assign(lioA, await make.lio({ name: 'Alpha Community Action' }));
    Object.assign(lioB, await make.lio({ name: 'Beta CVS' }));
    await everyTenantTable(db, lioA);
    await everyTenantTable(db, lioB);
    expect((await migrate(db)).applied).toContain('016_tenant_links.sql');
    // Tables made after 016 are made with their keys naming the LIO: rows of them are added once they exist.
    await everyLaterTable(db, lioA);
    await everyLaterTable(db, lioB);
    await everySupportTable(db, lioA);
    await everySupportTable(db, lioB);
    links = (await foreignKeys(db)).filter((k) => k.tableHasLio && k.refHasLio);
  });
  afterAll(async () => { await dispose(); });

  it('every key between tenant tables pairs lio_id with lio_id, and a table with a key to a tenant table carries lio_id', async () => {
    const all = await foreignKeys(db);
    const withoutLio = all.filter((k) => k.refHasLio && !k.tableHasLio).map((k) => `${k.table}.${k.constraint}`);
    expect(withoutLio).toEqual([]);
    const notPaired = links.filter((k) => k.refTable !== 'lios' && k.columns[k.refColumns.indexOf('lio_id')] !== 'lio_id').map((k) => `${k.table}.${k.constraint}`);
    expect(notPaired).toEqual([]);
    // The catalogue does hold the links this test is about (organisations alone are named by many).
    expect(links.filter((k) => k.refTable === 'organisations').length).toBeGreaterThan(5);
  });

  it('as the app role in LIO A, pointing a row at LIO B\'s record is refused exactly as pointing it at an id that does not exist', async () => {
    /**
     * Points A's row of `table` at an id: an update, or where the app may only add rows (an append-only record),
     * a copy of A's row (all but its id) naming the id.
     */
    async function pointerOf(table: string, column: string) {
      const { rows: [grant] } = await sql<{ update: boolean }>`select has_table_privilege(${db.appRole}, ${table}, 'UPDATE') as update`.execute(db.system);
      if (grant!.update) {
        return (id: string) => db.withTenant(lioA.id, (tx) => sql`update ${sql.table(table)} set ${sql.ref(column)} = ${id}
          where ctid = (select ctid from ${sql.table(table)} limit 1)`.execute(tx));
      }
      const { rows } = await sql<{ name: string }>`select column_name as name from information_schema.columns
        where table_schema = current_schema() and table_name = ${table} and column_name <> 'id' and is_generated = 'NEVER' order by ordinal_position`.execute(db.system);
      const columns = rows.map((r) => r.name);
      return (id: string) => db.withTenant(lioA.id, (tx) => sql`insert into ${sql.table(table)} (${sql.join(columns.map((c) => sql.ref(c)))})
        select ${sql.join(columns.map((c) => (c === column ? sql`${id}::uuid` : sql.ref(c))))} from ${sql.table(table)} limit 1`.execute(tx));
    }
    const answers: Record<string, { otherLio: string; missing: string }> = {};
    for (const link of links.filter((k) => k.refTable !== 'lios')) {
      const column = link.columns.find((c) => c !== 'lio_id')!;
      const ofB = await sql<{ id: string }>`select id from ${sql.table(link.refTable)} where lio_id = ${lioB.id} limit 1`.execute(db.system);
      expect(ofB.rows, `a row of ${link.refTable} in LIO B`).toHaveLength(1);
      const hasRowInA = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(link.table)} where lio_id = ${lioA.id}`.execute(db.system);
      expect(hasRowInA.rows[0]!.n, `everyTenantTable makes a row of ${link.table}`).toBeGreaterThan(0);
      const pointAt = await pointerOf(link.table, column);
      const missing = randomUUID();
      answers[`${link.table}.${column}`] = { otherLio: await refusal(pointAt(ofB.rows[0]!.id), ofB.rows[0]!.id), missing: await refusal(pointAt(missing), missing) };
    }
    for (const [link, { otherLio, missing }] of Object.entries(answers)) {
      expect(missing, link).toMatch(/^23503 \| .*violates foreign key constraint/);
      expect(otherLio, link).toBe(missing);
    }
    expect(Object.keys(answers).length).toBeGreaterThanOrEqual(40);
  });

  it('a service added in LIO A under LIO B\'s organisation is refused as for an organisation that does not exist', async () => {
    const organisationOfB = await db.system.selectFrom('organisations').select('id').where('lio_id', '=', lioB.id).executeTakeFirstOrThrow();
    const add = (organisationId: string) => db.withTenant(lioA.id, (tx) => tx.insertInto('services').values({
      lio_id: lioA.id, organisation_id: organisationId, name: 'Borrowed service', description: 'Placed under another LIO\'s group', status: 'active',
    }).execute());
    const missing = randomUUID();
    const otherLio = await refusal(add(organisationOfB.id), organisationOfB.id);
    expect(otherLio).toMatch(/^23503 \| .*services_organisation_id_fkey/);
    expect(otherLio).toBe(await refusal(add(missing), missing));
  });

  it('keeps what each key does on delete: a user removed empties the links to them, and leaves the rows in their LIO', async () => {
    const user = await db.system.selectFrom('users').select('id').where('lio_id', '=', lioA.id).where('role', '=', 'group_member').executeTakeFirstOrThrow();
    await db.withTenant(lioA.id, (tx) => tx.deleteFrom('users').where('id', '=', user.id).execute());
    const list = await db.system.selectFrom('signposting_lists').select(['lio_id', 'created_by']).where('lio_id', '=', lioA.id).executeTakeFirstOrThrow();
    expect(list).toEqual({ lio_id: lioA.id, created_by: null });
    expect(await db.system.selectFrom('sessions').select('id_hash').where('user_id', '=', user.id).execute()).toEqual([]);
  });
});
