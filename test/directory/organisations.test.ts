import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { Client, type Page, errorSummary, formFields, mainText, signedInClient } from '../helpers/client.js';
import { directoryFactories, type DirectoryFactories } from '../helpers/directory-factories.js';
import { findLikelyDuplicates } from '../../src/directory/organisations/duplicates.js';

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
const rowOf = (lio: Lio, id: string) => t.db.withTenant(lio.id, (tx) => tx.selectFrom('organisations').selectAll().where('id', '=', id).executeTakeFirstOrThrow());
const eventsOf = (lio: Lio, id: string) => t.db.withTenant(lio.id, (tx) => tx.selectFrom('organisation_events').selectAll().where('organisation_id', '=', id).orderBy('occurred_at').execute());
const auditOf = (lio: Lio, action: string) => t.db.withTenant(lio.id, (tx) => tx.selectFrom('audit_events').selectAll().where('action', '=', action).execute());
const countOrgs = async (lio: Lio) => (await t.db.withTenant(lio.id, (tx) => tx.selectFrom('organisations').select('id').execute())).length;

const FULL = {
  name: '  Riverside   Food Bank ', other_names: 'Riverside Foodbank\nRFB\n\nrfb', organisation_type: 'cio', charity_number: '1123456 - 1'.replace(/ /g, ''),
  company_number: 'sc 123456', description: 'Emergency food parcels.\nThree days of food.', website: 'https://riverside-foodbank.example.org',
  email: 'hello@riverside-foodbank.example.org', phone: '+44 (0)1632 960 001', address: '1 Mill Lane\nRiverside', postcode: 'rv11aa',
  areas_served: 'Northgate\nEastfield, Weavers', themes: ['Food', 'Poverty and cost of living'], groups_served: ['low_income', 'disability'],
  income_band: '100k_1m', staff_count: '4', volunteer_count: '1,200', consent_to_publish: 'yes', membership: 'member', status: 'active', relationship: 'supported',
};

describe('adding an organisation', () => {
  it('saves the full record, normalised, with a timeline entry and an audit entry', async () => {
    const lio = await t.make.lio();
    await d.postcode({ postcode: 'RV1 1AA', latitude: 53.41, longitude: -2.15 });
    const { client, user } = await signedIn(lio);
    const res = await client.submit('/organisations/new', '/organisations', FULL);
    expect(res.status).toBe(303);
    const id = res.location!.split('/').pop()!;
    expect(res.location).toBe(`/organisations/${id}`);
    const row = await rowOf(lio, id);
    expect(row).toMatchObject({
      name: 'Riverside Food Bank', other_names: ['Riverside Foodbank', 'RFB'], organisation_type: 'cio', charity_number: '1123456-1', company_number: 'SC123456',
      description: 'Emergency food parcels.\nThree days of food.', website: 'https://riverside-foodbank.example.org', email: 'hello@riverside-foodbank.example.org',
      phone: '+44 (0)1632 960 001', address: '1 Mill Lane\nRiverside', postcode: 'RV1 1AA', latitude: 53.41, longitude: -2.15,
      areas_served: ['Northgate', 'Eastfield', 'Weavers'], themes: ['food', 'money'], groups_served: ['low_income', 'disability'],
      income_band: '100k_1m', staff_count: 4, volunteer_count: 1200, consent_to_publish: true, membership: 'member', status: 'active', relationship: 'supported',
      last_verified_at: null, merged_into_id: null,
    });
    const events = await eventsOf(lio, id);
    expect(events.map((e) => e.kind)).toEqual(['created']);
    expect(events[0]!.actor_label).not.toBe('');
    expect((await auditOf(lio, 'organisation.created')).map((a) => [a.subject_id, a.actor_user_id])).toEqual([[id, user.id]]);

    const page = await client.get(res.location!);
    expect(page.status).toBe(200);
    expect(page.$('.govuk-notification-banner').text()).toContain('Riverside Food Bank added');
    expect(text(page)).toContain('Charitable incorporated organisation (CIO)');
    expect(text(page)).toContain('People on low incomes, Disability');
    expect(page.$('[data-testid="timeline"] li[data-kind="created"]').length).toBe(1);
  });

  it('accepts a name alone (the rest can follow), and the Scottish and lettered number formats', async () => {
    const lio = await t.make.lio();
    const { client } = await signedIn(lio);
    const bare = await client.submit('/organisations/new', '/organisations', { name: 'Weavers Garden' });
    expect(bare.status).toBe(303);
    const row = await rowOf(lio, bare.location!.split('/').pop()!);
    expect(row).toMatchObject({ membership: 'none', status: 'active', relationship: 'none', consent_to_publish: false, organisation_type: null, other_names: [] });
    const scottish = await client.submit('/organisations/new', '/organisations', { name: 'Borders Trust', charity_number: 'sc012345', company_number: '01234567', phone: '07700 900982', postcode: 'EH1 1YZ' });
    expect(scottish.status).toBe(303);
    expect(await rowOf(lio, scottish.location!.split('/').pop()!)).toMatchObject({ charity_number: 'SC012345', company_number: '01234567', postcode: 'EH1 1YZ' });
    const northernIrish = await client.submit('/organisations/new', '/organisations', { name: 'Foyle Befriending', charity_number: 'nic 100123', postcode: 'BT48 6DQ' });
    expect(northernIrish.status).toBe(303);
    expect(await rowOf(lio, northernIrish.location!.split('/').pop()!)).toMatchObject({ charity_number: 'NIC100123' });
  });

  it('names every invalid field in the error summary, answers 400, keeps what was typed and saves nothing', async () => {
    const lio = await t.make.lio();
    const { client } = await signedIn(lio);
    const before = await countOrgs(lio);
    const bad = {
      name: '', other_names: 'Old name\nAnother', organisation_type: 'spaceship', charity_number: '12345', company_number: '1234', description: 'x'.repeat(10_001),
      website: 'ftp://files.example.org', email: 'not-an-email', phone: '12345', address: '2 Canal Street', postcode: 'NOT A POSTCODE', areas_served: 'Northgate',
      themes: ['Nope'], groups_served: ['aliens'], income_band: 'billions', staff_count: '-3', volunteer_count: 'lots', consent_to_publish: 'maybe',
      membership: 'gold', status: 'asleep', relationship: 'enemy',
    };
    const res = await client.submit('/organisations/new', '/organisations', bad);
    expect(res.status).toBe(400);
    expect(res.$('title').text()).toMatch(/^Error: /);
    const hrefs = summary(res).map((e) => e.href);
    expect(hrefs).toEqual(['#name', '#organisation_type', '#charity_number', '#company_number', '#description', '#website', '#email', '#phone', '#postcode',
      '#themes', '#groups_served', '#income_band', '#staff_count', '#volunteer_count', '#consent_to_publish', '#membership', '#status', '#relationship']);
    // Each link lands on its field, and each field shows its own message.
    for (const href of hrefs) expect(res.$(href).length, href).toBe(1);
    expect(res.$('.govuk-error-message').length).toBe(hrefs.length);
    expect(summary(res).find((e) => e.href === '#charity_number')!.text).toContain('6 to 8 digits');
    expect(summary(res).find((e) => e.href === '#postcode')!.text).toContain('UK postcode');
    // Nothing typed is lost.
    expect(res.$('#charity_number').val()).toBe('12345');
    expect(res.$('#other_names').text()).toBe('Old name\nAnother');
    expect(res.$('#address').text()).toBe('2 Canal Street');
    expect(res.$('#areas_served').text()).toBe('Northgate');
    expect(res.$('#website').val()).toBe('ftp://files.example.org');
    expect(res.$('#phone').val()).toBe('12345');
    expect(res.$('#volunteer_count').val()).toBe('lots');
    expect(await countOrgs(lio)).toBe(before);
  });

  it('takes a name of 255 characters and refuses a longer one, as the API does', async () => {
    const lio = await t.make.lio();
    const { client } = await signedIn(lio);
    const long = await client.submit('/organisations/new', '/organisations', { name: 'N'.repeat(256), other_names: `Short\n${'O'.repeat(256)}` });
    expect(long.status).toBe(400);
    expect(summary(long)).toEqual([
      { href: '#name', text: 'The name must be 255 characters or fewer' },
      { href: '#other_names', text: 'Each other name must be 255 characters or fewer' },
    ]);
    expect((await client.submit('/organisations/new', '/organisations', { name: 'N'.repeat(255) })).status).toBe(303);
  });

  it('checks each number format', async () => {
    const lio = await t.make.lio();
    const { client } = await signedIn(lio);
    for (const [field, value] of [['charity_number', '123456789'], ['charity_number', 'SC12345'], ['charity_number', 'NIC12345'], ['charity_number', '1123456-abc'], ['company_number', 'ABC12345'], ['company_number', '1234567'],
      ['phone', '0800 12'], ['phone', '+33 1 23 45 67 89'], ['website', 'www.example.org'], ['postcode', 'W1']] as const) {
      const res = await client.submit('/organisations/new', '/organisations', { name: 'Format Check', [field]: value });
      expect(res.status, `${field}=${value}`).toBe(400);
      expect(summary(res).map((e) => e.href)).toEqual([`#${field}`]);
    }
    expect(await countOrgs(lio)).toBe(0);
  });
});

describe('who may use the register', () => {
  it('refuses group members and volunteers (403), sends visitors to sign in, and lets non-adviser staff read but not write', async () => {
    const lio = await t.make.lio();
    const org = await d.organisation(lio, { name: 'Hillside Youth Project' });
    const member = await signedIn(lio, { role: 'group_member' });
    expect((await member.client.get('/organisations')).status).toBe(403);
    expect((await member.client.get(`/organisations/${org.id}`)).status).toBe(403);
    const forged = await member.client.submit('/my-organisation', '/organisations', { name: 'Sneaky Group' });
    expect(forged.status).toBe(403);
    const volunteer = await signedIn(lio, { role: 'volunteer' });
    expect((await volunteer.client.get('/organisations/new')).status).toBe(403);

    const visitor = new Client(t.app, lio.host);
    const out = await visitor.get('/organisations');
    expect(out.status).toBe(303);
    expect(out.location).toBe('/sign-in?returnTo=%2Forganisations');

    const helpline = await signedIn(lio, { role: 'staff', permissionSets: ['helpline'] });
    const list = await helpline.client.get('/organisations');
    expect(list.status).toBe(200);
    expect(list.$('a[href="/organisations/new"]').length).toBe(0);
    expect((await helpline.client.get(`/organisations/${org.id}`)).status).toBe(200);
    expect((await helpline.client.get(`/organisations/${org.id}/edit`)).status).toBe(403);
    const edit = await helpline.client.submit(`/organisations/${org.id}`, `/organisations/${org.id}/edit`, { name: 'Renamed' });
    expect(edit.status).toBe(403);
    expect((await rowOf(lio, org.id)).name).toBe('Hillside Youth Project');
    expect((await auditOf(lio, 'access.denied')).length).toBeGreaterThanOrEqual(3);
  });

  it('never shows another LIO’s organisation', async () => {
    const lio = await t.make.lio();
    const other = await t.make.lio();
    const foreign = await d.organisation(other, { name: 'Elsewhere Trust' });
    const { client } = await signedIn(lio);
    expect((await client.get(`/organisations/${foreign.id}`)).status).toBe(404);
    expect((await client.get(`/organisations/${foreign.id}/edit`)).status).toBe(404);
    expect((await client.get('/organisations/not-a-uuid')).status).toBe(404);
    expect(text(await client.get('/organisations?q=elsewhere'))).toContain('No organisations match');
  });
});

describe('the register page', () => {
  it('searches names and other names, filters, sorts and pages', async () => {
    const lio = await t.make.lio();
    const { client } = await signedIn(lio);
    const day = 86_400_000;
    const now = Date.now();
    const made: Record<string, string> = {};
    const specs = [
      { name: 'Riverside Food Bank', other_names: ['Foodbank North'], organisation_type: 'registered_charity', membership: 'member', themes: ['food'], consent_to_publish: true, last_verified_at: new Date(now - 30 * day) },
      { name: 'Northgate Mutual Aid', other_names: ['Northgate Food Share'], organisation_type: 'mutual_aid', membership: 'none', themes: ['food', 'loneliness'], consent_to_publish: false, last_verified_at: null },
      { name: 'Canalside Men’s Shed', other_names: [], organisation_type: 'unincorporated', membership: 'associate', themes: ['mental_health'], consent_to_publish: true, last_verified_at: new Date(now - 400 * day) },
      { name: 'St Anne’s Lunch Club', other_names: [], organisation_type: 'faith_group', membership: 'member', themes: ['food', 'older'], consent_to_publish: true, last_verified_at: new Date(now - 5 * day), status: 'dormant' },
    ] as const;
    for (const [i, s] of specs.entries()) {
      const o = await d.organisation(lio, { name: s.name });
      made[s.name] = o.id;
      await t.db.withTenant(lio.id, (tx) => tx.updateTable('organisations').set({
        other_names: [...s.other_names], organisation_type: s.organisation_type, membership: s.membership, themes: [...s.themes], consent_to_publish: s.consent_to_publish,
        last_verified_at: s.last_verified_at, status: 'status' in s ? s.status : 'active', updated_at: new Date(now - (10 - i) * day),
      }).where('id', '=', o.id).execute());
    }
    const names = (page: Page) => page.$('[data-testid="organisations"] tbody a').toArray().map((a) => page.$(a).text().trim());

    expect(names(await client.get('/organisations'))).toEqual(['Canalside Men’s Shed', 'Northgate Mutual Aid', 'Riverside Food Bank', 'St Anne’s Lunch Club']);
    // "food" is in one name and in another's other name; both words must match somewhere.
    expect(names(await client.get('/organisations?q=food')).sort()).toEqual(['Northgate Mutual Aid', 'Riverside Food Bank']);
    expect(names(await client.get('/organisations?q=NORTHGATE+share'))).toEqual(['Northgate Mutual Aid']);
    expect(names(await client.get('/organisations?q=100%25_'))).toEqual([]);
    expect(names(await client.get('/organisations?type=mutual_aid'))).toEqual(['Northgate Mutual Aid']);
    expect(names(await client.get('/organisations?status=dormant'))).toEqual(['St Anne’s Lunch Club']);
    expect(names(await client.get('/organisations?membership=member'))).toEqual(['Riverside Food Bank', 'St Anne’s Lunch Club']);
    expect(names(await client.get('/organisations?theme=Food&consent=yes'))).toEqual(['Riverside Food Bank', 'St Anne’s Lunch Club']);
    expect(names(await client.get('/organisations?consent=no'))).toEqual(['Northgate Mutual Aid']);
    expect(names(await client.get('/organisations?sort=verified'))).toEqual(['Northgate Mutual Aid', 'Canalside Men’s Shed', 'Riverside Food Bank', 'St Anne’s Lunch Club']);
    expect(names(await client.get('/organisations?sort=updated'))).toEqual(['St Anne’s Lunch Club', 'Canalside Men’s Shed', 'Northgate Mutual Aid', 'Riverside Food Bank']);
    // Unknown filter values are ignored rather than failing.
    expect((await client.get('/organisations?type=nonsense&sort=whatever&page=-4')).status).toBe(200);

    const filtered = await client.get('/organisations?theme=Food');
    expect(filtered.$('#theme option').toArray().map((o) => filtered.$(o).text())).toEqual(['Any theme', 'Befriending and loneliness', 'Food', 'Mental health', 'Older people']);
    expect(filtered.$('a[href="/organisations"]').text()).toContain('Clear filters');
    // Rows link to the organisation page.
    expect(filtered.$(`a[href="/organisations/${made['Riverside Food Bank']}"]`).length).toBe(1);
  });

  it('pages through a long register, keeping the filters in the links', async () => {
    const lio = await t.make.lio();
    const { client } = await signedIn(lio);
    for (let i = 0; i < 53; i++) await d.organisation(lio, { name: `Group ${String(i).padStart(2, '0')}` });
    const first = await client.get('/organisations?q=group');
    expect(first.$('[data-testid="organisations"] tbody tr').length).toBe(50);
    expect(first.$('caption').text()).toContain('53 organisations, page 1 of 2');
    const next = first.$('.govuk-pagination__next a').attr('href')!;
    expect(next).toBe('/organisations?q=group&page=2');
    const second = await client.get(next);
    expect(second.$('[data-testid="organisations"] tbody tr').length).toBe(3);
  });
});

describe('the organisation page and editing', () => {
  it('applies a staff edit at once and records what changed, from and to, in the timeline', async () => {
    const lio = await t.make.lio();
    const { client } = await signedIn(lio, { name: 'Ben Okafor' });
    const created = await client.submit('/organisations/new', '/organisations', { name: 'Open Door Refugee Welcome', website: 'http://opendoor.example.org', membership: 'none' });
    const id = created.location!.split('/').pop()!;
    const form = await client.get(`/organisations/${id}/edit`);
    expect(form.$('#name').val()).toBe('Open Door Refugee Welcome');
    expect(form.$('#website').val()).toBe('http://opendoor.example.org');

    const fields = formFields(form, 'form[action$="/edit"]');
    const saved = await client.submit(`/organisations/${id}/edit`, `/organisations/${id}/edit`, { ...fields, website: 'https://opendoor.example.org', membership: 'member', groups_served: ['refugees_asylum'] });
    expect(saved.status).toBe(303);
    expect(await rowOf(lio, id)).toMatchObject({ website: 'https://opendoor.example.org', membership: 'member', groups_served: ['refugees_asylum'], name: 'Open Door Refugee Welcome' });

    const events = await eventsOf(lio, id);
    const edited = events.find((e) => e.kind === 'edited')!;
    expect(edited.summary).toBe('Edited: Website, Groups of people served, Membership');
    expect(edited.actor_label).toBe('Ben Okafor');
    expect(edited.detail).toEqual({ changes: {
      website: { from: 'http://opendoor.example.org', to: 'https://opendoor.example.org' },
      groups_served: { from: [], to: ['refugees_asylum'] },
      membership: { from: 'none', to: 'member' },
    } });
    const audit = await auditOf(lio, 'organisation.updated');
    expect(audit.map((a) => a.detail)).toEqual([{ fields: ['website', 'groups_served', 'membership'] }]);

    const page = await client.get(`/organisations/${id}`);
    const item = page.$('[data-testid="timeline"] li[data-kind="edited"]');
    expect(item.find('h3').text()).toBe('Edited: Website, Groups of people served, Membership');
    expect(item.find('tbody tr').toArray().map((r) => page.$(r).children().toArray().map((c) => page.$(c).text().trim()).join(' '))).toEqual([
      'Website http://opendoor.example.org https://opendoor.example.org',
      'Groups of people served (blank) Refugees and people seeking asylum',
      'Membership Not a member Member',
    ]);
    expect(text(page)).toContain('by Ben Okafor');

    // Saving with nothing changed records nothing.
    const again = await client.submit(`/organisations/${id}/edit`, `/organisations/${id}/edit`, { ...fields, website: 'https://opendoor.example.org', membership: 'member', groups_served: ['refugees_asylum'] });
    expect(again.status).toBe(303);
    expect((await eventsOf(lio, id)).filter((e) => e.kind === 'edited')).toHaveLength(1);
  });

  it('refuses an invalid edit with 400 and leaves the record as it was', async () => {
    const lio = await t.make.lio();
    const org = await d.organisation(lio, { name: 'Canalside Men’s Shed', email: 'shed@example.org' });
    const { client } = await signedIn(lio);
    const res = await client.submit(`/organisations/${org.id}/edit`, `/organisations/${org.id}/edit`, { name: 'Canalside Men’s Shed', email: 'shed at example', postcode: 'ZZZ' });
    expect(res.status).toBe(400);
    expect(summary(res).map((e) => e.href)).toEqual(['#email', '#postcode']);
    expect(res.$('#email').val()).toBe('shed at example');
    expect((await rowOf(lio, org.id)).email).toBe('shed@example.org');
    expect((await eventsOf(lio, org.id)).filter((e) => e.kind === 'edited')).toHaveLength(0);
  });

  it('keeps themes and groups that came from elsewhere (an import) when staff edit', async () => {
    const lio = await t.make.lio();
    const org = await d.organisation(lio, { name: 'Heritage Society' });
    await t.db.withTenant(lio.id, (tx) => tx.updateTable('organisations').set({ themes: ['Local history'], groups_served: ['students'] }).where('id', '=', org.id).execute());
    const { client } = await signedIn(lio);
    const form = await client.get(`/organisations/${org.id}/edit`);
    expect(form.$('input[name="themes"][value="Local history"]').attr('checked')).toBeDefined();
    const res = await client.submit(`/organisations/${org.id}/edit`, `/organisations/${org.id}/edit`, { name: 'Heritage Society', themes: ['Local history', 'Heritage'], groups_served: ['students'] });
    expect(res.status).toBe(303);
    expect(await rowOf(lio, org.id)).toMatchObject({ themes: ['Local history', 'heritage'], groups_served: ['students'] });
  });
});

describe('likely duplicates at entry', () => {
  it('warns on the same charity number and saves only after explicit confirmation', async () => {
    const lio = await t.make.lio();
    const existing = await d.organisation(lio, { name: 'Riverside Mind', charityNumber: '1100111' });
    const { client } = await signedIn(lio);
    const warned = await client.submit('/organisations/new', '/organisations', { name: 'Mind in Riverside', charity_number: '1100111', description: 'Mental health support.' });
    expect(warned.status).toBe(409);
    expect(summary(warned).map((e) => e.href)).toEqual(['#confirmDuplicate']);
    expect(warned.$('#confirmDuplicate').length).toBe(1);
    const table = warned.$('[data-testid="duplicates"] tbody tr');
    expect(table.length).toBe(1);
    expect(table.text()).toContain('Riverside Mind');
    expect(table.text()).toContain('Same charity number');
    expect(table.find(`a[href="/organisations/${existing.id}"]`).length).toBe(1);
    expect(warned.$('#description').text()).toBe('Mental health support.');
    expect(await countOrgs(lio)).toBe(1);

    const seen = warned.$('input[name="duplicatesSeen"]').toArray().map((i) => warned.$(i).attr('value')!);
    expect(seen).toEqual([existing.id]);
    const saved = await client.submit('/organisations/new', '/organisations', { name: 'Mind in Riverside', charity_number: '1100111', confirmDuplicate: 'yes', duplicatesSeen: seen });
    expect(saved.status).toBe(303);
    expect(await countOrgs(lio)).toBe(2);
    const id = saved.location!.split('/').pop()!;
    expect((await eventsOf(lio, id))[0]!.detail).toEqual({ confirmed_not_duplicate_of: [{ id: existing.id, name: 'Riverside Mind' }] });
  });

  it('warns on a similar name at the same postcode, not at another postcode, and asks again about a look-alike not yet seen', async () => {
    const lio = await t.make.lio();
    const first = await d.organisation(lio, { name: 'Riverside Food Bank', postcode: 'RV1 1AA' });
    const { client } = await signedIn(lio);
    const elsewhere = await client.submit('/organisations/new', '/organisations', { name: 'Riverside Foodbank', postcode: 'RV9 9ZZ' });
    expect(elsewhere.status).toBe(303);
    const warned = await client.submit('/organisations/new', '/organisations', { name: 'Riverside Foodbank', postcode: 'rv1 1aa' });
    expect(warned.status).toBe(409);
    expect(warned.$('[data-testid="duplicates"]').text()).toContain('Similar name, same postcode');
    // Confirming with only an older list of what was seen does not cover a record not shown.
    const stale = await client.submit('/organisations/new', '/organisations', { name: 'Riverside Foodbank', postcode: 'RV1 1AA', confirmDuplicate: 'yes', duplicatesSeen: [] });
    expect(stale.status).toBe(409);
    const ok = await client.submit('/organisations/new', '/organisations', { name: 'Riverside Foodbank', postcode: 'RV1 1AA', confirmDuplicate: 'yes', duplicatesSeen: [first.id] });
    expect(ok.status).toBe(303);
    const dissimilar = await client.submit('/organisations/new', '/organisations', { name: 'Eastfield Tenants Association', postcode: 'RV1 1AA' });
    expect(dissimilar.status).toBe(303);
  });

  it('warns when an edit makes a record look like another, but not for an edit elsewhere', async () => {
    const lio = await t.make.lio();
    await d.organisation(lio, { name: 'Hillside Youth Project', charityNumber: '1077777' });
    const other = await d.organisation(lio, { name: 'Hilltop Youth Club', charityNumber: null });
    const { client } = await signedIn(lio);
    const warned = await client.submit(`/organisations/${other.id}/edit`, `/organisations/${other.id}/edit`, { name: 'Hilltop Youth Club', charity_number: '1077777' });
    expect(warned.status).toBe(409);
    expect((await rowOf(lio, other.id)).charity_number).toBeNull();
    const unrelated = await client.submit(`/organisations/${other.id}/edit`, `/organisations/${other.id}/edit`, { name: 'Hilltop Youth Club', description: 'Friday nights.' });
    expect(unrelated.status).toBe(303);
  });

  it('findLikelyDuplicates gives the reasons, leaves out the record itself and records merged away', async () => {
    const lio = await t.make.lio();
    const a = await d.organisation(lio, { name: 'Weavers Community Garden', charityNumber: '1055555', postcode: 'RV2 2BB' });
    const merged = await d.organisation(lio, { name: 'Weavers Community Gardens', charityNumber: '1055555', postcode: 'RV2 2BB' });
    await t.db.withTenant(lio.id, (tx) => tx.updateTable('organisations').set({ merged_into_id: a.id, status: 'closed' }).where('id', '=', merged.id).execute());
    const found = await t.db.withTenant(lio.id, (tx) => findLikelyDuplicates(tx, { name: 'Weavers Community Gardens', charityNumber: '1055555', postcode: 'rv22bb' }));
    expect(found.map((f) => [f.id, f.reasons])).toEqual([[a.id, ['charity_number', 'name_and_postcode']]]);
    expect(found[0]!.similarity).toBeGreaterThanOrEqual(0.5);
    const self = await t.db.withTenant(lio.id, (tx) => findLikelyDuplicates(tx, { id: a.id, name: a.name, charityNumber: '1055555', postcode: 'RV2 2BB' }));
    expect(self).toEqual([]);
    const none = await t.db.withTenant(lio.id, (tx) => findLikelyDuplicates(tx, { name: 'Weavers Community Garden' }));
    expect(none).toEqual([]);
  });
});

describe('the JSON API keeps working', () => {
  it('lists organisations made on the register pages and records the API’s own creations on the timeline', async () => {
    const lio = await t.make.lio();
    const { client } = await signedIn(lio);
    await client.submit('/organisations/new', '/organisations', { name: 'Zebra Crossing Club', charity_number: '1234567' });
    const { token } = await t.make.apiToken(lio, 'write');
    const listed = await t.app.inject({ method: 'GET', url: '/api/v1/organisations', headers: { host: lio.host, authorization: `Bearer ${token}` } });
    expect(listed.statusCode).toBe(200);
    expect(listed.json().items.map((o: { name: string }) => o.name)).toEqual(['Zebra Crossing Club']);
    const created = await t.app.inject({ method: 'POST', url: '/api/v1/organisations', headers: { host: lio.host, authorization: `Bearer ${token}` }, payload: { name: 'By API' } });
    expect(created.statusCode).toBe(201);
    const events = await eventsOf(lio, created.json().id);
    expect(events.map((e) => e.kind)).toEqual(['created']);
  });
});
