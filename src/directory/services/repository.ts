import { createHash } from 'node:crypto';
import { CompiledQuery, sql, type Compilable, type RawBuilder, type SqlBool } from 'kysely';
import type { Queryable } from '../../platform/db/index.js';
import type { DeliveryMode, ServiceStatus } from '../../platform/db/directory-schema.js';
import { isUuid } from '../../platform/validation/ids.js';
import { containing } from '../../platform/db/like.js';
import { togetherStatement } from '../../platform/db/together.js';

/**
 * The one place that reads a full service, nested in Open Referral UK (HSDS 3.0) terms: the staff pages,
 * the ORUK API and public search all read services through `loadServices`.
 *
 * A batch of any size costs one query for the services (with their organisation) and one per child table,
 * never one per service. Dates come back as 'YYYY-MM-DD', times as 'HH:MM:SS', money as numbers; absent
 * values are null (a serialiser may drop them). Addresses and accessibility are held on the location row,
 * so their HSDS ids are derived from it (stable name-based UUIDs).
 */

export interface HsdsTaxonomy { id: string; name: string; description: string; uri: string | null; version: string | null }
export interface HsdsTaxonomyTerm {
  id: string; code: string; name: string; description: string; parent_id: string | null;
  taxonomy_id: string; taxonomy: string; term_uri: string | null;
}
export interface HsdsAttribute { id: string; link_id: string; link_type: string; link_entity: string | null; taxonomy_term_id: string; value: string | null; taxonomy_term: HsdsTaxonomyTerm }
export interface HsdsPhone {
  id: string; service_id: string | null; location_id: string | null; contact_id: string | null; organization_id: string | null;
  number: string; extension: string | null; type: string | null; description: string | null;
}
export interface HsdsContact { id: string; service_id: string | null; organization_id: string | null; name: string | null; title: string | null; department: string | null; email: string | null; phones: HsdsPhone[] }
export interface HsdsSchedule {
  id: string; service_id: string | null; service_at_location_id: string | null; valid_from: string | null; valid_to: string | null; dtstart: string | null;
  freq: 'WEEKLY' | 'MONTHLY' | null; interval: number | null; byday: string | null; bymonthday: string | null; opens_at: string | null; closes_at: string | null;
  description: string | null; notes: string | null; attending_type: string | null; schedule_link: string | null;
}
export interface HsdsAddress {
  id: string; location_id: string; address_1: string; address_2: string | null; city: string | null; region: string | null; state_province: string | null;
  postal_code: string | null; country: string; address_type: 'physical' | 'postal' | 'virtual';
}
export interface HsdsAccessibility { id: string; location_id: string; description: string | null; details: string | null }
export interface HsdsLanguage { id: string; service_id: string | null; location_id: string | null; phone_id: string | null; name: string | null; code: string | null; note: string | null }
export interface HsdsLocation {
  id: string; organization_id: string | null; location_type: 'physical' | 'postal' | 'virtual'; name: string | null; description: string | null;
  latitude: number | null; longitude: number | null; external_identifier: string | null; external_identifier_type: string | null;
  addresses: HsdsAddress[]; phones: HsdsPhone[]; accessibility: HsdsAccessibility[]; languages: HsdsLanguage[];
}
export interface HsdsServiceAtLocation { id: string; service_id: string; location_id: string; description: string | null; location: HsdsLocation; schedules: HsdsSchedule[] }
export interface HsdsCostOption { id: string; service_id: string; valid_from: string | null; valid_to: string | null; option: string | null; amount: number | null; currency: string; amount_description: string | null }
export interface HsdsServiceArea { id: string; service_id: string; name: string | null; description: string | null; extent: string | null; extent_type: string | null; uri: string | null }
export interface HsdsOrganizationSummary {
  id: string; name: string; description: string; email: string | null; website: string | null; phone: string | null;
  charity_number: string | null; company_number: string | null; status: string; last_modified: string;
}
export interface HsdsService {
  id: string; organization_id: string; name: string; description: string; url: string | null; email: string | null; status: ServiceStatus;
  fees_description: string | null; accreditations: string | null; minimum_age: number | null; maximum_age: number | null;
  assured_date: string | null; assurer_email: string | null; alert: string | null; last_modified: string; created_at: string;
  /** Common Ground's own fields beside HSDS */
  delivery_modes: DeliveryMode[]; is_free: boolean; consent_to_publish: boolean; external_id: string | null;
  organization: HsdsOrganizationSummary;
  service_at_locations: HsdsServiceAtLocation[];
  schedules: HsdsSchedule[];
  cost_options: HsdsCostOption[];
  service_areas: HsdsServiceArea[];
  languages: HsdsLanguage[];
  phones: HsdsPhone[];
  contacts: HsdsContact[];
  attributes: HsdsAttribute[];
}

const NAMESPACE = 'b4d0a1e2-5c3f-4e8a-9d61-2f7c0c9e4a11';
/** A stable UUID (version 5 layout) for a record HSDS keeps apart that we hold inside another row. */
export function derivedId(id: string, kind: string): string {
  const h = createHash('sha1').update(NAMESPACE).update(`${kind}:${id}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** to_char keeps a `date` a plain day on both engines (no time-zone shift through a JS Date). */
const day = (column: string) => sql<string | null>`to_char(${sql.ref(column)}, 'YYYY-MM-DD')`;
const time = (column: string) => sql<string | null>`to_char(${sql.ref(column)}, 'HH24:MI:SS')`;
const iso = (value: Date) => value.toISOString();
const num = (value: string | null) => (value === null ? null : Number(value));

function groupBy<T>(rows: T[], key: (row: T) => string | null): Map<string, T[]> {
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

const selectSchedules = (db: Queryable) => db.selectFrom('schedules')
  .select(['id', 'service_id', 'service_at_location_id', 'freq', 'interval', 'byday', 'bymonthday', 'description', 'notes', 'attending_type', 'schedule_link',
    day('valid_from').as('valid_from'), day('valid_to').as('valid_to'), day('dtstart').as('dtstart'), time('opens_at').as('opens_at'), time('closes_at').as('closes_at')]);

/** A service's own schedules (not those of its venues). */
export async function ownSchedules(db: Queryable, serviceId: string): Promise<HsdsSchedule[]> {
  return selectSchedules(db).where('service_id', '=', serviceId).orderBy('id').execute();
}

/**
 * The schedules the service form shows and writes back: weekly opening times (days, opens, closes) and one-off
 * sessions (a date, times and a description). Any other (monthly, every few weeks, seasonal, with notes: an
 * import brings such) the form cannot hold, so a save keeps it as it is.
 */
export function isFormSchedule(s: HsdsSchedule): boolean {
  if (s.notes || s.attending_type || s.schedule_link || s.bymonthday) return false;
  if (s.freq === 'WEEKLY') return !!s.byday && (s.interval ?? 1) === 1 && !s.valid_from && !s.valid_to && !s.description;
  return s.freq === null && !!s.dtstart && (s.valid_from ?? s.dtstart) === s.dtstart && (s.valid_to ?? s.dtstart) === s.dtstart;
}

/** Every service asked for that exists in this LIO (row-level security sees to that), fully nested, in the order asked. */
export async function loadServices(db: Queryable, ids: readonly string[]): Promise<HsdsService[]> {
  return (await loadServicesWith(db, ids, {})).services;
}

/** The services a load holds, as SQL arrays of ids, for reads made in the same statement (LoadOptions.more). */
export interface LoadedIds { services: RawBuilder<string[]>; organisations: RawBuilder<string[]>; locations: RawBuilder<string[]>; terms: RawBuilder<string[]> }

/**
 * `only` and `more` shape the statement, which is compiled once for each pair of them by identity: pass objects held
 * at module level (an arrow made at the call would be compiled again on every load, correctly but slowly).
 */
export interface LoadOptions<M extends Record<string, unknown[]>> {
  /** Keeps only the services this condition on services `s` and their organisations `o` allows (a publication rule, say). */
  only?: RawBuilder<SqlBool>;
  /** Further reads of the services loaded, made in the same statement. */
  more?: (loaded: LoadedIds) => { [K in keyof M]: RawBuilder<M[K][number]> };
}

/**
 * As loadServices, and in the same statement (one round trip): the choice of which to keep, and the caller's further
 * reads of them. A public read by id is then one statement, not three.
 */
export async function loadServicesWith<M extends Record<string, unknown[]> = Record<never, never>>(
  db: Queryable, ids: readonly string[], options: LoadOptions<M>,
): Promise<{ services: HsdsService[]; more: M }> {
  const wanted = [...new Set(ids)].filter(isUuid);
  if (wanted.length === 0) return { services: [], more: Object.fromEntries(Object.keys(options.more?.(noneLoaded) ?? {}).map((k) => [k, []])) as unknown as M };
  const statement = compiledLoad(db, options);
  const result = await db.executeQuery<Parts & Record<string, unknown[]>>(CompiledQuery.raw(statement.sql, statement.parameters.map((p) => (p === ANY_IDS ? wanted : p))));
  const parts = result.rows[0]!;
  const { sals, contacts, costs, areas, attributes, schedules, languages, phones } = parts;
  // Through JSON a timestamp comes as ISO text: made a Date again, as the rest of the code reads it.
  const serviceRows = parts.services.map((r) => ({ ...r, updated_at: new Date(r.updated_at), created_at: new Date(r.created_at), o_updated_at: new Date(r.o_updated_at) }));

  const phoneRows: HsdsPhone[] = phones.map((p) => ({
    id: p.id, service_id: p.service_id, location_id: p.location_id, contact_id: p.contact_id, organization_id: p.organisation_id,
    number: p.number, extension: p.extension, type: p.type, description: p.description,
  }));
  const phonesByContact = groupBy(phoneRows, (p) => p.contact_id);
  const phonesByLocation = groupBy(phoneRows, (p) => p.location_id);
  const phonesByService = groupBy(phoneRows.filter((p) => p.contact_id === null && p.location_id === null), (p) => p.service_id);
  const scheduleRows: HsdsSchedule[] = schedules.map((s) => ({ ...s }));
  const schedulesByService = groupBy(scheduleRows, (s) => s.service_id);
  const schedulesBySal = groupBy(scheduleRows, (s) => s.service_at_location_id);
  const languageRows: HsdsLanguage[] = languages.map((l) => ({ ...l }));
  const languagesByService = groupBy(languageRows, (l) => l.service_id);
  const languagesByLocation = groupBy(languageRows, (l) => l.location_id);

  const salsByService = groupBy(sals.map((r): HsdsServiceAtLocation => ({
    id: r.id, service_id: r.service_id, location_id: r.location_id, description: r.description,
    schedules: schedulesBySal.get(r.id) ?? [],
    location: {
      id: r.location_id, organization_id: r.organisation_id, location_type: r.location_type, name: r.name, description: r.l_description,
      latitude: r.latitude, longitude: r.longitude, external_identifier: r.external_identifier, external_identifier_type: r.external_identifier_type,
      addresses: r.address_1 ? [{
        id: derivedId(r.location_id, 'address'), location_id: r.location_id, address_1: r.address_1, address_2: r.address_2, city: r.city, region: r.region,
        state_province: r.state_province, postal_code: r.postal_code, country: r.country, address_type: r.location_type,
      }] : [],
      phones: phonesByLocation.get(r.location_id) ?? [],
      accessibility: r.accessibility || r.accessibility_details
        ? [{ id: derivedId(r.location_id, 'accessibility'), location_id: r.location_id, description: r.accessibility, details: r.accessibility_details }] : [],
      languages: languagesByLocation.get(r.location_id) ?? [],
    },
  })), (s) => s.service_id);
  const costsByService = groupBy(costs.map((c): HsdsCostOption => ({ ...c, amount: num(c.amount) })), (c) => c.service_id);
  const areasByService = groupBy(areas.map((a): HsdsServiceArea => ({ ...a })), (a) => a.service_id);
  const contactsByService = groupBy(contacts.map((c): HsdsContact => ({
    id: c.id, service_id: c.service_id, organization_id: c.organisation_id, name: c.name, title: c.title, department: c.department, email: c.email,
    phones: phonesByContact.get(c.id) ?? [],
  })), (c) => c.service_id);
  const attributesByService = groupBy(attributes.map((a): HsdsAttribute => ({
    id: a.id, link_id: a.link_id, link_type: a.link_type, link_entity: a.link_entity, taxonomy_term_id: a.taxonomy_term_id, value: a.value,
    taxonomy_term: { id: a.taxonomy_term_id, code: a.code, name: a.name, description: a.description, parent_id: a.parent_id, taxonomy_id: a.taxonomy_id, taxonomy: a.taxonomy, term_uri: a.term_uri },
  })), (a) => a.link_id);

  const byId = new Map(serviceRows.map((s): [string, HsdsService] => [s.id, {
    id: s.id, organization_id: s.organisation_id, name: s.name, description: s.description, url: s.url, email: s.email, status: s.status,
    fees_description: s.fees_description, accreditations: s.accreditations, minimum_age: s.minimum_age, maximum_age: s.maximum_age,
    assured_date: s.assured_date, assurer_email: s.assurer_email, alert: s.alert, last_modified: iso(s.updated_at), created_at: iso(s.created_at),
    delivery_modes: s.delivery_modes, is_free: s.is_free, consent_to_publish: s.consent_to_publish, external_id: s.external_id,
    organization: {
      id: s.organisation_id, name: s.o_name, description: s.o_description, email: s.o_email, website: s.o_website, phone: s.o_phone,
      charity_number: s.o_charity_number, company_number: s.o_company_number, status: s.o_status, last_modified: iso(s.o_updated_at),
    },
    service_at_locations: salsByService.get(s.id) ?? [],
    schedules: schedulesByService.get(s.id) ?? [],
    cost_options: costsByService.get(s.id) ?? [],
    service_areas: areasByService.get(s.id) ?? [],
    languages: languagesByService.get(s.id) ?? [],
    phones: phonesByService.get(s.id) ?? [],
    contacts: contactsByService.get(s.id) ?? [],
    attributes: attributesByService.get(s.id) ?? [],
  }]));
  const services = wanted.map((id) => byId.get(id)).filter((s): s is HsdsService => s !== undefined);
  return { services, more: Object.fromEntries(Object.entries(parts).flatMap(([k, rows]) => (k.startsWith('more_') ? [[k.slice('more_'.length), rows]] : []))) as M };
}

/**
 * Building and compiling this statement with Kysely cost the Node process more than PostgreSQL took to run it (a
 * CPU profile of the ORUK API by id: four tenths of its time). Its text depends only on `only` and `more`, so it is
 * compiled once for each pair (by identity: pass the same objects, held at module level) with a stand-in for the
 * ids, which each load replaces with its own.
 */
const ANY_IDS: string[] = [];
/** Weakly held: a caller passing new objects each time gets no reuse, but no growth either. */
const compiledLoads = new WeakMap<object, WeakMap<object, CompiledQuery>>();
const NONE = {};

function compiledLoad(db: Queryable, options: LoadOptions<Record<string, unknown[]>>): CompiledQuery {
  const only = options.only ?? NONE;
  const more = options.more ?? NONE;
  const byMore = compiledLoads.get(only) ?? new WeakMap<object, CompiledQuery>();
  compiledLoads.set(only, byMore);
  let compiled = byMore.get(more);
  if (!compiled) {
    compiled = loadStatement(db, options).compile(db);
    byMore.set(more, compiled);
  }
  return compiled;
}

/** The statement of loadServicesWith, for the ids ANY_IDS stands for. */
function loadStatement(db: Queryable, options: LoadOptions<Record<string, unknown[]>>): RawBuilder<unknown> {
  // One statement for all the parts (readTogether), one array parameter for the ids (not one parameter per id). The
  // lists a part is also found by (a schedule by its venue, a phone by its contact) are arrays made first (init
  // plans), not subqueries, so that "service_id = any(…) or location_id = any(…)" is answered from the indexes (a
  // bitmap OR) at any batch size. The services kept by `only` are chosen once, in a WITH, for every part to read.
  const kept = options.only && sql`with kept as (select array(select s.id from services s join organisations o on o.id = s.organisation_id
    where s.id = any(${ANY_IDS}::uuid[]) and ${options.only}) as ids)`;
  const idList = kept ? sql<string[]>`(select ids from kept)::uuid[]` : sql<string[]>`${ANY_IDS}::uuid[]`;
  const locationIds = sql<string[]>`array(select location_id from service_at_locations where service_id = any(${idList}))`;
  const more = options.more?.({
    services: idList,
    organisations: sql<string[]>`array(select distinct organisation_id from services where id = any(${idList}))`,
    locations: locationIds,
    terms: sql<string[]>`array(select distinct taxonomy_term_id from attributes where link_id = any(${idList}) and link_type = 'service')`,
  });
  // The caller's reads under names of their own, apart from the parts' (both may have "areas").
  const together: Record<string, RawBuilder<unknown>> = {
    ...partReads(db, idList, locationIds), ...Object.fromEntries(Object.entries(more ?? {}).map(([k, read]) => [`more_${k}`, read])),
  };
  return togetherStatement(together, kept);
}

/** The parts of the services of `idList` (and of their venues, `locationIds`), each a read of its rows. */
function partReads(db: Queryable, idList: RawBuilder<string[]>, locationIds: RawBuilder<string[]>) {
  const salIds = sql`array(select id from service_at_locations where service_id = any(${idList}))`;
  const contactIds = sql`array(select id from contacts where service_id = any(${idList}))`;
  const rows = <O>(query: Compilable<O>) => sql<O>`${query}`;
  return {
    services: rows(db.selectFrom('services').innerJoin('organisations as o', 'o.id', 'services.organisation_id')
      .select(['services.id', 'services.organisation_id', 'services.name', 'services.description', 'services.url', 'services.email', 'services.status',
        'services.fees_description', 'services.accreditations', 'services.minimum_age', 'services.maximum_age', 'services.assurer_email', 'services.alert',
        'services.updated_at', 'services.created_at', 'services.delivery_modes', 'services.is_free', 'services.consent_to_publish', 'services.external_id',
        day('services.assured_date').as('assured_date'),
        'o.name as o_name', 'o.description as o_description', 'o.email as o_email', 'o.website as o_website', 'o.phone as o_phone',
        'o.charity_number as o_charity_number', 'o.company_number as o_company_number', 'o.status as o_status', 'o.updated_at as o_updated_at'])
      .where(sql<SqlBool>`services.id = any(${idList})`)),
    sals: rows(db.selectFrom('service_at_locations as sal').innerJoin('locations as l', 'l.id', 'sal.location_id')
      .select(['sal.id', 'sal.service_id', 'sal.location_id', 'sal.description', 'l.organisation_id', 'l.location_type', 'l.name', 'l.description as l_description',
        'l.latitude', 'l.longitude', 'l.external_identifier', 'l.external_identifier_type', 'l.address_1', 'l.address_2', 'l.city', 'l.region',
        'l.state_province', 'l.postal_code', 'l.country', 'l.accessibility', 'l.accessibility_details'])
      .where(sql<SqlBool>`sal.service_id = any(${idList})`).orderBy('l.name').orderBy('sal.id')),
    contacts: rows(db.selectFrom('contacts').select(['id', 'service_id', 'organisation_id', 'name', 'title', 'department', 'email'])
      .where(sql<SqlBool>`service_id = any(${idList})`).orderBy('name').orderBy('id')),
    costs: rows(db.selectFrom('cost_options').select(['id', 'service_id', 'option', 'amount', 'currency', 'amount_description', day('valid_from').as('valid_from'), day('valid_to').as('valid_to')])
      .where(sql<SqlBool>`service_id = any(${idList})`).orderBy('amount', (ob) => ob.asc().nullsFirst()).orderBy('option').orderBy('id')),
    areas: rows(db.selectFrom('service_areas').select(['id', 'service_id', 'name', 'description', 'extent', 'extent_type', 'uri'])
      .where(sql<SqlBool>`service_id = any(${idList})`).orderBy('name').orderBy('id')),
    attributes: rows(db.selectFrom('attributes as a').innerJoin('taxonomy_terms as t', 't.id', 'a.taxonomy_term_id').innerJoin('taxonomies as x', 'x.id', 't.taxonomy_id')
      .select(['a.id', 'a.link_id', 'a.link_type', 'a.link_entity', 'a.taxonomy_term_id', 'a.value', 't.code', 't.name', 't.description', 't.parent_id',
        't.taxonomy_id', 't.term_uri', 'x.name as taxonomy'])
      .where(sql<SqlBool>`a.link_id = any(${idList})`).where('a.link_type', '=', 'service').orderBy('x.name').orderBy('t.name').orderBy('a.id')),
    schedules: rows(selectSchedules(db)
      .where(sql<SqlBool>`(service_id = any(${idList}) or service_at_location_id = any(${salIds}))`)
      .orderBy(sql`coalesce(dtstart, valid_from)`, (ob) => ob.asc().nullsFirst()).orderBy(sql`array_position(array['MO','TU','WE','TH','FR','SA','SU'], split_part(byday, ',', 1))`)
      .orderBy('opens_at').orderBy('id')),
    languages: rows(db.selectFrom('languages').select(['id', 'service_id', 'location_id', 'phone_id', 'name', 'code', 'note'])
      .where(sql<SqlBool>`(service_id = any(${idList}) or location_id = any(${locationIds}))`).orderBy('name').orderBy('id')),
    phones: rows(db.selectFrom('phones').select(['id', 'service_id', 'location_id', 'contact_id', 'organisation_id', 'number', 'extension', 'type', 'description'])
      .where(sql<SqlBool>`(service_id = any(${idList}) or location_id = any(${locationIds}) or contact_id = any(${contactIds}))`)
      .orderBy('number').orderBy('id')),
  };
}

/** What each part's read gives: its rows. */
type Parts = { [K in keyof ReturnType<typeof partReads>]: ReturnType<typeof partReads>[K] extends RawBuilder<infer O> ? O[] : never };

const noneLoaded: LoadedIds = { services: sql`'{}'::uuid[]`, organisations: sql`'{}'::uuid[]`, locations: sql`'{}'::uuid[]`, terms: sql`'{}'::uuid[]` };

/** One service, fully nested, or undefined. */
export async function loadService(db: Queryable, id: string): Promise<HsdsService | undefined> {
  return (await loadServices(db, [id]))[0];
}

// ---------------------------------------------------------------------------------------------------
// Staff list: search and filters
// ---------------------------------------------------------------------------------------------------

export interface ServiceSearch {
  text?: string;
  status?: ServiceStatus;
  organisationId?: string;
  deliveryMode?: DeliveryMode;
  /** the chosen term and every term below it */
  termIds?: string[];
  page: number;
  pageSize: number;
}

export interface ServiceListRow {
  id: string; name: string; status: ServiceStatus; delivery_modes: DeliveryMode[]; updated_at: Date; organisation_id: string; organisation_name: string;
}

export async function searchServices(db: Queryable, s: ServiceSearch): Promise<{ total: number; rows: ServiceListRow[] }> {
  const like = s.text ? containing(s.text) : null;
  const base = db.selectFrom('services').innerJoin('organisations as o', 'o.id', 'services.organisation_id')
    .$if(like !== null, (q) => q.where((eb) => eb.or([eb('services.name', 'ilike', like!), eb('o.name', 'ilike', like!)])))
    .$if(s.status !== undefined, (q) => q.where('services.status', '=', s.status!))
    .$if(s.organisationId !== undefined, (q) => q.where('services.organisation_id', '=', s.organisationId!))
    .$if(s.deliveryMode !== undefined, (q) => q.where(sql<SqlBool>`services.delivery_modes @> array[${s.deliveryMode}]::text[]`))
    .$if(s.termIds !== undefined, (q) => q.where((eb) => (s.termIds!.length === 0 ? sql<SqlBool>`false`
      : eb.exists(eb.selectFrom('attributes as a').select(sql`1`.as('one')).whereRef('a.link_id', '=', 'services.id').where('a.taxonomy_term_id', 'in', s.termIds!)))));
  const [{ n }, rows] = await Promise.all([
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    base.select(['services.id', 'services.name', 'services.status', 'services.delivery_modes', 'services.updated_at', 'services.organisation_id', 'o.name as organisation_name'])
      .orderBy(sql`lower(services.name)`).orderBy('services.id').limit(s.pageSize).offset((s.page - 1) * s.pageSize).execute(),
  ]);
  return { total: Number(n), rows };
}

// ---------------------------------------------------------------------------------------------------
// Form choices and writes
// ---------------------------------------------------------------------------------------------------

export const servicesRepository = {
  ownSchedules,

  organisationChoices: (db: Queryable) =>
    db.selectFrom('organisations').select(['id', 'name']).where('merged_into_id', 'is', null).orderBy(sql`lower(name)`).orderBy('id').execute(),

  organisationExists: async (db: Queryable, id: string) =>
    isUuid(id) && (await db.selectFrom('organisations').select('id').where('id', '=', id).where('merged_into_id', 'is', null).executeTakeFirst()) !== undefined,

  /** Venues to choose from: the organisation's own, and any the service already uses. */
  locationChoices: (db: Queryable, organisationId: string | null, serviceId: string | null) =>
    db.selectFrom('locations').select(['id', 'name', 'address_1', 'city', 'postal_code', 'accessibility', 'organisation_id'])
      .where((eb) => eb.or([
        ...(organisationId && isUuid(organisationId) ? [eb('organisation_id', '=', organisationId)] : []),
        ...(serviceId ? [eb('id', 'in', eb.selectFrom('service_at_locations').select('location_id').where('service_id', '=', serviceId))] : []),
        sql<SqlBool>`false`,
      ]))
      .orderBy(sql`lower(coalesce(name, address_1, ''))`).orderBy('id').execute(),

  existingLocationIds: async (db: Queryable, ids: string[]) => {
    const wanted = ids.filter(isUuid);
    return wanted.length === 0 ? [] : (await db.selectFrom('locations').select('id').where('id', 'in', wanted).execute()).map((r) => r.id);
  },

  geocode: (db: Queryable, postcode: string) =>
    db.selectFrom('postcodes').select(['latitude', 'longitude']).where('postcode', '=', postcode.replace(/\s+/g, '').toUpperCase())
      .where('latitude', 'is not', null).executeTakeFirst(),

  termsExisting: async (db: Queryable, ids: string[]) => {
    const wanted = ids.filter(isUuid);
    return wanted.length === 0 ? [] : (await db.selectFrom('taxonomy_terms').select('id').where('id', 'in', wanted).execute()).map((r) => r.id);
  },

  current: (db: Queryable, id: string) =>
    db.selectFrom('services').select(['id', 'name', 'organisation_id', 'status', 'delivery_modes', 'created_at', 'updated_at']).where('id', '=', id).executeTakeFirst(),

  /** The days of the one-off sessions the service holds (a form row keeps one of these even once it has passed). */
  sessionDays: async (db: Queryable, serviceId: string) =>
    (await db.selectFrom('schedules').select(sql<string>`to_char(dtstart, 'YYYY-MM-DD')`.as('d')).where('service_id', '=', serviceId).where('freq', 'is', null)
      .where('dtstart', 'is not', null).execute()).map((r) => r.d),

  lastChangeDay: async (db: Queryable, serviceId: string) =>
    (await db.selectFrom('service_delivery_changes').select(sql<string>`to_char(max(changed_on), 'YYYY-MM-DD')`.as('d')).where('service_id', '=', serviceId).executeTakeFirst())?.d ?? null,

  history: (db: Queryable, serviceId: string) =>
    db.selectFrom('service_delivery_changes').select([sql<string>`to_char(changed_on, 'YYYY-MM-DD')`.as('changed_on'), 'delivery_modes', 'status', 'note'])
      .where('service_id', '=', serviceId).orderBy('changed_on').orderBy('id').execute(),
};

export interface ServiceWrite {
  organisationId: string;
  name: string;
  description: string;
  status: ServiceStatus;
  url: string | null;
  email: string | null;
  phone: string | null;
  feesDescription: string | null;
  isFree: boolean;
  minimumAge: number | null;
  maximumAge: number | null;
  deliveryModes: DeliveryMode[];
  locationIds: string[];
  /** accessibility notes for chosen venues, by location id */
  locationAccessibility: Record<string, string>;
  newLocation: { name: string; address1: string; address2: string | null; city: string | null; postcode: string | null; latitude: number | null; longitude: number | null; accessibility: string | null } | null;
  opening: { day: string; opens: string; closes: string }[];
  sessions: { date: string; opens: string; closes: string; description: string | null }[];
  costs: { option: string; amount: number | null }[];
  languages: { name: string; code: string | null }[];
  serviceAreas: string[];
  termIds: string[];
}

/** Inserts a venue and returns its id. */
async function insertLocation(db: Queryable, lioId: string, organisationId: string, l: NonNullable<ServiceWrite['newLocation']>, now: Date): Promise<string> {
  const row = await db.insertInto('locations').values({
    lio_id: lioId, organisation_id: organisationId, location_type: 'physical', name: l.name || null, address_1: l.address1 || null, address_2: l.address2,
    city: l.city, state_province: 'England', postal_code: l.postcode, latitude: l.latitude, longitude: l.longitude, accessibility: l.accessibility,
    country: 'GB', created_at: now, updated_at: now,
  }).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

/** Replaces the parts a service owns (schedules, costs, languages, areas, its own phone, terms, venues chosen). */
async function writeParts(db: Queryable, lioId: string, serviceId: string, w: ServiceWrite, now: Date): Promise<void> {
  const locationIds = [...w.locationIds];
  if (w.newLocation) locationIds.push(await insertLocation(db, lioId, w.organisationId, w.newLocation, now));

  await db.deleteFrom('service_at_locations').where('service_id', '=', serviceId)
    .where((eb) => (locationIds.length ? eb('location_id', 'not in', locationIds) : sql<SqlBool>`true`)).execute();
  if (locationIds.length) {
    await db.insertInto('service_at_locations').values(locationIds.map((location_id) => ({ lio_id: lioId, service_id: serviceId, location_id })))
      .onConflict((oc) => oc.columns(['service_id', 'location_id']).doNothing()).execute();
  }
  for (const [locationId, accessibility] of Object.entries(w.locationAccessibility)) {
    if (!w.locationIds.includes(locationId)) continue;
    await db.updateTable('locations').set({ accessibility: accessibility || null, updated_at: now }).where('id', '=', locationId)
      .where('accessibility', 'is distinct from', accessibility || null).execute();
  }

  const replaced = (await ownSchedules(db, serviceId)).filter(isFormSchedule).map((x) => x.id);
  if (replaced.length) await db.deleteFrom('schedules').where('id', 'in', replaced).execute();
  const schedules = [
    ...w.opening.map((o) => ({ lio_id: lioId, service_id: serviceId, freq: 'WEEKLY' as const, interval: 1, byday: o.day, opens_at: o.opens, closes_at: o.closes })),
    ...w.sessions.map((s) => ({ lio_id: lioId, service_id: serviceId, dtstart: s.date, valid_from: s.date, valid_to: s.date, opens_at: s.opens, closes_at: s.closes, description: s.description })),
  ];
  if (schedules.length) await db.insertInto('schedules').values(schedules).execute();

  await db.deleteFrom('cost_options').where('service_id', '=', serviceId).execute();
  if (w.costs.length) await db.insertInto('cost_options').values(w.costs.map((c) => ({ lio_id: lioId, service_id: serviceId, option: c.option, amount: c.amount }))).execute();

  await db.deleteFrom('languages').where('service_id', '=', serviceId).execute();
  if (w.languages.length) await db.insertInto('languages').values(w.languages.map((l) => ({ lio_id: lioId, service_id: serviceId, name: l.name, code: l.code }))).execute();

  await db.deleteFrom('service_areas').where('service_id', '=', serviceId).execute();
  if (w.serviceAreas.length) await db.insertInto('service_areas').values(w.serviceAreas.map((name) => ({ lio_id: lioId, service_id: serviceId, name }))).execute();

  await db.deleteFrom('phones').where('service_id', '=', serviceId).where('contact_id', 'is', null).where('location_id', 'is', null).execute();
  if (w.phone) await db.insertInto('phones').values({ lio_id: lioId, service_id: serviceId, number: w.phone }).execute();

  await db.deleteFrom('attributes').where('link_id', '=', serviceId).where('link_type', '=', 'service')
    .where((eb) => (w.termIds.length ? eb('taxonomy_term_id', 'not in', w.termIds) : sql<SqlBool>`true`)).execute();
  if (w.termIds.length) {
    await db.insertInto('attributes').values(w.termIds.map((taxonomy_term_id) => ({ lio_id: lioId, link_id: serviceId, link_type: 'service' as const, link_entity: 'service', taxonomy_term_id })))
      .onConflict((oc) => oc.columns(['link_id', 'taxonomy_term_id']).doNothing()).execute();
  }
}

export async function insertService(db: Queryable, lioId: string, w: ServiceWrite, now: Date, createdOn: string): Promise<string> {
  const row = await db.insertInto('services').values({
    lio_id: lioId, organisation_id: w.organisationId, name: w.name, description: w.description, status: w.status, url: w.url, email: w.email,
    fees_description: w.feesDescription, is_free: w.isFree, minimum_age: w.minimumAge, maximum_age: w.maximumAge, delivery_modes: w.deliveryModes,
    created_at: now, updated_at: now,
  }).returning('id').executeTakeFirstOrThrow();
  await db.insertInto('service_delivery_changes').values({
    lio_id: lioId, service_id: row.id, changed_on: createdOn, delivery_modes: w.deliveryModes, status: w.status, note: 'Service added',
  }).execute();
  await writeParts(db, lioId, row.id, w, now);
  return row.id;
}

/**
 * Updates a service and its parts. A change of delivery modes or status is dated by the trigger of migration 004;
 * `changeOn` (a day) dates it when staff record a change late.
 */
export async function updateService(db: Queryable, lioId: string, id: string, w: ServiceWrite, now: Date, changeOn: string | null): Promise<void> {
  if (changeOn) await sql`select set_config('app.delivery_change_on', ${changeOn}, true)`.execute(db);
  await db.updateTable('services').set({
    organisation_id: w.organisationId, name: w.name, description: w.description, status: w.status, url: w.url, email: w.email,
    fees_description: w.feesDescription, is_free: w.isFree, minimum_age: w.minimumAge, maximum_age: w.maximumAge, delivery_modes: w.deliveryModes, updated_at: now,
  }).where('id', '=', id).execute();
  if (changeOn) await sql`select set_config('app.delivery_change_on', '', true)`.execute(db);
  await writeParts(db, lioId, id, w, now);
}
