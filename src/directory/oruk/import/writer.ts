import { randomUUID } from 'node:crypto';
import type { Tx } from '../../../platform/db/index.js';
import { BulkReferences } from '../../../platform/db/reference-checks.js';
import { DeferredIndexes } from '../../../platform/db/deferred-indexes.js';
import { isCharityNumber, isCompanyNumber, normaliseCharityNumber, normaliseCompanyNumber } from '../../organisations/form.js';
import { termParentProblems } from '../../taxonomy/term-parents.js';
import { termKeyOf } from './model.js';
import type { DeliveryMode } from '../../../platform/db/directory-schema.js';
import { sortModes } from '../../services/delivery-modes.js';
import type { ImpAttribute, ImpLanguage, ImpLocation, ImpPhone, ImpSchedule, ImpService, ImportSet } from './model.js';
import { isUuid } from '../../../platform/validation/ids.js';
import { normalisePostcode } from '../../../platform/validation/postcodes.js';
import {
  ONLY_OWN, TABLES, allTaxonomies, deleteWhere, held, insertKeepingIds, setOrganisationParents, setTermParents, termsByCode, updateRows, type Row,
} from './repository.js';

/**
 * Writes an ImportSet in the caller's (tenant) transaction, in batches (repository.ts: a few hundred statements for
 * 100,000 services), one stage per kind of record, parents before the records that name them.
 *
 * Identity: a record is matched to one already held by its feed id (external_id) or, when the feed id is a
 * UUID, by id; a re-import updates it. A new record keeps the feed's UUID as its own id when no other record
 * anywhere holds it (so a feed exports back with the same ids), or else gets a fresh one. Of a record the
 * feed sends, the feed's values replace the held ones; a value the feed leaves out does not erase one held,
 * and a collection (schedules, contacts, …) is replaced only when the feed sends that collection.
 */

export interface EntityCounts { created: number; updated: number }
export interface WriteResult {
  organisations: EntityCounts; services: EntityCounts; locations: EntityCounts; taxonomies: EntityCounts; taxonomy_terms: EntityCounts;
  createdOrganisations: { id: string; name: string; charityNumber: string | null; postcode: string | null }[];
  serviceIds: string[];
}
export type WriteProgress = (stage: string, done: number, total: number) => void;
export interface WriteOptions {
  /**
   * How references are checked (platform/db/reference-checks.ts): row by row as each is written (the default), or
   * set-based before the write ends, locking the records named ('set-locking') where other transactions may run.
   */
  referenceChecks?: 'row' | 'set' | 'set-locking';
  /**
   * Whether the secondary indexes of venues, services and their parts are dropped while they are written and built
   * again before the write ends (platform/db/deferred-indexes.ts): only where one transaction runs at a time, and
   * only when the import adds at least as many services as are held.
   */
  rebuildIndexes?: boolean;
  /**
   * Feed ids already written by earlier batches of the same import (a streamed import writes a large file a batch at a
   * time): a record met again is updated with what it adds, and counted once, as created or updated the first time.
   */
  earlier?: EarlierRecords;
}

export interface EarlierRecords { organisations: Set<string>; services: Set<string>; locations: Set<string>; taxonomies: Set<string>; taxonomy_terms: Set<string> }

export const noEarlierRecords = (): EarlierRecords => ({ organisations: new Set(), services: new Set(), locations: new Set(), taxonomies: new Set(), taxonomy_terms: new Set() });

/** After a batch is written: its records are the earlier ones of the next. */
export function rememberWritten(earlier: EarlierRecords, set: ImportSet): void {
  for (const ext of set.organisations.keys()) earlier.organisations.add(ext);
  for (const ext of set.services.keys()) earlier.services.add(ext);
  for (const ext of set.locations.keys()) earlier.locations.add(ext);
  for (const t of set.taxonomies.values()) earlier.taxonomies.add(t.key);
  for (const key of set.terms.keys()) earlier.taxonomy_terms.add(key);
}

/** From this many services and locations an import checks its references set-based. */
const SET_CHECKS_FROM = 1000;

/**
 * How an import checks its references. Set-based only for a large import: the check reads the LIO's whole
 * directory once, which costs less than a lookup per row only when many rows are written. On PostgreSQL the
 * records named are locked as well; the embedded engine runs one transaction at a time and needs no lock.
 */
export function referenceChecksFor(set: ImportSet, engine: 'pglite' | 'postgres'): NonNullable<WriteOptions['referenceChecks']> {
  if (set.services.size + set.locations.size < SET_CHECKS_FROM) return 'row';
  return engine === 'pglite' ? 'set' : 'set-locking';
}

/** How a large import writes on each engine: its reference checks and, on the embedded engine, its indexes. */
export function writeOptionsFor(set: ImportSet, engine: 'pglite' | 'postgres'): WriteOptions {
  const referenceChecks = referenceChecksFor(set, engine);
  return { referenceChecks, rebuildIndexes: engine === 'pglite' && referenceChecks !== 'row' };
}

/** The parts of services and venues, whose indexes a bulk write may set aside once what it replaces is deleted. */
const PARTS = ['service_at_locations', 'schedules', 'contacts', 'phones', 'languages', 'cost_options', 'service_areas', 'funding', 'attributes'] as const;

const newId = (ext: string | null) => (ext && isUuid(ext) ? ext.toLowerCase() : randomUUID());

export async function writeImportSet(tx: Tx, lioId: string, set: ImportSet, now: Date, progress: WriteProgress = () => undefined,
  options: WriteOptions = {}): Promise<WriteResult> {
  // Writes that nothing later depends on (schedules, languages, cost options, …: the leaves) are queued rather
  // than awaited where they are made, so that the rows of the next table are built while the database writes
  // them. Statements of one transaction still run one at a time, in the order made; each queued write waits for
  // the parents its rows name. All are awaited before the result is given.
  const queued: Promise<unknown>[] = [];
  const queue = (work: () => Promise<unknown>) => {
    const running = work();
    running.catch(() => undefined); // awaited below, with the others
    queued.push(running);
  };
  const checks = options.referenceChecks ?? 'row';
  const bulk = checks === 'row' ? null : await BulkReferences.start(tx, { lockNamed: checks === 'set-locking' });
  const indexes = options.rebuildIndexes ? await DeferredIndexes.start(tx, { table: 'services', adding: set.services.size }) : null;
  try {
    const result = await writeRecords(tx, lioId, set, now, progress, queue, bulk, indexes, options.earlier ?? noEarlierRecords());
    await Promise.all(queued);
    if (indexes) {
      progress('indexes', 0, 1);
      await indexes.rebuild();
    }
    if (bulk) {
      progress('references', 0, 1);
      await bulk.finish(Object.keys(TABLES));
    }
    progress('details', result.serviceIds.length, result.serviceIds.length);
    return result;
  } catch (err) {
    // After one statement fails, every later one fails with "the transaction is aborted": report the first.
    const failures = (await Promise.allSettled(queued)).flatMap((o) => (o.status === 'rejected' ? [o.reason as unknown] : []));
    throw [...failures, err].find((e) => (e as { code?: string }).code !== '25P02') ?? err;
  }
}

/** What the stages of one write share: where they write, what they report, and the ids given so far (feed id → id). */
interface Write {
  tx: Tx; lioId: string; set: ImportSet; iso: string; today: string; result: WriteResult; progress: WriteProgress;
  queue: (work: () => Promise<unknown>) => void; bulk: BulkReferences | null; indexes: DeferredIndexes | null; earlier: EarlierRecords;
  warn: (record: string, id: string, message: string) => void;
  taxonomyIds: Map<string, string>; termIds: Map<string, string>; orgIds: Map<string, string>;
  locationIds: Map<string, string>; updatedLocations: Set<string>; serviceIds: Map<string, string>; updatedServices: Set<string>;
}

async function writeRecords(tx: Tx, lioId: string, set: ImportSet, now: Date, progress: WriteProgress, queue: (work: () => Promise<unknown>) => void,
  bulk: BulkReferences | null, indexes: DeferredIndexes | null, earlier: EarlierRecords): Promise<WriteResult> {
  const iso = now.toISOString();
  const w: Write = {
    tx, lioId, set, iso, today: iso.slice(0, 10), progress, queue, bulk, indexes, earlier,
    result: {
      organisations: { created: 0, updated: 0 }, services: { created: 0, updated: 0 }, locations: { created: 0, updated: 0 },
      taxonomies: { created: 0, updated: 0 }, taxonomy_terms: { created: 0, updated: 0 }, createdOrganisations: [], serviceIds: [],
    },
    warn: (record, id, message) => set.warning({ record, id, message }),
    taxonomyIds: new Map(), termIds: new Map(), orgIds: new Map(), locationIds: new Map(), updatedLocations: new Set(), serviceIds: new Map(), updatedServices: new Set(),
  };
  await writeTaxonomies(w);
  await writeTerms(w);
  await writeOrganisations(w);
  await writeLocations(w);
  const services = await writeServices(w);
  await writeParts(w, services);
  return w.result;
}

/** Taxonomies: matched by feed id, by id, or by name (a name is unique in an LIO). */
async function writeTaxonomies(w: Write): Promise<void> {
  const { tx, lioId, set, iso, result, warn, progress, taxonomyIds } = w;
  progress('taxonomies', 0, set.taxonomies.size);
  if (!set.taxonomies.size) return;
  const existing = await allTaxonomies(tx);
  const byName = new Map(existing.map((t) => [t.name.toLowerCase(), t]));
  const inserts: Row[] = [];
  const updates: Row[] = [];
  for (const t of set.taxonomies.values()) {
    const ext = t.ext;
    const match = (ext ? existing.find((e) => e.external_id === ext || e.id === ext.toLowerCase()) : undefined) ?? byName.get(t.name.toLowerCase());
    if (match) {
      taxonomyIds.set(t.key, match.id);
      if (t.standIn) continue;
      const nameTaken = byName.get(t.name.toLowerCase());
      const name = nameTaken && nameTaken.id !== match.id ? match.name : t.name;
      if (name !== t.name) warn('taxonomy', t.ext ?? t.name, `another taxonomy is already called "${t.name}": this one keeps its name "${match.name}"`);
      updates.push({ id: match.id, name, description: t.description || null, uri: t.uri, version: t.version, updated_at: iso });
      if (!w.earlier.taxonomies.has(t.key)) result.taxonomies.updated++;
    } else {
      const id = newId(t.ext);
      taxonomyIds.set(t.key, id);
      if (t.standIn) warn('taxonomy', t.ext ?? t.name, `is named by taxonomy terms but not described in the feed: created as "${t.name}"`);
      inserts.push({ id, lio_id: lioId, name: t.name, description: t.description, uri: t.uri, version: t.version, external_id: t.ext, created_at: iso, updated_at: iso });
      byName.set(t.name.toLowerCase(), { id, name: t.name, external_id: t.ext });
      result.taxonomies.created++;
    }
  }
  remap(taxonomyIds, await insertKeepingIds(tx, 'taxonomies', inserts));
  await updateRows(tx, 'taxonomies', updates, ['name', 'description', 'uri', 'version', 'updated_at'], ['description', 'uri', 'version']);
}

/** Taxonomy terms: matched by feed id, by id, or by code within their taxonomy (unique there). */
async function writeTerms(w: Write): Promise<void> {
  const { tx, lioId, set, iso, result, warn, progress, taxonomyIds, termIds } = w;
  progress('taxonomy terms', 0, set.terms.size);
  // parents named within the import, by feed id; the same check the taxonomy import makes
  const loops = termParentProblems(set.terms.keys(), (key) => {
    const parent = set.terms.get(key)?.parentExt;
    return parent ? termKeyOf(parent) : null;
  });
  const terms = [...set.terms.values()].filter((t) => {
    const loop = loops.get(t.key);
    if (loop) {
      set.refuse({ record: 'taxonomy_term', id: t.ext, name: t.name, field: 'parent_id', message: `${loop}: not imported` });
      return false;
    }
    if (taxonomyIds.has(t.taxonomyKey)) return true;
    set.refuse({ record: 'taxonomy_term', id: t.ext, field: 'taxonomy_id', message: 'belongs to no taxonomy: not imported' });
    return false;
  });
  if (!terms.length) return;
  const heldTerms = await held(tx, 'taxonomy_terms', terms.map((t) => t.ext));
  const codes = terms.map((t) => `${taxonomyIds.get(t.taxonomyKey)}|${t.code}`);
  const byCode = await termsByCode(tx, codes);
  const inserts: Row[] = [];
  const updates: Row[] = [];
  const codesUsed = new Set<string>();
  for (const t of terms) {
    const taxonomyId = taxonomyIds.get(t.taxonomyKey)!;
    let codeKey = `${taxonomyId}|${t.code}`;
    const match = heldTerms.get(t.ext) ?? byCode.get(codeKey);
    let code = t.code;
    if (codesUsed.has(codeKey) || (byCode.has(codeKey) && byCode.get(codeKey) !== match)) {
      code = `${t.code}-${t.ext}`.slice(0, 100);
      codeKey = `${taxonomyId}|${code}`;
      warn('taxonomy_term', t.ext, `another term of its taxonomy has the code "${t.code}": this one was given the code "${code}"`);
    }
    codesUsed.add(codeKey);
    const row = { taxonomy_id: taxonomyId, code, name: t.name, description: t.description, term_uri: t.termUri, updated_at: iso };
    if (match) {
      termIds.set(t.key, match);
      updates.push({ id: match, ...row });
      if (!w.earlier.taxonomy_terms.has(t.key)) result.taxonomy_terms.updated++;
    } else {
      const id = newId(t.ext);
      termIds.set(t.key, id);
      inserts.push({ id, lio_id: lioId, external_id: t.ext, created_at: iso, ...row });
      result.taxonomy_terms.created++;
    }
  }
  remap(termIds, await insertKeepingIds(tx, 'taxonomy_terms', inserts));
  await updateRows(tx, 'taxonomy_terms', updates, ['taxonomy_id', 'code', 'name', 'description', 'term_uri', 'updated_at'], ['description', 'term_uri']);
  // Parents: a term of this import or one held; otherwise the reference is kept as given.
  const parentExts = [...new Set(terms.map((t) => t.parentExt).filter((p): p is string => p !== null))];
  const heldParents = await held(tx, 'taxonomy_terms', parentExts.filter((p) => !set.terms.has(`id:${p}`)));
  const parents = terms.filter((t) => t.parentExt !== null).map((t) => {
    const found = termIds.get(`id:${t.parentExt}`) ?? heldParents.get(t.parentExt!) ?? null;
    // (a feed id naming another record held under this term's own id: no term is its own parent)
    const parentId = found === termIds.get(t.key) ? null : found;
    return { id: termIds.get(t.key), parent_id: parentId, parent_external_id: parentId ? null : t.parentExt };
  });
  await setTermParents(tx, parents);
}

/** Ids of terms named by attributes but not in this import: looked up among those held. */
async function resolveTermIds(w: Write, keys: string[]): Promise<void> {
  const { tx, termIds } = w;
    const missing = [...new Set(keys.filter((k) => !termIds.has(k)))];
    if (missing.length) {
      const found = await held(tx, 'taxonomy_terms', missing.map((k) => k.slice(3)));
      for (const k of missing) { const id = found.get(k.slice(3)); if (id) termIds.set(k, id); }
    }
  }

/** Organisations: matched by feed id or id; a new one takes the address of its venue. */
async function writeOrganisations(w: Write): Promise<void> {
  const { tx, lioId, set, iso, result, warn, progress, orgIds } = w;
  progress('organisations', 0, set.organisations.size);
  const serviceOrgExts = [...set.services.values()].map((s) => s.orgExt).filter((e) => !set.organisations.has(e));
  const exts = [...set.organisations.keys()];
  const heldOrgs = await held(tx, 'organisations', [...exts, ...new Set(serviceOrgExts)]);
  const places = placesOfOrganisations(set);
  const inserts: Row[] = [];
  const updates: Row[] = [];
  for (const o of set.organisations.values()) {
    const charity = o.identifiers.find((i) => /^GB-(CHC|SC|NIC)$/i.test(i.scheme ?? '') && isCharityNumber(normaliseCharityNumber(i.identifier)));
    const company = o.identifiers.find((i) => /^GB-COH$/i.test(i.scheme ?? '') && isCompanyNumber(normaliseCompanyNumber(i.identifier)));
    const row = {
      name: o.name, description: o.description || null, email: o.email, website: o.website, logo: o.logo, uri: o.uri,
      charity_number: charity ? normaliseCharityNumber(charity.identifier) : null, company_number: company ? normaliseCompanyNumber(company.identifier) : null,
      updated_at: iso,
    };
    const match = heldOrgs.get(o.ext);
    if (match) {
      orgIds.set(o.ext, match);
      updates.push({ id: match, ...row });
      if (!w.earlier.organisations.has(o.ext)) result.organisations.updated++;
    } else {
      const id = newId(o.ext);
      orgIds.set(o.ext, id);
      // An ORUK organisation has no address of its own: a new record takes its venue's, so that the register shows
      // where it is and a look-alike at the same postcode is flagged. A held record keeps the address staff gave it.
      const place = places.get(o.ext);
      inserts.push({ id, lio_id: lioId, ...row, description: o.description, address: place?.address ?? null, postcode: place?.postcode ?? null,
        consent_to_publish: true, status: 'active', external_id: o.ext, created_at: iso });
      result.organisations.created++;
    }
  }
  remap(orgIds, await insertKeepingIds(tx, 'organisations', inserts));
  await updateRows(tx, 'organisations', updates, ['name', 'description', 'email', 'website', 'logo', 'uri', 'charity_number', 'company_number', 'updated_at'],
    ['description', 'email', 'website', 'logo', 'uri', 'charity_number', 'company_number']);
  for (const ins of inserts) {
    result.createdOrganisations.push({ id: orgIds.get(String(ins.external_id))!, name: String(ins.name), charityNumber: (ins.charity_number as string | null) ?? null,
      postcode: (ins.postcode as string | null) ?? null });
  }
  for (const ext of serviceOrgExts) { const id = heldOrgs.get(ext); if (id) orgIds.set(ext, id); }
  // Parents: an organisation of this import or one held; otherwise the feed's UUID as given.
  const parents = [...set.organisations.values()].filter((o) => o.parentExt !== null).map((o) => ({ o, parent: o.parentExt! }));
  const heldParents = await held(tx, 'organisations', parents.map((p) => p.parent).filter((p) => !orgIds.has(p)));
  const parentRows = parents.map(({ o, parent }) => {
    const id = orgIds.get(parent) ?? heldParents.get(parent) ?? (isUuid(parent) ? parent.toLowerCase() : null);
    if (!id) warn('organization', o.ext, `parent_organization_id "${parent}" names no organisation here and is not a UUID: left out`);
    return { id: orgIds.get(o.ext), parent_organization_id: id };
  });
  await setOrganisationParents(tx, parentRows);
}

/** Locations (venues), with their address and accessibility held on the same row. */
async function writeLocations(w: Write): Promise<void> {
  const { tx, lioId, set, iso, result, progress, indexes, orgIds, locationIds, updatedLocations } = w;
  progress('locations', 0, set.locations.size);
  const heldLocations = await held(tx, 'locations', [...set.locations.keys()]);
  const inserts: Row[] = [];
  const updates: Row[] = [];
  for (const l of set.locations.values()) {
    const a = l.address;
    const access = l.accessibility;
    const row = {
      organisation_id: l.orgExt ? orgIds.get(l.orgExt) ?? null : null, location_type: l.type, name: l.name, description: l.description,
      latitude: l.latitude, longitude: l.longitude, external_identifier: l.externalIdentifier, external_identifier_type: l.externalIdentifierType,
      address_id: a?.ext && isUuid(a.ext) ? a.ext.toLowerCase() : null, address_attention: a?.attention ?? null, address_1: a?.address1 ?? null,
      address_2: a?.address2 ?? null, city: a?.city ?? null, region: a?.region ?? null, state_province: a?.stateProvince ?? null,
      postal_code: a?.postalCode ?? null, country: a?.country ?? null, address_type: a?.type ?? null,
      accessibility_id: access?.ext && isUuid(access.ext) ? access.ext.toLowerCase() : null, accessibility: access?.description ?? null,
      accessibility_details: access?.details ?? null, accessibility_url: access?.url ?? null, updated_at: iso,
    };
    const match = heldLocations.get(l.ext);
    if (match) {
      locationIds.set(l.ext, match);
      updatedLocations.add(match);
      updates.push({ id: match, ...row });
      if (!w.earlier.locations.has(l.ext)) result.locations.updated++;
    } else {
      const id = newId(l.ext);
      locationIds.set(l.ext, id);
      inserts.push({ id, lio_id: lioId, ...row, country: row.country ?? 'GB', external_id: l.ext, created_at: iso });
      result.locations.created++;
    }
  }
  await indexes?.setAside(['locations']);
  remap(locationIds, await insertKeepingIds(tx, 'locations', inserts));
  const columns = TABLES.locations.map((c) => c.name).filter((c) => !['id', 'lio_id', 'external_id', 'created_at'].includes(c));
  await updateRows(tx, 'locations', updates, columns, columns.filter((c) => c !== 'updated_at' && c !== 'location_type'));
}

/** Services of an organisation this import or the register has; a new one gets the first line of its delivery history. */
async function writeServices(w: Write): Promise<ImpService[]> {
  const { tx, lioId, set, iso, today, result, progress, queue, indexes, orgIds, serviceIds, updatedServices } = w;
  progress('services', 0, set.services.size);
  const services = [...set.services.values()].filter((s) => {
    if (orgIds.has(s.orgExt)) return true;
    set.refuse({ record: 'service', id: s.ext, name: s.name, field: 'organization_id', message: `names the organisation "${s.orgExt}", which is neither in this import nor held here: not imported` });
    return false;
  });
  const heldServices = await held(tx, 'services', services.map((s) => s.ext));
  const inserts: Row[] = [];
  const updates: Row[] = [];
  const firstHistory: Row[] = [];
  for (const s of services) {
    const modes = statedDeliveryModes(s, set);
    const isFree = s.costOptions.length > 0 ? s.costOptions.every((c) => c.amount === 0) : /^\s*free\b/i.test(s.fees ?? '');
    const row = {
      organisation_id: orgIds.get(s.orgExt), name: s.name, description: s.description, url: s.url, email: s.email, status: s.status, fees_description: s.fees,
      accreditations: s.accreditations, minimum_age: s.minimumAge, maximum_age: s.maximumAge, assured_date: s.assuredDate, assurer_email: s.assurerEmail,
      alert: s.alert, updated_at: s.lastModified ? s.lastModified.toISOString() : iso,
    };
    const match = heldServices.get(s.ext);
    if (match) {
      serviceIds.set(s.ext, match);
      updatedServices.add(match);
      updates.push({ id: match, ...row });
      if (!w.earlier.services.has(s.ext)) result.services.updated++;
    } else {
      const id = newId(s.ext);
      serviceIds.set(s.ext, id);
      const deliveryModes = [...modes];
      inserts.push({ id, lio_id: lioId, ...row, delivery_modes: deliveryModes, is_free: isFree, consent_to_publish: true, external_id: s.ext, created_at: iso });
      firstHistory.push({ id: randomUUID(), lio_id: lioId, service_id: id, changed_on: today, delivery_modes: deliveryModes, status: s.status, note: 'Imported' });
      result.services.created++;
    }
  }
  // (not the delivery history's: the trigger on a service's update looks its history up by service)
  await indexes?.setAside(['services']);
  const changed = await insertKeepingIds(tx, 'services', inserts);
  remap(serviceIds, changed);
  for (const h of firstHistory) h.service_id = changed.get(h.service_id as string) ?? h.service_id;
  queue(() => insertKeepingIds(tx, 'service_delivery_changes', firstHistory));
  progress('services', inserts.length, set.services.size);
  await updateRows(tx, 'services', updates, ['organisation_id', 'name', 'description', 'url', 'email', 'status', 'fees_description', 'accreditations', 'minimum_age',
    'maximum_age', 'assured_date', 'assurer_email', 'alert', 'updated_at'], ['url', 'email', 'fees_description', 'accreditations', 'minimum_age', 'maximum_age',
    'assured_date', 'assurer_email', 'alert']);
  progress('services', services.length, set.services.size);
  result.serviceIds = [...serviceIds.values()];
  return services;
}

/** Which records of the import send each kind of part, with the ids they were written under. */
function partsSent(w: Write, services: ImpService[]) {
  const { set, serviceIds, locationIds, orgIds, updatedServices, updatedLocations } = w;
  const updated = (ids: string[]) => ids.filter((id) => updatedServices.has(id));
  const sendsAny = <K extends keyof ImpService>(key: K) => services.filter((s) => (s[key] as unknown[]).length > 0);
  const idsOf = (list: ImpService[]) => list.map((s) => serviceIds.get(s.ext)!);
  const locationsSending = <K extends 'phones' | 'languages' | 'attributes'>(key: K) => [...set.locations.values()].filter((l) => l[key].length > 0);
  const orgsSending = <K extends 'phones' | 'funding' | 'identifiers' | 'attributes'>(key: K) => [...set.organisations.values()].filter((o) => o[key].length > 0);
  const heldLocationIds = (list: ReturnType<typeof locationsSending>) => list.map((l) => locationIds.get(l.ext)!).filter((id) => updatedLocations.has(id));
  const orgIdsOf = (list: ReturnType<typeof orgsSending>) => list.map((o) => orgIds.get(o.ext)!);
  const attributeOwners: { linkId: string; linkType: 'service' | 'location' | 'organization'; attributes: ImpAttribute[]; ext: string }[] = [
    ...sendsAny('attributes').map((s) => ({ linkId: serviceIds.get(s.ext)!, linkType: 'service' as const, attributes: s.attributes, ext: s.ext })),
    ...locationsSending('attributes').map((l) => ({ linkId: locationIds.get(l.ext)!, linkType: 'location' as const, attributes: l.attributes, ext: l.ext })),
    ...orgsSending('attributes').map((o) => ({ linkId: orgIds.get(o.ext)!, linkType: 'organization' as const, attributes: o.attributes, ext: o.ext })),
  ];
  return { services, updated, sendsAny, idsOf, locationsSending, orgsSending, heldLocationIds, orgIdsOf, attributeOwners };
}
type PartsSent = ReturnType<typeof partsSent>;

/** The parts of each record, replaced wholesale when the feed sends them. */
async function writeParts(w: Write, services: ImpService[]): Promise<void> {
  w.progress('details', 0, services.length);
  const sent = partsSent(w, services);
  await deleteReplacedParts(w, sent);
  // (the deletes above, and the cascades they set off, find their rows through these indexes)
  await w.indexes?.setAside(PARTS);
  const salIds = await writeServiceAtLocations(w, sent);
  queueSchedules(w, sent, salIds);
  const phones = await writeContactsAndPhones(w, sent);
  queueLanguages(w, sent, phones);
  queueLeafParts(w, sent);
  queueAttributes(w, sent);
}

/**
 * First the parts the feed replaces go, all before any part is written: a bulk write deletes with the row-by-row
 * checks back on, so that what hangs off a deleted part (a venue link's schedules, a contact's phones, a phone's
 * languages) goes with it.
 */
async function deleteReplacedParts(w: Write, p: PartsSent): Promise<void> {
  const { tx, bulk } = w;
  const { updated, idsOf, sendsAny, heldLocationIds, locationsSending, orgIdsOf, orgsSending, attributeOwners } = p;
  await bulk?.pause();
  await deleteWhere(tx, 'service_at_locations', 'service_id', updated(idsOf(sendsAny('sals'))));
  await deleteWhere(tx, 'schedules', 'service_id', updated(idsOf(sendsAny('schedules'))));
  await deleteWhere(tx, 'contacts', 'service_id', updated(idsOf(sendsAny('contacts'))));
  await deleteWhere(tx, 'phones', 'service_id', updated(idsOf(sendsAny('phones'))), ONLY_OWN.servicePhones);
  await deleteWhere(tx, 'phones', 'location_id', heldLocationIds(locationsSending('phones')));
  await deleteWhere(tx, 'phones', 'organisation_id', orgIdsOf(orgsSending('phones')), ONLY_OWN.organisationPhones);
  await deleteWhere(tx, 'languages', 'service_id', updated(idsOf(sendsAny('languages'))));
  await deleteWhere(tx, 'languages', 'location_id', heldLocationIds(locationsSending('languages')));
  await deleteWhere(tx, 'cost_options', 'service_id', updated(idsOf(sendsAny('costOptions'))));
  await deleteWhere(tx, 'service_areas', 'service_id', updated(idsOf(sendsAny('serviceAreas'))));
  await deleteWhere(tx, 'funding', 'service_id', updated(idsOf(sendsAny('funding'))));
  await deleteWhere(tx, 'funding', 'organisation_id', orgIdsOf(orgsSending('funding')), ONLY_OWN.organisationFunding);
  await deleteWhere(tx, 'organization_identifiers', 'organisation_id', orgIdsOf(orgsSending('identifiers')));
  await deleteWhere(tx, 'attributes', 'link_id', attributeOwners.map((o) => o.linkId));
  await bulk?.resume();
}

/** Service at locations: each service's venues, once each; their schedules are written next. */
async function writeServiceAtLocations(w: Write, p: PartsSent): Promise<Map<object, string>> {
  const { tx, lioId, warn, serviceIds, locationIds } = w;
  const { sendsAny } = p;
  const salIds = new Map<object, string>();
  const sending = sendsAny('sals');
  // Venues named by id that an earlier batch of a streamed import wrote
  const named = [...new Set(sending.flatMap((s) => s.sals.map((sal) => sal.locationExt)).filter((ext) => !locationIds.has(ext) && w.earlier.locations.has(ext)))];
  for (const [ext, id] of await held(tx, 'locations', named)) locationIds.set(ext, id);
  const rows: Row[] = [];
  for (const s of sending) {
    const serviceId = serviceIds.get(s.ext)!;
    const seen = new Set<string>();
    for (const sal of s.sals) {
      const locationId = locationIds.get(sal.locationExt);
      if (!locationId) { warn('service', s.ext, `is at the location "${sal.locationExt}", which is not in this import: that link was left out`); continue; }
      if (seen.has(locationId)) continue;
      seen.add(locationId);
      const id = newId(sal.ext);
      salIds.set(sal, id);
      rows.push({ id, lio_id: lioId, service_id: serviceId, location_id: locationId, description: sal.description });
    }
  }
  const changed = await insertKeepingIds(tx, 'service_at_locations', rows);
  for (const [k, v] of salIds) salIds.set(k, changed.get(v) ?? v);
  return salIds;
}

function queueSchedules(w: Write, p: PartsSent, salIds: Map<object, string>): void {
  const { tx, lioId, queue, serviceIds } = w;
  const { sendsAny, services } = p;
  queue(async () => {
    const sending = sendsAny('schedules');
    const rows: Row[] = [];
    for (const s of sending) for (const sc of s.schedules) rows.push(scheduleRow(sc, lioId, serviceIds.get(s.ext)!, null));
    for (const s of services) for (const sal of s.sals) {
      const salId = salIds.get(sal);
      if (salId) for (const sc of sal.schedules) rows.push(scheduleRow(sc, lioId, null, salId));
    }
    await insertKeepingIds(tx, 'schedules', rows);
  });
}

/** Contacts, then phones (of services, contacts, locations, organisations) and the languages phones name. */
async function writeContactsAndPhones(w: Write, p: PartsSent) {
  const { tx, lioId, serviceIds, locationIds, orgIds } = w;
  const { sendsAny, locationsSending, orgsSending } = p;
  const phoneIds = new Map<string, string>();
  const phoneRows: Row[] = [];
  const languageRows: Row[] = [];
  const pushPhones = (phones: ImpPhone[], owner: { service_id?: string; contact_id?: string; location_id?: string; organisation_id?: string }) => {
    for (const phone of phones) {
      const id = newId(phone.ext);
      if (phone.ext) phoneIds.set(phone.ext, id);
      phoneRows.push({ id, lio_id: lioId, service_id: null, contact_id: null, location_id: null, organisation_id: null, ...owner, number: phone.number, extension: phone.extension, type: phone.type, description: phone.description });
      for (const l of phone.languages) languageRows.push(languageRow(l, lioId, {}, id));
    }
  };
  const sending = sendsAny('contacts');
  const rows: Row[] = [];
  const contactPhones: { phones: ImpPhone[]; contactId: string }[] = [];
  for (const s of sending) {
    for (const c of s.contacts) {
      const id = newId(c.ext);
      rows.push({ id, lio_id: lioId, organisation_id: null, service_id: serviceIds.get(s.ext), name: c.name, title: c.title, department: c.department, email: c.email });
      contactPhones.push({ phones: c.phones, contactId: id });
    }
  }
  const changedContacts = await insertKeepingIds(tx, 'contacts', rows);
  for (const cp of contactPhones) pushPhones(cp.phones, { contact_id: changedContacts.get(cp.contactId) ?? cp.contactId });
  for (const s of sendsAny('phones')) pushPhones(s.phones, { service_id: serviceIds.get(s.ext)! });
  for (const l of locationsSending('phones')) pushPhones(l.phones, { location_id: locationIds.get(l.ext)! });
  for (const o of orgsSending('phones')) pushPhones(o.phones, { organisation_id: orgIds.get(o.ext)! });
  const changedPhones = await insertKeepingIds(tx, 'phones', phoneRows);
  for (const [ext, id] of phoneIds) phoneIds.set(ext, changedPhones.get(id) ?? id);
  for (const l of languageRows) l.phone_id = changedPhones.get(l.phone_id as string) ?? l.phone_id;
  return { phoneIds, languageRows };
}

/** Languages of services and locations (which may name a phone), after the phones' own. */
function queueLanguages(w: Write, p: PartsSent, phones: { phoneIds: Map<string, string>; languageRows: Row[] }): void {
  const { tx, lioId, queue, serviceIds, locationIds } = w;
  const { sendsAny, locationsSending } = p;
  const { phoneIds, languageRows } = phones;
  queue(async () => {
    for (const s of sendsAny('languages')) for (const l of s.languages) languageRows.push(languageRow(l, lioId, { service_id: serviceIds.get(s.ext)! }, l.phoneExt ? phoneIds.get(l.phoneExt) ?? null : null));
    for (const loc of locationsSending('languages')) for (const l of loc.languages) languageRows.push(languageRow(l, lioId, { location_id: locationIds.get(loc.ext)! }, null));
    await insertKeepingIds(tx, 'languages', languageRows);
  });
}

/** Cost options, service areas, funding and organisation identifiers: nothing later names them. */
function queueLeafParts(w: Write, p: PartsSent): void {
  const { tx, lioId, queue, serviceIds, orgIds } = w;
  const { sendsAny, orgsSending } = p;
  queue(async () => {
    await insertKeepingIds(tx, 'cost_options', sendsAny('costOptions').flatMap((s) => s.costOptions.map((c) => ({
      id: newId(c.ext), lio_id: lioId, service_id: serviceIds.get(s.ext), valid_from: c.validFrom, valid_to: c.validTo, option: c.option, amount: c.amount,
      currency: c.currency ?? 'GBP', amount_description: c.amountDescription,
    }))));
  });
  queue(async () => {
    await insertKeepingIds(tx, 'service_areas', sendsAny('serviceAreas').flatMap((s) => s.serviceAreas.map((a) => ({
      id: newId(a.ext), lio_id: lioId, service_id: serviceIds.get(s.ext), name: a.name, description: a.description, extent: a.extent, extent_type: a.extentType,
      uri: a.uri, service_area: a.serviceArea,
    }))));
  });
  queue(async () => {
    await insertKeepingIds(tx, 'funding', [
      ...sendsAny('funding').flatMap((s) => s.funding.map((f) => ({ id: newId(f.ext), lio_id: lioId, organisation_id: null, service_id: serviceIds.get(s.ext), source: f.source }))),
      ...orgsSending('funding').flatMap((o) => o.funding.map((f) => ({ id: newId(f.ext), lio_id: lioId, organisation_id: orgIds.get(o.ext), service_id: null, source: f.source }))),
    ]);
  });
  queue(async () => {
    await insertKeepingIds(tx, 'organization_identifiers', orgsSending('identifiers').flatMap((o) => o.identifiers.map((i) => ({
      id: newId(i.ext), lio_id: lioId, organisation_id: orgIds.get(o.ext), identifier_scheme: i.scheme, identifier_type: i.type, identifier: i.identifier,
    }))));
  });
}

/** Attributes: the taxonomy terms of services, locations and organisations. */
function queueAttributes(w: Write, p: PartsSent): void {
  const { tx, lioId, queue, warn, termIds } = w;
  const { attributeOwners } = p;
  queue(async () => {
    await resolveTermIds(w, attributeOwners.flatMap((o) => o.attributes.map((a) => a.termKey)));
    const rows: Row[] = [];
    for (const owner of attributeOwners) {
      const seen = new Set<string>();
      for (const a of owner.attributes) {
        const termId = termIds.get(a.termKey);
        if (!termId) { warn(owner.linkType, owner.ext, `names the taxonomy term "${a.termKey.slice(3)}", which is neither in this import nor held here: that term was left out`); continue; }
        if (seen.has(termId)) continue;
        seen.add(termId);
        rows.push({ id: newId(a.ext), lio_id: lioId, link_id: owner.linkId, link_type: owner.linkType, link_entity: a.linkType ?? owner.linkType, taxonomy_term_id: termId, value: a.value });
      }
    }
    await insertKeepingIds(tx, 'attributes', rows);
  });
}

/**
 * Where each organisation of the feed is: the first physical venue it owns with a UK postcode, or else the first
 * such venue of one of its services.
 */
function placesOfOrganisations(set: ImportSet): Map<string, { address: string | null; postcode: string }> {
  const places = new Map<string, { address: string | null; postcode: string }>();
  const placeOf = (l: ImpLocation) => {
    const postcode = l.type === 'physical' && l.address?.postalCode ? normalisePostcode(l.address.postalCode) : null;
    if (!postcode) return null;
    const lines = [l.address!.address1, l.address!.address2, l.address!.city].map((x) => x?.trim()).filter(Boolean);
    return { address: lines.length ? lines.join(', ').slice(0, 500) : null, postcode };
  };
  for (const l of set.locations.values()) {
    if (!l.orgExt || places.has(l.orgExt)) continue;
    const place = placeOf(l);
    if (place) places.set(l.orgExt, place);
  }
  for (const s of set.services.values()) {
    if (places.has(s.orgExt)) continue;
    for (const sal of s.sals) {
      const l = set.locations.get(sal.locationExt);
      const place = l ? placeOf(l) : null;
      if (place) { places.set(s.orgExt, place); break; }
    }
  }
  return places;
}

/**
 * The ways a service is delivered that its feed states: a physical venue (in person), a virtual one (online), and the
 * words of its attending types ("Venue", "Online", "Telephone", "Home visit"). A web address or a phone number is not
 * one: a weekly group at a hall has a website and a phone number and is still not delivered online or by phone.
 */
export function statedDeliveryModes(s: ImpService, set: ImportSet): DeliveryMode[] {
  const modes = new Set<DeliveryMode>();
  for (const sal of s.sals) {
    const type = set.locations.get(sal.locationExt)?.type;
    if (type === 'physical') modes.add('in_person');
    if (type === 'virtual') modes.add('online');
  }
  const attending = [s.attendingType, ...s.schedules.map((sc) => sc.attendingType), ...s.sals.flatMap((sal) => sal.schedules.map((sc) => sc.attendingType))];
  for (const words of attending) {
    if (!words) continue;
    for (const [pattern, mode] of ATTENDING_WORDS) if (pattern.test(words)) modes.add(mode);
  }
  return sortModes([...modes]);
}

const ATTENDING_WORDS: [RegExp, DeliveryMode][] = [
  [/\b(venue|in[ -]?person|face[ -]to[ -]face|drop[ -]?in|centre|center|walk[ -]?in)\b/i, 'in_person'],
  [/\b(online|on-line|virtual|video|web|website|internet|remote(ly)?)\b/i, 'online'],
  [/\b(phone|telephone|by phone|helpline|call)\b/i, 'phone'],
  [/\bhome[ -]?visits?\b|\boutreach\b/i, 'home_visit'],
];

function remap(ids: Map<string, string>, changed: Map<string, string>) {
  if (changed.size === 0) return;
  for (const [k, v] of ids) { const c = changed.get(v); if (c) ids.set(k, c); }
}

function scheduleRow(sc: ImpSchedule, lioId: string, serviceId: string | null, salId: string | null): Row {
  return {
    id: newId(sc.ext), lio_id: lioId, service_id: serviceId, service_at_location_id: salId, valid_from: sc.validFrom, valid_to: sc.validTo, dtstart: sc.dtstart,
    freq: sc.freq, interval: sc.interval, byday: sc.byday, bymonthday: sc.bymonthday, opens_at: sc.opensAt, closes_at: sc.closesAt, description: sc.description,
    notes: sc.notes, attending_type: sc.attendingType, schedule_link: sc.scheduleLink,
  };
}

function languageRow(l: ImpLanguage, lioId: string, owner: { service_id?: string; location_id?: string }, phoneId: string | null): Row {
  return { id: newId(l.ext), lio_id: lioId, service_id: owner.service_id ?? null, location_id: owner.location_id ?? null, phone_id: phoneId, name: l.name, code: l.code, note: l.note };
}
