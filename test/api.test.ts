import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import * as cheerio from 'cheerio';
import { createTestApp, type TestContext } from './helpers/app.js';
import { Client } from './helpers/client.js';

type Json = Record<string, unknown>;

describe('the JSON API', () => {
  let t: TestContext;
  beforeAll(async () => { t = await createTestApp(); });
  afterAll(async () => { await t.close(); });

  async function call(host: string, method: 'GET' | 'POST', url: string, options: { token?: string; body?: unknown; headers?: Record<string, string> } = {}) {
    const response = await t.app.inject({
      method, url,
      headers: { host, ...(options.token ? { authorization: `Bearer ${options.token}` } : {}), ...options.headers },
      ...(options.body !== undefined ? { payload: options.body as Json } : {}),
    });
    return { status: response.statusCode, body: response.json() as Json, headers: response.headers };
  }

  function fieldsOf(body: Json): string[] {
    return ((body.fields ?? []) as { field: string }[]).map((f) => f.field);
  }

  describe('authentication', () => {
    it('refuses a call without a token with 401 and a JSON message', async () => {
      const lio = await t.make.lio();
      const res = await call(lio.host, 'GET', '/api/v1/lio');
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer');
      expect(res.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
      expect(String(res.body.message)).toMatch(/Authorization: Bearer/);
    });

    it('refuses a malformed authorization header and an unknown token with 401', async () => {
      const lio = await t.make.lio();
      expect((await call(lio.host, 'GET', '/api/v1/lio', { headers: { authorization: 'Basic abc:def' } })).status).toBe(401);
      const unknown = await call(lio.host, 'GET', '/api/v1/lio', { token: 'cg_this-token-was-never-issued-by-anyone' });
      expect(unknown.status).toBe(401);
      expect(String(unknown.body.message)).toMatch(/not valid/);
    });

    it('refuses a revoked token with 401 saying it was revoked', async () => {
      const lio = await t.make.lio();
      const { token } = await t.make.apiToken(lio, 'write', { revoked: true });
      const res = await call(lio.host, 'GET', '/api/v1/organisations', { token });
      expect(res.status).toBe(401);
      expect(String(res.body.message)).toMatch(/revoked/i);
    });

    it('refuses a token of another LIO with 401 and shows nothing of either LIO', async () => {
      const mine = await t.make.lio();
      const theirs = await t.make.lio();
      await t.make.organisation(mine, { name: 'Mine Only Group' });
      const { token } = await t.make.apiToken(theirs, 'write');
      const res = await call(mine.host, 'GET', '/api/v1/organisations', { token });
      expect(res.status).toBe(401);
      expect(JSON.stringify(res.body)).not.toContain('Mine Only Group');
      const write = await call(mine.host, 'POST', '/api/v1/organisations', { token, body: { name: 'Smuggled in' } });
      expect(write.status).toBe(401);
      const count = await t.db.system.selectFrom('organisations').select('id').where('name', '=', 'Smuggled in').execute();
      expect(count).toHaveLength(0);
    });

    it('refuses a write with a read token with 403 and writes nothing', async () => {
      const lio = await t.make.lio();
      const { token } = await t.make.apiToken(lio, 'read');
      const res = await call(lio.host, 'POST', '/api/v1/organisations', { token, body: { name: 'Read-only attempt' } });
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ statusCode: 403, error: 'Forbidden' });
      expect(String(res.body.message)).toMatch(/write/);
      const rows = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('organisations').select('id').execute());
      expect(rows).toHaveLength(0);
    });

    it('authenticates before validating: an unauthenticated bad request is 401, not 400', async () => {
      const lio = await t.make.lio();
      const res = await call(lio.host, 'POST', '/api/v1/organisations', { body: { nonsense: true } });
      expect(res.status).toBe(401);
    });

    it('records when a token was last used', async () => {
      const lio = await t.make.lio();
      const { id, token } = await t.make.apiToken(lio, 'read');
      expect((await call(lio.host, 'GET', '/api/v1/lio', { token })).status).toBe(200);
      const row = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('api_tokens').select('last_used_at').where('id', '=', id).executeTakeFirstOrThrow());
      expect(row.last_used_at?.getTime()).toBe(t.clock.now().getTime());
    });
  });

  describe('reading', () => {
    it('GET /api/v1/lio names the token’s LIO', async () => {
      const lio = await t.make.lio({ name: 'Northfield CVS' });
      const { token } = await t.make.apiToken(lio, 'read');
      const res = await call(lio.host, 'GET', '/api/v1/lio', { token });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ id: lio.id, slug: lio.slug, name: 'Northfield CVS' });
    });

    it('GET /api/v1/organisations lists only this LIO’s organisations, by name, paged', async () => {
      const lio = await t.make.lio();
      const other = await t.make.lio();
      await t.make.organisation(lio, { name: 'Charlie Club' });
      await t.make.organisation(lio, { name: 'Alpha Aid' });
      await t.make.organisation(lio, { name: 'Bravo Befrienders' });
      await t.make.organisation(other, { name: 'Other LIO Group' });
      const { token } = await t.make.apiToken(lio, 'read');

      const all = await call(lio.host, 'GET', '/api/v1/organisations', { token });
      expect(all.status).toBe(200);
      expect(all.body).toMatchObject({ total: 3, page: 1, per_page: 50 });
      expect((all.body.items as Json[]).map((o) => o.name)).toEqual(['Alpha Aid', 'Bravo Befrienders', 'Charlie Club']);

      const second = await call(lio.host, 'GET', '/api/v1/organisations?page=2&per_page=2', { token });
      expect(second.status).toBe(200);
      expect(second.body).toMatchObject({ total: 3, page: 2, per_page: 2 });
      expect((second.body.items as Json[]).map((o) => o.name)).toEqual(['Charlie Club']);
      const item = (second.body.items as Json[])[0]!;
      expect(Object.keys(item).sort()).toEqual(['created_at', 'id', 'name', 'updated_at']);
      expect(new Date(item.created_at as string).toISOString()).toBe(item.created_at);
    });

    it('GET /api/v1/organisations/:id returns one, and 404 for an unknown id or another LIO’s', async () => {
      const lio = await t.make.lio();
      const other = await t.make.lio();
      const org = await t.make.organisation(lio, { name: 'Delta Drop-in' });
      const foreign = await t.make.organisation(other, { name: 'Elsewhere' });
      const { token } = await t.make.apiToken(lio, 'read');

      const found = await call(lio.host, 'GET', `/api/v1/organisations/${org.id}`, { token });
      expect(found.status).toBe(200);
      expect(found.body).toMatchObject({ id: org.id, name: 'Delta Drop-in' });

      const missing = await call(lio.host, 'GET', `/api/v1/organisations/${randomUUID()}`, { token });
      expect(missing.status).toBe(404);
      expect(missing.body).toMatchObject({ statusCode: 404, error: 'Not Found' });

      const leaked = await call(lio.host, 'GET', `/api/v1/organisations/${foreign.id}`, { token });
      expect(leaked.status).toBe(404);
      expect(JSON.stringify(leaked.body)).not.toContain('Elsewhere');
    });

    it('answers an unknown API path with a JSON 404', async () => {
      const lio = await t.make.lio();
      const { token } = await t.make.apiToken(lio, 'read');
      const res = await call(lio.host, 'GET', '/api/v1/no-such-thing', { token });
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ statusCode: 404 });
    });
  });

  describe('validation', () => {
    let host: string;
    let token: string;
    beforeAll(async () => {
      const lio = await t.make.lio();
      host = lio.host;
      token = (await t.make.apiToken(lio, 'write')).token;
    });

    it('names a missing name', async () => {
      const res = await call(host, 'POST', '/api/v1/organisations', { token, body: {} });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      expect(fieldsOf(res.body)).toEqual(['name']);
    });

    it('names a blank name', async () => {
      const res = await call(host, 'POST', '/api/v1/organisations', { token, body: { name: '   ' } });
      expect(res.status).toBe(400);
      expect(fieldsOf(res.body)).toEqual(['name']);
    });

    it('names a name that is too long', async () => {
      const res = await call(host, 'POST', '/api/v1/organisations', { token, body: { name: 'x'.repeat(256) } });
      expect(res.status).toBe(400);
      expect(fieldsOf(res.body)).toEqual(['name']);
      expect((res.body.fields as { message: string }[])[0]!.message).toMatch(/255/);
    });

    it('names a name of the wrong type', async () => {
      const res = await call(host, 'POST', '/api/v1/organisations', { token, body: { name: 42 } });
      expect(res.status).toBe(400);
      expect(fieldsOf(res.body)).toEqual(['name']);
    });

    it('names an unknown property', async () => {
      const res = await call(host, 'POST', '/api/v1/organisations', { token, body: { name: 'Fine', colour: 'blue' } });
      expect(res.status).toBe(400);
      expect(fieldsOf(res.body)).toEqual(['colour']);
    });

    it('names a bad uuid', async () => {
      const res = await call(host, 'GET', '/api/v1/organisations/not-a-uuid', { token });
      expect(res.status).toBe(400);
      expect(fieldsOf(res.body)).toEqual(['id']);
    });

    it('names per_page out of range, and a non-number page', async () => {
      for (const perPage of ['0', '201', '-1']) {
        const res = await call(host, 'GET', `/api/v1/organisations?per_page=${perPage}`, { token });
        expect(res.status, `per_page=${perPage}`).toBe(400);
        expect(fieldsOf(res.body)).toEqual(['per_page']);
      }
      const res = await call(host, 'GET', '/api/v1/organisations?page=abc', { token });
      expect(res.status).toBe(400);
      expect(fieldsOf(res.body)).toEqual(['page']);
    });

    it('answers malformed JSON with 400, not 500', async () => {
      const res = await t.app.inject({
        method: 'POST', url: '/api/v1/organisations', payload: '{"name": ',
        headers: { host, authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ statusCode: 400 });
    });
  });

  describe('writing', () => {
    it('creates an organisation with a write token: 201, the row is stored, and the write is audited', async () => {
      const lio = await t.make.lio();
      const { id: tokenId, token } = await t.make.apiToken(lio, 'write');
      const res = await call(lio.host, 'POST', '/api/v1/organisations', { token, body: { name: '  Foxglove Friends  ' } });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ name: 'Foxglove Friends' });
      const id = res.body.id as string;

      const row = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('organisations').selectAll().where('id', '=', id).executeTakeFirst());
      expect(row).toMatchObject({ lio_id: lio.id, name: 'Foxglove Friends' });

      const audit = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('audit_events').selectAll()
        .where('action', '=', 'organisation.created').where('subject_id', '=', id).execute());
      expect(audit).toHaveLength(1);
      expect(audit[0]!.actor_label).toBe(`api-token:${tokenId}`);
      expect(audit[0]!.lio_id).toBe(lio.id);

      const back = await call(lio.host, 'GET', `/api/v1/organisations/${id}`, { token });
      expect(back.body).toMatchObject({ id, name: 'Foxglove Friends' });
    });
  });

  describe('CSRF', () => {
    it('is not demanded of bearer API calls, even ones that carry cookies', async () => {
      const lio = await t.make.lio();
      const { token } = await t.make.apiToken(lio, 'write');
      const res = await call(lio.host, 'POST', '/api/v1/organisations', { token, body: { name: 'No CSRF needed' }, headers: { cookie: 'cg_session=whatever' } });
      expect(res.status).toBe(201);
    });

    it('is demanded of the cookie-authenticated web form: 403 without the token, 303 with it', async () => {
      const lio = await t.make.lio();
      const admin = await t.make.user(lio, { role: 'admin' });
      const client = new Client(t.app, lio.host);
      await client.signIn(admin.email, admin.password);

      const refused = await client.postRaw('/organisations', { name: 'Forged Group' });
      expect(refused.status).toBe(403);
      const forged = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('organisations').select('id').where('name', '=', 'Forged Group').execute());
      expect(forged).toHaveLength(0);

      const wrong = await client.postRaw('/organisations', { name: 'Forged Group', _csrf: 'not-the-token' });
      expect(wrong.status).toBe(403);

      const accepted = await client.submit('/organisations', '/organisations', { name: 'Genuine Group' });
      expect(accepted.status).toBe(303);
      const genuine = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('organisations').select('id').where('name', '=', 'Genuine Group').execute());
      expect(genuine).toHaveLength(1);
    });
  });

  describe('the OpenAPI document and reference page', () => {
    let doc: Json;
    let host: string;
    beforeAll(async () => {
      host = (await t.make.lio()).host;
      const res = await t.app.inject({ method: 'GET', url: '/api/openapi.json', headers: { host } });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/application\/json/);
      doc = res.json();
    });

    const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
    type Operation = { operationId?: string; summary?: string; parameters?: Json[]; requestBody?: Json; responses?: Record<string, Json>; security?: unknown[] };
    function operations(): { method: string; path: string; op: Operation }[] {
      return Object.entries(doc.paths as Record<string, Record<string, Operation>>).flatMap(([path, item]) =>
        Object.entries(item).filter(([m]) => METHODS.includes(m)).map(([method, op]) => ({ method, path, op })));
    }

    it('is OpenAPI 3.1 with info, servers, security and the API’s paths', () => {
      expect(doc.openapi).toBe('3.1.0');
      expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
      expect(Array.isArray(doc.servers)).toBe(true);
      expect(doc.security).toEqual([{ bearer: [] }]);
      const components = doc.components as { securitySchemes: Json; schemas: Record<string, Json> };
      expect(components.securitySchemes.bearer).toEqual({ type: 'http', scheme: 'bearer' });
      expect(Object.keys(components.schemas)).toEqual(expect.arrayContaining(['Error', 'Organisation']));
      expect(components.schemas.Organisation).toMatchObject({ type: 'object', required: expect.arrayContaining(['id', 'name']) });

      const listed = operations().map((o) => `${o.method.toUpperCase()} ${o.path}`);
      expect(listed).toEqual(expect.arrayContaining(['GET /api/v1/lio', 'GET /api/v1/organisations', 'GET /api/v1/organisations/{id}', 'POST /api/v1/organisations',
        'GET /api/v1/support-cases', 'GET /api/v1/support-cases/{id}']));
      expect(listed.filter((o) => o.includes('/api/v1/'))).toHaveLength(6);
      // Web pages, forms and internal routes stay out of the API's description.
      expect(Object.keys(doc.paths as Json).filter((p) => !p.startsWith('/api/'))).toEqual([]);
      expect(listed.some((o) => /healthz|readyz|metrics|openapi|reference/.test(o))).toBe(false);
    });

    it('is structurally valid: every $ref resolves, every operation has responses, ids are unique, path parameters are declared', () => {
      const refs: string[] = [];
      const walk = (node: unknown) => {
        if (Array.isArray(node)) return node.forEach(walk);
        if (node && typeof node === 'object') {
          for (const [k, v] of Object.entries(node)) {
            if (k === '$ref') refs.push(v as string);
            else walk(v);
          }
        }
      };
      walk(doc);
      expect(refs.length).toBeGreaterThan(0);
      for (const ref of refs) {
        expect(ref, ref).toMatch(/^#\//);
        const target = ref.slice(2).split('/').map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'))
          .reduce<unknown>((n, key) => (n && typeof n === 'object' ? (n as Json)[key] : undefined), doc);
        expect(target, `${ref} resolves`).toBeTypeOf('object');
      }

      const ids = new Set<string>();
      for (const { method, path, op } of operations()) {
        const where = `${method} ${path}`;
        const tokenApi = path.startsWith('/api/v1/');
        expect(path, where).toMatch(/^\//);
        if (tokenApi) {
          expect(op.summary, where).toBeTruthy();
          expect(op.operationId, where).toBeTruthy();
        }
        if (op.operationId) {
          expect(ids.has(op.operationId), `${where} operationId unique`).toBe(false);
          ids.add(op.operationId);
        }
        const responses = Object.entries(op.responses ?? {});
        expect(responses.length, where).toBeGreaterThan(0);
        for (const [code, response] of responses) {
          expect(code, where).toMatch(/^([1-5][0-9]{2}|[1-5]XX|default)$/);
          expect(response.description, `${where} ${code}`).toBeTypeOf('string');
          for (const media of Object.values((response.content ?? {}) as Record<string, Json>)) expect(media.schema, `${where} ${code}`).toBeTypeOf('object');
        }
        if (tokenApi) expect(Object.keys(op.responses!), where).toEqual(expect.arrayContaining(['401', '400']));
        for (const p of op.parameters ?? []) {
          expect(['query', 'header', 'path', 'cookie'], where).toContain(p.in);
          expect(p.name, where).toBeTypeOf('string');
          expect(p.schema, where).toBeTypeOf('object');
          if (p.in === 'path') expect(p.required, `${where} path parameter ${String(p.name)}`).toBe(true);
        }
        const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
        const declared = (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
        expect(declared.sort(), where).toEqual(templated.sort());
        if (method === 'post') expect((op.requestBody as { content?: Json })?.content?.['application/json'], where).toBeTruthy();
      }
    });

    it('describes the validation the server applies', () => {
      const paths = doc.paths as Record<string, Record<string, Operation>>;
      const body = (paths['/api/v1/organisations']!.post!.requestBody as { content: Record<string, { schema: Json }> }).content['application/json']!.schema;
      expect(body).toMatchObject({ type: 'object', required: ['name'], additionalProperties: false, properties: { name: { type: 'string', maxLength: 255 } } });
      const perPage = paths['/api/v1/organisations']!.get!.parameters!.find((p) => p.name === 'per_page');
      expect(perPage).toMatchObject({ in: 'query', schema: { minimum: 1, maximum: 200 } });
    });

    it('the reference page lists every operation in the document', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/api/reference', headers: { host } });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/text\/html/);
      const $ = cheerio.load(res.body);
      const shown = $('h3 code').map((_i, el) => $(el).text().trim()).get();
      const expected = operations().map((o) => `${o.method.toUpperCase()} ${o.path}`);
      expect(expected.length).toBeGreaterThanOrEqual(4);
      for (const op of expected) expect(shown, op).toContain(op);
      expect($('a[href="/api/openapi.json"]').length).toBeGreaterThan(0);
    });
  });
});
