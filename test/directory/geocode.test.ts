import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestDatabase } from '../helpers/database.js';
import { directoryFactories } from '../helpers/directory-factories.js';
import { createTestApp } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import type { Database } from '../../src/platform/db/index.js';
import { geocodePostcode } from '../../src/platform/geography/geocode.js';
import { compactPostcode as normalisePostcode, formatPostcode } from '../../src/platform/validation/postcodes.js';

/** Postcode geocoding: format, the local table, and the postcodes.io-compatible fallback (a local server, never the internet). */

let db: Database;
let dispose: () => Promise<void>;
let api: Server;
let apiUrl: string;
const asked: string[] = [];

/** A tiny postcodes.io: one live postcode, one terminated, one live without coordinates; everything else 404. */
function fakePostcodesIo(): Server {
  return createServer((request, response) => {
    asked.push(request.url ?? '');
    const send = (status: number, body: unknown) => response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    switch (request.url) {
      case '/postcodes/SW1A1AA': return send(200, { status: 200, result: { postcode: 'SW1A 1AA', latitude: 51.501009, longitude: -0.141588 } });
      case '/postcodes/GY11AA': return send(200, { status: 200, result: { postcode: 'GY1 1AA', latitude: null, longitude: null } });
      case '/terminated_postcodes/E11AA': return send(200, { status: 200, result: { postcode: 'E1 1AA', year_terminated: 1998, month_terminated: 6, latitude: 51.516, longitude: -0.0705 } });
      case '/postcodes/BR0KEN1': return send(500, 'oops');
      default: return send(404, { status: 404, error: 'Postcode not found' });
    }
  });
}

beforeAll(async () => {
  ({ db, dispose } = await createTestDatabase());
  api = fakePostcodesIo();
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => api.close(resolve));
  await dispose();
});

describe('postcode format', () => {
  it('accepts every UK postcode shape in any case and spacing, and formats it the usual way', () => {
    for (const [input, compact] of [['ls1 1ur', 'LS11UR'], ['SW1A1AA', 'SW1A1AA'], [' m1  1ae ', 'M11AE'], ['B33 8TH', 'B338TH'], ['CR2 6XH', 'CR26XH'], ['DN55 1PT', 'DN551PT'], ['W1A 0AX', 'W1A0AX'], ['EC1A 1BB', 'EC1A1BB'], ['GIR 0AA', 'GIR0AA']]) {
      expect(normalisePostcode(input!)).toBe(compact);
    }
    expect(formatPostcode('SW1A1AA')).toBe('SW1A 1AA');
    expect(formatPostcode('M11AE')).toBe('M1 1AE');
    for (const bad of ['', 'LS1', '12345', 'LS1 1U', 'LS1 1URR', 'Q1 1AA', 'LS1 IUR', 'LS1 1CD', 'not a postcode', 'LS1-1UR']) expect(normalisePostcode(bad), bad).toBeNull();
  });
});

describe('geocodePostcode', () => {
  it('finds a postcode in the local table', async () => {
    const d = directoryFactories(db);
    await d.postcode({ postcode: 'LS1 1UR', latitude: 53.7997, longitude: -1.5492 });
    await d.postcode({ postcode: 'LS2 9ZZ', latitude: 53.8, longitude: -1.55, terminatedOn: '2011-01-01' });
    await d.postcode({ postcode: 'ZE2 9ZZ', latitude: null, longitude: null });
    expect(await geocodePostcode(db, 'ls1 1ur')).toEqual({ status: 'found', latitude: 53.7997, longitude: -1.5492, postcode: 'LS1 1UR', terminated: false });
    expect(await geocodePostcode(db, 'LS29ZZ')).toEqual({ status: 'found', latitude: 53.8, longitude: -1.55, postcode: 'LS2 9ZZ', terminated: true });
    expect(await geocodePostcode(db, 'ZE2 9ZZ')).toEqual({ status: 'no_coordinates' });
    expect(await geocodePostcode(db, 'not one')).toEqual({ status: 'malformed' });
    expect(await geocodePostcode(db, 'YO1 0ZZ')).toEqual({ status: 'unknown' });
  });

  it('asks the postcodes.io-compatible service for a postcode the table does not hold, and remembers it', async () => {
    asked.length = 0;
    expect(await geocodePostcode(db, 'sw1a 1aa', { apiUrl })).toEqual({ status: 'found', latitude: 51.501009, longitude: -0.141588, postcode: 'SW1A 1AA', terminated: false });
    expect(asked).toEqual(['/postcodes/SW1A1AA']);
    const kept = await db.system.selectFrom('postcodes').selectAll().where('postcode', '=', 'SW1A1AA').executeTakeFirst();
    expect(kept).toMatchObject({ latitude: 51.501009, longitude: -0.141588, terminated_on: null });
    // next time the table answers
    expect(await geocodePostcode(db, 'SW1A 1AA', { apiUrl })).toMatchObject({ status: 'found', postcode: 'SW1A 1AA' });
    expect(asked).toHaveLength(1);
  });

  it('finds a terminated postcode through the service’s terminated postcodes', async () => {
    asked.length = 0;
    expect(await geocodePostcode(db, 'E1 1AA', { apiUrl })).toEqual({ status: 'found', latitude: 51.516, longitude: -0.0705, postcode: 'E1 1AA', terminated: true });
    expect(asked).toEqual(['/postcodes/E11AA', '/terminated_postcodes/E11AA']);
    const kept = await db.system.selectFrom('postcodes').select(sql<string>`to_char(terminated_on, 'YYYY-MM-DD')`.as('on')).where('postcode', '=', 'E11AA').executeTakeFirstOrThrow();
    expect(kept.on).toBe('1998-06-01');
  });

  it('reports unknown, no coordinates, a failing service, an unreachable one; and never asks about a malformed postcode', async () => {
    asked.length = 0;
    expect(await geocodePostcode(db, 'AB1 2DD', { apiUrl })).toEqual({ status: 'unknown' });
    expect(await geocodePostcode(db, 'GY1 1AA', { apiUrl })).toEqual({ status: 'no_coordinates' });
    expect(await geocodePostcode(db, 'BR0 KEN1', { apiUrl })).toEqual({ status: 'malformed' });
    expect(asked).toEqual(['/postcodes/AB12DD', '/terminated_postcodes/AB12DD', '/postcodes/GY11AA']);
    expect(await geocodePostcode(db, 'AB1 2DE', { apiUrl: 'http://127.0.0.1:9', timeoutMs: 1000 })).toEqual({ status: 'unknown' });
    expect(await db.system.selectFrom('postcodes').select('postcode').where('postcode', 'in', ['AB12DD', 'GY11AA']).execute()).toEqual([]);
  });
});

describe('the search page with POSTCODES_API_URL', () => {
  it('searches by a postcode only the service knows', async () => {
    const t = await createTestApp({ env: { POSTCODES_API_URL: `${apiUrl}/` } });
    try {
      expect(t.config.postcodesApiUrl).toBe(apiUrl);
      const lio = await t.make.lio();
      await directoryFactories(t.db).service(lio, { name: 'By the Palace', locations: [{ latitude: 51.5015, longitude: -0.1416 }] });
      const page = await new Client(t.app, lio.host).get('/find?postcode=SW1A+1AA&distance=1&unit=miles');
      expect(page.status).toBe(200);
      expect(page.$('.cg-result__name').text()).toContain('By the Palace');
      const unknown = await new Client(t.app, lio.host).get('/find?postcode=AB1+2DD');
      expect(unknown.status).toBe(400);
      expect(unknown.$('.govuk-error-summary').text()).toContain('We could not find the postcode AB1 2DD');
    } finally {
      await t.close();
    }
  });
});
