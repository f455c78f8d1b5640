import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { Client, signedInClient, errorSummary, mainText } from '../helpers/client.js';
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
    const deps = { db: t.db, clock: t.clock, jobs: t.app.jobs, config: t.config };
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

  it('each digest carries its recipient\'s own link that stops the digests without signing in; a reused link says so, a forged one is refused', async () => {
    const s = await setting();
    const deps = { db: t.db, clock: t.clock, jobs: t.app.jobs, config: t.config };
    const other = await t.make.user(s.lio, { role: 'group_member', organisationId: s.org.id, email: `second-${s.lio.id.slice(0, 8)}@group.example` });
    await f.opportunity(s.lio, { programme: 'Fresh Fund', inDays: 60 });
    expect(await sendDigests(deps, s.lio.id, 'https://cvs.example')).toBe(2);
    const linkOf = async (email: string) => {
      const [mail] = await mailTo(s.lio, email);
      const found = /To stop these e-mails: https:\/\/cvs\.example(\/funding\/digests\/stop\/\S+)/.exec(mail!.body_text);
      return found![1]!;
    };
    const mine = await linkOf(s.member.email);
    const theirs = await linkOf(other.email);
    expect(mine).not.toBe(theirs);

    // Anyone holding the e-mail, signed in or not: the page shows whose e-mails stop, one button stops them.
    const stranger = new Client(t.app, s.lio.host);
    const page = await stranger.get(mine);
    expect(page.status).toBe(200);
    expect(mainText(page)).toContain(s.member.email);
    const csrf = page.$('input[name="_csrf"]').val() as string;
    const stopped = await stranger.submit(mine, mine, {});
    expect(stopped.status).toBe(200);
    expect(stopped.$('[data-testid="outcome"]').text()).toBe('We will not send you any more e-mails about funding.');
    const audit = await t.db.withTenant(s.lio.id, (tx) => tx.selectFrom('audit_events').select(['action', 'subject_id', 'actor_user_id']).where('action', '=', 'funding_digests.stopped').execute());
    expect(audit).toEqual([{ action: 'funding_digests.stopped', subject_id: s.member.id, actor_user_id: s.member.id }]);

    // Used again: a clear answer, nothing changes.
    expect((await stranger.get(mine)).$('[data-testid="outcome"]').text()).toContain('already stopped');
    const again = await stranger.postRaw(mine, { _csrf: csrf });
    expect(again.status).toBe(200);
    expect(again.$('h1').text()).toBe('Funding e-mails were already stopped');

    // Only the member whose link it was is stopped.
    await f.opportunity(s.lio, { programme: 'Later Fund', inDays: 60 });
    expect(await sendDigests(deps, s.lio.id, 'https://cvs.example')).toBe(1);
    expect(await mailTo(s.lio, s.member.email)).toHaveLength(1);
    expect(await mailTo(s.lio, other.email)).toHaveLength(2);

    // A forged link: another account's id with this signature, a changed signature, another LIO's member, a fragment.
    const [, , , , userAndSig] = mine.split('/');
    const signature = userAndSig!.split('.')[1]!;
    const forgeries = [`/funding/digests/stop/${other.id}.${signature}`, `${mine.slice(0, -1)}${mine.endsWith('0') ? '1' : '0'}`, `/funding/digests/stop/${other.id}`, '/funding/digests/stop/nonsense'];
    const elsewhere = await t.make.lio();
    for (const forged of forgeries) {
      const refused = await stranger.get(forged);
      expect(refused.status, forged).toBe(404);
      expect(refused.$('h1').text()).toBe('We do not recognise this link');
    }
    const forgedPost = await stranger.postRaw(`/funding/digests/stop/${other.id}.${signature}`, { _csrf: csrf });
    expect(forgedPost.status).toBe(404);
    expect((await new Client(t.app, elsewhere.host).get(theirs)).status).toBe(404);
    expect(await t.db.withTenant(s.lio.id, (tx) => tx.selectFrom('funding_digest_stops').select('user_id').execute())).toEqual([{ user_id: s.member.id }]);

    // Their own link works as well for the other member.
    expect((await stranger.submit(theirs, theirs, {})).$('h1').text()).toBe('Funding e-mails stopped');
    await f.opportunity(s.lio, { programme: 'Last Fund', inDays: 60 });
    expect(await sendDigests(deps, s.lio.id, 'https://cvs.example')).toBe(0);
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
