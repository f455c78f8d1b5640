import { FormErrors, isEmail, list, str } from '../../platform/http/forms.js';
import { normaliseUkPhone } from '../../platform/validation/phones.js';
import { readPageNumber } from '../../platform/http/pagination.js';
import { normalisePostcode } from '../../platform/validation/postcodes.js';
import { isWebAddress } from '../../platform/validation/web-addresses.js';
import {
  GROUPS_SERVED, INCOME_BANDS, MEMBERSHIP, ORGANISATION_FIELDS, ORGANISATION_TYPES, RELATIONSHIPS, STATUSES, THEMES, codesOf, groupCode, themeCode,
  type OrganisationField, type OrganisationInput,
} from './record.js';
import type { OrganisationFilter, OrganisationSort } from './repository.js';
import { DESCRIPTION_MAX_LENGTH, NAME_MAX_LENGTH } from '../../platform/validation/text-limits.js';

/**
 * The organisation form: how each field is read, checked and normalised, and the error messages. The organisation
 * CSV import reads its rows through the same reader, so a record is held to one set of rules however it arrives.
 */

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
  return normaliseUkPhone(value) !== null;
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

/** The submitted form, read field by field; what was typed is kept in `values` to show the form again. */
class Submitted {
  readonly values: FormValues = {};
  constructor(private readonly body: unknown) {}

  /** One line, trimmed. */
  line(f: OrganisationField): string {
    const v = str(this.body, f);
    this.values[f] = v;
    return v;
  }

  /** A textarea, its line breaks kept. */
  lines(f: OrganisationField): string {
    const raw = (this.body as Record<string, unknown> | undefined)?.[f];
    const v = typeof raw === 'string' ? raw.replaceAll('\u0000', '') : str(this.body, f);
    this.values[f] = v;
    return v;
  }

  /** Checkboxes: the boxes ticked, once each. */
  ticked(f: OrganisationField): string[] {
    const v = list(this.body, f).map((x) => x.trim()).filter(Boolean);
    this.values[f] = v;
    return [...new Set(v)];
  }
}

/** What each field's reader is given: the form, the record being built, its errors, and the record as it was. */
interface Reading { form: Submitted; input: OrganisationInput; errors: FormErrors; base: OrganisationInput }

/** Who the organisation is: its names, legal form and registration numbers. */
const identity = {
  name({ form, input, errors }: Reading) {
    const name = form.line('name').replace(/\s+/g, ' ');
    if (!name) errors.add('name', 'Enter the organisation’s name');
    else if (name.length > NAME_MAX_LENGTH) errors.add('name', `The name must be ${NAME_MAX_LENGTH} characters or fewer`);
    input.name = name;
  },
  other_names({ form, input, errors }: Reading) {
    const names = splitList(form.lines('other_names'));
    if (names.length > 20) errors.add('other_names', 'Enter 20 other names or fewer');
    else if (names.some((n) => n.length > NAME_MAX_LENGTH)) errors.add('other_names', `Each other name must be ${NAME_MAX_LENGTH} characters or fewer`);
    input.other_names = names;
  },
  organisation_type({ form, input, errors }: Reading) {
    const v = form.line('organisation_type');
    const type = choice(v, ORGANISATION_TYPES);
    if (v && !type) errors.add('organisation_type', 'Select the type of organisation from the list');
    input.organisation_type = type ?? null;
  },
  charity_number({ form, input, errors }: Reading) {
    const v = normaliseCharityNumber(form.line('charity_number'));
    if (v && !isCharityNumber(v)) errors.add('charity_number', 'Enter a Charity Commission number of 6 to 8 digits, like 1123456 (or 1123456-1 for a linked charity), a Scottish charity number like SC012345 or a Northern Ireland one like NIC100123');
    input.charity_number = v || null;
  },
  company_number({ form, input, errors }: Reading) {
    const v = normaliseCompanyNumber(form.line('company_number'));
    if (v && !isCompanyNumber(v)) errors.add('company_number', 'Enter a Companies House number of 8 digits, like 01234567, or 2 letters and 6 digits, like SC123456');
    input.company_number = v || null;
  },
};

/** How to reach it: what it does, its website, e-mail, phone and address. */
const contact = {
  description({ form, input, errors }: Reading) {
    input.description = text(errors, 'description', form.lines('description').trim(), 'The description', DESCRIPTION_MAX_LENGTH) ?? '';
  },
  website({ form, input, errors }: Reading) {
    const v = form.line('website');
    if (v.length > 500) errors.add('website', 'The website address must be 500 characters or fewer');
    else if (v && !isWebAddress(v)) errors.add('website', 'Enter a website address starting with https:// or http://, like https://www.example.org');
    input.website = v || null;
  },
  email({ form, input, errors }: Reading) {
    const v = form.line('email');
    if (v && !isEmail(v)) errors.add('email', 'Enter an email address in the correct format, like name@example.org');
    input.email = v || null;
  },
  phone({ form, input, errors }: Reading) {
    const v = form.line('phone').replace(/\s+/g, ' ');
    if (v.length > 40) errors.add('phone', 'The phone number must be 40 characters or fewer');
    else if (v && !isUkPhone(v)) errors.add('phone', 'Enter a UK phone number, like 01632 960 001 or +44 7700 900 982');
    input.phone = v || null;
  },
  address({ form, input, errors }: Reading) {
    input.address = text(errors, 'address', form.lines('address').trim(), 'The address', 500);
  },
  postcode({ form, input, errors }: Reading) {
    const v = form.line('postcode');
    const postcode = v ? normalisePostcode(v) : null;
    if (v && !postcode) errors.add('postcode', 'Enter a real UK postcode, like SW1A 1AA');
    input.postcode = postcode ?? (v ? v.slice(0, 10) : null);
  },
};

/** Whom it serves, where and in what: areas, themes and groups of people (values already on the record stay valid). */
const reach = {
  areas_served({ form, input, errors }: Reading) {
    const areas = splitList(form.lines('areas_served'), /[\n\r,]+/);
    if (areas.length > 50) errors.add('areas_served', 'Enter 50 areas or fewer');
    else if (areas.some((a) => a.length > 100)) errors.add('areas_served', 'Each area must be 100 characters or fewer');
    input.areas_served = areas;
  },
  themes({ form, input, errors, base }: Reading) {
    const themes = codesOf(form.ticked('themes'), themeCode);
    const allowed = new Set([...Object.keys(THEMES), ...base.themes]);
    if (themes.some((t) => !allowed.has(t))) errors.add('themes', 'Select themes from the list');
    else if (themes.length > 30) errors.add('themes', 'Select 30 themes or fewer');
    input.themes = themes;
  },
  groups_served({ form, input, errors, base }: Reading) {
    const groups = codesOf(form.ticked('groups_served'), groupCode);
    const allowed = new Set([...Object.keys(GROUPS_SERVED), ...base.groups_served]);
    if (groups.some((g) => !allowed.has(g))) errors.add('groups_served', 'Select groups of people from the list');
    input.groups_served = groups;
  },
};

/** Its size: income, paid staff and volunteers. */
const size = {
  income_band({ form, input, errors }: Reading) {
    const v = form.line('income_band');
    const band = choice(v, INCOME_BANDS);
    if (v && !band) errors.add('income_band', 'Select the annual income from the list');
    input.income_band = band ?? null;
  },
  staff_count({ form, input, errors }: Reading) {
    input.staff_count = count(errors, 'staff_count', form.line('staff_count'), 'paid staff');
  },
  volunteer_count({ form, input, errors }: Reading) {
    input.volunteer_count = count(errors, 'volunteer_count', form.line('volunteer_count'), 'volunteers');
  },
};

/** Its standing with the LIO: consent to publish, membership, status and relationship; a blank keeps what was held. */
const standing = {
  consent_to_publish({ form, input, errors, base }: Reading) {
    const v = form.line('consent_to_publish');
    if (v && v !== 'yes' && v !== 'no') errors.add('consent_to_publish', 'Select yes if the organisation agrees to its listing being published');
    input.consent_to_publish = v ? v === 'yes' : base.consent_to_publish;
  },
  membership({ form, input, errors, base }: Reading) {
    const v = form.line('membership');
    const m = choice(v, MEMBERSHIP);
    if (v && !m) errors.add('membership', 'Select the membership from the list');
    input.membership = m ?? base.membership;
  },
  status({ form, input, errors, base }: Reading) {
    const v = form.line('status');
    const s = choice(v, STATUSES);
    if (v && !s) errors.add('status', 'Select active, dormant or closed');
    input.status = s ?? base.status;
  },
  relationship({ form, input, errors, base }: Reading) {
    const v = form.line('relationship');
    const r = choice(v, RELATIONSHIPS);
    if (v && !r) errors.add('relationship', 'Select the relationship from the list');
    input.relationship = r ?? base.relationship;
  },
};

const READERS: Record<OrganisationField, (reading: Reading) => void> = { ...identity, ...contact, ...reach, ...size, ...standing };

const EMPTY: OrganisationInput = {
  name: '', other_names: [], organisation_type: null, charity_number: null, company_number: null, description: '', website: null, email: null,
  phone: null, address: null, postcode: null, areas_served: [], themes: [], groups_served: [], income_band: null, staff_count: null,
  volunteer_count: null, consent_to_publish: false, membership: 'none', status: 'active', relationship: 'none',
};

/**
 * Reads the organisation form. Only `fields` are read (a group member's form has fewer); `current`
 * supplies the others and lets values already on the record (a theme from an import, say) stay valid.
 */
export function readOrganisationForm(body: unknown, fields: readonly OrganisationField[], current?: OrganisationInput): { values: FormValues; input: OrganisationInput; errors: FormErrors } {
  const base: OrganisationInput = current ? { ...current } : { ...EMPTY };
  const reading: Reading = { form: new Submitted(body), input: { ...base }, errors: new FormErrors(), base };
  // In the order of the form, so the error summary follows it.
  for (const field of ORGANISATION_FIELDS) if (fields.includes(field)) READERS[field](reading);
  return { values: reading.form.values, input: reading.input, errors: reading.errors };
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

export const SORTS: Record<Exclude<OrganisationSort, 'relevance'>, string> = { name: 'Name (A to Z)', verified: 'Least recently verified', updated: 'Recently updated' };

/** The register's search form as typed, a choice not on its list read as none. */
export interface RegisterSearchValues { q: string; type: string; status: string; membership: string; theme: string; consent: string; sort: string }

/** Reads the register's search (?q=&type=…&page=) into the values to show again and the filter to search by. */
export function readRegisterSearch(query: unknown, pageSize: number): { values: RegisterSearchValues; filter: OrganisationFilter } {
  const pick = (field: string, allowed: Record<string, string>) => {
    const v = str(query, field);
    return Object.hasOwn(allowed, v) ? v : '';
  };
  const values: RegisterSearchValues = {
    q: str(query, 'q').slice(0, 200), type: pick('type', ORGANISATION_TYPES), status: pick('status', STATUSES), membership: pick('membership', MEMBERSHIP),
    theme: themeCode(str(query, 'theme').slice(0, 100)), consent: pick('consent', { yes: '', no: '' }), sort: pick('sort', SORTS),
  };
  // With words to match, the best match comes first unless another order is chosen.
  const sort = (values.sort || (values.q ? 'relevance' : 'name')) as OrganisationSort;
  const filter: OrganisationFilter = {
    q: values.q, type: values.type, status: values.status, membership: values.membership, theme: values.theme,
    consent: (values.consent || undefined) as 'yes' | 'no' | undefined, sort, page: readPageNumber(query), pageSize,
  };
  return { values, filter };
}
