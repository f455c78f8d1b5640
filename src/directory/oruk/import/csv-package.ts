import path from 'node:path';
import { CsvSyntaxError, readCsvTable, type CsvTable } from '../../csv/csv.js';
import { JsonReader } from './json.js';
import type { ImportSet } from './model.js';

/**
 * The HSDS tabular package: one CSV file per table (organizations.csv, services.csv, locations.csv, …), rows
 * linked by id columns. The rows are put together into nested records and read like a JSON feed, so the same
 * rules apply to both. File names are taken in the singular or the plural, as published packages vary.
 */

const TABLES: Record<string, string[]> = {
  organizations: ['organizations', 'organization', 'organisations'],
  organization_identifiers: ['organization_identifiers', 'organization_identifier'],
  services: ['services', 'service'],
  locations: ['locations', 'location'],
  addresses: ['address', 'addresses', 'physical_addresses', 'postal_addresses'],
  accessibility: ['accessibility', 'accessibility_for_disabilities'],
  service_at_locations: ['service_at_location', 'service_at_locations'],
  schedules: ['schedule', 'schedules', 'regular_schedules'],
  phones: ['phones', 'phone'],
  contacts: ['contacts', 'contact'],
  cost_options: ['cost_options', 'cost_option'],
  funding: ['funding', 'fundings'],
  service_areas: ['service_areas', 'service_area'],
  languages: ['languages', 'language'],
  attributes: ['attribute', 'attributes'],
  taxonomies: ['taxonomies', 'taxonomy'],
  taxonomy_terms: ['taxonomy_terms', 'taxonomy_term'],
};
/** Tables of the standard that the register does not hold: reported with their row counts. */
const NOT_HELD: Record<string, string> = {
  programs: 'programmes', required_documents: 'required documents', meta_table_descriptions: 'table descriptions (metadata)', metadata: 'metadata',
  service_capacity: 'service capacity', unit: 'units', url: 'URLs', holiday_schedules: 'holiday schedules (ORUK 1.0)', eligibility: 'eligibility (ORUK 1.0)',
  reviews: 'reviews (ORUK 1.0)', service_taxonomy: 'service taxonomy links (ORUK 1.0)',
};
const REQUIRED_COLUMNS: Record<string, string[]> = {
  organizations: ['id', 'name'], services: ['id', 'name'], locations: ['id'], taxonomies: ['id', 'name'], taxonomy_terms: ['id', 'name'],
  service_at_locations: ['service_id', 'location_id'], phones: ['number'], attributes: ['link_id', 'taxonomy_term_id'],
};

type Row = Record<string, string> & { __file: string; __row: string };

export function isCsvPackageFile(name: string): boolean {
  return /\.csv$/i.test(name);
}

export function readCsvPackage(files: { name: string; text: string }[], set: ImportSet): void {
  const tables = readTables(files, set);
  if (set.errors.length) return;
  const rows = new PackageRows(tables);
  const reader = new JsonReader(set);
  readTaxonomies(rows, reader);
  readOrganisations(rows, reader);
  readLocations(rows, reader);
  readServices(rows, reader);
  // A row that belongs to nothing in the package (its parent's id is not there) is reported, not silently dropped.
  for (const [table, list] of tables) {
    for (const r of list) {
      if (rows.used.has(r)) continue;
      set.refuse({ record: table, file: r.__file, row: Number(r.__row), ...(r.id ? { id: r.id } : {}), message: `links to no ${parentOf(table)} in this package: not imported` });
    }
  }
}

/** Each file read as a table of the package (by its name), its rows keyed by column; a file that cannot be read is an error. */
function readTables(files: { name: string; text: string }[], set: ImportSet): Map<string, Row[]> {
  const tables = new Map<string, Row[]>();
  for (const file of files) {
    const base = path.basename(file.name).toLowerCase().replace(/\.csv$/, '');
    const table = Object.entries(TABLES).find(([, names]) => names.includes(base))?.[0];
    let parsed: CsvTable;
    try {
      parsed = readCsvTable(file.text);
    } catch (err) {
      if (err instanceof CsvSyntaxError) {
        set.error({ record: 'file', file: file.name, row: err.line, message: `${file.name} is not a CSV file that can be read: ${err.message}` });
        continue;
      }
      throw err;
    }
    if (!table) {
      if (NOT_HELD[base]) set.notHeld.set(NOT_HELD[base]!, (set.notHeld.get(NOT_HELD[base]!) ?? 0) + parsed.rows.length);
      else set.warning({ record: 'file', file: file.name, message: `${file.name} is not a table of the HSDS package: ignored` });
      continue;
    }
    const missing = (REQUIRED_COLUMNS[table] ?? []).filter((c) => !parsed.header.includes(c));
    if (missing.length) {
      set.error({ record: 'file', file: file.name, row: 1, field: missing.join(', '), message: `${file.name} has no ${missing.join(', ')} column` });
      continue;
    }
    const rows = tables.get(table) ?? [];
    for (const r of parsed.rows) {
      const row = { __file: file.name, __row: String(r.line) } as Row;
      parsed.header.forEach((h, i) => { if (h) row[h] = (r.values[i] ?? '').trim() === '' ? '' : (r.values[i] ?? ''); });
      rows.push(row);
    }
    tables.set(table, rows);
  }
  return tables;
}

/** The package's rows, found by the id columns that link them, and which of them a record has taken. */
class PackageRows {
  readonly used = new Set<Row>();
  private readonly indexes = new Map<string, Map<string, Row[]>>();
  constructor(private readonly tables: Map<string, Row[]>) {}

  of(table: string): Row[] {
    return this.tables.get(table) ?? [];
  }

  /** The rows of `table` whose `column` is `key` (an index built once per table and column). */
  by(table: string, column: string, key: string): Row[] | undefined {
    let map = this.indexes.get(`${table}.${column}`);
    if (!map) {
      map = new Map<string, Row[]>();
      for (const r of this.of(table)) {
        const k = r[column];
        if (!k) continue;
        const list = map.get(k);
        if (list) list.push(r);
        else map.set(k, [r]);
      }
      this.indexes.set(`${table}.${column}`, map);
    }
    return map.get(key);
  }

  /** Packages publish the same table twice (address.csv and addresses.csv): rows with one id become one, values filling blanks. */
  unique(rows: Row[]): Row[] {
    const seen = new Map<string, Row>();
    const out: Row[] = [];
    for (const r of rows) {
      const id = r.id;
      const earlier = id ? seen.get(id) : undefined;
      if (earlier) {
        for (const [k, v] of Object.entries(r)) if (!k.startsWith('__') && v && !earlier[k]) earlier[k] = v;
        this.used.add(r);
        continue;
      }
      if (id) seen.set(id, r);
      out.push(r);
    }
    return out;
  }

  /** The rows as plain records, each marked as taken. */
  take(rows: Row[] | undefined): Record<string, string>[] {
    const list = this.unique(rows ?? []);
    for (const r of list) this.used.add(r);
    for (const r of rows ?? []) this.used.add(r);
    return list.map(plain);
  }

  /** Phones with no languages of their own (a package links languages to services and locations). */
  phones(rows: Row[] | undefined) {
    return this.take(rows).map((p) => ({ ...p, languages: [] }));
  }
}

function readTaxonomies(rows: PackageRows, reader: JsonReader): void {
  const termsRead = new Set<Row>();
  for (const t of rows.unique(rows.of('taxonomies'))) {
    rows.used.add(t);
    const terms = rows.by('taxonomy_terms', 'taxonomy_id', t.id!) ?? [];
    for (const term of terms) termsRead.add(term);
    reader.taxonomy({ ...plain(t), taxonomy_terms: rows.take(terms) }, false);
  }
  for (const term of rows.unique(rows.of('taxonomy_terms'))) {
    rows.used.add(term);
    if (!termsRead.has(term)) reader.term(plain(term), false, null);
  }
}

function readOrganisations(rows: PackageRows, reader: JsonReader): void {
  for (const o of rows.unique(rows.of('organizations'))) {
    rows.used.add(o);
    reader.organisation({
      ...plain(o), organization_identifiers: rows.take(rows.by('organization_identifiers', 'organization_id', o.id!)),
      funding: rows.take(rows.by('funding', 'organization_id', o.id!)),
      phones: rows.take(rows.by('phones', 'organization_id', o.id!)?.filter((p) => !p.service_id && !p.contact_id && !p.location_id)),
      attributes: rows.take(rows.by('attributes', 'link_id', o.id!)),
    }, false);
  }
}

function readLocations(rows: PackageRows, reader: JsonReader): void {
  for (const l of rows.unique(rows.of('locations'))) {
    rows.used.add(l);
    reader.location({
      ...plain(l), addresses: rows.take(rows.by('addresses', 'location_id', l.id!)), accessibility: rows.take(rows.by('accessibility', 'location_id', l.id!)),
      phones: rows.phones(rows.by('phones', 'location_id', l.id!)?.filter((p) => !p.service_id && !p.contact_id)),
      languages: rows.take(rows.by('languages', 'location_id', l.id!)?.filter((x) => !x.service_id)),
      attributes: rows.take(rows.by('attributes', 'link_id', l.id!)),
    }, false, null);
  }
}

function readServices(rows: PackageRows, reader: JsonReader): void {
  for (const s of rows.unique(rows.of('services'))) {
    rows.used.add(s);
    const sals = rows.unique(rows.by('service_at_locations', 'service_id', s.id!) ?? []);
    for (const sal of sals) rows.used.add(sal);
    reader.service({
      ...plain(s),
      schedules: rows.take(rows.by('schedules', 'service_id', s.id!)),
      service_areas: rows.take(rows.by('service_areas', 'service_id', s.id!)),
      languages: rows.take(rows.by('languages', 'service_id', s.id!)),
      funding: rows.take(rows.by('funding', 'service_id', s.id!)),
      cost_options: rows.take(rows.by('cost_options', 'service_id', s.id!)),
      contacts: rows.take(rows.by('contacts', 'service_id', s.id!)).map((c) => ({ ...c, phones: rows.phones(rows.by('phones', 'contact_id', c.id!)) })),
      phones: rows.phones(rows.by('phones', 'service_id', s.id!)?.filter((p) => !p.contact_id && !p.location_id)),
      attributes: rows.take(rows.by('attributes', 'link_id', s.id!)),
      service_at_locations: sals.map((sal) => ({ ...plain(sal), schedules: rows.take(rows.by('schedules', 'service_at_location_id', sal.id!)?.filter((x) => !x.service_id)) })),
    }, false, null);
  }
}

function plain(r: Row): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(r)) if (!k.startsWith('__') && v !== '') out[k] = v;
  return out;
}

function parentOf(table: string): string {
  switch (table) {
    case 'organization_identifiers': return 'organisation';
    case 'addresses': case 'accessibility': return 'location';
    case 'attributes': return 'service, organisation or location';
    case 'phones': case 'languages': return 'service, contact, organisation or location';
    case 'funding': return 'service or organisation';
    default: return 'service';
  }
}
