import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, signedInUser, type TestContext } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { directoryFactories } from '../helpers/directory-factories.js';

/**
 * Only http and https addresses become links or leave through the APIs, whatever a stored record holds: here the rows
 * are written straight to the database, as an import from before the rule (or a hand-edited row) would have left them.
 */

let t: TestContext;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t.close(); });

const HOSTILE = ['javascript:alert(1)', 'JaVaScRiPt:alert(1)', 'data:text/html,<script>alert(1)</script>', 'vbscript:msgbox(1)'];

describe('web addresses held with another scheme', () => {
  it.each(HOSTILE)('%s is shown as no link on the public and staff pages, and left out of the ORUK API', async (address) => {
    const lio = await t.make.lio();
    const d = directoryFactories(t.db);
    const organisation = await d.organisation(lio, { name: 'Riverside Pantry' });
    const service = await d.service(lio, { organisationId: organisation.id, name: 'Tuesday pantry' });
    await t.db.withTenant(lio.id, async (tx) => {
      await tx.updateTable('services').set({ url: address }).where('id', '=', service.id).execute();
      await tx.updateTable('organisations').set({ website: address }).where('id', '=', organisation.id).execute();
    });
    const links = (html: string) => [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]!.replaceAll('&amp;', '&')).filter((h) => !h.startsWith('/') && !h.startsWith('#') && !h.startsWith('http'));

    const visitor = new Client(t.app, lio.host);
    const pub = await visitor.get(`/find/services/${service.id}`);
    expect(pub.status).toBe(200);
    expect(pub.body).toContain('Tuesday pantry');
    expect(links(pub.body)).toEqual([]);
    const found = await visitor.get('/find?q=pantry');
    expect(found.body).toContain('Tuesday pantry');
    expect(links(found.body)).toEqual([]);

    const oruk = await t.app.inject({ url: `/api/oruk/services/${service.id}`, headers: { host: lio.host } });
    expect(oruk.statusCode).toBe(200);
    const json = oruk.json() as { url?: string; organization: { website?: string } };
    expect(json.url).toBeUndefined();
    expect(json.organization.website).toBeUndefined();
    const list = await t.app.inject({ url: '/api/oruk/services', headers: { host: lio.host } });
    expect(list.body).not.toContain(address.slice(0, 8));

    const { client: staff } = await signedInUser(t, lio);
    const shown = await staff.get(`/services/${service.id}`);
    expect(shown.status).toBe(200);
    expect(links(shown.body)).toEqual([]);
  });
});
