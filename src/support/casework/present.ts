import type { CaseStatus } from '../../platform/db/support-schema.js';
import { formatUkPhone } from '../../platform/validation/phones.js';
import { ASKED_VIA, CASE_STATUSES, FUNDING_APPLICATION_STATUSES, OUTCOME_KINDS, SUPPORT_TOPICS } from '../vocabulary.js';
import { moneyText } from '../../platform/money.js';
import type { CaseRow } from './repository.js';

/** A calendar day as people read it: '7 Dec 2026'. */
export function dayText(day: string | null | undefined): string {
  if (!day) return '';
  return new Date(`${day}T12:00:00Z`).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
}

/** Minutes as people say them: '1 hour 30 minutes'. */
export function timeText(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  const parts = [h ? `${h} ${h === 1 ? 'hour' : 'hours'}` : '', m ? `${m} ${m === 1 ? 'minute' : 'minutes'}` : ''].filter(Boolean);
  return parts.length ? parts.join(' ') : 'No time recorded';
}

const STATUS_CLASSES: Record<CaseStatus, string> = { new: 'govuk-tag--blue', open: 'govuk-tag--green', waiting_on_group: 'govuk-tag--yellow', closed: 'govuk-tag--grey' };
export const statusTag = (status: CaseStatus) => ({ text: CASE_STATUSES[status], classes: STATUS_CLASSES[status] });

/** When the next action is due, in words that stand out when it is today or past. */
export function dueText(due: string | null | undefined, status: CaseStatus, today: string): { text: string; overdue: boolean; today: boolean } {
  if (!due || status === 'closed') return { text: '', overdue: false, today: false };
  return { text: dayText(due), overdue: due < today, today: due === today };
}

export function caseRows(rows: { id: string; reference: string; title: string; topic: keyof typeof SUPPORT_TOPICS; status: CaseStatus; next_action: string | null;
  next_action_due: string | null; organisation_name: string; adviser_name: string | null }[], today: string) {
  return rows.map((r) => ({
    href: `/support/cases/${r.id}`, reference: r.reference, title: r.title, organisation: r.organisation_name, topic: SUPPORT_TOPICS[r.topic],
    status: statusTag(r.status), adviser: r.adviser_name ?? 'No one yet', nextAction: r.next_action ?? '', due: dueText(r.next_action_due, r.status, today),
  }));
}

const sizeText = (bytes: number) => (bytes < 1024 ? `${bytes} bytes` : bytes < 1024 * 1024 ? `${Math.round(bytes / 1024)} KB` : `${(bytes / (1024 * 1024)).toFixed(1)} MB`);

/** The summary of a case for its page. */
export function caseSummary(c: CaseRow, today: string) {
  const due = dueText(c.next_action_due, c.status, today);
  const contact = [...(c.asked_by_emails ?? []), ...(c.asked_by_phones ?? []).map(formatUkPhone)].join(', ');
  const rows: [string, string][] = [
    ['Organisation', c.organisation_name],
    ['Topic', SUPPORT_TOPICS[c.topic]],
    ['Asked', `${dayText(c.opened_on)}, by ${ASKED_VIA[c.asked_via].toLowerCase()}${c.referred_by ? ` (referred by ${c.referred_by})` : ''}`],
    ['Who asked', [c.asked_by_name, contact].filter(Boolean).join(', ') || 'Not recorded'],
    ['What they asked for', c.request],
    ['Adviser', c.adviser_name ?? 'No one yet'],
    ['Next action', c.next_action ? `${c.next_action}${due.text ? `, due ${due.text}${due.overdue ? ' (overdue)' : ''}` : ''}` : 'None set'],
  ];
  if (c.status === 'closed') rows.push(['Closed', `${dayText(c.closed_on)}: ${c.closing_summary ?? ''}`]);
  return rows.map(([key, value]) => ({ key: { text: key }, value: { text: value } }));
}

export function noteItems(notes: { id: string; body: string; minutes_spent: number; worked_on: string; shared_with_group: boolean; from_group: boolean; author_name: string | null }[], organisationName: string) {
  return notes.map((n) => ({
    id: n.id, body: n.body, on: dayText(n.worked_on), by: n.from_group ? `${n.author_name ?? 'The group'}, ${organisationName}` : n.author_name ?? 'Former user',
    time: n.from_group ? '' : timeText(n.minutes_spent), label: n.from_group ? 'Message from the group' : n.shared_with_group ? 'Shared with the group' : 'Advisers only',
  }));
}

export const totalTime = (notes: { minutes_spent: number }[]) => timeText(notes.reduce((sum, n) => sum + n.minutes_spent, 0));

export function documentItems(caseId: string, docs: { id: string; file_name: string; size_bytes: number; created_at: Date; uploaded_by: string | null }[]) {
  return docs.map((d) => ({ id: d.id, name: d.file_name, href: `/support/cases/${caseId}/documents/${d.id}`, size: sizeText(d.size_bytes), by: d.uploaded_by ?? 'Former user', on: d.created_at }));
}

export function outcomeItems(outcomes: { kind: keyof typeof OUTCOME_KINDS; detail: string | null; achieved_on: string }[]) {
  return outcomes.map((o) => ({ kind: OUTCOME_KINDS[o.kind], detail: o.detail ?? '', on: dayText(o.achieved_on) }));
}

export function applicationItems(caseId: string, apps: { id: string; funder_name: string; programme: string | null; amount_requested: string; status: keyof typeof FUNDING_APPLICATION_STATUSES;
  submitted_on: string | null; decision_on: string | null; amount_awarded: string | null }[]) {
  return apps.map((a) => ({
    href: `/support/cases/${caseId}/applications/${a.id}`, funder: a.programme ? `${a.funder_name}: ${a.programme}` : a.funder_name,
    requested: moneyText(a.amount_requested), status: FUNDING_APPLICATION_STATUSES[a.status], awarded: moneyText(a.amount_awarded),
    dates: [a.submitted_on ? `Submitted ${dayText(a.submitted_on)}` : '', a.decision_on ? `Decided ${dayText(a.decision_on)}` : ''].filter(Boolean).join(', '),
  }));
}

/** Select items with one chosen; `blank` adds a first, empty choice. */
export function options(entries: [string, string][], chosen: string, blank?: string) {
  return [...(blank === undefined ? [] : [{ value: '', text: blank, selected: chosen === '' }]), ...entries.map(([value, text]) => ({ value, text, selected: value === chosen }))];
}
