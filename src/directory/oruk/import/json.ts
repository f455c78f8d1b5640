import type { ServiceStatus } from '../../../platform/db/directory-schema.js';
import {
  clip, coordinate, date, dateTime, dayCode, email, identifier, integer, number, text, timeOfDay, uri, webAddress, type Warn,
} from './clean.js';
import {
  ImportSet, taxonomyKeyById, taxonomyKeyByName, termKeyOf,
  type ImpAccessibility, type ImpAddress, type ImpAttribute, type ImpContact, type ImpCostOption, type ImpFunding, type ImpIdentifier, type ImpLanguage,
  type ImpLocation, type ImpOrganisation, type ImpPhone, type ImpSchedule, type ImpService, type ImpServiceArea, type ImpServiceAtLocation, type ImpTaxonomy,
} from './model.js';
import { isUuid } from '../../../platform/validation/ids.js';

/**
 * Reading Open Referral JSON into an ImportSet: HSDS 3.0 (UK profile) records, as served by /services,
 * /services/{id}, /organizations, /taxonomies, /taxonomy_terms and /service_at_locations, or saved to a file;
 * and, leniently, the ORUK 1.0-era shape councils still publish (content/totalElements paging,
 * regular_schedules, eligibilitys, service_taxonomys, physical_addresses, HTML in descriptions).
 */

type Raw = Record<string, unknown>;
export type RecordKind = 'service' | 'organization' | 'taxonomy' | 'taxonomy_term' | 'service_at_location';

const isObject = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
const arrayOf = (v: unknown): Raw[] => (Array.isArray(v) ? v.filter(isObject) : isObject(v) ? [v] : []);

export interface Paging {
  /** the feed's own page fields: 3.0 (page_number, last_page) or 1.0 (number, last) */
  pageNumber: number | null;
  totalPages: number | null;
  lastPage: boolean | null;
  /** how many records the feed says it holds in all (3.0 total_items, 1.0 totalElements) */
  totalItems: number | null;
}

export interface ReadDocument { items: unknown[]; paging: Paging | null; oneZero: boolean; apiDetails: boolean }

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : null);
const bool = (v: unknown) => (typeof v === 'boolean' ? v : null);

/** What one JSON document holds: a page of records (3.0 or 1.0 paging), a list, one record, or the API's details. */
export function readDocument(doc: unknown): ReadDocument {
  if (Array.isArray(doc)) return { items: doc, paging: null, oneZero: false, apiDetails: false };
  if (!isObject(doc)) return { items: [], paging: null, oneZero: false, apiDetails: false };
  if (Array.isArray(doc.contents)) {
    return { items: doc.contents, paging: { pageNumber: num(doc.page_number), totalPages: num(doc.total_pages), lastPage: bool(doc.last_page), totalItems: num(doc.total_items) }, oneZero: false, apiDetails: false };
  }
  if (Array.isArray(doc.content)) {
    return { items: doc.content, paging: { pageNumber: num(doc.number), totalPages: num(doc.totalPages), lastPage: bool(doc.last), totalItems: num(doc.totalElements) }, oneZero: true, apiDetails: false };
  }
  if (typeof doc.version === 'string' && (typeof doc.openapi_url === 'string' || typeof doc.profile === 'string') && doc.id === undefined) {
    return { items: [], paging: null, oneZero: false, apiDetails: true };
  }
  return { items: [doc], paging: null, oneZero: false, apiDetails: false };
}

const ONE_ZERO_SERVICE_KEYS = ['regular_schedules', 'holiday_schedules', 'eligibilitys', 'service_taxonomys', 'fundings', 'deliverable_type', 'attending_access', 'reviews'];
const NESTED_SERVICE_KEYS = ['service_at_locations', 'schedules', 'regular_schedules', 'contacts', 'cost_options', 'languages', 'service_areas', 'attributes',
  'service_taxonomys', 'phones', 'funding', 'fundings', 'eligibilitys'];

/** A service from a list endpoint carries only its one-to-one fields; the full record is at /services/{id}. */
export function isFlatService(raw: unknown): boolean {
  return isObject(raw) && !NESTED_SERVICE_KEYS.some((k) => k in raw);
}

/** The kind of a record from its shape, when the endpoint it came from does not say. */
export function kindOf(raw: Raw): RecordKind {
  if ('service' in raw && ('location' in raw || 'location_id' in raw)) return 'service_at_location';
  if ('taxonomy_terms' in raw) return 'taxonomy';
  if ('status' in raw || NESTED_SERVICE_KEYS.some((k) => k !== 'phones' && k !== 'funding' && k in raw) || 'organization' in raw || 'organization_id' in raw) return 'service';
  if ('services' in raw || 'organization_identifiers' in raw || 'website' in raw || 'logo' in raw || 'email' in raw || 'parent_organization_id' in raw) return 'organization';
  if ('term' in raw || 'taxonomy_id' in raw || 'parent_id' in raw || 'code' in raw || 'vocabulary' in raw || 'taxonomy' in raw || 'term_uri' in raw) return 'taxonomy_term';
  if ('uri' in raw || 'version' in raw) return 'taxonomy';
  return 'service';
}

/** The taxonomy that holds the groups ORUK 1.0 feeds say a service is for. */
export const AUDIENCE_TAXONOMY = 'Target audience';

/** A service's fields that are read (or counted as not held on their own); any other is listed as a field not held. */
const READ_SERVICE_KEYS = new Set(['id', 'organization_id', 'organization', 'name', 'description', 'url', 'email', 'status', 'fees', 'fees_description', 'accreditations',
  'minimum_age', 'maximum_age', 'assured_date', 'assurer_email', 'alert', 'last_modified', 'date_modified', 'attending_type', 'schedules', 'regular_schedules',
  'service_areas', 'service_at_locations', 'locations', 'languages', 'funding', 'fundings', 'cost_options', 'contacts', 'phones', 'attributes', 'service_taxonomys',
  'eligibilitys', 'pc_targetAudience', 'holiday_schedules', 'required_documents', 'program', 'reviews']);

const isBlank = (v: unknown) => v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0);

const SERVICE_STATUSES: ServiceStatus[] = ['active', 'inactive', 'defunct', 'temporarily closed'];
const WEEKDAY_NUMBERS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];

/**
 * The text reader of one record. It is made by a call rather than written inline in each method: the TypeScript
 * loader keeps function names, wrapping each named function expression in a call that sets its name, and one per
 * record was a tenth of the time it takes to read a large feed.
 */
function textOf(warn: Warn, lenient: boolean): (v: unknown, field: string, max?: number, html?: boolean) => string | null {
  return (v, field, max, html = false) => text(v, field, warn, { lenient, html, ...(max ? { max } : {}) });
}

/** Reads records into the set. `source` names the file or address in messages. */
export class JsonReader {
  constructor(private readonly set: ImportSet) {}

  add(raw: unknown, options: { kind?: RecordKind; oneZero?: boolean; source: string }): void {
    if (!isObject(raw)) {
      this.set.warning({ record: 'record', message: `${options.source}: an entry that is not a JSON object was left out` });
      return;
    }
    const kind = options.kind ?? kindOf(raw);
    const lenient = Boolean(options.oneZero) || ONE_ZERO_SERVICE_KEYS.some((k) => k in raw) || !isUuid(raw.id);
    switch (kind) {
      case 'service': this.service(raw, lenient, null); break;
      case 'organization': this.organisation(raw, lenient); break;
      case 'taxonomy': this.taxonomy(raw, lenient); break;
      case 'taxonomy_term': this.term(raw, lenient, null); break;
      case 'service_at_location': this.serviceAtLocationRecord(raw, lenient); break;
    }
  }

  private warner(record: string, id: string | undefined, name?: string): Warn {
    return (field, message) => this.set.warning({ record, ...(id ? { id } : {}), ...(name ? { name } : {}), field, message: `${field} ${message}` });
  }

  service(raw: Raw, lenient: boolean, orgExtGiven: string | null): ImpService | null {
    const early: { field: string; message: string }[] = [];
    const ext = identifier(raw.id, 'service', () => JSON.stringify(raw), (field, message) => early.push({ field, message }));
    const nameRaw = text(raw.name, 'name', () => undefined, { lenient: true });
    const warn = this.warner('service', ext, nameRaw ?? undefined);
    for (const e of early) warn(e.field, e.message);
    const t = textOf(warn, lenient);

    const name = t(raw.name, 'name', 300) ?? this.set.services.get(ext)?.name ?? null;
    if (!name) {
      this.set.refuse({ record: 'service', id: ext, field: 'name', message: 'has no name, which the standard requires: not imported' });
      return null;
    }
    let orgExt = orgExtGiven;
    if (isObject(raw.organization)) {
      const organisation = this.organisation(raw.organization, lenient);
      if (!organisation) {
        this.set.refuse({ record: 'service', id: ext, name, field: 'organization', message: 'belongs to an organisation that was refused: not imported' });
        return null;
      }
      orgExt = organisation.ext;
    } else if (raw.organization_id !== undefined && raw.organization_id !== null && raw.organization_id !== '') orgExt = String(raw.organization_id).trim();
    if (!orgExt) {
      this.set.refuse({ record: 'service', id: ext, name, field: 'organization', message: 'names no organisation, which the standard requires: not imported' });
      return null;
    }

    let status: ServiceStatus = 'active';
    const statusText = t(raw.status, 'status');
    if (statusText) {
      const s = statusText.trim().toLowerCase().replace(/_/g, ' ');
      if ((SERVICE_STATUSES as string[]).includes(s)) status = s as ServiceStatus;
      else warn('status', `"${clip(statusText)}" is not active, inactive, defunct or temporarily closed: imported as active`);
    }

    let minimumAge = integer(raw.minimum_age, 'minimum_age', warn, 0, 130);
    let maximumAge = integer(raw.maximum_age, 'maximum_age', warn, 0, 130);
    for (const e of arrayOf(raw.eligibilitys)) {
      minimumAge ??= integer(e.minimum_age, 'eligibilitys.minimum_age', warn, 0, 130);
      maximumAge ??= integer(e.maximum_age, 'eligibilitys.maximum_age', warn, 0, 130);
    }

    const service: ImpService = {
      ext, orgExt, name, description: t(raw.description, 'description', 10000, true) ?? '',
      url: webAddress(raw.url, 'url', warn, lenient), email: email(raw.email, 'email', warn, lenient), status,
      fees: t(raw.fees_description ?? raw.fees, 'fees', 10000), accreditations: t(raw.accreditations, 'accreditations', 10000),
      minimumAge, maximumAge, assuredDate: date(raw.assured_date, 'assured_date', warn), assurerEmail: email(raw.assurer_email, 'assurer_email', warn, lenient),
      alert: t(raw.alert, 'alert', 10000),
      // (ORUK 1.0 feeds call the service's own last change date_modified)
      lastModified: dateTime(raw.last_modified ?? raw.date_modified, raw.last_modified ? 'last_modified' : 'date_modified', warn),
      attendingType: t(raw.attending_type, 'attending_type', 500),
      schedules: [...arrayOf(raw.schedules), ...arrayOf(raw.regular_schedules)].map((s) => this.schedule(s, warn, lenient)).filter((s): s is ImpSchedule => s !== null),
      serviceAreas: arrayOf(raw.service_areas).map((a): ImpServiceArea => ({
        ext: idOf(a.id), name: t(a.name, 'service_areas.name', 1000), description: t(a.description, 'service_areas.description', 10000),
        extent: t(a.extent, 'service_areas.extent'), extentType: t(a.extent_type, 'service_areas.extent_type', 100), uri: t(a.uri, 'service_areas.uri', 1000),
        serviceArea: t(a.service_area, 'service_areas.service_area', 1000),
      })),
      sals: [],
      languages: arrayOf(raw.languages).map((l) => this.language(l, warn, lenient)),
      funding: [...arrayOf(raw.funding), ...arrayOf(raw.fundings)].map((f): ImpFunding => ({ ext: idOf(f.id), source: t(f.source, 'funding.source', 10000) })),
      costOptions: arrayOf(raw.cost_options).map((c): ImpCostOption => ({
        ext: idOf(c.id), validFrom: date(c.valid_from, 'cost_options.valid_from', warn), validTo: date(c.valid_to, 'cost_options.valid_to', warn),
        option: t(c.option, 'cost_options.option', 1000), amount: money(c.amount, warn), currency: currency(c.currency, warn),
        amountDescription: t(c.amount_description, 'cost_options.amount_description', 1000),
      })),
      contacts: arrayOf(raw.contacts).map((c): ImpContact => ({
        ext: idOf(c.id), name: t(c.name, 'contacts.name', 300), title: t(c.title, 'contacts.title', 300), department: t(c.department, 'contacts.department', 300),
        email: email(c.email, 'contacts.email', warn, lenient), phones: arrayOf(c.phones).map((p) => this.phone(p, warn, lenient)).filter((p): p is ImpPhone => p !== null),
      })),
      phones: arrayOf(raw.phones).map((p) => this.phone(p, warn, lenient)).filter((p): p is ImpPhone => p !== null),
      attributes: [
        ...arrayOf(raw.attributes).map((a) => this.attribute(a, warn, lenient)),
        ...arrayOf(raw.service_taxonomys).map((st) => this.oneZeroTaxonomy(st, warn)),
        ...this.audiences(raw, t),
      ].filter((a): a is ImpAttribute => a !== null),
    };
    for (const sal of arrayOf(raw.service_at_locations)) {
      const read = this.serviceAtLocation(sal, warn, lenient, orgExt);
      if (read) service.sals.push(read);
    }
    const locationOnly = arrayOf(raw.locations);
    for (const l of locationOnly) {
      const location = this.location(l, lenient, orgExt);
      if (location) service.sals.push({ ext: null, locationExt: location.ext, description: null, schedules: [] });
    }
    if (arrayOf(raw.holiday_schedules).length) this.notHeld('holiday schedules (ORUK 1.0)', arrayOf(raw.holiday_schedules).length);
    if (arrayOf(raw.required_documents).length) this.notHeld('required documents', arrayOf(raw.required_documents).length);
    if (isObject(raw.program)) this.notHeld('programmes', 1);
    if (arrayOf(raw.reviews).length) this.notHeld('reviews (ORUK 1.0)', arrayOf(raw.reviews).length);
    for (const key of Object.keys(raw)) if (!READ_SERVICE_KEYS.has(key) && !isBlank(raw[key])) this.notHeld(`service field “${key}”`, 1);
    if (minimumAge !== null && maximumAge !== null && minimumAge > maximumAge) warn('minimum_age', `${minimumAge} is above the maximum age ${maximumAge}`);

    this.put(this.set.services, ext, service);
    return this.set.services.get(ext)!;
  }

  organisation(raw: Raw, lenient: boolean): ImpOrganisation | null {
    const early: { field: string; message: string }[] = [];
    const ext = identifier(raw.id, 'organization', () => JSON.stringify({ ...raw, services: undefined }), (field, message) => early.push({ field, message }));
    const lenientHere = lenient || !isUuid(raw.id);
    const warn = this.warner('organization', ext, typeof raw.name === 'string' ? raw.name : undefined);
    for (const e of early) warn(e.field, e.message);
    const t = textOf(warn, lenientHere);
    const name = t(raw.name, 'name', 300) ?? this.set.organisations.get(ext)?.name ?? null;
    if (!name) {
      this.set.refuse({ record: 'organization', id: ext, field: 'name', message: 'has no name, which the standard requires: not imported, nor its services' });
      return null;
    }
    const parent = raw.parent_organization_id;
    const organisation: ImpOrganisation = {
      ext, name, description: t(raw.description, 'description', 10000, true) ?? '', email: email(raw.email, 'email', warn, lenientHere),
      website: webAddress(raw.website ?? raw.url, 'website', warn, lenientHere), logo: webAddress(raw.logo, 'logo', warn, lenientHere), uri: uri(raw.uri, 'uri', warn, lenientHere),
      parentExt: typeof parent === 'string' && parent.trim() ? parent.trim() : typeof parent === 'number' ? String(parent) : null,
      identifiers: arrayOf(raw.organization_identifiers).map((i): ImpIdentifier | null => {
        const identifierValue = t(i.identifier, 'organization_identifiers.identifier', 200);
        if (!identifierValue) { warn('organization_identifiers', 'entry without an identifier left out'); return null; }
        return { ext: idOf(i.id), scheme: t(i.identifier_scheme, 'organization_identifiers.identifier_scheme', 100), type: t(i.identifier_type, 'organization_identifiers.identifier_type', 200) ?? 'Identifier', identifier: identifierValue };
      }).filter((i): i is ImpIdentifier => i !== null),
      funding: [...arrayOf(raw.funding), ...arrayOf(raw.fundings)].map((f): ImpFunding => ({ ext: idOf(f.id), source: t(f.source, 'funding.source', 10000) })),
      phones: arrayOf(raw.phones).map((p) => this.phone(p, warn, lenientHere)).filter((p): p is ImpPhone => p !== null),
      attributes: arrayOf(raw.attributes).map((a) => this.attribute(a, warn, lenientHere)).filter((a): a is ImpAttribute => a !== null),
    };
    this.put(this.set.organisations, ext, organisation);
    for (const s of arrayOf(raw.services)) this.service(s, lenient || !isUuid(s.id), ext);
    if (arrayOf(raw.programs).length) this.notHeld('programmes', arrayOf(raw.programs).length);
    return this.set.organisations.get(ext)!;
  }

  taxonomy(raw: Raw, lenient: boolean): ImpTaxonomy | null {
    const warn = this.warner('taxonomy', idOf(raw.id) ?? undefined, typeof raw.name === 'string' ? raw.name : undefined);
    const t = textOf(warn, lenient);
    const name = t(raw.name, 'name', 200);
    const ext = idOf(raw.id);
    if (!name) {
      this.set.refuse({ record: 'taxonomy', ...(ext ? { id: ext } : {}), field: 'name', message: 'has no name: not imported, nor its terms' });
      return null;
    }
    const taxonomy: ImpTaxonomy = {
      key: ext ? taxonomyKeyById(ext) : taxonomyKeyByName(name), ext, name, description: t(raw.description, 'description', 10000) ?? '',
      uri: uri(raw.uri, 'uri', warn, lenient), version: t(raw.version, 'version', 100),
    };
    if (this.set.taxonomies.get(taxonomy.key)?.standIn) this.set.taxonomies.set(taxonomy.key, taxonomy);
    else this.put(this.set.taxonomies, taxonomy.key, taxonomy);
    for (const term of arrayOf(raw.taxonomy_terms)) this.term(term, lenient, taxonomy.key);
    return this.set.taxonomies.get(taxonomy.key)!;
  }

  /** A taxonomy term; `taxonomyKey` when it came inside its taxonomy. Returns the term's key. */
  term(raw: Raw, lenient: boolean, taxonomyKey: string | null): string | null {
    const ext = idOf(raw.id) ?? (typeof raw.code === 'string' && raw.code.trim() ? `code:${raw.code.trim()}` : null);
    const warn = this.warner('taxonomy_term', ext ?? undefined, typeof raw.name === 'string' ? raw.name : undefined);
    const t = textOf(warn, lenient);
    const name = t(raw.name, 'name', 200) ?? t(raw.term, 'term', 200) ?? t(raw.code, 'code', 200);
    if (!ext || !name) {
      this.set.refuse({ record: 'taxonomy_term', ...(ext ? { id: ext } : {}), field: ext ? 'name' : 'id', message: `has no ${ext ? 'name' : 'id'}: not imported` });
      return null;
    }
    let key = taxonomyKey;
    if (!key) {
      const taxonomyId = idOf(raw.taxonomy_id);
      const taxonomyName = isObject(raw.taxonomy) ? null : t(raw.taxonomy, 'taxonomy', 200);
      if (taxonomyId) {
        key = taxonomyKeyById(taxonomyId);
        if (!this.set.taxonomies.has(key)) this.set.taxonomies.set(key, { key, ext: taxonomyId, name: taxonomyName ?? `Taxonomy ${taxonomyId}`, description: '', uri: null, version: null, standIn: true });
      } else {
        const byName = taxonomyName ?? t(raw.vocabulary, 'vocabulary', 200) ?? 'Imported terms';
        key = taxonomyKeyByName(byName);
        if (!this.set.taxonomies.has(key)) this.set.taxonomies.set(key, { key, ext: null, name: byName, description: '', uri: null, version: null });
      }
    }
    const parent = raw.parent_id ?? (isObject(raw.parent) ? raw.parent.id : raw.parent);
    const code = t(raw.code, 'code', 100) ?? clip(ext, 100);
    const term = {
      key: termKeyOf(ext), ext, code, name, description: t(raw.description, 'description', 10000) ?? '', parentExt: idOf(parent), taxonomyKey: key,
      termUri: uri(raw.term_uri ?? raw.uri, 'term_uri', warn, lenient),
    };
    this.put(this.set.terms, term.key, term);
    return term.key;
  }

  private serviceAtLocationRecord(raw: Raw, lenient: boolean): void {
    const warn = this.warner('service_at_location', idOf(raw.id) ?? undefined);
    let service: ImpService | null = null;
    if (isObject(raw.service)) service = this.service(raw.service, lenient || !isUuid(raw.service.id), null);
    else if (raw.service_id) service = this.set.services.get(String(raw.service_id)) ?? null;
    if (!service) {
      warn('service', 'is not in this import: the link of service to location was left out');
      return;
    }
    const sal = this.serviceAtLocation(raw, warn, lenient, service.orgExt);
    if (sal) mergeSal(service, sal);
  }

  private serviceAtLocation(raw: Raw, warn: Warn, lenient: boolean, orgExt: string | null): ImpServiceAtLocation | null {
    const locationExt = isObject(raw.location) ? this.location(raw.location, lenient, orgExt)?.ext ?? null : idOf(raw.location_id);
    if (!locationExt) {
      warn('service_at_locations', 'entry without a location left out');
      return null;
    }
    return {
      ext: idOf(raw.id), locationExt, description: text(raw.description, 'service_at_locations.description', warn, { lenient, html: true, max: 10000 }),
      schedules: [...arrayOf(raw.schedules), ...arrayOf(raw.regular_schedule), ...arrayOf(raw.regular_schedules)]
        .map((s) => this.schedule(s, warn, lenient)).filter((s): s is ImpSchedule => s !== null),
    };
  }

  location(raw: Raw, lenient: boolean, orgExt: string | null): ImpLocation | null {
    const ext = identifier(raw.id, 'location', () => JSON.stringify(raw), () => undefined);
    const warn = this.warner('location', ext, typeof raw.name === 'string' ? raw.name : undefined);
    if (!idOf(raw.id)) warn('id', 'is missing: an identifier was made from the record');
    const t = textOf(warn, lenient);
    const type = locationType(raw.location_type, warn) ?? 'physical';
    const addresses = [...arrayOf(raw.addresses), ...arrayOf(raw.physical_addresses), ...arrayOf(raw.postal_addresses)];
    if (addresses.length > 1) warn('addresses', `has ${addresses.length} addresses: the first ${addresses.some((a) => a.address_type === 'physical') ? 'physical one' : 'one'} was kept`);
    const chosen = addresses.find((a) => a.address_type === 'physical') ?? addresses[0];
    const address: ImpAddress | null = chosen ? {
      ext: idOf(chosen.id), attention: t(chosen.attention, 'addresses.attention', 300), address1: t(chosen.address_1, 'addresses.address_1', 500),
      address2: t(chosen.address_2, 'addresses.address_2', 500), city: t(chosen.city, 'addresses.city', 200), region: t(chosen.region, 'addresses.region', 200),
      stateProvince: t(chosen.state_province, 'addresses.state_province', 200), postalCode: t(chosen.postal_code, 'addresses.postal_code', 20),
      country: t(chosen.country, 'addresses.country', 100), type: locationType(chosen.address_type, warn),
    } : null;
    const access = [...arrayOf(raw.accessibility), ...arrayOf(raw.accessibility_for_disabilities)];
    const accessibility: ImpAccessibility | null = access.length ? {
      ext: idOf(access[0]!.id),
      description: joinText(access.map((a) => t(a.description ?? a.accessibility, 'accessibility.description', 5000, true))),
      details: joinText(access.map((a) => t(a.details, 'accessibility.details', 5000, true))),
      url: webAddress(access[0]!.url, 'accessibility.url', warn, lenient),
    } : null;
    if (access.length > 1) warn('accessibility', `has ${access.length} entries: they were joined into one`);
    const location: ImpLocation = {
      ext, orgExt, type, name: t(raw.name, 'name', 300), description: t(raw.description, 'description', 10000, true),
      latitude: coordinate(raw.latitude, 'latitude', warn, 90), longitude: coordinate(raw.longitude, 'longitude', warn, 180),
      externalIdentifier: t(raw.external_identifier, 'external_identifier', 200), externalIdentifierType: t(raw.external_identifier_type, 'external_identifier_type', 100),
      address, accessibility,
      phones: arrayOf(raw.phones).map((p) => this.phone(p, warn, lenient)).filter((p): p is ImpPhone => p !== null),
      languages: arrayOf(raw.languages).map((l) => this.language(l, warn, lenient)),
      attributes: arrayOf(raw.attributes).map((a) => this.attribute(a, warn, lenient)).filter((a): a is ImpAttribute => a !== null),
    };
    if ((location.latitude === null) !== (location.longitude === null)) {
      warn('latitude', 'and longitude must come together: both left out');
      location.latitude = null;
      location.longitude = null;
    }
    this.put(this.set.locations, ext, location);
    return this.set.locations.get(ext)!;
  }

  private schedule(raw: Raw, warn: Warn, lenient: boolean): ImpSchedule | null {
    const t = textOf(warn, lenient);
    let byday = t(raw.byday, 'schedules.byday', 100);
    if (byday) {
      const parts = byday.split(',').map((p) => p.trim()).filter(Boolean);
      const codes = parts.map((p) => (/^[+-]?\d{0,2}(MO|TU|WE|TH|FR|SA|SU)$/.test(p.toUpperCase()) ? p.toUpperCase() : dayCode(p)));
      if (codes.some((c) => c === null)) { warn('schedules.byday', `"${clip(byday)}" is not a list of days: left out`); byday = null; }
      else byday = lenient ? codes.join(',') : byday;
    }
    if (!byday && raw.weekday !== undefined && raw.weekday !== null && raw.weekday !== '') {
      const w = raw.weekday;
      byday = typeof w === 'number' ? WEEKDAY_NUMBERS[w - 1] ?? null : typeof w === 'string' ? (/^\d$/.test(w) ? WEEKDAY_NUMBERS[Number(w) - 1] ?? null : dayCode(w)) : null;
      if (!byday) warn('regular_schedules.weekday', `"${clip(String(w))}" is not a day of the week: left out`);
    }
    let freq: 'WEEKLY' | 'MONTHLY' | null = null;
    const freqText = t(raw.freq, 'schedules.freq');
    if (freqText) {
      const f = freqText.toUpperCase();
      if (f === 'WEEKLY' || f === 'MONTHLY') freq = f;
      else warn('schedules.freq', `"${clip(freqText)}" is not WEEKLY or MONTHLY: left out`);
    } else if (byday && raw.weekday !== undefined) freq = 'WEEKLY';
    const schedule: ImpSchedule = {
      ext: idOf(raw.id), validFrom: date(raw.valid_from, 'schedules.valid_from', warn), validTo: date(raw.valid_to, 'schedules.valid_to', warn),
      dtstart: date(raw.dtstart, 'schedules.dtstart', warn), freq, interval: integer(raw.interval, 'schedules.interval', warn, 1, 1000),
      byday, bymonthday: t(raw.bymonthday, 'schedules.bymonthday', 100), opensAt: timeOfDay(raw.opens_at, 'schedules.opens_at', warn),
      closesAt: timeOfDay(raw.closes_at, 'schedules.closes_at', warn), description: t(raw.description, 'schedules.description', 5000),
      notes: t(raw.notes, 'schedules.notes', 5000), attendingType: t(raw.attending_type, 'schedules.attending_type', 500),
      scheduleLink: webAddress(raw.schedule_link, 'schedules.schedule_link', warn, lenient),
    };
    const { ext: _ext, ...values } = schedule;
    return Object.values(values).every((v) => v === null) ? null : schedule;
  }

  private phone(raw: Raw, warn: Warn, lenient: boolean): ImpPhone | null {
    let numberText = text(raw.number, 'phones.number', warn, { lenient: true });
    if (numberText) numberText = numberText.replace(/^"+|"+$/g, '').trim();
    if (!numberText) { warn('phones', 'entry without a number left out'); return null; }
    if (numberText.length > 40) { warn('phones.number', `"${clip(numberText)}" is longer than 40 characters: left out`); return null; }
    const t = textOf(warn, lenient);
    const phoneExt = idOf(raw.id);
    return {
      ext: phoneExt, number: numberText, extension: t(raw.extension, 'phones.extension', 20), type: t(raw.type, 'phones.type', 50),
      description: t(raw.description, 'phones.description', 5000),
      languages: [...arrayOf(raw.languages), ...(typeof raw.language === 'string' && raw.language.trim() ? [{ name: raw.language }] : [])]
        .map((l) => ({ ...this.language(l, warn, lenient), phoneExt })),
    };
  }

  private language(raw: Raw, warn: Warn, lenient: boolean): ImpLanguage {
    const t = textOf(warn, lenient);
    return {
      ext: idOf(raw.id), name: t(raw.name ?? raw.language, 'languages.name', 100), code: t(raw.code, 'languages.code', 20), note: t(raw.note, 'languages.note', 1000),
      phoneExt: idOf(raw.phone_id),
    };
  }

  private attribute(raw: Raw, warn: Warn, lenient: boolean): ImpAttribute | null {
    let termKey: string | null = null;
    if (isObject(raw.taxonomy_term)) termKey = this.term(raw.taxonomy_term, lenient, null);
    else if (raw.taxonomy_term_id) termKey = termKeyOf(String(raw.taxonomy_term_id));
    if (!termKey) { warn('attributes', 'entry without a taxonomy term left out'); return null; }
    return {
      ext: idOf(raw.id), termKey, linkType: text(raw.link_type, 'attributes.link_type', warn, { lenient, max: 100 }),
      value: text(raw.value, 'attributes.value', warn, { lenient, max: 1000 }),
    };
  }

  /** ORUK 1.0 service_taxonomys: { id, taxonomy: { id, name, vocabulary, parent } }. */
  private oneZeroTaxonomy(raw: Raw, warn: Warn): ImpAttribute | null {
    const taxonomy = isObject(raw.taxonomy) ? raw.taxonomy : null;
    if (!taxonomy) { warn('service_taxonomys', 'entry without a taxonomy left out'); return null; }
    const termKey = this.term({ ...taxonomy, taxonomy: undefined, vocabulary: taxonomy.vocabulary ?? 'Imported terms' }, true, null);
    return termKey ? { ext: idOf(raw.id), termKey, linkType: null, value: null } : null;
  }

  /**
   * The groups a service is for, as ORUK 1.0 feeds give them (pc_targetAudience, the eligibility of eligibilitys): terms
   * of a "Target audience" taxonomy, linked as the 3.0 standard links a service's eligibility.
   */
  private audiences(raw: Raw, t: ReturnType<typeof textOf>): (ImpAttribute | null)[] {
    const given = raw.pc_targetAudience;
    const names = [
      ...(Array.isArray(given) ? given : [given]).flatMap((a) => (isObject(a) ? [a.name ?? a.audience ?? a.value] : typeof a === 'string' ? a.split(/[,;]/) : [])),
      ...arrayOf(raw.eligibilitys).map((e) => e.eligibility),
    ].map((n) => t(n, 'pc_targetAudience', 200)).filter((n): n is string => n !== null);
    return [...new Set(names)].map((name) => {
      const termKey = this.term({ id: `audience:${name.toLowerCase()}`, name, code: name.toLowerCase().replace(/[^a-z0-9]+/g, '-').slice(0, 100), vocabulary: AUDIENCE_TAXONOMY }, true, null);
      return termKey ? { ext: null, termKey, linkType: 'eligibility', value: null } : null;
    });
  }

  private notHeld(what: string, n: number) {
    this.set.notHeld.set(what, (this.set.notHeld.get(what) ?? 0) + n);
  }

  /** The same record met again (on another page, inside another record): what it adds fills what was missing. */
  private put<T extends object>(map: Map<string, T>, key: string, value: T) {
    const current = map.get(key);
    map.set(key, current ? mergeRecords(current, value) : value);
  }
}

export function mergeRecords<T extends object>(current: T, incoming: T): T {
  const out = { ...current } as Record<string, unknown>;
  for (const [k, v] of Object.entries(incoming)) {
    const c = out[k];
    const empty = c === null || c === undefined || c === '' || (Array.isArray(c) && c.length === 0);
    if (empty && v !== null && v !== undefined) out[k] = v;
  }
  return out as T;
}

function mergeSal(service: ImpService, sal: ImpServiceAtLocation) {
  const same = service.sals.find((s) => (sal.ext && s.ext === sal.ext) || s.locationExt === sal.locationExt);
  if (same) Object.assign(same, mergeRecords(same, sal));
  else service.sals.push(sal);
}

export function idOf(v: unknown): string | null {
  if (typeof v === 'string' && v.trim()) return v.trim().slice(0, 300);
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return null;
}

function locationType(v: unknown, warn: Warn): 'physical' | 'postal' | 'virtual' | null {
  if (v === null || v === undefined || v === '') return null;
  const s = String(v).trim().toLowerCase();
  if (s === 'physical' || s === 'postal' || s === 'virtual') return s;
  warn('location_type', `"${clip(String(v))}" is not physical, postal or virtual: read as physical`);
  return 'physical';
}

function money(v: unknown, warn: Warn): number | null {
  const n = number(typeof v === 'string' ? v.replace(/^£/, '') : v, 'cost_options.amount', warn);
  if (n === null) return null;
  if (n < 0 || n >= 1e10) { warn('cost_options.amount', `${n} is not an amount of money: left out`); return null; }
  return Math.round(n * 100) / 100;
}

function currency(v: unknown, warn: Warn): string | null {
  if (v === null || v === undefined || v === '') return null;
  const s = String(v).trim().toUpperCase();
  if (/^[A-Z]{3}$/.test(s)) return s;
  warn('cost_options.currency', `"${clip(String(v))}" is not a currency code like GBP: left out`);
  return null;
}

function joinText(parts: (string | null)[]): string | null {
  const kept = parts.filter((p): p is string => p !== null);
  return kept.length ? kept.join('\n') : null;
}

export { mergeSal };
