import type { Tx } from '../../platform/db/index.js';
import { FormErrors, checkText, isEmail, list, str } from '../../platform/http/forms.js';
import type { DeliveryMode, ServiceStatus } from '../../platform/db/directory-schema.js';
import { parseDay, readDate } from '../../platform/validation/dates.js';
import { DELIVERY_MODES, sortModes } from './delivery-modes.js';
import { isFormSchedule, servicesRepository as repo, type HsdsService, type ServiceWrite } from './repository.js';
import { isUuid } from '../../platform/validation/ids.js';
import { normalisePostcode } from '../../platform/validation/postcodes.js';
import { isWebAddress } from '../../platform/validation/web-addresses.js';
import { DESCRIPTION_MAX_LENGTH, NAME_MAX_LENGTH } from '../../platform/validation/text-limits.js';

/**
 * The service form: its fields as typed, the choices it offers, and the checks that turn what was typed into
 * what the repository writes, each error pointing at the field to put right.
 */

export { DELIVERY_MODES };

export const STATUSES: { value: ServiceStatus; text: string }[] = [
  { value: 'active', text: 'Active' },
  { value: 'temporarily closed', text: 'Temporarily closed' },
  { value: 'inactive', text: 'Inactive' },
  { value: 'defunct', text: 'Defunct (closed for good)' },
];
export const DAYS = [
  { value: 'MO', text: 'Monday' }, { value: 'TU', text: 'Tuesday' }, { value: 'WE', text: 'Wednesday' }, { value: 'TH', text: 'Thursday' },
  { value: 'FR', text: 'Friday' }, { value: 'SA', text: 'Saturday' }, { value: 'SU', text: 'Sunday' },
];
export const DAY_NAMES = new Map(DAYS.map((d) => [d.value, d.text]));

const LANGUAGE_CODES: Record<string, string> = {
  english: 'en', welsh: 'cy', polish: 'pl', urdu: 'ur', punjabi: 'pa', bengali: 'bn', arabic: 'ar', romanian: 'ro', gujarati: 'gu', somali: 'so',
  portuguese: 'pt', spanish: 'es', french: 'fr', lithuanian: 'lt', kurdish: 'ku', farsi: 'fa', persian: 'fa', tigrinya: 'ti', ukrainian: 'uk',
  russian: 'ru', chinese: 'zh', mandarin: 'zh', cantonese: 'yue', turkish: 'tr', tamil: 'ta', hindi: 'hi', italian: 'it', pashto: 'ps',
  'british sign language': 'bfi', bsl: 'bfi', czech: 'cs', slovak: 'sk', hungarian: 'hu', latvian: 'lv', bulgarian: 'bg', amharic: 'am', dari: 'prs',
};

const BLANK_OPENING_ROWS = 3;
const BLANK_SESSION_ROWS = 2;
const BLANK_COST_ROWS = 2;
const MAX_ROWS = { opening: 60, sessions: 200, costs: 30, terms: 100, venues: 100 };

// ---------------------------------------------------------------------------------------------------
// Reading people's input
// ---------------------------------------------------------------------------------------------------

/** '9', '9:30', '0930', '9.30am', '2pm', '14:05' → 'HH:MM'; null when it is not a time of day. */
export function parseTime(value: string): string | null {
  const m = /^(\d{1,2})(?:[:.]?(\d{2}))?(am|pm)?$/.exec(value.trim().toLowerCase().replace(/\s+/g, '').replace(/a\.m\.?$/, 'am').replace(/p\.m\.?$/, 'pm'));
  if (!m) return null;
  let hours = Number(m[1]);
  const minutes = m[2] ? Number(m[2]) : 0;
  if (minutes > 59) return null;
  if (m[3]) {
    if (hours < 1 || hours > 12) return null;
    hours = (hours % 12) + (m[3] === 'pm' ? 12 : 0);
  } else if (hours > 23) return null;
  return `${String(hours).padStart(2, '0')}:${String(minutes).padStart(2, '0')}`;
}

/** '£3.50', '1,200' → pounds; undefined when it is not an amount of money up to £100,000. */
export function parseAmount(value: string): number | null | undefined {
  const cleaned = value.replace(/^£/, '').replace(/,/g, '').trim();
  if (!/^\d+(\.\d{1,2})?$/.test(cleaned)) return undefined;
  const amount = Number(cleaned);
  return amount > 100_000 ? undefined : amount;
}

/** A UK or international phone number as people write it: digits, spaces, brackets, hyphens, a leading +. */
export function isPhoneNumber(value: string): boolean {
  return value.length <= 40 && /^\+?[0-9 ()-]+$/.test(value) && value.replace(/\D/g, '').length >= 6;
}

function parseAge(value: string): number | null | undefined {
  if (!value) return null;
  if (!/^\d{1,3}$/.test(value)) return undefined;
  const n = Number(value);
  return n > 130 ? undefined : n;
}

const splitList = (value: string) => value.split(/[,;\n]/).map((v) => v.trim()).filter(Boolean);

/** What the person typed, kept as typed so that a form re-shown with errors loses nothing. */
export interface ServiceFormValues {
  organisationId: string; name: string; description: string; status: string; deliveryModes: string[]; url: string; email: string; phone: string;
  isFree: string; feesDescription: string; minimumAge: string; maximumAge: string; languages: string; serviceAreas: string; termIds: string[];
  locationIds: string[]; locationAccessibility: Record<string, string>;
  newLocation: { name: string; address1: string; address2: string; city: string; postcode: string; latitude: string; longitude: string; accessibility: string };
  opening: { day: string; opens: string; closes: string }[];
  /** A one-off session: its date in the three boxes of a GOV.UK date input, kept as typed to show again. */
  sessions: { day: string; month: string; year: string; opens: string; closes: string; description: string }[];
  costs: { option: string; amount: string }[];
  changedOn: string;
}

function rows<K extends string>(body: unknown, fields: Record<K, string>): Record<K, string>[] {
  const columns = Object.entries(fields).map(([key, name]) => [key, list(body, name as string).map((v) => v.trim())] as const);
  const length = Math.max(0, ...columns.map(([, values]) => values.length));
  return Array.from({ length }, (_, i) => Object.fromEntries(columns.map(([key, values]) => [key, values[i] ?? ''])) as Record<K, string>);
}

export function valuesFromBody(body: unknown): ServiceFormValues {
  const locationIds = list(body, 'locationIds');
  const locationAccessibility: Record<string, string> = {};
  for (const id of locationIds) if (isUuid(id)) locationAccessibility[id] = str(body, `locationAccessibility-${id}`);
  return {
    organisationId: str(body, 'organisationId'), name: str(body, 'name'), description: str(body, 'description'), status: str(body, 'status'),
    deliveryModes: list(body, 'deliveryModes'), url: str(body, 'url'), email: str(body, 'email'), phone: str(body, 'phone'),
    isFree: str(body, 'isFree'), feesDescription: str(body, 'feesDescription'), minimumAge: str(body, 'minimumAge'), maximumAge: str(body, 'maximumAge'),
    languages: str(body, 'languages'), serviceAreas: str(body, 'serviceAreas'), termIds: list(body, 'termIds'),
    locationIds, locationAccessibility,
    newLocation: {
      name: str(body, 'newLocationName'), address1: str(body, 'newLocationAddress1'), address2: str(body, 'newLocationAddress2'), city: str(body, 'newLocationCity'),
      postcode: str(body, 'newLocationPostcode'), latitude: str(body, 'newLocationLatitude'), longitude: str(body, 'newLocationLongitude'), accessibility: str(body, 'newLocationAccessibility'),
    },
    opening: rows(body, { day: 'openingDay', opens: 'openingOpens', closes: 'openingCloses' }),
    sessions: rows(body, { day: 'sessionDate-day', month: 'sessionDate-month', year: 'sessionDate-year', opens: 'sessionOpens', closes: 'sessionCloses', description: 'sessionDescription' }),
    costs: rows(body, { option: 'costOption', amount: 'costAmount' }),
    changedOn: str(body, 'changedOn'),
  };
}

/** A time as the form shows it, HH:MM. */
export const hhmm = (t: string | null) => (t ? t.slice(0, 5) : '');

export function valuesFromService(s: HsdsService): ServiceFormValues {
  const shown = s.schedules.filter(isFormSchedule);
  const weekly = shown.filter((x) => x.freq === 'WEEKLY');
  const oneOff = shown.filter((x) => x.freq === null);
  return {
    organisationId: s.organization_id, name: s.name, description: s.description, status: s.status, deliveryModes: s.delivery_modes,
    url: s.url ?? '', email: s.email ?? '', phone: s.phones[0]?.number ?? '', isFree: s.is_free ? 'yes' : 'no', feesDescription: s.fees_description ?? '',
    minimumAge: s.minimum_age === null ? '' : String(s.minimum_age), maximumAge: s.maximum_age === null ? '' : String(s.maximum_age),
    languages: s.languages.map((l) => l.name ?? l.code ?? '').filter(Boolean).join(', '), serviceAreas: s.service_areas.map((a) => a.name ?? '').filter(Boolean).join(', '),
    termIds: s.attributes.map((a) => a.taxonomy_term_id),
    locationIds: s.service_at_locations.map((l) => l.location_id),
    locationAccessibility: Object.fromEntries(s.service_at_locations.map((l) => [l.location_id, l.location.accessibility[0]?.description ?? ''])),
    newLocation: { name: '', address1: '', address2: '', city: '', postcode: '', latitude: '', longitude: '', accessibility: '' },
    opening: weekly.flatMap((x) => x.byday!.split(',').map((day) => ({ day: day.trim(), opens: hhmm(x.opens_at), closes: hhmm(x.closes_at) }))),
    sessions: oneOff.map((x) => {
      const [year, month, day] = x.dtstart!.split('-');
      return { day: String(Number(day)), month: String(Number(month)), year: year!, opens: hhmm(x.opens_at), closes: hhmm(x.closes_at), description: x.description ?? '' };
    }),
    costs: s.cost_options.map((c) => ({ option: c.option ?? '', amount: c.amount === null ? '' : c.amount.toFixed(2) })),
    changedOn: '',
  };
}

export function blankValues(organisationId: string): ServiceFormValues {
  return valuesFromBody({ organisationId, status: 'active', isFree: 'yes' });
}

/** The form with a few empty rows to add opening times, sessions and costs without JavaScript. */
export function withBlankRows(v: ServiceFormValues): ServiceFormValues {
  return {
    ...v,
    opening: [...v.opening.filter((r) => r.day || r.opens || r.closes), ...Array.from({ length: BLANK_OPENING_ROWS }, () => ({ day: '', opens: '', closes: '' }))],
    sessions: [...v.sessions.filter(isFilledSession), ...Array.from({ length: BLANK_SESSION_ROWS }, () => ({ day: '', month: '', year: '', opens: '', closes: '', description: '' }))],
    costs: [...v.costs.filter((r) => r.option || r.amount), ...Array.from({ length: BLANK_COST_ROWS }, () => ({ option: '', amount: '' }))],
  };
}

/** The service as it stands, for dating a change of its delivery modes or status. */
export interface ExistingService { id: string; status: string; deliveryModes: string[]; createdOn: string; lastChange: string | null }

/**
 * Checks everything and turns it into what the repository writes. Row errors point at the row's field
 * (`openingOpens-2`), numbered as the rows are shown once blank rows are dropped. The parts run in the form's
 * order, so the error summary lists the errors as the fields come.
 */
export async function validateService(tx: Tx, v: ServiceFormValues, existing: ExistingService | null, today: string) {
  const errors = new FormErrors();
  const about = await checkAbout(tx, errors, v);
  const lists = await checkListsAndCategories(tx, errors, v);
  const venues = await checkVenues(tx, errors, v, about.modes);
  const timetable = checkTimetableAndCosts(errors, v, today, new Set(existing ? await repo.sessionDays(tx, existing.id) : []));
  const changeOn = checkChangeDate(errors, v, existing, about.status, about.modes, today);

  const write: ServiceWrite | null = errors.any ? null : {
    organisationId: v.organisationId, name: v.name, description: v.description, status: about.status!, url: v.url || null, email: v.email || null, phone: v.phone || null,
    feesDescription: v.feesDescription || null, isFree: v.isFree === 'yes', minimumAge: about.minimumAge ?? null, maximumAge: about.maximumAge ?? null,
    deliveryModes: sortModes(about.modes), locationIds: venues.locationIds,
    locationAccessibility: Object.fromEntries(venues.locationIds.map((id) => [id, v.locationAccessibility[id] ?? ''])),
    newLocation: venues.newLocation, ...timetable,
    languages: [...new Map(lists.languageNames.map((name) => [name.toLowerCase(), { name, code: LANGUAGE_CODES[name.toLowerCase()] ?? null }])).values()],
    serviceAreas: [...new Set(lists.areaNames)], termIds: lists.termIds,
  };
  return { errors, write, changeOn };
}

/** Who runs it, what it is, its status, how it is delivered, how to get in touch, fees and ages. */
async function checkAbout(tx: Tx, errors: FormErrors, v: ServiceFormValues) {
  if (!v.organisationId) errors.add('organisationId', 'Choose the organisation that runs the service');
  else if (!(await repo.organisationExists(tx, v.organisationId))) errors.add('organisationId', 'Choose an organisation from the list');
  checkText(errors, 'name', v.name, 'the name of the service', NAME_MAX_LENGTH);
  if (!v.description) errors.add('description', 'Enter a description of the service');
  else if (v.description.length > DESCRIPTION_MAX_LENGTH) errors.add('description', `The description must be ${DESCRIPTION_MAX_LENGTH.toLocaleString('en-GB')} characters or fewer`);
  const status = STATUSES.find((s) => s.value === v.status)?.value;
  if (!status) errors.add('status', 'Choose the status of the service');
  const modes = v.deliveryModes.filter((m): m is DeliveryMode => DELIVERY_MODES.some((d) => d.value === m));
  if (modes.length === 0 || modes.length !== v.deliveryModes.length) errors.add('deliveryModes', 'Select how the service is delivered');
  if (v.url && (v.url.length > 500 || !isWebAddress(v.url))) errors.add('url', 'Enter the website in full, like https://www.example.org');
  if (v.email && !isEmail(v.email)) errors.add('email', 'Enter an email address in the correct format, like name@example.org');
  if (v.phone && !isPhoneNumber(v.phone)) {
    errors.add('phone', 'Enter a phone number, like 01632 960 001 or +44 808 157 0192');
  }
  if (v.isFree !== 'yes' && v.isFree !== 'no') errors.add('isFree', 'Say whether the service is free of charge');
  checkText(errors, 'feesDescription', v.feesDescription, 'the description of fees', 1000, false);
  const minimumAge = parseAge(v.minimumAge);
  const maximumAge = parseAge(v.maximumAge);
  if (minimumAge === undefined) errors.add('minimumAge', 'Enter the minimum age as a whole number of years, from 0 to 130');
  if (maximumAge === undefined) errors.add('maximumAge', 'Enter the maximum age as a whole number of years, from 0 to 130');
  if (typeof minimumAge === 'number' && typeof maximumAge === 'number' && maximumAge < minimumAge) {
    errors.add('maximumAge', 'The maximum age must be the same as or more than the minimum age');
  }
  return { status, modes, minimumAge, maximumAge };
}

/** Languages and areas as typed lists, and the categories chosen. */
async function checkListsAndCategories(tx: Tx, errors: FormErrors, v: ServiceFormValues) {
  const languageNames = splitList(v.languages);
  if (languageNames.length > 30) errors.add('languages', 'List at most 30 languages');
  else if (languageNames.some((l) => l.length > 100)) errors.add('languages', 'Each language must be 100 characters or fewer');
  const areaNames = splitList(v.serviceAreas);
  if (areaNames.length > 50) errors.add('serviceAreas', 'List at most 50 areas');
  else if (areaNames.some((a) => a.length > 200)) errors.add('serviceAreas', 'Each area must be 200 characters or fewer');

  const termIds = [...new Set(v.termIds)];
  if (termIds.length > MAX_ROWS.terms) errors.add('termIds', `Choose at most ${MAX_ROWS.terms} categories`);
  else if (termIds.length && (await repo.termsExisting(tx, termIds)).length !== termIds.length) errors.add('termIds', 'Choose categories from the list');
  return { languageNames, areaNames, termIds };
}

/** The venues chosen and a new one typed in; a service delivered in person needs one. */
async function checkVenues(tx: Tx, errors: FormErrors, v: ServiceFormValues, modes: DeliveryMode[]) {
  const locationIds = [...new Set(v.locationIds)];
  if (locationIds.length > MAX_ROWS.venues) errors.add('locationIds', `Choose at most ${MAX_ROWS.venues} venues`);
  else if (locationIds.length && (await repo.existingLocationIds(tx, locationIds)).length !== locationIds.length) errors.add('locationIds', 'Choose venues from the list');
  for (const id of locationIds) {
    if ((v.locationAccessibility[id] ?? '').length > 2000) errors.add(`locationAccessibility-${id}`, 'Accessibility notes must be 2,000 characters or fewer');
  }
  const newLocation = Object.values(v.newLocation).some(Boolean) ? await checkNewVenue(tx, errors, v.newLocation) : null;
  if (modes.includes('in_person') && locationIds.length === 0 && !newLocation) {
    errors.add('locationIds', 'Choose or add a venue for a service delivered in person');
  }
  return { locationIds, newLocation };
}

/** A venue typed in on the form; placed on the map from its postcode when no latitude and longitude are given. */
async function checkNewVenue(tx: Tx, errors: FormErrors, n: ServiceFormValues['newLocation']): Promise<ServiceWrite['newLocation']> {
  if (!n.name && !n.address1) errors.add('newLocationName', 'Enter the name of the new venue or the first line of its address');
  checkText(errors, 'newLocationName', n.name, 'the venue’s name', 200, false);
  checkText(errors, 'newLocationAddress1', n.address1, 'the first line of the address', 200, false);
  checkText(errors, 'newLocationAddress2', n.address2, 'the second line of the address', 200, false);
  checkText(errors, 'newLocationCity', n.city, 'the town or city', 100, false);
  checkText(errors, 'newLocationAccessibility', n.accessibility, 'the accessibility notes', 2000, false);
  const postcode = n.postcode ? normalisePostcode(n.postcode) : null;
  if (n.postcode && !postcode) errors.add('newLocationPostcode', 'Enter a real postcode, like RV1 2AB');
  let latitude: number | null = null;
  let longitude: number | null = null;
  if (n.latitude || n.longitude) {
    latitude = /^-?\d{1,2}(\.\d+)?$/.test(n.latitude) ? Number(n.latitude) : NaN;
    longitude = /^-?\d{1,3}(\.\d+)?$/.test(n.longitude) ? Number(n.longitude) : NaN;
    if (!n.latitude) errors.add('newLocationLatitude', 'Enter the latitude as well as the longitude, or neither');
    else if (!(latitude >= -90 && latitude <= 90)) errors.add('newLocationLatitude', 'Enter the latitude as a number from -90 to 90, like 53.0452');
    if (!n.longitude) errors.add('newLocationLongitude', 'Enter the longitude as well as the latitude, or neither');
    else if (!(longitude >= -180 && longitude <= 180)) errors.add('newLocationLongitude', 'Enter the longitude as a number from -180 to 180, like -1.4823');
  } else if (postcode) {
    const found = await repo.geocode(tx, postcode);
    if (found) { latitude = found.latitude; longitude = found.longitude; }
  }
  return { name: n.name, address1: n.address1, address2: n.address2 || null, city: n.city || null, postcode, latitude, longitude, accessibility: n.accessibility || null };
}

/** Opening times, sessions and costs: blank rows are dropped; numbering follows what is left. */
function checkTimetableAndCosts(errors: FormErrors, v: ServiceFormValues, today: string, heldSessionDays: ReadonlySet<string>): Pick<ServiceWrite, 'opening' | 'sessions' | 'costs'> {
  const filled = { opening: v.opening.filter((r) => r.day || r.opens || r.closes), sessions: v.sessions.filter(isFilledSession), costs: v.costs.filter((r) => r.option || r.amount) };
  if (filled.opening.length > MAX_ROWS.opening) errors.add('openingDay-1', `Give at most ${MAX_ROWS.opening} regular opening times`);
  if (filled.sessions.length > MAX_ROWS.sessions) errors.add('sessionDate-1-day', `Give at most ${MAX_ROWS.sessions} sessions`);
  if (filled.costs.length > MAX_ROWS.costs) errors.add('costOption-1', `Give at most ${MAX_ROWS.costs} costs`);
  return {
    opening: checkOpeningRows(errors, filled.opening.slice(0, MAX_ROWS.opening)),
    sessions: checkSessionRows(errors, filled.sessions.slice(0, MAX_ROWS.sessions), today, heldSessionDays),
    costs: checkCostRows(errors, filled.costs.slice(0, MAX_ROWS.costs), v.isFree === 'yes'),
  };
}

function checkOpeningRows(errors: FormErrors, rows: ServiceFormValues['opening']): ServiceWrite['opening'] {
  const opening: ServiceWrite['opening'] = [];
  rows.forEach((r, i) => {
    const row = i + 1;
    if (!DAY_NAMES.has(r.day)) errors.add(`openingDay-${row}`, `Choose the day for opening time ${row}`);
    const opens = parseTime(r.opens);
    const closes = parseTime(r.closes);
    if (!opens) errors.add(`openingOpens-${row}`, `Enter when opening time ${row} opens, like 09:30`);
    if (!closes) errors.add(`openingCloses-${row}`, `Enter when opening time ${row} closes, like 17:00`);
    if (opens && closes && closes <= opens) errors.add(`openingCloses-${row}`, `Opening time ${row} must close after it opens`);
    if (opens && closes) opening.push({ day: r.day, opens, closes });
  });
  return opening;
}

const isFilledSession = (r: ServiceFormValues['sessions'][number]) => Boolean(r.day || r.month || r.year || r.opens || r.closes || r.description);

/**
 * One-off sessions. A new session must be today or later: one in the past would never be shown to anyone. A session
 * the service already holds stays as it is once its day has passed, so that the rest of the form can still be saved.
 */
function checkSessionRows(errors: FormErrors, rows: ServiceFormValues['sessions'], today: string, heldDays: ReadonlySet<string>): ServiceWrite['sessions'] {
  const sessions: ServiceWrite['sessions'] = [];
  rows.forEach((r, i) => {
    const row = i + 1;
    const date = readDate(errors, `sessionDate-${row}`, r, `the date of session ${row}`, { required: true });
    if (date && date < today && !heldDays.has(date)) errors.add(`sessionDate-${row}-day`, `The date of session ${row} must be today or in the future`);
    const opens = parseTime(r.opens);
    const closes = parseTime(r.closes);
    if (!opens) errors.add(`sessionOpens-${row}`, `Enter when session ${row} starts, like 10:00`);
    if (!closes) errors.add(`sessionCloses-${row}`, `Enter when session ${row} ends, like 12:00`);
    if (opens && closes && closes <= opens) errors.add(`sessionCloses-${row}`, `Session ${row} must end after it starts`);
    if (r.description.length > 300) errors.add(`sessionDescription-${row}`, `The description of session ${row} must be 300 characters or fewer`);
    if (date && opens && closes) sessions.push({ date, opens, closes, description: r.description || null });
  });
  return sessions;
}

function checkCostRows(errors: FormErrors, rows: ServiceFormValues['costs'], markedFree: boolean): ServiceWrite['costs'] {
  const costs: ServiceWrite['costs'] = [];
  rows.forEach((r, i) => {
    const row = i + 1;
    if (!r.option) errors.add(`costOption-${row}`, `Enter what cost ${row} is for, like “Adults” or “Per session”`);
    else if (r.option.length > 200) errors.add(`costOption-${row}`, `What cost ${row} is for must be 200 characters or fewer`);
    const amount = r.amount ? parseAmount(r.amount) : null;
    if (amount === undefined) errors.add(`costAmount-${row}`, `Enter the amount of cost ${row} in pounds, like 3.50`);
    else if (amount && amount > 0 && markedFree) errors.add(`costAmount-${row}`, `Cost ${row} has an amount, but the service is marked free of charge: remove the amount or say it is not free`);
    if (r.option && amount !== undefined) costs.push({ option: r.option, amount });
  });
  return costs;
}

/** A change of delivery modes or status is dated: today unless staff say when it happened. */
function checkChangeDate(errors: FormErrors, v: ServiceFormValues, existing: ExistingService | null, status: ServiceStatus | undefined, modes: DeliveryMode[], today: string): string | null {
  if (!existing || !status || !modes.length) return null;
  const changed = existing.status !== status || sortModes(existing.deliveryModes).join() !== sortModes(modes).join();
  if (!changed || !v.changedOn) return null;
  const day = parseDay(v.changedOn);
  const earliest = [existing.createdOn, existing.lastChange ?? ''].sort().at(-1)!;
  if (!day) errors.add('changedOn', 'Enter the date of the change as a real date, like 1/3/2026');
  else if (day > today) errors.add('changedOn', 'The date of the change must be today or in the past');
  else if (day < earliest) errors.add('changedOn', `The date of the change must be on or after ${earliest}, the last recorded change`);
  else return day;
  return null;
}
