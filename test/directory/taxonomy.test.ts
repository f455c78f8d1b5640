import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { Client, errorSummary } from '../helpers/client.js';
import { directoryFactories } from '../helpers/directory-factories.js';
import * as cheerio from 'cheerio';
import { DEFAULT_TAXONOMY, DEFAULT_TERMS, ensureDefaultTaxonomy, flattenDefaultTerms } from '../../src/directory/taxonomy/default-taxonomy.js';
import { importTaxonomyJson } from '../../src/directory/taxonomy/import.js';
import { SESSION_COOKIE } from '../../src/platform/http/session.js';
import { runTaxonomyImport } from '../../src/directory/taxonomy/cli.js';
import { TAXONOMY_IMPORT_MAX_BYTES } from '../../src/directory/taxonomy/import.js';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

let t: TestContext;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t.close(); });

type Lio = Awaited<ReturnType<TestContext['make']['lio']>>;

async function admin(lio: Lio) {
  const user = await t.make.user(lio, { role: 'admin' });
  const client = new Client(t.app, lio.host);
  await client.signIn(user.email, user.password);
  return { user, client };
}
const summary = errorSummary;
const termsOf = (lio: Lio) => t.db.withTenant(lio.id, (tx) => tx.selectFrom('taxonomy_terms').innerJoin('taxonomies', 'taxonomies.id', 'taxonomy_terms.taxonomy_id')
  .select(['taxonomy_terms.id', 'taxonomy_terms.code', 'taxonomy_terms.name', 'taxonomy_terms.parent_id', 'taxonomy_terms.description', 'taxonomy_terms.external_id', 'taxonomies.name as taxonomy'])
  .orderBy('taxonomy_terms.code').execute());
const installDefault = (lio: Lio) => t.db.withTenant(lio.id, (tx) => ensureDefaultTaxonomy(tx, lio.id));

describe('the default taxonomy', () => {
  it('covers the needs of UK community services, with unique codes and every parent present', () => {
    const flat = flattenDefaultTerms();
    const codes = flat.map((f) => f.code);
    expect(new Set(codes).size).toBe(codes.length);
    expect(flat.every((f) => f.parentCode === null || codes.includes(f.parentCode))).toBe(true);
    expect(DEFAULT_TERMS.length).toBeGreaterThanOrEqual(13);
    expect(DEFAULT_TERMS.map((r) => r.name)).toEqual(expect.arrayContaining([
      'Food and essentials', 'Money and debt', 'Housing', 'Health and wellbeing', 'Loneliness and befriending', 'Children, families and young people', 'Older people',
      'Learning, skills and digital inclusion', 'Employment and volunteering', 'Transport', 'Advice and advocacy', 'Community and social groups', 'Crisis and emergency support',
    ]));
    expect(codes).toEqual(expect.arrayContaining(['food.food-bank', 'food.community-meals', 'food.fuel-energy', 'health.mental-health', 'health.physical-activity', 'health.carers', 'health.disability']));
    expect(flat.every((f) => f.name.length <= 200 && f.description.length > 0)).toBe(true);
  });

  it('is installed once per LIO, and left as the admins made it afterwards', async () => {
    const lio = await t.make.lio();
    const other = await t.make.lio();
    const id = await installDefault(lio);
    const terms = await termsOf(lio);
    expect(terms).toHaveLength(flattenDefaultTerms().length);
    const foodBank = terms.find((x) => x.code === 'food.food-bank')!;
    expect(terms.find((x) => x.id === foodBank.parent_id)!.code).toBe('food');
    await t.db.withTenant(lio.id, (tx) => tx.updateTable('taxonomy_terms').set({ name: 'Food banks and larders' }).where('id', '=', foodBank.id).execute());
    await t.db.withTenant(lio.id, (tx) => tx.deleteFrom('taxonomy_terms').where('code', '=', 'safety.victims').execute());
    expect(await installDefault(lio)).toBe(id);
    const again = await termsOf(lio);
    expect(again).toHaveLength(flattenDefaultTerms().length - 1);
    expect(again.find((x) => x.code === 'food.food-bank')!.name).toBe('Food banks and larders');
    expect(await termsOf(other)).toEqual([]);
    expect(await installDefault(other)).not.toBe(id);
  });
});

describe('the taxonomy admin pages', () => {
  it('offers to install the default taxonomy when there is none, then shows it as a tree', async () => {
    const lio = await t.make.lio();
    const { client } = await admin(lio);
    const empty = await client.get('/admin/taxonomy');
    expect(empty.status).toBe(200);
    expect(empty.$('main').text()).toContain('There is no taxonomy yet');
    const installed = await client.submit('/admin/taxonomy', '/admin/taxonomy/default', {});
    expect(installed.status).toBe(303);
    const tree = await client.get(installed.location!);
    expect(tree.$('[data-testid="taxonomy-name"]').text()).toBe(DEFAULT_TAXONOMY.name);
    expect(tree.$('.govuk-notification-banner').text()).toContain('The default taxonomy is installed');
    const food = tree.$('[data-testid="term-tree"] > ul > li').filter((_, li) => tree.$(li).children('strong').text() === 'Food and essentials');
    expect(food.find('> ul > li > strong').toArray().map((s) => tree.$(s).text())).toContain('Food banks and pantries');
    expect(tree.$('[data-testid="term-tree"] > ul > li').length).toBe(DEFAULT_TERMS.length);
  });

  it('adds a term under another, checking every field', async () => {
    const lio = await t.make.lio();
    const taxonomyId = await installDefault(lio);
    const { client, user } = await admin(lio);
    const food = (await termsOf(lio)).find((x) => x.code === 'food')!;
    const form = await client.get(`/admin/taxonomy/${taxonomyId}/terms/new?parent=${food.id}`);
    expect(form.status).toBe(200);
    expect(form.$('#parentId option[selected]').val()).toBe(food.id);

    const bad = await client.submit(`/admin/taxonomy/${taxonomyId}/terms/new`, `/admin/taxonomy/${taxonomyId}/terms`, {
      code: 'FOOD.Food-Bank', name: '', description: 'd'.repeat(2001), parentId: '00000000-0000-4000-8000-000000000000', termUri: 'ftp://x',
    });
    expect(bad.status).toBe(400);
    expect(summary(bad)).toEqual([
      { href: '#code', text: `Another term in ${DEFAULT_TAXONOMY.name} already has the code FOOD.Food-Bank` },
      { href: '#name', text: 'Enter the term’s name' },
      { href: '#description', text: 'The description must be 2000 characters or fewer' },
      { href: '#termUri', text: 'Enter the term’s web address in full, starting with https://' },
      { href: '#parentId', text: 'Choose a parent term from the list' },
    ]);
    expect(bad.$('#code').val()).toBe('FOOD.Food-Bank');
    const spaces = await client.submit(`/admin/taxonomy/${taxonomyId}/terms/new`, `/admin/taxonomy/${taxonomyId}/terms`, { code: 'food bank', name: 'X' });
    expect(summary(spaces)[0]!.text).toBe('The code can only hold letters, numbers, full stops, hyphens, colons and slashes, with no spaces');

    const ok = await client.submit(`/admin/taxonomy/${taxonomyId}/terms/new`, `/admin/taxonomy/${taxonomyId}/terms`, {
      code: 'food.school-uniform', name: 'School uniform exchange', description: 'Free pre-loved uniforms.', parentId: food.id, termUri: 'https://example.org/terms/uniform',
    });
    expect(ok.status).toBe(303);
    const added = (await termsOf(lio)).find((x) => x.code === 'food.school-uniform')!;
    expect(added).toMatchObject({ name: 'School uniform exchange', parent_id: food.id, description: 'Free pre-loved uniforms.' });
    expect(ok.location).toBe(`/admin/taxonomy?taxonomy=${taxonomyId}#term-${added.id}`);
    const audit = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('audit_events').select(['action', 'actor_user_id']).where('subject_id', '=', added.id).execute());
    expect(audit).toEqual([{ action: 'taxonomy_term.created', actor_user_id: user.id }]);
  });

  it('renames a term and moves it, but never under itself or a term below it', async () => {
    const lio = await t.make.lio();
    const taxonomyId = await installDefault(lio);
    const { client } = await admin(lio);
    const terms = await termsOf(lio);
    const food = terms.find((x) => x.code === 'food')!;
    const foodBank = terms.find((x) => x.code === 'food.food-bank')!;
    const crisis = terms.find((x) => x.code === 'crisis')!;
    const form = await client.get(`/admin/taxonomy/terms/${food.id}/edit`);
    expect(form.$('#name').val()).toBe('Food and essentials');
    expect(form.$(`#parentId option[value="${foodBank.id}"]`).length).toBe(0); // not offered: it is below
    const loop = await client.submit(`/admin/taxonomy/terms/${food.id}/edit`, `/admin/taxonomy/terms/${food.id}`, { code: 'food', name: 'Food', parentId: foodBank.id });
    expect(loop.status).toBe(400);
    expect(summary(loop)).toEqual([{ href: '#parentId', text: 'Choose a parent term from the list; a term cannot sit under itself or a term below it' }]);
    const self = await client.submit(`/admin/taxonomy/terms/${food.id}/edit`, `/admin/taxonomy/terms/${food.id}`, { code: 'food', name: 'Food', parentId: food.id });
    expect(self.status).toBe(400);

    const renamed = await client.submit(`/admin/taxonomy/terms/${foodBank.id}/edit`, `/admin/taxonomy/terms/${foodBank.id}`, {
      code: 'food.food-bank', name: 'Emergency food', description: 'Food parcels', parentId: crisis.id, termUri: '',
    });
    expect(renamed.status).toBe(303);
    expect((await termsOf(lio)).find((x) => x.id === foodBank.id)).toMatchObject({ name: 'Emergency food', parent_id: crisis.id, code: 'food.food-bank' });
    const audit = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('audit_events').select(['action', 'detail']).where('subject_id', '=', foodBank.id).execute());
    expect(audit).toEqual([{ action: 'taxonomy_term.updated', detail: { renamedFrom: 'Food banks and pantries', renamedTo: 'Emergency food' } }]);
    const page = await client.get(`/admin/taxonomy?taxonomy=${taxonomyId}`);
    const crisisItem = page.$(`#term-${crisis.id}`);
    expect(crisisItem.find(`#term-${foodBank.id}`).length).toBe(1);

    expect((await client.get('/admin/taxonomy/terms/00000000-0000-4000-8000-000000000000/edit')).status).toBe(404);
    expect((await client.get('/admin/taxonomy/nope/terms/new')).status).toBe(404);
    expect((await client.get('/admin/taxonomy?taxonomy=00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });

  it('is for admins only', async () => {
    const lio = await t.make.lio();
    const taxonomyId = await installDefault(lio);
    for (const role of ['staff', 'group_member', 'volunteer'] as const) {
      const user = await t.make.user(lio, { role });
      const client = new Client(t.app, lio.host);
      await client.signIn(user.email, user.password);
      expect((await client.get('/admin/taxonomy')).status, role).toBe(403);
      expect((await client.get('/admin/taxonomy/import')).status, role).toBe(403);
      expect((await client.get(`/admin/taxonomy/${taxonomyId}/terms/new`)).status, role).toBe(403);
      const food = (await termsOf(lio)).find((x) => x.code === 'food')!;
      expect((await client.get(`/admin/taxonomy/terms/${food.id}/delete`)).status, role).toBe(403);
    }
  });

  it('deletes a term nothing uses after a confirmation, and refuses one that tags services or has terms under it', async () => {
    const lio = await t.make.lio();
    const d = directoryFactories(t.db);
    const taxonomy = await d.taxonomy(lio, 'Needs');
    const parent = await d.term(lio, taxonomy.id, { name: 'Food', code: 'food' });
    const child = await d.term(lio, taxonomy.id, { name: 'Food banks', code: 'food.bank', parentId: parent.id });
    const tagged = await d.term(lio, taxonomy.id, { name: 'Warm spaces', code: 'warm' });
    const unused = await d.term(lio, taxonomy.id, { name: 'Old term', code: 'old' });
    const pantry = await d.service(lio, { name: 'Community Pantry', termIds: [tagged.id] });
    const { client, user } = await admin(lio);

    const tree = await client.get(`/admin/taxonomy?taxonomy=${taxonomy.id}`);
    expect(tree.$(`#term-${unused.id} a[href="/admin/taxonomy/terms/${unused.id}/delete"]`).text()).toBe('Delete Old term');

    const confirm = await client.get(`/admin/taxonomy/terms/${unused.id}/delete`);
    expect(confirm.status).toBe(200);
    expect(confirm.$('h1').text()).toBe('Delete Old term');
    expect(confirm.$('main').text()).toContain('Deleting a term cannot be undone');
    const deleted = await client.submit(`/admin/taxonomy/terms/${unused.id}/delete`, `/admin/taxonomy/terms/${unused.id}/delete`, {});
    expect(deleted.status).toBe(303);
    expect(deleted.location).toBe(`/admin/taxonomy?taxonomy=${taxonomy.id}`);
    expect((await client.get(deleted.location!)).$('.govuk-notification-banner').text()).toContain('Old term deleted');
    expect((await termsOf(lio)).map((x) => x.code)).toEqual(['food', 'food.bank', 'warm']);
    const audit = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('audit_events').select(['action', 'actor_user_id', 'detail']).where('subject_id', '=', unused.id).execute());
    expect(audit).toEqual([{ action: 'taxonomy_term.deleted', actor_user_id: user.id, detail: { code: 'old', name: 'Old term', taxonomy: 'Needs' } }]);
    expect((await client.get(`/admin/taxonomy/terms/${unused.id}/delete`)).status).toBe(404);

    // A term tagging a service: the page says why and names the service; posting anyway is refused with the error summary.
    const inUse = await client.get(`/admin/taxonomy/terms/${tagged.id}/delete`);
    expect(inUse.$('[data-testid="in-use"]').text()).toContain('1 service is tagged with it: take the term off that service first');
    expect(inUse.$('[data-testid="tagged-services"] a').attr('href')).toBe(`/services/${pantry.id}/edit`);
    expect(inUse.$('form[action$="/delete"]').length).toBe(0);
    const refused = await client.submit(`/admin/taxonomy/terms/${tagged.id}/edit`, `/admin/taxonomy/terms/${tagged.id}/delete`, {});
    expect(refused.status).toBe(400);
    expect(summary(refused)).toEqual([{ href: '#in-use', text: 'Warm spaces cannot be deleted. 1 service is tagged with it: take the term off that service first.' }]);
    expect(refused.$('#in-use').length).toBe(1);

    const withChild = await client.submit(`/admin/taxonomy/terms/${parent.id}/edit`, `/admin/taxonomy/terms/${parent.id}/delete`, {});
    expect(withChild.status).toBe(400);
    expect(summary(withChild)[0]!.text).toBe('Food cannot be deleted. 1 term sits under it: move it to another parent, or delete it, first.');
    expect(withChild.$('[data-testid="child-terms"] a').attr('href')).toBe(`/admin/taxonomy/terms/${child.id}/edit`);
    expect((await termsOf(lio)).map((x) => x.code)).toEqual(['food', 'food.bank', 'warm']);

    // Once the child is gone the parent can go too.
    expect((await client.submit(`/admin/taxonomy/terms/${child.id}/delete`, `/admin/taxonomy/terms/${child.id}/delete`, {})).status).toBe(303);
    expect((await client.submit(`/admin/taxonomy/terms/${parent.id}/delete`, `/admin/taxonomy/terms/${parent.id}/delete`, {})).status).toBe(303);
    expect((await termsOf(lio)).map((x) => x.code)).toEqual(['warm']);
    const tags = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('attributes').select('link_id').where('taxonomy_term_id', '=', tagged.id).execute());
    expect(tags).toEqual([{ link_id: pantry.id }]);
  });
});

const HSDS = {
  id: '7c3b4e5a-1111-4a2b-9c3d-000000000001', name: 'Local needs', description: 'Needs we signpost for', uri: 'https://example.org/local-needs', version: '2',
  taxonomy_terms: [
    { id: 't-food', name: 'Food', description: 'Food help', term: 'food' },
    { id: 't-foodbank', name: 'Food banks', description: '', parent_id: 't-food', term_uri: 'https://example.org/local-needs/foodbank' },
    { id: 't-money', code: 'MONEY', name: 'Money', description: 'Money help' },
  ],
};

/** Posts the import form as a browser would with a file chosen (multipart/form-data). */
async function upload(client: Client, lio: Lio, filename: string, content: string) {
  const form = await client.get('/admin/taxonomy/import');
  const csrf = form.$('input[name="_csrf"]').val() as string;
  const boundary = '----cgtest' + Math.random().toString(16).slice(2);
  const parts = [
    `--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${csrf}\r\n`,
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: application/json\r\n\r\n${content}\r\n`,
    `--${boundary}\r\nContent-Disposition: form-data; name="json"\r\n\r\n\r\n`,
    `--${boundary}--\r\n`,
  ];
  const cookies = [SESSION_COOKIE, '_csrf'].filter((n) => client.cookie(n)).map((n) => `${n}=${client.cookie(n)}`).join('; ');
  const res = await t.app.inject({ method: 'POST', url: '/admin/taxonomy/import', headers: { host: lio.host, cookie: cookies, 'content-type': `multipart/form-data; boundary=${boundary}` }, payload: Buffer.from(parts.join(''), 'utf8') });
  return { status: res.statusCode, location: res.headers.location as string | undefined, $: cheerio.load(res.body) };
}

describe('importing a taxonomy', () => {
  it('imports HSDS taxonomy JSON pasted into the form, and updates rather than duplicates on re-import', async () => {
    const lio = await t.make.lio();
    const { client } = await admin(lio);
    const res = await client.submit('/admin/taxonomy/import', '/admin/taxonomy/import', { json: JSON.stringify(HSDS) });
    expect(res.status).toBe(303);
    const page = await client.get(res.location!);
    expect(page.$('.govuk-notification-banner').text()).toContain('Local needs added: 3 terms added, 0 updated');
    let terms = await termsOf(lio);
    expect(terms.map((x) => [x.code, x.name, x.external_id])).toEqual([['MONEY', 'Money', 't-money'], ['t-food', 'Food', 't-food'], ['t-foodbank', 'Food banks', 't-foodbank']]);
    expect(terms.find((x) => x.code === 't-foodbank')!.parent_id).toBe(terms.find((x) => x.code === 't-food')!.id);
    const taxonomy = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('taxonomies').selectAll().executeTakeFirstOrThrow());
    expect(taxonomy).toMatchObject({ name: 'Local needs', description: 'Needs we signpost for', uri: 'https://example.org/local-needs', version: '2', external_id: HSDS.id });

    const ids = new Map(terms.map((x) => [x.code, x.id]));
    const changed = {
      ...HSDS, name: 'Local needs (2026)', version: '3',
      taxonomy_terms: [
        { id: 't-food', name: 'Food and essentials', description: 'Food help' },
        { id: 't-foodbank', name: 'Food banks', description: 'Parcels', parent_id: 't-money' },
        { id: 'other-id', code: 'money', name: 'Money and debt', description: '' },
        { id: 't-fuel', name: 'Fuel', description: '', parent_id: 't-food' },
      ],
    };
    const again = await client.submit('/admin/taxonomy/import', '/admin/taxonomy/import', { json: JSON.stringify(changed) });
    expect(again.status).toBe(303);
    const after = await client.get(again.location!);
    expect(after.$('.govuk-notification-banner').text()).toContain('Local needs (2026) updated: 1 term added, 3 updated');
    terms = await termsOf(lio);
    expect(terms).toHaveLength(4);
    expect(await t.db.withTenant(lio.id, (tx) => tx.selectFrom('taxonomies').select('name').execute())).toEqual([{ name: 'Local needs (2026)' }]);
    expect(terms.find((x) => x.id === ids.get('t-food'))!.name).toBe('Food and essentials');
    expect(terms.find((x) => x.id === ids.get('t-foodbank'))).toMatchObject({ description: 'Parcels', parent_id: ids.get('MONEY') });
    expect(terms.find((x) => x.id === ids.get('MONEY'))).toMatchObject({ name: 'Money and debt', code: 'money' });
    expect(terms.find((x) => x.code === 't-fuel')!.parent_id).toBe(ids.get('t-food'));
  });

  it('takes an uploaded file, and a list of terms that name their taxonomy', async () => {
    const lio = await t.make.lio();
    const { client } = await admin(lio);
    const res = await upload(client, lio, 'needs.json', JSON.stringify(HSDS));
    expect(res.status).toBe(303);
    expect((await termsOf(lio))).toHaveLength(3);

    const loose = [
      { id: 'a', name: 'Advice', description: '', taxonomy: 'Advice types' },
      { id: 'b', name: 'Debt advice', description: '', taxonomy: 'Advice types', parent_id: 'a' },
    ];
    const second = await upload(client, lio, 'advice.json', JSON.stringify({ total_items: 2, contents: loose }));
    expect(second.status).toBe(303);
    expect((await termsOf(lio)).filter((x) => x.taxonomy === 'Advice types').map((x) => x.name)).toEqual(['Advice', 'Debt advice']);

    const emptyFile = await upload(client, lio, 'empty.json', '');
    expect(emptyFile.status).toBe(400);
    expect(emptyFile.$('.govuk-error-summary a').first().text()).toBe('The file empty.json is empty');
  });

  it('rejects a file with problems, listing each one by row, and imports nothing', async () => {
    const lio = await t.make.lio();
    const { client } = await admin(lio);
    await client.submit('/admin/taxonomy/import', '/admin/taxonomy/import', { json: JSON.stringify(HSDS) });
    const before = await termsOf(lio);
    const broken = {
      name: 'Local needs', description: 'changed',
      taxonomy_terms: [
        { id: 't-food', name: 'Renamed food', description: '' },
        { id: 'x1', name: '', description: '' },
        { id: 'x2', name: 'Loop one', parent_id: 'x3' },
        { id: 'x3', name: 'Loop two', parent_id: 'x2' },
        { id: 'x4', name: 'Orphan', parent_id: 'nowhere' },
        { id: 'x4', name: 'Twice', description: '' },
        { id: 'x5', name: 'Bad link', term_uri: 'not a uri' },
        'just a string',
      ],
    };
    const res = await client.submit('/admin/taxonomy/import', '/admin/taxonomy/import', { json: JSON.stringify(broken) });
    expect(res.status).toBe(400);
    const rows = res.$('[data-testid="import-problems"] tbody tr').toArray().map((tr) => res.$(tr).find('td').toArray().map((td) => res.$(td).text()));
    expect(rows).toEqual(expect.arrayContaining([
      ['Term 2 (x1)', 'name', 'is missing: every term needs a name'],
      ['Term 6 (Twice)', 'id', '“x4” appears more than once in this taxonomy'],
      ['Term 7 (Bad link)', 'term_uri', '“not a uri” is not a web address'],
      ['Term 8', 'taxonomy_term', 'must be an object'],
    ]));
    expect(rows).toHaveLength(4);
    expect(summary(res)[0]!.href).toBe('#json');
    expect(res.$('#json').text()).toBe(JSON.stringify(broken));
    expect(await termsOf(lio)).toEqual(before);

    // Problems only found against the database (parents, loops) are reported the same way.
    const { ['taxonomy_terms']: _dropped, ...rest } = broken;
    void _dropped;
    const second = await client.submit('/admin/taxonomy/import', '/admin/taxonomy/import', { json: JSON.stringify({ ...rest, taxonomy_terms: broken.taxonomy_terms.slice(0, 5).filter((x) => typeof x === 'object' && x.name) }) });
    expect(second.status).toBe(400);
    const secondRows = second.$('[data-testid="import-problems"] tbody tr').toArray().map((tr) => second.$(tr).find('td').toArray().map((td) => second.$(td).text()));
    expect(secondRows).toEqual([
      ['Term 2 (Loop one)', 'parent_id', 'the parents make a loop'],
      ['Term 3 (Loop two)', 'parent_id', 'the parents make a loop'],
      ['Term 4 (Orphan)', 'parent_id', '“nowhere” is not a term of this taxonomy'],
    ]);
    expect(await termsOf(lio)).toEqual(before);
    const taxonomy = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('taxonomies').select('description').executeTakeFirstOrThrow());
    expect(taxonomy.description).toBe('Needs we signpost for');

    const notJson = await client.submit('/admin/taxonomy/import', '/admin/taxonomy/import', { json: '{ "name": "x", ' });
    expect(notJson.status).toBe(400);
    expect(summary(notJson)[0]!.text).toMatch(/^The file is not valid JSON/);
    const nothing = await client.submit('/admin/taxonomy/import', '/admin/taxonomy/import', { json: '' });
    expect(summary(nothing)).toEqual([{ href: '#json', text: 'Paste the taxonomy JSON or choose a file to upload' }]);
    const number = await client.submit('/admin/taxonomy/import', '/admin/taxonomy/import', { json: '42' });
    expect(summary(number)[0]!.text).toBe('The file must hold a taxonomy, a list of taxonomies, or a list of taxonomy terms');
  });

  it('can be run without the web page (the CLI calls the same function)', async () => {
    const lio = await t.make.lio();
    const result = await importTaxonomyJson(t.db, lio.id, { userId: null, label: 'cli' }, { name: 'two.json', text: JSON.stringify([HSDS, { name: 'Second', description: '', taxonomy_terms: [] }]) }, new Date());
    expect(result).toEqual({ ok: true, importId: expect.any(String), taxonomies: [
      expect.objectContaining({ name: 'Local needs', action: 'added', termsAdded: 3, termsUpdated: 0 }),
      expect.objectContaining({ name: 'Second', action: 'added', termsAdded: 0, termsUpdated: 0 }),
    ] });
    const audit = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('audit_events').select(['action', 'actor_label']).execute());
    expect(audit).toEqual([{ action: 'taxonomy.imported', actor_label: 'cli' }]);
    const rejected = await importTaxonomyJson(t.db, lio.id, { userId: null, label: 'cli' }, { name: 'loose.json', text: JSON.stringify({ taxonomy_terms: [{ id: 'z', name: 'No taxonomy' }] }) }, new Date());
    expect(rejected).toEqual({ ok: false, importId: expect.any(String), problems: [{ row: 'Term 1', field: 'taxonomy', message: 'is missing: say which taxonomy the term belongs to (taxonomy_id or taxonomy)' }] });
  });

  it('runs from the command line: commonground import taxonomy FILE --lio SLUG', async () => {
    const lio = await t.make.lio();
    const dir = await mkdtemp(path.join(tmpdir(), 'cg-taxonomy-'));
    const good = path.join(dir, 'good.json');
    const bad = path.join(dir, 'bad.json');
    await writeFile(good, JSON.stringify(HSDS));
    await writeFile(bad, JSON.stringify({ name: 'Broken', taxonomy_terms: [{ id: 'a', name: 'A', parent_id: 'b' }] }));
    const lines: string[] = [];
    const out = { log: (m: string) => lines.push(m), error: (m: string) => lines.push(`! ${m}`) };
    const open = async () => ({ ...t.db, close: async () => undefined });

    expect(await runTaxonomyImport([good, '--lio', lio.slug], open, out)).toBe(0);
    expect(lines).toEqual([`Local needs added in ${lio.name}: 3 terms added, 0 updated`]);
    expect(await runTaxonomyImport([good, '--lio', lio.slug], open, out)).toBe(0);
    expect(lines.at(-1)).toBe(`Local needs updated in ${lio.name}: 0 terms added, 3 updated`);
    expect(await termsOf(lio)).toHaveLength(3);

    lines.length = 0;
    expect(await runTaxonomyImport([bad, '--lio', lio.slug], open, out)).toBe(1);
    expect(lines).toEqual([`! ${bad} was rejected; nothing was imported. 1 problem:`, '!   Term 1 (A): parent_id “b” is not a term of this taxonomy']);
    expect(await runTaxonomyImport([path.join(dir, 'missing.json'), '--lio', lio.slug], open, out)).toBe(2);
    expect(await runTaxonomyImport([good, '--lio', 'no-such-lio'], open, out)).toBe(2);
    expect(lines.at(-1)).toBe('! No LIO with slug no-such-lio');
    expect(await runTaxonomyImport([], open, out)).toBe(2);

    // a file larger than the page takes is refused before it is read
    const huge = path.join(dir, 'huge.json');
    await writeFile(huge, `{"name": "Huge", "padding": "${'x'.repeat(TAXONOMY_IMPORT_MAX_BYTES)}"}`);
    expect(await runTaxonomyImport([huge, '--lio', lio.slug], open, out)).toBe(2);
    expect(lines.at(-1)).toBe(`! ${huge} is larger than the limit of 8 MB for a taxonomy; nothing was imported`);
  });
});

/**
 * Every taxonomy import, from the page or the command line, accepted or refused, leaves its report with the directory's
 * other imports: listed on /admin/imports as “Taxonomy”, its report page saying what was added and updated, or why it
 * was refused, row by row. A refused taxonomy commits nothing of itself.
 */
describe('the record of each taxonomy import', () => {
  type Page = Awaited<ReturnType<Client['get']>>;
  const cells = (page: Page, tr: Parameters<Page['$']>[0]) => page.$(tr).find('td, th').toArray().map((td) => page.$(td).text().replace(/\s+/g, ' ').trim());
  /** The rows of /admin/imports whose source is `source`: what, source, result and by whom. */
  const listed = async (client: Client, source: string, query = '') => {
    const page = await client.get(`/admin/imports${query}`);
    return page.$('[data-testid="imports"] tbody tr').toArray().filter((tr) => cells(page, tr)[2] === source)
      .map((tr) => ({ row: cells(page, tr).slice(1), href: page.$(tr).find('a').attr('href')! }));
  };
  /** An import's report page: its heading, warning, summary, counts table and problems table. */
  const report = async (client: Client, href: string) => {
    const page = await client.get(href);
    expect(page.status).toBe(200);
    return {
      title: page.$('h1').text().trim(),
      warning: page.$('.govuk-warning-text__text').text().replace('Warning', '').trim(),
      summary: Object.fromEntries(page.$('.govuk-summary-list__row').toArray().map((r) => [page.$(r).find('dt').text().trim(), page.$(r).find('dd').text().trim()])),
      counts: page.$('main table:not([data-testid="import-issues"]) tbody tr').toArray().map((tr) => cells(page, tr)),
      problems: page.$('[data-testid="import-issues"] tbody tr').toArray().map((tr) => cells(page, tr)),
    };
  };
  const taxonomiesOf = (lio: Lio) => t.db.withTenant(lio.id, (tx) => tx.selectFrom('taxonomies').select(['name', 'description']).orderBy('name').execute());
  const recorded = (lio: Lio) => t.db.withTenant(lio.id, (tx) => tx.selectFrom('directory_imports').select(['kind', 'source', 'status', 'actor_label']).orderBy('source').execute());

  it('keeps the report of a taxonomy accepted from the page, listed on /admin/imports with what it added and updated', async () => {
    const lio = await t.make.lio();
    const { user, client } = await admin(lio);
    expect((await client.submit('/admin/taxonomy/import', '/admin/taxonomy/import', { json: JSON.stringify(HSDS) })).status).toBe(303);
    t.clock.advance(60_000);
    const again = { ...HSDS, taxonomy_terms: [...HSDS.taxonomy_terms, { id: 't-fuel', name: 'Fuel', description: '' }] };
    expect((await upload(client, lio, 'needs.json', JSON.stringify(again))).status).toBe(303);

    const [pasted] = await listed(client, 'pasted JSON');
    expect(pasted!.row).toEqual(['Taxonomy', 'pasted JSON', 'Completed', user.email]);
    const first = await report(client, pasted!.href);
    expect(first.title).toBe('Import report');
    expect(first.summary).toMatchObject({ What: 'Taxonomy', Source: 'pasted JSON', Result: 'Completed' });
    expect(first.counts).toEqual([['Taxonomies', '1', '0'], ['Taxonomy terms', '3', '0']]);
    expect(first.problems).toEqual([]);

    const [uploaded] = await listed(client, 'needs.json');
    expect(uploaded!.row).toEqual(['Taxonomy', 'needs.json', 'Completed', user.email]);
    expect((await report(client, uploaded!.href)).counts).toEqual([['Taxonomies', '0', '1'], ['Taxonomy terms', '1', '3']]);
  });

  it('keeps the report of a refused taxonomy, its problems row by row, and commits nothing of it', async () => {
    const lio = await t.make.lio();
    const { user, client } = await admin(lio);
    await client.submit('/admin/taxonomy/import', '/admin/taxonomy/import', { json: JSON.stringify(HSDS) });
    const before = await termsOf(lio);

    // Refused while reading the file: the page answers as it always has, and the refusal is listed.
    const broken = { name: 'Local needs', description: 'changed', taxonomy_terms: [{ id: 't-food', name: 'Renamed food' }, { id: 'x1', name: '' }, { id: 'x5', name: 'Bad link', term_uri: 'not a uri' }] };
    const refused = await upload(client, lio, 'broken.json', JSON.stringify(broken));
    expect(refused.status).toBe(400);
    expect(summary(refused).map((e) => e.text)).toEqual(['Term 2 (x1): name is missing: every term needs a name', 'Term 3 (Bad link): term_uri “not a uri” is not a web address']);
    const [entry] = await listed(client, 'broken.json');
    expect(entry!.row).toEqual(['Taxonomy', 'broken.json', 'Rejected', user.email]);
    expect((await listed(client, 'broken.json', '?status=rejected')).map((r) => r.row[2])).toEqual(['Rejected']);
    const page = await report(client, entry!.href);
    expect(page.title).toBe('Import rejected');
    expect(page.warning).toBe('The taxonomy was rejected: 2 problems, listed below. Nothing was imported.');
    expect(page.summary).toMatchObject({ What: 'Taxonomy', Source: 'broken.json', Result: 'Rejected: nothing was imported' });
    expect(page.problems).toEqual([
      ['Term 2 (x1)', 'name', '', 'Error: is missing: every term needs a name'],
      ['Term 3 (Bad link)', 'term_uri', '', 'Error: “not a uri” is not a web address'],
    ]);

    // Refused against what the LIO holds (found in the import's transaction, before it writes anything): the same.
    const loops = { name: 'Local needs', description: 'changed', taxonomy_terms: [{ id: 'x2', name: 'Loop one', parent_id: 'x3' }, { id: 'x3', name: 'Loop two', parent_id: 'x2' }] };
    expect((await client.submit('/admin/taxonomy/import', '/admin/taxonomy/import', { json: JSON.stringify(loops) })).status).toBe(400);
    const [loop] = await listed(client, 'pasted JSON').then((rows) => rows.filter((r) => r.row[2] === 'Rejected'));
    expect((await report(client, loop!.href)).problems).toEqual([
      ['Term 1 (Loop one)', 'parent_id', '', 'Error: the parents make a loop'],
      ['Term 2 (Loop two)', 'parent_id', '', 'Error: the parents make a loop'],
    ]);

    // Not JSON at all.
    expect((await client.submit('/admin/taxonomy/import', '/admin/taxonomy/import', { json: '{ "name": ' })).status).toBe(400);
    const problems = await Promise.all((await listed(client, 'pasted JSON')).map(async (r) => (await report(client, r.href)).problems));
    expect(problems.flat().some((p) => p[0] === 'File' && p[1] === 'json' && p[3]!.startsWith('Error: The file is not valid JSON'))).toBe(true);

    expect(await termsOf(lio)).toEqual(before);
    expect(await taxonomiesOf(lio)).toEqual([{ name: 'Local needs', description: 'Needs we signpost for' }]);
    // one report each: the accepted import, and the three refusals (none left a report of its own rolled-back work)
    expect((await recorded(lio)).map((r) => [r.source, r.status])).toEqual([
      ['broken.json', 'rejected'], ['pasted JSON', 'completed'], ['pasted JSON', 'rejected'], ['pasted JSON', 'rejected'],
    ]);
  });

  it('keeps the report of a taxonomy refused after it began writing, and rolls back what it wrote', async () => {
    const lio = await t.make.lio();
    const { client } = await admin(lio);
    await client.submit('/admin/taxonomy/import', '/admin/taxonomy/import', { json: JSON.stringify(HSDS) });
    const before = await termsOf(lio);
    // Food, matched by its id, takes the code Money already has: found only by the database, after the taxonomy's
    // description and the term were written in the import's transaction
    const clash = { ...HSDS, description: 'Changed by a refused import', taxonomy_terms: [{ id: 't-food', code: 'MONEY', name: 'Food renamed', description: 'Food help' }] };
    const refused = await client.submit('/admin/taxonomy/import', '/admin/taxonomy/import', { json: JSON.stringify(clash) });
    expect(refused.status).toBe(400);
    expect(summary(refused).map((e) => e.text)).toEqual([expect.stringContaining('Two terms would end up with the same code in one taxonomy; make each code unique')]);
    const [entry] = (await listed(client, 'pasted JSON')).filter((r) => r.row[2] === 'Rejected');
    expect((await report(client, entry!.href)).problems).toEqual([['File', 'code', '', 'Error: Two terms would end up with the same code in one taxonomy; make each code unique']]);
    expect(await termsOf(lio)).toEqual(before);
    expect(await taxonomiesOf(lio)).toEqual([{ name: 'Local needs', description: 'Needs we signpost for' }]);
  });

  it('records an empty file chosen on the page, but not a form left blank', async () => {
    const lio = await t.make.lio();
    const { client } = await admin(lio);
    expect(summary(await client.submit('/admin/taxonomy/import', '/admin/taxonomy/import', { json: '' }))).toEqual([{ href: '#json', text: 'Paste the taxonomy JSON or choose a file to upload' }]);
    expect(await recorded(lio)).toEqual([]);
    const empty = await upload(client, lio, 'empty.json', '');
    expect(summary(empty)).toEqual([{ href: '#file', text: 'The file empty.json is empty' }]);
    const [entry] = await listed(client, 'empty.json');
    expect(entry!.row.slice(0, 3)).toEqual(['Taxonomy', 'empty.json', 'Rejected']);
    expect((await report(client, entry!.href)).problems).toEqual([['File', 'json', '', 'Error: The file empty.json is empty']]);
  });

  it('records the imports made from the command line, the file too large to read among them', async () => {
    const lio = await t.make.lio();
    const { client } = await admin(lio);
    const dir = await mkdtemp(path.join(tmpdir(), 'cg-taxonomy-'));
    const write = async (name: string, text: string) => { await writeFile(path.join(dir, name), text); return path.join(dir, name); };
    const out = { log: () => undefined, error: () => undefined };
    const open = async () => ({ ...t.db, close: async () => undefined });

    expect(await runTaxonomyImport([await write('good.json', JSON.stringify(HSDS)), '--lio', lio.slug], open, out)).toBe(0);
    expect(await runTaxonomyImport([await write('bad.json', JSON.stringify({ name: 'Broken', taxonomy_terms: [{ id: 'a', name: 'A', parent_id: 'b' }] })), '--lio', lio.slug], open, out)).toBe(1);
    const huge = await write('huge.json', `{"name": "Huge", "padding": "${'x'.repeat(TAXONOMY_IMPORT_MAX_BYTES)}"}`);
    expect(await runTaxonomyImport([huge, '--lio', lio.slug], open, out)).toBe(2);

    expect(await recorded(lio)).toEqual([
      { kind: 'taxonomy', source: 'bad.json', status: 'rejected', actor_label: 'command line' },
      { kind: 'taxonomy', source: 'good.json', status: 'completed', actor_label: 'command line' },
      { kind: 'taxonomy', source: 'huge.json', status: 'rejected', actor_label: 'command line' },
    ]);
    const [bad] = await listed(client, 'bad.json');
    expect((await report(client, bad!.href)).problems).toEqual([['Term 1 (A)', 'parent_id', '', 'Error: “b” is not a term of this taxonomy']]);
    const [tooLarge] = await listed(client, 'huge.json');
    expect(tooLarge!.row).toEqual(['Taxonomy', 'huge.json', 'Rejected', 'command line']);
    expect((await report(client, tooLarge!.href)).problems).toEqual([['File', 'file', '', 'Error: The file is larger than the limit of 8 MB for a taxonomy']]);
    expect(await taxonomiesOf(lio)).toEqual([{ name: 'Local needs', description: 'Needs we signpost for' }]);
  });
});
