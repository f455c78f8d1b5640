import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/platform/config.js';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { signedInClient, errorSummary } from '../helpers/client.js';
import { directoryFactories } from '../helpers/directory-factories.js';
import { EXE, PDF, PNG, caseworkFactories, uploadFile } from '../helpers/casework-factories.js';

let t: TestContext;
let folder: TestContext;
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'cg-documents-'));
  t = await createTestApp({ env: { SUPPORT_DOCUMENT_MAX_MB: '1' } });
  folder = await createTestApp({ env: { SUPPORT_DOCUMENTS_DIR: dir } });
});
afterAll(async () => { await t?.close(); await folder?.close(); await rm(dir, { recursive: true, force: true }); });

async function setting(ctx: TestContext) {
  const lio = await ctx.make.lio();
  const org = await directoryFactories(ctx.db).organisation(lio, { name: 'Brook Street Pantry' });
  const adviserUser = await ctx.make.user(lio, { role: 'staff', permissionSets: ['adviser'] });
  const c = await caseworkFactories(ctx.db).supportCase(lio, { organisationId: org.id, adviserUserId: adviserUser.id });
  const adviser = await signedInClient(ctx.app, lio.host, adviserUser);
  const upload = (name: string, bytes: Buffer) => uploadFile(ctx.app, adviser, `/support/cases/${c.id}/documents/new`, `/support/cases/${c.id}/documents`, { name, bytes });
  return { lio, org, c, adviser, upload };
}
const documentsOf = (ctx: TestContext, lioId: string) => ctx.db.withTenant(lioId, (tx) => tx.selectFrom('support_case_documents').selectAll().orderBy('created_at').execute());

describe('documents on a case', () => {
  it('keeps a PDF, a spreadsheet, an image and a CSV checked by their bytes, serves each as a safe download, and deletes one', async () => {
    const s = await setting(t);
    const workbook = new ExcelJS.Workbook();
    workbook.addWorksheet('Budget').addRow(['Item', 'Cost']);
    const xlsx = Buffer.from(await workbook.xlsx.writeBuffer());
    for (const [name, bytes] of [['Draft bid.pdf', PDF], ['budget.xlsx', xlsx], ['logo.png', PNG], ['members.csv', Buffer.from('name,role\nAmina,chair\n')]] as const) {
      const sent = await s.upload(name, bytes);
      expect(sent.status, name).toBe(303);
    }
    const docs = await documentsOf(t, s.lio.id);
    expect(docs.map((d) => [d.file_name, d.media_type, d.size_bytes > 0, d.storage_key])).toEqual([
      ['Draft bid.pdf', 'application/pdf', true, null], ['budget.xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', true, null],
      ['logo.png', 'image/png', true, null], ['members.csv', 'text/csv', true, null],
    ]);
    const page = await s.adviser.get(`/support/cases/${s.c.id}`);
    expect(page.$('[data-testid="documents"]').text()).toContain('Draft bid.pdf');

    const download = await s.adviser.get(`/support/cases/${s.c.id}/documents/${docs[0]!.id}`);
    expect(download.status).toBe(200);
    expect(download.headers).toMatchObject({
      'content-type': 'application/pdf', 'content-disposition': 'attachment; filename="Draft bid.pdf"; filename*=UTF-8\'\'Draft%20bid.pdf',
      'x-content-type-options': 'nosniff', 'content-security-policy': 'sandbox', 'cache-control': 'no-store',
    });
    expect(download.body.startsWith('%PDF-1.4')).toBe(true);
    const audited = await t.db.withTenant(s.lio.id, (tx) => tx.selectFrom('audit_events').select('action').where('action', '=', 'support_case.document_downloaded').execute());
    expect(audited).toHaveLength(1);

    expect((await s.adviser.submit(`/support/cases/${s.c.id}`, `/support/cases/${s.c.id}/documents/${docs[0]!.id}/delete`, {})).status).toBe(303);
    expect((await documentsOf(t, s.lio.id)).map((d) => d.file_name)).toEqual(['budget.xlsx', 'logo.png', 'members.csv']);
    expect((await s.adviser.get(`/support/cases/${s.c.id}/documents/${docs[0]!.id}`)).status).toBe(404);
  });

  it('refuses a disguised file (a program named .pdf, a web page named .txt), an empty one, one too large and none at all, with the error summary', async () => {
    const s = await setting(t);
    const cases: [string, Buffer, string][] = [
      ['invoice.pdf', EXE, 'The file must be PDF, Word (.docx), Excel (.xlsx), OpenDocument (.odt or .ods), PNG, JPEG, or plain text or CSV'],
      ['notes.txt', Buffer.from('<!DOCTYPE html><html><script>alert(1)</script></html>'), 'The file is not what its name says it is. Upload PDF, Word (.docx), Excel (.xlsx), OpenDocument (.odt or .ods), PNG, JPEG, or plain text or CSV'],
      ['photo.jpg', PDF, 'The file is not what its name says it is. Upload PDF, Word (.docx), Excel (.xlsx), OpenDocument (.odt or .ods), PNG, JPEG, or plain text or CSV'],
      ['broken.txt', Buffer.from([0x41, 0xc3, 0x28, 0x41]), 'The file is not what its name says it is. Upload PDF, Word (.docx), Excel (.xlsx), OpenDocument (.odt or .ods), PNG, JPEG, or plain text or CSV'],
      ['empty.txt', Buffer.alloc(0), 'The selected file is empty'],
      ['large.txt', Buffer.alloc(1024 * 1024 + 10, 0x61), 'The file must be smaller than 1 MB'],
    ];
    for (const [name, bytes, message] of cases) {
      const refused = await s.upload(name, bytes);
      expect(refused.status, name).toBe(400);
      expect(errorSummary(refused), name).toEqual([{ text: message, href: '#file' }]);
    }
    const none = await s.adviser.submit(`/support/cases/${s.c.id}/documents/new`, `/support/cases/${s.c.id}/documents`, {});
    expect(errorSummary(none)).toEqual([{ text: 'Select a file to upload', href: '#file' }]);
    expect(await documentsOf(t, s.lio.id)).toHaveLength(0);
  });

  it('keeps documents in the configured folder under random names when one is set, and serves them to advisers only', async () => {
    const s = await setting(folder);
    expect((await s.upload('../../etc/passwd.pdf', PDF)).status).toBe(303);
    const [doc] = await documentsOf(folder, s.lio.id);
    expect(doc).toMatchObject({ file_name: 'passwd.pdf', content: null });
    expect(doc!.storage_key).toMatch(/^[0-9a-f-]{36}$/);
    expect(await readdir(dir)).toEqual([doc!.storage_key]);
    const download = await s.adviser.get(`/support/cases/${s.c.id}/documents/${doc!.id}`);
    expect(download.body.startsWith('%PDF')).toBe(true);
    const group = await signedInClient(folder.app, s.lio.host, await folder.make.user(s.lio, { role: 'group_member', organisationId: s.org.id }));
    expect((await group.get(`/support/cases/${s.c.id}/documents/${doc!.id}`)).status).toBe(403);
    // Nor may they upload: refused before the upload is read, so nothing of it is kept.
    const csrf = (await group.get('/')).$('input[name="_csrf"]').first().val() as string | undefined;
    expect((await group.postMultipart(`/support/cases/${s.c.id}/documents`, { _csrf: csrf ?? '' }, { file: [{ name: 'minutes.pdf', text: '%PDF-1.4 minutes' }] })).status).toBe(403);
    expect(await readdir(dir)).toEqual([doc!.storage_key]);
    expect((await s.adviser.submit(`/support/cases/${s.c.id}`, `/support/cases/${s.c.id}/documents/${doc!.id}/delete`, {})).status).toBe(303);
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('the document settings', () => {
  it('default to 10 MB in the database, take a folder and a size up to 50 MB, and refuse anything else naming the variable', () => {
    expect(loadConfig({}).supportDocuments).toEqual({ dir: null, maxBytes: 10 * 1024 * 1024 });
    expect(loadConfig({ SUPPORT_DOCUMENT_MAX_MB: '25', SUPPORT_DOCUMENTS_DIR: '/srv/cases' }).supportDocuments).toEqual({ dir: '/srv/cases', maxBytes: 25 * 1024 * 1024 });
    for (const bad of ['51', '0', '10MB', '-1']) {
      expect(() => loadConfig({ SUPPORT_DOCUMENT_MAX_MB: bad }), bad).toThrow(ConfigError);
      expect(() => loadConfig({ SUPPORT_DOCUMENT_MAX_MB: bad }), bad).toThrow(/SUPPORT_DOCUMENT_MAX_MB: must be a whole number of megabytes from 1 to 50/);
    }
  });
});
