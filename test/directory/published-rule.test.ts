import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { Client, resultNames } from '../helpers/client.js';
import { directoryFactories, type DirectoryFactories } from '../helpers/directory-factories.js';

/**
 * One rule for what is published (src/directory/public/published.ts): the same service is on /find and in the
 * Open Referral UK API, or in neither, whatever its organisation's status and consent.
 */

let t: TestContext;
let d: DirectoryFactories;
beforeAll(async () => {
  t = await createTestApp();
  d = directoryFactories(t.db);
});
afterAll(async () => { await t.close(); });

describe('what is published', () => {
  it('puts a service on /find and in the ORUK API alike for each status of its organisation', async () => {
    const lio = await t.make.lio();
    const client = new Client(t.app, lio.host);
    const cases = [
      { status: 'active', consentToPublish: true, published: true },
      { status: 'dormant', consentToPublish: true, published: false },
      { status: 'closed', consentToPublish: true, published: false },
      { status: 'active', consentToPublish: false, published: false },
      { status: 'dormant', consentToPublish: false, published: false },
    ] as const;
    const made = [];
    for (const [i, c] of cases.entries()) {
      const org = await d.organisation(lio, { name: `Rulegroup ${i}`, status: c.status, consentToPublish: c.consentToPublish });
      const service = await d.service(lio, { name: `Ruleservice ${c.status} ${c.consentToPublish ? 'consenting' : 'not consenting'}`, organisationId: org.id });
      made.push({ ...c, org, service });
    }
    const onFind = new Set(resultNames(await client.get('/find?q=ruleservice')));
    const api = async (path: string) => t.app.inject({ method: 'GET', url: `/api/oruk${path}`, headers: { host: lio.host } });
    const inApiList = new Set(((await api('/services?per_page=50')).json() as { contents: { name: string }[] }).contents.map((s) => s.name));
    const apiOrganisations = new Set(((await api('/organizations?per_page=50')).json() as { contents: { id: string }[] }).contents.map((o) => o.id));
    for (const m of made) {
      const name = m.service.name;
      const byId = (await api(`/services/${m.service.id}`)).statusCode === 200;
      const onPage = (await client.get(`/find/services/${m.service.id}`)).status === 200;
      expect({ name, find: onFind.has(name), page: onPage, apiList: inApiList.has(name), apiById: byId, apiOrganisation: apiOrganisations.has(m.org.id) })
        .toEqual({ name, find: m.published, page: m.published, apiList: m.published, apiById: m.published, apiOrganisation: m.published });
    }
  });
});

describe('delivery-mode labels', () => {
  it('are one table, read alike by the staff pages, the public search and the changes report', async () => {
    const { DELIVERY_MODES, DELIVERY_MODE_LABELS, modesText } = await import('../../src/directory/services/delivery-modes.js');
    const { DELIVERY_MODE_LABELS: publicLabels } = await import('../../src/directory/public/form.js');
    const { modeLabel } = await import('../../src/directory/delivery-history/present.js');
    expect(publicLabels).toBe(DELIVERY_MODE_LABELS);
    for (const m of DELIVERY_MODES) expect([modeLabel(m.value), modesText([m.value])]).toEqual([m.text, m.text]);
    expect(DELIVERY_MODE_LABELS.home_visit).toBe('Home visits');
  });
});
