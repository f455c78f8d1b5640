import { FormErrors, checkEmail, checkText, str } from '../../platform/http/forms.js';
import { isUuid } from '../../platform/validation/ids.js';
import { readDate } from '../../platform/validation/dates.js';
import { normaliseUkPhone } from '../../platform/validation/phones.js';
import type { CaseAskedVia, CaseStatus, OutcomeKind, SupportTopic } from '../../platform/db/support-schema.js';
import { ASKED_VIA, OUTCOME_KINDS, SUPPORT_TOPICS } from '../vocabulary.js';
import type { CaseFilter } from './repository.js';

type Values<F extends readonly string[]> = Record<F[number], string>;
const valuesOf = <F extends readonly string[]>(fields: F, body: unknown) => Object.fromEntries(fields.map((f) => [f, str(body, f)])) as Values<F>;
const dateParts = (v: Record<string, string>, field: string) => ({ day: v[`${field}-day`] ?? '', month: v[`${field}-month`] ?? '', year: v[`${field}-year`] ?? '' });
/** A day as the three boxes of a date input show it. */
export const dateBoxes = (field: string, day: string | null | undefined) => {
  const [year = '', month = '', d = ''] = day ? day.split('-') : [];
  return { [`${field}-day`]: d ? String(Number(d)) : '', [`${field}-month`]: month ? String(Number(month)) : '', [`${field}-year`]: year };
};

const isTopic = (v: string): v is SupportTopic => Object.hasOwn(SUPPORT_TOPICS, v);

// --- Opening a case (taken by phone, e-mail, in person or by referral) ---

const OPEN_FIELDS = ['organisationId', 'topic', 'title', 'request', 'askedVia', 'referredBy', 'askerName', 'askerEmail', 'askerPhone', 'adviser',
  'nextAction', 'due-day', 'due-month', 'due-year'] as const;
export type OpenValues = Values<typeof OPEN_FIELDS>;
export const openValues = (body: unknown): OpenValues => valuesOf(OPEN_FIELDS, body);

export interface OpenAnswer {
  organisationId: string; topic: SupportTopic; title: string; request: string; askedVia: CaseAskedVia; referredBy: string | null;
  asker: { name: string; email: string | null; phone: string | null }; adviser: string | null; nextAction: string | null; nextActionDue: string | null;
}

/**
 * A case staff open for a group: the organisation, the topic, what was asked and how, and who asked (a name and an
 * e-mail address or phone number, so the adviser can get back to them). The adviser is 'me', another adviser, or none.
 */
export function readOpen(v: OpenValues): { errors: FormErrors; answer?: OpenAnswer } {
  const errors = new FormErrors();
  if (!isUuid(v.organisationId)) errors.add('organisationId', 'Choose the organisation that asked for support');
  if (!isTopic(v.topic)) errors.add('topic', 'Choose what the support is about');
  checkText(errors, 'title', v.title, 'a short title for the case', 200);
  checkText(errors, 'request', v.request, 'what the group asked for', 10_000);
  const askedVia = v.askedVia as CaseAskedVia;
  if (!Object.hasOwn(ASKED_VIA, v.askedVia) || askedVia === 'enquiry_form') errors.add('askedVia', 'Choose how the group asked');
  checkText(errors, 'referredBy', v.referredBy, 'who referred them', 200, askedVia === 'referral');
  checkText(errors, 'askerName', v.askerName, 'the name of the person who asked', 200);
  if (v.askerEmail) checkEmail(errors, 'askerEmail', v.askerEmail);
  const phone = v.askerPhone ? normaliseUkPhone(v.askerPhone) : null;
  if (v.askerPhone && !phone) errors.add('askerPhone', 'Enter a UK phone number, like 01632 960 001 or 07700 900 982');
  if (!v.askerEmail && !v.askerPhone) errors.add('askerEmail', 'Enter an email address or a phone number for the person who asked');
  if (v.adviser && v.adviser !== 'me' && !isUuid(v.adviser)) errors.add('adviser', 'Choose an adviser from the list');
  const next = readNextAction(errors, v);
  if (errors.any || !isTopic(v.topic)) return { errors };
  return { errors, answer: {
    organisationId: v.organisationId, topic: v.topic, title: v.title, request: v.request, askedVia, referredBy: askedVia === 'referral' ? v.referredBy : null,
    asker: { name: v.askerName, email: v.askerEmail ? v.askerEmail.toLowerCase() : null, phone }, adviser: v.adviser || null, ...next,
  } };
}

/** The next action and its due date go together: a date without an action says nothing to do. */
function readNextAction(errors: FormErrors, v: { nextAction: string; 'due-day': string; 'due-month': string; 'due-year': string }) {
  checkText(errors, 'nextAction', v.nextAction, 'the next action', 500, false);
  const due = readDate(errors, 'due', dateParts(v, 'due'), 'the due date', { required: false, notBefore: new Date(Date.UTC(2000, 0, 1)) });
  if (due && !v.nextAction) errors.add('nextAction', 'Enter the next action, or leave the due date empty');
  return { nextAction: v.nextAction || null, nextActionDue: due };
}

// --- Editing a case ---

const EDIT_FIELDS = ['topic', 'title', 'request', 'referredBy', 'status', 'nextAction', 'due-day', 'due-month', 'due-year'] as const;
export type EditValues = Values<typeof EDIT_FIELDS>;
export const editValues = (body: unknown): EditValues => valuesOf(EDIT_FIELDS, body);

/** A case not closed is new (no one has taken it up), open, or waiting on the group (the next action is theirs). */
export const OPEN_STATUSES: readonly CaseStatus[] = ['new', 'open', 'waiting_on_group'];

export function readEdit(v: EditValues) {
  const errors = new FormErrors();
  if (!isTopic(v.topic)) errors.add('topic', 'Choose what the support is about');
  checkText(errors, 'title', v.title, 'a short title for the case', 200);
  checkText(errors, 'request', v.request, 'what the group asked for', 10_000);
  checkText(errors, 'referredBy', v.referredBy, 'who referred them', 200, false);
  if (!OPEN_STATUSES.includes(v.status as CaseStatus)) errors.add('status', 'Choose where the case stands (close it with the close button)');
  const next = readNextAction(errors, v);
  if (errors.any || !isTopic(v.topic)) return { errors };
  return { errors, answer: { topic: v.topic, title: v.title, request: v.request, referred_by: v.referredBy || null, status: v.status as CaseStatus, next_action: next.nextAction, next_action_due: next.nextActionDue } };
}

// --- A note with the time it took ---

const NOTE_FIELDS = ['body', 'hours', 'minutes', 'worked-day', 'worked-month', 'worked-year', 'shared'] as const;
export type NoteValues = Values<typeof NOTE_FIELDS>;
export const noteValues = (body: unknown): NoteValues => valuesOf(NOTE_FIELDS, body);

/** What was done, how long it took (up to a whole day) and the day it was done (not in the future). */
export function readNote(v: NoteValues, now: Date) {
  const errors = new FormErrors();
  checkText(errors, 'body', v.body, 'what was done or said', 10_000);
  const hours = v.hours === '' ? 0 : Number(v.hours);
  const minutes = v.minutes === '' ? 0 : Number(v.minutes);
  if (!/^\d{0,2}$/.test(v.hours) || hours > 24) errors.add('hours', 'Hours must be a whole number from 0 to 24');
  else if (!/^\d{0,2}$/.test(v.minutes) || minutes > 59) errors.add('minutes', 'Minutes must be a whole number from 0 to 59');
  else if (hours * 60 + minutes > 24 * 60) errors.add('hours', 'The time spent must be 24 hours or less');
  const workedOn = readDate(errors, 'worked', dateParts(v, 'worked'), 'the day the work was done', { required: true, notAfter: now, notBefore: new Date(Date.UTC(2000, 0, 1)) });
  if (errors.any || !workedOn) return { errors };
  return { errors, answer: { body: v.body, minutes: hours * 60 + minutes, workedOn, shared: v.shared === 'yes' } };
}

// --- Closing, outcomes, assigning ---

export function readClose(body: unknown) {
  const errors = new FormErrors();
  const summary = str(body, 'closingSummary');
  checkText(errors, 'closingSummary', summary, 'what the support achieved', 5000);
  return { errors, values: { closingSummary: summary }, summary };
}

const OUTCOME_FIELDS = ['kind', 'detail', 'achieved-day', 'achieved-month', 'achieved-year'] as const;
export type OutcomeValues = Values<typeof OUTCOME_FIELDS>;
export const outcomeValues = (body: unknown): OutcomeValues => valuesOf(OUTCOME_FIELDS, body);

export function readOutcome(v: OutcomeValues, now: Date) {
  const errors = new FormErrors();
  if (!Object.hasOwn(OUTCOME_KINDS, v.kind)) errors.add('kind', 'Choose the outcome');
  checkText(errors, 'detail', v.detail, 'the detail', 2000, v.kind === 'other');
  const achievedOn = readDate(errors, 'achieved', dateParts(v, 'achieved'), 'the date it was achieved', { required: true, notAfter: now, notBefore: new Date(Date.UTC(2000, 0, 1)) });
  if (errors.any || !achievedOn) return { errors };
  return { errors, answer: { kind: v.kind as OutcomeKind, detail: v.detail || null, achievedOn } };
}

/** Whom to give the case to: 'me', an adviser's account, or '' for no one. */
export function readAssign(body: unknown) {
  const errors = new FormErrors();
  const adviser = str(body, 'adviser');
  if (adviser && adviser !== 'me' && !isUuid(adviser)) errors.add('adviser', 'Choose an adviser from the list');
  return { errors, adviser };
}

// --- The list's filters ---

const FILTER_FIELDS = ['status', 'topic', 'adviser', 'organisation', 'organisationName', 'due', 'q'] as const;
export type FilterValues = Values<typeof FILTER_FIELDS>;
export const filterValues = (query: unknown): FilterValues => valuesOf(FILTER_FIELDS, query);

/**
 * The list's filters as the repository takes them. A value that is not one of the choices (an old bookmark, a typing
 * slip) is an error shown above the list, and that filter is left off rather than the list refused.
 */
export function readFilter(v: FilterValues, actorId: string): { errors: FormErrors; filter: CaseFilter } {
  const errors = new FormErrors();
  const statuses = ['', 'active', 'all', ...OPEN_STATUSES, 'closed'];
  if (!statuses.includes(v.status)) errors.add('status', 'Choose a status from the list');
  if (v.topic && !isTopic(v.topic)) errors.add('topic', 'Choose a topic from the list');
  if (v.adviser && !['mine', 'unassigned'].includes(v.adviser) && !isUuid(v.adviser)) errors.add('adviser', 'Choose an adviser from the list');
  if (v.organisation && !isUuid(v.organisation)) errors.add('organisation', 'Choose an organisation from the list');
  if (v.due && !['today', 'overdue', 'week'].includes(v.due)) errors.add('due', 'Choose when the next action is due from the list');
  if (v.organisationName.length > 200) errors.add('organisationName', 'The organisation’s name must be 200 characters or fewer');
  if (v.q.length > 200) errors.add('q', 'The search must be 200 characters or fewer');
  const ok = (field: string) => !errors.list.some((e) => e.href === `#${field}`);
  return { errors, filter: {
    status: ok('status') && v.status ? (v.status as CaseFilter['status']) : 'active',
    topic: ok('topic') && v.topic ? (v.topic as SupportTopic) : null,
    adviser: !ok('adviser') || !v.adviser ? null : v.adviser === 'mine' ? actorId : v.adviser,
    organisationId: ok('organisation') && v.organisation ? v.organisation : null,
    organisationName: ok('organisationName') ? v.organisationName : '',
    due: ok('due') && v.due ? (v.due as CaseFilter['due']) : null,
    q: ok('q') ? v.q : '',
  } };
}
