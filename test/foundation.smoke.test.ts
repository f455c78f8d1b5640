import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestContext } from './helpers/app.js';
import { Client } from './helpers/client.js';

describe('signing in', () => {
  let t: TestContext;
  beforeAll(async () => { t = await createTestApp(); });
  afterAll(async () => { await t.close(); });

  it('signs in a staff member and shows their name and role', async () => {
    const lio = await t.make.lio();
    const user = await t.make.user(lio, { role: 'staff', name: 'Sam Staff' });
    const client = new Client(t.app, lio.host);
    await client.signIn(user.email, user.password);
    const home = await client.get('/');
    expect(home.status).toBe(200);
    expect(home.$('[data-testid="signed-in-user"]').text()).toBe('Sam Staff');
    expect(home.$('[data-testid="role"]').text()).toBe('LIO staff');
  });
});
