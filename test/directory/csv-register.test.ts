import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { directoryFactories } from '../helpers/directory-factories.js';
import { parseCsv, toCsv } from '../../src/directory/csv/csv.js';
import { ORGANISATION_COLUMNS, SERVICE_COLUMNS } from '../../src/directory/csv/service.js';

/**
 * The register as spreadsheets: export from the staff pages, import on /admin/imports with a row-by-row report,
 * nothing committed when a row is wrong, and an exported file that imports back cleanly and unchanged.
 */

let t: TestContext;
type Lio = Awaited<ReturnType<TestContext['make']['lio']>>;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t?.close(); });

async function adminClient(lio: Lio) {
  const admin = await t.make.user(lio, { role: 'admin' });
  const client = new Client(t.app, lio.host);
  await client.signIn(admin.email, admin.password);
  return client;
}

async function importCsv(client: Client, what: 'organisations' | 'services', text: string, name = `${what}.csv`) {
  const page = await client.get('/admin/imports');
  const csrf = page.$('input[name="_csrf"]').first().val() as string;
  const posted = await client.postMultipart('/admin/imports/csv', { _csrf: csrf, what }, { file: [{ name, text }] });
  expect(posted.status, posted.body.slice(0, 500)).toBe(303);
  return client.get(posted.location!);
}

const issueRows = (page: Awaited<ReturnType<Client['get']>>) => page.$('[data-testid="import-issues"] tbody tr').toArray()
  .map((tr) => page.$(tr).find('td').toArray().map((td) => page.$(td).text().replace(/\s+/g, ' ').trim()));

describe('CSV files', () => {
  it('quotes what needs quoting, guards against formulas, and reads back what it wrote', () => {
    const rows = [['plain', 'with, comma', 'with "quotes"', 'two\nlines', '=SUM(A1)', '+44 1632 960000', ' padded ']];
    const text = toCsv(['a', 'b', 'c', 'd', 'e', 'f', 'g'], rows);
    expect(text).toContain('"with, comma","with ""quotes""","two\nlines",\'=SUM(A1),\'+44 1632 960000," padded "');
    const parsed = parseCsv(text);
    expect(parsed[1]!.values).toEqual(['plain', 'with, comma', 'with "quotes"', 'two\nlines', '\'=SUM(A1)', '\'+44 1632 960000', ' padded ']);
    expect(parsed[1]!.line).toBe(2);
    expect(parseCsv('\ufeffa,b\r\n1,2\r\n\r\n3,4').map((r) => [r.line, ...r.values])).toEqual([[1, 'a', 'b'], [2, '1', '2'], [4, '3', '4']]);
  });
});

describe('organisations as a spreadsheet', () => {
  it('exports every organisation (staff with the export permission only), and the same file re-imports cleanly with nothing changed', async () => {
    const lio = await t.make.lio();
    const d = directoryFactories(t.db);
    const org = await d.organisation(lio, { name: 'Riverside, "Friends" of the Park', charityNumber: '1123456', postcode: 'LS1 1UR', description: 'Line one\nLine two' });
    await t.db.withTenant(lio.id, (tx) => tx.updateTable('organisations').set({
      other_names: ['Park Friends', 'RFOP'], themes: ['environment', 'volunteering'], groups_served: ['carers', 'age'], areas_served: ['Riverside', 'Hyde Park'],
      income_band: '10k_100k', staff_count: 2, volunteer_count: 30, website: 'https://park.example', phone: '+44 1632 960000', membership: 'member', relationship: 'supported',
    }).where('id', '=', org.id).execute());
    await d.organisation(lio, { name: 'Zeta Group' });
    const volunteer = await t.make.user(lio, { role: 'volunteer' });
    const outsider = new Client(t.app, lio.host);
    await outsider.signIn(volunteer.email, volunteer.password);
    expect((await outsider.get('/organisations/export.csv')).status).toBe(403);

    const client = await adminClient(lio);
    const exported = await client.get('/organisations/export.csv');
    expect(exported.status).toBe(200);
    expect(exported.headers['content-type']).toMatch(/text\/csv/);
    expect(exported.headers['content-disposition']).toMatch(/attachment; filename="organisations-\d{4}-\d{2}-\d{2}\.csv"/);
    const records = parseCsv(exported.body);
    expect(records[0]!.values).toEqual([...ORGANISATION_COLUMNS]);
    expect(records).toHaveLength(3);
    const row = Object.fromEntries(records[0]!.values.map((h, i) => [h, records[1]!.values[i]]));
    expect(row).toMatchObject({
      id: org.id, name: 'Riverside, "Friends" of the Park', charity_number: '1123456', themes: 'Environment\nVolunteering', groups_served: 'Carers\nAge (older or younger people)',
      organisation_type: 'Registered charity', income_band: '£10,000 to £100,000', consent_to_publish: 'Yes', phone: '\'+44 1632 960000', description: 'Line one\nLine two',
    });

    const before = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('organisations').selectAll().orderBy('name').execute());
    const report = await importCsv(client, 'organisations', exported.body);
    expect(report.$('h1').text()).toBe('Import report');
    expect(report.$('td.govuk-table__cell--numeric').toArray().map((td) => report.$(td).text())).toEqual(['0', '0']);
    const after = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('organisations').selectAll().orderBy('name').execute());
    expect(after).toEqual(before);
  });

  it('adds and updates from an edited file, recording each on the timeline', async () => {
    const lio = await t.make.lio();
    const org = await directoryFactories(t.db).organisation(lio, { name: 'Old Name Group' });
    const client = await adminClient(lio);
    const csv = toCsv(['id', 'name', 'themes', 'consent_to_publish', 'postcode'], [
      [org.id, 'New Name Group', 'FOOD', 'yes', 'ls1 1ur'],
      ['', 'Brand New Society', 'Faith; Older people', 'no', ''],
    ]);
    const report = await importCsv(client, 'organisations', csv);
    expect(report.$('.govuk-notification-banner').text()).toMatch(/1 added, 1 updated/);
    const rows = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('organisations').select(['name', 'themes', 'consent_to_publish', 'postcode']).orderBy('name').execute());
    expect(rows).toEqual([
      // Themes are read through the one vocabulary: a label in any case is stored as its code.
      { name: 'Brand New Society', themes: ['faith', 'older'], consent_to_publish: false, postcode: null },
      { name: 'New Name Group', themes: ['food'], consent_to_publish: true, postcode: 'LS1 1UR' },
    ]);
    const events = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('organisation_events').select(['summary']).where('organisation_id', '=', org.id).execute());
    expect(events.map((e) => e.summary)).toEqual(['Updated from a spreadsheet: Name, Postcode, Themes']);
  });

  it('rejects the whole file when any row is wrong, naming each row, column and reason', async () => {
    const lio = await t.make.lio();
    const client = await adminClient(lio);
    const csv = toCsv(['id', 'name', 'charity_number', 'email', 'organisation_type', 'staff_count'], [
      ['', 'Good Group', '', '', '', ''],
      ['', '', '12', 'not-an-email', 'Space agency', 'lots'],
      ['00000000-0000-4000-8000-000000000000', 'Ghost', '', '', '', ''],
    ]);
    const report = await importCsv(client, 'organisations', csv);
    expect(report.$('h1').text()).toBe('Import rejected');
    expect(report.$('.govuk-warning-text').text()).toMatch(/2 rows have problems, so nothing was imported/);
    const issues = issueRows(report);
    expect(issues.map((r) => [r[0], r[1]])).toEqual([['3', 'name'], ['3', 'organisation_type'], ['3', 'charity_number'], ['3', 'email'], ['3', 'staff_count'], ['4', 'id']]);
    expect(issues[0]![3]).toMatch(/Enter the organisation’s name/);
    expect(issues[5]![3]).toMatch(/names no organisation in this register/);
    expect(await t.db.withTenant(lio.id, (tx) => tx.selectFrom('organisations').select('id').execute())).toEqual([]);
  });

  it('refuses a website that is not an http or https address, in either file, naming the row and column', async () => {
    const lio = await t.make.lio();
    const client = await adminClient(lio);
    await directoryFactories(t.db).organisation(lio, { name: 'Solo' });
    for (const address of ['javascript:alert(1)', 'data:text/html,<script>alert(1)</script>']) {
      const organisations = await importCsv(client, 'organisations', toCsv(['name', 'website'], [['Linked Group', address]]));
      expect(organisations.$('h1').text()).toBe('Import rejected');
      expect(issueRows(organisations).map((r) => [r[0], r[1]])).toEqual([['2', 'website']]);
      const services = await importCsv(client, 'services', toCsv(['organisation_name', 'name', 'url'], [['Solo', 'Linked Service', address]]));
      expect(services.$('h1').text()).toBe('Import rejected');
      expect(issueRows(services).map((r) => [r[0], r[1]])).toEqual([['2', 'url']]);
    }
    const held = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('organisations').select('website').where('name', '=', 'Linked Group').execute());
    expect(held).toEqual([]);
    expect(await t.db.withTenant(lio.id, (tx) => tx.selectFrom('services').select('id').execute())).toEqual([]);
  });

  it('refuses a file with unknown columns or that is not CSV, and says so on the page', async () => {
    const lio = await t.make.lio();
    const client = await adminClient(lio);
    const unknown = await importCsv(client, 'organisations', 'name,favourite colour\nGroup,blue\n');
    expect(issueRows(unknown)[0]).toEqual(['1', 'favourite colour', '', expect.stringMatching(/is not a column of the organisations spreadsheet/)]);
    const broken = await importCsv(client, 'organisations', 'name\n"unclosed\n');
    expect(issueRows(broken)[0]![0]).toBe('2');
    const page = await client.get('/admin/imports');
    const csrf = page.$('input[name="_csrf"]').first().val() as string;
    const wrongType = await client.postMultipart('/admin/imports/csv', { _csrf: csrf, what: 'organisations' }, { file: [{ name: 'orgs.xlsx', text: 'PK...' }] });
    expect(wrongType.status).toBe(400);
    expect(wrongType.$('.govuk-error-summary').text()).toMatch(/must be a CSV file/);
    const nothing = await client.postMultipart('/admin/imports/csv', { _csrf: csrf }, {});
    expect(nothing.status).toBe(400);
    expect(nothing.$('.govuk-error-summary a').toArray().map((a) => nothing.$(a).attr('href'))).toEqual(['#what', '#file']);
  });
});

describe('services as a spreadsheet', () => {
  it('exports services, and the exported file re-imports cleanly with nothing changed', async () => {
    const lio = await t.make.lio();
    const d = directoryFactories(t.db);
    const org = await d.organisation(lio, { name: 'Pantry Trust' });
    const service = await d.service(lio, {
      organisationId: org.id, name: 'Community Pantry', description: 'Food, "fresh" and tinned', deliveryModes: ['in_person', 'phone'], minimumAge: 16,
      opening: [{ day: 'MO', opens: '09:00', closes: '12:00' }, { day: 'TH', opens: '13:30', closes: '17:00' }],
      locations: [{ name: 'Hall', latitude: 53.8, longitude: -1.5 }], costs: [{ option: 'Members', amount: 2 }],
    });
    await t.db.withTenant(lio.id, async (tx) => {
      await tx.insertInto('languages').values([{ lio_id: lio.id, service_id: service.id, name: 'English', code: 'en' }, { lio_id: lio.id, service_id: service.id, name: 'Polish', code: 'pl' }]).execute();
      await tx.insertInto('service_areas').values({ lio_id: lio.id, service_id: service.id, name: 'Riverside' }).execute();
      await tx.insertInto('schedules').values({ lio_id: lio.id, service_id: service.id, freq: 'MONTHLY', byday: '1SA', opens_at: '10:00', closes_at: '12:00' }).execute();
    });
    const client = await adminClient(lio);
    const exported = await client.get('/services/export.csv');
    expect(exported.status).toBe(200);
    const records = parseCsv(exported.body);
    expect(records[0]!.values).toEqual([...SERVICE_COLUMNS]);
    const row = Object.fromEntries(records[0]!.values.map((h, i) => [h, records[1]!.values[i]]));
    expect(row).toMatchObject({
      id: service.id, organisation_name: 'Pantry Trust', name: 'Community Pantry', status: 'Active', delivery_modes: 'In person\nBy phone', is_free: 'No',
      minimum_age: '16', opening_times: 'Monday 09:00-12:00\nThursday 13:30-17:00', languages: 'English\nPolish', service_areas: 'Riverside',
    });
    const snapshot = () => t.db.withTenant(lio.id, async (tx) => ({
      services: await tx.selectFrom('services').selectAll().execute(),
      schedules: await tx.selectFrom('schedules').selectAll().orderBy('id').execute(),
      languages: await tx.selectFrom('languages').selectAll().orderBy('id').execute(),
      costs: await tx.selectFrom('cost_options').selectAll().execute(),
      sals: await tx.selectFrom('service_at_locations').selectAll().execute(),
    }));
    const before = await snapshot();
    const report = await importCsv(client, 'services', exported.body);
    expect(report.$('h1').text()).toBe('Import report');
    expect(await snapshot()).toEqual(before);
  });

  it('adds services by organisation name and updates opening times, keeping what the spreadsheet does not hold', async () => {
    const lio = await t.make.lio();
    const d = directoryFactories(t.db);
    const org = await d.organisation(lio, { name: 'Advice Centre' });
    const service = await d.service(lio, { organisationId: org.id, name: 'Debt Advice', opening: [{ day: 'TU', opens: '10:00', closes: '12:00' }], costs: [{ option: 'Free', amount: 0 }] });
    const client = await adminClient(lio);
    const csv = toCsv(['id', 'organisation_name', 'name', 'status', 'delivery_modes', 'opening_times', 'is_free'], [
      [service.id, '', 'Debt Advice', 'Temporarily closed', 'phone', 'Wed 9am-1pm', 'yes'],
      ['', 'advice centre', 'Benefits Checks', 'active', 'In person; Online', 'Friday 14:00-16:00', 'no'],
    ]);
    const report = await importCsv(client, 'services', csv);
    expect(report.$('.govuk-notification-banner').text()).toMatch(/1 added, 1 updated/);
    const rows = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('services').select(['id', 'name', 'status', 'delivery_modes', 'organisation_id']).orderBy('name').execute());
    expect(rows.map((r) => [r.name, r.status, r.delivery_modes, r.organisation_id])).toEqual([
      ['Benefits Checks', 'active', ['in_person', 'online'], org.id], ['Debt Advice', 'temporarily closed', ['phone'], org.id],
    ]);
    const schedules = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('schedules').select(['service_id', 'byday', 'opens_at', 'closes_at']).orderBy('byday').execute());
    expect(schedules).toEqual([
      { service_id: rows[0]!.id, byday: 'FR', opens_at: '14:00:00', closes_at: '16:00:00' },
      { service_id: service.id, byday: 'WE', opens_at: '09:00:00', closes_at: '13:00:00' },
    ]);
    expect(await t.db.withTenant(lio.id, (tx) => tx.selectFrom('cost_options').select('option').execute())).toEqual([{ option: 'Free' }]);
    const history = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('service_delivery_changes').select(['status']).where('service_id', '=', service.id).orderBy('changed_on').execute());
    expect(history.map((h) => h.status)).toContain('temporarily closed');
  });

  it('shows categories, venues, phones and costs as cells a spreadsheet user edits, and imports the edits back', async () => {
    const lio = await t.make.lio();
    const d = directoryFactories(t.db);
    const org = await d.organisation(lio, { name: 'Warm Welcome Trust' });
    const needs = await d.taxonomy(lio, 'Needs');
    const other = await d.taxonomy(lio, 'Council list');
    const food = await d.term(lio, needs.id, { name: 'Food', code: 'food' });
    const warm = await d.term(lio, needs.id, { name: 'Warm spaces', code: 'warm' });
    const councilFood = await d.term(lio, other.id, { name: 'Food (council)', code: 'FOOD' });
    const service = await d.service(lio, {
      organisationId: org.id, name: 'Warm Hub', isFree: false, termIds: [food.id],
      locations: [{ name: 'Chapel Hall', address: '3 Mill Lane', city: 'Riverside', postcode: 'RV1 2AB', latitude: 53.1, longitude: -1.2 }],
      costs: [{ option: 'Adults', amount: 3.5 }, { option: 'Donations welcome', amount: null }],
    });
    await t.db.withTenant(lio.id, (tx) => tx.insertInto('phones').values({ lio_id: lio.id, service_id: service.id, number: '01632 960 001' }).execute());
    await d.postcode({ postcode: 'RV3 9ZZ', latitude: 53.2, longitude: -1.3 });
    const client = await adminClient(lio);

    const exported = parseCsv((await client.get('/services/export.csv')).body);
    const header = exported[0]!.values;
    const row = Object.fromEntries(header.map((h, i) => [h, exported[1]!.values[i]!]));
    expect(row).toMatchObject({
      taxonomy_terms: 'Needs: food', locations: 'Chapel Hall, 3 Mill Lane, Riverside, RV1 2AB', phones: '01632 960 001', costs: 'Donations welcome\nAdults: £3.50',
    });

    // The spreadsheet user retags, adds a venue by address and postcode, changes the phone and a price.
    const edited: Record<string, string> = { ...row, taxonomy_terms: 'warm\nCouncil list: FOOD', locations: 'Chapel Hall, 3 Mill Lane, Riverside, RV1 2AB\nScout Hut, Park Road, Riverside, rv39zz',
      phones: '01632 960 001; 0808 157 0192', costs: 'Adults: £4\nDonations welcome' };
    const report = await importCsv(client, 'services', toCsv(header, [header.map((h) => edited[h]!)]));
    expect(report.$('.govuk-notification-banner').text()).toMatch(/0 added, 1 updated/);
    const held = await t.db.withTenant(lio.id, async (tx) => ({
      terms: (await tx.selectFrom('attributes').select('taxonomy_term_id').where('link_id', '=', service.id).execute()).map((r) => r.taxonomy_term_id).sort(),
      venues: await tx.selectFrom('service_at_locations as sal').innerJoin('locations as l', 'l.id', 'sal.location_id')
        .select(['l.id', 'l.name', 'l.address_1', 'l.city', 'l.postal_code', 'l.latitude', 'l.longitude', 'l.organisation_id']).where('sal.service_id', '=', service.id).orderBy('l.name').execute(),
      phones: (await tx.selectFrom('phones').select('number').where('service_id', '=', service.id).orderBy('number').execute()).map((r) => r.number),
      costs: (await tx.selectFrom('cost_options').select(['option', 'amount']).where('service_id', '=', service.id).orderBy('option').execute()).map((c) => [c.option, c.amount === null ? null : Number(c.amount)]),
    }));
    expect(held.terms).toEqual([warm.id, councilFood.id].sort());
    expect(held.venues).toEqual([
      { id: service.locationIds[0], name: 'Chapel Hall', address_1: '3 Mill Lane', city: 'Riverside', postal_code: 'RV1 2AB', latitude: 53.1, longitude: -1.2, organisation_id: org.id },
      { id: expect.any(String), name: 'Scout Hut', address_1: 'Park Road', city: 'Riverside', postal_code: 'RV3 9ZZ', latitude: 53.2, longitude: -1.3, organisation_id: org.id },
    ]);
    expect(held.phones).toEqual(['01632 960 001', '0808 157 0192']);
    expect(held.costs).toEqual([['Adults', 4], ['Donations welcome', null]]);

    // Exported again, the edits read back as typed (the postcode tidied), and that file changes nothing more.
    const again = parseCsv((await client.get('/services/export.csv')).body);
    const second = Object.fromEntries(again[0]!.values.map((h, i) => [h, again[1]!.values[i]!]));
    expect(second).toMatchObject({
      taxonomy_terms: 'Council list: FOOD\nwarm', locations: 'Chapel Hall, 3 Mill Lane, Riverside, RV1 2AB\nScout Hut, Park Road, Riverside, RV3 9ZZ',
      phones: '01632 960 001\n0808 157 0192', costs: 'Donations welcome\nAdults: £4.00',
    });
    const locationsBefore = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('locations').select('id').execute());
    expect((await importCsv(client, 'services', toCsv(header, [again[0]!.values.map((_, i) => again[1]!.values[i]!)]))).$('.govuk-notification-banner').text()).toMatch(/0 added, 0 updated/);
    expect(await t.db.withTenant(lio.id, (tx) => tx.selectFrom('locations').select('id').execute())).toHaveLength(locationsBefore.length);

    // Wrong cells are named row by row, and nothing is written: not even the new venue of a row that was fine.
    const bad = toCsv(['id', 'organisation_name', 'name', 'taxonomy_terms', 'locations', 'phones', 'costs'], [
      [service.id, '', 'Warm Hub', 'warm', 'Church Rooms, Station Road, Riverside, RV3 9ZZ', '', ''],
      ['', 'Warm Welcome Trust', 'Ghost Service', 'FOOD\nno-such-code', 'Somewhere without a postcode', 'call us', 'Adults: £lots'],
    ]);
    const rejected = await importCsv(client, 'services', bad);
    expect(rejected.$('h1').text()).toBe('Import rejected');
    const problems = issueRows(rejected).map((r) => [r[0], r[1], r[3]!.replace(/^Error: /, '')]);
    expect(problems).toEqual([
      ['3', 'taxonomy_terms', '“FOOD” is a code in more than one taxonomy (Council list, Needs): write it like “Council list: FOOD”'],
      ['3', 'taxonomy_terms', '“no-such-code” is not the code of a taxonomy term: see Taxonomy for the codes'],
      ['3', 'phones', '“call us” is not a phone number, like 01632 960 001 or +44 808 157 0192'],
      ['3', 'costs', '“£lots” is not an amount in pounds up to £100,000, like £3.50'],
      ['3', 'locations', '“Somewhere without a postcode” does not end with a postcode: write the address, then a comma and the postcode, like 12 High Street, Riverside, RV1 2AB'],
    ]);
    expect(await t.db.withTenant(lio.id, (tx) => tx.selectFrom('locations').select('id').execute())).toHaveLength(locationsBefore.length);
    expect(await t.db.withTenant(lio.id, (tx) => tx.selectFrom('attributes').select('taxonomy_term_id').where('link_id', '=', service.id).execute())).toHaveLength(2);
  });

  it('rejects the file row by row and commits nothing', async () => {
    const lio = await t.make.lio();
    const d = directoryFactories(t.db);
    await d.organisation(lio, { name: 'Twin' });
    await d.organisation(lio, { name: 'Twin' });
    await d.organisation(lio, { name: 'Solo' });
    const client = await adminClient(lio);
    const csv = toCsv(['organisation_name', 'name', 'status', 'delivery_modes', 'minimum_age', 'maximum_age', 'opening_times', 'url', 'is_free', 'costs'], [
      ['Solo', 'Fine Service', 'active', 'online', '', '', '', '', 'Yes', 'Donations welcome'],
      ['Twin', 'Ambiguous', 'active', '', '', '', '', '', '', ''],
      ['Nobody', 'Orphan', 'open', 'by pigeon', '200', '', 'Someday 9-5', 'not a url', '', ''],
      ['Solo', '', 'active', '', '40', '20', '', '', '', ''],
      ['Solo', 'Free but priced', 'active', 'online', '', '', '', '', 'Yes', 'Adults: £3'],
    ]);
    const report = await importCsv(client, 'services', csv);
    expect(report.$('h1').text()).toBe('Import rejected');
    expect(issueRows(report).map((r) => [r[0], r[1]])).toEqual([
      ['3', 'organisation_name'],
      ['4', 'organisation_name'], ['4', 'status'], ['4', 'delivery_modes'], ['4', 'url'], ['4', 'minimum_age'], ['4', 'opening_times'],
      ['5', 'name'], ['5', 'maximum_age'],
      ['6', 'costs'],
    ]);
    expect(await t.db.withTenant(lio.id, (tx) => tx.selectFrom('services').select('id').execute())).toEqual([]);
  });
});
