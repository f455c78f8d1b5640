import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import type { Config } from '../../platform/config.js';
import { permitted } from '../../platform/http/guards.js';
import { paginationOf, readPageNumber } from '../../platform/http/pagination.js';
import { ASKED_VIA, CASE_STATUSES, OUTCOME_KINDS, SUPPORT_TOPICS } from '../vocabulary.js';
import { comparison } from '../health-checks/present.js';
import { CaseworkService } from './service.js';
import {
  OPEN_STATUSES, dateBoxes, editValues, filterValues, noteValues, openValues, outcomeValues, readAssign, readClose, readEdit, readFilter, readNote, readOpen,
  readOutcome, type EditValues, type NoteValues, type OpenValues, type OutcomeValues,
} from './form.js';
import {
  applicationItems, caseRows, caseSummary, documentItems, noteItems, options, outcomeItems, statusTag, totalTime,
} from './present.js';
import { acceptDocumentUploads, uploadedFile, ALLOWED_TYPES } from './upload.js';

const V = 'support/casework/views';
const PAGE_SIZE = 25;
type Errors = { text: string; href: string }[];
type Id = { Params: { id: string } };
const read = permitted('cases.read');
const write = permitted('cases.write');
const idOf = (request: FastifyRequest) => (request.params as { id: string }).id;

/** Support cases: the advisers' list, opening a case, its page and everything done on it. */
export async function registerCaseworkRoutes(app: FastifyInstance, deps: { db: Database; clock: Clock; config: Config }) {
  const cases = new CaseworkService(deps);
  registerCaseList(app, cases);
  registerOpeningCase(app, cases);

  app.get<Id>('/support/cases/:id', { preHandler: read }, async (request, reply) => {
    const found = await cases.view(request.actor, request.params.id);
    if (!found) return reply.callNotFound();
    const c = found.case;
    const today = cases.today();
    return reply.render(`${V}/case.njk`, {
      title: `${c.reference}: ${c.title}`, c, status: statusTag(c.status), summary: caseSummary(c, today), notes: noteItems(found.notes, c.organisation_name),
      totalTime: totalTime(found.notes), documents: documentItems(c.id, found.documents), outcomes: outcomeItems(found.outcomes),
      applications: applicationItems(c.id, found.applications), health: comparison(found.healthChecks), mine: c.adviser_user_id === request.actor!.id,
      advisers: options(found.advisers.map((a) => [a.id, a.display_name]), c.adviser_user_id ?? '', 'No one'),
    });
  });

  await registerCaseForms(app, cases);
  await registerCaseEndings(app, cases);
  await app.register(async (scope) => {
    await acceptDocumentUploads(scope, deps.config.supportDocuments.maxBytes, permitted('cases.write'));
    registerDocumentRoutes(scope, cases, deps.config.supportDocuments.maxBytes);
  });
}

/** The advisers' list of cases, filtered and paged. */
function registerCaseList(app: FastifyInstance, cases: CaseworkService) {
  app.get('/support/cases', { preHandler: read }, async (request, reply) => {
    const values = filterValues(request.query);
    const { errors, filter } = readFilter(values, request.actor!.id);
    const page = readPageNumber(request.query);
    const found = await cases.list(request.actor, filter, page, PAGE_SIZE);
    const query = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== ''));
    return reply.render(`${V}/list.njk`, {
      title: 'Support cases', values, errors: errors.any ? errors.list : undefined, total: found.total, more: found.more, rows: caseRows(found.rows, cases.today()),
      statuses: options([['active', 'Not closed'], ...Object.entries(CASE_STATUSES), ['all', 'Any status']] as [string, string][], values.status || 'active'),
      topics: options(Object.entries(SUPPORT_TOPICS), values.topic, 'Any topic'),
      advisers: options([['mine', 'Mine'], ['unassigned', 'No one yet'], ...found.advisers.map((a) => [a.id, a.display_name] as [string, string])], values.adviser, 'Anyone'),
      organisation: found.organisation,
      dues: options([['overdue', 'Overdue'], ['today', 'Due today'], ['week', 'Due within a week']], values.due, 'Any time'),
      pagination: paginationOf(page, Math.ceil(found.total / PAGE_SIZE), (n) => `/support/cases?${new URLSearchParams({ ...query, page: String(n) })}`),
    }, errors.any ? 400 : 200);
  });
}

/** Opening a case: the form and what it sends. */
function registerOpeningCase(app: FastifyInstance, cases: CaseworkService) {
  const renderOpen = async (request: FastifyRequest, reply: FastifyReply, values: OpenValues, errors?: Errors) => {
    const { advisers, organisations } = await cases.choices(request.actor);
    return reply.render(`${V}/new.njk`, {
      title: 'Open a support case', values, errors,
      organisations: options(organisations.map((o) => [o.id, o.name]), values.organisationId, 'Choose an organisation'),
      topics: Object.entries(SUPPORT_TOPICS).map(([value, text]) => ({ value, text, checked: values.topic === value })),
      askedVia: Object.entries(ASKED_VIA).filter(([v]) => v !== 'enquiry_form').map(([value, text]) => ({ value, text, checked: values.askedVia === value })),
      advisers: options([['me', 'Me'], ...advisers.filter((a) => a.id !== request.actor!.id).map((a) => [a.id, a.display_name] as [string, string])], values.adviser, 'No one yet'),
    }, errors ? 400 : 200);
  };

  app.get('/support/cases/new', { preHandler: write }, async (request, reply) => renderOpen(request, reply, openValues({ adviser: 'me' })));

  app.post('/support/cases', { preHandler: write }, async (request, reply) => {
    const values = openValues(request.body);
    const form = readOpen(values);
    const result = form.answer ? await cases.open(request.actor, form.answer) : { errors: form.errors };
    if (!result.id) return renderOpen(request, reply, values, result.errors.list);
    return reply.flash('Case opened').redirect(`/support/cases/${result.id}`, 303);
  });
}

/** Renders a form page about one case, or the not-found page when there is no such case. */
async function caseForm(cases: CaseworkService, request: FastifyRequest, reply: FastifyReply, template: string, title: string, context: Record<string, unknown>, errors?: Errors) {
  const c = await cases.find(request.actor, idOf(request));
  if (!c) return reply.callNotFound();
  return reply.render(`${V}/${template}`, { title, c, errors, ...context }, errors ? 400 : 200);
}

async function registerCaseForms(app: FastifyInstance, cases: CaseworkService) {
  const editContext = (values: EditValues) => ({
    values, topics: options(Object.entries(SUPPORT_TOPICS), values.topic),
    statuses: OPEN_STATUSES.map((s) => ({ value: s, text: CASE_STATUSES[s], checked: values.status === s })),
  });
  app.get<Id>('/support/cases/:id/edit', { preHandler: write }, async (request, reply) => {
    const c = await cases.find(request.actor, request.params.id);
    if (!c || c.status === 'closed') return reply.callNotFound();
    const values = editValues({ topic: c.topic, title: c.title, request: c.request, referredBy: c.referred_by ?? '', status: c.status, nextAction: c.next_action ?? '', ...dateBoxes('due', c.next_action_due) });
    return reply.render(`${V}/edit.njk`, { title: `Change ${c.reference}`, c, ...editContext(values) });
  });
  app.post<Id>('/support/cases/:id/edit', { preHandler: write }, async (request, reply) => {
    const values = editValues(request.body);
    const { errors, answer } = readEdit(values);
    if (!answer) return caseForm(cases, request, reply, 'edit.njk', 'Change the case', editContext(values), errors.list);
    const done = await cases.edit(request.actor, request.params.id, answer);
    if (!done) return reply.callNotFound();
    return reply.flash(done.result ? 'Case updated' : 'A closed case cannot be changed: reopen it first').redirect(`/support/cases/${request.params.id}`, 303);
  });

  app.post<Id>('/support/cases/:id/assign', { preHandler: write }, async (request, reply) => {
    const { errors, adviser } = readAssign(request.body);
    const done = errors.any ? { result: 'not_adviser' as const } : await cases.assign(request.actor, request.params.id, adviser);
    if (!done) return reply.callNotFound();
    const message = done.result === 'not_adviser' ? 'That person is not an adviser: the case was not given to them' : adviser === 'me' ? 'The case is yours' : adviser ? 'Case given to the adviser' : 'The case is no one’s now';
    return reply.flash(message).redirect(`/support/cases/${request.params.id}`, 303);
  });

  const noteContext = (values: NoteValues) => ({ values });
  app.get<Id>('/support/cases/:id/notes/new', { preHandler: write }, async (request, reply) =>
    caseForm(cases, request, reply, 'note.njk', 'Add a note', noteContext(noteValues({ ...dateBoxes('worked', cases.today()) }))));
  app.post<Id>('/support/cases/:id/notes', { preHandler: write }, async (request, reply) => {
    const values = noteValues(request.body);
    const { errors, answer } = readNote(values, cases.now());
    if (!answer) return caseForm(cases, request, reply, 'note.njk', 'Add a note', noteContext(values), errors.list);
    if (!(await cases.addNote(request.actor, request.params.id, answer))) return reply.callNotFound();
    return reply.flash('Note added').redirect(`/support/cases/${request.params.id}`, 303);
  });

}

/** Ending a case (closed with what it achieved, reopened) and the outcomes it counts. */
async function registerCaseEndings(app: FastifyInstance, cases: CaseworkService) {
  app.get<Id>('/support/cases/:id/close', { preHandler: write }, async (request, reply) => caseForm(cases, request, reply, 'close.njk', 'Close the case', { values: {} }));
  app.post<Id>('/support/cases/:id/close', { preHandler: write }, async (request, reply) => {
    const { errors, values, summary } = readClose(request.body);
    if (errors.any) return caseForm(cases, request, reply, 'close.njk', 'Close the case', { values }, errors.list);
    const done = await cases.close(request.actor, request.params.id, summary);
    if (!done) return reply.callNotFound();
    return reply.flash(done.result ? 'Case closed' : 'The case was already closed').redirect(`/support/cases/${request.params.id}`, 303);
  });
  app.post<Id>('/support/cases/:id/reopen', { preHandler: write }, async (request, reply) => {
    const done = await cases.reopen(request.actor, request.params.id);
    if (!done) return reply.callNotFound();
    return reply.flash(done.result ? 'Case reopened' : 'The case was not closed').redirect(`/support/cases/${request.params.id}`, 303);
  });

  const outcomeContext = (values: OutcomeValues) => ({ values, kinds: Object.entries(OUTCOME_KINDS).map(([value, text]) => ({ value, text, checked: values.kind === value })) });
  app.get<Id>('/support/cases/:id/outcomes/new', { preHandler: write }, async (request, reply) =>
    caseForm(cases, request, reply, 'outcome.njk', 'Record an outcome', outcomeContext(outcomeValues({}))));
  app.post<Id>('/support/cases/:id/outcomes', { preHandler: write }, async (request, reply) => {
    const values = outcomeValues(request.body);
    const { errors, answer } = readOutcome(values, cases.now());
    if (!answer) return caseForm(cases, request, reply, 'outcome.njk', 'Record an outcome', outcomeContext(values), errors.list);
    if (!(await cases.addOutcome(request.actor, request.params.id, answer))) return reply.callNotFound();
    return reply.flash('Outcome recorded').redirect(`/support/cases/${request.params.id}`, 303);
  });
}

/** A file name for the download's header: plain ASCII for old clients, the whole name encoded beside it. */
function disposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

function registerDocumentRoutes(scope: FastifyInstance, cases: CaseworkService, maxBytes: number) {
  const limit = `${Math.floor(maxBytes / (1024 * 1024))} MB`;
  scope.get<Id>('/support/cases/:id/documents/new', { preHandler: write }, async (request, reply) =>
    caseForm(cases, request, reply, 'document.njk', 'Upload a document', { allowed: ALLOWED_TYPES, limit }));
  scope.post<Id>('/support/cases/:id/documents', { preHandler: write }, async (request, reply) => {
    const done = await cases.addDocument(request.actor, request.params.id, uploadedFile(request));
    if (!done) return reply.callNotFound();
    if ('problem' in done.result) {
      return caseForm(cases, request, reply, 'document.njk', 'Upload a document', { allowed: ALLOWED_TYPES, limit }, [{ text: done.result.problem, href: '#file' }]);
    }
    return reply.flash('Document uploaded').redirect(`/support/cases/${request.params.id}#documents`, 303);
  });
  scope.get<{ Params: { id: string; documentId: string } }>('/support/cases/:id/documents/:documentId', { preHandler: read }, async (request, reply) => {
    const doc = await cases.document(request.actor, request.params.id, request.params.documentId);
    if (!doc) return reply.callNotFound();
    // Never shown in the app's own origin as a page: a download, its type not guessed, and sandboxed if opened anyway.
    return reply.type(doc.mediaType).header('content-disposition', disposition(doc.fileName)).header('x-content-type-options', 'nosniff')
      .header('content-security-policy', 'sandbox').header('cache-control', 'no-store').send(doc.bytes);
  });
  scope.post<{ Params: { id: string; documentId: string } }>('/support/cases/:id/documents/:documentId/delete', { preHandler: write }, async (request, reply) => {
    const done = await cases.deleteDocument(request.actor, request.params.id, request.params.documentId);
    if (!done) return reply.callNotFound();
    return reply.flash(`Document deleted: ${done.result!.file_name}`).redirect(`/support/cases/${request.params.id}#documents`, 303);
  });
}
