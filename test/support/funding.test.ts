import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { signedInClient, errorSummary, mainText } from '../helpers/client.js';
import { fundingFactories, type FundingFactories } from '../helpers/funding-factories.js';
import { sendDigests } from '../../src/support/funding/jobs.js';

const DAY = 86_400_000;
let t: TestContext;
let f: FundingFactories;
beforeAll(async () => { t = await createTestApp(); f = fundingFactories(t.db); });
afterAll(async () => { await t?.close(); });

/** A LIO with a food bank on the register, its group member, and an adviser. */
async function setting() {
  const lio = await t.make.lio();
  const org = await t.make.organisation(lio, { name: 'Brook Street Pantry' });
  await f.profile(lio, org.id, { themes: ['food', 'older'], areas: ['Northgate'], type: 'registered_charity', income: '10k_100k' });
  const member = await t.make.user(lio, { role: 'group_member', organisationId: org.id, email: `pantry-${lio.id.slice(0, 8)}@group.example` });
  return {
    lio, org, member,
    group: await signedInClient(t.app, lio.host, member),
    adviser: await signedInClient(t.app, lio.host, await t.make.user(lio, { role: 'staff', permissionSets: ['adviser'] })),
  };
}
const inDays = (n: number) => { const d = new Date(Date.now() + n * DAY); return { 'deadline-day': String(d.getUTCDate()), 'deadline-month': String(d.getUTCMonth() + 1), 'deadline-year': String(d.getUTCFullYear()) }; };
const mailTo = (lio: { id: string }, to: string) => t.db.withTenant(lio.id, (tx) => tx.selectFrom('email_messages').select(['subject', 'body_text']).where('to_address', '=', to).execute());

describe('funding opportunities', () => {
  it('an adviser adds an opportunity; the group sees it ranked first with why, and one it cannot apply for apart, with why not', async () => {
    const s = await setting();
    const added = await s.adviser.submit('/support/funding/new', '/support/funding', {
      funderName: 'Northgate Fund', programme: 'Food in Winter', summary: 'Food and warmth', amountMin: '£1,000', amountMax: '7500.50', rolling: 'no', ...inDays(10),
      themes: ['food', 'older'], areas: 'Northgate\nEastfield', url: 'https://fund.example/winter', organisationTypes: ['registered_charity', 'cio'],
    });
    expect(added.status).toBe(303);
    const [row] = await t.db.withTenant(s.lio.id, (tx) => tx.selectFrom('funding_opportunities').selectAll().execute());
    expect(row).toMatchObject({ amount_min: '1000.00', amount_max: '7500.50', themes: ['food', 'older'], areas: ['Northgate', 'Eastfield'], status: 'published' });
    const shown = await s.adviser.get(added.location!);
    expect(shown.$('[data-testid="opportunity"]').text()).toContain('£1,000 to £7,500.50');

    await f.opportunity(s.lio, { programme: 'Any Group Fund', inDays: null });
    await f.opportunity(s.lio, { programme: 'Hillside Only', areas: ['Hillside'], themes: ['food'] });
    await f.opportunity(s.lio, { programme: 'Withdrawn Fund', status: 'withdrawn', themes: ['food'] });

    const page = await s.group.get('/our-support/funding');
    expect(page.status).toBe(200);
    const cards = page.$('[data-testid="eligible"] [data-testid="fitting-opportunity"]');
    expect(cards.map((_, c) => page.$(c).find('h3').text()).get()).toEqual(['Food in Winter (Northgate Fund)', 'Any Group Fund (Riverside Foundation)']);
    expect(cards.first().find('[data-testid="why"]').text()).toBe('Works on food and older people, like you; funds Northgate; closes in 10 days.');
    expect(page.$('[data-testid="not-eligible"]').text()).toContain('Hillside Only');
    expect(page.$('[data-testid="not-eligible"] [data-testid="why-not"]').text()).toContain('funds only in Hillside');
    expect(mainText(page)).not.toContain('Withdrawn Fund');

    const staffView = await s.adviser.get(`/support/funding/fit?organisation=${s.org.id}`);
    expect(staffView.$('[data-testid="eligible"] h3').first().text()).toBe('Food in Winter (Northgate Fund)');
  });

  it('a form with mistakes comes back with status 400 naming each field, and nothing is stored', async () => {
    const s = await setting();
    const bad = await s.adviser.submit('/support/funding/new', '/support/funding', {
      funderName: '', programme: 'P', summary: 'S', amountMin: '10k', amountMax: '5', rolling: 'no', ...inDays(-3), themes: ['not-a-theme'], url: 'javascript:alert(1)',
    });
    expect(bad.status).toBe(400);
    expect(errorSummary(bad).map((e) => e.href)).toEqual(['#funderName', '#amountMin', '#deadline-day', '#themes', '#url']);
    expect(bad.$('#programme').val()).toBe('P');
    expect(await t.db.withTenant(s.lio.id, (tx) => tx.selectFrom('funding_opportunities').selectAll().execute())).toEqual([]);
    const group = await s.group.get('/support/funding/new');
    expect(group.status).toBe(403);
  });

  it('an adviser edits and withdraws; the group no longer sees a withdrawn opportunity', async () => {
    const s = await setting();
    const o = await f.opportunity(s.lio, { programme: 'Old Name', themes: ['food'] });
    const edited = await s.adviser.submit(`/support/funding/${o.id}/edit`, `/support/funding/${o.id}`, {
      funderName: 'Riverside Foundation', programme: 'New Name', summary: 'Grants', rolling: 'yes', themes: ['food'],
    });
    expect(edited.status).toBe(303);
    expect(mainText(await s.group.get("/our-support/funding"))).toContain('New Name');
    expect((await s.adviser.submit(`/support/funding/${o.id}`, `/support/funding/${o.id}/withdraw`, {})).status).toBe(303);
    expect(mainText(await s.group.get("/our-support/funding"))).not.toContain('New Name');
    expect((await s.adviser.get('/support/funding?show=past')).$('[data-testid="opportunities"]').text()).toContain('New Name');
  });

  it('digests e-mail each group member what fits, new or closing soon, never twice, nothing when there is nothing, and stop when asked', async () => {
    const s = await setting();
    const deps = { db: t.db, clock: t.clock, jobs: t.app.jobs };
    expect(await sendDigests(deps, s.lio.id, 'https://cvs.example')).toBe(0);
    await f.opportunity(s.lio, { programme: 'Closing Fund', themes: ['food'], inDays: 5 });
    await f.opportunity(s.lio, { programme: 'Fresh Fund', inDays: 60 });
    await f.opportunity(s.lio, { programme: 'Elsewhere Fund', areas: ['Hillside'], inDays: 5 });
    expect(await sendDigests(deps, s.lio.id, 'https://cvs.example')).toBe(1);
    const [mail] = await mailTo(s.lio, s.member.email);
    expect(mail!.subject).toBe('Funding for Brook Street Pantry: 2 opportunities');
    expect(mail!.body_text).toMatch(/Closing soon:\n\* Closing Fund[\s\S]*New:\n\* Fresh Fund/);
    expect(mail!.body_text).not.toContain('Elsewhere Fund');
    expect(mail!.body_text).toContain('https://cvs.example/our-support/funding');
    expect(await sendDigests(deps, s.lio.id, 'https://cvs.example')).toBe(0);

    expect((await s.group.submit('/our-support/funding', '/our-support/funding/digests', { digests: 'stop' })).status).toBe(303);
    await f.opportunity(s.lio, { programme: 'After Stopping', inDays: 60 });
    expect(await sendDigests(deps, s.lio.id, 'https://cvs.example')).toBe(0);
    expect((await s.group.get('/our-support/funding')).$('[data-testid="digests"]').text()).toContain('You do not get e-mails about funding');
    expect(await mailTo(s.lio, s.member.email)).toHaveLength(1);
  });

  it('the home page counts opportunities for advisers and what fits for the group member', async () => {
    const s = await setting();
    await f.opportunity(s.lio, { themes: ['food'], inDays: 3 });
    await f.opportunity(s.lio, { inDays: 40 });
    const home = await s.adviser.get('/');
    expect(mainText(home)).toMatch(/1\s*opportunity closes in the next 14 days/);
    const groupHome = await s.group.get('/');
    expect(mainText(groupHome)).toMatch(/2\s*open opportunities fit your group/);
  });
});
