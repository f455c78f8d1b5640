import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RouteOptions } from 'fastify';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { Client, signedInClient } from '../helpers/client.js';
import { directoryFactories } from '../helpers/directory-factories.js';
import { peopleFactories } from '../helpers/people-factories.js';

/**
 * Every registered route, sent values nobody should send: no answer may be a 5xx. The routes are collected as
 * they are registered (an onRoute hook put on each Fastify instance as it is made), so a route added tomorrow is
 * fuzzed without this file changing.
 */
const registered = vi.hoisted(() => [] as Pick<RouteOptions, 'method' | 'url' | 'schema'>[]);
vi.mock('fastify', async (importOriginal) => {
  const original = await importOriginal<typeof import('fastify')>();
  const make = ((options: Parameters<typeof original.default>[0]) => {
    const app = original.default(options);
    app.addHook('onRoute', (route) => { registered.push({ method: route.method, url: route.url, schema: route.schema }); });
    return app;
  }) as typeof original.default;
  return { ...original, default: make };
});

/** A bounded set of values that break naive code: each parameter is sent each of them. */
const HOSTILE: (string | string[])[] = ['a\u0000b', '999999999999999999999', '-3.7', 'x'.repeat(10_000), ['a', 'b'], 'not-a-uuid', '31/02/2025'];
/** A form is also sent an address that is not a web address. */
const HOSTILE_FORM: (string | string[])[] = [...HOSTILE, 'javascript:alert(1)'];
/** A field a schema names is also sent alone, with the values that test its type (NUL is refused for every field alike). */
const HOSTILE_TYPED: (string | string[])[] = ['999999999999999999999', '3.7', '-1', ['a', 'b']];
/** What a path parameter is sent: it names a record, so only the shapes of a wrong name matter. */
const HOSTILE_PATH = ['\u0000', '999999999999999999999', 'not-a-uuid', '00000000-0000-0000-0000-000000000000'];
/** What an anonymous caller sends to a page or form that turns it away before reading anything. */
const HOSTILE_TURNED_AWAY: (string | string[])[] = ['a\u0000b', 'x'.repeat(10_000)];
/** JSON bodies: wrong types as well as hostile text. */
const HOSTILE_JSON: unknown[] = ['\u0000', 'x'.repeat(10_000), 1e21, -1, 3.7, null, true, ['a'], { a: 1 }];

/** Every field name the pages' forms and links use (the pages read their fields by hand, with no schema to list them). */
function pageFieldNames(): string[] {
  const names = new Set(['page']);
  const read = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) read(path);
      else if (entry.name.endsWith('.njk')) for (const m of readFileSync(path, 'utf8').matchAll(/name(?:: |=)"([A-Za-z_][\w.-]*)"/g)) names.add(m[1]!);
    }
  };
  read(fileURLToPath(new URL('../../src', import.meta.url)));
  names.delete('_csrf');
  // A GOV.UK date input's boxes are named after its prefix.
  for (const prefix of ['sessionDate', 'changedOn', 'from', 'to']) for (const part of ['day', 'month', 'year']) names.add(`${prefix}-${part}`);
  return [...names];
}
/** The fields pages read from the query string (searches, filters, paging, where to go back to). */
const QUERY_FIELDS = ['q', 'page', 'status', 'type', 'theme', 'membership', 'consent', 'sort', 'organisation', 'organisationId', 'mode', 'term', 'postcode',
  'distance', 'unit', 'age', 'category', 'locality', 'open', 'free', 'action', 'actor', 'subject', 'subjectType', 'returnTo', 'format', 'only-unused',
  'from-day', 'from-month', 'from-year', 'to-day', 'to-month', 'to-year', 'token', 'service', 'what'];

const propertiesOf = (schema: unknown): string[] => Object.keys((schema as { properties?: Record<string, unknown> } | undefined)?.properties ?? {});

describe('hostile input to every route', () => {
  let t: TestContext;
  let lio: Awaited<ReturnType<TestContext['make']['lio']>>;
  let admin: Client;
  let token: string;
  /** Real ids by the first path segment, so a form's body is reached past its record lookup. */
  const ids: Record<string, string> = {};
  const formFields = pageFieldNames();

  beforeAll(async () => {
    t = await createTestApp();
    lio = await t.make.lio();
    const directory = directoryFactories(t.db);
    const people = peopleFactories(t.db);
    const organisation = await directory.organisation(lio);
    const service = await directory.service(lio, { organisationId: organisation.id, locations: [{ postcode: 'AB1 2CD' }] });
    const person = await people.person(lio);
    const user = await t.make.user(lio, { role: 'admin' });
    Object.assign(ids, { organisations: organisation.id, services: service.id, find: service.id, people: person.id, users: user.id, oruk: service.id });
    admin = await signedInClient(t.app, lio.host, user);
    token = (await t.make.apiToken(lio, 'write')).token;
  });
  afterAll(async () => t?.close());

  /** The route's path with each parameter replaced: by a real id where one is known, else by `value`. */
  const pathOf = (url: string, value: string | null) => url.replace(/:(\w+)|\*/g, () => {
    const real = ids[url.split('/').filter(Boolean).find((s) => !s.startsWith(':') && s !== 'api' && s !== 'v1') ?? ''];
    return encodeURIComponent(value ?? real ?? 'x');
  });
  const queryOf = (names: string[], value: string | string[]) => {
    const q = new URLSearchParams();
    for (const name of names) for (const v of [value].flat()) q.append(name, v);
    return q.toString();
  };

  it('answers no request with a 5xx, anonymous or signed in as an admin', { timeout: 240_000 }, async () => {
    const failures: string[] = [];
    const routes = registered.filter((r) => !String(r.url).startsWith('/assets') && r.url !== '/metrics');
    const methods = (r: (typeof routes)[number]) => [r.method].flat().filter((m) => m === 'GET' || m === 'POST' || m === 'PUT' || m === 'PATCH' || m === 'DELETE');
    const anonymous = new Client(t.app, lio.host);
    // One token serves every form of the admin's session, as it does for a person with several tabs open.
    const csrf = (await admin.get('/organisations/new')).$('input[name="_csrf"]').first().val() as string;
    let sent = 0;
    const send = async (method: string, url: string, options: { caller: 'anonymous' | 'admin'; form?: Record<string, string | string[]>; json?: unknown }) => {
      const api = url.startsWith('/api/v1');
      let status: number;
      sent += 1;
      if (options.json !== undefined || (api && method !== 'GET')) {
        const response = await t.app.inject({
          method: method as 'POST', url, payload: JSON.stringify(options.json ?? {}),
          headers: { host: lio.host, 'content-type': 'application/json', ...(options.caller === 'admin' ? { authorization: `Bearer ${token}` } : {}) },
        });
        status = response.statusCode;
      } else if (method === 'GET') {
        status = api && options.caller === 'admin'
          ? (await t.app.inject({ method: 'GET', url, headers: { host: lio.host, authorization: `Bearer ${token}` } })).statusCode
          : (await (options.caller === 'admin' ? admin : anonymous).get(url)).status;
      } else {
        const client = options.caller === 'admin' ? admin : anonymous;
        const fields = { ...options.form, ...(options.caller === 'admin' ? { _csrf: csrf } : {}) };
        status = (await client.postRaw(url, fields)).status;
      }
      if (status >= 500) failures.push(`${status} ${method} ${url.slice(0, 160)} ${options.caller}${options.form ? ` form ${JSON.stringify(options.form).slice(0, 80)}` : ''}${options.json !== undefined ? ` json ${JSON.stringify(options.json).slice(0, 80)}` : ''}`);
      return status;
    };

    for (const route of routes) {
      const schema = (route.schema ?? {}) as { querystring?: unknown; body?: unknown };
      const oruk = route.url.startsWith('/api/oruk');
      const api = route.url.startsWith('/api/v1');
      const page = !oruk && !api;
      const hasParams = /[:*]/.test(route.url);
      for (const method of methods(route)) {
        // The open ORUK API answers everyone alike; the token API turns away a caller without a token before reading anything.
        const callers = oruk ? (['anonymous'] as const) : (['anonymous', 'admin'] as const);
        for (const caller of callers) {
          if (api && caller === 'anonymous') {
            await send(method, pathOf(route.url, null), { caller });
            continue;
          }
          // An anonymous form is refused for want of a CSRF token, a staff page sends the caller to sign in: both before reading anything.
          const turnedAway = page && caller === 'anonymous' && (method !== 'GET' || (await send(method, pathOf(route.url, null), { caller })) === 303);
          if (hasParams) for (const value of turnedAway ? HOSTILE_PATH.slice(0, 1) : HOSTILE_PATH) await send(method, pathOf(route.url, value), { caller });
          for (const value of turnedAway ? HOSTILE_TURNED_AWAY : method === 'GET' ? HOSTILE : HOSTILE_FORM) {
            if (method === 'GET') await send(method, `${pathOf(route.url, null)}?${queryOf(page ? QUERY_FIELDS : propertiesOf(schema.querystring), value)}`, { caller });
            else if (page) {
              await send(method, pathOf(route.url, null), { caller, form: Object.fromEntries(formFields.map((n) => [n, value])) });
            }
          }
          // Each field a schema names alone, so that another field's refusal does not hide it.
          if (method === 'GET') for (const name of propertiesOf(schema.querystring)) for (const value of HOSTILE_TYPED) await send(method, `${pathOf(route.url, null)}?${queryOf([name], value)}`, { caller });
          if (api && method !== 'GET') {
            for (const value of HOSTILE_JSON) await send(method, pathOf(route.url, null), { caller, json: Object.fromEntries(propertiesOf(schema.body).map((n) => [n, value])) });
            await send(method, pathOf(route.url, null), { caller, json: HOSTILE_JSON });
          }
        }
      }
    }
    expect(routes.length).toBeGreaterThan(80);
    expect(sent).toBeGreaterThan(1000);
    expect(failures).toEqual([]);
  });

  it('names the field at fault in the APIs: a NUL anywhere, an age that is not a whole number; a page reads a NUL as unreadable', async () => {
    const json = async (url: string, init: { method?: 'POST'; body?: unknown; token?: boolean } = {}) => {
      const response = await t.app.inject({
        method: init.method ?? 'GET', url, ...(init.body ? { payload: JSON.stringify(init.body) } : {}),
        headers: { host: lio.host, ...(init.body ? { 'content-type': 'application/json' } : {}), ...(init.token ? { authorization: `Bearer ${token}` } : {}) },
      });
      return { status: response.statusCode, fields: (response.json() as { fields?: { field: string }[] }).fields?.map((f) => f.field) };
    };
    expect(await json('/api/v1/organisations', { method: 'POST', body: { name: 'Food\u0000bank' }, token: true })).toEqual({ status: 400, fields: ['name'] });
    expect(await json('/api/oruk/services?text=%00')).toEqual({ status: 400, fields: ['text'] });
    expect(await json('/api/oruk/services?minimum_age=3.7')).toEqual({ status: 400, fields: ['minimum_age'] });
    expect(await json('/api/oruk/service_at_locations?maximum_age=0.5')).toEqual({ status: 400, fields: ['maximum_age'] });
    // A page answers as for any other text it finds nothing for: the NUL shown as the unreadable character it was.
    // Signed in afresh: the walk over every route above may have signed the admin out.
    const staff = await signedInClient(t.app, lio.host, await t.make.user(lio, { role: 'admin' }));
    const page = await staff.get('/organisations?q=a%00b');
    expect(page.status).toBe(200);
    expect(page.$('input[name="q"]').val()).toBe('a\uFFFDb');
  });
});
