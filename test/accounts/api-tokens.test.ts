import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { Client } from '../helpers/client.js';

describe('API tokens page', () => {
  let t: TestContext;
  beforeAll(async () => { t = await createTestApp(); });
  afterAll(async () => { await t.close(); });

  async function admin() {
    const lio = await t.make.lio();
    const user = await t.make.user(lio, { role: 'admin' });
    const client = new Client(t.app, lio.host);
    await client.signIn(user.email, user.password);
    return { lio, client };
  }

  it('answers "not found" to revoking a token whose identifier is not a UUID, even one of 36 hexadecimal digits', async () => {
    const { client } = await admin();
    for (const id of ['0'.repeat(36), 'f'.repeat(36), '-'.repeat(36), 'not-a-token', '00000000-0000-4000-8000-000000000001']) {
      const res = await client.submit('/admin/api-tokens', `/admin/api-tokens/${id}/revoke`, {});
      expect(res.status, id).toBe(404);
    }
  });

  it('creates a token, shows it once, and revokes it', async () => {
    const { client } = await admin();
    const created = await client.submit('/admin/api-tokens', '/admin/api-tokens', { name: 'Website', scope: 'read' });
    expect(created.status).toBe(201);
    const form = created.$('form[action$="/revoke"]').attr('action');
    expect(form).toMatch(/^\/admin\/api-tokens\/[0-9a-f-]{36}\/revoke$/);
    const revoked = await client.submit('/admin/api-tokens', form!, {});
    expect(revoked.status).toBe(303);
    expect((await client.submit('/admin/api-tokens', form!, {})).status).toBe(404);
  });
});
