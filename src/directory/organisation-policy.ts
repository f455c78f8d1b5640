import { FormErrors, isEmail, list, str } from '../platform/http/forms.js';
import type { OrganisationType } from '../platform/db/directory-schema.js';
import { normalisePostcode } from '../platform/validation/postcodes.js';
import { isWebAddress } from '../platform/validation/web-addresses.js';

/**
 * The organisation register's rules in one place: the vocabularies, how each field is read from a
 * form, checked and normalised, how two versions of a record differ, and who may touch whose record.
 */

export const ORGANISATION_TYPES: Record<OrganisationType, string> = {
  registered_charity: 'Registered charity',
  cio: 'Charitable incorporated organisation (CIO)',
  cic: 'Community interest company (CIC)',
  company_limited_by_guarantee: 'Company limited by guarantee',
  unincorporated: 'Unincorporated group',
  mutual_aid: 'Mutual-aid group',
  faith_group: 'Faith group',
  social_enterprise: 'Social enterprise',
  parish_council: 'Parish or town council',
  statutory_body: 'Statutory body',
};

export type IncomeBand = 'under_10k' | '10k_100k' | '100k_1m' | '1m_plus' | 'unknown';
export const INCOME_BANDS: Record<IncomeBand, string> = {
  under_10k: 'Under £10,000',
  '10k_100k': '£10,000 to £100,000',
  '100k_1m': '£100,000 to £1 million',
  '1m_plus': 'Over £1 million',
  unknown: 'Not known',
};

export type Membership = 'member' | 'associate' | 'lapsed' | 'none';
export const MEMBERSHIP: Record<Membership, string> = { member: 'Member', associate: 'Associate member', lapsed: 'Lapsed member', none: 'Not a member' };

export type OrganisationStatus = 'active' | 'dormant' | 'closed';
export const STATUSES: Record<OrganisationStatus, string> = { active: 'Active', dormant: 'Dormant', closed: 'Closed' };

export type Relationship = 'none' | 'supported' | 'partner' | 'commissioned' | 'member' | 'funder';
export const RELATIONSHIPS: Record<Relationship, string> = {
  none: 'No current relationship',
  supported: 'We support them (capacity building)',
  partner: 'Partner',
  commissioned: 'We commission or fund their work',
  member: 'In our networks or forums',
  funder: 'They fund us',
};

/** The protected characteristics of the Equality Act 2010, then other groups LIOs commonly record. */
export const GROUPS_SERVED: Record<string, string> = {
  age: 'Age (older or younger people)',
  disability: 'Disability',
  race_ethnicity: 'Race or ethnicity',
  religion_belief: 'Religion or belief',
  sex: 'Sex',
  sexual_orientation: 'Sexual orientation',
  gender_reassignment: 'Gender reassignment',
  pregnancy_maternity: 'Pregnancy and maternity',
  marriage_civil_partnership: 'Marriage and civil partnership',
  carers: 'Carers',
  low_income: 'People on low incomes',
  veterans: 'Armed forces veterans',
  refugees_asylum: 'Refugees and people seeking asylum',
  homelessness: 'People experiencing homelessness',
};

export const THEMES = [
  'Advice and information', 'Arts and culture', 'Befriending and loneliness', 'Children and young people', 'Community development',
  'Crime and community safety', 'Digital inclusion', 'Disability', 'Education and training', 'Employment and skills', 'Environment',
  'Equalities and human rights', 'Faith', 'Food', 'Health and wellbeing', 'Heritage', 'Housing and homelessness', 'Mental health',
  'Older people', 'Poverty and cost of living', 'Sport and physical activity', 'Transport', 'Volunteering',
];

/** Every field a person can edit, in the order of the form (and so of the error summary). */
export const ORGANISATION_FIELDS = [
  'name', 'other_names', 'organisation_type', 'charity_number', 'company_number', 'description', 'website', 'email', 'phone', 'address',
  'postcode', 'areas_served', 'themes', 'groups_served', 'income_band', 'staff_count', 'volunteer_count', 'consent_to_publish',
  'membership', 'status', 'relationship',
] as const;
export type OrganisationField = typeof ORGANISATION_FIELDS[number];

/** What a group member may propose for their own listing; the LIO's own judgements (membership, status, relationship) stay with staff. */
export const MEMBER_FIELDS: readonly OrganisationField[] = ORGANISATION_FIELDS.filter((f) => f !== 'membership' && f !== 'status' && f !== 'relationship');

export const FIELD_LABELS: Record<OrganisationField, string> = {
  name: 'Name', other_names: 'Other names', organisation_type: 'Type', charity_number: 'Charity number', company_number: 'Company number',
  description: 'Description', website: 'Website', email: 'Email address', phone: 'Phone number', address: 'Address', postcode: 'Postcode',
  areas_served: 'Areas served', themes: 'Themes', groups_served: 'Groups of people served', income_band: 'Annual income',
  staff_count: 'Paid staff', volunteer_count: 'Volunteers', consent_to_publish: 'Consent to publish', membership: 'Membership',
  status: 'Status', relationship: 'Relationship with us',
};

/** The editable part of an organisation, normalised, as stored. */
export interface OrganisationInput {
  name: string;
  other_names: string[];
  organisation_type: OrganisationType | null;
  charity_number: string | null;
  company_number: string | null;
  description: string;
  website: string | null;
  email: string | null;
  phone: string | null;
  address: string | null;
  postcode: string | null;
  areas_served: string[];
  themes: string[];
  groups_served: string[];
  income_band: IncomeBand | null;
  staff_count: number | null;
  volunteer_count: number | null;
  consent_to_publish: boolean;
  membership: Membership;
  status: OrganisationStatus;
  relationship: Relationship;
}

export type ChangeSet = Partial<Record<OrganisationField, { from: unknown; to: unknown }>>;

/** The form as typed, for showing it again. */
export type FormValues = Record<string, string | string[]>;

// England and Wales: the Charity Commission's digits (6 or 7 today; 8 are still taken, as they always were here, so
// that no record already held becomes unsaveable; a linked charity adds -1, -2, …); Scotland (OSCR): SC and 6 digits;
// Northern Ireland (Charity Commission for NI): NIC and 6 digits.
const CHARITY = /^([0-9]{6,8}(-[0-9]{1,3})?|SC[0-9]{6}|NIC[0-9]{6})$/;
const COMPANY = /^([0-9]{8}|[A-Z]{2}[0-9]{6})$/;

export function normaliseCharityNumber(value: string): string {
  return value.replace(/\s+/g, '').toUpperCase();
}
export function isCharityNumber(value: string): boolean {
  return CHARITY.test(value);
}
export function normaliseCompanyNumber(value: string): string {
  return value.replace(/\s+/g, '').toUpperCase();
}
export function isCompanyNumber(value: string): boolean {
  return COMPANY.test(value);
}
/** A UK number: 10 or 11 digits from 0, or +44 in place of the 0, with spaces, dashes, dots or brackets between. */
export function isUkPhone(value: string): boolean {
  if (!/^[0-9+()\-.\s]+$/.test(value)) return false;
  let digits = value.replace(/\(0\)/g, '').replace(/[\s\-.()]/g, '');
  if (digits.startsWith('+44')) digits = `0${digits.slice(3)}`;
  else if (digits.startsWith('0044')) digits = `0${digits.slice(4)}`;
  return /^0[1-9][0-9]{8,9}$/.test(digits);
}
/** A free list typed one per line (commas also separate); blanks and repeats dropped. */
export function splitList(value: string, separators: RegExp = /[\n\r]+/): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of value.split(separators)) {
    const item = raw.replace(/\s+/g, ' ').trim();
    if (item && !seen.has(item.toLowerCase())) {
      seen.add(item.toLowerCase());
      out.push(item);
    }
  }
  return out;
}

function choice<T extends string>(value: string, options: Record<T, string>): T | undefined {
  return Object.hasOwn(options, value) ? (value as T) : undefined;
}

function count(errors: FormErrors, field: string, value: string, what: string): number | null {
  if (!value) return null;
  const plain = value.replace(/,/g, '');
  if (!/^[0-9]+$/.test(plain)) {
    errors.add(field, `Enter the number of ${what} as a whole number, like 12`);
    return null;
  }
  const n = Number(plain);
  if (n > 1_000_000) {
    errors.add(field, `The number of ${what} must be 1,000,000 or fewer`);
    return null;
  }
  return n;
}

function text(errors: FormErrors, field: string, value: string, label: string, max: number): string | null {
  if (value.length > max) errors.add(field, `${label} must be ${max.toLocaleString('en-GB')} characters or fewer`);
  return value || null;
}

/**
 * Reads the organisation form. Only `fields` are read (a group member's form has fewer); `current`
 * supplies the others and lets values already on the record (a theme from an import, say) stay valid.
 */
export function readOrganisationForm(body: unknown, fields: readonly OrganisationField[], current?: OrganisationInput): { values: FormValues; input: OrganisationInput; errors: FormErrors } {
  const errors = new FormErrors();
  const values: FormValues = {};
  const base: OrganisationInput = current ? { ...current } : {
    name: '', other_names: [], organisation_type: null, charity_number: null, company_number: null, description: '', website: null, email: null,
    phone: null, address: null, postcode: null, areas_served: [], themes: [], groups_served: [], income_band: null, staff_count: null,
    volunteer_count: null, consent_to_publish: false, membership: 'none', status: 'active', relationship: 'none',
  };
  const input: OrganisationInput = { ...base };
  const has = (f: OrganisationField) => fields.includes(f);
  const read = (f: OrganisationField) => {
    const v = str(body, f);
    values[f] = v;
    return v;
  };
  const readLines = (f: OrganisationField) => {
    const raw = (body as Record<string, unknown> | undefined)?.[f];
    const v = typeof raw === 'string' ? raw.replaceAll('\u0000', '') : str(body, f);
    values[f] = v;
    return v;
  };
  const readList = (f: OrganisationField) => {
    const v = list(body, f).map((x) => x.trim()).filter(Boolean);
    values[f] = v;
    return [...new Set(v)];
  };

  if (has('name')) {
    const name = read('name').replace(/\s+/g, ' ');
    if (!name) errors.add('name', 'Enter the organisation’s name');
    else if (name.length > 300) errors.add('name', 'The name must be 300 characters or fewer');
    input.name = name;
  }
  if (has('other_names')) {
    const names = splitList(readLines('other_names'));
    if (names.length > 20) errors.add('other_names', 'Enter 20 other names or fewer');
    else if (names.some((n) => n.length > 300)) errors.add('other_names', 'Each other name must be 300 characters or fewer');
    input.other_names = names;
  }
  if (has('organisation_type')) {
    const v = read('organisation_type');
    const type = choice(v, ORGANISATION_TYPES);
    if (v && !type) errors.add('organisation_type', 'Select the type of organisation from the list');
    input.organisation_type = type ?? null;
  }
  if (has('charity_number')) {
    const v = normaliseCharityNumber(read('charity_number'));
    if (v && !isCharityNumber(v)) errors.add('charity_number', 'Enter a Charity Commission number of 6 to 8 digits, like 1123456 (or 1123456-1 for a linked charity), a Scottish charity number like SC012345 or a Northern Ireland one like NIC100123');
    input.charity_number = v || null;
  }
  if (has('company_number')) {
    const v = normaliseCompanyNumber(read('company_number'));
    if (v && !isCompanyNumber(v)) errors.add('company_number', 'Enter a Companies House number of 8 digits, like 01234567, or 2 letters and 6 digits, like SC123456');
    input.company_number = v || null;
  }
  if (has('description')) input.description = text(errors, 'description', readLines('description').trim(), 'The description', 10000) ?? '';
  if (has('website')) {
    const v = read('website');
    if (v.length > 500) errors.add('website', 'The website address must be 500 characters or fewer');
    else if (v && !isWebAddress(v)) errors.add('website', 'Enter a website address starting with https:// or http://, like https://www.example.org');
    input.website = v || null;
  }
  if (has('email')) {
    const v = read('email');
    if (v && !isEmail(v)) errors.add('email', 'Enter an email address in the correct format, like name@example.org');
    input.email = v || null;
  }
  if (has('phone')) {
    const v = read('phone').replace(/\s+/g, ' ');
    if (v.length > 40) errors.add('phone', 'The phone number must be 40 characters or fewer');
    else if (v && !isUkPhone(v)) errors.add('phone', 'Enter a UK phone number, like 01632 960 001 or +44 7700 900 982');
    input.phone = v || null;
  }
  if (has('address')) input.address = text(errors, 'address', readLines('address').trim(), 'The address', 500);
  if (has('postcode')) {
    const v = read('postcode');
    const postcode = v ? normalisePostcode(v) : null;
    if (v && !postcode) errors.add('postcode', 'Enter a real UK postcode, like SW1A 1AA');
    input.postcode = postcode ?? (v ? v.slice(0, 10) : null);
  }
  if (has('areas_served')) {
    const areas = splitList(readLines('areas_served'), /[\n\r,]+/);
    if (areas.length > 50) errors.add('areas_served', 'Enter 50 areas or fewer');
    else if (areas.some((a) => a.length > 100)) errors.add('areas_served', 'Each area must be 100 characters or fewer');
    input.areas_served = areas;
  }
  if (has('themes')) {
    const themes = readList('themes');
    const allowed = new Set([...THEMES, ...base.themes]);
    if (themes.some((t) => !allowed.has(t))) errors.add('themes', 'Select themes from the list');
    else if (themes.length > 30) errors.add('themes', 'Select 30 themes or fewer');
    input.themes = themes;
  }
  if (has('groups_served')) {
    const groups = readList('groups_served');
    const allowed = new Set([...Object.keys(GROUPS_SERVED), ...base.groups_served]);
    if (groups.some((g) => !allowed.has(g))) errors.add('groups_served', 'Select groups of people from the list');
    input.groups_served = groups;
  }
  if (has('income_band')) {
    const v = read('income_band');
    const band = choice(v, INCOME_BANDS);
    if (v && !band) errors.add('income_band', 'Select the annual income from the list');
    input.income_band = band ?? null;
  }
  if (has('staff_count')) input.staff_count = count(errors, 'staff_count', read('staff_count'), 'paid staff');
  if (has('volunteer_count')) input.volunteer_count = count(errors, 'volunteer_count', read('volunteer_count'), 'volunteers');
  if (has('consent_to_publish')) {
    const v = read('consent_to_publish');
    if (v && v !== 'yes' && v !== 'no') errors.add('consent_to_publish', 'Select yes if the organisation agrees to its listing being published');
    input.consent_to_publish = v ? v === 'yes' : base.consent_to_publish;
  }
  if (has('membership')) {
    const v = read('membership');
    const m = choice(v, MEMBERSHIP);
    if (v && !m) errors.add('membership', 'Select the membership from the list');
    input.membership = m ?? base.membership;
  }
  if (has('status')) {
    const v = read('status');
    const s = choice(v, STATUSES);
    if (v && !s) errors.add('status', 'Select active, dormant or closed');
    input.status = s ?? base.status;
  }
  if (has('relationship')) {
    const v = read('relationship');
    const r = choice(v, RELATIONSHIPS);
    if (v && !r) errors.add('relationship', 'Select the relationship from the list');
    input.relationship = r ?? base.relationship;
  }
  return { values, input, errors };
}

/** A stored record as the form shows it. */
export function formValuesOf(o: OrganisationInput): FormValues {
  return {
    name: o.name, other_names: o.other_names.join('\n'), organisation_type: o.organisation_type ?? '', charity_number: o.charity_number ?? '',
    company_number: o.company_number ?? '', description: o.description, website: o.website ?? '', email: o.email ?? '', phone: o.phone ?? '',
    address: o.address ?? '', postcode: o.postcode ?? '', areas_served: o.areas_served.join('\n'), themes: o.themes, groups_served: o.groups_served,
    income_band: o.income_band ?? '', staff_count: o.staff_count === null ? '' : String(o.staff_count),
    volunteer_count: o.volunteer_count === null ? '' : String(o.volunteer_count), consent_to_publish: o.consent_to_publish ? 'yes' : 'no',
    membership: o.membership, status: o.status, relationship: o.relationship,
  };
}

/** The editable part of a stored row. */
export function inputOf(row: Record<string, unknown>): OrganisationInput {
  const out: Record<string, unknown> = {};
  for (const f of ORGANISATION_FIELDS) out[f] = row[f] ?? null;
  const o = out as unknown as OrganisationInput;
  return {
    ...o, other_names: o.other_names ?? [], areas_served: o.areas_served ?? [], themes: o.themes ?? [], groups_served: o.groups_served ?? [],
    description: o.description ?? '', consent_to_publish: Boolean(o.consent_to_publish), membership: o.membership ?? 'none',
    status: o.status ?? 'active', relationship: o.relationship ?? 'none',
  };
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** The fields of `fields` whose value differs between the two versions, each with from and to. */
export function diffOrganisation(before: OrganisationInput, after: OrganisationInput, fields: readonly OrganisationField[] = ORGANISATION_FIELDS): ChangeSet {
  const changes: ChangeSet = {};
  for (const f of fields) {
    if (!same(before[f], after[f])) changes[f] = { from: before[f] ?? null, to: after[f] ?? null };
  }
  return changes;
}

export { same as sameValue };

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
    case 'staff_count': case 'volunteer_count': return Number(value).toLocaleString('en-GB');
    default: return Array.isArray(value) ? value.join(', ') : String(value);
  }
}

export function fieldLabel(field: string): string {
  return (FIELD_LABELS as Record<string, string>)[field] ?? field;
}

/** Rows for a from → to table. `current` adds what the record holds now, when it has moved on since. */
export function diffRows(changes: ChangeSet | Record<string, { from: unknown; to: unknown }>, current?: OrganisationInput) {
  // jsonb keeps keys in its own order: show them in the order of the form.
  const order = (f: string) => { const i = (ORGANISATION_FIELDS as readonly string[]).indexOf(f); return i < 0 ? ORGANISATION_FIELDS.length : i; };
  return Object.entries(changes).sort(([a], [b]) => order(a) - order(b)).map(([field, change]) => {
    const now = current ? (current as unknown as Record<string, unknown>)[field] : undefined;
    return {
      field, label: fieldLabel(field), from: displayValue(field, change?.from), to: displayValue(field, change?.to),
      changedSince: current !== undefined && !same(now, change?.from), current: current ? displayValue(field, now) : '',
    };
  });
}

