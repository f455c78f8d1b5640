import { Readable } from 'node:stream';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestContext } from './helpers/app.js';
import { Client } from './helpers/client.js';
import { acceptTextUploads } from '../src/platform/http/multipart.js';

/**
 * Upload forms (taxonomy import, feed and spreadsheet imports) post multipart/form-data through @fastify/multipart.
 * Only those routes take it; the CSRF token travels as a form field inside the upload and is still required; a body
 * that is not well-formed is a 400 and one over the limit a 413, never a 500.
 */

let t: TestContext;
type Lio = Awaited<ReturnType<TestContext['make']['lio']>>;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t?.close(); });

async function admin(lio: Lio) {
  const user = await t.make.user(lio, { role: 'admin' });
  const client = new Client(t.app, lio.host);
  await client.signIn(user.email, user.password);
  return client;
}

const TAXONOMY = JSON.stringify({ name: 'Uploaded needs', description: '', taxonomy_terms: [{ id: 'u1', name: 'Warm spaces', description: '' }] });
const taxonomyNames = (lio: Lio) => t.db.withTenant(lio.id, (tx) => tx.selectFrom('taxonomies').select('name').execute()).then((rows) => rows.map((r) => r.name));
const cookieHeader = (client: Client) => ['cg_session', '_csrf'].filter((n) => client.cookie(n)).map((n) => `${n}=${client.cookie(n)}`).join('; ');

describe('multipart uploads', () => {
  it('reads the fields, the file and its name, and checks the CSRF token carried inside the upload', async () => {
    const lio = await t.make.lio();
    const client = await admin(lio);
    const form = await client.get('/admin/taxonomy/import');
    const csrf = form.$('input[name="_csrf"]').val() as string;

    const refused = await client.postMultipart('/admin/taxonomy/import', { json: '' }, { file: [{ name: 'needs.json', text: TAXONOMY }] });
    expect(refused.status).toBe(403);
    expect(refused.$('h1').text()).toContain('Your form could not be accepted');
    const forged = await client.postMultipart('/admin/taxonomy/import', { _csrf: 'not-the-token', json: '' }, { file: [{ name: 'needs.json', text: TAXONOMY }] });
    expect(forged.status).toBe(403);
    expect(await taxonomyNames(lio)).toEqual([]);

    const accepted = await client.postMultipart('/admin/taxonomy/import', { _csrf: csrf, json: '' }, { file: [{ name: 'needs.json', text: TAXONOMY }] });
    expect(accepted.status).toBe(303);
    expect(await taxonomyNames(lio)).toEqual(['Uploaded needs']);

    // The file's name reaches the page: an empty upload is named in the error summary.
    const empty = await client.postMultipart('/admin/taxonomy/import', { _csrf: csrf, json: '' }, { file: [{ name: 'blank.json', text: '' }] });
    expect(empty.status).toBe(400);
    expect(empty.$('.govuk-error-summary a').first().text()).toBe('The file blank.json is empty');
  });

  it('answers a body that is not well-formed multipart with 400, and other routes refuse multipart altogether', async () => {
    const lio = await t.make.lio();
    const client = await admin(lio);
    const form = await client.get('/admin/imports');
    const csrf = form.$('input[name="_csrf"]').first().val() as string;
    const bodies: [string, string][] = [
      ['multipart/form-data', `--x\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${csrf}\r\n--x--\r\n`],
      ['multipart/form-data; boundary=x', `--x\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${csrf}\r\n--x\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\nname,postcode\r\nunterminated`],
    ];
    for (const [type, payload] of bodies) {
      const res = await t.app.inject({ method: 'POST', url: '/admin/imports/csv', headers: { host: lio.host, cookie: cookieHeader(client), 'content-type': type }, payload });
      expect(res.statusCode, payload).toBe(400);
      expect(res.body).toContain('The upload could not be read');
    }
    const elsewhere = await t.app.inject({
      method: 'POST', url: '/admin/taxonomy/default', headers: { host: lio.host, cookie: cookieHeader(client), 'content-type': 'multipart/form-data; boundary=x' },
      payload: `--x\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${csrf}\r\n--x--\r\n`,
    });
    expect(elsewhere.statusCode).toBe(415);
    expect(await taxonomyNames(lio)).toEqual([]);
  });

  it('refuses an upload over the limit with 413, counting every part even when the size is not declared', async () => {
    const lio = await t.make.lio();
    const client = await admin(lio);
    const form = await client.get('/admin/taxonomy/import');
    const csrf = form.$('input[name="_csrf"]').val() as string;
    const big = await client.postMultipart('/admin/taxonomy/import', { _csrf: csrf, json: '' }, { file: [{ name: 'huge.json', text: ' '.repeat(8 * 1024 * 1024 + 1) }] });
    expect(big.status).toBe(413);
    expect(big.$('main').text()).toContain('The upload is larger than 8 MB');

    // Several parts each under the limit, sent without a Content-Length: the running total still stops them.
    const app = Fastify();
    await app.register(async (scope) => {
      await acceptTextUploads(scope, 100, async () => {});
      scope.post('/upload', async (request) => request.body);
    });
    const part = (name: string, text: string) => `--b\r\nContent-Disposition: form-data; name="${name}"; filename="${name}.txt"\r\n\r\n${text}\r\n`;
    const send = (body: string) => app.inject({ method: 'POST', url: '/upload', headers: { 'content-type': 'multipart/form-data; boundary=b' }, payload: Readable.from([Buffer.from(body)]) });
    const small = await send(`${part('a', 'x'.repeat(30))}--b--\r\n`);
    expect(small.statusCode).toBe(200);
    expect(small.json()).toEqual({ a: 'x'.repeat(30), aFilename: 'a.txt' });
    const tooMuch = await send(`${part('a', 'x'.repeat(60))}${part('b', 'y'.repeat(60))}--b--\r\n`);
    expect(tooMuch.statusCode).toBe(413);
    await app.close();
  });
});
