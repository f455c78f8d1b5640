import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { signedInClient, errorSummary } from '../helpers/client.js';
import { directoryFactories } from '../helpers/directory-factories.js';
import { caseworkFactories } from '../helpers/casework-factories.js';
import { HEALTH_QUESTIONS } from '../../src/support/health-checks/form.js';

let t: TestContext;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t?.close(); });

const today = new Date();
const dateBoxes = { 'assessed-day': String(today.getUTCDate()), 'assessed-month': String(today.getUTCMonth() + 1), 'assessed-year': String(today.getUTCFullYear()) };
const levels = (values: number[]) => Object.fromEntries(HEALTH_QUESTIONS.map((q, i) => [q.code, String(values[i])]));

describe('the group health check', () => {
  it('taken before and after support shows each question’s change on the case and the organisation; a part-answered check is refused', async () => {
    const lio = await t.make.lio();
    const org = await directoryFactories(t.db).organisation(lio, { name: 'Brook Street Pantry' });
    const adviserUser = await t.make.user(lio, { role: 'staff', permissionSets: ['adviser'] });
    const c = await caseworkFactories(t.db).supportCase(lio, { organisationId: org.id, adviserUserId: adviserUser.id });
    const adviser = await signedInClient(t.app, lio.host, adviserUser);
    const form = `/support/cases/${c.id}/health-checks/new`;
    const action = `/support/cases/${c.id}/health-checks`;

    const partial = await adviser.submit(form, action, { ...dateBoxes, governance: '2', finance: '7' });
    expect(partial.status).toBe(400);
    expect(errorSummary(partial)[0]).toEqual({ text: 'Choose whether this is before or after support', href: '#stage' });
    expect(errorSummary(partial)).toContainEqual({ text: 'Choose a level for finance', href: '#finance' });
    expect(errorSummary(partial)).toHaveLength(1 + HEALTH_QUESTIONS.length - 1);

    expect((await adviser.submit(form, action, { stage: 'before', ...dateBoxes, ...levels([1, 2, 1, 0, 2, 1, 1, 0, 1]) })).status).toBe(303);
    expect((await adviser.submit(form, action, { stage: 'after', ...dateBoxes, ...levels([3, 2, 2, 3, 2, 2, 2, 1, 2]) })).status).toBe(303);
    const page = await adviser.get(`/support/cases/${c.id}`);
    const table = page.$('[data-testid="health-check"]');
    expect(table.find('caption').text()).toContain('before support 9 of 36, after support 19 of 36 (change +10)');
    expect(table.find('tbody tr').first().text()).toMatch(/Governance\s*1 – A document, but the committee rarely meets\s*3 – Regular meetings, clear roles and minutes\s*\+2/);
    expect(table.find('tbody tr').eq(1).text()).toMatch(/Finance[\s\S]*0$/);

    const orgPage = await adviser.get(`/support/organisations/${org.id}/health-checks`);
    expect(orgPage.$('[data-testid="health-check"] caption').text()).toContain('(change +10)');
    expect(orgPage.$('[data-testid="checks"] tbody tr')).toHaveLength(2);
  });
});
