import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { Client, type Page, errorSummary, signedInClient } from '../helpers/client.js';
import { directoryFactories, type DirectoryFactories } from '../helpers/directory-factories.js';

let t: TestContext;
let d: DirectoryFactories;
beforeAll(async () => { t = await createTestApp(); d = directoryFactories(t.db); });
afterAll(async () => { await t.close(); });

type Lio = Awaited<ReturnType<TestContext['make']['lio']>>;

async function signedIn(lio: Lio, overrides: Parameters<TestContext['make']['user']>[1] = {}) {
  const user = await t.make.user(lio, overrides);
  return { user, client: await signedInClient(t.app, lio.host, user) };
}

const summary = (page: Page) => errorSummary(page).map((e) => e.href);
const rowOf = (lio: Lio, id: string) => t.db.withTenant(lio.id, (tx) => tx.selectFrom('organisations').selectAll().where('id', '=', id).executeTakeFirstOrThrow());

/** Rows pointing at an organisation, table by table. */
async function holdings(lio: Lio, id: string) {
  return t.db.withTenant(lio.id, async (tx) => ({
    services: (await tx.selectFrom('services').select('id').where('organisation_id', '=', id).orderBy('id').execute()).map((r) => r.id),
    locations: (await tx.selectFrom('locations').select('id').where('organisation_id', '=', id).orderBy('id').execute()).map((r) => r.id),
    contacts: (await tx.selectFrom('contacts').select('id').where('organisation_id', '=', id).orderBy('id').execute()).map((r) => r.id),
    phones: (await tx.selectFrom('phones').select('id').where('organisation_id', '=', id).orderBy('id').execute()).map((r) => r.id),
    users: (await tx.selectFrom('users').select('id').where('organisation_id', '=', id).orderBy('id').execute()).map((r) => r.id),
    attributes: (await tx.selectFrom('attributes').select('taxonomy_term_id').where('link_id', '=', id).orderBy('taxonomy_term_id').execute()).map((r) => r.taxonomy_term_id),
    changes: (await tx.selectFrom('listing_changes').select('id').where('organisation_id', '=', id).orderBy('id').execute()).map((r) => r.id),
    events: (await tx.selectFrom('organisation_events').select('id').where('organisation_id', '=', id).orderBy('id').execute()).map((r) => r.id),
    verifications: (await tx.selectFrom('verification_requests').select('id').where('organisation_id', '=', id).orderBy('id').execute()).map((r) => r.id),
    mergedEarlier: (await tx.selectFrom('organisations').select('id').where('merged_into_id', '=', id).orderBy('id').execute()).map((r) => r.id),
  }));
}

/** Two records of one organisation, the second carrying one of everything. */
async function duplicatePair(lio: Lio) {
  const taxonomy = await d.taxonomy(lio);
  const shared = await d.term(lio, taxonomy.id, { name: 'Food' });
  const own = await d.term(lio, taxonomy.id, { name: 'Advice' });
  const kept = await d.organisation(lio, { name: 'Riverside Food Bank', charityNumber: '1122334', postcode: 'RV1 1AA' });
  const gone = await d.organisation(lio, { name: 'Riverside Foodbank CIO', charityNumber: '1122334', postcode: 'RV1 1AA' });
  const earlier = await d.organisation(lio, { name: 'Riverside Foodbank (old)' });
  const service = await d.service(lio, { organisationId: gone.id, name: 'Emergency food parcels', locations: [{ name: 'Mill Lane hall', postcode: 'RV1 1AA' }] });
  const member = await t.make.user(lio, { role: 'group_member', organisationId: gone.id, name: 'Gwen Group' });
  await t.db.withTenant(lio.id, async (tx) => {
    await tx.updateTable('organisations').set({ themes: ['Food'], other_names: ['RFB'], website: null }).where('id', '=', kept.id).execute();
    await tx.updateTable('organisations').set({ themes: ['Food', 'Poverty and cost of living'], website: 'https://foodbank.example', company_number: '09876543', staff_count: 3 })
      .where('id', '=', gone.id).execute();
    await tx.updateTable('organisations').set({ merged_into_id: gone.id, status: 'closed' }).where('id', '=', earlier.id).execute();
    const contact = await tx.insertInto('contacts').values({ lio_id: lio.id, organisation_id: gone.id, name: 'Pat Chair', email: 'chair@foodbank.example' }).returning('id').executeTakeFirstOrThrow();
    await tx.insertInto('phones').values({ lio_id: lio.id, organisation_id: gone.id, contact_id: contact.id, number: '01632 960 123' }).execute();
    for (const [org, term] of [[kept.id, shared.id], [gone.id, shared.id], [gone.id, own.id]] as const) {
      await tx.insertInto('attributes').values({ lio_id: lio.id, link_id: org, link_type: 'organization', link_entity: 'organization', taxonomy_term_id: term }).execute();
    }
    await tx.insertInto('listing_changes').values({ lio_id: lio.id, organisation_id: gone.id, submitted_by: member.id, changes: JSON.stringify({ phone: { from: null, to: '01632 960 555' } }) }).execute();
    await tx.insertInto('organisation_events').values({ lio_id: lio.id, organisation_id: gone.id, actor_label: 'Import', kind: 'created', summary: 'Added to the register', occurred_at: new Date(Date.now() - 86_400_000) }).execute();
    await tx.insertInto('verification_requests').values({ lio_id: lio.id, organisation_id: gone.id, token_hash: `hash-${gone.id}` }).execute();
  });
  return { kept, gone, earlier, service, member, terms: [shared.id, own.id] };
}

describe('merging two records of the same organisation', () => {
  it('moves everything of the merged record to the kept one, closes the merged one, and both timelines say so', async () => {
    const lio = await t.make.lio();
    const { kept, gone, earlier, service, member, terms } = await duplicatePair(lio);
    const staff = await signedIn(lio, { name: 'Ben Okafor' });
    const before = await holdings(lio, gone.id);
    const keptBefore = await holdings(lio, kept.id);
    expect(before.services).toEqual([service.id]);
    expect(before.locations).toHaveLength(1);

    const choose = await staff.client.get(`/organisations/${kept.id}/merge`);
    expect(choose.status).toBe(200);
    const dupLink = choose.$(`[data-testid="merge-duplicates"] a[href="/organisations/${kept.id}/merge?with=${gone.id}"]`);
    expect(dupLink.text()).toContain('Riverside Foodbank CIO');
    const search = await staff.client.get(`/organisations/${kept.id}/merge?q=foodbank`);
    expect(search.$('[data-testid="merge-matches"] a').toArray().map((a) => search.$(a).text())).toEqual(['Compare with Riverside Foodbank CIO']);

    const compare = await staff.client.get(`/organisations/${kept.id}/merge?with=${gone.id}`);
    expect(compare.status).toBe(200);
    const counts = (label: string) => compare.$('[data-testid="merge-compare"] tbody tr').filter((_, r) => compare.$(r).find('th').text() === label).find('td').toArray().map((c) => compare.$(c).text());
    expect(counts('Services')).toEqual(['0', '1']);
    expect(counts('Group members’ accounts')).toEqual(['0', '1']);
    expect(counts('Website')).toEqual(['(blank)', 'https://foodbank.example']);

    const noChoice = await staff.client.submit(`/organisations/${kept.id}/merge?with=${gone.id}`, `/organisations/${kept.id}/merge`, { other: gone.id });
    expect(noChoice.status).toBe(400);
    expect(summary(noChoice)).toEqual(['#keep']);
    expect((await rowOf(lio, gone.id)).merged_into_id).toBeNull();

    const merged = await staff.client.submit(`/organisations/${kept.id}/merge?with=${gone.id}`, `/organisations/${kept.id}/merge`, { other: gone.id, keep: kept.id });
    expect(merged.status).toBe(303);
    expect(merged.location).toBe(`/organisations/${kept.id}`);

    // Everything moved; nothing was deleted.
    const after = await holdings(lio, kept.id);
    expect(after.services).toEqual(before.services);
    expect(after.locations).toEqual(before.locations);
    expect(after.contacts).toEqual(before.contacts);
    expect(after.phones).toEqual(before.phones);
    expect(after.users).toEqual([member.id]);
    expect(after.attributes).toEqual([...terms].sort());
    expect(after.changes).toEqual(before.changes);
    expect(after.verifications).toEqual(before.verifications);
    expect(after.mergedEarlier.sort()).toEqual([earlier.id, gone.id].sort());
    for (const id of [...before.events, ...keptBefore.events]) expect(after.events).toContain(id);
    const left = await holdings(lio, gone.id);
    expect(left).toMatchObject({ services: [], locations: [], contacts: [], phones: [], users: [], attributes: [], changes: [], verifications: [], mergedEarlier: [] });
    expect(left.events).toHaveLength(1);

    const goneRow = await rowOf(lio, gone.id);
    expect(goneRow).toMatchObject({ status: 'closed', merged_into_id: kept.id, name: 'Riverside Foodbank CIO' });
    const keptRow = await rowOf(lio, kept.id);
    expect(keptRow).toMatchObject({
      name: 'Riverside Food Bank', status: 'active', merged_into_id: null, website: 'https://foodbank.example', company_number: '09876543', staff_count: 3,
      other_names: ['RFB', 'Riverside Foodbank CIO'], themes: ['Food', 'Poverty and cost of living'],
    });
    expect((await rowOf(lio, earlier.id)).merged_into_id).toBe(kept.id);

    const keptEvents = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('organisation_events').selectAll().where('organisation_id', '=', kept.id).where('kind', '=', 'merged').execute());
    expect(keptEvents.map((e) => [e.summary, e.actor_label])).toEqual([['Riverside Foodbank CIO was merged into this record', 'Ben Okafor']]);
    expect(keptEvents[0]!.detail).toMatchObject({ merged_id: gone.id, moved: { services: 1, locations: 1, contacts: 1, phones: 1, users: 1, listing_changes: 1, organisation_events: 1, verification_requests: 1, attributes: 1, 'organisations merged earlier': 1 }, not_moved: [] });
    const goneEvents = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('organisation_events').selectAll().where('organisation_id', '=', gone.id).execute());
    expect(goneEvents.map((e) => [e.kind, e.summary])).toEqual([['merged', 'Merged into Riverside Food Bank; this record is closed']]);
    const audit = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('audit_events').selectAll().where('action', '=', 'organisation.merged').execute());
    expect(audit.map((a) => [a.subject_id, a.actor_user_id, (a.detail as { merged: string }).merged])).toEqual([[kept.id, staff.user.id, gone.id]]);

    // Both pages say so.
    const keptPage = await staff.client.get(`/organisations/${kept.id}`);
    expect(keptPage.$('.govuk-notification-banner').text()).toContain('The records have been merged');
    expect(keptPage.$('[data-testid="timeline"] li[data-kind="merged"] h3').text()).toBe('Riverside Foodbank CIO was merged into this record');
    expect(keptPage.$('main').text()).toContain('Emergency food parcels');
    expect(keptPage.$('main').text()).toContain('Gwen Group');
    const gonePage = await staff.client.get(`/organisations/${gone.id}`);
    expect(gonePage.$('.govuk-inset-text').text()).toContain('This record was merged into Riverside Food Bank');
    expect(gonePage.$('[data-testid="timeline"] li[data-kind="merged"] h3').text()).toContain('Merged into Riverside Food Bank');
    expect(gonePage.$('a[href$="/edit"]').length).toBe(0);

    // The group member now works on the kept record, and their pending change is there to approve.
    const memberClient = new Client(t.app, lio.host);
    await memberClient.signIn(member.email, member.password);
    expect((await memberClient.get('/my-organisation')).$('#name').val()).toBe('Riverside Food Bank');
    const approvals = await staff.client.get('/directory/approvals');
    expect(approvals.$('[data-testid="listing-change"] h2').text()).toBe('Riverside Food Bank');
  });

  it('can keep the other record instead', async () => {
    const lio = await t.make.lio();
    const { kept, gone } = await duplicatePair(lio);
    const staff = await signedIn(lio);
    const res = await staff.client.submit(`/organisations/${kept.id}/merge?with=${gone.id}`, `/organisations/${kept.id}/merge`, { other: gone.id, keep: gone.id });
    expect(res.status).toBe(303);
    expect(res.location).toBe(`/organisations/${gone.id}`);
    expect(await rowOf(lio, kept.id)).toMatchObject({ status: 'closed', merged_into_id: gone.id });
    expect((await rowOf(lio, gone.id)).other_names).toContain('Riverside Food Bank');
    // A merged record cannot be edited or merged again.
    expect((await staff.client.get(`/organisations/${kept.id}/edit`)).status).toBe(404);
    expect((await staff.client.get(`/organisations/${kept.id}/merge`)).status).toBe(404);
  });

  it('refuses a merge with itself, with a record already merged, with a made-up choice, and from another LIO', async () => {
    const lio = await t.make.lio();
    const { kept, gone, earlier } = await duplicatePair(lio);
    const staff = await signedIn(lio);
    const self = await staff.client.submit(`/organisations/${kept.id}/merge`, `/organisations/${kept.id}/merge`, { other: kept.id, keep: kept.id });
    expect(self.status).toBe(400);
    expect(summary(self)).toEqual(['#q']);
    expect(self.$('.govuk-error-summary').text()).toContain('cannot be merged with itself');

    const already = await staff.client.submit(`/organisations/${kept.id}/merge?with=${earlier.id}`, `/organisations/${kept.id}/merge`, { other: earlier.id, keep: kept.id });
    expect(already.status).toBe(400);
    expect(already.$('.govuk-error-summary').text()).toContain('already been merged');
    expect(summary(already)).toEqual(['#other']);
    expect(already.$('#other').length).toBe(1);

    const madeUp = await staff.client.submit(`/organisations/${kept.id}/merge?with=${gone.id}`, `/organisations/${kept.id}/merge`, { other: gone.id, keep: earlier.id });
    expect(madeUp.status).toBe(400);
    expect(summary(madeUp)).toEqual(['#keep']);

    const garbage = await staff.client.submit(`/organisations/${kept.id}/merge`, `/organisations/${kept.id}/merge`, { other: 'nonsense', keep: 'nonsense' });
    expect(garbage.status).toBe(400);

    const otherLio = await t.make.lio();
    const foreign = await d.organisation(otherLio, { name: 'Riverside Food Bank' });
    expect((await staff.client.get(`/organisations/${kept.id}/merge?with=${foreign.id}`)).status).toBe(404);
    expect((await staff.client.submit(`/organisations/${kept.id}/merge`, `/organisations/${kept.id}/merge`, { other: foreign.id, keep: kept.id })).status).toBe(404);
    expect((await rowOf(lio, kept.id)).merged_into_id).toBeNull();
    expect((await rowOf(lio, gone.id)).merged_into_id).toBeNull();
  });

  it('is for staff who may write to the register', async () => {
    const lio = await t.make.lio();
    const { kept, gone } = await duplicatePair(lio);
    const helpline = await signedIn(lio, { role: 'staff', permissionSets: ['helpline'] });
    expect((await helpline.client.get(`/organisations/${kept.id}/merge`)).status).toBe(403);
    expect((await helpline.client.submit(`/organisations/${kept.id}`, `/organisations/${kept.id}/merge`, { other: gone.id, keep: kept.id })).status).toBe(403);
    const member = await signedIn(lio, { role: 'group_member', organisationId: gone.id });
    expect((await member.client.submit('/my-organisation', `/organisations/${kept.id}/merge`, { other: gone.id, keep: gone.id })).status).toBe(403);
    expect((await rowOf(lio, gone.id)).merged_into_id).toBeNull();
  });
});
