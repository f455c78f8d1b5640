import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, signedInUser, type TestContext } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { directoryFactories } from '../helpers/directory-factories.js';

// A surge volunteer is placed on the map from their postcode, as a full registration is, without the link waiting on a
// postcodes service: the local table at once, the service (when one is set) by a job afterwards.

let api: Server;
let apiUrl: string;
const asked: string[] = [];

beforeAll(async () => {
  api = createServer((request, response) => {
    asked.push(request.url ?? '');
    const found = request.url === '/postcodes/RV99SW';
    response.writeHead(found ? 200 : 404, { 'content-type': 'application/json' })
      .end(JSON.stringify(found ? { status: 200, result: { latitude: 53.81, longitude: -1.52 } } : { status: 404, error: 'Postcode not found' }));
  });
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
});
afterAll(async () => { await new Promise((resolve) => api.close(resolve)); });

async function signUpAndConfirm(t: TestContext, lio: { id: string; host: string }, fullName: string, email: string, postcode: string) {
  const visitor = new Client(t.app, lio.host);
  const taken = await visitor.submit('/volunteer/surge', '/volunteer/surge', { fullName, email, phone: '', postcode, skills: ['driving'], offer: '', consent: 'yes' });
  expect(taken.status).toBe(200);
  const mail = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('email_messages').select('body_text').where('to_address', '=', email).executeTakeFirstOrThrow());
  expect((await visitor.get(/\/volunteer\/surge\/confirm\/[A-Za-z0-9_-]+/.exec(mail.body_text)![0])).status).toBe(200);
}

async function lioInSurge(t: TestContext) {
  const lio = await t.make.lio();
  const { client: admin } = await signedInUser(t, lio, { role: 'admin' });
  expect((await admin.submit('/volunteering/surge', '/volunteering/surge', { on: 'yes', message: 'Flooding in Riverside' })).status).toBe(303);
  return lio;
}

const placeOf = (t: TestContext, lioId: string, fullName: string) => t.db.withTenant(lioId, (tx) => tx.selectFrom('volunteers as v')
  .innerJoin('people as p', 'p.id', 'v.person_id').select(['v.latitude', 'v.longitude', 'v.registered_via']).where('p.full_name', '=', fullName).executeTakeFirstOrThrow());

describe('where a surge volunteer is', () => {
  it('places a volunteer whose postcode the postcodes table holds; one with a postcode it does not is still taken, with no place', async () => {
    const t = await createTestApp();
    try {
      await directoryFactories(t.db).postcode({ postcode: 'RV9 9AB', latitude: 53.8, longitude: -1.55 });
      const lio = await lioInSurge(t);
      await signUpAndConfirm(t, lio, 'Known Postcode', 'known.postcode@example.net', 'rv9 9ab');
      await signUpAndConfirm(t, lio, 'Unknown Postcode', 'unknown.postcode@example.net', 'RV9 9UN');
      expect(await placeOf(t, lio.id, 'Known Postcode')).toEqual({ latitude: 53.8, longitude: -1.55, registered_via: 'surge' });
      expect(await placeOf(t, lio.id, 'Unknown Postcode')).toEqual({ latitude: null, longitude: null, registered_via: 'surge' });
      // No postcodes service is set: nothing is left to ask.
      expect(await t.db.system.selectFrom('jobs').select('id').where('kind', '=', 'volunteering.surge_place').execute()).toEqual([]);
    } finally {
      await t.close();
    }
  });

  it('with a postcodes service, asks it about a postcode the table does not hold after the link is followed, not while', async () => {
    const t = await createTestApp({ env: { POSTCODES_API_URL: apiUrl } });
    try {
      const lio = await lioInSurge(t);
      asked.length = 0;
      await signUpAndConfirm(t, lio, 'Service Postcode', 'service.postcode@example.net', 'RV9 9SW');
      await signUpAndConfirm(t, lio, 'Nowhere Postcode', 'nowhere.postcode@example.net', 'RV9 9NW');
      expect(asked).toEqual([]);
      expect(await placeOf(t, lio.id, 'Service Postcode')).toMatchObject({ latitude: null });

      await t.app.jobs.drain();
      expect(asked).toContain('/postcodes/RV99SW');
      expect(await placeOf(t, lio.id, 'Service Postcode')).toEqual({ latitude: 53.81, longitude: -1.52, registered_via: 'surge' });
      expect(await placeOf(t, lio.id, 'Nowhere Postcode')).toEqual({ latitude: null, longitude: null, registered_via: 'surge' });

      // The service's answer is kept: the next volunteer from that postcode is placed as their link is followed.
      asked.length = 0;
      await signUpAndConfirm(t, lio, 'Neighbour Postcode', 'neighbour.postcode@example.net', 'RV9 9SW');
      expect(await placeOf(t, lio.id, 'Neighbour Postcode')).toEqual({ latitude: 53.81, longitude: -1.52, registered_via: 'surge' });
      expect(asked).toEqual([]);
    } finally {
      await t.close();
    }
  });
});
