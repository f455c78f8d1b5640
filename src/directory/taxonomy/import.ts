import { randomUUID } from 'node:crypto';
import type { Database, Queryable } from '../../platform/db/index.js';
import { recordAudit, type Actor } from '../../platform/audit.js';
import { taxonomyRepository } from './repository.js';
import { isUuid } from '../../platform/validation/ids.js';
import { termParentProblems } from './term-parents.js';
import { ISSUES_KEPT, importsRepository } from '../imports/repository.js';
import type { ImportIssue } from '../imports/present.js';

/**
 * Import of a taxonomy given as Open Referral (HSDS 3.0) JSON. Accepted shapes:
 *  - a taxonomy object with its `taxonomy_terms`, or an array of them, or a paged list `{ contents: [...] }`;
 *  - a tabular package `{ taxonomies: [...], taxonomy_terms: [...] }`;
 *  - taxonomy terms on their own (an array or a paged list), each naming its taxonomy by `taxonomy_id` or `taxonomy`.
 * A term's code is its `code` when given, else its `id`. Re-importing updates: a taxonomy is matched by id, else by
 * name; a term by id, else by code within its taxonomy. Terms missing from the file are left alone.
 * Everything is checked first; any problem rejects the whole file with a row-by-row report and nothing is written.
 */

export interface ImportProblem { row: string; field: string; message: string }
export interface ImportedTaxonomy { id: string; name: string; action: 'added' | 'updated'; termsAdded: number; termsUpdated: number }
export type ImportResult = { ok: true; taxonomies: ImportedTaxonomy[] } | { ok: false; problems: ImportProblem[] };

interface InTerm { index: number; label: string; id: string; code: string; name: string; description: string; parentId: string | null; termUri: string | null }
interface InTaxonomy { label: string; id: string | null; name: string; description: string; uri: string | null; version: string | null; terms: InTerm[] }

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const MAX_TERMS = 20_000;

function text(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v.trim() === '' ? null : v.trim();
  if (typeof v === 'number') return String(v);
  return null;
}

function isUri(v: string): boolean {
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:' || u.protocol === 'urn:';
  } catch {
    return false;
  }
}

/** Reads the JSON into taxonomies and terms, or says row by row what is wrong with it. */
export function parseTaxonomyJson(source: string): { taxonomies: InTaxonomy[]; problems: ImportProblem[] } {
  const problems: ImportProblem[] = [];
  let data: unknown;
  try {
    data = JSON.parse(source.replace(/^\uFEFF/, ''));
  } catch (err) {
    return { taxonomies: [], problems: [{ row: 'File', field: 'json', message: `The file is not valid JSON: ${(err as Error).message}` }] };
  }
  if (isObject(data) && Array.isArray(data.contents)) data = data.contents;

  let rawTaxonomies: Json[] = [];
  let looseTerms: Json[] = [];
  // A package has `taxonomies` (and terms beside them); a taxonomy has a name (and its terms inside it).
  if (isObject(data) && (Array.isArray(data.taxonomies) || (Array.isArray(data.taxonomy_terms) && !('name' in data) && !('id' in data)))) {
    rawTaxonomies = (Array.isArray(data.taxonomies) ? data.taxonomies : []) as Json[];
    looseTerms = (Array.isArray(data.taxonomy_terms) ? data.taxonomy_terms : []) as Json[];
  } else if (isObject(data)) {
    rawTaxonomies = [data];
  } else if (Array.isArray(data)) {
    const looksLikeTerms = data.length > 0 && data.every((d) => isObject(d) && !Array.isArray(d.taxonomy_terms) && ('parent_id' in d || 'taxonomy_id' in d || 'taxonomy' in d || 'term' in d || 'code' in d));
    if (looksLikeTerms) looseTerms = data as Json[];
    else rawTaxonomies = data as Json[];
  } else {
    return { taxonomies: [], problems: [{ row: 'File', field: 'json', message: 'The file must hold a taxonomy, a list of taxonomies, or a list of taxonomy terms' }] };
  }

  const taxonomies: InTaxonomy[] = [];
  rawTaxonomies.forEach((raw, i) => {
    const label = `Taxonomy ${i + 1}`;
    if (!isObject(raw)) { problems.push({ row: label, field: 'taxonomy', message: 'must be an object' }); return; }
    const name = text(raw.name);
    if (!name) problems.push({ row: label, field: 'name', message: 'is missing: every taxonomy needs a name' });
    else if (name.length > 200) problems.push({ row: label, field: 'name', message: 'must be 200 characters or fewer' });
    const uri = text(raw.uri);
    if (uri && !isUri(uri)) problems.push({ row: label, field: 'uri', message: `“${uri}” is not a web address` });
    const description = text(raw.description) ?? '';
    if (description.length > 10_000) problems.push({ row: label, field: 'description', message: 'must be 10,000 characters or fewer' });
    if (raw.taxonomy_terms !== undefined && raw.taxonomy_terms !== null && !Array.isArray(raw.taxonomy_terms)) problems.push({ row: label, field: 'taxonomy_terms', message: 'must be a list' });
    const version = text(raw.version);
    if (version && version.length > 100) problems.push({ row: label, field: 'version', message: 'must be 100 characters or fewer' });
    const tax: InTaxonomy = { label: `${label} (${name ?? 'no name'})`, id: text(raw.id), name: name ?? '', description, uri, version, terms: [] };
    taxonomies.push(tax);
    for (const term of Array.isArray(raw.taxonomy_terms) ? raw.taxonomy_terms : []) looseTerms.push({ ...(isObject(term) ? term : { __invalid: true }), __taxonomy: tax });
  });

  if (looseTerms.length > MAX_TERMS) return { taxonomies: [], problems: [{ row: 'File', field: 'taxonomy_terms', message: `has ${looseTerms.length} terms; at most ${MAX_TERMS} can be imported at once` }] };

  const seenIds = new Map<InTaxonomy, Set<string>>();
  looseTerms.forEach((raw, i) => {
    const label = `Term ${i + 1}`;
    if (!isObject(raw) || raw.__invalid === true) { problems.push({ row: label, field: 'taxonomy_term', message: 'must be an object' }); return; }
    let tax = raw.__taxonomy as InTaxonomy | undefined;
    if (!tax) {
      const byId = text(raw.taxonomy_id);
      const byName = text(raw.taxonomy);
      tax = (byId && taxonomies.find((x) => x.id === byId)) || (byName && taxonomies.find((x) => x.name.toLowerCase() === byName.toLowerCase())) || undefined;
      if (!tax && byName && byName.length <= 200) {
        tax = { label: `Taxonomy “${byName}”`, id: null, name: byName, description: '', uri: null, version: null, terms: [] };
        taxonomies.push(tax);
      }
      if (!tax) {
        problems.push({ row: label, field: byId ? 'taxonomy_id' : 'taxonomy', message: byId ? `names taxonomy “${byId}”, which is not in the file` : 'is missing: say which taxonomy the term belongs to (taxonomy_id or taxonomy)' });
        return;
      }
    }
    const id = text(raw.id);
    const name = text(raw.name) ?? text(raw.term);
    const code = text(raw.code) ?? id;
    const rowLabel = `${label} (${name ?? id ?? 'no name'})`;
    if (!id) problems.push({ row: rowLabel, field: 'id', message: 'is missing: every term needs an id' });
    if (!name) problems.push({ row: rowLabel, field: 'name', message: 'is missing: every term needs a name' });
    else if (name.length > 200) problems.push({ row: rowLabel, field: 'name', message: 'must be 200 characters or fewer' });
    if (code && code.length > 100) problems.push({ row: rowLabel, field: raw.code ? 'code' : 'id', message: 'must be 100 characters or fewer (it is used as the term’s code)' });
    const description = text(raw.description) ?? '';
    if (description.length > 10_000) problems.push({ row: rowLabel, field: 'description', message: 'must be 10,000 characters or fewer' });
    const termUri = text(raw.term_uri);
    if (termUri && !isUri(termUri)) problems.push({ row: rowLabel, field: 'term_uri', message: `“${termUri}” is not a web address` });
    const ids = seenIds.get(tax) ?? new Set<string>();
    seenIds.set(tax, ids);
    if (id && ids.has(id)) problems.push({ row: rowLabel, field: 'id', message: `“${id}” appears more than once in this taxonomy` });
    if (id) ids.add(id);
    if (code && tax.terms.some((t) => t.code.toLowerCase() === code.toLowerCase() && t.id !== id)) problems.push({ row: rowLabel, field: 'code', message: `“${code}” is used by another term in this taxonomy` });
    tax.terms.push({ index: i + 1, label: rowLabel, id: id ?? '', code: code ?? '', name: name ?? '', description, parentId: text(raw.parent_id), termUri });
  });

  // Two taxonomies of one name in one file would land on the same taxonomy.
  const names = new Set<string>();
  for (const tax of taxonomies) {
    const key = tax.name.toLowerCase();
    if (key && names.has(key)) problems.push({ row: tax.label, field: 'name', message: 'another taxonomy in the file has the same name' });
    names.add(key);
  }
  return { taxonomies, problems: byRow(problems) };
}

/** Problems in file order: the file, then taxonomies, then terms by number (a stable sort keeps each row's own order). */
function byRow(problems: ImportProblem[]): ImportProblem[] {
  const rank = (row: string) => {
    const term = /^Term (\d+)/.exec(row);
    if (term) return 1_000_000 + Number(term[1]);
    const taxonomy = /^Taxonomy (\d+)/.exec(row);
    return taxonomy ? Number(taxonomy[1]) : 0;
  };
  return [...problems].sort((a, b) => rank(a.row) - rank(b.row));
}

/**
 * Checks the parsed taxonomies against what the LIO already holds, then (when nothing is wrong) writes them,
 * inside the caller's transaction. On problems nothing is written.
 */
export async function importTaxonomies(tx: Queryable, lioId: string, taxonomies: InTaxonomy[], now: Date): Promise<ImportResult> {
  const problems: ImportProblem[] = [];
  interface Plan {
    tax: InTaxonomy; existingId: string | null;
    /** our term id for each term id of the file, and whether it is new */
    ours: Map<string, { id: string; isNew: boolean; code: string | null }>;
    /** our parent id for each term of the file */
    parents: Map<string, string | null>;
    /** external ids free to record (not held by another term of the LIO) */
    externalFree: Set<string>;
  }
  const plans: Plan[] = [];

  for (const tax of taxonomies) {
    let existing = tax.id ? await taxonomyRepository.taxonomyByExternalId(tx, tax.id) : undefined;
    if (!existing && tax.id && isUuid(tax.id)) existing = await taxonomyRepository.taxonomy(tx, tax.id);
    if (existing) {
      const clash = await taxonomyRepository.taxonomyByName(tx, tax.name);
      if (clash && clash.id !== existing.id) problems.push({ row: tax.label, field: 'name', message: `another taxonomy is already called “${tax.name}”` });
    } else {
      existing = await taxonomyRepository.taxonomyByName(tx, tax.name);
    }
    const terms = existing ? await taxonomyRepository.terms(tx, existing.id) : [];
    const byOurId = new Map(terms.map((t) => [t.id, t]));
    const byExternal = new Map(terms.filter((t) => t.external_id).map((t) => [t.external_id!, t]));
    const byCode = new Map(terms.map((t) => [t.code.toLowerCase(), t]));
    const elsewhere = await taxonomyRepository.termExternalIdsOutside(tx, tax.terms.map((t) => t.id).filter(Boolean), existing?.id ?? null);

    // Each term of the file is the term already held with its external id, or our id, or its code; else a new one.
    const ours: Plan['ours'] = new Map();
    const claimedBy = new Map<string, InTerm>();
    for (const term of tax.terms) {
      const match = byExternal.get(term.id) ?? byOurId.get(term.id) ?? byCode.get(term.code.toLowerCase());
      if (match && claimedBy.has(match.id)) problems.push({ row: term.label, field: 'code', message: `matches the same existing term as ${claimedBy.get(match.id)!.label}` });
      if (match) claimedBy.set(match.id, term);
      ours.set(term.id, match ? { id: match.id, isNew: false, code: match.code } : { id: randomUUID(), isNew: true, code: null });
    }

    // Parents: a term in the file, or one the taxonomy already has (by external id, id or code). No loops, counting
    // the parents of terms already held that the file does not mention.
    const resolve = (ref: string) => ours.get(ref)?.id ?? (byExternal.get(ref) ?? byOurId.get(ref) ?? byCode.get(ref.toLowerCase()))?.id;
    const parents: Plan['parents'] = new Map();
    const finalParent = new Map(terms.map((t) => [t.id, t.parent_id]));
    for (const term of tax.terms) {
      const resolved = term.parentId ? resolve(term.parentId) : null;
      if (term.parentId && !resolved) problems.push({ row: term.label, field: 'parent_id', message: `“${term.parentId}” is not a term of this taxonomy` });
      parents.set(term.id, resolved ?? null);
      finalParent.set(ours.get(term.id)!.id, resolved ?? null);
    }
    const loops = termParentProblems(tax.terms.map((term) => ours.get(term.id)!.id), (id) => finalParent.get(id));
    for (const term of tax.terms) {
      const problem = loops.get(ours.get(term.id)!.id);
      if (problem) problems.push({ row: term.label, field: 'parent_id', message: problem });
    }
    plans.push({ tax, existingId: existing?.id ?? null, ours, parents, externalFree: new Set(tax.terms.map((t) => t.id).filter((id) => !elsewhere.has(id))) });
  }
  if (problems.length) return { ok: false, problems: byRow(problems) };

  const results: ImportedTaxonomy[] = [];
  for (const { tax, existingId, ours, parents, externalFree } of plans) {
    const values = { name: tax.name, description: tax.description, uri: tax.uri, version: tax.version, externalId: tax.id };
    let taxonomyId = existingId;
    if (taxonomyId) await taxonomyRepository.updateTaxonomy(tx, taxonomyId, values, now);
    else taxonomyId = (await taxonomyRepository.insertTaxonomy(tx, lioId, values, now)).id;

    const row = (term: InTerm) => ({
      id: ours.get(term.id)!.id, code: term.code, name: term.name, description: term.description, parentId: parents.get(term.id) ?? null,
      termUri: term.termUri, externalId: externalFree.has(term.id) ? term.id : null,
    });
    // New terms parents first, so that each insert only refers to terms already written or in the same statement.
    const fresh = parentsFirst(tax.terms.filter((t) => ours.get(t.id)!.isNew), (t) => t.id, (t) => t.parentId);
    const changed = tax.terms.filter((t) => !ours.get(t.id)!.isNew);
    // Codes that change move to placeholders first, so that two terms swapping codes do not collide half way.
    await taxonomyRepository.parkCodes(tx, changed.filter((t) => ours.get(t.id)!.code !== t.code).map((t) => ours.get(t.id)!.id));
    for (let i = 0; i < fresh.length; i += 2000) await taxonomyRepository.insertTerms(tx, lioId, taxonomyId, fresh.slice(i, i + 2000).map(row), now);
    for (let i = 0; i < changed.length; i += 2000) await taxonomyRepository.updateTerms(tx, changed.slice(i, i + 2000).map(row), now);
    results.push({ id: taxonomyId, name: tax.name, action: existingId ? 'updated' : 'added', termsAdded: fresh.length, termsUpdated: changed.length });
  }
  return { ok: true, taxonomies: results };
}

/** Items ordered so that each comes after its parent (when the parent is among them). */
function parentsFirst<T>(items: T[], idOf: (item: T) => string, parentOf: (item: T) => string | null): T[] {
  const byId = new Map(items.map((i) => [idOf(i), i]));
  const done = new Set<string>();
  const out: T[] = [];
  const visit = (item: T, path: Set<string>) => {
    const id = idOf(item);
    if (done.has(id) || path.has(id)) return;
    path.add(id);
    const parent = parentOf(item);
    if (parent && byId.has(parent)) visit(byId.get(parent)!, path);
    done.add(id);
    out.push(item);
  };
  for (const item of items) visit(item, new Set());
  return out;
}

class RejectedImport extends Error {
  constructor(readonly problems: ImportProblem[]) { super('import rejected'); }
}

/** The largest taxonomy file taken, from the page or the command line: it is read whole. */
export const TAXONOMY_IMPORT_MAX_BYTES = 8 * 1024 * 1024;

/** The source of a taxonomy pasted into the page rather than uploaded, as its import's report names it. */
export const PASTED_JSON = 'pasted JSON';

/** A taxonomy to import: the name of its file (or PASTED_JSON) and its text. */
export interface TaxonomySource { name: string; text: string }

/** An import's outcome and the id of its report, kept with the directory's other imports (/admin/imports/:id). */
export type RecordedImport = ImportResult & { importId: string };

/**
 * The whole import in one transaction, for the admin page and the CLI: parse, check, write, audit, keep its report.
 * Nothing is committed when any row is rejected; the refusal's report is kept in a transaction of its own.
 */
export async function importTaxonomyJson(db: Database, lioId: string, actor: Actor, source: TaxonomySource, now: Date): Promise<RecordedImport> {
  const refused = (problems: ImportProblem[]) => recordRefusal(db, lioId, actor, source.name, problems, now);
  if (source.text.trim() === '') return refused([{ row: 'File', field: 'json', message: source.name === PASTED_JSON ? 'The pasted JSON is empty' : `The file ${source.name} is empty` }]);
  const parsed = parseTaxonomyJson(source.text);
  if (parsed.problems.length) return refused(parsed.problems);
  if (parsed.taxonomies.length === 0) return refused([{ row: 'File', field: 'json', message: 'The file holds no taxonomy' }]);
  try {
    return await db.withTenant(lioId, async (tx) => {
      const result = await importTaxonomies(tx, lioId, parsed.taxonomies, now);
      if (!result.ok) throw new RejectedImport(result.problems);
      const importId = await keepReport(tx, lioId, actor, source.name, { status: 'completed', taxonomies: result.taxonomies, problems: [] }, now);
      return { ...result, importId };
    });
  } catch (err) {
    if (err instanceof RejectedImport) return refused(err.problems);
    const code = (err as { code?: string }).code;
    if (code === '23505') return refused([{ row: 'File', field: 'code', message: 'Two terms would end up with the same code in one taxonomy; make each code unique' }]);
    throw err;
  }
}

/**
 * Keeps the report of a taxonomy refused before anything was written (the command line's file too large to read, say):
 * in a transaction of its own, as the import's own (if it ran) was rolled back.
 */
export async function recordRefusal(db: Database, lioId: string, actor: Actor, sourceName: string, problems: ImportProblem[], now: Date): Promise<RecordedImport> {
  const importId = await db.withTenant(lioId, (tx) => keepReport(tx, lioId, actor, sourceName, { status: 'rejected', taxonomies: [], problems }, now));
  return { ok: false, problems, importId };
}

/** The import's report in the shape every directory import's takes (counts by kind of record, issues by row), and its audit entry. */
async function keepReport(tx: Queryable, lioId: string, actor: Actor, sourceName: string,
  outcome: { status: 'completed' | 'rejected'; taxonomies: ImportedTaxonomy[]; problems: ImportProblem[] }, now: Date): Promise<string> {
  const { status, taxonomies, problems } = outcome;
  const count = (added: (t: ImportedTaxonomy) => number, updated: (t: ImportedTaxonomy) => number) => ({
    created: taxonomies.reduce((n, t) => n + added(t), 0), updated: taxonomies.reduce((n, t) => n + updated(t), 0),
  });
  const message = status === 'completed' ? null
    : `The taxonomy was rejected: ${problems.length} ${problems.length === 1 ? 'problem' : 'problems'}, listed below. Nothing was imported.`;
  const importId = await importsRepository.save(tx, {
    lio_id: lioId, kind: 'taxonomy', source: sourceName.slice(0, 2000), status, started_at: now, finished_at: now, actor_label: actor.label,
    counts: JSON.stringify({
      taxonomies: count((t) => (t.action === 'added' ? 1 : 0), (t) => (t.action === 'updated' ? 1 : 0)),
      taxonomy_terms: count((t) => t.termsAdded, (t) => t.termsUpdated),
      flagged: problems.length, message,
    }),
    issues: JSON.stringify(problems.slice(0, ISSUES_KEPT).map((p): ImportIssue => ({ level: 'error', record: 'row', row: p.row, field: p.field, message: p.message }))),
  });
  await recordAudit(tx, lioId, actor, {
    action: status === 'completed' ? 'taxonomy.imported' : 'taxonomy.import_rejected', subjectType: 'directory_import', subjectId: importId,
    detail: status === 'completed'
      ? { source: sourceName.slice(0, 300), taxonomies: taxonomies.map((t) => ({ name: t.name, action: t.action, termsAdded: t.termsAdded, termsUpdated: t.termsUpdated })) }
      : { source: sourceName.slice(0, 300), problems: problems.length },
  }, now);
  return importId;
}
