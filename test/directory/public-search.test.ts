import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { Client, type Page, resultNames } from '../helpers/client.js';
import { directoryFactories, type DirectoryFactories } from '../helpers/directory-factories.js';

/** The public search page /find: each filter, distance, opening now, published-only and the service page. */

let t: TestContext;
let d: DirectoryFactories;
beforeAll(async () => {
  t = await createTestApp();
  d = directoryFactories(t.db);
});
afterAll(async () => { await t.close(); });

/** Leeds city centre and points at known distances east of it (1° of longitude at 53.8°N ≈ 65.7 km). */
const CENTRE = { latitude: 53.8, longitude: -1.55 };
const east = (km: number) => ({ latitude: CENTRE.latitude, longitude: CENTRE.longitude + km / 65.7 });

const errorText = (page: Page) => page.$('.govuk-error-summary').text().replace(/\s+/g, ' ').trim();

async function setClock(iso: string) {
  t.clock.advance(new Date(iso).getTime() - t.clock.now().getTime());
}

async function freshLio() {
  const lio = await t.make.lio();
  return { lio, client: new Client(t.app, lio.host) };
}

describe('public search', () => {
  it('shows the search form and categories to browse to anyone, without signing in', async () => {
    const { lio, client } = await freshLio();
    const taxonomy = await d.taxonomy(lio);
    await d.term(lio, taxonomy.id, { name: 'Food and essentials' });
    const page = await client.get('/find');
    expect(page.status).toBe(200);
    expect(page.$('h1').text()).toBe('Find local services');
    expect(page.$('label[for="q"]').text()).toContain('What are you looking for?');
    expect(page.$('a[href^="/find?category="]').text()).toContain('Food and essentials');
    expect(page.$('.cg-result').length).toBe(0);
  });

  it('lists a category or area added since the last search in the next one, without waiting', async () => {
    const { lio, client } = await freshLio();
    const taxonomy = await d.taxonomy(lio);
    await d.term(lio, taxonomy.id, { name: 'Food and essentials' });
    const org = await d.organisation(lio, { name: 'Riverside Trust' });
    const areas = (page: Page) => page.$('#locality option').toArray().map((o) => page.$(o).text());
    const before = await client.get('/find');
    expect(before.$('a[href^="/find?category="]').text()).not.toContain('Housing');
    expect(areas(before)).not.toContain('Northfield');
    await d.term(lio, taxonomy.id, { name: 'Housing' });
    await t.db.withTenant(lio.id, (tx) => tx.updateTable('organisations').set({ areas_served: ['Northfield'] }).where('id', '=', org.id).execute());
    const after = await client.get('/find');
    expect(after.$('a[href^="/find?category="]').text()).toContain('Housing');
    expect(areas(after)).toContain('Northfield');
  });

  it('finds services by words in their name or description, and by part of a name', async () => {
    const { lio, client } = await freshLio();
    await d.service(lio, { name: 'Riverside Food Bank', description: 'Emergency food parcels.' });
    await d.service(lio, { name: 'Debt Advice Clinic', description: 'Help with money and debts.' });
    await d.service(lio, { name: 'Lunch Club', description: 'A hot meal and company; food for all.' });
    expect(resultNames(await client.get('/find?q=food')).sort()).toEqual(['Lunch Club', 'Riverside Food Bank']);
    expect(resultNames(await client.get('/find?q=debts'))).toEqual(['Debt Advice Clinic']);
    // part of a word in the name
    expect(resultNames(await client.get('/find?q=advi'))).toEqual(['Debt Advice Clinic']);
    const none = await client.get('/find?q=swimming');
    expect(none.status).toBe(200);
    expect(none.$('#results').text()).toContain('0 services found');
    expect(none.$('main').text()).toContain('No services matched your search');
  });

  it('finds services in a category and in every category below it', async () => {
    const { lio, client } = await freshLio();
    const taxonomy = await d.taxonomy(lio);
    const food = await d.term(lio, taxonomy.id, { name: 'Food' });
    const foodBanks = await d.term(lio, taxonomy.id, { name: 'Food banks', parentId: food.id });
    const money = await d.term(lio, taxonomy.id, { name: 'Money' });
    await d.service(lio, { name: 'Pantry', termIds: [food.id] });
    await d.service(lio, { name: 'Food Bank', termIds: [foodBanks.id] });
    await d.service(lio, { name: 'Debt Advice', termIds: [money.id] });
    expect(resultNames(await client.get(`/find?category=${food.id}`))).toEqual(['Food Bank', 'Pantry']);
    expect(resultNames(await client.get(`/find?category=${foodBanks.id}`))).toEqual(['Food Bank']);
    const page = await client.get(`/find?category=${money.id}`);
    expect(resultNames(page)).toEqual(['Debt Advice']);
    // the category stays chosen, with children indented under their parent
    expect(page.$('#category option:selected').text()).toBe('Money');
    expect(page.$('#category option').map((_i, el) => page.$(el).text()).get()).toEqual(['Any category', 'Food', '\u2003Food banks', 'Money']);
  });

  it('says clearly when a category is not one of the LIO’s', async () => {
    const { lio, client } = await freshLio();
    const other = await t.make.lio();
    const theirs = await d.term(other, (await d.taxonomy(other)).id, { name: 'Theirs' });
    await d.service(lio, { name: 'Mine' });
    for (const value of [theirs.id, 'not-a-uuid']) {
      const page = await client.get(`/find?category=${value}`);
      expect(page.status).toBe(400);
      expect(errorText(page)).toContain('Choose a category from the list');
      expect(page.$('#category-error').text()).toContain('Choose a category from the list');
    }
  });

  it('finds services near a postcode, nearest first, within the distance chosen in miles or kilometres', async () => {
    const { lio, client } = await freshLio();
    await d.postcode({ postcode: 'LS1 1UR', ...CENTRE });
    await d.service(lio, { name: 'Two km away', locations: [{ ...east(2), name: 'Chapel Hall', postcode: 'LS9 8AA' }] });
    await d.service(lio, { name: 'Half a km away', locations: [{ ...east(0.5), name: 'Civic Hall' }] });
    await d.service(lio, { name: 'Eight km away', locations: [{ ...east(8) }] });
    await d.service(lio, { name: 'Two places', locations: [{ ...east(20) }, { ...east(1.2), name: 'Near venue' }] });
    await d.service(lio, { name: 'Online only', deliveryModes: ['online'] });

    const miles = await client.get('/find?postcode=ls11ur&distance=3&unit=miles');
    expect(miles.status).toBe(200);
    expect(resultNames(miles)).toEqual(['Half a km away', 'Two places', 'Two km away']);
    expect(miles.$('#results').text()).toContain('within 3 miles of LS1 1UR');
    const first = miles.$('.cg-result').first();
    expect(first.find('.cg-facts').text()).toContain('0.3 miles – Civic Hall');
    // the nearest of a service's places is the one shown
    expect(miles.$('.cg-result').eq(1).find('.cg-facts').text()).toContain('0.7 miles – Near venue');

    const km = await client.get('/find?postcode=LS1+1UR&distance=10&unit=km');
    expect(resultNames(km)).toEqual(['Half a km away', 'Two places', 'Two km away', 'Eight km away']);
    expect(km.$('.cg-result').first().find('.cg-facts').text()).toContain('0.5 km');

    const one = await client.get('/find?postcode=LS1%201UR&distance=1&unit=km');
    expect(resultNames(one)).toEqual(['Half a km away']);
    // the map is drawn from the results' coordinates when JavaScript runs
    expect(one.$('[data-find-map]').attr('data-lat')).toBe(String(CENTRE.latitude));
    expect(one.$('.cg-result').first().attr('data-lat')).toBeDefined();
  });

  it('combines words, category and postcode', async () => {
    const { lio, client } = await freshLio();
    await d.postcode({ postcode: 'LS2 7HY', ...CENTRE });
    const taxonomy = await d.taxonomy(lio);
    const food = await d.term(lio, taxonomy.id, { name: 'Food' });
    await d.service(lio, { name: 'Near Food Bank', termIds: [food.id], locations: [east(1)] });
    await d.service(lio, { name: 'Far Food Bank', termIds: [food.id], locations: [east(30)] });
    await d.service(lio, { name: 'Near Food Advice', locations: [east(1)] });
    await d.service(lio, { name: 'Near Pantry', termIds: [food.id], locations: [east(2)] });
    const page = await client.get(`/find?q=food+bank&category=${food.id}&postcode=LS2+7HY&distance=5&unit=km`);
    expect(resultNames(page)).toEqual(['Near Food Bank']);
  });

  it('finds words within a category and the categories below it, best match first, counting only those', async () => {
    const { lio, client } = await freshLio();
    const taxonomy = await d.taxonomy(lio);
    const food = await d.term(lio, taxonomy.id, { name: 'Food' });
    const foodBanks = await d.term(lio, taxonomy.id, { name: 'Food banks', parentId: food.id });
    const money = await d.term(lio, taxonomy.id, { name: 'Money' });
    await d.service(lio, { name: 'Pantry', description: 'Advice on cooking on a budget.', termIds: [food.id] });
    await d.service(lio, { name: 'Advice Food Bank', termIds: [foodBanks.id], isFree: false });
    await d.service(lio, { name: 'Debt Advice', termIds: [money.id] });
    await d.service(lio, { name: 'Pantry Without Category', description: 'Advice on cooking.' });
    const page = await client.get(`/find?q=advice&category=${food.id}`);
    // the name holding the words ranks first; services the words match outside the category are left out, and not counted
    expect(resultNames(page)).toEqual(['Advice Food Bank', 'Pantry']);
    expect(page.$('#results').text()).toContain('2 services found');
    expect(resultNames(await client.get(`/find?q=advice&category=${money.id}`))).toEqual(['Debt Advice']);
    // with a filter the words' matches do not hold (free only), the same matches narrowed further
    expect(resultNames(await client.get(`/find?q=advice&category=${food.id}&free=yes`))).toEqual(['Pantry']);
  });

  it('answers many searches at once, more than the database pool holds connections', async () => {
    // Each search holds a connection for its transaction; one that then waited for another connection (to read the
    // directory's version) would, with enough searches at once, leave none free and every search waiting for ever.
    // (On PostgreSQL, where there is a pool: the embedded engine has one connection and reads versions from memory.)
    const { lio, client } = await freshLio();
    await d.postcode({ postcode: 'LS2 7HY', ...CENTRE });
    const taxonomy = await d.taxonomy(lio);
    const food = await d.term(lio, taxonomy.id, { name: 'Food' });
    await d.service(lio, { name: 'Near Food Bank', termIds: [food.id], locations: [east(1)] });
    const searches = Array.from({ length: 40 }, (_, i) => client.get(`/find?q=food+bank+${i}&category=${food.id}&postcode=LS2+7HY&distance=5&unit=km`));
    const pages = await Promise.race([
      Promise.all(searches),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the searches were still waiting after 20 seconds')), 20_000)),
    ]);
    expect(pages.map((p) => p.status)).toEqual(Array(40).fill(200));
    expect(pages.every((p) => p.$('#results').text().includes('0 services found'))).toBe(true);
    expect(resultNames(await client.get(`/find?q=food+bank&category=${food.id}&postcode=LS2+7HY&distance=5&unit=km`))).toEqual(['Near Food Bank']);
  }, 30_000);

  it('answers a malformed, unknown or unmappable postcode with a clear message', async () => {
    const { lio, client } = await freshLio();
    await d.service(lio, { name: 'Somewhere', locations: [CENTRE] });
    await d.postcode({ postcode: 'ZE1 0AA', latitude: null, longitude: null });
    const malformed = await client.get('/find?postcode=NOT+A+POSTCODE');
    expect(malformed.status).toBe(400);
    expect(errorText(malformed)).toContain('Enter a real postcode, like LS1 1UR');
    expect(malformed.$('#postcode-error').text()).toContain('Enter a real postcode');
    expect(malformed.$('#postcode').val()).toBe('NOT A POSTCODE');
    expect(malformed.$('.cg-result').length).toBe(0);

    const unknown = await client.get('/find?postcode=ls99+9zz');
    expect(unknown.status).toBe(400);
    expect(errorText(unknown)).toContain('We could not find the postcode LS99 9ZZ');

    const noPlace = await client.get('/find?postcode=ZE1+0AA');
    expect(noPlace.status).toBe(400);
    expect(errorText(noPlace)).toContain('We do not know where the postcode ZE1 0AA is on a map');

    const badDistance = await client.get('/find?postcode=ZE1+0AA&distance=7&unit=furlongs');
    expect(errorText(badDistance)).toContain('Choose a distance of 1, 3, 5, 10, 25');
    expect(errorText(badDistance)).toContain('Choose miles or kilometres');
  });

  it('searches around a terminated postcode and says so', async () => {
    const { lio, client } = await freshLio();
    await d.postcode({ postcode: 'LS1 9ZZ', ...CENTRE, terminatedOn: '2019-06-01' });
    await d.service(lio, { name: 'Close by', locations: [east(0.2)] });
    const page = await client.get('/find?postcode=LS1+9ZZ');
    expect(resultNames(page)).toEqual(['Close by']);
    expect(page.$('.govuk-inset-text').text()).toContain('LS1 9ZZ is no longer in use');
  });

  it('filters by area served, how help is given, free of charge and age', async () => {
    const { lio, client } = await freshLio();
    const inHolbeck = await d.service(lio, { name: 'Holbeck Hub', deliveryModes: ['in_person', 'phone'], isFree: false });
    await t.db.withTenant(lio.id, (tx) => tx.insertInto('service_areas').values({ lio_id: lio.id, service_id: inHolbeck.id, name: 'Holbeck' }).execute());
    const org = await d.organisation(lio, { name: 'Armley Together' });
    await t.db.withTenant(lio.id, (tx) => tx.updateTable('organisations').set({ areas_served: ['Armley'] }).where('id', '=', org.id).execute());
    await d.service(lio, { name: 'Armley Youth Club', organisationId: org.id, deliveryModes: ['in_person'], minimumAge: 11, maximumAge: 18 });
    await d.service(lio, { name: 'Phone Befriending', deliveryModes: ['phone'], minimumAge: 60 });
    await d.service(lio, { name: 'Online Advice', deliveryModes: ['online'] });

    const areas = await client.get('/find');
    expect(areas.$('#locality option').map((_i, el) => areas.$(el).text()).get()).toEqual(['Any area', 'Armley', 'Holbeck']);
    expect(resultNames(await client.get('/find?locality=Holbeck'))).toEqual(['Holbeck Hub']);
    expect(resultNames(await client.get('/find?locality=armley'))).toEqual(['Armley Youth Club']);
    expect(resultNames(await client.get('/find?mode=phone'))).toEqual(['Holbeck Hub', 'Phone Befriending']);
    expect(resultNames(await client.get('/find?mode=online&mode=home_visit'))).toEqual(['Online Advice']);
    expect(resultNames(await client.get('/find?free=yes'))).toEqual(['Armley Youth Club', 'Online Advice', 'Phone Befriending']);
    expect(resultNames(await client.get('/find?age=15'))).toEqual(['Armley Youth Club', 'Holbeck Hub', 'Online Advice']);
    expect(resultNames(await client.get('/find?age=70'))).toEqual(['Holbeck Hub', 'Online Advice', 'Phone Befriending']);
    const page = await client.get('/find?mode=phone&free=yes');
    expect(resultNames(page)).toEqual(['Phone Befriending']);
    // the filters used stay open and chosen
    expect(page.$('details.govuk-details').attr('open')).toBeDefined();
    expect(page.$('input[name="mode"][value="phone"]').attr('checked')).toBeDefined();
    expect(page.$('input[name="free"]').attr('checked')).toBeDefined();

    const badAge = await client.get('/find?age=eight');
    expect(badAge.status).toBe(400);
    expect(errorText(badAge)).toContain('Enter an age as a whole number of years');
    const badMode = await client.get('/find?mode=carrier-pigeon');
    expect(errorText(badMode)).toContain('Choose how you want to get help from the list');
  });

  it('shows only the services open now in the LIO’s local time, by the clock', async () => {
    const { lio, client } = await freshLio();
    await d.service(lio, { name: 'Weekday Office', opening: [{ day: 'MO,TU,WE,TH,FR', opens: '09:00', closes: '17:00' }] });
    await d.service(lio, { name: 'Monday Evening Club', opening: [{ day: 'MO', opens: '18:00', closes: '21:00' }] });
    await d.service(lio, { name: 'Night Shelter', opening: [{ day: 'SU', opens: '20:00', closes: '08:00' }] });
    await d.service(lio, { name: 'No Times Known' });

    // Monday 5 January 2026, 10:00 in London (GMT)
    await setClock('2026-01-05T10:00:00Z');
    const morning = await client.get('/find?open=now');
    expect(resultNames(morning)).toEqual(['Weekday Office']);
    expect(morning.$('.cg-result').first().text()).toContain('Open now until 5pm');
    // the others say when they next open
    const all = await client.get('/find?q=club');
    expect(all.$('.cg-result').first().text()).toContain('Opens today at 6pm');

    await setClock('2026-01-05T18:30:00Z');
    expect(resultNames(await client.get('/find?open=now'))).toEqual(['Monday Evening Club']);
    // Monday 07:00 London: Sunday night's shelter is still open
    await setClock('2026-01-05T07:00:00Z');
    expect(resultNames(await client.get('/find?open=now'))).toEqual(['Night Shelter']);
    // Summer time: 08:30 UTC is 09:30 in London on Monday 6 July 2026
    await setClock('2026-07-06T08:30:00Z');
    expect(resultNames(await client.get('/find?open=now'))).toEqual(['Weekday Office']);
    await setClock('2026-07-04T12:00:00Z');
    const saturday = await client.get('/find?open=now');
    expect(resultNames(saturday)).toEqual([]);
    expect(saturday.$('#results').text()).toContain('0 services found');
  });

  it('counts monthly, every-other-week and one-off sessions as open on their own days only', async () => {
    const { lio, client } = await freshLio();
    const sessions = {
      'Repair Cafe': { freq: 'MONTHLY' as const, byday: '1SA', opens_at: '10:00', closes_at: '12:00' },
      'Month End Pantry': { freq: 'MONTHLY' as const, bymonthday: '-1', opens_at: '09:00', closes_at: '17:00' },
      'Fortnightly Carers Group': { freq: 'WEEKLY' as const, interval: 2, byday: 'TU', dtstart: '2026-01-06', opens_at: '18:00', closes_at: '20:00' },
      'Winter Talk': { dtstart: '2026-01-13', opens_at: '18:00', closes_at: '21:00' },
    };
    for (const [name, schedule] of Object.entries(sessions)) {
      const service = await d.service(lio, { name });
      await t.db.withTenant(lio.id, (tx) => tx.insertInto('schedules').values({ lio_id: lio.id, service_id: service.id, ...schedule }).execute());
    }
    const openAt = async (iso: string) => { await setClock(iso); return resultNames(await client.get('/find?open=now')); };
    // Saturday 3 January 2026, the month's first Saturday; the next Saturday is not
    expect(await openAt('2026-01-03T10:30:00Z')).toEqual(['Repair Cafe']);
    expect(await openAt('2026-01-10T10:30:00Z')).toEqual([]);
    // Tuesday 30 December 2025: the fortnightly group has not started; Tuesday 6 January it has
    expect(await openAt('2025-12-30T18:30:00Z')).toEqual([]);
    expect(await openAt('2026-01-06T18:30:00Z')).toEqual(['Fortnightly Carers Group']);
    // the Tuesday between is the one-off talk's only
    expect(await openAt('2026-01-13T18:30:00Z')).toEqual(['Winter Talk']);
    expect(await openAt('2026-01-20T18:30:00Z')).toEqual(['Fortnightly Carers Group']);
    // Saturday 31 January, the month's last day (and its last Saturday, not its first)
    expect(await openAt('2026-01-31T10:30:00Z')).toEqual(['Month End Pantry']);
    // the results say when each next meets, and the service page says it in words
    // Monday 29 December 2025: the next first Saturday is 3 January
    await setClock('2025-12-29T12:00:00Z');
    const all = await client.get('/find?q=repair');
    expect(all.$('.cg-result').first().text()).toContain('Opens Saturday at 10am');
    const cafe = all.$('.cg-result a').first().attr('href')!;
    expect((await client.get(cafe)).$('main').text()).toContain('On the first Saturday of each month, 10am to midday');
  });

  it('shows only published services: organisations consenting and active, services active or (marked) temporarily closed', async () => {
    const { lio, client } = await freshLio();
    const other = await t.make.lio();
    const hidden = await d.organisation(lio, { consentToPublish: false });
    const dormant = await d.organisation(lio, { status: 'dormant' });
    await d.service(lio, { name: 'Shown Service' });
    await d.service(lio, { name: 'Shown Closed For Now', status: 'temporarily closed' });
    await d.service(lio, { name: 'Shown Inactive', status: 'inactive' });
    await d.service(lio, { name: 'Shown Defunct', status: 'defunct' });
    await d.service(lio, { name: 'Shown No Consent', organisationId: hidden.id });
    await d.service(lio, { name: 'Shown Dormant', organisationId: dormant.id });
    await d.service(other, { name: 'Shown Elsewhere' });
    const page = await client.get('/find?q=shown');
    expect(resultNames(page)).toEqual(['Shown Closed For Now', 'Shown Service']);
    expect(page.$('.cg-result').first().text()).toContain('Closed for now');
  });

  it('pages through many results', async () => {
    const { lio, client } = await freshLio();
    const org = await d.organisation(lio);
    for (let i = 1; i <= 23; i++) await d.service(lio, { organisationId: org.id, name: `Club ${String(i).padStart(2, '0')}` });
    const first = await client.get('/find?q=club');
    expect(first.$('#results').text()).toContain('23 services found');
    expect(resultNames(first)).toHaveLength(20);
    const next = first.$('.govuk-pagination__next a').attr('href');
    expect(next).toBe('/find?q=club&page=2#results');
    const second = await client.get(next!);
    expect(resultNames(second)).toHaveLength(3);
    expect(second.$('ol.cg-results').attr('start')).toBe('21');
    const browse = await client.get('/find?free=yes&page=2');
    expect(resultNames(browse)).toEqual(['Club 21', 'Club 22', 'Club 23']);
  });

  it('on a page past the last one shows no results, the right count and the way back to the last page', async () => {
    const { lio, client } = await freshLio();
    await d.postcode({ postcode: 'LS6 1AN', ...CENTRE });
    const org = await d.organisation(lio);
    for (let i = 1; i <= 23; i++) {
      await d.service(lio, { organisationId: org.id, name: `Food Club ${String(i).padStart(2, '0')}`, locations: [{ ...east(i / 10) }] });
    }
    await d.service(lio, { organisationId: org.id, name: 'Debt Advice' });
    // words, a postcode, and neither: each counts its matches differently
    for (const [query, found, onLastPage] of [['q=food', 23, 3], ['postcode=LS6%201AN', 23, 3], ['free=yes', 24, 4]] as const) {
      const beyond = await client.get(`/find?${query}&page=999`);
      expect(beyond.status).toBe(200);
      expect(beyond.$('#results').text()).toContain(`${found} services found`);
      expect(beyond.$('title').text()).toContain(`${found} services found`);
      expect(resultNames(beyond)).toEqual([]);
      expect(beyond.$('main').text()).not.toContain('No services matched your search');
      const back = beyond.$('main a').filter((_i, a) => beyond.$(a).text().includes('last page of results')).attr('href');
      expect(back).toMatch(/&page=2#results$/);
      expect(resultNames(await client.get(back!))).toHaveLength(onLastPage);
    }
  });
});

describe('the page of a service', () => {
  it('shows a published service in plain words: contacts, opening times, costs, how to use it and a map link', async () => {
    const { lio, client } = await freshLio();
    const org = await d.organisation(lio, { name: 'Riverside Trust' });
    const service = await d.service(lio, {
      organisationId: org.id, name: 'Riverside Food Bank', description: 'Emergency food parcels.\n\nBring a referral if you have one.',
      deliveryModes: ['in_person', 'phone'], isFree: false, minimumAge: 18, maximumAge: null,
      locations: [{ name: 'St Mark’s Hall', latitude: 53.8, longitude: -1.55, postcode: 'LS1 1UR', address: '2 Church Lane', city: 'Leeds' }],
      opening: [{ day: 'TU,TH', opens: '10:00', closes: '12:30' }], costs: [{ option: 'Per parcel', amount: 1.5 }],
    });
    await t.db.withTenant(lio.id, async (tx) => {
      await tx.insertInto('phones').values({ lio_id: lio.id, service_id: service.id, number: '0113 496 0000' }).execute();
      await tx.updateTable('services').set({ email: 'help@foodbank.example', url: 'https://foodbank.example' }).where('id', '=', service.id).execute();
    });
    await setClock('2026-01-06T09:00:00Z'); // a Tuesday, 9am
    const page = await client.get(`/find/services/${service.id}`);
    expect(page.status).toBe(200);
    expect(page.$('h1').text()).toBe('Riverside Food Bank');
    expect(page.$('.govuk-caption-l').text()).toBe('Riverside Trust');
    const text = page.$('main').text().replace(/\s+/g, ' ');
    expect(text).toContain('Opens today at 10am');
    expect(text).toContain('Bring a referral if you have one.');
    expect(text).toContain('Phone them on 0113 496 0000.');
    expect(text).toContain('For people aged 18 and over.');
    expect(page.$('a[href="tel:01134960000"]').text()).toBe('0113 496 0000');
    expect(page.$('a[href="mailto:help@foodbank.example"]').length).toBe(1);
    expect(text).toContain('2 Church Lane');
    expect(page.$('a[href^="https://www.openstreetmap.org/?mlat=53.80000&mlon=-1.55000"]').length).toBe(1);
    const week = page.$('table.cg-week tr').map((_i, tr) => `${page.$(tr).find('th').text()}: ${page.$(tr).find('td').text()}`).get();
    expect(week).toEqual(['Monday: Closed', 'Tuesday: 10am to 12:30pm', 'Wednesday: Closed', 'Thursday: 10am to 12:30pm', 'Friday: Closed', 'Saturday: Closed', 'Sunday: Closed']);
    expect(text).toContain('£1.50 – Per parcel');
    expect(page.$('form[action="/find/list/items"] input[name="service"]').val()).toBe(service.id);
  });

  it('keeps the way back to the search it came from', async () => {
    const { lio, client } = await freshLio();
    const service = await d.service(lio, { name: 'Warm Space' });
    const results = await client.get('/find?q=warm');
    const href = results.$('.cg-result__name a').attr('href')!;
    expect(href).toBe(`/find/services/${service.id}?from=q%3Dwarm`);
    const page = await client.get(href);
    expect(page.$('.govuk-back-link').attr('href')).toBe(`/find?q=warm#service-${service.id}`);
    // nothing but search parameters is carried back
    const odd = await client.get(`/find/services/${service.id}?from=${encodeURIComponent('q=warm&next=//evil.example')}`);
    expect(odd.$('.govuk-back-link').attr('href')).toBe(`/find?q=warm#service-${service.id}`);
  });

  it('is not found for a service that is not published, of another LIO, or not an id', async () => {
    const { lio, client } = await freshLio();
    const other = await t.make.lio();
    const inactive = await d.service(lio, { status: 'inactive' });
    const unconsented = await d.service(lio, { organisationId: (await d.organisation(lio, { consentToPublish: false })).id });
    const elsewhere = await d.service(other);
    for (const id of [inactive.id, unconsented.id, elsewhere.id, 'nope', '00000000-0000-0000-0000-000000000000']) {
      const page = await client.get(`/find/services/${id}`);
      expect(page.status).toBe(404);
    }
  });
});

describe('map tiles', () => {
  it('lets the page load tiles from the configured tile server only, and marks the map for them', async () => {
    const tiles = await createTestApp({ env: { MAP_TILE_URL: 'https://tiles.example.org/{z}/{x}/{y}.png' } });
    try {
      const lio = await tiles.make.lio();
      await directoryFactories(tiles.db).service(lio, { name: 'Mapped', locations: [CENTRE] });
      const page = await new Client(tiles.app, lio.host).get('/find?q=mapped');
      expect(page.$('[data-find-map]').attr('data-tiles')).toBe('https://tiles.example.org/{z}/{x}/{y}.png');
      expect(String(page.headers['content-security-policy'])).toMatch(/img-src 'self' data: https:\/\/tiles\.example\.org(;|$)/);
      // other pages do not widen the policy
      const home = await new Client(tiles.app, lio.host).get('/');
      expect(String(home.headers['content-security-policy'])).not.toContain('tiles.example.org');
    } finally {
      await tiles.close();
    }
  });

  it('has no tile server by default: no tiles are named and the policy stays as it is', async () => {
    const { lio, client } = await freshLio();
    await d.service(lio, { name: 'Mapped', locations: [CENTRE] });
    const page = await client.get('/find?q=mapped');
    expect(page.$('[data-find-map]').attr('data-tiles')).toBe('');
    expect(String(page.headers['content-security-policy'])).toMatch(/img-src 'self' data:(;|$)/);
  });
});
