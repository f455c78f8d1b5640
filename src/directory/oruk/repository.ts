import { sql, type Expression, type RawBuilder, type SqlBool } from 'kysely';
import type { Queryable } from '../../platform/db/index.js';
import { readTogether } from '../../platform/db/together.js';
import type { LoadedIds } from '../services/repository.js';
import type { ServiceStatus } from '../../platform/db/directory-schema.js';
import { boundingBox, distanceTo, placesInBox } from '../public/repository.js';
import { organisationPublished, placePublished, servicePublished } from '../public/published.js';

/**
 * The SQL of the Open Referral UK API: which records are published, the filters of /services and
 * /service_at_locations, the paged lists, and the few HSDS fields the shared service read model
 * (services/repository.ts loadServices) leaves to this API. Everything runs in a tenant transaction.
 */

export interface ServiceFilters {
  text?: string;
  taxonomyTermId?: string;
  taxonomyId?: string;
  organisationId?: string;
  modifiedAfter?: Date;
  /** a point and, optionally, a radius in metres; results are ordered nearest first */
  near?: { latitude: number; longitude: number; proximity: number | null };
  minimumAge?: number;
  maximumAge?: number;
  /** iCalendar day code, MO … SU */
  day?: string;
  /** HH:MM:SS */
  startTime?: string;
  endTime?: string;
}

export interface ServiceSummaryRow {
  id: string; organisation_id: string; name: string; description: string; url: string | null; email: string | null; status: ServiceStatus;
  fees_description: string | null; accreditations: string | null; minimum_age: number | null; maximum_age: number | null; assured_date: string | null;
  assurer_email: string | null; alert: string | null; updated_at: Date;
  o_name: string; o_description: string; o_email: string | null; o_website: string | null; o_logo: string | null; o_uri: string | null; o_parent: string | null;
}

function serviceConditions(f: ServiceFilters, s: string): Expression<SqlBool>[] {
  const out: Expression<SqlBool>[] = [];
  const col = (c: string) => sql.ref(`${s}.${c}`);
  if (f.text) out.push(sql<SqlBool>`${col('search_text')} @@ websearch_to_tsquery('english', ${f.text})`);
  if (f.organisationId) out.push(sql<SqlBool>`${col('organisation_id')} = ${f.organisationId}::uuid`);
  if (f.modifiedAfter) out.push(sql<SqlBool>`${col('updated_at')} > ${f.modifiedAfter.toISOString()}::timestamptz`);
  if (f.minimumAge !== undefined) out.push(sql<SqlBool>`${col('minimum_age')} >= ${f.minimumAge}`);
  if (f.maximumAge !== undefined) out.push(sql<SqlBool>`${col('maximum_age')} <= ${f.maximumAge}`);
  if (f.taxonomyTermId) {
    out.push(sql<SqlBool>`exists (select 1 from attributes a where a.link_id = ${col('id')} and a.link_type = 'service' and a.taxonomy_term_id = ${f.taxonomyTermId}::uuid)`);
  }
  if (f.taxonomyId) {
    out.push(sql<SqlBool>`exists (select 1 from attributes a join taxonomy_terms t on t.id = a.taxonomy_term_id
      where a.link_id = ${col('id')} and a.link_type = 'service' and t.taxonomy_id = ${f.taxonomyId}::uuid)`);
  }
  if (f.day || f.startTime || f.endTime) {
    const day = f.day ? sql`and sc.byday ~ ${`(^|,)[+-]?[0-9]*${f.day}(,|$)`}` : sql``;
    const start = f.startTime ? sql`and sc.opens_at >= ${f.startTime}::time` : sql``;
    const end = f.endTime ? sql`and sc.closes_at <= ${f.endTime}::time` : sql``;
    out.push(sql<SqlBool>`exists (select 1 from schedules sc
      where (sc.service_id = ${col('id')} or sc.service_at_location_id in (select x.id from service_at_locations x where x.service_id = ${col('id')}))
      ${day} ${start} ${end})`);
  }
  return out;
}

/**
 * Inside the circle. The latitude/longitude box comes first because, under row-level security, only its plain
 * comparisons can use an index (locations_lat_lng, see migration 006); the exact distance is then worked out
 * for the few places inside the box.
 */
function withinRadius(near: NonNullable<ServiceFilters['near']>, radiusM: number, l: string) {
  const box = boundingBox({ latitude: near.latitude, longitude: near.longitude, radiusM });
  const lat = sql.ref(`${l}.latitude`);
  const lng = sql.ref(`${l}.longitude`);
  return sql<SqlBool>`${lat} between ${box.minLat}::float8 and ${box.maxLat}::float8 and ${lng} between ${box.minLng}::float8 and ${box.maxLng}::float8
    and ${distanceTo(near, l)} <= ${radiusM}::float8`;
}

const serviceSummaryColumns = sql`s.id, s.organisation_id, s.name, s.description, s.url, s.email, s.status, s.fees_description, s.accreditations,
  s.minimum_age, s.maximum_age, to_char(s.assured_date, 'YYYY-MM-DD') as assured_date, s.assurer_email, s.alert, s.updated_at,
  o.name as o_name, o.description as o_description, o.email as o_email, o.website as o_website, o.logo as o_logo, o.uri as o_uri,
  o.parent_organization_id as o_parent`;

const notDefunct = sql<SqlBool>`s.status <> 'defunct'`;

/**
 * Published, not defunct services with a place inside the circle, nearest first. The places are read from
 * published_service_places alone (migration 019); with no other filter, so is the page, and only its services are
 * read from the source tables.
 */
async function listServicesWithin(db: Queryable, f: ServiceFilters, near: NonNullable<ServiceFilters['near']>, radiusM: number, limit: number, offset: number) {
  const conditions = serviceConditions(f, 's');
  const within = sql`with near as (
      select s.service_id, min(${distanceTo(near, 's')}) as distance, min(lower(s.name)) as name
      from published_service_places s
      where ${placesInBox({ latitude: near.latitude, longitude: near.longitude, radiusM }, 's')}
        and ${distanceTo(near, 's')} <= ${radiusM}::float8 and ${notDefunct} and ${placePublished('s')}
      group by s.service_id)`;
  const page = conditions.length
    ? sql`${within}, top as (select near.*, count(*) over () as total from near join services s on s.id = near.service_id where ${sql.join(conditions, sql` and `)}
        order by near.distance, near.name, near.service_id limit ${limit} offset ${offset})`
    : sql`${within}, top as (select near.*, count(*) over () as total from near order by near.distance, near.name, near.service_id limit ${limit} offset ${offset})`;
  const rows = await sql<ServiceSummaryRow & { total: number }>`${page}
    select ${serviceSummaryColumns}, top.distance, top.total from top join services s on s.id = top.service_id join organisations o on o.id = s.organisation_id
    where ${servicePublished('s', 'o')}
    order by top.distance, top.name, top.service_id`.execute(db);
  if (rows.rows.length || offset === 0) return { total: Number(rows.rows[0]?.total ?? 0), rows: rows.rows };
  // A page past the end has no row to carry the count.
  const count = await sql<{ n: number }>`${within} select count(*)::int as n from near join services s on s.id = near.service_id where true ${and(conditions)}`.execute(db);
  return { total: Number(count.rows[0]?.n ?? 0), rows: [] };
}

const and = (conditions: Expression<SqlBool>[]) => (conditions.length ? sql.join(conditions.map((c) => sql`and ${c}`), sql` `) : sql``);

export const orukRepository = {
  /** One page of published, not defunct services, by name (or nearest first when a point is given). */
  async listServices(db: Queryable, f: ServiceFilters, limit: number, offset: number): Promise<{ total: number; rows: ServiceSummaryRow[] }> {
    if (f.near && f.near.proximity !== null) return listServicesWithin(db, f, f.near, f.near.proximity, limit, offset);
    const conditions = serviceConditions(f, 's');
    let nearness = sql``;
    let order = sql`lower(s.name), s.id`;
    if (f.near) {
      // Every published service, nearest first (no radius): its nearest place with a point, if it has one.
      const nearest = sql`(select min(${distanceTo(f.near, 'p')}) from published_service_places p where p.service_id = s.id)`;
      nearness = sql`, ${nearest} as distance`;
      order = sql`distance nulls last, lower(s.name), s.id`;
    }
    const where = sql`${notDefunct} and ${servicePublished('s', 'o')} ${and(conditions)}`;
    const total = await sql<{ n: number }>`select count(*)::int as n from services s join organisations o on o.id = s.organisation_id where ${where}`.execute(db);
    const rows = await sql<ServiceSummaryRow>`select ${serviceSummaryColumns} ${nearness}
      from services s join organisations o on o.id = s.organisation_id where ${where} order by ${order} limit ${limit} offset ${offset}`.execute(db);
    return { total: Number(total.rows[0]?.n ?? 0), rows: rows.rows };
  },

  /** Published services of one organisation, ids only, by name. */
  async serviceIdsOfOrganisation(db: Queryable, organisationId: string): Promise<string[]> {
    const rows = await sql<{ id: string }>`select s.id from services s join organisations o on o.id = s.organisation_id
      where s.organisation_id = ${organisationId}::uuid and s.status <> 'defunct' and ${servicePublished('s', 'o')} order by lower(s.name), s.id`.execute(db);
    return rows.rows.map((r) => r.id);
  },

  async listServiceAtLocations(db: Queryable, f: ServiceFilters, limit: number, offset: number) {
    const conditions = serviceConditions(f, 's');
    let order = sql`lower(s.name), lower(coalesce(l.name, '')), sal.id`;
    if (f.near) {
      if (f.near.proximity !== null) conditions.push(withinRadius(f.near, f.near.proximity, 'l'));
      order = sql`${distanceTo(f.near, 'l')} nulls last, ${order}`;
    }
    const from = sql`service_at_locations sal join services s on s.id = sal.service_id join organisations o on o.id = s.organisation_id join locations l on l.id = sal.location_id`;
    const where = sql`s.status <> 'defunct' and ${servicePublished('s', 'o')} ${and(conditions)}`;
    const total = await sql<{ n: number }>`select count(*)::int as n from ${from} where ${where}`.execute(db);
    const rows = await sql<ServiceSummaryRow & SalRow>`select ${serviceSummaryColumns}, ${salColumns} from ${from} where ${where} order by ${order} limit ${limit} offset ${offset}`.execute(db);
    return { total: Number(total.rows[0]?.n ?? 0), rows: rows.rows };
  },

  async findServiceAtLocation(db: Queryable, id: string): Promise<{ id: string; service_id: string; location_id: string } | undefined> {
    const rows = await sql<{ id: string; service_id: string; location_id: string }>`select sal.id, sal.service_id, sal.location_id
      from service_at_locations sal join services s on s.id = sal.service_id join organisations o on o.id = s.organisation_id
      where sal.id = ${id}::uuid and ${servicePublished('s', 'o')}`.execute(db);
    return rows.rows[0];
  },

  async listOrganisations(db: Queryable, limit: number, offset: number) {
    const total = await sql<{ n: number }>`select count(*)::int as n from organisations o where ${organisationPublished('o')}`.execute(db);
    const rows = await sql<OrganisationRow>`select ${organisationColumns} from organisations o where ${organisationPublished('o')}
      order by lower(o.name), o.id limit ${limit} offset ${offset}`.execute(db);
    return { total: Number(total.rows[0]?.n ?? 0), rows: rows.rows };
  },

  async findOrganisation(db: Queryable, id: string): Promise<OrganisationRow | undefined> {
    const rows = await sql<OrganisationRow>`select ${organisationColumns} from organisations o where o.id = ${id}::uuid and ${organisationPublished('o')}`.execute(db);
    return rows.rows[0];
  },

  /**
   * The parts HSDS nests that the shared read model does not, in one statement. Of the organisations: identifiers,
   * funding, attributes, logo, uri, parent. Of the services: funding, the UK profile's service_area text, the address
   * and accessibility a feed gave each location, location attributes, term parents held only as references.
   */
  async extras(db: Queryable, of: { organisationIds: string[]; serviceIds: string[]; locationIds: string[]; termIds: string[] }): Promise<ExtraRows> {
    const ids = (list: string[]) => sql<string[]>`${list}::uuid[]`;
    return readTogether<ExtraRows>(db, extraReads({ organisations: ids(of.organisationIds), services: ids(of.serviceIds), locations: ids(of.locationIds), terms: ids(of.termIds) }));
  },

  async listTaxonomies(db: Queryable, limit: number, offset: number) {
    const total = await sql<{ n: number }>`select count(*)::int as n from taxonomies`.execute(db);
    const rows = await sql<TaxonomyRow>`select id, name, description, uri, version from taxonomies order by lower(name), id limit ${limit} offset ${offset}`.execute(db);
    return { total: Number(total.rows[0]?.n ?? 0), rows: rows.rows };
  },

  async findTaxonomy(db: Queryable, id: string): Promise<TaxonomyRow | undefined> {
    const rows = await sql<TaxonomyRow>`select id, name, description, uri, version from taxonomies where id = ${id}::uuid`.execute(db);
    return rows.rows[0];
  },

  async listTerms(db: Queryable, filter: { taxonomyId?: string; parentId?: string }, limit: number, offset: number) {
    const conditions: Expression<SqlBool>[] = [];
    if (filter.taxonomyId) conditions.push(sql<SqlBool>`t.taxonomy_id = ${filter.taxonomyId}::uuid`);
    if (filter.parentId) conditions.push(sql<SqlBool>`t.parent_id = ${filter.parentId}::uuid`);
    const where = sql`true ${and(conditions)}`;
    const total = await sql<{ n: number }>`select count(*)::int as n from taxonomy_terms t where ${where}`.execute(db);
    const rows = await sql<TermRow>`select ${termColumns} from taxonomy_terms t join taxonomies x on x.id = t.taxonomy_id where ${where}
      order by lower(x.name), lower(t.name), t.id limit ${limit} offset ${offset}`.execute(db);
    return { total: Number(total.rows[0]?.n ?? 0), rows: rows.rows };
  },

  async termsOfTaxonomy(db: Queryable, taxonomyId: string): Promise<TermRow[]> {
    const rows = await sql<TermRow>`select ${termColumns} from taxonomy_terms t join taxonomies x on x.id = t.taxonomy_id where t.taxonomy_id = ${taxonomyId}::uuid
      order by lower(t.name), t.id`.execute(db);
    return rows.rows;
  },

  async findTerm(db: Queryable, id: string): Promise<TermRow | undefined> {
    const rows = await sql<TermRow>`select ${termColumns} from taxonomy_terms t join taxonomies x on x.id = t.taxonomy_id where t.id = ${id}::uuid`.execute(db);
    return rows.rows[0];
  },
};

/** The reads of `extras`, of ids given as SQL arrays: the caller's values, or the services loaded in the same statement (loadServicesWith). */
export function extraReads(of: LoadedIds): { [K in keyof ExtraRows]: RawBuilder<ExtraRows[K][number]> } {
  const { organisations, services, locations, terms } = of;
  return {
    organisations: sql<OrganisationRow>`select ${organisationColumns} from organisations o where o.id = any(${organisations})`,
    identifiers: sql<IdentifierRow>`select id, organisation_id, identifier_scheme, identifier_type, identifier from organization_identifiers
      where organisation_id = any(${organisations}) order by identifier_scheme nulls last, identifier, id`,
    organisationFunding: sql<FundingRow>`select id, organisation_id, service_id, source from funding where organisation_id = any(${organisations}) order by id`,
    organisationAttributes: attributesOf(organisations, 'organization'),
    serviceFunding: sql<FundingRow>`select id, organisation_id, service_id, source from funding where service_id = any(${services}) order by id`,
    areas: sql<{ id: string; service_area: string | null }>`select id, service_area from service_areas where service_id = any(${services}) and service_area is not null`,
    locations: sql<LocationExtraRow>`select id, address_id, address_attention, address_type, accessibility_id, accessibility_url from locations
      where id = any(${locations}) and (address_id is not null or address_attention is not null or address_type is not null or accessibility_id is not null or accessibility_url is not null)`,
    locationAttributes: attributesOf(locations, 'location'),
    parents: sql<{ id: string; parent_external_id: string }>`select id, parent_external_id from taxonomy_terms where id = any(${terms}) and parent_external_id is not null`,
  };
}

export type ExtraRows = {
  organisations: OrganisationRow[]; identifiers: IdentifierRow[]; organisationFunding: FundingRow[]; organisationAttributes: AttributeRow[];
  serviceFunding: FundingRow[]; areas: { id: string; service_area: string | null }[]; locations: LocationExtraRow[]; locationAttributes: AttributeRow[];
  parents: { id: string; parent_external_id: string }[];
};
export interface SalRow {
  sal_id: string; sal_description: string | null; location_id: string; l_type: 'physical' | 'postal' | 'virtual'; l_name: string | null; l_description: string | null;
  l_latitude: number | null; l_longitude: number | null; l_external_identifier: string | null; l_external_identifier_type: string | null;
}
const salColumns = sql`sal.id as sal_id, sal.description as sal_description, l.id as location_id, l.location_type as l_type, l.name as l_name,
  l.description as l_description, l.latitude as l_latitude, l.longitude as l_longitude, l.external_identifier as l_external_identifier,
  l.external_identifier_type as l_external_identifier_type`;

export interface OrganisationRow {
  id: string; name: string; description: string; email: string | null; website: string | null; logo: string | null; uri: string | null;
  parent_organization_id: string | null; charity_number: string | null; company_number: string | null;
}
const organisationColumns = sql`o.id, o.name, o.description, o.email, o.website, o.logo, o.uri, o.parent_organization_id, o.charity_number, o.company_number`;

export interface IdentifierRow { id: string; organisation_id: string; identifier_scheme: string | null; identifier_type: string; identifier: string }
export interface FundingRow { id: string; organisation_id: string | null; service_id: string | null; source: string | null }
export interface LocationExtraRow {
  id: string; address_id: string | null; address_attention: string | null; address_type: 'physical' | 'postal' | 'virtual' | null; accessibility_id: string | null; accessibility_url: string | null;
}
export interface TaxonomyRow { id: string; name: string; description: string; uri: string | null; version: string | null }
export interface TermRow {
  id: string; code: string; name: string; description: string; parent_id: string | null; parent_external_id: string | null; taxonomy_id: string; taxonomy: string; term_uri: string | null;
}
const termColumns = sql`t.id, t.code, t.name, t.description, t.parent_id, t.parent_external_id, t.taxonomy_id, x.name as taxonomy, t.term_uri`;

export interface AttributeRow extends Omit<TermRow, 'id'> {
  attribute_id: string; link_id: string; link_type: string; link_entity: string | null; value: string | null; term_id: string;
}
function attributesOf(linkIds: RawBuilder<string[]>, linkType: 'organization' | 'location') {
  return sql<AttributeRow>`select a.id as attribute_id, a.link_id, a.link_type, a.link_entity, a.value, t.id as term_id, t.code, t.name, t.description, t.parent_id,
      t.parent_external_id, t.taxonomy_id, x.name as taxonomy, t.term_uri
    from attributes a join taxonomy_terms t on t.id = a.taxonomy_term_id join taxonomies x on x.id = t.taxonomy_id
    where a.link_id = any(${linkIds}) and a.link_type = ${linkType} order by lower(x.name), lower(t.name), a.id`;
}
