import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { Queryable } from '../../platform/db/index.js';
import type { DeliveryMode, ServiceStatus } from '../../platform/db/directory-schema.js';
import { organisationPublished, placePublished, servicePublished } from './published.js';
import { addDays, monthNumber, placeInMonth, type DayCode } from './opening.js';
import { containing } from '../../platform/db/like.js';

/**
 * All SQL of the public directory. Every query runs in the LIO's tenant transaction, so row-level
 * security keeps it to that LIO; see migration 006 for how the queries stay on indexes under it.
 * Only published services are ever returned (published.ts), and of those only the active or temporarily closed.
 */

export const EARTH_RADIUS_M = 6_371_008.8;
const METRES_PER_DEGREE = 111_320;

export interface Near { latitude: number; longitude: number; radiusM: number }
export interface OpenAt { date: string; day: DayCode; yesterday: DayCode; time: string }

export interface SearchCriteria {
  text: string | null;
  /** the chosen category and every term below it */
  termIds: string[] | null;
  near: Near | null;
  locality: string | null;
  deliveryModes: DeliveryMode[];
  openAt: OpenAt | null;
  freeOnly: boolean;
  age: number | null;
  limit: number;
  offset: number;
}

export interface SearchRow {
  id: string;
  name: string;
  description: string;
  status: ServiceStatus;
  delivery_modes: DeliveryMode[];
  is_free: boolean;
  organisation_name: string;
  distance_m: number | null;
  total: number;
}

/** The services /find shows, for services `s` joined to organisations `o`: published (published.ts), and in use now or soon. */
const shownStatuses = sql`s.status in ('active', 'temporarily closed')`;
export const published = sql<SqlBool>`${shownStatuses} and ${servicePublished('s', 'o')}`;
/** The same for rows `s` of published_service_places. */
const publishedPlace = sql`${shownStatuses} and ${placePublished('s')}`;

const likePattern = (text: string) => containing(text.toLowerCase());

/**
 * Great-circle distance in metres from `near` to the point of rows `l` (haversine on the mean radius, plain arithmetic):
 * the one measure of distance of the directory, for /find and the ORUK API alike.
 */
export function distanceTo(near: Pick<Near, 'latitude' | 'longitude'>, l = 'l'): RawBuilder<number> {
  const lat = near.latitude;
  const lng = near.longitude;
  const latitude = sql.ref(`${l}.latitude`);
  const longitude = sql.ref(`${l}.longitude`);
  return sql<number>`(${EARTH_RADIUS_M * 2}::float8 * asin(least(1::float8, sqrt(
    power(sin(radians(${latitude} - ${lat}::float8) / 2), 2)
    + ${Math.cos((lat * Math.PI) / 180)}::float8 * cos(radians(${latitude})) * power(sin(radians(${longitude} - ${lng}::float8) / 2), 2)))))`;
}

/** The latitude/longitude box around a circle, a little larger than it so no edge case falls outside. */
export function boundingBox(near: Near) {
  const dLat = (near.radiusM / METRES_PER_DEGREE) * 1.01;
  const dLng = (near.radiusM / (METRES_PER_DEGREE * Math.max(0.01, Math.cos((near.latitude * Math.PI) / 180)))) * 1.01;
  return { minLat: near.latitude - dLat, maxLat: near.latitude + dLat, minLng: near.longitude - dLng, maxLng: near.longitude + dLng };
}

/** published_service_places.latitude_band is floor(latitude × this) (migration 035). */
const LATITUDE_BANDS_PER_DEGREE = 20;

/**
 * Rows `p` of published_service_places inside the box around a circle: for each band of latitude the box crosses,
 * the places within its longitudes (the index published_service_places_band reads just those), then their latitudes.
 */
export function placesInBox(near: Near, p = 's'): RawBuilder<SqlBool> {
  const box = boundingBox(near);
  const bands: number[] = [];
  for (let b = Math.floor(box.minLat * LATITUDE_BANDS_PER_DEGREE); b <= Math.floor(box.maxLat * LATITUDE_BANDS_PER_DEGREE); b++) bands.push(b);
  const col = (c: string) => sql.ref(`${p}.${c}`);
  return sql<SqlBool>`${col('latitude_band')} = any(${bands}::int[]) and ${col('longitude')} between ${box.minLng}::float8 and ${box.maxLng}::float8
    and ${col('latitude')} between ${box.minLat}::float8 and ${box.maxLat}::float8`;
}

/**
 * The conditions of a search on rows `s` of a read model: published_service_places (migration 019) or
 * published_services (035), which hold the service's own columns under the same names, its terms and its
 * organisation's flags, but nothing of its areas or opening times (those conditions are left to the caller, on the
 * services the rows lead to: placesLeave).
 */
function filters(c: SearchCriteria, textAsFilter: boolean): RawBuilder<unknown>[] {
  const where: RawBuilder<unknown>[] = [publishedPlace];
  if (c.text && textAsFilter) {
    // The query is parsed once (an init plan), not once per row.
    where.push(sql`(s.search_text @@ (select websearch_to_tsquery('english', ${c.text})) or lower(s.name) like ${likePattern(c.text)})`);
  }
  if (c.termIds) where.push(sql`s.term_ids && ${c.termIds}::uuid[]`);
  return [...where, ...kindFilters(c)];
}

/** The conditions on the service's areas and opening times, which the read models do not hold: on the service `id` of organisation `o`. */
function placesLeave(c: SearchCriteria, id = 's.id'): RawBuilder<unknown>[] {
  const where: RawBuilder<unknown>[] = [];
  if (c.locality) {
    const loc = c.locality.toLowerCase();
    where.push(sql`(exists (select 1 from service_areas sa where sa.service_id = ${sql.ref(id)} and (lower(sa.name) = ${loc} or lower(sa.service_area) = ${loc}))
      or exists (select 1 from unnest(o.areas_served) area where lower(area) = ${loc}))`);
  }
  if (c.openAt) where.push(openAtCondition(c.openAt, id));
  return where;
}

/** The conditions on how the service is given and to whom, on columns of the same names in services and published_service_places. */
function kindFilters(c: SearchCriteria): RawBuilder<unknown>[] {
  const where: RawBuilder<unknown>[] = [];
  if (c.deliveryModes.length) where.push(sql`s.delivery_modes && ${c.deliveryModes}::text[]`);
  if (c.freeOnly) where.push(sql`s.is_free`);
  if (c.age !== null) where.push(sql`(s.minimum_age is null or s.minimum_age <= ${c.age}) and (s.maximum_age is null or s.maximum_age >= ${c.age})`);
  return where;
}

/**
 * Whether schedule `sc` has a session starting on the date, by the rules of opening.ts (occursOn): a one-off session
 * on its date; a weekly rule on its days, every `interval` weeks from the week of dtstart; a monthly rule on its
 * days with their ordinals or its days of the month, every `interval` months from the month of dtstart.
 */
export function scheduleOccursOn(date: string, day: DayCode): RawBuilder<boolean> {
  const at = placeInMonth(date);
  const month = monthNumber(date);
  // Each list is tested whole, by one regular expression a token at a time: "(^|,)TOKEN(,|$)". A token is read as
  // opening.ts reads it (BYDAY_TOKEN, BYMONTHDAY_TOKEN): upper case, spaces dropped, "+7", "07" and "7" alike.
  const list = (column: RawBuilder<unknown>) => sql`regexp_replace(upper(coalesce(${column}, '')), '[[:space:]]', '', 'g')`;
  const days = list(sql`sc.byday`);
  const monthDays = list(sql`sc.bymonthday`);
  const anyToken = (token: string) => `(^|,)${token}(,|$)`;
  const number = (n: number) => (n > 0 ? `\\+?${n < 10 ? '0?' : ''}${n}` : `-${-n < 10 ? '0?' : ''}${-n}`);
  const ordinals = `[+-]?[0-9]{1,2}`;
  const hasDays = sql`${days} ~ ${anyToken(`(${ordinals})?(MO|TU|WE|TH|FR|SA|SU)`)}`;
  const hasMonthDays = sql`${monthDays} ~ ${anyToken('[+-]?(0?[1-9]|[12][0-9]|3[01])')}`;
  const onDay = sql`${days} ~ ${anyToken(`(${number(at.ordinal)}|${number(at.ordinalFromEnd)})?${day}`)}`;
  const onMonthDay = sql`${monthDays} ~ ${anyToken(`(${number(at.monthDay)}|${number(at.monthDayFromEnd)})`)}`;
  return sql<boolean>`((sc.valid_from is null or sc.valid_from <= ${date}::date) and (sc.valid_to is null or sc.valid_to >= ${date}::date) and
    case when coalesce(btrim(sc.byday), '') = '' and coalesce(btrim(sc.bymonthday), '') = '' then coalesce(sc.dtstart, sc.valid_from) = ${date}::date
    when sc.dtstart > ${date}::date then false
    when sc.freq = 'MONTHLY' then
      (coalesce(sc.interval, 1) <= 1 or mod(${month}::int - (extract(year from sc.dtstart)::int * 12 + extract(month from sc.dtstart)::int - 1), sc.interval) = 0)
      and case when ${hasDays} and ${hasMonthDays} then ${onDay} and ${onMonthDay} else ${onDay} or ${onMonthDay} end
    else ${days} ~ ${anyToken(`(${ordinals})?${day}`)}
      and (coalesce(sc.interval, 1) <= 1 or mod((${date}::date - sc.dtstart + extract(isodow from sc.dtstart)::int - 1) / 7, sc.interval) = 0)
    end)`;
}

/** A schedule (of the service or of one of its places) with a session covering the moment: begun today, or last night and running past midnight. */
function openAtCondition(at: OpenAt, id: string): RawBuilder<unknown> {
  const yesterday = addDays(at.date, -1);
  const matches = sql`sc.opens_at is not null and sc.closes_at is not null and (
      (sc.opens_at <= ${at.time}::time and (sc.closes_at > ${at.time}::time or sc.closes_at <= sc.opens_at) and ${scheduleOccursOn(at.date, at.day)})
      or (sc.closes_at <= sc.opens_at and ${at.time}::time < sc.closes_at and ${scheduleOccursOn(yesterday, at.yesterday)}))`;
  return sql`(exists (select 1 from schedules sc where sc.service_id = ${sql.ref(id)} and ${matches})
    or exists (select 1 from service_at_locations sal2 join schedules sc on sc.service_at_location_id = sal2.id where sal2.service_id = ${sql.ref(id)} and ${matches}))`;
}

const columns = sql`s.id, s.name, s.description, s.status, s.delivery_modes, s.is_free, o.name as organisation_name`;

export interface PlaceJson { name: string | null; address_1: string | null; city: string | null; postal_code: string | null; latitude: number | null; longitude: number | null; distance_m: number | null }

export interface ScheduleJson {
  freq: string | null; byday: string | null; opens_at: string | null; closes_at: string | null;
  valid_from: string | null; valid_to: string | null; dtstart: string | null; description: string | null; interval: number | null; bymonthday: string | null;
}

export interface PageRow extends SearchRow {
  /** the place to show: the nearest to the postcode, or the first by name */
  place: PlaceJson | null;
  /** opening times of the service and of its places, dates and times as text */
  schedules: ScheduleJson[];
}

const scheduleColumns = sql`sc.freq, sc.byday, to_char(sc.opens_at, 'HH24:MI:SS') as opens_at, to_char(sc.closes_at, 'HH24:MI:SS') as closes_at,
  to_char(sc.valid_from, 'YYYY-MM-DD') as valid_from, to_char(sc.valid_to, 'YYYY-MM-DD') as valid_to, to_char(sc.dtstart, 'YYYY-MM-DD') as dtstart, sc.description,
  sc.interval, sc.bymonthday`;

/**
 * The rows of one page (`page`, a query of SearchRow) with what the results list shows of each: its
 * place and opening times, read for those rows only, in the same statement (one round trip).
 */
function withDetails(page: RawBuilder<unknown>, near: Near | null): RawBuilder<PageRow> {
  const distance = near ? sql`case when l.latitude is null or l.longitude is null then null else ${distanceTo(near)} end` : sql`null::float8`;
  return sql<PageRow>`
    with page as (${page})
    select page.*,
      (select row_to_json(p) from (
        select l.name, l.address_1, l.city, l.postal_code, l.latitude, l.longitude, ${distance} as distance_m
        from service_at_locations sal join locations l on l.id = sal.location_id where sal.service_id = page.id
        order by 7 nulls last, l.name, l.id limit 1) p) as place,
      (select coalesce(json_agg(x), '[]'::json) from (
        select ${scheduleColumns} from schedules sc where sc.service_id = page.id
        union all
        select ${scheduleColumns} from service_at_locations sal join schedules sc on sc.service_at_location_id = sal.id where sal.service_id = page.id) x) as schedules
    from page`;
}

type Found = { rows: PageRow[]; total: number; capped: boolean };

/**
 * One page of published services matching the criteria, with their places and opening times, and how
 * many match in all.
 * With a postcode: the services with a place inside the circle, nearest first (the box is read
 * from the btree, the exact distance worked out for the rows inside it). With words and no
 * postcode: the text index (through cg_services_matching_text), best match first. Otherwise by
 * name, with the count capped at `countCap` so that a broad search never counts the whole directory.
 */
export async function searchPublished(db: Queryable, c: SearchCriteria, countCap = 1000): Promise<Found> {
  const at = c.near;
  if (at) return countedPage(db, c, (p) => nearPage(p, at));
  const result = await elsewherePage(c).execute(db);
  if (c.text) return countedPage(db, c, elsewherePage, result.rows);
  const { sources, where } = elsewhereFilters(c);
  const count = await sql<{ n: number }>`select count(*)::int as n from (select 1 from published_services s ${sources} where ${where} limit ${countCap + 1}) x`.execute(db);
  const n = Number(count.rows[0]?.n ?? 0);
  return { rows: result.rows, total: Math.min(n, countCap), capped: n > countCap };
}

/**
 * A page whose rows carry the count of all matches (count(*) over the matches, before the page is cut).
 * A page past the end has no row to carry it, so the first row of the first page is read for it: the
 * same query, so the count is the one the pages before showed.
 */
async function countedPage(db: Queryable, c: SearchCriteria, query: (c: SearchCriteria) => RawBuilder<PageRow>, read?: PageRow[]): Promise<Found> {
  const rows = read ?? (await query(c).execute(db)).rows;
  if (rows.length || c.offset === 0) return { rows, total: Number(rows[0]?.total ?? 0), capped: false };
  const [first] = (await query({ ...c, limit: 1, offset: 0 }).execute(db)).rows;
  return { rows, total: Number(first?.total ?? 0), capped: false };
}

/**
 * Near a place: the places in the box are read from published_service_places alone (migration 019), filtered
 * there, and only the page's services are read from the source tables, unless areas or opening times are
 * asked for, which only those hold. The page's services are held to the publication rule again: a row of the
 * read model left behind by two writes racing must never show a service whose consent has been withdrawn.
 */
function nearPage(c: SearchCriteria, at: Near): RawBuilder<PageRow> {
  const near = sql`
    with near as (
      select s.service_id, min(${distanceTo(at, 's')}) as distance_m, min(s.name) as name
      from published_service_places s
      where ${placesInBox(at, 's')} and ${sql.join(filters(c, true), sql` and `)}
      group by s.service_id
    )`;
  const left = placesLeave(c);
  const page = left.length
    ? sql`${near}
      select ${columns}, near.distance_m, count(*) over () as total
      from near join services s on s.id = near.service_id join organisations o on o.id = s.organisation_id
      where near.distance_m <= ${at.radiusM}::float8 and ${sql.join(left, sql` and `)} and ${servicePublished('s', 'o')}
      order by near.distance_m, s.name, s.id
      limit ${c.limit} offset ${c.offset}`
    : sql`${near},
      top as (select near.*, count(*) over () as total from near where near.distance_m <= ${at.radiusM}::float8
        order by near.distance_m, near.name, near.service_id limit ${c.limit} offset ${c.offset})
      select ${columns}, top.distance_m, top.total
      from top join services s on s.id = top.service_id join organisations o on o.id = s.organisation_id
      where ${servicePublished('s', 'o')}
      order by top.distance_m, top.name, top.service_id`;
  return withDetails(page, at);
}

/**
 * Not near a place: the services matching are read from published_services (migration 035); only areas and
 * opening times, which it does not hold, are asked of the services (as `sv`) and organisations.
 */
function elsewhereFilters(c: SearchCriteria) {
  const left = placesLeave(c, 'sv.id');
  const sources = left.length ? sql`join services sv on sv.id = s.service_id join organisations o on o.id = sv.organisation_id` : sql``;
  return { sources, where: sql.join([...filters(c, false), ...left], sql` and `) };
}

/** Through the text index for words (cg_services_matching_text, best match first), otherwise in order of name from the index on it. */
function elsewherePage(c: SearchCriteria): RawBuilder<PageRow> {
  const { sources, where } = elsewhereFilters(c);
  // No condition but the words and the category, both of which the function applies itself.
  const onlyWordsAndCategory = placesLeave(c).length === 0 && kindFilters(c).length === 0;
  const matching = sql`cg_services_matching_text(${c.text}, ${c.termIds}::uuid[])`;
  const top = !c.text ? sql`select s.service_id, null::real as rank, s.name, 0 as total from published_services s ${sources} where ${where}
      order by s.name, s.service_id limit ${c.limit} offset ${c.offset}`
    // Words, and perhaps a category: the function's matches are already published, in the category and carry their
    // names, so nothing else is read.
    : onlyWordsAndCategory ? sql`select m.service_id, m.rank, m.name, count(*) over () as total from ${matching} m
      order by m.rank desc, m.name, m.service_id limit ${c.limit} offset ${c.offset}`
    : sql`select s.service_id, m.rank, s.name, count(*) over () as total
      from ${matching} m join published_services s on s.service_id = m.service_id ${sources} where ${where}
      order by m.rank desc, s.name, s.service_id limit ${c.limit} offset ${c.offset}`;
  // The page's services are held to the publication rule again, as near a place.
  return withDetails(sql`with top as (${top})
    select ${columns}, null::float8 as distance_m, top.total
    from top join services s on s.id = top.service_id join organisations o on o.id = s.organisation_id
    where ${published}
    order by top.rank desc nulls last, top.name, top.service_id`, null);
}

/** Which of these services are published (for the detail page and signposting lists). */
export async function publishedIds(db: Queryable, serviceIds: string[]): Promise<Set<string>> {
  if (serviceIds.length === 0) return new Set();
  const result = await sql<{ id: string }>`select s.id from services s join organisations o on o.id = s.organisation_id
    where s.id = any(${serviceIds}::uuid[]) and ${published}`.execute(db);
  return new Set(result.rows.map((r) => r.id));
}

export interface TermRow { id: string; name: string; parent_id: string | null; taxonomy_id: string; taxonomy_name: string }

/** Every taxonomy term of the LIO, for the category choice. */
export async function allTerms(db: Queryable): Promise<TermRow[]> {
  return db.selectFrom('taxonomy_terms as t').innerJoin('taxonomies as x', 'x.id', 't.taxonomy_id')
    .select(['t.id', 't.name', 't.parent_id', 't.taxonomy_id', 'x.name as taxonomy_name'])
    .orderBy('x.name').orderBy('t.name').orderBy('t.id').execute();
}

/** A term and every term below it. */
export async function termWithDescendants(db: Queryable, termId: string): Promise<string[]> {
  const result = await sql<{ id: string }>`
    with recursive tree(id) as (
      select id from taxonomy_terms where id = ${termId}::uuid
      union
      select c.id from taxonomy_terms c join tree on c.parent_id = tree.id
    ) select id from tree`.execute(db);
  return result.rows.map((r) => r.id);
}

/** Places named as the areas published services cover (service areas and the organisations' areas served). */
export async function localities(db: Queryable): Promise<string[]> {
  const result = await sql<{ name: string }>`
    select distinct trim(name) as name from (
      select coalesce(sa.name, sa.service_area) as name from service_areas sa
        join services s on s.id = sa.service_id join organisations o on o.id = s.organisation_id where ${published}
      union
      select unnest(o.areas_served) from organisations o
        where ${organisationPublished('o')}
    ) x where name is not null and trim(name) <> '' order by 1 limit 500`.execute(db);
  return result.rows.map((r) => r.name);
}
