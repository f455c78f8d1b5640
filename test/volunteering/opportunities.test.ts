import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, signedInUser, type TestContext } from '../helpers/app.js';
import { Client, errorSummary } from '../helpers/client.js';
import { directoryFactories, type DirectoryFactories } from '../helpers/directory-factories.js';
import { volunteeringFactories, type VolunteeringFactories } from '../helpers/volunteering-factories.js';

let t: TestContext;
let dir: DirectoryFactories;
let vol: VolunteeringFactories;
beforeAll(async () => {
  t = await createTestApp();
  dir = directoryFactories(t.db);
  vol = volunteeringFactories(t.db);
  await dir.postcode({ postcode: 'OP1 1AA', latitude: 53.8, longitude: -1.55 });
  await dir.postcode({ postcode: 'OP1 2BB', latitude: 53.8, longitude: -1.4 }); // 9.9 km east of OP1 1AA
  await dir.postcode({ postcode: 'OP9 9ZZ', latitude: 54.6, longitude: -1.55 }); // about 90 km north
});
afterAll(async () => { await t.close(); });

const day = (offset: number) => new Date(t.clock.now().getTime() + offset * 86_400_000).toISOString().slice(0, 10);
const role = {
  title: 'Food bank driver', description: 'Collect donations on Monday mornings.', skills: ['driving'], causes: ['food'], schedule: 'regular',
  scheduleDetail: 'Mondays 9am to 12pm', availability: ['mon-morning'], where: ['in_person'], postcode: 'op1 1aa', dbsLevel: 'none', minimumAge: '18', places: '2',
  'closingOn-day': '', 'closingOn-month': '', 'closingOn-year': '', induction: 'no',
};

async function setUp() {
  const lio = await t.make.lio();
  const org = await t.make.organisation(lio, { name: 'Riverside Food Bank' });
  const other = await t.make.organisation(lio, { name: 'Northgate Mutual Aid' });
  const group = await signedInUser(t, lio, { role: 'group_member', organisationId: org.id });
  const coordinator = await signedInUser(t, lio, { permissionSets: ['volunteer_coordinator'] });
  return { lio, org, other, group, coordinator, visitor: new Client(t.app, lio.host) };
}

describe('posting and approving roles', () => {
  it('a group member posts for their own organisation: the role waits, is not public, and a coordinator approves it', async () => {
    const { lio, org, group, coordinator, visitor } = await setUp();
    const posted = await group.client.submit('/our-volunteering/roles/new', '/our-volunteering/roles', { ...role, organisationId: 'ignored' });
    expect(posted.status).toBe(303);
    const id = posted.location!.split('/').pop()!;
    const row = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('opportunities').selectAll().where('id', '=', id).executeTakeFirstOrThrow());
    expect(row).toMatchObject({ organisation_id: org.id, status: 'pending', postcode: 'OP1 1AA', latitude: 53.8, longitude: -1.55, minimum_age: 18, skills: ['driving'] });
    expect((await visitor.get(`/opportunities/${id}`)).status).toBe(404);
    expect((await group.client.get('/our-volunteering/roles')).$('[data-testid="roles-table"]').text()).toContain('Waiting for approval');

    const queue = await coordinator.client.get('/volunteering/roles?status=pending');
    expect(queue.$('[data-testid="roles-table"] tbody a').text()).toContain('Food bank driver');
    const approved = await coordinator.client.submit(`/volunteering/roles/${id}`, `/volunteering/roles/${id}/approve`, {});
    expect(approved.status).toBe(303);
    const page = await visitor.get(`/opportunities/${id}`);
    expect(page.status).toBe(200);
    expect(page.$('a.govuk-button').attr('href')).toBe(`/opportunities/${id}/enquire`);
    expect(page.$('a.govuk-button').text().trim()).toBe('Enquire about this role');
  });

  it('a rejection needs a reason, and the group sees it on its role', async () => {
    const { lio, org, group, coordinator } = await setUp();
    const pending = await vol.opportunity(lio, { organisationId: org.id, status: 'pending', title: 'Hamper packer' });
    const missing = await coordinator.client.submit(`/volunteering/roles/${pending.id}`, `/volunteering/roles/${pending.id}/reject`, { reason: '' });
    expect(missing.status).toBe(400);
    expect(errorSummary(missing)).toEqual([{ href: '#reason', text: 'Enter why the role is not approved, for the group to read' }]);
    const rejected = await coordinator.client.submit(`/volunteering/roles/${pending.id}`, `/volunteering/roles/${pending.id}/reject`, { reason: 'Please add the hall’s address.' });
    expect(rejected.status).toBe(303);
    const seen = await group.client.get(`/our-volunteering/roles/${pending.id}`);
    expect(seen.$('[data-testid="rejection-reason"]').text()).toBe('Please add the hall’s address.');
  });

  it('a group member cannot see, close or post for another organisation, nor use the coordinators\' pages', async () => {
    const { lio, other, group } = await setUp();
    const theirs = await vol.opportunity(lio, { organisationId: other.id, status: 'published' });
    expect((await group.client.get(`/our-volunteering/roles/${theirs.id}`)).status).toBe(404);
    const close = await group.client.submit('/our-volunteering/roles', `/our-volunteering/roles/${theirs.id}/close`, {});
    expect(close.status).toBe(404);
    expect((await group.client.get('/volunteering/roles')).status).toBe(403);
    const posted = await group.client.submit('/our-volunteering/roles/new', '/volunteering/roles', { ...role, organisationId: other.id });
    expect(posted.status).toBe(403);
    const count = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('opportunities').select((eb) => eb.fn.countAll<string>().as('n')).where('organisation_id', '=', other.id).executeTakeFirstOrThrow());
    expect(Number(count.n)).toBe(1);
    const staff = await signedInUser(t, lio);
    expect((await staff.client.get('/our-volunteering/roles')).status).toBe(403);
  });

  it('a coordinator posts for any organisation or the LIO itself, published at once; mistakes come back with the error summary', async () => {
    const { lio, other, coordinator, visitor } = await setUp();
    const forGroup = await coordinator.client.submit('/volunteering/roles/new', '/volunteering/roles', { ...role, organisationId: other.id });
    expect(forGroup.status).toBe(303);
    const own = await coordinator.client.submit('/volunteering/roles/new', '/volunteering/roles', { ...role, organisationId: '', title: 'Receptionist', where: ['remote'], postcode: '' });
    expect(own.status).toBe(303);
    const rows = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('opportunities').select(['title', 'status', 'organisation_id', 'remote', 'in_person']).orderBy('title').execute());
    expect(rows).toEqual([
      { title: 'Food bank driver', status: 'published', organisation_id: other.id, remote: false, in_person: true },
      { title: 'Receptionist', status: 'published', organisation_id: null, remote: true, in_person: false },
    ]);
    expect((await visitor.get('/opportunities')).$('[data-testid="results"] h2').length).toBe(2);

    const bad = await coordinator.client.submit('/volunteering/roles/new', '/volunteering/roles', {
      ...role, title: '', where: [], postcode: 'ZZ99 9ZZ', minimumAge: 'ten', places: '0', 'closingOn-day': '1', 'closingOn-month': '1', 'closingOn-year': '2020', schedule: 'sometimes',
    });
    expect(bad.status).toBe(400);
    expect(errorSummary(bad).map((e) => e.href)).toEqual(['#title', '#schedule', '#where', '#postcode', '#minimumAge', '#places', '#closingOn-day']);
    const unknownPlace = await coordinator.client.submit('/volunteering/roles/new', '/volunteering/roles', { ...role, postcode: 'OP7 7QQ' });
    expect(unknownPlace.status).toBe(400);
    expect(errorSummary(unknownPlace)).toEqual([{ href: '#postcode', text: expect.stringContaining('We could not find the postcode OP7 7QQ') }]);
  });

  it('closing a role takes it off the public listing; its page then says it has closed', async () => {
    const { lio, coordinator, visitor } = await setUp();
    const open = await vol.opportunity(lio, { title: 'Litter pick marshal', status: 'published' });
    expect((await visitor.get(`/opportunities/${open.id}`)).status).toBe(200);
    expect((await coordinator.client.submit(`/volunteering/roles/${open.id}`, `/volunteering/roles/${open.id}/close`, {})).status).toBe(303);
    // A link to it shared before says it has closed, and where to look instead.
    const gone = await visitor.get(`/opportunities/${open.id}`);
    expect(gone.status).toBe(410);
    expect(gone.$('h1').text()).toBe('This role has closed');
    expect(gone.$('main').text()).toContain('Litter pick marshal is no longer taking volunteers');
    expect(gone.$('main a[href="/opportunities"]')).toHaveLength(1);
    const pastClosing = await vol.opportunity(lio, { title: 'Summer fair steward', closingOn: '2020-06-01' });
    expect((await visitor.get(`/opportunities/${pastClosing.id}`)).status).toBe(410);
    // A role closed before it was ever approved was never public: nothing about it is said.
    const neverPublic = await vol.opportunity(lio, { title: 'Secret draft', status: 'closed' });
    const unknown = await visitor.get(`/opportunities/${neverPublic.id}`);
    expect(unknown.status).toBe(404);
    expect(unknown.$('main').text()).not.toContain('Secret draft');
  });
});

describe('the public listing', () => {
  it('shows only published roles not past their closing date, filtered by words, cause, skill, schedule, remote and distance', async () => {
    const { lio, org } = await setUp();
    const visitor = new Client(t.app, lio.host);
    await vol.opportunity(lio, { organisationId: org.id, title: 'Van driver', skills: ['driving'], causes: ['food'], schedule: 'regular', postcode: 'OP1 2BB', latitude: 53.8, longitude: -1.4, closingOn: day(0) });
    await vol.opportunity(lio, { title: 'Phone befriender', skills: ['befriending'], causes: ['older'], schedule: 'flexible', inPerson: false, remote: true });
    await vol.opportunity(lio, { title: 'Garden helper', skills: ['gardening'], causes: ['environment'], schedule: 'one_off', postcode: 'OP9 9ZZ', latitude: 54.6, longitude: -1.55 });
    await vol.opportunity(lio, { title: 'Closed yesterday', closingOn: day(-1) });
    await vol.opportunity(lio, { title: 'Still pending', status: 'pending' });
    const titles = async (query: string) => {
      const page = await visitor.get(`/opportunities${query}`);
      expect(page.status).toBe(200);
      return page.$('[data-testid="results"] h2').toArray().map((h) => page.$(h).text().trim());
    };
    expect((await titles('')).sort()).toEqual(['Garden helper', 'Phone befriender', 'Van driver']);
    expect(await titles('?q=befriend')).toEqual(['Phone befriender']);
    expect(await titles('?cause=food')).toEqual(['Van driver']);
    expect(await titles('?skill=gardening')).toEqual(['Garden helper']);
    expect(await titles('?schedule=flexible')).toEqual(['Phone befriender']);
    expect(await titles('?remote=yes')).toEqual(['Phone befriender']);
    // Near OP1 1AA within 25 km: the van driver 10 km away, and remote work; not the garden 90 km north.
    expect(await titles('?postcode=OP1+1AA&distance=25')).toEqual(['Van driver', 'Phone befriender']);
    expect(await titles('?postcode=OP1+1AA&distance=5')).toEqual(['Phone befriender']);
    const near = await visitor.get('/opportunities?postcode=OP1+1AA&distance=25');
    expect(near.$('[data-testid="distance"]').text()).toBe('9.9 km away');
    const bad = await visitor.get('/opportunities?postcode=nonsense');
    expect(bad.status).toBe(400);
    expect(errorSummary(bad)).toEqual([{ href: '#postcode', text: 'Enter a real postcode, like LS1 1UR' }]);
  });

  it('pages through many roles', async () => {
    const { lio } = await setUp();
    for (let i = 0; i < 23; i++) await vol.opportunity(lio, { title: `Role ${String(i).padStart(2, '0')}` });
    const visitor = new Client(t.app, lio.host);
    const first = await visitor.get('/opportunities');
    expect(first.$('[data-testid="results"] h2')).toHaveLength(20);
    const second = await visitor.get('/opportunities?page=2');
    expect(second.$('[data-testid="results"] h2')).toHaveLength(3);
  });
});

describe('the open feed', () => {
  it('lists and shows published roles without a token, in the OpenAPI document, and names a bad parameter', async () => {
    const { lio, org } = await setUp();
    const open = await vol.opportunity(lio, { organisationId: org.id, title: 'Van driver', causes: ['food'], postcode: 'OP1 2BB', latitude: 53.8, longitude: -1.4 });
    await vol.opportunity(lio, { title: 'Waiting', status: 'pending' });
    const get = (url: string) => t.app.inject({ method: 'GET', url, headers: { host: lio.host } });
    const list = await get('/api/opportunities?cause=food&postcode=OP1%201AA&distance_km=25');
    expect(list.statusCode).toBe(200);
    const body = list.json();
    expect(body).toMatchObject({ total: 1, page: 1, per_page: 20 });
    expect(body.items[0]).toMatchObject({ id: open.id, title: 'Van driver', organisation: 'Riverside Food Bank', causes: ['food'], url: `http://${lio.host}/opportunities/${open.id}` });
    expect(body.items[0].distance_km).toBe(9.9);
    expect((await get(`/api/opportunities/${open.id}`)).json()).toMatchObject({ id: open.id, title: 'Van driver' });
    expect((await get('/api/opportunities?per_page=1&page=2')).json()).toMatchObject({ total: 1, items: [] });

    for (const [query, field] of [['cause=nonsense', 'cause'], ['per_page=500', 'per_page'], ['distance_km=abc', 'distance_km'], ['postcode=nope', 'postcode'], ['remote=perhaps', 'remote']]) {
      const res = await get(`/api/opportunities?${query}`);
      expect(res.statusCode, query).toBe(400);
      expect(res.json().fields.map((f: { field: string }) => f.field), query).toContain(field);
    }
    expect((await get('/api/opportunities/not-an-id')).statusCode).toBe(400);
    expect((await get('/api/opportunities/00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);

    const doc = (await get('/api/openapi.json')).json();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/opportunities', '/api/opportunities/{id}']));
    expect(doc.paths['/api/opportunities'].get.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['cause', 'postcode', 'page']));
  });
});
