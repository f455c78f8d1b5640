import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { Database } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import type { Config } from '../../platform/config.js';
import { ApiIdParams, SESSION_ONLY, apiCallerOf, apiErrors, type ApiRouteConfig } from '../../platform/http/json-api.js';
import { publicOrigin } from '../../platform/tenancy.js';
import { ASKED_VIA, CASE_STATUSES, OUTCOME_KINDS, SUPPORT_TOPICS } from '../vocabulary.js';
import { CaseworkService } from './service.js';
import { readFilter } from './form.js';
import type { CaseRow } from './repository.js';

const oneOf = (codes: string[], options: { description: string }) => Type.Union(codes.map((k) => Type.Literal(k)), options);
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Day = Type.String({ format: 'date' });

const CaseSummary = Type.Object({
  id: Type.String({ format: 'uuid' }), reference: Type.String({ description: 'As people say it: SC-0042' }), title: Type.String(),
  topic: oneOf(Object.keys(SUPPORT_TOPICS), { description: 'What the support is about' }),
  status: oneOf(Object.keys(CASE_STATUSES), { description: 'new, open, waiting_on_group or closed' }),
  organisation: Type.Object({ id: Type.String({ format: 'uuid' }), name: Type.String() }),
  adviser: Nullable(Type.String({ description: 'The adviser\'s name; null while no one has taken the case' })),
  next_action: Nullable(Type.String()), next_action_due: Nullable(Day), opened_on: Day,
  url: Type.String({ description: 'The case\'s page for staff' }),
}, { $id: 'SupportCaseSummary', description: 'A support case as the staff list shows it' });

const SupportCase = Type.Object({
  ...CaseSummary.properties,
  request: Type.String({ description: 'What the group asked for' }),
  asked_via: oneOf(Object.keys(ASKED_VIA), { description: 'How the group asked' }),
  asked_by: Nullable(Type.String({ description: 'The name of the person who asked (their contact details stay in the app)' })),
  referred_by: Nullable(Type.String()), closed_on: Nullable(Day), closing_summary: Nullable(Type.String()),
  notes: Type.Object({
    count: Type.Integer(), minutes_spent: Type.Integer({ description: 'The time recorded on the case, in all' }),
    last_worked_on: Nullable(Day), shared_with_group: Type.Integer({ description: 'How many of them the group can read' }),
  }, { description: 'A summary of the notes: their text stays in the app' }),
  outcomes: Type.Array(Type.Object({ kind: oneOf(Object.keys(OUTCOME_KINDS), { description: 'What the support achieved' }), detail: Nullable(Type.String()), achieved_on: Day })),
}, { $id: 'SupportCase', description: 'A support case with its notes\' summary and its outcomes' });

const CaseQuery = Type.Object({
  status: Type.Optional(oneOf(['active', 'all', ...Object.keys(CASE_STATUSES)], { description: 'active (every case not closed, the default), all, or one status' })),
  topic: Type.Optional(oneOf(Object.keys(SUPPORT_TOPICS), { description: 'A topic code' })),
  adviser: Type.Optional(Type.String({ maxLength: 36, description: 'An adviser\'s account id, unassigned, or mine (the signed-in adviser)' })),
  organisation: Type.Optional(Type.String({ format: 'uuid', description: 'One organisation\'s cases' })),
  organisation_name: Type.Optional(Type.String({ maxLength: 200, description: 'Words of the organisation\'s name' })),
  due: Type.Optional(oneOf(['today', 'overdue', 'week'], { description: 'When the next action is due (cases not closed)' })),
  q: Type.Optional(Type.String({ maxLength: 200, description: 'A reference (sc42, SC-0042) or words of the title' })),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000, default: 1 })),
  per_page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 25 })),
}, { additionalProperties: false });

/** The API's names for the list's fields where they differ from the staff page's form. */
const API_FIELD: Record<string, string> = { organisationName: 'organisation_name' };

// Advisers' notes and cases are for those who may read cases: a signed-in adviser's session, never a token.
const config: ApiRouteConfig = { permission: 'cases.read' };

/** Support cases in the JSON API (/api/v1/support-cases): the staff list with its filters, and one case; reads only. */
export async function registerCaseworkApi(app: FastifyInstance, deps: { db: Database; clock: Clock; config: Config }) {
  const cases = new CaseworkService(deps);
  const origin = (request: FastifyRequest) => publicOrigin(request.lio, request, deps.config.baseUrl);
  app.addSchema(CaseSummary);
  app.addSchema(SupportCase);
  const tags = ['Support cases'];

  app.get('/support-cases', {
    config,
    schema: {
      operationId: 'listSupportCases', summary: 'Support cases, due first, with the staff list\'s filters', tags, security: SESSION_ONLY, querystring: CaseQuery,
      response: { 200: Type.Object({
        total: Type.Integer({ description: 'Matches, counted up to 2,000' }), more: Type.Boolean({ description: 'More than 2,000 match: narrow the filters' }),
        page: Type.Integer(), per_page: Type.Integer(), items: Type.Array(Type.Ref('SupportCaseSummary')),
      }, { description: 'One page of cases' }), ...apiErrors },
    },
  }, async (request, reply) => {
    const q = request.query as Static<typeof CaseQuery>;
    const { errors, filter } = readFilter({
      status: q.status ?? '', topic: q.topic ?? '', adviser: q.adviser ?? '', organisation: q.organisation ?? '', organisationName: q.organisation_name ?? '', due: q.due ?? '', q: q.q ?? '',
    }, request.actor!.id);
    if (errors.any) return badRequest(reply, errors.list.map((e) => ({ field: API_FIELD[e.href.slice(1)] ?? e.href.slice(1), message: e.text })));
    const page = q.page ?? 1;
    const perPage = q.per_page ?? 25;
    const found = await cases.listOf(request.lio.id, filter, page, perPage);
    const base = origin(request);
    return {
      total: found.total, more: found.more, page, per_page: perPage,
      items: found.rows.map((r) => ({
        id: r.id, reference: r.reference, title: r.title, topic: r.topic, status: r.status, organisation: { id: r.organisation_id, name: r.organisation_name },
        adviser: r.adviser_name, next_action: r.next_action, next_action_due: r.next_action_due, opened_on: r.opened_on, url: `${base}/support/cases/${r.id}`,
      })),
    };
  });

  app.get('/support-cases/:id', {
    config,
    schema: {
      operationId: 'getSupportCase', summary: 'One support case with its notes\' summary and outcomes (the view is audited)', tags, security: SESSION_ONLY,
      params: ApiIdParams, response: { 200: Type.Ref('SupportCase', { description: 'The case' }), ...apiErrors },
    },
  }, async (request, reply) => {
    const found = await cases.record(request.lio.id, apiCallerOf(request), (request.params as Static<typeof ApiIdParams>).id, 'api');
    if (!found) return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: 'No support case with that id' });
    return caseJson(found.case, found.notes, found.outcomes, origin(request));
  });
}

function badRequest(reply: { code(n: number): { send(body: unknown): unknown } }, fields: { field: string; message: string }[]) {
  return reply.code(400).send({ statusCode: 400, error: 'Bad Request', message: fields.map((f) => `${f.field}: ${f.message}`).join('; '), fields });
}

function caseJson(c: CaseRow, notes: { minutes_spent: number; worked_on: string; shared_with_group: boolean }[], outcomes: { kind: string; detail: string | null; achieved_on: string }[], base: string) {
  return {
    id: c.id, reference: c.reference, title: c.title, topic: c.topic, status: c.status, organisation: { id: c.organisation_id, name: c.organisation_name },
    adviser: c.adviser_name, next_action: c.next_action, next_action_due: c.next_action_due, opened_on: c.opened_on, url: `${base}/support/cases/${c.id}`,
    request: c.request, asked_via: c.asked_via, asked_by: c.asked_by_name, referred_by: c.referred_by, closed_on: c.closed_on, closing_summary: c.closing_summary,
    notes: {
      count: notes.length, minutes_spent: notes.reduce((sum, n) => sum + n.minutes_spent, 0),
      last_worked_on: notes.reduce<string | null>((last, n) => (last === null || n.worked_on > last ? n.worked_on : last), null),
      shared_with_group: notes.filter((n) => n.shared_with_group).length,
    },
    outcomes: outcomes.map((o) => ({ kind: o.kind, detail: o.detail, achieved_on: o.achieved_on })),
  };
}
