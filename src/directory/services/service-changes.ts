import type { FieldError } from '../../platform/http/forms.js';
import { FormErrors } from '../../platform/http/forms.js';
import { modesText, sortModes } from './delivery-modes.js';
import type { HsdsService, ServiceWrite } from './repository.js';
import { DAYS, type ServiceFormValues } from './form.js';
import { statusText } from './present.js';

/**
 * A group member's proposed change to one of their organisation's services, as the listing change stores it:
 * field by field, from → to, in normalised values (what the record would hold), so that staff read a clear diff
 * and approval replays exactly what was proposed through the staff update path.
 *
 * A group describes its service (what, how, when, who for, how to get in touch); venues, categories, sessions
 * and costs stay with the LIO's staff, who know the venues and keep the taxonomy consistent.
 */
export const MEMBER_SERVICE_FIELDS = [
  'name', 'description', 'status', 'deliveryModes', 'url', 'email', 'phone', 'minimumAge', 'maximumAge', 'languages', 'serviceAreas', 'opening',
] as const;
export type MemberServiceField = typeof MEMBER_SERVICE_FIELDS[number];

export const SERVICE_FIELD_LABELS: Record<MemberServiceField, string> = {
  name: 'Name', description: 'Description', status: 'Status', deliveryModes: 'How it is delivered', url: 'Website', email: 'Email address',
  phone: 'Phone number', minimumAge: 'From age', maximumAge: 'To age', languages: 'Languages spoken', serviceAreas: 'Areas served', opening: 'Opening times',
};

type OpeningRow = { day: string; opens: string; closes: string };
export type ServiceSnapshot = {
  name: string; description: string; status: string; deliveryModes: string[]; url: string | null; email: string | null; phone: string | null;
  minimumAge: number | null; maximumAge: number | null; languages: string[]; serviceAreas: string[]; opening: OpeningRow[];
};
export type ServiceChangeSet = Partial<Record<MemberServiceField, { from: unknown; to: unknown }>>;

const dayIndex = (day: string) => DAYS.findIndex((d) => d.value === day);
// Rows typed in another order are the same opening times: compare and store them in the week's order.
const weekOrder = (rows: OpeningRow[]) => [...rows].sort((a, b) => dayIndex(a.day) - dayIndex(b.day) || a.opens.localeCompare(b.opens) || a.closes.localeCompare(b.closes));

/** What the service holds now, in the member's fields. */
export function snapshotOfService(s: HsdsService): ServiceSnapshot {
  const hhmm = (t: string | null) => (t ?? '').slice(0, 5);
  return {
    name: s.name, description: s.description, status: s.status, deliveryModes: sortModes(s.delivery_modes), url: s.url, email: s.email,
    phone: s.phones[0]?.number ?? null, minimumAge: s.minimum_age, maximumAge: s.maximum_age,
    languages: s.languages.map((l) => l.name ?? l.code ?? '').filter(Boolean), serviceAreas: s.service_areas.map((a) => a.name ?? '').filter(Boolean),
    opening: weekOrder(s.schedules.filter((x) => x.freq === 'WEEKLY' && x.byday)
      .flatMap((x) => x.byday!.split(',').map((day) => ({ day: day.trim(), opens: hhmm(x.opens_at), closes: hhmm(x.closes_at) })))),
  };
}

/** What the service would hold after a checked write, in the member's fields. */
export function snapshotOfWrite(w: ServiceWrite): ServiceSnapshot {
  return {
    name: w.name, description: w.description, status: w.status, deliveryModes: w.deliveryModes, url: w.url, email: w.email, phone: w.phone,
    minimumAge: w.minimumAge, maximumAge: w.maximumAge, languages: w.languages.map((l) => l.name), serviceAreas: w.serviceAreas, opening: weekOrder(w.opening),
  };
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

export function diffService(before: ServiceSnapshot, after: ServiceSnapshot): ServiceChangeSet {
  const changes: ServiceChangeSet = {};
  for (const f of MEMBER_SERVICE_FIELDS) if (!same(before[f], after[f])) changes[f] = { from: before[f], to: after[f] };
  return changes;
}

/** The form's values with the proposed values in place: to show a proposal waiting, and to apply an approved one. */
export function withProposal(values: ServiceFormValues, changes: ServiceChangeSet): ServiceFormValues {
  const out: ServiceFormValues = { ...values };
  const text = (v: unknown) => (v === null || v === undefined ? '' : String(v));
  for (const [field, change] of Object.entries(changes) as [MemberServiceField, { to: unknown }][]) {
    const to = change.to;
    switch (field) {
      case 'deliveryModes': out.deliveryModes = [...(to as string[])]; break;
      case 'languages': case 'serviceAreas': out[field] = (to as string[]).join(', '); break;
      case 'opening': out.opening = (to as OpeningRow[]).map((r) => ({ ...r })); break;
      default: out[field] = text(to);
    }
  }
  return out;
}

/** The member's fields from their form, over the rest of the record as it stands. */
export function withMemberFields(current: ServiceFormValues, typed: ServiceFormValues): ServiceFormValues {
  const out: ServiceFormValues = { ...current };
  for (const f of MEMBER_SERVICE_FIELDS) (out as unknown as Record<string, unknown>)[f] = typed[f];
  return out;
}

/**
 * The member's proposal is checked on their fields alone: the parts staff keep (categories, sessions, costs, venue
 * notes) are left out, so that a fault there (from an import, say) neither blocks the group nor shows them an error
 * they cannot reach. Approval checks the whole record again.
 */
export function forMemberCheck(values: ServiceFormValues): ServiceFormValues {
  return { ...values, termIds: [], sessions: [], costs: [], isFree: 'yes', feesDescription: '', locationAccessibility: {}, changedOn: '' };
}

const MEMBER_ERROR_FIELD = /^(name|description|status|deliveryModes|url|email|phone|minimumAge|maximumAge|languages|serviceAreas|opening(Day|Opens|Closes)-\d+)$/;

/** The errors a member can act on, each pointing at a field of their form. */
export function memberErrors(errors: FieldError[], modesChanged: boolean, lioName: string): FormErrors {
  const out = new FormErrors();
  for (const e of errors) {
    const field = e.href.slice(1);
    if (MEMBER_ERROR_FIELD.test(field)) out.add(field, e.text);
    // Venues are the LIO's to record: a group choosing "in person" for a service with none is told who to ask.
    else if (field === 'locationIds' && modesChanged) {
      out.add('deliveryModes', `${lioName} has no venue recorded for this service: ask them to add it before choosing in person, or choose another way it is delivered`);
    }
  }
  return out;
}

function display(field: string, value: unknown): string {
  if (value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) return '';
  switch (field) {
    case 'status': return statusText(String(value));
    case 'deliveryModes': return modesText(value as string[]);
    case 'opening': return (value as OpeningRow[]).map((r) => `${DAYS[dayIndex(r.day)]?.text ?? r.day}s, ${r.opens} to ${r.closes}`).join('; ');
    default: return Array.isArray(value) ? value.join(', ') : String(value);
  }
}

/** Rows for the from → to table (listing-changes/views/diff.njk); `current` flags a field staff changed since. */
export function serviceDiffRows(changes: ServiceChangeSet, current?: ServiceSnapshot) {
  const order = (f: string) => (MEMBER_SERVICE_FIELDS as readonly string[]).indexOf(f);
  return (Object.entries(changes) as [MemberServiceField, { from: unknown; to: unknown }][]).sort(([a], [b]) => order(a) - order(b)).map(([field, change]) => ({
    field, label: SERVICE_FIELD_LABELS[field] ?? field, from: display(field, change.from), to: display(field, change.to),
    changedSince: current !== undefined && !same(current[field], change.from), current: current ? display(field, current[field]) : '',
  }));
}

export const changedServiceFields = (changes: ServiceChangeSet) => (Object.keys(changes) as MemberServiceField[]).map((f) => SERVICE_FIELD_LABELS[f] ?? f);
