import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { Client, errorSummary, signedInClient } from '../helpers/client.js';
import { directoryFactories, type DirectoryFactories } from '../helpers/directory-factories.js';

/**
 * One reading of a postcode (src/platform/validation/postcodes.ts) for the organisation form, the service form,
 * the public search and the Open Referral UK API: a postcode one of them takes, all take, written alike.
 */
let t: TestContext;
let d: DirectoryFactories;
beforeAll(async () => { t = await createTestApp(); d = directoryFactories(t.db); });
afterAll(async () => { await t.close(); });

const TAKEN: [typed: string, written: string][] = [['sw1a1aa', 'SW1A 1AA'], [' gir  0aa ', 'GIR 0AA'], ['w1a 0ax', 'W1A 0AX'], ['EC1A1BB', 'EC1A 1BB']];
// No Q first (the organisation form once took it); no C in the unit; the letter I for a 1; a dash for the space.
const REFUSED = ['QA1 1AA', 'LS1 1CD', 'LS1 IUR', 'LS1-1UR'];

describe('a postcode is read alike everywhere', () => {
  it('by the organisation form, the service form, the search and the API', async () => {
    const lio = await t.make.lio();
    for (const [, written] of TAKEN) await d.postcode({ postcode: written, latitude: 51.5, longitude: -0.12 });
    const staff = await signedInClient(t.app, lio.host, await t.make.user(lio));
    const org = await d.organisation(lio, { name: 'Riverside Food Bank' });
    let venues = 0;
    const takes = async (typed: string) => {
      const hall = `Hall ${++venues}`;
      const organisation = await staff.submit('/organisations/new', '/organisations', { name: `Group at ${typed}`, postcode: typed });
      const stored = organisation.status === 303
        ? (await t.db.withTenant(lio.id, (tx) => tx.selectFrom('organisations').select('postcode').where('id', '=', organisation.location!.split('/').pop()!).executeTakeFirstOrThrow())).postcode
        : null;
      const service = await staff.submit(`/services/new?organisationId=${org.id}`, '/services', {
        organisationId: org.id, name: `Service at ${typed}`, description: 'Food parcels', status: 'active', deliveryModes: ['in_person'], isFree: 'yes',
        newLocationName: hall, newLocationAddress1: '1 High Street', newLocationCity: 'Riverside', newLocationPostcode: typed,
      });
      const venue = service.status === 303
        ? (await t.db.withTenant(lio.id, (tx) => tx.selectFrom('locations').select('postal_code').where('name', '=', hall).executeTakeFirstOrThrow())).postal_code
        : null;
      const find = await new Client(t.app, lio.host).get(`/find?postcode=${encodeURIComponent(typed)}`);
      const api = await t.app.inject({ method: 'GET', url: `/api/oruk/services?postcode=${encodeURIComponent(typed)}`, headers: { host: lio.host } });
      return {
        organisation: stored ?? (errorSummary(organisation).some((e) => e.href === '#postcode') ? 'refused' : organisation.status),
        service: venue ?? (errorSummary(service).some((e) => e.href === '#newLocationPostcode') ? 'refused' : service.status),
        find: errorSummary(find).some((e) => e.href === '#postcode') ? 'refused' : 'taken',
        api: api.statusCode === 200 ? 'taken' : api.statusCode === 400 && (api.json() as { fields: { field: string }[] }).fields.some((f) => f.field === 'postcode') ? 'refused' : api.statusCode,
      };
    };
    for (const [typed, written] of TAKEN) {
      expect(await takes(typed), typed).toEqual({ organisation: written, service: written, find: 'taken', api: 'taken' });
    }
    for (const typed of REFUSED) {
      expect(await takes(typed), typed).toEqual({ organisation: 'refused', service: 'refused', find: 'refused', api: 'refused' });
    }
  });
});
