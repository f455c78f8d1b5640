import type { Database, Queryable, Reads } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import type { Config } from '../../platform/config.js';
import type { PublishedCache } from '../published/cache.js';
import type { DeliveryMode } from '../../platform/db/directory-schema.js';
import { FormErrors } from '../../platform/http/forms.js';
import { geocodePostcode, lookupPostcode, postcodeMessage, type GeocodeResult } from '../../platform/geography/geocode.js';
import { loadServicesWith } from '../services/repository.js';
import { isUuid } from '../../platform/validation/ids.js';
import { compactPostcode } from '../../platform/validation/postcodes.js';
import { DELIVERY_MODE_LABELS } from '../services/delivery-modes.js';
import { localNow, openingSummary, type LocalNow } from './opening.js';
import { allTerms, localities, published, searchPublished, type SearchCriteria, type TermRow } from './repository.js';
import { DEFAULT_DISTANCE, DEFAULT_UNIT, DELIVERY_MODES, DISTANCES, PAGE_SIZE, UNITS, queryStringOf, readSearch, type SearchValues, type Unit } from './form.js';
import { categoryChoices, descendantsOf, excerpt, formatDistance, roundCoordinate, serviceDetail, type SearchPage, type ServiceDetail } from './present.js';

/**
 * The public directory of one LIO: search with filters, and a page per service. No sign-in and no
 * permission: everything here reads published services only (see repository.ts).
 */

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

  /**
   * Runs a search from the query string; errors in it come back for the form, with no results. `reads` says
   * where it reads (publicReads): the read replica, unless the visitor must see the primary.
   */
  async search(lioId: string, query: unknown, reads: Reads = this.deps.db.reading()): Promise<SearchPage> {
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
    const compact = values.postcode ? compactPostcode(values.postcode.slice(0, 20)) : null;
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
    const first = await this.searchWith(reads, lioId, values, errors, now, compact, null, placeOf, { distance, unit, age, modes });
    if (first !== 'ask-service') return first;
    const remote = await geocodePostcode(db, values.postcode, { apiUrl: config.postcodesApiUrl });
    const page = await this.searchWith(reads, lioId, values, errors, now, compact, remote, placeOf, { distance, unit, age, modes });
    return page as SearchPage;
  }

  private async searchWith(reads: Reads, lioId: string, values: SearchValues, errors: FormErrors, now: LocalNow, compact: string | null, geocoded: GeocodeResult | null,
    placeOf: (found: GeocodeResult) => SearchPage['near'], o: { distance: number; unit: Unit; age: number | null; modes: DeliveryMode[] }): Promise<SearchPage | 'ask-service'> {
    const { config, published } = this.deps;
    const { distance, unit, age, modes } = o;
    const version = await published.version(lioId, reads);
    return reads.withTenant(lioId, async (tx) => {
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
          placeName: place ? place.name || place.address_1 || place.city || null : null,
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
  async service(lioId: string, id: string, reads: Reads = this.deps.db.reading()): Promise<ServiceDetail | undefined> {
    if (!isUuid(id)) return undefined;
    const now = localNow(this.deps.clock.now());
    return reads.withTenant(lioId, async (tx) => {
      const [service] = (await loadServicesWith(tx, [id], { only: published })).services;
      return service ? serviceDetail(service, now) : undefined;
    }, { plans: 'by id' });
  }

  /** Published services, fully, in the order given (for signposting lists). */
  async services(tx: Queryable, ids: string[]): Promise<ServiceDetail[]> {
    const now = localNow(this.deps.clock.now());
    return (await loadServicesWith(tx, ids, { only: published })).services.map((s) => serviceDetail(s, now));
  }
}
