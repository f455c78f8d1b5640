import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { errorSummary, startE2E, type E2E } from '../helpers/browser.js';

const OPERATOR_KEY = 'operator-key-for-browser-tests-0123456789';

let e: E2E;
beforeAll(async () => { e = await startE2E({ env: { OPERATOR_KEY } }); });
afterEach(async () => { await e.endTest(); });
afterAll(async () => { await e?.close(); });

describe('the operator adds an LIO', () => {
  it('corrects the mistakes the page names, then adds the LIO and is shown its admin\'s invitation link', async () => {
    const page = await e.newPage();
    await e.visit(page, '/operator/lios/new');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Add a Local Infrastructure Organisation');

    await page.getByLabel('Name', { exact: true }).fill('Lakeside CVS');
    await page.getByLabel('Short name').fill('Lakeside');
    await page.getByLabel('Host names').fill('lakeside.example.org\nhttps://lakeside.example.org');
    await page.getByLabel('Full name').fill('Lara Lake');
    await page.getByLabel('Email address').fill('lara@lakeside.example.org');
    await e.follow(page, () => page.getByRole('button', { name: 'Add the LIO' }).click());
    const summary = await errorSummary(page);
    expect(summary.errors.map((x) => x.href)).toEqual(['#slug', '#hostnames', '#operatorKey']);
    // What was typed stays, but for the key.
    expect(await page.getByLabel('Name', { exact: true }).inputValue()).toBe('Lakeside CVS');
    expect(await page.getByLabel('Operator key').inputValue()).toBe('');

    await page.getByLabel('Short name').fill('lakeside');
    await page.getByLabel('Host names').fill('lakeside.example.org\nwww.lakeside.example.org');
    await page.getByLabel('Operator key').fill(OPERATOR_KEY);
    await e.follow(page, () => page.getByRole('button', { name: 'Add the LIO' }).click());
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain('Lakeside CVS is added');
    expect(await page.getByTestId('invite-link').textContent()).toMatch(/^http:\/\/lakeside\.example\.org:\d+\/accept-invite\/\S+$/);
    const lio = await e.t.db.system.selectFrom('lios').select(['name', 'hostnames']).where('slug', '=', 'lakeside').executeTakeFirstOrThrow();
    expect(lio).toEqual({ name: 'Lakeside CVS', hostnames: ['lakeside.example.org', 'www.lakeside.example.org'] });
  });
});
