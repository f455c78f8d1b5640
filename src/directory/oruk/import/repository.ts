import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Tx } from '../../../platform/db/index.js';
import { isUuid } from '../../../platform/validation/ids.js';

/**
 * All SQL of the importer's writes. Each statement carries up to CHUNK rows as one JSON parameter
 * (`json_to_recordset`), so 100,000 services take a few hundred statements, never one per record.
 */

const CHUNK = 2000;

export type Row = Record<string, unknown>;
interface Column { name: string; type: string }
const cols = (spec: string): Column[] => spec.split(',').map((c) => c.trim()).filter(Boolean).map((c) => {
  const [name, ...type] = c.split(/\s+/);
  return { name: name!, type: type.join(' ') };
});

export const TABLES = {
  taxonomies: cols('id uuid, lio_id uuid, name text, description text, uri text, version text, external_id text, created_at timestamptz, updated_at timestamptz'),
  taxonomy_terms: cols('id uuid, lio_id uuid, taxonomy_id uuid, code text, name text, description text, term_uri text, external_id text, created_at timestamptz, updated_at timestamptz'),
  organisations: cols(`id uuid, lio_id uuid, name text, description text, email text, website text, logo text, uri text, charity_number text, company_number text,
    address text, postcode text, consent_to_publish boolean, status text, external_id text, created_at timestamptz, updated_at timestamptz`),
  locations: cols(`id uuid, lio_id uuid, organisation_id uuid, location_type text, name text, description text, latitude float8, longitude float8,
    external_identifier text, external_identifier_type text, address_id uuid, address_attention text, address_1 text, address_2 text, city text, region text,
    state_province text, postal_code text, country text, address_type text, accessibility_id uuid, accessibility text, accessibility_details text,
    accessibility_url text, external_id text, created_at timestamptz, updated_at timestamptz`),
  services: cols(`id uuid, lio_id uuid, organisation_id uuid, name text, description text, url text, email text, status text, fees_description text,
    accreditations text, minimum_age int, maximum_age int, assured_date date, assurer_email text, alert text, delivery_modes text[], is_free boolean,
    consent_to_publish boolean, external_id text, created_at timestamptz, updated_at timestamptz`),
  service_delivery_changes: cols('id uuid, lio_id uuid, service_id uuid, changed_on date, delivery_modes text[], status text, note text'),
  service_at_locations: cols('id uuid, lio_id uuid, service_id uuid, location_id uuid, description text'),
  schedules: cols(`id uuid, lio_id uuid, service_id uuid, service_at_location_id uuid, valid_from date, valid_to date, dtstart date, freq text, interval int,
    byday text, bymonthday text, opens_at time, closes_at time, description text, notes text, attending_type text, schedule_link text`),
  contacts: cols('id uuid, lio_id uuid, organisation_id uuid, service_id uuid, name text, title text, department text, email text'),
  phones: cols('id uuid, lio_id uuid, organisation_id uuid, service_id uuid, location_id uuid, contact_id uuid, number text, extension text, type text, description text'),
  languages: cols('id uuid, lio_id uuid, service_id uuid, phone_id uuid, location_id uuid, name text, code text, note text'),
  cost_options: cols('id uuid, lio_id uuid, service_id uuid, valid_from date, valid_to date, option text, amount numeric, currency text, amount_description text'),
  service_areas: cols('id uuid, lio_id uuid, service_id uuid, name text, description text, extent text, extent_type text, uri text, service_area text'),
  funding: cols('id uuid, lio_id uuid, organisation_id uuid, service_id uuid, source text'),
  organization_identifiers: cols('id uuid, lio_id uuid, organisation_id uuid, identifier_scheme text, identifier_type text, identifier text'),
  attributes: cols('id uuid, lio_id uuid, link_id uuid, link_type text, link_entity text, taxonomy_term_id uuid, value text'),
} as const;
export type Table = keyof typeof TABLES;

const recordset = (table: Table) => sql.raw(`r(${TABLES[table].map((c) => `"${c.name}" ${c.type}`).join(', ')})`);
const columnList = (table: Table) => sql.raw(TABLES[table].map((c) => `"${c.name}"`).join(', '));

/**
 * Lets the event loop answer whatever waits (a request, a timer) before the next statement. On the embedded engine a
 * statement runs in this process and holds it until done; between statements, without this, one promise follows
 * another and a web request waits for the whole import.
 */
export const letOthersRun = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Rows per statement where a transaction asked for fewer than CHUNK (limitStatementRows). */
const statementRows = new WeakMap<Tx, number>();

/**
 * Writes of `tx` carry at most `rows` rows a statement. A streamed import, which runs while the web process answers,
 * keeps each statement short: on the embedded engine a statement of 400 services (their triggers keep the search's
 * read model) holds the process for about 300 ms.
 */
export function limitStatementRows(tx: Tx, rows: number): void {
  statementRows.set(tx, rows);
}

/**
 * A GIN index (the services' and organisations' search) gathers new entries in a pending list and merges it into the
 * index when the list is full: with the default 4 MB list one statement in many then took 1.8 s on the embedded
 * engine. A streamed import keeps the list small, so each statement merges a little.
 */
export async function keepIndexMergesSmall(tx: Tx): Promise<void> {
  await sql`select set_config('gin_pending_list_limit', '64', true)`.execute(tx);
}

export function* chunks<T>(rows: T[], size = CHUNK): Generator<T[]> {
  for (let i = 0; i < rows.length; i += size) yield rows.slice(i, i + size);
}

/**
 * Inserts rows, keeping each row's id unless another record (of any LIO: ids are unique everywhere) already
 * has it, in which case the row gets a fresh id. Returns the ids that changed (old → new).
 */
export async function insertKeepingIds(tx: Tx, table: Table, rows: Row[]): Promise<Map<string, string>> {
  const changed = new Map<string, string>();
  // One id twice in the same import (a feed that reuses one): the second gets a fresh id.
  const seen = new Set<string>();
  for (const r of rows) {
    if (seen.has(r.id as string)) r.id = randomUUID();
    seen.add(r.id as string);
  }
  const again: Row[] = [];
  const settle = ({ chunk, inserted }: { chunk: Row[]; inserted: { rows: { id: string }[] } }) => {
    if (inserted.rows.length === chunk.length) return;
    const done = new Set(inserted.rows.map((r) => r.id));
    for (const r of chunk) {
      if (done.has(r.id as string)) continue;
      const id = randomUUID();
      changed.set(r.id as string, id);
      again.push({ ...r, id });
    }
  };
  // Each statement is built (its JSON written) while the one before it runs: on PostgreSQL the database and
  // this process then work at the same time instead of taking turns.
  let previous: Promise<{ chunk: Row[]; inserted: { rows: { id: string }[] } }> | null = null;
  const size = statementRows.get(tx) ?? CHUNK;
  for (const chunk of chunks(rows, size)) {
    const current = sql<{ id: string }>`insert into ${sql.table(table)} (${columnList(table)})
      select ${columnList(table)} from json_to_recordset(${JSON.stringify(chunk)}::json) as ${recordset(table)}
      on conflict (id) do nothing returning id`.execute(tx).then((inserted) => ({ chunk, inserted }));
    // settled below, in order; a failure of this one is awaited there (and until then not left unhandled)
    current.catch(() => undefined);
    if (previous) settle(await previous);
    await letOthersRun();
    previous = current;
  }
  if (previous) settle(await previous);
  await letOthersRun();
  // Ids another record already has: those rows again, with fresh ids.
  for (const chunk of chunks(again, size)) {
    await sql`insert into ${sql.table(table)} (${columnList(table)})
      select ${columnList(table)} from json_to_recordset(${JSON.stringify(chunk)}::json) as ${recordset(table)}`.execute(tx);
    await letOthersRun();
  }
  return changed;
}

/** Updates rows by id: columns in `keep` keep their held value when the feed gives none. */
export async function updateRows(tx: Tx, table: Table, rows: Row[], columns: string[], keep: string[]): Promise<void> {
  const set = sql.raw(columns.map((c) => (keep.includes(c) ? `"${c}" = coalesce(r."${c}", t."${c}")` : `"${c}" = r."${c}"`)).join(', '));
  for (const chunk of chunks(rows, statementRows.get(tx) ?? CHUNK)) {
    await sql`update ${sql.table(table)} as t set ${set} from json_to_recordset(${JSON.stringify(chunk)}::json) as ${recordset(table)} where t.id = r.id`.execute(tx);
    await letOthersRun();
  }
}

export async function deleteWhere(tx: Tx, table: Table, column: string, ids: string[], extra = sql``): Promise<void> {
  for (const chunk of chunks(ids, 5000)) {
    await sql`delete from ${sql.table(table)} where ${sql.ref(column)} = any(${chunk}::uuid[]) ${extra}`.execute(tx);
    await letOthersRun();
  }
}

/** Held records of a table matched by the feed's ids: by external_id, or by id when the feed id is a UUID. */
export async function held(tx: Tx, table: 'organisations' | 'services' | 'locations' | 'taxonomies' | 'taxonomy_terms', exts: string[]): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (const chunk of chunks(exts, 5000)) {
    const uuids = chunk.filter(isUuid).map((u) => u.toLowerCase());
    const rows = await sql<{ id: string; external_id: string | null }>`select id, external_id from ${sql.table(table)}
      where external_id = any(${chunk}::text[]) or id = any(${uuids}::uuid[])`.execute(tx);
    const byId = new Map(rows.rows.map((r) => [r.id, r.id]));
    const byExternal = new Map(rows.rows.filter((r) => r.external_id !== null).map((r) => [r.external_id!, r.id]));
    for (const ext of chunk) {
      const id = byExternal.get(ext) ?? (isUuid(ext) ? byId.get(ext.toLowerCase()) : undefined);
      if (id) found.set(ext, id);
    }
    await letOthersRun();
  }
  return found;
}

/** With deleteWhere: an owner's own rows only, not those of its contacts, venues or services. */
export const ONLY_OWN = {
  servicePhones: sql`and contact_id is null and location_id is null`,
  organisationPhones: sql`and service_id is null and contact_id is null and location_id is null`,
  organisationFunding: sql`and service_id is null`,
};

/** Every taxonomy of the LIO: few, and matched by name as well as by id. */
export async function allTaxonomies(tx: Tx) {
  return (await sql<{ id: string; name: string; external_id: string | null }>`select id, name, external_id from taxonomies`.execute(tx)).rows;
}

/** Held terms by their taxonomy and code ('taxonomy id|code' → id). */
export async function termsByCode(tx: Tx, codes: string[]): Promise<Map<string, string>> {
  return new Map((await sql<{ id: string; key: string }>`select id, taxonomy_id || '|' || code as key from taxonomy_terms
    where taxonomy_id || '|' || code = any(${codes}::text[])`.execute(tx)).rows.map((r) => [r.key, r.id]));
}

export async function setTermParents(tx: Tx, parents: { id: string | undefined; parent_id: string | null; parent_external_id: string | null }[]): Promise<void> {
  for (const chunk of chunks(parents)) {
    await sql`update taxonomy_terms as t set parent_id = r.parent_id, parent_external_id = r.parent_external_id
      from json_to_recordset(${JSON.stringify(chunk)}::json) as r(id uuid, parent_id uuid, parent_external_id text) where t.id = r.id`.execute(tx);
  }
}

export async function setOrganisationParents(tx: Tx, parents: { id: string | undefined; parent_organization_id: string | null }[]): Promise<void> {
  for (const chunk of chunks(parents)) {
    await sql`update organisations as t set parent_organization_id = r.parent_organization_id
      from json_to_recordset(${JSON.stringify(chunk)}::json) as r(id uuid, parent_organization_id uuid) where t.id = r.id`.execute(tx);
  }
}
