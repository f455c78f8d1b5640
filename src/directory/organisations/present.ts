import type { OrganisationType } from '../../platform/db/directory-schema.js';
import {
  GROUPS_SERVED, INCOME_BANDS, MEMBERSHIP, ORGANISATION_FIELDS, ORGANISATION_TYPES, RELATIONSHIPS, STATUSES, THEMES, codesOf, fieldLabel, groupCode, sameValue, themeCode,
  type ChangeSet, type IncomeBand, type Membership, type OrganisationField, type OrganisationInput, type OrganisationStatus, type Relationship,
} from './record.js';
import { paginationOf } from '../../platform/http/pagination.js';
import { SORTS, type FormValues, type RegisterSearchValues } from './form.js';
import type { organisationsRepository } from './repository.js';
import type { LikelyDuplicate } from './duplicates.js';

// How organisation records are shown: values as people read them, change tables, and the form's choices.

/** A value as a person reads it: labels for codes, lists joined, yes or no. */
export function displayValue(field: string, value: unknown): string {
  if (value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) return '';
  switch (field) {
    case 'organisation_type': return ORGANISATION_TYPES[value as OrganisationType] ?? String(value);
    case 'income_band': return INCOME_BANDS[value as IncomeBand] ?? String(value);
    case 'membership': return MEMBERSHIP[value as Membership] ?? String(value);
    case 'status': return STATUSES[value as OrganisationStatus] ?? String(value);
    case 'relationship': return RELATIONSHIPS[value as Relationship] ?? String(value);
    case 'consent_to_publish': return value ? 'Yes' : 'No';
    case 'groups_served': return (value as string[]).map((g) => GROUPS_SERVED[g] ?? g).join(', ');
    case 'themes': return (value as string[]).map((t) => THEMES[t] ?? t).join(', ');
    case 'staff_count': case 'volunteer_count': return Number(value).toLocaleString('en-GB');
    default: return Array.isArray(value) ? value.join(', ') : String(value);
  }
}

/** The record as a GOV.UK summary list, every field in the order of the form. */
export function summaryRows(input: OrganisationInput) {
  return ORGANISATION_FIELDS.map((f) => ({ key: { text: fieldLabel(f) }, value: { text: displayValue(f, input[f]) || 'Not given' } }));
}

/** Rows for a from → to table. `current` adds what the record holds now, when it has moved on since. */
export function diffRows(changes: ChangeSet | Record<string, { from: unknown; to: unknown }>, current?: OrganisationInput) {
  // jsonb keeps keys in its own order: show them in the order of the form.
  const order = (f: string) => { const i = (ORGANISATION_FIELDS as readonly string[]).indexOf(f); return i < 0 ? ORGANISATION_FIELDS.length : i; };
  return Object.entries(changes).sort(([a], [b]) => order(a) - order(b)).map(([field, change]) => {
    const now = current ? (current as unknown as Record<string, unknown>)[field] : undefined;
    return {
      field, label: fieldLabel(field), from: displayValue(field, change?.from), to: displayValue(field, change?.to),
      changedSince: current !== undefined && !sameValue(now, change?.from), current: current ? displayValue(field, now) : '',
    };
  });
}


export const options = (labels: Record<string, string>, selected: string, key: 'selected' | 'checked' = 'selected') =>
  Object.entries(labels).map(([value, text]) => ({ value, text, [key]: value === selected }));

const asList = (v: string | string[] | undefined) => (Array.isArray(v) ? v : v ? [v] : []);

/** Everything the organisation form needs to draw its choices, from the values being shown. */
export function formContext(values: FormValues, fields: readonly OrganisationField[], recordThemes: string[] = [], recordGroups: string[] = []) {
  const one = (f: OrganisationField) => (typeof values[f] === 'string' ? (values[f] as string) : '');
  // Read through the vocabulary, so that "Food" held or typed is the box "food", not a second box beside it.
  const themes = codesOf(asList(values.themes), themeCode);
  const groups = codesOf(asList(values.groups_served), groupCode);
  const extraThemes = codesOf([...recordThemes, ...themes], themeCode).filter((t) => !Object.hasOwn(THEMES, t));
  const extraGroups = codesOf([...recordGroups, ...groups], groupCode).filter((g) => !Object.hasOwn(GROUPS_SERVED, g));
  return {
    values,
    show: Object.fromEntries(fields.map((f) => [f, true])),
    typeItems: [{ value: '', text: 'Not known' }, ...options(ORGANISATION_TYPES, one('organisation_type'))],
    incomeItems: [{ value: '', text: 'Not given' }, ...options(INCOME_BANDS, one('income_band'))],
    themeItems: [...Object.entries(THEMES), ...extraThemes.map((t) => [t, t] as const)].map(([value, text]) => ({ value, text, checked: themes.includes(value) })),
    groupItems: [...Object.entries(GROUPS_SERVED), ...extraGroups.map((g) => [g, g] as const)].map(([value, text]) => ({ value, text, checked: groups.includes(value) })),
    consentItems: [{ value: 'yes', text: 'Yes', checked: one('consent_to_publish') === 'yes' }, { value: 'no', text: 'No', checked: one('consent_to_publish') !== 'yes' }],
    membershipItems: options(MEMBERSHIP, one('membership') || 'none', 'checked'),
    statusItems: options(STATUSES, one('status') || 'active', 'checked'),
    relationshipItems: options(RELATIONSHIPS, one('relationship') || 'none'),
  };
}

const REASONS: Record<string, string> = { charity_number: 'Same charity number', name_and_postcode: 'Similar name, same postcode' };
export const presentDuplicates = (duplicates: LikelyDuplicate[] | undefined) => duplicates?.map((d) => ({ ...d, why: d.reasons.map((r) => REASONS[r]).join('; ') }));


type RegisterPage = Awaited<ReturnType<typeof organisationsRepository.search>> & { themes: string[] };

/** The register's list page: the organisations found, the search's choices as typed, and the links to other pages. */
export function registerListView(values: RegisterSearchValues, found: RegisterPage, page: number, pageSize: number) {
  const { total, items, themes } = found;
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const params = new URLSearchParams(Object.entries(values).filter(([, v]) => v));
  const link = (p: number) => `/organisations?${new URLSearchParams([...params, ['page', String(p)]])}`;
  return {
    items: items.map((o) => ({ ...o, typeLabel: displayValue('organisation_type', o.organisation_type), membershipLabel: displayValue('membership', o.membership) })),
    total, page, pages, values, filtered: params.size > 0,
    typeItems: [{ value: '', text: 'Any type' }, ...options(ORGANISATION_TYPES, values.type)],
    statusItems: [{ value: '', text: 'Any status' }, ...options(STATUSES, values.status)],
    membershipItems: [{ value: '', text: 'Any membership' }, ...options(MEMBERSHIP, values.membership)],
    themeItems: [{ value: '', text: 'Any theme' }, ...codesOf([...themes, ...(values.theme ? [values.theme] : [])], themeCode).map((t) => ({ value: t, text: THEMES[t] ?? t, selected: t === values.theme })).sort((a, b) => a.text.localeCompare(b.text, 'en-GB'))],
    consentItems: [{ value: '', text: 'Either' }, { value: 'yes', text: 'Consent given', selected: values.consent === 'yes' }, { value: 'no', text: 'No consent', selected: values.consent === 'no' }],
    sortItems: [...(values.q ? [{ value: '', text: 'Best match' }] : []), ...options(SORTS, values.sort || (values.q ? '' : 'name'))],
    pagination: paginationOf(page, pages, link, { numbered: true }),
  };
}
