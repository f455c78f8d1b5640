import { isEmail } from '../../platform/http/forms.js';
import type { DeliveryMode, ServiceStatus } from '../../platform/db/directory-schema.js';
import type { DirectoryImportKind } from '../../platform/db/oruk-schema.js';
import {
  GROUPS_SERVED, INCOME_BANDS, MEMBERSHIP, ORGANISATION_FIELDS, ORGANISATION_TYPES, RELATIONSHIPS, STATUSES as ORGANISATION_STATUSES, THEMES,
  codeIn, codesOf, groupCode, themeCode, type OrganisationField, type OrganisationInput,
} from '../organisations/record.js';
import { isWebAddress } from '../../platform/validation/web-addresses.js';
import type { HsdsService } from '../services/repository.js';
import { DAYS, STATUSES as SERVICE_STATUSES, parseTime } from '../services/form.js';
import { DELIVERY_MODES, FORMER_DELIVERY_MODE_LABELS } from '../services/delivery-modes.js';
import { TermCodes, checkPhone, costText, parseCost, parseVenue, type PartsWanted } from './service-parts.js';

/**
 * The register's spreadsheets as forms: their columns, how a cell is written on export, and how a row is read
 * back and checked on import, each problem named by row, column and reason. Lists in a cell are one item per
 * line (or separated by semicolons).
 */

export interface RowIssue { row: number; column: string; message: string; level: 'error' | 'warning' }
export interface CsvImportReport {
  id: string | null; kind: DirectoryImportKind; source: string; status: 'completed' | 'rejected'; message: string | null;
  created: number; updated: number; issues: RowIssue[];
}

export const MAX_ROWS = 50_000;
const LIST_SEPARATOR = /\s*(?:\r?\n|;)\s*/;
const splitCell = (value: string) => value.split(LIST_SEPARATOR).map((v) => v.trim()).filter(Boolean);
export const joinList = (values: readonly string[]) => values.join('\n');

// ---------------------------------------------------------------------------------------------------
// Organisations
// ---------------------------------------------------------------------------------------------------

export const ORGANISATION_COLUMNS = ['id', ...ORGANISATION_FIELDS] as const;
const LABELLED: Partial<Record<OrganisationField, Record<string, string>>> = {
  organisation_type: ORGANISATION_TYPES, income_band: INCOME_BANDS, membership: MEMBERSHIP, status: ORGANISATION_STATUSES, relationship: RELATIONSHIPS,
};


export function organisationCells(o: OrganisationInput & { id: string }): string[] {
  return ORGANISATION_COLUMNS.map((c) => {
    if (c === 'id') return o.id;
    const v = o[c];
    if (c === 'groups_served') return joinList((v as string[]).map((g) => GROUPS_SERVED[g] ?? g));
    if (c === 'themes') return joinList((v as string[]).map((t) => THEMES[t] ?? t));
    if (Array.isArray(v)) return joinList(v);
    if (c === 'consent_to_publish') return v ? 'Yes' : 'No';
    const labels = LABELLED[c];
    if (labels && typeof v === 'string') return labels[v] ?? v;
    return v === null || v === undefined ? '' : String(v);
  });
}

/** A CSV row as the organisation form would have sent it. */
export function organisationBody(get: (c: string) => string, present: OrganisationField[]): Record<string, string | string[]> {
  const body: Record<string, string | string[]> = {};
  for (const f of present) {
    const raw = get(f);
    if (f === 'themes') body[f] = codesOf(splitCell(raw), themeCode);
    else if (f === 'groups_served') body[f] = codesOf(splitCell(raw), groupCode);
    else if (f === 'other_names' || f === 'areas_served') body[f] = splitCell(raw).join('\n');
    else if (f === 'consent_to_publish') body[f] = raw.trim().toLowerCase() === 'yes' || raw.trim().toLowerCase() === 'y' || raw.trim().toLowerCase() === 'true' ? 'yes'
      : ['no', 'n', 'false'].includes(raw.trim().toLowerCase()) ? 'no' : raw.trim().toLowerCase();
    else if (LABELLED[f]) body[f] = raw.trim() && codeIn(LABELLED[f]!, raw);
    else body[f] = raw;
  }
  return body;
}

// ---------------------------------------------------------------------------------------------------
// Services
// ---------------------------------------------------------------------------------------------------

export const SERVICE_COLUMNS = ['id', 'organisation_id', 'organisation_name', 'name', 'description', 'status', 'delivery_modes', 'url', 'email', 'fees_description',
  'is_free', 'minimum_age', 'maximum_age', 'opening_times', 'languages', 'service_areas', 'taxonomy_terms', 'locations', 'phones', 'costs'] as const;
export type ServiceColumn = typeof SERVICE_COLUMNS[number];
const SERVICE_LABELS: Record<ServiceColumn, string> = {
  id: 'id', organisation_id: 'organisation id', organisation_name: 'organisation name', name: 'name', description: 'description', status: 'status',
  delivery_modes: 'delivery modes', url: 'website', email: 'email address', fees_description: 'fees', is_free: 'free of charge', minimum_age: 'minimum age',
  maximum_age: 'maximum age', opening_times: 'opening times', languages: 'languages', service_areas: 'service areas',
  taxonomy_terms: 'categories', locations: 'venues', phones: 'phone numbers', costs: 'costs',
};
const STATUS_OPTIONS = Object.fromEntries(SERVICE_STATUSES.map((s) => [s.value, s.text]));
const MODE_OPTIONS = Object.fromEntries(DELIVERY_MODES.map((m) => [m.value, m.text]));
const DAY_OPTIONS = Object.fromEntries(DAYS.map((d) => [d.value, d.text]));

/** Weekly opening as a spreadsheet cell: "Monday 09:00-12:00", one per line. */
const openingText = (o: { day: string; opens: string; closes: string }) => `${DAY_OPTIONS[o.day] ?? o.day} ${o.opens}-${o.closes}`;

function parseOpening(line: string): { day: string; opens: string; closes: string } | null {
  const m = /^([A-Za-z]+)\s+(.+?)\s*(?:-|–|to)\s*(.+)$/.exec(line.trim());
  if (!m) return null;
  const day = codeIn(DAY_OPTIONS, m[1]!);
  const shortDay = DAYS.find((d) => d.text.slice(0, 3).toLowerCase() === m[1]!.slice(0, 3).toLowerCase() && m[1]!.length >= 3)?.value;
  const code = DAY_OPTIONS[day] ? day : shortDay;
  const opens = parseTime(m[2]!);
  const closes = parseTime(m[3]!);
  if (!code || !opens || !closes || closes <= opens) return null;
  return { day: code, opens, closes };
}

export interface ServiceRowValues {
  id: string | null; organisationId: string; name: string; description: string; status: ServiceStatus; deliveryModes: DeliveryMode[];
  url: string | null; email: string | null; feesDescription: string | null; isFree: boolean; minimumAge: number | null; maximumAge: number | null;
  opening: { day: string; opens: string; closes: string }[]; languages: string[]; serviceAreas: string[]; parts: PartsWanted;
}


export type CsvRow = { line: number; get: (c: string) => string; has: (c: string) => boolean };

/** The categories, venues, phones and costs cells of a row; a column missing from the file leaves that part as it is. */
function readParts(r: CsvRow, has: (c: ServiceColumn) => boolean, termCodes: TermCodes | null, error: (column: ServiceColumn, message: string) => void): PartsWanted {
  const cell = (c: ServiceColumn) => (has(c) ? splitCell(r.get(c)) : null);
  const termIds = cell('taxonomy_terms')?.flatMap((written) => {
    const found = termCodes!.find(written);
    if ('error' in found) { error('taxonomy_terms', found.error); return []; }
    return [found.id];
  }) ?? null;
  // An address holds commas and may hold semicolons: venues are one per line only.
  const venues = has('locations') ? r.get('locations').split(/\r?\n/).map((v) => v.trim()).filter(Boolean).map((text) => {
    const parsed = parseVenue(text);
    return { text, parsed: 'venue' in parsed ? parsed.venue : null, problem: 'error' in parsed ? parsed.error : null };
  }) : null;
  const phones = cell('phones');
  for (const n of phones ?? []) { const problem = checkPhone(n); if (problem) error('phones', problem); }
  const costs = cell('costs')?.flatMap((line) => {
    const parsed = parseCost(line);
    if ('error' in parsed) { error('costs', parsed.error); return []; }
    return [parsed.cost];
  }) ?? null;
  return { termIds: termIds && [...new Set(termIds)], venues, phones, costs };
}

/** A service as its spreadsheet row shows it; `venues` are its venues' cells (venuesOf). */
export function serviceCells(s: HsdsService, venues: string[], terms: TermCodes): string[] {
  const opening = s.schedules.filter((x) => x.service_at_location_id === null && x.freq === 'WEEKLY' && /^(MO|TU|WE|TH|FR|SA|SU)$/.test(x.byday ?? '')
    && x.opens_at && x.closes_at && !x.valid_from && !x.valid_to && !x.dtstart);
  const values: Record<ServiceColumn, string> = {
    id: s.id, organisation_id: s.organization_id, organisation_name: s.organization.name, name: s.name, description: s.description,
    status: STATUS_OPTIONS[s.status] ?? s.status, delivery_modes: joinList(s.delivery_modes.map((m) => MODE_OPTIONS[m] ?? m)), url: s.url ?? '',
    email: s.email ?? '', fees_description: s.fees_description ?? '', is_free: s.is_free ? 'Yes' : 'No', minimum_age: s.minimum_age?.toString() ?? '',
    maximum_age: s.maximum_age?.toString() ?? '',
    opening_times: joinList(opening.map((o) => openingText({ day: o.byday!, opens: o.opens_at!.slice(0, 5), closes: o.closes_at!.slice(0, 5) }))),
    languages: joinList(s.languages.map((l) => l.name).filter((n): n is string => Boolean(n))),
    service_areas: joinList(s.service_areas.map((a) => a.name).filter((n): n is string => Boolean(n))),
    taxonomy_terms: joinList(s.attributes.map((a) => terms.text(a.taxonomy_term_id))),
    locations: joinList(venues),
    phones: joinList(s.phones.map((p) => p.number)),
    costs: joinList(s.cost_options.filter((c) => c.option || c.amount !== null).map((c) => costText({ option: c.option ?? 'Cost', amount: c.amount }))),
  };
  return SERVICE_COLUMNS.map((c) => values[c]);
}

/** A service as the register holds it, for a row that updates it. */
export interface HeldService {
  id: string; organisation_id: string; description: string; status: ServiceStatus; delivery_modes: DeliveryMode[]; url: string | null; email: string | null;
  fees_description: string | null; is_free: boolean; minimum_age: number | null; maximum_age: number | null;
}

/** What reading the services rows needs from the register: its organisations, the services named by id, the term codes. */
export interface ServiceRowContext {
  has: (c: ServiceColumn) => boolean;
  orgById: Map<string, { id: string; name: string }>;
  orgsByName: Map<string, string[]>;
  held: Map<string, HeldService>;
  seen: Set<string>;
  termCodes: TermCodes | null;
}

type RowError = (column: ServiceColumn | '', message: string) => void;

/**
 * One row of the services spreadsheet, checked: the service it updates (or none, to add one) and its values, a
 * column missing from the file keeping what the service holds. Venue lines that cannot be read as a new venue are
 * returned, to be checked against the venues already held.
 */
export function readServiceRow(r: CsvRow, ctx: ServiceRowContext, error: RowError) {
  const { current, organisationId } = rowService(r, ctx, error);
  const fields = readServiceFields(r, ctx.has, current, error);
  const lists = readServiceLists(r, ctx.has, error);
  const parts = readParts(r, ctx.has, ctx.termCodes, (column, message) => error(column, message));
  if (fields.isFree && parts.costs?.some((c) => (c.amount ?? 0) > 0)) error('costs', 'has a price, but the service is free of charge: remove the price, or put No under is_free');
  const values: ServiceRowValues = { id: current?.id ?? null, organisationId, ...fields, ...lists, parts };
  return { values, current, unreadableVenues: parts.venues?.filter((v) => v.problem) ?? [] };
}

/** The service a row updates (by id), and the organisation that runs it (by id, else by its name, else as held). */
function rowService(r: CsvRow, ctx: ServiceRowContext, error: RowError) {
  const id = r.get('id').trim().toLowerCase() || null;
  const current = id ? ctx.held.get(id) : undefined;
  if (id && !current) error('id', 'names no service in this register: leave it blank to add a new one');
  else if (id && ctx.seen.has(id)) error('id', 'appears on an earlier row too');
  if (id) ctx.seen.add(id);
  let organisationId = r.get('organisation_id').trim().toLowerCase();
  const organisationName = r.get('organisation_name').trim();
  if (organisationId) {
    // the id decides: a name that differs (the organisation was renamed) is not an error
    if (!ctx.orgById.has(organisationId)) error('organisation_id', 'names no organisation in this register');
  } else if (organisationName) {
    const matches = ctx.orgsByName.get(organisationName.toLowerCase()) ?? [];
    if (matches.length === 0) error('organisation_name', `“${organisationName}” is not an organisation in this register: add it first, or give its id`);
    else if (matches.length > 1) error('organisation_name', `more than one organisation is called “${organisationName}”: give the organisation_id instead`);
    else organisationId = matches[0]!;
  } else if (current) organisationId = current.organisation_id;
  else error('organisation_name', 'is empty: say which organisation runs the service (organisation_name or organisation_id)');
  return { current, organisationId };
}

/** The service's own cells: name, description, status, delivery, contact, fees, free of charge, ages. */
function readServiceFields(r: CsvRow, has: (c: ServiceColumn) => boolean, current: HeldService | undefined, error: RowError) {
  const text = (c: ServiceColumn, max: number, required = false) => {
    const v = has(c) ? r.get(c).trim() : null;
    if (v === null) return null;
    if (required && !v) error(c, `is empty: enter the ${SERVICE_LABELS[c]}`);
    else if (v.length > max) error(c, `must be ${max.toLocaleString('en-GB')} characters or fewer`);
    return v;
  };
  const name = text('name', 300, true) ?? '';
  const description = text('description', 10_000) ?? current?.description ?? '';
  const statusText = has('status') ? r.get('status').trim() : '';
  const status = (statusText ? codeIn(STATUS_OPTIONS, statusText) : current?.status ?? 'active') as ServiceStatus;
  if (!STATUS_OPTIONS[status]) error('status', `“${statusText}” is not a status: use ${SERVICE_STATUSES.map((s) => s.text).join(', ')}`);
  let deliveryModes = current?.delivery_modes ?? [];
  if (has('delivery_modes')) {
    const modes = splitCell(r.get('delivery_modes')).map((m) => FORMER_DELIVERY_MODE_LABELS[m.toLowerCase()] ?? codeIn(MODE_OPTIONS, m));
    const unknown = modes.filter((m) => !MODE_OPTIONS[m]);
    if (unknown.length) error('delivery_modes', `“${unknown.join('”, “')}” ${unknown.length === 1 ? 'is not a delivery mode' : 'are not delivery modes'}: use ${DELIVERY_MODES.map((m) => m.text).join(', ')}`);
    deliveryModes = [...new Set(modes)] as DeliveryMode[];
  }
  const url = has('url') ? r.get('url').trim() || null : current?.url ?? null;
  if (has('url') && url && (url.length > 500 || !isWebAddress(url))) error('url', 'is not a website address: write it in full, like https://www.example.org');
  const email = has('email') ? r.get('email').trim() || null : current?.email ?? null;
  if (has('email') && email && !isEmail(email)) error('email', 'is not an email address, like name@example.org');
  const feesDescription = has('fees_description') ? text('fees_description', 10_000) || null : current?.fees_description ?? null;
  let isFree = current?.is_free ?? false;
  if (has('is_free')) {
    const v = r.get('is_free').trim().toLowerCase();
    if (['yes', 'y', 'true', '1'].includes(v)) isFree = true;
    else if (['no', 'n', 'false', '0', ''].includes(v)) isFree = false;
    else error('is_free', `“${r.get('is_free')}” is not Yes or No`);
  }
  const age = (c: 'minimum_age' | 'maximum_age', held: number | null) => {
    if (!has(c)) return held;
    const v = r.get(c).trim();
    if (!v) return null;
    if (!/^\d{1,3}$/.test(v) || Number(v) > 130) { error(c, `“${v}” is not an age in whole years from 0 to 130`); return null; }
    return Number(v);
  };
  const minimumAge = age('minimum_age', current?.minimum_age ?? null);
  const maximumAge = age('maximum_age', current?.maximum_age ?? null);
  if (minimumAge !== null && maximumAge !== null && minimumAge > maximumAge) error('maximum_age', 'is below the minimum age');
  return { name, description, status, deliveryModes, url, email, feesDescription, isFree, minimumAge, maximumAge };
}

/** Opening times, languages and areas: the lists the spreadsheet replaces whole. */
function readServiceLists(r: CsvRow, has: (c: ServiceColumn) => boolean, error: RowError) {
  const opening: ServiceRowValues['opening'] = [];
  if (has('opening_times')) {
    for (const part of splitCell(r.get('opening_times'))) {
      const o = parseOpening(part);
      if (!o) error('opening_times', `“${part}” is not an opening time: write a day and times, like Monday 09:00-12:00`);
      else opening.push(o);
    }
  }
  const languages = has('languages') ? splitCell(r.get('languages')) : [];
  if (languages.some((l) => l.length > 100)) error('languages', 'each language must be 100 characters or fewer');
  const serviceAreas = has('service_areas') ? splitCell(r.get('service_areas')) : [];
  if (serviceAreas.some((a) => a.length > 200)) error('service_areas', 'each area must be 200 characters or fewer');
  return { opening, languages, serviceAreas };
}
