import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { Client, type Page } from '../helpers/client.js';
import { directoryFactories, type DirectoryFactories } from '../helpers/directory-factories.js';
import { SENDS_PER_HOUR, displayShareCode, normaliseShareCode } from '../../src/directory/public/signposting/service.js';

/** Signposting lists: collect services from search and service pages, view, remove, share by link and e-mail. */

let t: TestContext;
let d: DirectoryFactories;
beforeAll(async () => {
  t = await createTestApp();
  d = directoryFactories(t.db);
});
afterAll(async () => { await t.close(); });

const listNames = (page: Page) => page.$('.cg-list-item h2').map((_i, el) => page.$(el).text().trim()).get();
const errorText = (page: Page) => page.$('.govuk-error-summary').text().replace(/\s+/g, ' ').trim();

async function setup() {
  const lio = await t.make.lio({ name: 'Northfield Community Action' });
  const org = await d.organisation(lio, { name: 'Northfield Trust' });
  const foodBank = await d.service(lio, {
    organisationId: org.id, name: 'Northfield Food Bank', description: 'Emergency food parcels for anyone in need.',
    locations: [{ name: 'Church Hall', latitude: 53.8, longitude: -1.55, postcode: 'LS1 1UR', address: '4 Church Lane', city: 'Leeds' }],
    opening: [{ day: 'WE', opens: '10:00', closes: '13:00' }],
  });
  const lunch = await d.service(lio, { organisationId: org.id, name: 'Northfield Lunch Club', description: 'A hot meal and company.', isFree: false, costs: [{ option: 'Per meal', amount: 3 }] });
  return { lio, foodBank, lunch, client: new Client(t.app, lio.host) };
}

/** Adds a service with the form on the search results, as a browser without JavaScript would. */
async function addFromResults(client: Client, query: string, serviceId: string) {
  const results = await client.get(`/find?${query}`);
  const form = results.$(`#service-${serviceId} form[action="/find/list/items"]`);
  expect(form.length).toBe(1);
  return client.postRaw('/find/list/items', {
    _csrf: String(form.find('input[name="_csrf"]').val()), service: String(form.find('input[name="service"]').val()), returnTo: String(form.find('input[name="returnTo"]').val()),
  });
}

describe('signposting lists', () => {
  it('collects services from results and service pages into a list kept by a share code', async () => {
    const { foodBank, lunch, client } = await setup();
    const added = await addFromResults(client, 'q=northfield', foodBank.id);
    expect(added.status).toBe(303);
    expect(added.location).toBe(`/find?q=northfield&page=1#service-${foodBank.id}`);
    const back = await client.get('/find?q=northfield');
    expect(back.$('.govuk-notification-banner').text()).toContain('Northfield Food Bank is on your list');
    expect(back.$(`#service-${foodBank.id} .cg-on-list`).text()).toContain('On your list');
    expect(back.$('.cg-list-link a').text()).toContain('Your list (1 service)');

    // from the service's own page
    const detail = await client.get(`/find/services/${lunch.id}`);
    const again = await client.submit(`/find/services/${lunch.id}`, '/find/list/items', { service: lunch.id, returnTo: String(detail.$('input[name="returnTo"]').val()) });
    expect(again.location).toBe(`/find/services/${lunch.id}#service-${lunch.id}`);

    const mine = await client.get('/find/list');
    expect(mine.status).toBe(303);
    const code = mine.location!.split('/').pop()!;
    expect(normaliseShareCode(code)).toBe(code);
    const list = await client.get(mine.location!);
    expect(list.status).toBe(200);
    expect(list.$('h1').text()).toBe('Your list of local services');
    expect(listNames(list)).toEqual(['1. Northfield Food Bank', '2. Northfield Lunch Club']);
    const text = list.$('main').text().replace(/\s+/g, ' ');
    expect(text).toContain('Run by Northfield Trust');
    expect(text).toContain('Church Hall, 4 Church Lane, Leeds, LS1 1UR');
    expect(text).toContain('£3.00 – Per meal');
    expect(list.$('#share-link').val()).toBe(`http://${client.host}/find/list/${code}`);
    expect(list.$('.cg-code').text()).toBe(displayShareCode(code));

    // adding one already there keeps one copy
    // the results show it as on the list, with no form to add it again
    expect((await client.get('/find?q=northfield')).$(`#service-${lunch.id} form`).length).toBe(0);
    const direct = await client.submit(`/find/list/${code}`, '/find/list/items', { service: lunch.id, returnTo: '/find' });
    expect(direct.status).toBe(303);
    expect(listNames(await client.get(`/find/list/${code}`))).toHaveLength(2);
  });

  it('takes services off the list, for its holder only; anyone with the link can read it', async () => {
    const { foodBank, lunch, client } = await setup();
    await addFromResults(client, 'q=northfield', foodBank.id);
    await addFromResults(client, 'q=northfield', lunch.id);
    const code = (await client.get('/find/list')).location!.split('/').pop()!;

    const stranger = new Client(t.app, client.host);
    const shared = await stranger.get(`/find/list/${displayShareCode(code).toUpperCase()}`);
    expect(shared.status).toBe(303);
    expect(shared.location).toBe(`/find/list/${code}`);
    const seen = await stranger.get(`/find/list/${code}`);
    expect(listNames(seen)).toHaveLength(2);
    expect(seen.$('form[action$="/remove"]').length).toBe(0);
    const refused = await stranger.submit(`/find/list/${code}`, `/find/list/${code}/remove`, { service: foodBank.id });
    expect(refused.status).toBe(403);

    const removed = await client.submit(`/find/list/${code}`, `/find/list/${code}/remove`, { service: foodBank.id });
    expect(removed.status).toBe(303);
    const after = await client.get(`/find/list/${code}`);
    expect(after.$('.govuk-notification-banner').text()).toContain('The service was taken off the list');
    expect(listNames(after)).toEqual(['1. Northfield Lunch Club']);
  });

  it('leaves off services that are no longer published', async () => {
    const { lio, foodBank, lunch, client } = await setup();
    await addFromResults(client, 'q=northfield', foodBank.id);
    await addFromResults(client, 'q=northfield', lunch.id);
    await t.db.withTenant(lio.id, (tx) => tx.updateTable('services').set({ status: 'defunct' }).where('id', '=', foodBank.id).execute());
    const code = (await client.get('/find/list')).location!.split('/').pop()!;
    expect(listNames(await client.get(`/find/list/${code}`))).toEqual(['1. Northfield Lunch Club']);
    // and an unpublished service cannot be added
    const refused = await client.submit(`/find/list/${code}`, '/find/list/items', { service: foodBank.id, returnTo: '/find' });
    expect(refused.status).toBe(404);
  });

  it('e-mails the list in plain words, at most a few times an hour', async () => {
    const { lio, foodBank, client } = await setup();
    await addFromResults(client, 'q=northfield', foodBank.id);
    const code = (await client.get('/find/list')).location!.split('/').pop()!;

    const bad = await client.submit(`/find/list/${code}`, `/find/list/${code}/email`, { email: 'not an address' });
    expect(bad.status).toBe(400);
    expect(errorText(bad)).toContain('Enter an email address in the correct format');
    expect(bad.$('#email').val()).toBe('not an address');

    const sent = await client.submit(`/find/list/${code}`, `/find/list/${code}/email`, { email: 'resident@example.org' });
    expect(sent.status).toBe(303);
    expect((await client.get(`/find/list/${code}`)).$('.govuk-notification-banner').text()).toContain('The list was sent to resident@example.org');
    await t.app.jobs.drain();
    const messages = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('email_messages').selectAll().execute());
    expect(messages).toHaveLength(1);
    expect(messages[0]!.to_address).toBe('resident@example.org');
    expect(messages[0]!.subject).toBe('Your list of local services – Northfield Community Action');
    expect(messages[0]!.body_text).toContain(`http://${client.host}/find/list/${code}`);
    expect(messages[0]!.body_text).toContain('1. Northfield Food Bank');
    expect(messages[0]!.body_text).toContain('Address: Church Hall, 4 Church Lane, Leeds, LS1 1UR');
    expect(messages[0]!.body_text).toContain('Opening times: Wednesday 10am to 1pm');
    expect(messages[0]!.status).toBe('outbox');
    const audit = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('audit_events').select(['action', 'detail']).where('action', '=', 'signposting_list.emailed').execute());
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit[0]!.detail)).not.toContain('resident@example.org');

    for (let i = 1; i < SENDS_PER_HOUR; i++) {
      expect((await client.submit(`/find/list/${code}`, `/find/list/${code}/email`, { email: `r${i}@example.org` })).status).toBe(303);
    }
    const limited = await client.submit(`/find/list/${code}`, `/find/list/${code}/email`, { email: 'one.more@example.org' });
    expect(limited.status).toBe(429);
    expect(errorText(limited)).toContain(`This list has been e-mailed ${SENDS_PER_HOUR} times in the last hour`);
    // an hour later it may be sent again
    t.clock.advance(61 * 60_000);
    expect((await client.submit(`/find/list/${code}`, `/find/list/${code}/email`, { email: 'later@example.org' })).status).toBe(303);
  });

  it('lets staff start a named list for a caller and find it again later', async () => {
    const { lio, foodBank, client } = await setup();
    const adviser = await t.make.user(lio, { role: 'staff', permissionSets: ['helpline'] });
    await client.signIn(adviser.email, adviser.password);
    const home = await client.get('/find/list');
    expect(home.status).toBe(200);
    expect(home.$('h2').text()).toContain('Make a list for someone you are helping');

    const tooLong = await client.submit('/find/list', '/find/list/new', { title: 'x'.repeat(201) });
    expect(tooLong.status).toBe(400);
    expect(errorText(tooLong)).toContain('A name for the list must be 200 characters or fewer');

    const started = await client.submit('/find/list', '/find/list/new', { title: 'Call on Tuesday morning' });
    expect(started.status).toBe(303);
    const code = started.location!.split('/').pop()!;
    await addFromResults(client, 'q=northfield', foodBank.id);
    const list = await client.get(`/find/list/${code}`);
    expect(list.$('h1').text()).toBe('Call on Tuesday morning');
    expect(listNames(list)).toEqual(['1. Northfield Food Bank']);

    // later, in another browser, the list is among the adviser's own
    const later = new Client(t.app, lio.host);
    await later.signIn(adviser.email, adviser.password);
    const mine = await later.get('/find/list');
    expect(mine.status).toBe(200);
    const row = mine.$('table tbody tr').first();
    expect(row.find('a').attr('href')).toBe(`/find/list/${code}`);
    expect(row.text()).toContain('Call on Tuesday morning');
    expect(row.find('td').eq(2).text()).toBe('1');
    // the maker may change it from anywhere
    expect((await later.get(`/find/list/${code}`)).$('form[action$="/remove"]').length).toBe(1);
    const audit = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('audit_events').select('action').where('action', '=', 'signposting_list.created').execute());
    expect(audit).toHaveLength(1);
  });

  it('opens a list from its code as read out, and explains a wrong one', async () => {
    const { foodBank, client } = await setup();
    await addFromResults(client, 'q=northfield', foodBank.id);
    const code = (await client.get('/find/list')).location!.split('/').pop()!;
    const other = new Client(t.app, client.host);
    const empty = await other.get('/find/list');
    expect(empty.status).toBe(200);
    expect(empty.$('main').text()).toContain('You have not added any services to a list yet');
    const opened = await other.get(`/find/list/open?code=${encodeURIComponent(` ${displayShareCode(code).toUpperCase()} `)}`);
    expect(opened.location).toBe(`/find/list/${code}`);
    const wrong = await other.get('/find/list/open?code=12345');
    expect(wrong.status).toBe(400);
    expect(errorText(wrong)).toContain('Enter the list code as it was given to you');
    const missing = await other.get('/find/list/open?code=');
    expect(errorText(missing)).toContain('Enter the list code');
    expect((await other.get('/find/list/abcdefghjkmn')).status).toBe(404);
    expect((await other.get('/find/list/nonsense')).status).toBe(404);
  });

  it('keeps each LIO’s lists to itself', async () => {
    const { foodBank, client } = await setup();
    await addFromResults(client, 'q=northfield', foodBank.id);
    const code = (await client.get('/find/list')).location!.split('/').pop()!;
    const elsewhere = await t.make.lio();
    expect((await new Client(t.app, elsewhere.host).get(`/find/list/${code}`)).status).toBe(404);
  });
});
