import { derivedId, type HsdsAttribute, type HsdsLocation, type HsdsPhone, type HsdsLanguage, type HsdsSchedule, type HsdsService } from '../services/repository.js';
import type { AttributeRow, FundingRow, IdentifierRow, LocationExtraRow, OrganisationRow, SalRow, ServiceSummaryRow, TaxonomyRow, TermRow } from './repository.js';
import type {
  AttributeJson, FundingJson, LanguageJson, LocationJson, LocationSummaryJson, OrganizationIdentifierJson, OrganizationNestedJson, OrganizationSummaryJson,
  PhoneJson, ScheduleJson, ServiceJson, ServiceSummaryJson, TaxonomyJson, TaxonomyTermJson,
} from './schemas.js';
import { isUuid } from '../../platform/validation/ids.js';
import { webAddressOrNull } from '../../platform/validation/web-addresses.js';

/**
 * Records as Open Referral UK (HSDS 3.0, UK profile) presents them. The standard types optional fields as plain
 * strings and numbers, so a value the register does not hold is left out, never sent as null.
 */

/** The object without its null and undefined properties. */
export function defined<T extends Record<string, unknown>>(o: T): { [K in keyof T]: Exclude<T[K], null> } {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== null && v !== undefined) out[k] = v;
  return out as { [K in keyof T]: Exclude<T[K], null> };
}

const uuidOrNull = (v: string | null | undefined) => (v && isUuid(v) ? v : null);

/** Everything the shared read model leaves to this API, gathered for a batch of services or organisations. */
export interface OrukExtras {
  organisations: Map<string, OrganisationRow>;
  identifiers: Map<string, IdentifierRow[]>;
  organisationFunding: Map<string, FundingRow[]>;
  organisationAttributes: Map<string, AttributeRow[]>;
  serviceFunding: Map<string, FundingRow[]>;
  serviceAreaText: Map<string, string>;
  locations: Map<string, LocationExtraRow>;
  locationAttributes: Map<string, AttributeRow[]>;
  termParents: Map<string, string>;
}

export function groupBy<T>(rows: T[], key: (row: T) => string | null): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const row of rows) {
    const k = key(row);
    if (k === null) continue;
    const list = map.get(k);
    if (list) list.push(row);
    else map.set(k, [row]);
  }
  return map;
}

export function presentTerm(t: TermRow): TaxonomyTermJson {
  return defined({
    id: t.id, code: t.code, name: t.name, description: t.description, parent_id: t.parent_id ?? uuidOrNull(t.parent_external_id),
    taxonomy: t.taxonomy, taxonomy_id: t.taxonomy_id, term_uri: webAddressOrNull(t.term_uri), term: t.name,
  });
}

export function presentTaxonomy(t: TaxonomyRow): TaxonomyJson {
  return defined({ id: t.id, name: t.name, description: t.description, uri: webAddressOrNull(t.uri), version: t.version });
}

function presentAttributeRow(a: AttributeRow): AttributeJson {
  return defined({
    id: a.attribute_id, link_id: a.link_id, taxonomy_term_id: a.term_id, link_type: a.link_entity ?? a.link_type, link_entity: a.link_type, value: a.value,
    taxonomy_term: presentTerm({ ...a, id: a.term_id }),
  });
}

/** HSDS link_type is what the term says of the record (a code); the register's own link_type names the kind of record, which HSDS calls link_entity. */
function presentAttribute(a: HsdsAttribute, x: OrukExtras): AttributeJson {
  const t = a.taxonomy_term;
  return defined({
    id: a.id, link_id: a.link_id, taxonomy_term_id: a.taxonomy_term_id, link_type: a.link_entity ?? a.link_type, link_entity: a.link_type, value: a.value,
    taxonomy_term: presentTerm({ ...t, parent_external_id: x.termParents.get(t.id) ?? null }),
  });
}

function presentLanguage(l: HsdsLanguage): LanguageJson {
  return defined({ id: l.id, service_id: l.service_id, location_id: l.location_id, phone_id: l.phone_id, name: l.name, code: l.code, note: l.note });
}

function presentPhone(p: HsdsPhone): PhoneJson {
  return defined({
    id: p.id, service_id: p.service_id, organization_id: p.organization_id, location_id: p.location_id, contact_id: p.contact_id,
    number: p.number, extension: p.extension, type: p.type, description: p.description,
  });
}

function presentSchedule(s: HsdsSchedule): ScheduleJson {
  return defined({
    id: s.id, service_id: s.service_id, service_at_location_id: s.service_at_location_id, valid_from: s.valid_from, valid_to: s.valid_to, dtstart: s.dtstart,
    freq: s.freq, interval: s.interval, byday: s.byday, bymonthday: s.bymonthday, description: s.description, opens_at: s.opens_at, closes_at: s.closes_at,
    schedule_link: s.schedule_link, attending_type: s.attending_type, notes: s.notes,
  });
}

function presentFunding(f: FundingRow): FundingJson {
  return defined({ id: f.id, service_id: f.service_id, organization_id: f.organisation_id, source: f.source });
}

function locationSummary(l: { id: string; location_type: 'physical' | 'postal' | 'virtual'; name: string | null; description: string | null; latitude: number | null; longitude: number | null; external_identifier: string | null; external_identifier_type: string | null }): LocationSummaryJson {
  return defined({
    id: l.id, location_type: l.location_type, name: l.name, description: l.description, latitude: l.latitude, longitude: l.longitude,
    external_identifier: l.external_identifier, external_identifier_type: l.external_identifier_type,
  });
}

export function presentLocation(l: HsdsLocation, x: OrukExtras): LocationJson {
  const extra = x.locations.get(l.id);
  return {
    ...locationSummary(l),
    addresses: l.addresses.map((a) => defined({
      id: extra?.address_id ?? a.id, location_id: l.id, attention: extra?.address_attention ?? null, address_1: a.address_1, address_2: a.address_2,
      city: a.city ?? '', region: a.region, state_province: a.state_province ?? '', postal_code: a.postal_code ?? '', country: a.country,
      address_type: extra?.address_type ?? a.address_type,
    })),
    accessibility: l.accessibility.map((a) => defined({
      id: extra?.accessibility_id ?? a.id, location_id: l.id, description: a.description, details: a.details, url: extra?.accessibility_url ?? null,
      accessibility: a.description,
    })),
    attributes: (x.locationAttributes.get(l.id) ?? []).map(presentAttributeRow),
    phones: l.phones.map(presentPhone),
    languages: l.languages.map(presentLanguage),
  };
}

export function presentOrganisationSummary(o: OrganisationRow): OrganizationSummaryJson {
  return defined({
    id: o.id, name: o.name, description: o.description, email: o.email, website: webAddressOrNull(o.website), logo: webAddressOrNull(o.logo), uri: webAddressOrNull(o.uri),
    parent_organization_id: uuidOrNull(o.parent_organization_id),
  });
}

/** Org-id.guide schemes of the register's charity numbers, by their form. */
const CHARITY_SCHEMES = [
  { prefix: 'SC', scheme: 'GB-SC', type: 'Scottish charity number' },
  { prefix: 'NIC', scheme: 'GB-NIC', type: 'Northern Ireland charity number' },
  { prefix: '', scheme: 'GB-CHC', type: 'Charity number' },
] as const;

/** The identifiers a feed gave, and the register's own charity and company numbers as GB-CHC / GB-SC / GB-NIC / GB-COH identifiers when no given one repeats them. */
function identifiersOf(o: OrganisationRow, given: IdentifierRow[]): OrganizationIdentifierJson[] {
  const out: OrganizationIdentifierJson[] = given.map((i) => defined({
    id: i.id, organization_id: i.organisation_id, identifier_scheme: i.identifier_scheme, identifier_type: i.identifier_type, identifier: i.identifier,
  }));
  const held = new Set(given.map((i) => i.identifier.replace(/\s+/g, '').toUpperCase()));
  if (o.charity_number && !held.has(o.charity_number)) {
    const { scheme, type } = CHARITY_SCHEMES.find((s) => o.charity_number!.startsWith(s.prefix))!;
    out.push({ id: derivedId(o.id, 'charity_number'), organization_id: o.id, identifier_scheme: scheme, identifier_type: type, identifier: o.charity_number });
  }
  if (o.company_number && !held.has(o.company_number)) {
    out.push({ id: derivedId(o.id, 'company_number'), organization_id: o.id, identifier_scheme: 'GB-COH', identifier_type: 'Company number', identifier: o.company_number });
  }
  return out;
}

export function presentOrganisationNested(o: OrganisationRow, x: OrukExtras): OrganizationNestedJson {
  return {
    ...presentOrganisationSummary(o),
    organization_identifiers: identifiersOf(o, x.identifiers.get(o.id) ?? []),
    attributes: (x.organisationAttributes.get(o.id) ?? []).map(presentAttributeRow),
    funding: (x.organisationFunding.get(o.id) ?? []).map(presentFunding),
  };
}

export function presentService(s: HsdsService, x: OrukExtras): ServiceJson {
  const organisation = x.organisations.get(s.organization_id);
  if (!organisation) throw new Error(`organisation ${s.organization_id} of service ${s.id} was not loaded`);
  return {
    ...defined({
      id: s.id, organization_id: s.organization_id, name: s.name, description: s.description, url: webAddressOrNull(s.url), email: s.email, status: s.status,
      fees: s.fees_description, fees_description: s.fees_description, accreditations: s.accreditations, minimum_age: s.minimum_age,
      maximum_age: s.maximum_age, assured_date: s.assured_date, assurer_email: s.assurer_email, alert: s.alert, last_modified: s.last_modified,
    }),
    organization: presentOrganisationNested(organisation, x),
    schedules: s.schedules.map(presentSchedule),
    service_areas: s.service_areas.map((a) => defined({
      id: a.id, service_id: a.service_id, name: a.name, description: a.description, extent: a.extent, extent_type: a.extent_type, uri: webAddressOrNull(a.uri),
      service_area: x.serviceAreaText.get(a.id) ?? null,
    })),
    service_at_locations: s.service_at_locations.map((sal) => ({
      ...defined({ id: sal.id, service_id: sal.service_id, location_id: sal.location_id, description: sal.description }),
      location: presentLocation(sal.location, x),
      schedules: sal.schedules.map(presentSchedule),
    })),
    languages: s.languages.map(presentLanguage),
    funding: (x.serviceFunding.get(s.id) ?? []).map(presentFunding),
    cost_options: s.cost_options.map((c) => defined({
      id: c.id, service_id: c.service_id, valid_from: c.valid_from, valid_to: c.valid_to, option: c.option, amount: c.amount, currency: c.currency,
      amount_description: c.amount_description,
    })),
    contacts: s.contacts.map((c) => ({
      ...defined({ id: c.id, service_id: c.service_id, organization_id: c.organization_id, name: c.name, title: c.title, department: c.department, email: c.email }),
      phones: c.phones.map(presentPhone),
    })),
    phones: s.phones.map(presentPhone),
    attributes: s.attributes.map((a) => presentAttribute(a, x)),
  };
}

export function presentServiceSummary(r: ServiceSummaryRow): ServiceSummaryJson {
  return {
    ...defined({
      id: r.id, organization_id: r.organisation_id, name: r.name, description: r.description, url: webAddressOrNull(r.url), email: r.email, status: r.status,
      fees: r.fees_description, fees_description: r.fees_description, accreditations: r.accreditations, minimum_age: r.minimum_age, maximum_age: r.maximum_age,
      assured_date: r.assured_date, assurer_email: r.assurer_email, alert: r.alert, last_modified: r.updated_at.toISOString(),
    }),
    organization: defined({
      id: r.organisation_id, name: r.o_name, description: r.o_description, email: r.o_email, website: webAddressOrNull(r.o_website), logo: webAddressOrNull(r.o_logo), uri: webAddressOrNull(r.o_uri),
      parent_organization_id: uuidOrNull(r.o_parent),
    }),
  };
}

export function presentSalSummary(r: ServiceSummaryRow & SalRow) {
  return {
    ...defined({ id: r.sal_id, service_id: r.id, location_id: r.location_id, description: r.sal_description }),
    location: locationSummary({
      id: r.location_id, location_type: r.l_type, name: r.l_name, description: r.l_description, latitude: r.l_latitude, longitude: r.l_longitude,
      external_identifier: r.l_external_identifier, external_identifier_type: r.l_external_identifier_type,
    }),
    service: presentServiceSummary(r),
  };
}

export interface PageInfo { page: number; perPage: number; total: number }
export function page<T>(contents: T[], p: PageInfo) {
  const totalPages = Math.ceil(p.total / p.perPage);
  return {
    total_items: p.total, total_pages: totalPages, page_number: p.page, size: p.perPage,
    first_page: p.page === 1, last_page: p.page >= totalPages, empty: contents.length === 0, contents,
  };
}
