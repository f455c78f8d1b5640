import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { acceptTextUploads } from '../../src/platform/http/multipart.js';
import { refuseNulInText } from '../../src/platform/http/text-input.js';

/**
 * An upload (multipart/form-data) is read after the app's check for NUL has run, so it is checked again once read:
 * a page gets U+FFFD in its place, as a urlencoded form does, and a JSON API refuses it naming the field.
 */

function multipart(fields: Record<string, string>, files: Record<string, { name: string; text: string }> = {}) {
  const boundary = 'cgboundary';
  const parts = Object.entries(fields).map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`);
  for (const [k, f] of Object.entries(files)) parts.push(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"; filename="${f.name}"\r\nContent-Type: text/csv\r\n\r\n${f.text}\r\n`);
  return { payload: `${parts.join('')}--${boundary}--\r\n`, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

describe('NUL in an upload', () => {
  const app = Fastify();
  beforeAll(async () => {
    refuseNulInText(app);
    await app.register(async (scope) => {
      await acceptTextUploads(scope, 1024 * 1024, async () => {});
      scope.post('/upload', async (request) => ({ body: request.body }));
      scope.post('/api/v1/upload', async (request) => ({ body: request.body }));
    });
    await app.ready();
  });
  afterAll(async () => { await app.close(); });

  it('reaches a page as U+FFFD, in a field and in a file, as in a urlencoded form', async () => {
    const sent = multipart({ name: 'Riverside\u0000Trust' }, { file: { name: 'list.csv', text: 'name\nHall\u0000Club\n' } });
    const res = await app.inject({ method: 'POST', url: '/upload', ...sent });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ body: { name: 'Riverside\uFFFDTrust', file: 'name\nHall\uFFFDClub\n', fileFilename: 'list.csv' } });
  });

  it('is refused by a JSON API with 400 naming the field', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/upload', ...multipart({ title: 'ok', name: 'Riverside\u0000Trust' }) });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('The name field must not contain the NUL character');
  });
});

describe('NUL in an import upload form', () => {
  let t: TestContext;
  beforeAll(async () => { t = await createTestApp(); });
  afterAll(async () => { await t?.close(); });

  it('imports the taxonomy with the unreadable character where the NUL was, never a 500', async () => {
    const lio = await t.make.lio();
    const admin = await t.make.user(lio, { role: 'admin' });
    const client = new Client(t.app, lio.host);
    await client.signIn(admin.email, admin.password);
    const csrf = (await client.get('/admin/taxonomy/import')).$('input[name="_csrf"]').val() as string;
    const json = JSON.stringify({ name: 'Needs', description: '', taxonomy_terms: [{ id: 'w1', name: 'Warm spaces', description: '' }] }).replace('Warm spaces', 'Warm\u0000spaces');
    const page = await client.postMultipart('/admin/taxonomy/import', { _csrf: csrf, json }, { file: [{ name: '', text: '' }] });
    expect(page.status).toBe(303);
    const terms = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('taxonomy_terms').select('name').execute());
    expect(terms.map((r) => r.name)).toEqual(['Warm\uFFFDspaces']);
  });

  it('answers an unknown address under /api/ in JSON, and one elsewhere with a page', async () => {
    const lio = await t.make.lio();
    const api = await t.app.inject({ method: 'GET', url: '/api/no-such-thing', headers: { host: lio.host } });
    expect(api.statusCode).toBe(404);
    expect(api.headers['content-type']).toMatch(/^application\/json/);
    const page = await t.app.inject({ method: 'GET', url: '/no-such-thing', headers: { host: lio.host } });
    expect(page.statusCode).toBe(404);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
  });
});
