import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { signedInClient, type Client } from '../helpers/client.js';
import { directoryFactories } from '../helpers/directory-factories.js';
import { caseworkFactories } from '../helpers/casework-factories.js';
import { londonDay } from '../../src/platform/validation/dates.js';

type Json = Record<string, unknown>;
type Lio = Awaited<ReturnType<TestContext['make']['lio']>>;
const DAY = 86_400_000;
const day = (offset: number) => londonDay(new Date(Date.now() + offset * DAY));

let t: TestContext;
let f: ReturnType<typeof caseworkFactories>;
beforeAll(async () => { t = await createTestApp(); f = caseworkFactories(t.db); });
afterAll(async () => { await t?.close(); });

async function call(host: string, url: string, auth: { token?: string; client?: Client } = {}) {
  const cookie = auth.client ? ['cg_session', '_csrf'].flatMap((n) => (auth.client!.cookie(n) ? [`${n}=${auth.client!.cookie(n)}`] : [])).join('; ') : undefined;
  const response = await t.app.inject({
    method: 'GET', url, headers: { host, ...(auth.token ? { authorization: `Bearer ${auth.token}` } : {}), ...(cookie ? { cookie } : {}) },
  });
  return { status: response.statusCode, body: response.json() as Json };
}
const fieldsOf = (body: Json) => ((body.fields ?? []) as { field: string }[]).map((x) => x.field);
const references = (body: Json) => (body.items as { reference: string }[]).map((i) => i.reference);

/** A LIO with two groups, two advisers and cases of each: one overdue, one closed, one no one has taken. */
async function setting() {
  const lio = await t.make.lio();
  const d = directoryFactories(t.db);
  const org = await d.organisation(lio, { name: 'Brook Street Pantry' });
  const other = await d.organisation(lio, { name: 'Hillside Allotments' });
  const ada = await t.make.user(lio, { role: 'staff', permissionSets: ['adviser'], name: 'Ada Adviser' });
  const bola = await t.make.user(lio, { role: 'staff', permissionSets: ['adviser'], name: 'Bola Second' });
  const asker = await f.person(lio, { fullName: 'Mo Asker', email: 'mo.asker@example.org' });
  const overdue = await f.supportCase(lio, { organisationId: org.id, topic: 'funding', title: 'Lottery bid', adviserUserId: ada.id, askedByPersonId: asker.id, nextAction: 'Read the draft', nextActionDue: day(-2) });
  const closed = await f.supportCase(lio, { organisationId: org.id, topic: 'governance', title: 'New constitution', adviserUserId: ada.id, status: 'closed' });
  const unassigned = await f.supportCase(lio, { organisationId: other.id, topic: 'premises', title: 'A lease for the hut' });
  const bolas = await f.supportCase(lio, { organisationId: other.id, topic: 'funding', title: 'Council grant', adviserUserId: bola.id, nextAction: 'Call', nextActionDue: day(3) });
  return { lio, org, other, ada, bola, asker, overdue, closed, unassigned, bolas };
}

/** A signed-in adviser's session: the casework API is for people who may read cases, not for tokens. */
async function adviserOf(lio: Lio) {
  return signedInClient(t.app, lio.host, await t.make.user(lio, { role: 'staff', permissionSets: ['adviser'] }));
}

describe('the support cases API', () => {
  it('lists the cases not closed, due first, for an adviser, with the staff list\'s filters', async () => {
    const s = await setting();
    const client = await adviserOf(s.lio);
    const all = await call(s.lio.host, '/api/v1/support-cases', { client });
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({ total: 3, more: false, page: 1, per_page: 25 });
    expect(references(all.body)).toEqual([s.overdue.reference, s.bolas.reference, s.unassigned.reference]);
    expect((all.body.items as Json[])[0]).toMatchObject({
      id: s.overdue.id, title: 'Lottery bid', topic: 'funding', status: 'open', organisation: { id: s.org.id, name: 'Brook Street Pantry' },
      adviser: 'Ada Adviser', next_action: 'Read the draft', next_action_due: day(-2), url: expect.stringMatching(new RegExp(`/support/cases/${s.overdue.id}$`)),
    });
    expect(JSON.stringify(all.body)).not.toContain('mo.asker@example.org');

    expect(references((await call(s.lio.host, '/api/v1/support-cases?status=all', { client })).body)).toHaveLength(4);
    expect(references((await call(s.lio.host, '/api/v1/support-cases?status=closed', { client })).body)).toEqual([s.closed.reference]);
    expect(references((await call(s.lio.host, '/api/v1/support-cases?due=overdue', { client })).body)).toEqual([s.overdue.reference]);
    expect(references((await call(s.lio.host, '/api/v1/support-cases?adviser=unassigned', { client })).body)).toEqual([s.unassigned.reference]);
    expect(references((await call(s.lio.host, `/api/v1/support-cases?adviser=${s.bola.id}`, { client })).body)).toEqual([s.bolas.reference]);
    expect(references((await call(s.lio.host, `/api/v1/support-cases?organisation=${s.other.id}&topic=premises`, { client })).body)).toEqual([s.unassigned.reference]);
    expect(references((await call(s.lio.host, '/api/v1/support-cases?organisation_name=brook&status=all', { client })).body)).toHaveLength(2);
    expect(references((await call(s.lio.host, `/api/v1/support-cases?q=${s.bolas.reference.toLowerCase().replace('-', '')}`, { client })).body)).toEqual([s.bolas.reference]);
    const paged = await call(s.lio.host, '/api/v1/support-cases?per_page=2&page=2', { client });
    expect(paged.body).toMatchObject({ total: 3, page: 2, per_page: 2 });
    expect(references(paged.body)).toEqual([s.unassigned.reference]);
  });

  it('answers a bad filter with 400 naming the field', async () => {
    const s = await setting();
    const client = await adviserOf(s.lio);
    for (const [query, field] of [['status=shut', 'status'], ['topic=knitting', 'topic'], ['due=soon', 'due'], ['organisation=not-an-id', 'organisation'],
      [`organisation_name=${'x'.repeat(201)}`, 'organisation_name'], ['adviser=someone', 'adviser'], ['per_page=500', 'per_page'], ['colour=red', 'colour']] as const) {
      const res = await call(s.lio.host, `/api/v1/support-cases?${query}`, { client });
      expect(res.status, query).toBe(400);
      expect(fieldsOf(res.body), query).toEqual([field]);
    }
  });

  it('gives one case with its notes\' summary and outcomes, and audits the view as the adviser\'s', async () => {
    const s = await setting();
    const client = await signedInClient(t.app, s.lio.host, s.bola);
    await f.note(s.lio, { caseId: s.overdue.id, minutes: 45, body: 'Went through the budget', shared: true, authorUserId: s.ada.id });
    await f.note(s.lio, { caseId: s.overdue.id, minutes: 30, body: 'Advisers only: the treasurer is leaving' });
    await t.db.withTenant(s.lio.id, (tx) => tx.insertInto('support_outcomes').values({
      lio_id: s.lio.id, case_id: s.overdue.id, kind: 'policy_adopted', detail: 'Lottery Awards for All', achieved_on: day(-1), recorded_by_user_id: s.ada.id, created_at: new Date(),
    }).execute());
    const res = await call(s.lio.host, `/api/v1/support-cases/${s.overdue.id}`, { client });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: s.overdue.id, reference: s.overdue.reference, asked_by: 'Mo Asker', asked_via: 'phone', closed_on: null,
      notes: { count: 2, minutes_spent: 75, last_worked_on: day(0), shared_with_group: 1 },
      outcomes: [{ kind: 'policy_adopted', detail: 'Lottery Awards for All', achieved_on: day(-1) }],
    });
    // The notes' text and the asker's contact details stay in the app.
    expect(JSON.stringify(res.body)).not.toMatch(/treasurer|budget|mo\.asker@example\.org/);
    const audited = await t.db.withTenant(s.lio.id, (tx) => tx.selectFrom('audit_events').select(['action', 'subject_id', 'actor_label', 'actor_user_id']).where('action', '=', 'support_case.viewed').execute());
    expect(audited).toEqual([expect.objectContaining({ action: 'support_case.viewed', subject_id: s.overdue.id, actor_user_id: s.bola.id })]);
  });

  it('answers 404 for a case of another LIO or none, and 400 naming the id for one that is not an id', async () => {
    const s = await setting();
    const theirs = await setting();
    const client = await adviserOf(s.lio);
    const other = await call(s.lio.host, `/api/v1/support-cases/${theirs.overdue.id}`, { client });
    expect(other.status).toBe(404);
    expect(JSON.stringify(other.body)).not.toContain('Lottery bid');
    const bad = await call(s.lio.host, '/api/v1/support-cases/42', { client });
    expect(bad.status).toBe(400);
    expect(fieldsOf(bad.body)).toEqual(['id']);
    const listed = await call(s.lio.host, '/api/v1/support-cases?status=all', { client });
    expect(references(listed.body)).toHaveLength(4);
    expect((listed.body.items as { id: string }[]).map((i) => i.id)).not.toContain(theirs.overdue.id);
  });

  it('takes a signed-in adviser\'s session (mine meaning them), refuses other staff with 403 and no one with 401', async () => {
    const s = await setting();
    const adviser = await signedInClient(t.app, s.lio.host, s.ada);
    const mine = await call(s.lio.host, '/api/v1/support-cases?adviser=mine&status=all', { client: adviser });
    expect(mine.status).toBe(200);
    expect(references(mine.body)).toEqual([s.overdue.reference, s.closed.reference]);
    const one = await call(s.lio.host, `/api/v1/support-cases/${s.unassigned.id}`, { client: adviser });
    expect(one.status).toBe(200);
    const audited = await t.db.withTenant(s.lio.id, (tx) => tx.selectFrom('audit_events').select(['actor_user_id']).where('action', '=', 'support_case.viewed').execute());
    expect(audited).toEqual([{ actor_user_id: s.ada.id }]);

    const trainerUser = await t.make.user(s.lio, { role: 'staff', permissionSets: ['trainer'] });
    const trainer = await signedInClient(t.app, s.lio.host, trainerUser);
    const refused = await call(s.lio.host, '/api/v1/support-cases', { client: trainer });
    expect(refused.status).toBe(403);
    expect(JSON.stringify(refused.body)).not.toContain('Lottery bid');
    expect((await call(s.lio.host, `/api/v1/support-cases/${s.overdue.id}`, { client: trainer })).status).toBe(403);
    expect((await call(s.lio.host, '/api/v1/support-cases')).status).toBe(401);
    // A session opens only the routes that name a permission: the register's API stays for tokens.
    expect((await call(s.lio.host, '/api/v1/organisations', { client: adviser })).status).toBe(401);
    // And a token, given to a website or an integration for the directory, does not reach people's casework.
    for (const scope of ['read', 'write'] as const) {
      const { token } = await t.make.apiToken(s.lio, scope);
      const tried = await call(s.lio.host, '/api/v1/support-cases', { token });
      expect(tried.status, scope).toBe(403);
      expect(JSON.stringify(tried.body)).not.toContain('Lottery bid');
      expect((await call(s.lio.host, `/api/v1/support-cases/${s.overdue.id}`, { token })).status, scope).toBe(403);
    }
  });

  it('is listed in the OpenAPI document, open to a signed-in session only', async () => {
    const s = await setting();
    const res = await t.app.inject({ method: 'GET', url: '/api/openapi.json', headers: { host: s.lio.host } });
    const doc = res.json() as { paths: Record<string, { get?: { operationId: string; security: unknown[] } }>; components: { securitySchemes: Record<string, unknown> } };
    expect(doc.paths['/api/v1/support-cases']?.get?.operationId).toBe('listSupportCases');
    expect(doc.paths['/api/v1/support-cases/{id}']?.get?.operationId).toBe('getSupportCase');
    expect(doc.paths['/api/v1/support-cases']?.get?.security).toEqual([{ session: [] }]);
    expect(doc.components.securitySchemes.session).toMatchObject({ type: 'apiKey', in: 'cookie' });
  });
});
