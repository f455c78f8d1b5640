import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { signedInClient, errorSummary } from '../helpers/client.js';
import { directoryFactories } from '../helpers/directory-factories.js';
import { caseworkFactories } from '../helpers/casework-factories.js';
import { londonDay } from '../../src/platform/validation/dates.js';

const day = (offset: number) => londonDay(new Date(Date.now() + offset * 86_400_000));
const boxes = (field: string, iso: string) => {
  const [y, m, d] = iso.split('-');
  return { [`${field}-day`]: String(Number(d)), [`${field}-month`]: String(Number(m)), [`${field}-year`]: y! };
};

let t: TestContext;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t?.close(); });

describe('funding applications supported on a case', () => {
  it('are recorded and then awarded, exactly in pounds, and an award must say how much and when', async () => {
    const lio = await t.make.lio();
    const org = await directoryFactories(t.db).organisation(lio, { name: 'Brook Street Pantry' });
    const adviserUser = await t.make.user(lio, { role: 'staff', permissionSets: ['adviser'] });
    const c = await caseworkFactories(t.db).supportCase(lio, { organisationId: org.id, adviserUserId: adviserUser.id });
    const adviser = await signedInClient(t.app, lio.host, adviserUser);
    const base = `/support/cases/${c.id}/applications`;

    const bad = await adviser.submit(`${base}/new`, base, { funder: '', amountRequested: '12,50', status: 'awarded', amountAwarded: 'lots', ...boxes('submitted', day(1)) });
    expect(bad.status).toBe(400);
    expect(errorSummary(bad)).toEqual([
      { text: 'Enter the funder', href: '#funder' },
      { text: 'Enter the amount asked for in pounds, like £1,250 or 1250.50', href: '#amountRequested' },
      { text: 'The date it was submitted must be today or in the past', href: '#submitted-day' },
      { text: 'Enter the date of the decision', href: '#decision-day' },
      { text: 'Enter the amount awarded in pounds, like £1,250 or 1250.50', href: '#amountAwarded' },
    ]);
    const early = await adviser.submit(`${base}/new`, base, { funder: 'F', amountRequested: '10', status: 'submitted', amountAwarded: '5', 'submitted-day': '' });
    expect(errorSummary(early)).toEqual([
      { text: 'Enter the date it was submitted', href: '#submitted-day' },
      { text: 'Leave the amount awarded empty unless the application was awarded', href: '#amountAwarded' },
    ]);

    const sent = await adviser.submit(`${base}/new`, base, { funder: 'National Lottery Community Fund', programme: 'Awards for All', amountRequested: '£9,999.99', status: 'submitted', ...boxes('submitted', day(-20)) });
    expect(sent.status).toBe(303);
    const [app] = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('funding_applications').selectAll().execute());
    expect(app).toMatchObject({ amount_requested: '9999.99', status: 'submitted', organisation_id: org.id, case_id: c.id, amount_awarded: null });

    const award = `${base}/${app!.id}`;
    const noAmount = await adviser.submit(award, award, { funder: 'National Lottery Community Fund', amountRequested: '9999.99', status: 'awarded', ...boxes('submitted', day(-20)), ...boxes('decision', day(-30)) });
    expect(errorSummary(noAmount)).toEqual([
      { text: 'The date of the decision must be the same as or after the date it was submitted', href: '#decision-day' },
      { text: 'Enter the amount awarded', href: '#amountAwarded' },
    ]);
    const awarded = await adviser.submit(award, award, { funder: 'National Lottery Community Fund', programme: 'Awards for All', amountRequested: '9999.99', status: 'awarded', amountAwarded: '£8,750.5', ...boxes('submitted', day(-20)), ...boxes('decision', day(-2)) });
    expect(awarded.status).toBe(303);
    const [after] = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('funding_applications').select(['status', 'amount_awarded']).select((eb) => eb.cast<string>('decision_on', 'text').as('decision_on')).execute());
    expect(after).toEqual({ status: 'awarded', amount_awarded: '8750.50', decision_on: day(-2) });
    const page = await adviser.get(`/support/cases/${c.id}`);
    expect(page.$('[data-testid="applications"] tbody').text()).toMatch(/National Lottery Community Fund: Awards for All[\s\S]*£9,999.99[\s\S]*Awarded[\s\S]*£8,750.50/);
    // Another case's application is not this case's.
    const other = await caseworkFactories(t.db).supportCase(lio, { organisationId: org.id });
    expect((await adviser.get(`/support/cases/${other.id}/applications/${app!.id}`)).status).toBe(404);
  });
});
