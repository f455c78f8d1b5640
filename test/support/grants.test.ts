import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { watch } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { load } from 'cheerio';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { Client as ClientFor, signedInClient, errorSummary, mainText, type Client } from '../helpers/client.js';
import { uploadsFolder } from '../../src/support/grants/uploads.js';
import { fundingFactories } from '../helpers/funding-factories.js';
import { importGrantsFile } from '../../src/support/grants/importer.js';
import { charityNumberOf, companyNumberOf } from '../../src/support/grants/record.js';
import { Assets } from '../../src/web/assets.js';
import { createViewEnvironment } from '../../src/web/views.js';

let t: TestContext;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t?.close(); });

const grant = (id: string, o: Record<string, unknown> = {}) => ({
  id, title: `Grant ${id}`, description: 'Running costs', currency: 'GBP', amountAwarded: 2500, awardDate: '2026-03-14',
  recipientOrganization: [{ id: 'GB-CHC-1160123', name: 'Brook Street Pantry' }], fundingOrganization: [{ id: 'GB-CHC-999', name: 'Riverside Foundation' }],
  beneficiaryLocation: [{ name: 'Northgate' }], ...o,
});

async function setting() {
  const lio = await t.make.lio();
  const pantry = await t.make.organisation(lio, { name: 'Brook Street Pantry' });
  const youth = await t.make.organisation(lio, { name: 'Hillside Youth' });
  const garden = await t.make.organisation(lio, { name: 'Weavers Garden' });
  const f = fundingFactories(t.db);
  await f.profile(lio, pantry.id, { charity: '1160123', areas: ['Northgate'] });
  await f.profile(lio, youth.id, { company: '05678123' });
  const adviser = await signedInClient(t.app, lio.host, await t.make.user(lio, { role: 'staff', permissionSets: ['adviser'] }));
  return { lio, pantry, youth, garden, adviser };
}

async function upload(client: Client, name: string, text: string) {
  const form = await client.get('/support/grants/import');
  const csrf = form.$('input[name="_csrf"]').val() as string;
  const answer = await client.postMultipart('/support/grants/import', { _csrf: csrf }, { file: [{ name, text }] });
  if (answer.status === 303) await t.app.jobs.drain();
  return answer;
}
const grantsOf = (lio: { id: string }) => t.db.withTenant(lio.id, (tx) => tx.selectFrom('grants').selectAll().orderBy('identifier').execute());

describe('360Giving grants import', () => {
  it('imports a JSON package: matches recipients by charity and company number, leaves out individuals, refuses bad grants row by row, updates on import again', async () => {
    const s = await setting();
    const file = JSON.stringify({ grants: [
      grant('360G-a-1'),
      grant('360G-a-2', { amountAwarded: 10000.5, recipientOrganization: [{ id: 'GB-COH-05678123', name: 'Hillside Youth Project Ltd' }] }),
      grant('360G-a-3', { recipientOrganization: [{ id: '360G-x', name: 'Not On Register', charityNumber: '1,2' }], beneficiaryLocation: [{ name: 'Leeds' }] }),
      grant('360G-a-4', { recipientOrganization: undefined, recipientIndividual: { id: 'IND-1', name: 'A Person' } }),
      grant('360G-a-5', { amountAwarded: 'lots', awardDate: '2026-02-30' }),
    ] });
    const started = await upload(s.adviser, 'funder.json', file);
    expect(started.status).toBe(303);
    const report = await s.adviser.get(started.location!);
    expect(report.$('h1').text()).toBe('Import report');
    expect(report.$('[data-testid="import-summary"]').text()).toMatch(/Grants read\s*5[\s\S]*Grants imported\s*3[\s\S]*Grants refused\s*1/);
    const rows = report.$('[data-testid="report"] tbody tr').map((_, r) => report.$(r).find('td').map((__, c) => report.$(c).text().trim()).get().join(' | ')).get();
    expect(rows).toEqual(['5 | Amount Awarded | Amount Awarded must be a number', '5 | Award Date | Award Date must be a real date']);
    let stored = await grantsOf(s.lio);
    expect(stored.map((g) => [g.identifier, g.organisation_id, g.recipient_charity_number, g.recipient_company_number])).toEqual([
      ['360G-a-1', s.pantry.id, '1160123', null], ['360G-a-2', s.youth.id, null, '05678123'], ['360G-a-3', null, null, null],
    ]);
    expect(stored[1]!.amount_awarded).toBe('10000.50');

    const again = await upload(s.adviser, 'funder.json', JSON.stringify({ grants: [grant('360G-a-1', { amountAwarded: 3000 })] }));
    expect(again.status).toBe(303);
    stored = await grantsOf(s.lio);
    expect(stored).toHaveLength(3);
    expect(stored[0]!.amount_awarded).toBe('3000.00');
  });

  it('shows who funds the area, a funder’s local grants, an organisation’s grants, and the groups never funded', async () => {
    const s = await setting();
    await upload(s.adviser, 'funder.json', JSON.stringify({ grants: [
      grant('360G-b-1', { amountAwarded: 1234567 }), grant('360G-b-2', { amountAwarded: 500 }),
      grant('360G-b-3', { fundingOrganization: [{ id: 'GB-CHC-777', name: 'Faraway Trust' }], recipientOrganization: [{ id: '360G-far', name: 'Far Group' }], beneficiaryLocation: [{ name: 'York' }] }),
      grant('360G-b-4', { fundingOrganization: [{ id: 'GB-CHC-888', name: 'Small Trust' }], recipientOrganization: [{ id: '360G-near', name: 'Northgate Toddlers' }] }),
    ] }));
    const funders = await s.adviser.get('/support/grants');
    const table = funders.$('[data-testid="funders"] tbody tr').map((_, r) => funders.$(r).find('td').map((__, c) => funders.$(c).text().trim()).get().slice(0, 3)).get();
    expect(funders.$('[data-testid="funders"] tbody tr').length).toBe(2);
    expect(mainText(funders)).toContain('Riverside Foundation');
    expect(mainText(funders)).not.toContain('Faraway Trust');
    expect(table.slice(0, 3)).toEqual(['Riverside Foundation', '2', '£1,235,067']);
    const funder = await s.adviser.get(funders.$('[data-testid="funders"] a').first().attr('href')!);
    expect(funder.status).toBe(200);
    expect(funder.$('[data-testid="grants"] tbody tr').first().text()).toContain('Brook Street Pantry');
    const organisation = await s.adviser.get(`/support/grants/organisations/${s.pantry.id}`);
    expect(organisation.$('[data-testid="organisation-total"]').text()).toContain('2 grants');
    const never = await s.adviser.get('/support/grants/never-funded');
    expect(never.$('[data-testid="never-funded"] tbody').text()).toContain('Weavers Garden');
    expect(never.$('[data-testid="never-funded"] tbody').text()).not.toContain('Brook Street Pantry');
  });

  it('refuses a malformed file, a mislabelled one and a spreadsheet without the standard’s columns, importing nothing', async () => {
    const s = await setting();
    const cut = await upload(s.adviser, 'cut.json', JSON.stringify({ grants: [grant('360G-c-1'), grant('360G-c-2')] }).slice(0, 300));
    const refused = await s.adviser.get(cut.location!);
    expect(refused.$('h1').text()).toBe('Import refused');
    expect(refused.$('[data-testid="rejection"]').text()).toMatch(/cut short|not well-formed/);

    const mislabelled = await upload(s.adviser, 'grants.xlsx', JSON.stringify({ grants: [grant('360G-c-3')] }));
    expect(mislabelled.status).toBe(400);
    expect(errorSummary(mislabelled)[0]!.text).toContain('grants.xlsx is named as a spreadsheet (.xlsx) but holds JSON');

    const columns = await upload(s.adviser, 'grants.csv', 'Identifier,Title\n360G-c-4,Something\n');
    expect((await s.adviser.get(columns.location!)).$('[data-testid="rejection"]').text()).toContain('no column \'Description\', \'Currency\', \'Amount Awarded\'');
    const none = await upload(s.adviser, 'empty.json', '{"grants": []}');
    expect((await s.adviser.get(none.location!)).$('[data-testid="rejection"]').text()).toContain('holds no grants');
    expect((await upload(s.adviser, 'nothing.json', '')).status).toBe(400);
    // Cut short after more grants than one batch holds: the batches already written go with the rest.
    const long = JSON.stringify({ grants: Array.from({ length: 1200 }, (_, i) => grant(`360G-long-${i}`)) });
    const cutLate = await upload(s.adviser, 'cut-late.json', long.slice(0, -200));
    expect((await s.adviser.get(cutLate.location!)).$('[data-testid="rejection"]').text()).toMatch(/cut short|not well-formed/);
    expect(await grantsOf(s.lio)).toEqual([]);
  });

  it('imports the spreadsheet form, as CSV and as .xlsx, reading the standard’s column titles', async () => {
    const s = await setting();
    const header = ['Identifier', 'Title', 'Description', 'Currency', 'Amount Awarded', 'Award Date', 'Recipient Org:Identifier', 'Recipient Org:Name', 'Recipient Org:Charity Number', 'Funding Org:Identifier', 'Funding Org:Name', 'Beneficiary Location:Name', 'Some Extension'];
    const csv = [header.join(','), '360G-d-1,Lunch club,Costs,GBP,"1,500.25",2025-11-01,360G-org-9,Brook Street Pantry,1160123,GB-CHC-5,Oak Trust,Northgate,x'].join('\n');
    const started = await upload(s.adviser, 'oak.csv', csv);
    expect((await s.adviser.get(started.location!)).$('h1').text()).toBe('Import report');
    expect((await grantsOf(s.lio)).map((g) => [g.identifier, g.amount_awarded, g.organisation_id, g.beneficiary_locations])).toEqual([['360G-d-1', '1500.25', s.pantry.id, ['Northgate']]]);

    const dir = await mkdtemp(path.join(tmpdir(), 'grants-'));
    try {
      const book = new ExcelJS.Workbook();
      const sheet = book.addWorksheet('grants');
      sheet.addRow(header);
      sheet.addRow(['360G-d-2', 'Youth club', 'Costs', 'GBP', 800, new Date(Date.UTC(2025, 9, 2)), 'GB-COH-5678123', 'Hillside Youth', null, 'GB-CHC-5', 'Oak Trust', 'Hillside', null]);
      sheet.addRow(['360G-d-3', 'Bad', 'Costs', 'ZZZ', 800, new Date(Date.UTC(2025, 9, 2)), 'GB-X', 'Someone', null, 'GB-CHC-5', 'Oak Trust', null, null]);
      await book.xlsx.writeFile(path.join(dir, 'oak.xlsx'));
      const { id } = await t.db.withTenant(s.lio.id, (tx) => tx.insertInto('grant_imports').values({ lio_id: s.lio.id, file_name: 'oak.xlsx', format: 'xlsx', status: 'running', created_at: new Date() }).returning('id').executeTakeFirstOrThrow());
      const shares: (number | null)[] = [];
      const outcome = await importGrantsFile({ db: t.db, clock: t.clock }, s.lio.id, id, { file: path.join(dir, 'oak.xlsx'), format: 'xlsx' }, (p) => shares.push(p.share));
      expect(outcome).toMatchObject({ status: 'imported', rejection: null, read: 2, written: 1, refused: 1, report: [{ row: 3, field: 'Currency', message: 'Currency is not one of the standard’s codes' }] });
      expect(shares).toEqual([1]);
      const stored = (await grantsOf(s.lio)).find((g) => g.identifier === '360G-d-2')!;
      expect(stored).toMatchObject({ amount_awarded: '800.00', organisation_id: s.youth.id, recipient_company_number: '05678123' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('follows a JSON package, a CSV and an .xlsx through the file as it reads them, for the progress bar, up to the whole of it', async () => {
    const s = await setting();
    const dir = await mkdtemp(path.join(tmpdir(), 'grants-'));
    const many = Array.from({ length: 1500 }, (_, i) => grant(`360G-p-${i}`));
    const header = 'Identifier,Title,Description,Currency,Amount Awarded,Award Date,Recipient Org:Identifier,Recipient Org:Name,Funding Org:Identifier,Funding Org:Name';
    const files = {
      json: JSON.stringify({ grants: many }, null, 1),
      csv: [header, ...many.map((g) => `${g.id},${g.title},Running costs,GBP,2500,2026-03-14,GB-CHC-1160123,Brook Street Pantry,GB-CHC-999,Riverside Foundation`)].join('\n'),
    };
    const book = new ExcelJS.Workbook();
    book.addWorksheet('grants').addRows(files.csv.split('\n').map((line) => line.split(',')));
    try {
      await book.xlsx.writeFile(path.join(dir, 'many.xlsx'));
      for (const format of ['json', 'csv', 'xlsx'] as const) {
        if (format !== 'xlsx') await writeFile(path.join(dir, `many.${format}`), files[format]);
        const { id } = await t.db.withTenant(s.lio.id, (tx) => tx.insertInto('grant_imports').values({ lio_id: s.lio.id, file_name: `many.${format}`, format, status: 'running', created_at: new Date() }).returning('id').executeTakeFirstOrThrow());
        const shares: (number | null)[] = [];
        const outcome = await importGrantsFile({ db: t.db, clock: t.clock }, s.lio.id, id, { file: path.join(dir, `many.${format}`), format }, (p) => shares.push(p.share));
        expect(outcome.written, format).toBe(1500);
        expect(shares.length, format).toBeGreaterThan(2);
        expect(shares[0], format).toBeGreaterThan(0);
        expect(shares[0], format).toBeLessThan(1);
        expect(shares, format).toEqual([...shares].sort((x, y) => x! - y!));
        expect(shares.at(-1), format).toBe(1);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('shows the share of the file read as a labelled bar, or a bar that only says the import is under way when it cannot be told', () => {
    const views = createViewEnvironment(new Assets());
    const bar = (percent: number | null) => load(views.render('support/grants/views/_bar.njk', { percent }));
    const told = bar(42);
    expect(told('progress').attr('value')).toBe('42');
    expect(told('progress').attr('max')).toBe('100');
    expect(told(`#${told('progress').attr('aria-labelledby')}`).text()).toBe('File read: 42%');
    const untold = bar(null);
    expect(untold('progress').attr('value')).toBeUndefined();
    expect(untold('progress').attr('aria-label')).toBe('Import under way');
  });

  it('refuses an upload from anyone who may not import grants before a byte of it reaches the disk', async () => {
    const s = await setting();
    const folder = uploadsFolder(t.config.dataDir);
    await mkdir(folder, { recursive: true });
    const made: string[] = [];
    const watcher = watch(folder, (_event, name) => { if (name) made.push(name); });
    try {
      const member = await signedInClient(t.app, s.lio.host, await t.make.user(s.lio, { role: 'group_member', organisationId: s.pantry.id }));
      const csrf = (await member.get('/')).$('input[name="_csrf"]').first().val() as string | undefined;
      expect((await member.postMultipart('/support/grants/import', { _csrf: csrf ?? '' }, { file: [{ name: 'grants.json', text: '{"grants": []}' }] })).status).toBe(403);
      const stranger = await new ClientFor(t.app, s.lio.host).postMultipart('/support/grants/import', {}, { file: [{ name: 'grants.json', text: '{"grants": []}' }] });
      expect(stranger.status).toBe(303);
      expect(stranger.location).toMatch(/^\/sign-in/);
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      watcher.close();
    }
    expect(made).toEqual([]);
  });

  it('normalises charity and company numbers as funders write them', () => {
    expect(charityNumberOf('GB-CHC-1160123')).toBe('1160123');
    expect(charityNumberOf('GB-SC-SC012345')).toBe('SC012345');
    expect(charityNumberOf(' 1160123-1 ')).toBe('1160123-1');
    expect(charityNumberOf('GB-COH-01234567')).toBeNull();
    expect(companyNumberOf('GB-COH-1234567')).toBe('01234567');
    expect(companyNumberOf('sc123456')).toBe('SC123456');
  });
});
