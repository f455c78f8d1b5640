import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { errorSummary, flash, startE2E, type E2E } from '../helpers/browser.js';
import { peopleFactories } from '../helpers/people-factories.js';

let e: E2E;
beforeAll(async () => { e = await startE2E(); });
afterEach(async () => { await e.endTest(); });
afterAll(async () => { await e?.close(); });

const errorHrefs = async (page: Parameters<typeof errorSummary>[0]) => (await errorSummary(page)).errors.map((x) => x.href);

describe('person records in the browser', () => {
  it('staff add a person (mistakes first), correct them, record a consent, and merge a duplicate; every page passes axe', async () => {
    const staff = await e.t.make.user(e.lio, { role: 'staff', permissionSets: ['helpline'], name: 'Hal Line' });
    const page = await e.newPage();
    await e.signIn(page, staff);

    // Adding: a missing name and an e-mail address that is not one come back with the error summary, nothing saved.
    await e.visit(page, '/people/new');
    await page.getByLabel('Email address (optional)', { exact: true }).fill('not-an-email');
    await e.follow(page, () => page.getByRole('button', { name: 'Save' }).click());
    expect(await errorHrefs(page)).toEqual(expect.arrayContaining(['#fullName', '#email']));
    expect(await page.getByLabel('Email address (optional)', { exact: true }).inputValue()).toBe('not-an-email');
    await page.getByLabel('Full name').fill('Rowan Ash');
    await page.getByLabel('Email address (optional)', { exact: true }).fill('rowan@ash.example');
    await e.follow(page, () => page.getByRole('button', { name: 'Save' }).click());
    expect(await flash(page)).toBe('Person added');
    const personId = new URL(page.url()).pathname.split('/')[2]!;

    // Correcting: a postcode that is not a UK postcode is refused; a real one is kept.
    await e.visit(page, `/people/${personId}/edit`);
    await page.getByLabel('Postcode (optional)', { exact: true }).fill('QA1 1AA');
    await e.follow(page, () => page.getByRole('button', { name: 'Save' }).click());
    expect(await errorHrefs(page)).toEqual(['#postcode']);
    await page.getByLabel('Postcode (optional)', { exact: true }).fill('rv1 5bd');
    await e.follow(page, () => page.getByRole('button', { name: 'Save' }).click());
    expect(await flash(page)).toBe('Details saved');

    // A consent: an empty form names each question; a complete one is recorded.
    await e.visit(page, `/people/${personId}/consents/new`);
    await page.locator('input[name="givenOn-day"]').fill('');
    await e.follow(page, () => page.getByRole('button', { name: 'Record consent' }).click());
    expect(await errorHrefs(page)).toEqual(expect.arrayContaining(['#purpose', '#method', '#wordingVersion']));
    await page.locator('input[name="purpose"]').first().check();
    await page.locator('input[name="method"]').first().check();
    await page.getByLabel('Version of the wording they agreed to').fill('2026-01');
    const today = e.t.clock.now();
    await page.locator('input[name="givenOn-day"]').fill(String(today.getUTCDate() === 1 ? 1 : today.getUTCDate() - 1));
    await page.locator('input[name="givenOn-month"]').fill(String(today.getUTCMonth() + 1));
    await page.locator('input[name="givenOn-year"]').fill(String(today.getUTCFullYear()));
    await e.follow(page, () => page.getByRole('button', { name: 'Record consent' }).click());
    expect(await flash(page)).toBe('Consent recorded');

    // A second record with the same e-mail address is suggested, compared and merged.
    const duplicate = await peopleFactories(e.t.db).person(e.lio, { fullName: 'R. Ash', emails: ['rowan@ash.example'], phones: ['07700 900 123'] });
    await e.visit(page, '/people/duplicates');
    await e.follow(page, () => page.getByRole('link', { name: /Compare and merge/ }).first().click());
    for (const group of await page.locator('fieldset input[type="radio"]').evaluateAll((inputs) => [...new Set(inputs.map((i) => (i as HTMLInputElement).name))])) {
      await page.locator(`input[name="${group}"]`).first().check();
    }
    await e.follow(page, () => page.getByRole('button', { name: 'Continue' }).click());
    await e.follow(page, () => page.getByRole('button', { name: 'Merge records' }).click());
    expect(await flash(page)).toMatch(/^Records merged/);

    const rows = await e.t.db.withTenant(e.lio.id, (tx) => tx.selectFrom('people').select(['id', 'merged_into_id', 'postcode', 'phones']).where('id', 'in', [personId, duplicate.id]).execute());
    const merged = rows.find((r) => r.merged_into_id !== null)!;
    const kept = rows.find((r) => r.merged_into_id === null)!;
    expect(merged.merged_into_id).toBe(kept.id);
    expect(kept.phones).toContain('07700 900 123');
    const consents = await e.t.db.withTenant(e.lio.id, (tx) => tx.selectFrom('consents').select(['person_id', 'wording_version']).execute());
    expect(consents).toEqual([{ person_id: kept.id, wording_version: '2026-01' }]);
  });
});
