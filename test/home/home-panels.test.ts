import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { Client, type Page } from '../helpers/client.js';
import { directoryFactories, type DirectoryFactories } from '../helpers/directory-factories.js';

const DAY = 86_400_000;
type Lio = Awaited<ReturnType<TestContext['make']['lio']>>;

/** The panels of a home page as a person reads them: titles, counts with their links, figures, points. */
function panels(page: Page) {
  return page.$('.cg-panel').toArray().map((el) => {
    const panel = page.$(el);
    return {
      id: panel.attr('data-panel')!,
      title: panel.find('h2').text().trim(),
      counts: panel.find('.cg-count').toArray().map((a) => ({
        count: Number(page.$(a).find('.cg-count__number').text()), label: page.$(a).find('.cg-count__label').text().trim(), href: page.$(a).attr('href'),
      })),
      figures: Object.fromEntries(panel.find('.cg-figures__row').toArray().map((row) => [page.$(row).find('dt').text().trim(), {
        value: page.$(row).find('dd').text().trim(), href: page.$(row).find('dd a').attr('href'),
      }])),
      points: panel.find('.govuk-list--bullet li').toArray().map((li) => page.$(li).text().trim()),
      actions: panel.find('.cg-panel__actions a').toArray().map((a) => ({ text: page.$(a).text().trim(), href: page.$(a).attr('href') })),
    };
  });
}

/** A London day as YYYY-MM-DD, as the report's links carry it. */
const londonDay = (at: Date) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);

/** Rows the directory's own forms and jobs would make: a proposed change, a verification e-mail, an import, an e-mail. */
function workFactories(t: TestContext) {
  return {
    change: (lio: Lio, organisationId: string, status: 'pending' | 'approved' = 'pending') => t.db.withTenant(lio.id, (tx) => tx.insertInto('listing_changes').values({
      lio_id: lio.id, organisation_id: organisationId, submitted_at: new Date(), changes: JSON.stringify({ phone: { from: null, to: '01234 567890' } }),
    }).returning('id').executeTakeFirstOrThrow().then(async (row) => {
      if (status !== 'pending') await tx.updateTable('listing_changes').set({ status, reviewed_at: new Date() }).where('id', '=', row.id).execute();
      return row;
    })),
    verificationEmail: (lio: Lio, organisationId: string, sentAt: Date, confirmedAt: Date | null = null) => t.db.withTenant(lio.id, (tx) => tx.insertInto('verification_requests').values({
      lio_id: lio.id, organisation_id: organisationId, token_hash: `hash-${Math.random()}`, sent_at: sentAt, confirmed_at: confirmedAt,
    }).execute()),
    importRun: (lio: Lio, status: 'completed' | 'rejected', startedAt: Date) => t.db.withTenant(lio.id, (tx) => tx.insertInto('directory_imports').values({
      lio_id: lio.id, kind: 'oruk', source: 'https://feed.example/services', status, started_at: startedAt, finished_at: startedAt, actor_label: 'admin@example.org',
    }).execute()),
    email: (lio: Lio, status: 'sent' | 'failed' | 'outbox') => t.db.withTenant(lio.id, async (tx) => {
      const row = await tx.insertInto('email_messages').values({ lio_id: lio.id, to_address: 'someone@example.org', subject: 'Hello', body_text: 'Hello' }).returning('id').executeTakeFirstOrThrow();
      await tx.updateTable('email_messages').set({ status }).where('id', '=', row.id).execute();
    }),
    setOrganisation: (lio: Lio, id: string, values: { created_at?: Date; merged_into_id?: string }) =>
      t.db.withTenant(lio.id, (tx) => tx.updateTable('organisations').set(values).where('id', '=', id).execute()),
    deliveryChange: (lio: Lio, serviceId: string, on: Date, modes: ('in_person' | 'online' | 'phone')[]) => t.db.withTenant(lio.id, (tx) => tx.insertInto('service_delivery_changes').values({
      lio_id: lio.id, service_id: serviceId, changed_on: londonDay(on), delivery_modes: modes, status: 'active',
    }).execute()),
  };
}

describe('home page panels by role', () => {
  let t: TestContext;
  let d: DirectoryFactories;
  let w: ReturnType<typeof workFactories>;
  beforeAll(async () => {
    t = await createTestApp();
    d = directoryFactories(t.db);
    w = workFactories(t);
  });
  afterAll(async () => { await t.close(); });

  /**
   * One LIO with directory work of every kind, and something that looks like each kind but is not:
   * a closed or merged listing, an answered e-mail, an approved change, an old or completed import.
   */
  async function busyLio() {
    const lio = await t.make.lio();
    const now = t.clock.now();
    const longAgo = new Date(now.getTime() - 60 * DAY);
    const verifiedNow = await d.organisation(lio, { name: 'Verified today' });
    const neverVerified = await d.organisation(lio, { name: 'Never verified', lastVerifiedAt: null });
    const verifiedLongAgo = await d.organisation(lio, { name: 'Verified two years ago', lastVerifiedAt: new Date(now.getTime() - 730 * DAY) });
    const closed = await d.organisation(lio, { name: 'Closed', status: 'closed', lastVerifiedAt: null });
    const merged = await d.organisation(lio, { name: 'Merged', lastVerifiedAt: null });
    const answered = await d.organisation(lio, { name: 'Answered', lastVerifiedAt: new Date(now.getTime() - 60_000) });
    const waitingForAnswer = await d.organisation(lio, { name: 'Asked, not answered', lastVerifiedAt: new Date(now.getTime() - 31 * DAY) });
    await w.setOrganisation(lio, merged.id, { merged_into_id: verifiedNow.id });
    // Due for review: never verified, and verified two years ago (the LIO keeps a listing verified for 12 months).
    // E-mailed and not answered: never verified (asked 3 days ago) and the one asked 2 days ago after its last check.
    await w.verificationEmail(lio, neverVerified.id, new Date(now.getTime() - 3 * DAY));
    await w.verificationEmail(lio, waitingForAnswer.id, new Date(now.getTime() - 2 * DAY));
    await w.verificationEmail(lio, answered.id, new Date(now.getTime() - 5 * DAY));
    await w.verificationEmail(lio, closed.id, new Date(now.getTime() - 5 * DAY));
    await w.verificationEmail(lio, merged.id, new Date(now.getTime() - 5 * DAY));
    // Changes from groups: two wait, one was approved.
    await w.change(lio, verifiedNow.id);
    await w.change(lio, neverVerified.id);
    await w.change(lio, answered.id, 'approved');
    // Imports: one refused last week; one refused too long ago to count; one completed.
    await w.importRun(lio, 'rejected', new Date(now.getTime() - 5 * DAY));
    await w.importRun(lio, 'rejected', new Date(now.getTime() - 40 * DAY));
    await w.importRun(lio, 'completed', new Date(now.getTime() - DAY));
    // Services: one new this month (Remaking); two older, one now delivered online too (Rearranging), one unchanged (Reaffirming).
    await d.service(lio, { organisationId: verifiedNow.id, name: 'New this month' });
    const rearranged = await d.service(lio, { organisationId: verifiedNow.id, name: 'Now online too', updatedAt: longAgo });
    await w.deliveryChange(lio, rearranged.id, now, ['in_person', 'online']);
    await d.service(lio, { organisationId: verifiedNow.id, name: 'Carried on', updatedAt: longAgo });
    // Added this month: "Verified today" and "Never verified"; every other organisation was added long ago.
    for (const o of [verifiedLongAgo, closed, merged, answered, waitingForAnswer]) await w.setOrganisation(lio, o.id, { created_at: longAgo });
    // E-mail: one failed, one sent. People: one invitation not accepted.
    await w.email(lio, 'failed');
    await w.email(lio, 'sent');
    await t.make.user(lio, { role: 'volunteer', status: 'invited', password: null });
    return { lio, verifiedNow, neverVerified, now };
  }

  const home = async (lio: Lio, overrides: Parameters<TestContext['make']['user']>[1]) => {
    const user = await t.make.user(lio, overrides);
    const client = new Client(t.app, lio.host);
    await client.signIn(user.email, user.password);
    const page = await client.get('/');
    expect(page.status).toBe(200);
    return { page, client, user };
  };

  it('gives an admin the directory work waiting, the month so far, and people and e-mail, each count the length of the list it links to', async () => {
    const { lio, now } = await busyLio();
    const { page, client } = await home(lio, { role: 'admin' });
    const shown = panels(page);
    expect(shown.map((p) => p.id)).toEqual([
      'directory-work', 'support-cases', 'directory-month', 'volunteers', 'volunteering-roles', 'volunteering-referrals', 'support-funding', 'support-grants',
      'volunteering-figures', 'volunteering-vetting', 'support-training', 'people', 'support-figures', 'support-bulletins', 'support-spend', 'support-membership', 'admin-accounts',
    ]);
    const work = shown.find((p) => p.id === 'directory-work');
    const month = shown.find((p) => p.id === 'directory-month');
    const people = shown.find((p) => p.id === 'people');
    const accounts = shown.find((p) => p.id === 'admin-accounts');
    expect(people!.counts).toEqual([{ count: 0, label: 'pairs of records may be the same person', href: '/people/duplicates' }]);
    expect(work!.counts).toEqual([
      { count: 2, label: 'changes from groups wait for approval', href: '/directory/approvals' },
      { count: 2, label: 'listings are due for review', href: '/directory/review' },
      { count: 2, label: 'verification e-mails not answered yet', href: '/directory/review?show=unanswered' },
      { count: 1, label: 'import refused in the last 30 days', href: '/admin/imports?status=rejected' },
    ]);
    expect(work!.actions).toEqual([{ text: 'Add an organisation', href: '/organisations/new' }, { text: 'Find services for someone', href: '/find' }]);

    const today = londonDay(now);
    const report = `/directory/changes?from=${today.slice(0, 8)}01&to=${today}`;
    expect(month!.figures).toEqual({
      'Organisations added': { value: '2', href: undefined },
      'Services added': { value: '1', href: undefined },
      'Listings verified': { value: '2', href: undefined },
      'Remaking: new services': { value: '1', href: `${report}#remaking` },
      'Rearranging: delivered in new ways': { value: '1', href: `${report}#rearranging` },
      'Reaffirming: continued unchanged': { value: '1', href: `${report}#reaffirming` },
    });
    expect(accounts!.counts).toEqual([
      { count: 1, label: 'invitation not accepted yet', href: '/admin/users' },
      { count: 1, label: 'e-mail could not be sent', href: '/admin/outbox' },
    ]);

    // Each link opens the list whose length the count gave.
    const approvals = await client.get('/directory/approvals');
    expect(approvals.status).toBe(200);
    const review = await client.get('/directory/review');
    expect(review.$('caption').first().text()).toContain('2 listings due for review');
    const listed = (page: Page, table: string) => page.$(`[data-testid="${table}"] tbody tr`).toArray()
      .map((tr) => page.$(tr).find('td').first().text().replace(/\s+/g, ' ').trim());
    expect(listed(review, 'review-queue').map((name) => name.replace(/ No email.*/, ''))).toEqual(['Never verified', 'Verified two years ago']);
    // The e-mails not answered: the count is the list it opens, which holds the listing asked and not answered though not due.
    for (const count of work!.counts) {
      const list = await client.get(count.href!);
      expect(list.status, count.href).toBe(200);
    }
    const unanswered = await client.get(work!.counts[2]!.href!);
    expect(unanswered.$('h1').text()).toBe('Listings asked and not answered');
    expect(unanswered.$('caption').first().text().trim()).toBe('2 listings asked by email and not answered');
    expect(listed(unanswered, 'review-queue').map((name) => name.replace(/ No email.*/, ''))).toEqual(['Never verified', 'Asked, not answered']);
    // The refused imports: the one refused last week, not the one refused 40 days ago nor the one completed.
    const refused = await client.get(work!.counts[3]!.href!);
    expect(refused.$('[data-testid="imports"] caption').text().trim()).toBe('1 import refused in the last 30 days');
    expect(refused.$('[data-testid="imports"] tbody tr')).toHaveLength(1);
    expect(refused.$('[data-testid="imports"] tbody tr .govuk-tag').text().trim()).toBe('Rejected');
    expect((await client.get('/admin/imports')).$('[data-testid="imports"] tbody tr')).toHaveLength(3);
    const changes = await client.get(report);
    expect(changes.$('#remaking').text()).toContain(': 1');
    expect(changes.$('#rearranging').text()).toContain(': 1');
    expect(changes.$('#reaffirming').text()).toContain(': 1');
    const users = await client.get('/admin/users');
    expect(users.$('.govuk-tag:contains("Invited")').length).toBe(1);
    const outbox = await client.get('/admin/outbox');
    expect(outbox.$('[data-testid="outbox-message"]:contains("Failed")').length).toBe(1);
  });

  it('still shows every count when all is clear, as zero', async () => {
    const lio = await t.make.lio();
    const { page } = await home(lio, { role: 'admin' });
    const shown = panels(page);
    // 14 counts from directory, volunteering, people and accounts; 14 from support for groups (cases 3, funding 2,
    // grants 1, training 3, bulletins 2, spend 1, membership 2).
    expect(shown.flatMap((p) => p.counts.map((c) => c.count))).toEqual(Array(28).fill(0));
    expect(shown.find((p) => p.id === 'directory-month')!.figures['Remaking: new services']!.value).toBe('0');
  });

  it('gives an adviser the approvals and the review, without the imports or the month\'s figures', async () => {
    const { lio } = await busyLio();
    const { page } = await home(lio, { role: 'staff', permissionSets: ['adviser'] });
    const shown = panels(page);
    expect(shown.map((p) => p.id)).toEqual(['directory-work', 'support-cases', 'support-funding', 'support-grants', 'people', 'support-figures', 'support-bulletins', 'support-membership']);
    expect(shown[0]!.counts.map((c) => [c.count, c.href])).toEqual([[2, '/directory/approvals'], [2, '/directory/review'], [2, '/directory/review?show=unanswered']]);
    expect(shown[0]!.actions.map((a) => a.href)).toEqual(['/organisations/new', '/find']);
  });

  it('gives a volunteer coordinator the review, but not approvals they may not give', async () => {
    const { lio } = await busyLio();
    const { page, client } = await home(lio, { role: 'staff', permissionSets: ['volunteer_coordinator'] });
    const shown = panels(page);
    expect(shown.map((p) => p.id)).toEqual(['directory-work', 'volunteers', 'volunteering-roles', 'volunteering-referrals', 'volunteering-figures', 'volunteering-vetting', 'people']);
    expect(shown[0]!.counts.map((c) => [c.count, c.label, c.href])).toEqual([
      [2, 'listings are due for review', '/directory/review'], [2, 'verification e-mails not answered yet', '/directory/review?show=unanswered'],
    ]);
    expect(shown[0]!.actions.map((a) => a.href)).toEqual(['/find']);
    expect((await client.get('/directory/review')).status).toBe(200);
    const unanswered = await client.get('/directory/review?show=unanswered');
    expect(unanswered.$('[data-testid="review-queue"] tbody tr')).toHaveLength(2);
    // They may read the list but not mark a listing verified from it.
    expect(unanswered.$('form[action$="/verify"]')).toHaveLength(0);
  });

  it('gives a group member their own listing: its status, when it was last checked, and the change waiting', async () => {
    const { lio, neverVerified, verifiedNow, now } = await busyLio();
    const { page, client } = await home(lio, { role: 'group_member', organisationId: neverVerified.id });
    const shown = panels(page);
    expect(shown.map((p) => p.id)).toEqual(['directory-listing', 'support-our-cases', 'support-funding-group', 'volunteering-our-referrals', 'support-training-bookings', 'volunteering-hours-waiting', 'support-own-membership']);
    expect(shown[0]!.title).toBe('Your listing: Never verified');
    expect(shown[0]!.figures).toEqual({
      Status: { value: 'Active', href: undefined },
      'Last checked': { value: 'Not checked yet', href: undefined },
      'Changes waiting for approval': { value: '1', href: '/my-organisation' },
    });
    expect(shown[0]!.actions).toEqual([{ text: 'See or change your listing', href: '/my-organisation' }]);
    expect((await client.get('/my-organisation')).status).toBe(200);

    // Another group's member sees their own listing, checked today, with nothing waiting once it is approved.
    await t.db.withTenant(lio.id, (tx) => tx.updateTable('listing_changes').set({ status: 'approved' }).where('organisation_id', '=', verifiedNow.id).execute());
    const other = panels((await home(lio, { role: 'group_member', organisationId: verifiedNow.id })).page)[0]!;
    expect(other.figures['Last checked']!.value).toBe(now.toLocaleDateString('en-GB', { dateStyle: 'medium', timeZone: 'Europe/London' }));
    expect(other.figures['Changes waiting for approval']!.value).toBe('0');
  });

  for (const [role, title, first] of [
    ['partner', 'Working with us', 'refer people to local groups, services and volunteers, and follow what happened to each referral'],
    ['network', 'Across our members', 'read totals gathered across member organisations: never anyone’s personal details'],
  ] as const) {
    it(`tells a ${role} what they will be able to do, with no counts that are not real`, async () => {
      const { lio } = await busyLio();
      const { page } = await home(lio, { role });
      const shown = panels(page);
      expect(shown.map((p) => [p.id, p.title])).toEqual([['coming', title]]);
      expect(shown[0]!.points[0]).toBe(first);
      expect(shown[0]!.counts).toEqual([]);
      expect(shown[0]!.figures).toEqual({});
      for (const a of shown[0]!.actions) expect(a.href).toBe('/find');
    });
  }

  it('counts only the LIO of the person signed in', async () => {
    const busy = await busyLio();
    const quiet = await t.make.lio();
    const { page } = await home(quiet, { role: 'admin' });
    expect(panels(page).flatMap((p) => p.counts.map((c) => c.count))).toEqual(Array(28).fill(0));
    expect(busy.lio.id).not.toBe(quiet.id);
  });
});
