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
  if (set.errors.length) return;

  const rowsOf = (table: string) => tables.get(table) ?? [];
  const byKey = (table: string, column: string) => {
    const map = new Map<string, Row[]>();
    for (const r of rowsOf(table)) {
      const k = r[column];
      if (!k) continue;
      const list = map.get(k);
      if (list) list.push(r);
      else map.set(k, [r]);
    }
    return map;
  };
  const used = new Set<Row>();
  // Packages publish the same table twice (address.csv and addresses.csv): rows with one id become one, values filling blanks.
  const unique = (rows: Row[]) => {
    const seen = new Map<string, Row>();
    const out: Row[] = [];
    for (const r of rows) {
      const id = r.id;
      const earlier = id ? seen.get(id) : undefined;
      if (earlier) {
        for (const [k, v] of Object.entries(r)) if (!k.startsWith('__') && v && !earlier[k]) earlier[k] = v;
        used.add(r);
        continue;
      }
      if (id) seen.set(id, r);
      out.push(r);
    }
    return out;
  };
  const take = (rows: Row[] | undefined) => {
    const list = unique(rows ?? []);
    for (const r of list) used.add(r);
    for (const r of rows ?? []) used.add(r);
    return list.map(plain);
  };

  const identifiersByOrg = byKey('organization_identifiers', 'organization_id');
  const fundingByOrg = byKey('funding', 'organization_id');
  const fundingByService = byKey('funding', 'service_id');
  const phonesByOrg = byKey('phones', 'organization_id');
  const phonesByService = byKey('phones', 'service_id');
  const phonesByContact = byKey('phones', 'contact_id');
  const phonesByLocation = byKey('phones', 'location_id');
  const attributesByLink = byKey('attributes', 'link_id');
  const addressesByLocation = byKey('addresses', 'location_id');
  const accessibilityByLocation = byKey('accessibility', 'location_id');
  const languagesByLocation = byKey('languages', 'location_id');
  const languagesByService = byKey('languages', 'service_id');
  const schedulesByService = byKey('schedules', 'service_id');
  const schedulesBySal = byKey('schedules', 'service_at_location_id');
  const areasByService = byKey('service_areas', 'service_id');
  const costsByService = byKey('cost_options', 'service_id');
  const contactsByService = byKey('contacts', 'service_id');
  const salsByService = byKey('service_at_locations', 'service_id');
  const termsByTaxonomy = byKey('taxonomy_terms', 'taxonomy_id');
  const reader = new JsonReader(set);
  const termsRead = new Set<Row>();

  for (const t of unique(rowsOf('taxonomies'))) {
    used.add(t);
    const terms = (termsByTaxonomy.get(t.id!) ?? []);
    for (const term of terms) termsRead.add(term);
    reader.taxonomy({ ...plain(t), taxonomy_terms: take(terms) }, false);
  }
  for (const term of unique(rowsOf('taxonomy_terms'))) {
    used.add(term);
    if (!termsRead.has(term)) reader.term(plain(term), false, null);
  }
  for (const o of unique(rowsOf('organizations'))) {
    used.add(o);
    reader.organisation({
      ...plain(o), organization_identifiers: take(identifiersByOrg.get(o.id!)), funding: take(fundingByOrg.get(o.id!)),
      phones: take(phonesByOrg.get(o.id!)?.filter((p) => !p.service_id && !p.contact_id && !p.location_id)), attributes: take(attributesByLink.get(o.id!)),
    }, false);
  }
  const withLanguages = (phones: Row[] | undefined) => take(phones).map((p) => ({ ...p, languages: [] }));
  for (const l of unique(rowsOf('locations'))) {
    used.add(l);
    reader.location({
      ...plain(l), addresses: take(addressesByLocation.get(l.id!)), accessibility: take(accessibilityByLocation.get(l.id!)),
      phones: withLanguages(phonesByLocation.get(l.id!)?.filter((p) => !p.service_id && !p.contact_id)), languages: take(languagesByLocation.get(l.id!)?.filter((x) => !x.service_id)),
      attributes: take(attributesByLink.get(l.id!)),
    }, false, null);
  }
  for (const s of unique(rowsOf('services'))) {
    used.add(s);
    const sals = unique(salsByService.get(s.id!) ?? []);
    for (const sal of sals) used.add(sal);
    reader.service({
      ...plain(s),
      schedules: take(schedulesByService.get(s.id!)),
      service_areas: take(areasByService.get(s.id!)),
      languages: take(languagesByService.get(s.id!)),
      funding: take(fundingByService.get(s.id!)),
      cost_options: take(costsByService.get(s.id!)),
      contacts: take(contactsByService.get(s.id!)).map((c) => ({ ...c, phones: withLanguages(phonesByContact.get(c.id!)) })),
      phones: withLanguages(phonesByService.get(s.id!)?.filter((p) => !p.contact_id && !p.location_id)),
      attributes: take(attributesByLink.get(s.id!)),
      service_at_locations: sals.map((sal) => ({ ...plain(sal), schedules: take(schedulesBySal.get(sal.id!)?.filter((x) => !x.service_id)) })),
    }, false, null);
  }
  // A row that belongs to nothing in the package (its parent's id is not there) is reported, not silently dropped.
  for (const [table, rows] of tables) {
    for (const r of rows) {
      if (used.has(r)) continue;
      set.warning({ record: table, file: r.__file, row: Number(r.__row), ...(r.id ? { id: r.id } : {}), message: `links to no ${parentOf(table)} in this package: not imported` });
    }
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
