import type { Database, Queryable } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import type { Config } from '../../platform/config.js';
import type { PublishedCache } from '../published-cache.js';
import type { DeliveryMode } from '../../platform/db/directory-schema.js';
import { FormErrors, list, str } from '../../platform/http/forms.js';
import { geocodePostcode, lookupPostcode, normalisePostcode, postcodeMessage, type GeocodeResult } from '../geocode.js';
import { isUuid, loadServices, type HsdsSchedule, type HsdsService } from '../services/repository.js';
import { DELIVERY_MODE_LABELS } from '../services/delivery-modes.js';
import { localNow, openingSummary, openingWeek, type LocalNow, type OpeningSummary } from './opening.js';
import {
  allTerms, localities, publishedIds, searchPublished, type SearchCriteria, type TermRow,
} from './repository.js';

/**
 * The public directory of one LIO: search with filters, and a page per service. No sign-in and no
 * permission: everything here reads published services only (see repository.ts).
 */

export const PAGE_SIZE = 20;
export const DISTANCES = [1, 3, 5, 10, 25] as const;
export const UNITS = { miles: 1609.344, km: 1000 } as const;
export type Unit = keyof typeof UNITS;
export const DEFAULT_DISTANCE = 3;
export const DEFAULT_UNIT: Unit = 'miles';

const DELIVERY_MODES = Object.keys(DELIVERY_MODE_LABELS) as DeliveryMode[];
export { DELIVERY_MODE_LABELS };

export interface SearchValues {
  q: string; category: string; postcode: string; distance: string; unit: string; locality: string;
  modes: string[]; open: boolean; free: boolean; age: string; page: number;
}

export interface ResultView {
  id: string; name: string; organisationName: string; summary: string; temporarilyClosed: boolean;
  distance: string | null; place: string | null; latitude: number | null; longitude: number | null; hasPoint: boolean;
  opening: OpeningSummary | null; modes: string[]; isFree: boolean;
}

export interface Choice { value: string; text: string }

export interface SearchPage {
  values: SearchValues;
  errors: FormErrors;
  /** false when nothing was asked yet: the page offers categories to browse */
  searched: boolean;
  results: ResultView[];
  total: number;
  capped: boolean;
  pages: number;
  categories: Choice[];
  topCategories: Choice[];
  localities: string[];
  near: { postcode: string; terminated: boolean; latitude: number; longitude: number; distanceText: string } | null;
  /** the query string of this search without the page, for links to other pages */
  queryString: string;
}

export function formatDistance(metres: number, unit: Unit): string {
  const value = metres / UNITS[unit];
  if (unit === 'km') return value < 0.1 ? 'less than 0.1 km' : `${value.toFixed(1)} km`;
  if (value < 0.1) return 'less than 0.1 miles';
  const shown = value.toFixed(1);
  return `${shown} ${shown === '1.0' ? 'mile' : 'miles'}`;
}

export function readSearch(query: unknown): SearchValues {
  const page = Number.parseInt(str(query, 'page'), 10);
  return {
    q: str(query, 'q'), category: str(query, 'category'), postcode: str(query, 'postcode'),
    distance: str(query, 'distance'), unit: str(query, 'unit'), locality: str(query, 'locality'),
    modes: list(query, 'mode').map((m) => m.trim()).filter(Boolean),
    open: str(query, 'open') !== '', free: str(query, 'free') !== '', age: str(query, 'age'),
    page: Number.isFinite(page) && page >= 1 && page <= 10_000 ? page : 1,
  };
}

/** The search as a query string (page left out), in a fixed order, for pagination and "back to results" links. */
export function queryStringOf(v: SearchValues): string {
  const p = new URLSearchParams();
  if (v.q) p.set('q', v.q);
  if (v.category) p.set('category', v.category);
  if (v.postcode) p.set('postcode', v.postcode);
  if (v.postcode && v.distance) p.set('distance', v.distance);
  if (v.postcode && v.unit) p.set('unit', v.unit);
  if (v.locality) p.set('locality', v.locality);
  for (const m of v.modes) p.append('mode', m);
  if (v.open) p.set('open', 'now');
  if (v.free) p.set('free', 'yes');
  if (v.age) p.set('age', v.age);
  return p.toString();
}

function categoryChoices(terms: TermRow[]): { all: Choice[]; top: Choice[] } {
  const ids = new Set(terms.map((t) => t.id));
  const children = new Map<string, TermRow[]>();
  for (const t of terms) {
    if (t.parent_id && ids.has(t.parent_id)) children.set(t.parent_id, [...(children.get(t.parent_id) ?? []), t]);
  }
  const roots = terms.filter((t) => !t.parent_id || !ids.has(t.parent_id));
  const all: Choice[] = [];
  const seen = new Set<string>();
  const walk = (t: TermRow, depth: number) => {
    if (seen.has(t.id)) return;
    seen.add(t.id);
    // Em spaces indent a term under its parent; screen readers pass over them.
    all.push({ value: t.id, text: `${'\u2003'.repeat(depth)}${t.name}` });
    for (const c of children.get(t.id) ?? []) walk(c, depth + 1);
  };
  for (const r of roots) walk(r, 0);
  return { all, top: roots.map((r) => ({ value: r.id, text: r.name })) };
}

/** A term and every term below it, from the LIO's terms already read. */
export function descendantsOf(terms: TermRow[], termId: string): string[] {
  const found = [termId];
  for (let i = 0; i < found.length; i++) for (const t of terms) if (t.parent_id === found[i] && !found.includes(t.id)) found.push(t.id);
  return found;
}

const roundCoordinate = (value: number | null | undefined) => (value == null ? null : Math.round(value * 1e5) / 1e5);

const excerpt = (text: string, max = 180) => {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), max - 20))}…`;
};

/**
 * Values of an LIO that change rarely and are read on every search (its categories, the areas it covers): kept
 * under the LIO's directory version (see PublishedCache), so they are read again only after a change to the
 * directory, and a category or area added shows in the next search.
 *
 * The caller reads the version before it opens the transaction `tx`, never inside it: on PostgreSQL a version
 * read takes a connection of its own, and requests each holding a connection while waiting for another would
 * empty the pool and wait for ever. Read first, the version is never newer than what `tx` sees, so a value is
 * at worst read again once more than needed.
 */
class Kept<T> {
  private readonly entries = new Map<string, { version: string; value: T }>();
  constructor(private readonly load: (tx: Queryable) => Promise<T>) {}

  async get(lioId: string, version: string, tx: Queryable): Promise<T> {
    const hit = this.entries.get(lioId);
    if (hit && hit.version === version) return hit.value;
    return this.fresh(lioId, version, tx);
  }

  /** Read now: another process's change shows in the version only after a moment, and a search naming a category not held may be that. */
  async fresh(lioId: string, version: string, tx: Queryable): Promise<T> {
    const value = await this.load(tx);
    this.entries.set(lioId, { version, value });
    return value;
  }
}

export class PublicDirectory {
  private readonly terms: Kept<TermRow[]>;
  private readonly localities: Kept<string[]>;

  constructor(private readonly deps: { db: Database; clock: Clock; config: Config; published: PublishedCache }) {
    this.terms = new Kept(allTerms);
    this.localities = new Kept(localities);
  }

  /** Runs a search from the query string; errors in it come back for the form, with no results. */
  async search(lioId: string, query: unknown): Promise<SearchPage> {
    // Public: no permission to check. Everything below reads published services only.
    const values = readSearch(query);
    const errors = new FormErrors();
    const { db, clock, config } = this.deps;

    if (values.q.length > 200) errors.add('q', 'What you are looking for must be 200 characters or fewer');
    if (values.locality.length > 200) errors.add('locality', 'Choose an area from the list');
    let age: number | null = null;
    if (values.age) {
      age = /^\d{1,3}$/.test(values.age) ? Number(values.age) : NaN;
      if (!Number.isInteger(age) || age > 120) errors.add('age', 'Enter an age as a whole number of years, like 8 or 67');
    }
    const modes = values.modes.filter((m): m is DeliveryMode => (DELIVERY_MODES as string[]).includes(m));
    if (modes.length !== values.modes.length) errors.add('mode', 'Choose how you want to get help from the list');
    const distance = values.distance ? Number(values.distance) : DEFAULT_DISTANCE;
    if (values.distance && !(DISTANCES as readonly number[]).includes(distance)) errors.add('distance', `Choose a distance of ${DISTANCES.join(', ')}`);
    const unit: Unit = values.unit === 'km' || values.unit === 'miles' ? values.unit : DEFAULT_UNIT;
    if (values.unit && values.unit !== unit) errors.add('unit', 'Choose miles or kilometres');

    const now = localNow(clock.now());
    const compact = values.postcode ? normalisePostcode(values.postcode.slice(0, 20)) : null;
    if (values.postcode && !compact) errors.add('postcode', postcodeMessage('malformed', values.postcode));
    const distanceText = `${distance} ${unit === 'km' ? 'km' : distance === 1 ? 'mile' : 'miles'}`;
    const placeOf = (found: GeocodeResult): SearchPage['near'] => {
      if (found.status === 'found') return { postcode: found.postcode, terminated: found.terminated, latitude: found.latitude, longitude: found.longitude, distanceText };
      errors.add('postcode', postcodeMessage(found.status, values.postcode));
      return null;
    };

    // The postcode is looked up in the same transaction as the search (one turn at the database, which
    // matters on the single-connection embedded one); only a postcode the table lacks, with a postcode
    // service configured, is asked of the service outside it, and the search then runs again.
    const first = await this.searchWith(lioId, values, errors, now, compact, null, placeOf, { distance, unit, age, modes });
    if (first !== 'ask-service') return first;
    const remote = await geocodePostcode(db, values.postcode, { apiUrl: config.postcodesApiUrl });
    const page = await this.searchWith(lioId, values, errors, now, compact, remote, placeOf, { distance, unit, age, modes });
    return page as SearchPage;
  }

  private async searchWith(lioId: string, values: SearchValues, errors: FormErrors, now: LocalNow, compact: string | null, geocoded: GeocodeResult | null,
    placeOf: (found: GeocodeResult) => SearchPage['near'], o: { distance: number; unit: Unit; age: number | null; modes: DeliveryMode[] }): Promise<SearchPage | 'ask-service'> {
    const { db, config, published } = this.deps;
    const { distance, unit, age, modes } = o;
    const version = await published.version(lioId);
    return db.withTenant(lioId, async (tx) => {
      let near: SearchPage['near'] = null;
      if (compact) {
        const found = geocoded ?? await lookupPostcode(tx, compact);
        if (found.status === 'unknown' && !geocoded && config.postcodesApiUrl) return 'ask-service' as const;
        near = placeOf(found);
      }
      let terms = await this.terms.get(lioId, version, tx);
      const known = () => terms.some((t) => t.id === values.category);
      if (values.category && isUuid(values.category) && !known()) terms = await this.terms.fresh(lioId, version, tx);
      const { all: categories, top: topCategories } = categoryChoices(terms);
      let termIds: string[] | null = null;
      if (values.category) {
        if (!isUuid(values.category) || !known()) errors.add('category', 'Choose a category from the list');
        else termIds = descendantsOf(terms, values.category);
      }
      const page: SearchPage = {
        values, errors, searched: false, results: [], total: 0, capped: false, pages: 1, categories, topCategories,
        localities: await this.localities.get(lioId, version, tx), near, queryString: queryStringOf(values),
      };
      const asked = Boolean(values.q || values.category || values.postcode || values.locality || values.modes.length || values.open || values.free || values.age);
      if (errors.any || !asked) return page;

      const criteria: SearchCriteria = {
        text: values.q || null, termIds, locality: values.locality || null, deliveryModes: modes, freeOnly: values.free, age,
        near: near ? { latitude: near.latitude, longitude: near.longitude, radiusM: distance * UNITS[unit] } : null,
        openAt: values.open ? { date: now.date, day: now.day, yesterday: now.yesterday, time: now.time } : null,
        limit: PAGE_SIZE, offset: (values.page - 1) * PAGE_SIZE,
      };
      const found = await searchPublished(tx, criteria);
      page.searched = true;
      page.total = found.total;
      page.capped = found.capped;
      page.pages = Math.max(1, Math.ceil(found.total / PAGE_SIZE));
      page.results = found.rows.map((r) => {
        const place = r.place;
        const metres = r.distance_m ?? place?.distance_m ?? null;
        return {
          id: r.id, name: r.name, organisationName: r.organisation_name, summary: excerpt(r.description), temporarilyClosed: r.status === 'temporarily closed',
          distance: metres !== null && near ? formatDistance(metres, unit) : null,
          place: place ? [place.name, place.address_1, place.city, place.postal_code].filter(Boolean).join(', ') || null : null,
          // to about a metre: the map needs no more, and the page is smaller
          latitude: roundCoordinate(place?.latitude), longitude: roundCoordinate(place?.longitude),
          hasPoint: place?.latitude != null && place?.longitude != null,
          opening: r.status === 'temporarily closed' ? null : openingSummary(r.schedules, now),
          modes: r.delivery_modes.map((m) => DELIVERY_MODE_LABELS[m]), isFree: r.is_free,
        };
      });
      return page;
    });
  }

  /** A published service, fully, for its public page; undefined when there is none to show. */
  async service(lioId: string, id: string): Promise<ServiceDetail | undefined> {
    if (!isUuid(id)) return undefined;
    const now = localNow(this.deps.clock.now());
    return this.deps.db.withTenant(lioId, async (tx) => {
      if (!(await publishedIds(tx, [id])).has(id)) return undefined;
      const service = (await loadServices(tx, [id]))[0];
      return service ? serviceDetail(service, now) : undefined;
    });
  }

  /** Published services, fully, in the order given (for signposting lists). */
  async services(tx: Queryable, ids: string[]): Promise<ServiceDetail[]> {
    const wanted = ids.filter(isUuid);
    const visible = await publishedIds(tx, wanted);
    const now = localNow(this.deps.clock.now());
    return (await loadServices(tx, wanted.filter((i) => visible.has(i)))).map((s) => serviceDetail(s, now));
  }
}

// ---------------------------------------------------------------------------------------------------
// A service in plain words
// ---------------------------------------------------------------------------------------------------

export interface PlaceView {
  name: string | null; lines: string[]; postcode: string | null; address: string; accessibility: string[]; mapUrl: string | null;
  latitude: number | null; longitude: number | null; phones: PhoneView[];
  opening: { week: { day: string; hours: string }[]; sessions: { date: string; hours: string; description: string | null }[]; notes: string[] } | null;
}

export interface ServiceDetail {
  id: string; name: string; organisationName: string; organisationWebsite: string | null;
  paragraphs: string[]; temporarilyClosed: boolean; alert: string | null;
  modes: string[]; howToUse: string[]; eligibility: string | null;
  phones: PhoneView[]; email: string | null; website: string | null;
  contacts: { name: string; email: string | null; phones: PhoneView[] }[];
  places: PlaceView[];
  opening: { summary: OpeningSummary | null; week: { day: string; hours: string }[]; sessions: { date: string; hours: string; description: string | null }[]; notes: string[] };
  isFree: boolean; costs: string[]; feesDescription: string | null;
  languages: string[]; areas: string[]; categories: string[];
}

const money = new Intl.NumberFormat('en-GB', { style: 'currency', currency: 'GBP' });

export function eligibilityText(min: number | null, max: number | null): string | null {
  if (min !== null && max !== null) return `For people aged ${min} to ${max}`;
  if (min !== null) return min === 0 ? null : `For people aged ${min} and over`;
  if (max !== null) return `For people aged up to ${max}`;
  return null;
}

export interface PhoneView { text: string; tel: string }
const phoneText = (p: { number: string; extension: string | null; description: string | null }): PhoneView => ({
  text: `${p.number}${p.extension ? ` extension ${p.extension}` : ''}${p.description ? ` (${p.description})` : ''}`,
  tel: p.number.replace(/[^0-9+]/g, ''),
});

const dateText = (d: string) => new Date(`${d}T12:00:00Z`).toLocaleDateString('en-GB', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

function serviceDetail(s: HsdsService, now: LocalNow): ServiceDetail {
  const allSchedules: HsdsSchedule[] = [...s.schedules, ...s.service_at_locations.flatMap((sal) => sal.schedules)];
  const week = openingWeek(s.schedules, now.date);
  const phones = [...s.phones, ...s.contacts.flatMap((c) => (c.name ? [] : c.phones))].map(phoneText);
  const firstPhone = phones[0]?.text ?? s.service_at_locations.flatMap((sal) => sal.location.phones)[0]?.number ?? s.organization.phone ?? null;
  const places: PlaceView[] = s.service_at_locations.map((sal) => {
    const l = sal.location;
    const address = l.addresses[0];
    const own = sal.schedules.length ? openingWeek(sal.schedules, now.date) : null;
    const lines = address ? [address.address_1, address.address_2, address.city].filter((x): x is string => Boolean(x)) : [];
    return {
      name: l.name,
      lines,
      postcode: address?.postal_code ?? null,
      address: [l.name, ...lines, address?.postal_code].filter(Boolean).join(', '),
      accessibility: l.accessibility.flatMap((a) => [a.description, a.details]).filter((x): x is string => Boolean(x)),
      mapUrl: l.latitude !== null && l.longitude !== null ? `https://www.openstreetmap.org/?mlat=${l.latitude.toFixed(5)}&mlon=${l.longitude.toFixed(5)}#map=17/${l.latitude.toFixed(5)}/${l.longitude.toFixed(5)}` : null,
      latitude: l.latitude, longitude: l.longitude,
      phones: l.phones.map(phoneText),
      opening: own ? { week: own.week, sessions: own.sessions.map((x) => ({ ...x, date: dateText(x.date) })), notes: own.notes } : null,
    };
  });
  const howToUse: string[] = [];
  for (const mode of s.delivery_modes) {
    if (mode === 'in_person') howToUse.push(places.length ? 'Go there in person: the address is below.' : 'Meet them in person: contact them to find out where.');
    if (mode === 'phone') howToUse.push(firstPhone ? `Phone them on ${firstPhone}.` : 'Talk to them by phone.');
    if (mode === 'online') howToUse.push(s.url ? 'Use the service online, on their website.' : 'Use the service online.');
    if (mode === 'home_visit') howToUse.push('Someone can visit you at home.');
  }
  const costs = s.cost_options.map((c) => {
    const amount = c.amount === null ? null : c.amount === 0 ? 'Free' : money.format(c.amount);
    return [amount, c.option, c.amount_description].filter(Boolean).join(' – ');
  }).filter(Boolean);
  return {
    id: s.id, name: s.name, organisationName: s.organization.name, organisationWebsite: s.organization.website,
    paragraphs: s.description.split(/\n\s*\n/).map((p) => p.trim()).filter(Boolean),
    temporarilyClosed: s.status === 'temporarily closed', alert: s.alert,
    modes: s.delivery_modes.map((m) => DELIVERY_MODE_LABELS[m]), howToUse, eligibility: eligibilityText(s.minimum_age, s.maximum_age),
    phones, email: s.email ?? s.contacts.find((c) => c.email)?.email ?? null, website: s.url,
    contacts: s.contacts.filter((c) => c.name).map((c) => ({ name: [c.name, c.title ? `(${c.title})` : null].filter(Boolean).join(' '), email: c.email, phones: c.phones.map(phoneText) })),
    places,
    opening: { summary: s.status === 'temporarily closed' ? null : openingSummary(allSchedules, now), week: week.week, sessions: week.sessions.map((x) => ({ ...x, date: dateText(x.date) })), notes: week.notes },
    isFree: s.is_free, costs, feesDescription: s.fees_description,
    languages: s.languages.map((l) => l.name ?? l.code).filter((x): x is string => Boolean(x)),
    areas: s.service_areas.map((a) => a.name).filter((x): x is string => Boolean(x)),
    categories: s.attributes.map((a) => a.taxonomy_term.name),
  };
}
