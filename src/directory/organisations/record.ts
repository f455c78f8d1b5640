import type { OrganisationType } from '../../platform/db/directory-schema.js';
import { codeIn } from '../../platform/vocabulary/themes.js';

// The theme vocabulary is the whole sector's (volunteering and support use it too): it lives in platform.
export { THEMES, themeCode, codeIn, codesOf } from '../../platform/vocabulary/themes.js';

/**
 * What an organisation record is: its vocabularies, its editable fields in the order of the form, their labels,
 * the normalised shape stored, and how two versions differ.
 */

// The register's types of organisation and income bands are the whole sector's (support's funding names them too).
export { ORGANISATION_TYPES, INCOME_BANDS, type IncomeBand } from '../../platform/vocabulary/organisations.js';
import type { IncomeBand } from '../../platform/vocabulary/organisations.js';

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

/** Other words met for a group of people served. */
const GROUP_ALIASES: Record<string, string> = {
  'disabled people': 'disability', 'people who are homeless': 'homelessness', 'homeless people': 'homelessness', 'refugees and asylum seekers': 'refugees_asylum',
  'refugees': 'refugees_asylum', 'veterans': 'veterans', 'low income': 'low_income', 'people on a low income': 'low_income',
};

export const groupCode = (value: string): string => codeIn(GROUPS_SERVED, value, GROUP_ALIASES);

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

export function fieldLabel(field: string): string {
  return (FIELD_LABELS as Record<string, string>)[field] ?? field;
}
