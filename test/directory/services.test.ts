import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { Client, type Page, errorSummary, mainText, signedInClient } from '../helpers/client.js';
import { directoryFactories, type DirectoryFactories } from '../helpers/directory-factories.js';
import { loadService } from '../../src/directory/services/repository.js';
import { parseTime } from '../../src/directory/services/form.js';
import { normalisePostcode } from '../../src/platform/validation/postcodes.js';

let t: TestContext;
let d: DirectoryFactories;
beforeAll(async () => { t = await createTestApp(); d = directoryFactories(t.db); });
afterAll(async () => { await t.close(); });

type Lio = Awaited<ReturnType<TestContext['make']['lio']>>;

async function signedIn(lio: Lio, overrides: Parameters<TestContext['make']['user']>[1] = {}) {
  const user = await t.make.user(lio, overrides);
  return { user, client: await signedInClient(t.app, lio.host, user) };
}
const summary = errorSummary;
const text = mainText;
// A date input's message belongs to the whole date (its id without -day), the summary links to its first box.
const fieldError = (page: Page, id: string) => (page.$(`#${id}-error`).text() || page.$(`#${id.replace(/-day$/, '')}-error`).text()).replace(/\s+/g, ' ').replace('Error:', '').trim();

async function setting(lio: Lio) {
  const taxonomy = await d.taxonomy(lio, 'Needs');
  const food = await d.term(lio, taxonomy.id, { name: 'Food and essentials', code: 'food' });
  const foodBank = await d.term(lio, taxonomy.id, { name: 'Food banks', code: 'food.food-bank', parentId: food.id });
  const money = await d.term(lio, taxonomy.id, { name: 'Money and debt', code: 'money' });
  const org = await d.organisation(lio, { name: 'Riverside Food Bank' });
  const venue = await t.db.withTenant(lio.id, (tx) => tx.insertInto('locations').values({
    lio_id: lio.id, organisation_id: org.id, name: 'Tannery Yard', address_1: 'Unit 2, Tannery Yard', city: 'Riverside', postal_code: 'RV1 5BD', latitude: 53.04, longitude: -1.48,
    accessibility: 'Step-free', created_at: new Date(), updated_at: new Date(),
  }).returning('id').executeTakeFirstOrThrow());
  return { taxonomy, food, foodBank, money, org, venueId: venue.id };
}

const FULL = (s: Awaited<ReturnType<typeof setting>>) => ({
  organisationId: s.org.id, name: 'Market Street food bank', description: 'Emergency food for three days.\nBring a voucher.', status: 'active',
  deliveryModes: ['in_person', 'phone'], url: 'https://foodbank.example/market', email: 'market@foodbank.example', phone: '01632 960 001',
  minimumAge: '16', maximumAge: '99', languages: 'English, Polish, British Sign Language', serviceAreas: 'Northgate, Eastfield',
  termIds: [s.foodBank.id, s.money.id], locationIds: [s.venueId], [`locationAccessibility-${s.venueId}`]: 'Step-free, hearing loop',
  newLocationName: 'Community Hub', newLocationAddress1: '12 Market Street', newLocationAddress2: '', newLocationCity: 'Riverside', newLocationPostcode: 'rv11ab',
  newLocationLatitude: '', newLocationLongitude: '', newLocationAccessibility: 'Lift to all floors',
  openingDay: ['MO', '', 'FR'], openingOpens: ['9:30', '', '1pm'], openingCloses: ['12:30', '', '3pm'],
  'sessionDate-day': ['2', ''], 'sessionDate-month': ['5', ''], 'sessionDate-year': ['2099', ''], sessionOpens: ['10:00', ''], sessionCloses: ['12:00', ''], sessionDescription: ['Open day', ''],
  isFree: 'no', costOption: ['Delivery', 'Parcel'], costAmount: ['£2.50', '0'], feesDescription: 'Donations welcome',
});

/** What the service form would send as it is shown: each field's values, by name. */
function formFields(form: Page): Record<string, string[]> {
  const grouped: Record<string, string[]> = {};
  for (const el of form.$('form[action^="/services/"] :input[name]').toArray()) {
    const $el = form.$(el);
    const type = $el.attr('type') ?? '';
    if ((type === 'checkbox' || type === 'radio') && $el.attr('checked') === undefined) continue;
    const name = $el.attr('name')!;
    if (name === '_csrf') continue;
    const value = $el.is('select') ? (($el.find('option[selected]').val() as string | undefined) ?? '') : $el.is('textarea') ? $el.text() : (($el.val() as string | undefined) ?? '');
    (grouped[name] ??= []).push(value);
  }
  return grouped;
}

describe('adding a service', () => {
  it('asks which organisation first, then offers its venues', async () => {
    const lio = await t.make.lio();
    const s = await setting(lio);
    const { client } = await signedIn(lio);
    const first = await client.get('/services/new');
    expect(first.status).toBe(200);
    expect(first.$('select#organisationId option').toArray().map((o) => first.$(o).text())).toContain('Riverside Food Bank');
    const bad = await client.get('/services/new?organisationId=nope');
    expect(bad.status).toBe(400);
    expect(summary(bad)).toEqual([{ href: '#organisationId', text: 'Choose an organisation from the list' }]);
    const form = await client.get(`/services/new?organisationId=${s.org.id}`);
    expect(form.status).toBe(200);
    expect(form.$(`input[name="locationIds"][value="${s.venueId}"]`).length).toBe(1);
    expect(form.$('input[name="termIds"]').length).toBe(3);
    expect(form.$('select[name="openingDay"]').length).toBe(3);
  });

  it('saves every HSDS part and shows it all on the service’s page', async () => {
    const lio = await t.make.lio();
    const s = await setting(lio);
    await d.postcode({ postcode: 'RV1 1AB', latitude: 53.0461, longitude: -1.4808 });
    const { client, user } = await signedIn(lio);
    const res = await client.submit(`/services/new?organisationId=${s.org.id}`, '/services', FULL(s));
    expect(summary(res)).toEqual([]);
    expect(res.status).toBe(303);
    const id = res.location!.split('/').pop()!;

    const saved = await t.db.withTenant(lio.id, (tx) => loadService(tx, id));
    expect(saved).toMatchObject({
      name: 'Market Street food bank', description: 'Emergency food for three days.\nBring a voucher.', status: 'active', delivery_modes: ['in_person', 'phone'],
      url: 'https://foodbank.example/market', email: 'market@foodbank.example', minimum_age: 16, maximum_age: 99, is_free: false, fees_description: 'Donations welcome',
      organization: { id: s.org.id },
    });
    expect(saved!.phones.map((p) => p.number)).toEqual(['01632 960 001']);
    expect(saved!.languages.map((l) => [l.name, l.code])).toEqual([['British Sign Language', 'bfi'], ['English', 'en'], ['Polish', 'pl']]);
    expect(saved!.service_areas.map((a) => a.name)).toEqual(['Eastfield', 'Northgate']);
    expect(saved!.attributes.map((a) => a.taxonomy_term.name).sort()).toEqual(['Food banks', 'Money and debt']);
    const venues = saved!.service_at_locations.map((x) => x.location);
    expect(venues.map((v) => v.name)).toEqual(['Community Hub', 'Tannery Yard']);
    expect(venues[0]).toMatchObject({ latitude: 53.0461, longitude: -1.4808, organization_id: s.org.id });
    expect(venues[0]!.addresses[0]).toMatchObject({ address_1: '12 Market Street', postal_code: 'RV1 1AB' });
    expect(venues[0]!.accessibility[0]!.description).toBe('Lift to all floors');
    expect(venues[1]!.accessibility[0]!.description).toBe('Step-free, hearing loop');
    expect(saved!.schedules.map((x) => [x.freq, x.byday, x.dtstart, x.opens_at, x.closes_at])).toEqual([
      ['WEEKLY', 'MO', null, '09:30:00', '12:30:00'], ['WEEKLY', 'FR', null, '13:00:00', '15:00:00'], [null, null, '2099-05-02', '10:00:00', '12:00:00'],
    ]);
    expect(saved!.cost_options.map((c) => [c.option, c.amount])).toEqual([['Parcel', 0], ['Delivery', 2.5]]);

    const history = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('service_delivery_changes').select(['delivery_modes', 'status', 'note']).where('service_id', '=', id).execute());
    expect(history).toEqual([{ delivery_modes: ['in_person', 'phone'], status: 'active', note: 'Service added' }]);
    const audit = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('audit_events').select(['action', 'actor_user_id']).where('subject_id', '=', id).execute());
    expect(audit).toEqual([{ action: 'service.created', actor_user_id: user.id }]);
    const events = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('organisation_events').select(['kind', 'summary']).where('organisation_id', '=', s.org.id).execute());
    expect(events).toContainEqual({ kind: 'service_added', summary: 'Service added: Market Street food bank' });

    const page = await client.get(`/services/${id}`);
    expect(page.status).toBe(200);
    expect(page.$('.govuk-notification-banner').text()).toContain('Market Street food bank added');
    const body = text(page);
    for (const shown of ['Riverside Food Bank', 'In person, By phone', 'market@foodbank.example', '01632 960 001', '16 to 99', 'British Sign Language, English, Polish',
      'Eastfield, Northgate', 'Food banks', 'Money and debt', 'Community Hub', '12 Market Street, Riverside, RV1 1AB', 'Lift to all floors',
      'Mondays, 09:30 to 12:30', 'Fridays, 13:00 to 15:00', 'Saturday 2 May 2099, 10:00 to 12:00, Open day', 'Delivery: £2.50', 'Donations welcome', 'Service added']) {
      expect(body).toContain(shown);
    }
  });

  it('refuses bad input with the error summary, status 400, and keeps everything typed', async () => {
    const lio = await t.make.lio();
    const s = await setting(lio);
    const { client } = await signedIn(lio);
    const count = async () => (await t.db.withTenant(lio.id, (tx) => tx.selectFrom('services').select('id').execute())).length;
    const res = await client.submit(`/services/new?organisationId=${s.org.id}`, '/services', {
      ...FULL(s), name: '', description: 'x'.repeat(10_001), url: 'foodbank', email: 'not-an-email', phone: 'call us', minimumAge: '65', maximumAge: '18',
      newLocationPostcode: 'RV1', newLocationLatitude: '91', newLocationLongitude: '',
      openingDay: ['MO', '', 'XX'], openingOpens: ['17:00', '10:00', '25:00'], openingCloses: ['09:00', '', '3pm'],
      'sessionDate-day': ['31'], 'sessionDate-month': ['2'], 'sessionDate-year': ['2026'], sessionOpens: ['10:00'], sessionCloses: ['10:00'], sessionDescription: [''],
      isFree: 'yes', costOption: ['', 'Per visit'], costAmount: ['3', '2.555'],
    });
    expect(res.status).toBe(400);
    expect(await count()).toBe(0);
    const errors = summary(res);
    expect(errors).toEqual(expect.arrayContaining([
      { href: '#name', text: 'Enter the name of the service' },
      { href: '#description', text: 'The description must be 10,000 characters or fewer' },
      { href: '#url', text: 'Enter the website in full, like https://www.example.org' },
      { href: '#email', text: 'Enter an email address in the correct format, like name@example.org' },
      { href: '#phone', text: 'Enter a phone number, like 01632 960 001 or +44 808 157 0192' },
      { href: '#maximumAge', text: 'The maximum age must be the same as or more than the minimum age' },
      { href: '#newLocationPostcode', text: 'Enter a real postcode, like RV1 2AB' },
      { href: '#newLocationLatitude', text: 'Enter the latitude as a number from -90 to 90, like 53.0452' },
      { href: '#newLocationLongitude', text: 'Enter the longitude as well as the latitude, or neither' },
      { href: '#openingCloses-1', text: 'Opening time 1 must close after it opens' },
      { href: '#openingDay-2', text: 'Choose the day for opening time 2' },
      { href: '#openingCloses-2', text: 'Enter when opening time 2 closes, like 17:00' },
      { href: '#openingDay-3', text: 'Choose the day for opening time 3' },
      { href: '#openingOpens-3', text: 'Enter when opening time 3 opens, like 09:30' },
      { href: '#sessionDate-1-day', text: 'The date of session 1 must be a real date, like 27 3 2026' },
      { href: '#sessionCloses-1', text: 'Session 1 must end after it starts' },
      { href: '#costOption-1', text: 'Enter what cost 1 is for, like “Adults” or “Per session”' },
      { href: '#costAmount-1', text: 'Cost 1 has an amount, but the service is marked free of charge: remove the amount or say it is not free' },
      { href: '#costAmount-2', text: 'Enter the amount of cost 2 in pounds, like 3.50' },
    ]));
    // Every summary link leads to a field on the page, which shows the same message.
    for (const e of errors) {
      const id = e.href.slice(1);
      expect(res.$(`[id="${id}"]`).length, id).toBe(1);
      expect(fieldError(res, id), id).toBe(e.text);
    }
    // Nothing typed is lost.
    expect(res.$('#description').text()).toBe('x'.repeat(10_001));
    expect(res.$('#url').val()).toBe('foodbank');
    expect(res.$('#minimumAge').val()).toBe('65');
    expect(res.$('#openingOpens-3').val()).toBe('25:00');
    expect(res.$('#openingDay-1 option[selected]').val()).toBe('MO');
    expect(res.$('#costAmount-2').val()).toBe('2.555');
    // An impossible date stays in its boxes for correction.
    expect([res.$('#sessionDate-1-day').val(), res.$('#sessionDate-1-month').val(), res.$('#sessionDate-1-year').val()]).toEqual(['31', '2', '2026']);
    expect(res.$('#newLocationName').val()).toBe('Community Hub');
    expect(res.$(`input[name="termIds"][value="${s.foodBank.id}"]`).attr('checked')).toBeDefined();
    expect(res.$('input[name="deliveryModes"][value="phone"]').attr('checked')).toBeDefined();
    expect(res.$('input[name="isFree"][value="yes"]').attr('checked')).toBeDefined();
    expect(res.$('title').text()).toMatch(/^Error: /);
  });

  it('asks for the essentials: organisation, name, description, status, delivery, a venue for in-person, and whether it is free', async () => {
    const lio = await t.make.lio();
    const s = await setting(lio);
    const { client } = await signedIn(lio);
    const res = await client.submit(`/services/new?organisationId=${s.org.id}`, '/services', { organisationId: 'ffffffff-ffff-4fff-8fff-ffffffffffff', deliveryModes: ['in_person', 'teleport'] });
    expect(res.status).toBe(400);
    expect(summary(res).map((e) => e.href)).toEqual(['#organisationId', '#name', '#description', '#status', '#deliveryModes', '#isFree', '#locationIds']);
    const noVenue = await client.submit(`/services/new?organisationId=${s.org.id}`, '/services', { ...FULL(s), locationIds: [], newLocationName: '', newLocationAddress1: '', newLocationCity: '', newLocationPostcode: '', newLocationAccessibility: '' });
    expect(summary(noVenue)).toEqual([{ href: '#locationIds', text: 'Choose or add a venue for a service delivered in person' }]);
    const badChoice = await client.submit(`/services/new?organisationId=${s.org.id}`, '/services', { ...FULL(s), termIds: ['00000000-0000-4000-8000-000000000000'], locationIds: ['nope'] });
    const alsoBad = await client.submit(`/services/new?organisationId=${s.org.id}`, '/services', { ...FULL(s), termIds: ['nope'], locationIds: ['00000000-0000-4000-8000-000000000000'] });
    expect(alsoBad.status).toBe(400);
    expect(summary(alsoBad).map((e) => e.href)).toEqual(['#termIds', '#locationIds']);
    expect(badChoice.status).toBe(400);
    expect(summary(badChoice).map((e) => e.href)).toEqual(['#termIds', '#locationIds']);
  });

  it('refuses an absurd number of rows with a message, not a failure', async () => {
    const lio = await t.make.lio();
    const s = await setting(lio);
    const { client } = await signedIn(lio);
    const many = Array.from({ length: 5000 }, () => 'MO');
    const res = await client.submit(`/services/new?organisationId=${s.org.id}`, '/services', {
      ...FULL(s), openingDay: many, openingOpens: many.map(() => '09:00'), openingCloses: many.map(() => '10:00'),
    });
    expect(res.status).toBe(400);
    expect(summary(res)).toEqual([{ href: '#openingDay-1', text: 'Give at most 60 regular opening times' }]);
  });

  it('takes a service delivered only remotely without a venue', async () => {
    const lio = await t.make.lio();
    const s = await setting(lio);
    const { client } = await signedIn(lio);
    const res = await client.submit(`/services/new?organisationId=${s.org.id}`, '/services', {
      organisationId: s.org.id, name: 'Advice line', description: 'Phone advice.', status: 'active', deliveryModes: 'phone', isFree: 'yes',
      openingDay: 'MO', openingOpens: '0930', openingCloses: '5pm',
    });
    expect(res.status).toBe(303);
    const saved = await t.db.withTenant(lio.id, (tx) => loadService(tx, res.location!.split('/').pop()!));
    expect(saved).toMatchObject({ delivery_modes: ['phone'], is_free: true, service_at_locations: [], minimum_age: null });
    expect(saved!.schedules.map((x) => [x.opens_at, x.closes_at])).toEqual([['09:30:00', '17:00:00']]);
  });
});

/** A service added through the staff form, with its LIO and a signed-in staff client. */
async function addedService() {
  const lio = await t.make.lio();
  const s = await setting(lio);
  const { client } = await signedIn(lio);
  const created = await client.submit(`/services/new?organisationId=${s.org.id}`, '/services', FULL(s));
  return { lio, s, client, id: created.location!.split('/').pop()! };
}

describe('changing a service', () => {
  it('shows the form filled in, saves changes, and dates a change of delivery in the history', async () => {
    const { lio, client, id } = await addedService();
    const form = await client.get(`/services/${id}/edit`);
    expect(form.status).toBe(200);
    expect(form.$('#name').val()).toBe('Market Street food bank');
    expect(form.$('#openingOpens-1').val()).toBe('09:30');
    expect(form.$('#openingDay-2 option[selected]').val()).toBe('FR');
    expect([form.$('#sessionDate-1-day').val(), form.$('#sessionDate-1-month').val(), form.$('#sessionDate-1-year').val()]).toEqual(['2', '5', '2099']);
    expect(form.$('#costAmount-1').val()).toBe('0.00');
    expect(form.$('#languages').val()).toBe('British Sign Language, English, Polish');
    expect(form.$(`input[name="locationIds"]:checked`).length).toBe(2);
    expect(form.$(`input[name="termIds"]:checked`).length).toBe(2);

    // The service has been running ten days: record a move to phone and online, backdated to yesterday.
    await t.db.withTenant(lio.id, async (tx) => {
      await tx.updateTable('services').set({ created_at: new Date(t.clock.now().getTime() - 10 * 86_400_000) }).where('id', '=', id).execute();
      await tx.updateTable('service_delivery_changes').set({ changed_on: new Date(t.clock.now().getTime() - 10 * 86_400_000).toISOString().slice(0, 10) }).where('service_id', '=', id).execute();
    });
    const yesterday = new Date(t.clock.now().getTime() - 86_400_000).toLocaleDateString('en-CA', { timeZone: 'Europe/London' });
    const grouped = formFields(form);
    expect(Object.keys(grouped).length).toBeGreaterThan(20);
    const saved = await client.submit(`/services/${id}/edit`, `/services/${id}`, { ...grouped, name: ['Market Street food bank (renamed)'], deliveryModes: ['phone', 'online'], changedOn: [yesterday] });
    expect(summary(saved)).toEqual([]);
    expect(saved.status).toBe(303);
    const after = await t.db.withTenant(lio.id, (tx) => loadService(tx, id));
    expect(after).toMatchObject({ name: 'Market Street food bank (renamed)', delivery_modes: ['phone', 'online'], minimum_age: 16 });
    expect(after!.schedules).toHaveLength(3);
    expect(after!.cost_options).toHaveLength(2);
    expect(after!.service_at_locations).toHaveLength(2);
    const history = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('service_delivery_changes').select(['delivery_modes', 'status']).where('service_id', '=', id).orderBy('changed_on').execute());
    expect(history.map((h) => h.delivery_modes)).toEqual([['in_person', 'phone'], ['phone', 'online']]);
    const page = await client.get(`/services/${id}`);
    expect(page.$('[data-testid="delivery-history"] tbody tr').length).toBe(2);
    expect(text(page)).toContain('By phone, Online');

    // A change dated in the future, or before the last one, is refused.
    const tomorrow = new Date(t.clock.now().getTime() + 2 * 86_400_000).toLocaleDateString('en-CA', { timeZone: 'Europe/London' });
    const future = await client.submit(`/services/${id}/edit`, `/services/${id}`, { ...grouped, deliveryModes: ['online'], changedOn: [tomorrow] });
    expect(future.status).toBe(400);
    expect(summary(future)).toEqual([{ href: '#changedOn', text: 'The date of the change must be today or in the past' }]);
    const early = await client.submit(`/services/${id}/edit`, `/services/${id}`, { ...grouped, deliveryModes: ['online'], changedOn: ['2001-01-01'] });
    expect(summary(early)[0]!.text).toMatch(/^The date of the change must be on or after /);

    // Closing it is a change of status, dated today.
    const closed = await client.submit(`/services/${id}/edit`, `/services/${id}`, { ...grouped, deliveryModes: ['phone', 'online'], status: ['temporarily closed'] });
    expect(closed.status).toBe(303);
    const last = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('service_delivery_changes').select(['status']).where('service_id', '=', id).orderBy('changed_on', 'desc').executeTakeFirstOrThrow());
    expect(last.status).toBe('temporarily closed');
  });

  it('keeps the times the form cannot show (monthly, fortnightly: from an import) when the service is saved, and says so on the form', async () => {
    const { lio, client, id } = await addedService();
    await t.db.withTenant(lio.id, (tx) => tx.insertInto('schedules').values([
      { lio_id: lio.id, service_id: id, freq: 'MONTHLY', interval: 1, bymonthday: '1', opens_at: '18:00', closes_at: '20:00' },
      { lio_id: lio.id, service_id: id, freq: 'WEEKLY', interval: 2, byday: 'TU', opens_at: '10:00', closes_at: '11:00' },
    ]).execute());
    const form = await client.get(`/services/${id}/edit`);
    expect(form.$('[data-testid="kept-schedules"] li').toArray().map((li) => form.$(li).text()).sort()).toEqual(['Every 2 weeks on Tuesdays, 10:00 to 11:00', 'Monthly on day 1, 18:00 to 20:00']);
    const fields = formFields(form);
    expect(fields.openingDay!.filter(Boolean)).toEqual(['MO', 'FR']);
    const saved = await client.submit(`/services/${id}/edit`, `/services/${id}`, { ...fields, openingDay: ['WE'], openingOpens: ['14:00'], openingCloses: ['16:00'] });
    expect(saved.status).toBe(303);
    const after = await t.db.withTenant(lio.id, (tx) => loadService(tx, id));
    expect(after!.schedules.map((x) => [x.freq, x.interval, x.byday ?? x.bymonthday ?? x.dtstart, x.opens_at]).sort()).toEqual([
      ['MONTHLY', 1, '1', '18:00:00'], ['WEEKLY', 1, 'WE', '14:00:00'], ['WEEKLY', 2, 'TU', '10:00:00'], [null, null, '2099-05-02', '10:00:00'],
    ].sort());
  });

  it('refuses a new one-off session dated in the past, and keeps one the service already holds once its day has passed', async () => {
    const { lio, client, id } = await addedService();
    const fields = formFields(await client.get(`/services/${id}/edit`));
    const yesterday = new Date(t.clock.now().getTime() - 86_400_000);
    const past = { day: String(yesterday.getUTCDate()), month: String(yesterday.getUTCMonth() + 1), year: String(yesterday.getUTCFullYear()) };
    const refused = await client.submit(`/services/${id}/edit`, `/services/${id}`, {
      ...fields, 'sessionDate-day': ['2', past.day], 'sessionDate-month': ['5', past.month], 'sessionDate-year': ['2099', past.year],
      sessionOpens: ['10:00', '10:00'], sessionCloses: ['12:00', '12:00'], sessionDescription: ['Open day', 'Too late'],
    });
    expect(refused.status).toBe(400);
    expect(summary(refused)).toEqual([{ href: '#sessionDate-2-day', text: 'The date of session 2 must be today or in the future' }]);
    expect(refused.$('#sessionDate-2-day').val()).toBe(past.day);

    // The session held for 2 May 2099 has passed (as it would in time): the rest of the form still saves, the session kept.
    await t.db.withTenant(lio.id, (tx) => tx.updateTable('schedules').set({ dtstart: '2020-05-02', valid_from: '2020-05-02', valid_to: '2020-05-02' }).where('service_id', '=', id).where('freq', 'is', null).execute());
    const held = formFields(await client.get(`/services/${id}/edit`));
    expect(held['sessionDate-year']!.filter(Boolean)).toEqual(['2020']);
    const saved = await client.submit(`/services/${id}/edit`, `/services/${id}`, { ...held, name: 'Market Street food bank and pantry' });
    expect(saved.status).toBe(303);
    const after = await t.db.withTenant(lio.id, (tx) => loadService(tx, id));
    expect(after!.name).toBe('Market Street food bank and pantry');
    expect(after!.schedules.filter((x) => x.freq === null).map((x) => x.dtstart)).toEqual(['2020-05-02']);
  });

  it('answers 404 for a service that does not exist or belongs to another LIO', async () => {
    const lio = await t.make.lio();
    const other = await t.make.lio();
    const theirs = await d.service(other);
    const { client } = await signedIn(lio);
    expect((await client.get(`/services/${theirs.id}`)).status).toBe(404);
    expect((await client.get(`/services/${theirs.id}/edit`)).status).toBe(404);
    expect((await client.get('/services/not-a-uuid')).status).toBe(404);
    const posted = await client.submit('/services', `/services/${theirs.id}`, { name: 'Mine now' });
    expect(posted.status).toBe(404);
  });
});

describe('the list of services', () => {
  it('searches by name, filters by status, organisation, delivery mode and category (with the terms below it), and pages', async () => {
    const lio = await t.make.lio();
    const s = await setting(lio);
    const other = await d.organisation(lio, { name: 'Northgate Mutual Aid' });
    await d.service(lio, { organisationId: s.org.id, name: 'Food bank Tuesday', deliveryModes: ['in_person'], termIds: [s.foodBank.id] });
    await d.service(lio, { organisationId: other.id, name: 'Shopping help', deliveryModes: ['home_visit', 'phone'], termIds: [s.food.id] });
    await d.service(lio, { organisationId: other.id, name: 'Debt advice', deliveryModes: ['phone'], status: 'temporarily closed', termIds: [s.money.id] });
    for (let i = 0; i < 26; i++) await d.service(lio, { organisationId: other.id, name: `Zumba class ${String(i).padStart(2, '0')}` });
    const { client } = await signedIn(lio, { role: 'staff', permissionSets: ['volunteer_coordinator'] });
    const names = (page: Page) => page.$('[data-testid="services-table"] tbody tr td:first-child a').toArray().map((a) => page.$(a).text());

    const all = await client.get('/services');
    expect(all.status).toBe(200);
    expect(all.$('caption').text()).toContain('29 services, page 1 of 2');
    expect(names(all)).toHaveLength(25);
    expect(all.$('a[href="/services/new"]').length).toBe(0); // a coordinator reads but does not write
    const second = await client.get(all.$('.govuk-pagination__next a').attr('href')!);
    expect(names(second)).toHaveLength(4);

    expect(names(await client.get('/services?q=FOOD'))).toEqual(['Food bank Tuesday']);
    expect((await client.get('/services?q=northgate+mutual')).$('caption').text()).toContain('28 services');
    expect(names(await client.get('/services?status=temporarily+closed'))).toEqual(['Debt advice']);
    expect(names(await client.get(`/services?organisation=${s.org.id}`))).toEqual(['Food bank Tuesday']);
    expect(names(await client.get('/services?mode=phone'))).toEqual(['Debt advice', 'Shopping help']);
    expect(names(await client.get(`/services?term=${s.food.id}`))).toEqual(['Food bank Tuesday', 'Shopping help']);
    expect(names(await client.get(`/services?term=${s.foodBank.id}&mode=in_person`))).toEqual(['Food bank Tuesday']);
    const filtered = await client.get(`/services?q=zumba&page=2`);
    expect(filtered.$('.govuk-pagination__prev a').attr('href')).toBe('/services?q=zumba&page=1');
    const none = await client.get('/services?q=%25%5C_nothing');
    expect(none.status).toBe(200);
    expect(text(none)).toContain('No services match');
    expect((await client.get('/services?status=bogus&mode=x&organisation=y&term=z&page=-3')).status).toBe(200);
  });
});

describe('who may use the services pages', () => {
  it('lets LIO staff read, advisers and admins write, and refuses everyone else', async () => {
    const lio = await t.make.lio();
    const s = await setting(lio);
    const service = await d.service(lio, { organisationId: s.org.id });
    const coordinator = (await signedIn(lio, { role: 'staff', permissionSets: ['volunteer_coordinator'] })).client;
    expect((await coordinator.get('/services')).status).toBe(200);
    expect((await coordinator.get(`/services/${service.id}`)).status).toBe(200);
    expect((await coordinator.get('/directory/changes')).status).toBe(200);
    expect((await coordinator.get('/services/new')).status).toBe(403);
    expect((await coordinator.get(`/services/${service.id}/edit`)).status).toBe(403);
    const admin = (await signedIn(lio, { role: 'admin' })).client;
    expect((await admin.get(`/services/${service.id}/edit`)).status).toBe(200);
    for (const role of ['volunteer', 'partner', 'group_member'] as const) {
      const c = (await signedIn(lio, { role })).client;
      expect((await c.get('/services')).status, role).toBe(403);
      expect((await c.get('/directory/changes')).status, role).toBe(403);
    }
    const anonymous = new Client(t.app, lio.host);
    const res = await anonymous.get('/services');
    expect(res.status).toBe(303);
    expect(res.location).toBe('/sign-in?returnTo=%2Fservices');
    const forged = await anonymous.postRaw('/services', { name: 'x' });
    expect(forged.status).toBe(403);
  });
});

describe('reading times and postcodes', () => {
  it('reads times as people write them', () => {
    expect(['9', '9:30', '09.30', '0930', '930', '9.30am', '9:30 a.m.', '12pm', '12am', '2pm', '14:05', '23:59'].map(parseTime))
      .toEqual(['09:00', '09:30', '09:30', '09:30', '09:30', '09:30', '09:30', '12:00', '00:00', '14:00', '14:05', '23:59']);
    expect(['24:00', '13pm', '9:60', 'noon', '', '12345'].map(parseTime)).toEqual([null, null, null, null, null, null]);
  });
  it('tidies postcodes and refuses what is not one', () => {
    expect(normalisePostcode('rv11ab')).toBe('RV1 1AB');
    expect(normalisePostcode('SW1A 1AA')).toBe('SW1A 1AA');
    expect(normalisePostcode('rv10 1tu')).toBe('RV10 1TU');
    expect(normalisePostcode('RV1')).toBeNull();
    expect(normalisePostcode('QV1 1AA')).toBeNull();
  });
});
