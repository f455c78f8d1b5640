import { sql } from 'kysely';
import type { Queryable } from '../../platform/db/index.js';
import { isUuid } from '../../platform/validation/ids.js';

export interface TermRow { id: string; taxonomy_id: string; code: string; name: string; description: string; parent_id: string | null; term_uri: string | null; external_id: string | null }
export interface TaxonomyRow { id: string; name: string; description: string; uri: string | null; version: string | null }

/** All SQL for taxonomies and their terms. */
export const taxonomyRepository = {
  async idByName(db: Queryable, lioId: string, name: string): Promise<string | undefined> {
    return (await db.selectFrom('taxonomies').select('id').where('lio_id', '=', lioId).where('name', '=', name).executeTakeFirst())?.id;
  },

  async hasAny(db: Queryable, lioId: string): Promise<boolean> {
    return (await db.selectFrom('taxonomies').select('id').where('lio_id', '=', lioId).executeTakeFirst()) !== undefined;
  },

  /** A taxonomy and all its terms, parents named by id within the same terms. */
  async insertWithTerms(db: Queryable, lioId: string, t: { name: string; description: string; uri: string | null; version: string | null },
    terms: { id: string; code: string; name: string; description: string; parentId: string | null }[], now: Date): Promise<string> {
    const taxonomy = await db.insertInto('taxonomies').values({
      lio_id: lioId, name: t.name, description: t.description, uri: t.uri, version: t.version, created_at: now, updated_at: now,
    }).returning('id').executeTakeFirstOrThrow();
    // One statement: foreign keys to parents in the same statement are checked at its end.
    await db.insertInto('taxonomy_terms').values(terms.map((term) => ({
      id: term.id, lio_id: lioId, taxonomy_id: taxonomy.id, code: term.code, name: term.name, description: term.description,
      parent_id: term.parentId, created_at: now, updated_at: now,
    }))).execute();
    return taxonomy.id;
  },

  taxonomies: (db: Queryable): Promise<(TaxonomyRow & { term_count: number })[]> =>
    db.selectFrom('taxonomies').select(['id', 'name', 'description', 'uri', 'version',
      (eb) => eb.selectFrom('taxonomy_terms').select(eb.fn.countAll<number>().as('n')).whereRef('taxonomy_terms.taxonomy_id', '=', 'taxonomies.id').as('term_count')])
      .orderBy(sql`lower(name)`).execute() as Promise<(TaxonomyRow & { term_count: number })[]>,

  taxonomy: (db: Queryable, id: string): Promise<TaxonomyRow | undefined> =>
    isUuid(id) ? db.selectFrom('taxonomies').select(['id', 'name', 'description', 'uri', 'version']).where('id', '=', id).executeTakeFirst() : Promise.resolve(undefined),

  taxonomyByName: (db: Queryable, name: string) =>
    db.selectFrom('taxonomies').select(['id', 'name', 'description', 'uri', 'version']).where(sql<boolean>`lower(name) = lower(${name})`).executeTakeFirst(),

  terms: (db: Queryable, taxonomyId: string): Promise<TermRow[]> =>
    db.selectFrom('taxonomy_terms').select(['id', 'taxonomy_id', 'code', 'name', 'description', 'parent_id', 'term_uri', 'external_id'])
      .where('taxonomy_id', '=', taxonomyId).orderBy(sql`lower(name)`).orderBy('code').execute(),

  /** Every term of the LIO, for choosing terms on a service. */
  allTerms: (db: Queryable) =>
    db.selectFrom('taxonomy_terms').innerJoin('taxonomies', 'taxonomies.id', 'taxonomy_terms.taxonomy_id')
      .select(['taxonomy_terms.id', 'taxonomy_terms.taxonomy_id', 'taxonomy_terms.code', 'taxonomy_terms.name', 'taxonomy_terms.description',
        'taxonomy_terms.parent_id', 'taxonomy_terms.term_uri', 'taxonomy_terms.external_id', 'taxonomies.name as taxonomy_name'])
      .orderBy(sql`lower(taxonomies.name)`).orderBy(sql`lower(taxonomy_terms.name)`).execute(),

  term: (db: Queryable, id: string): Promise<TermRow | undefined> =>
    isUuid(id) ? db.selectFrom('taxonomy_terms').select(['id', 'taxonomy_id', 'code', 'name', 'description', 'parent_id', 'term_uri', 'external_id']).where('id', '=', id).executeTakeFirst()
      : Promise.resolve(undefined),

  codeTaken: async (db: Queryable, taxonomyId: string, code: string, exceptId: string | null) =>
    (await db.selectFrom('taxonomy_terms').select('id').where('taxonomy_id', '=', taxonomyId).where(sql<boolean>`lower(code) = lower(${code})`)
      .$if(exceptId !== null, (q) => q.where('id', '!=', exceptId!)).executeTakeFirst()) !== undefined,

  serviceCounts: async (db: Queryable, taxonomyId: string): Promise<Map<string, number>> => {
    const rows = await db.selectFrom('attributes').innerJoin('taxonomy_terms', 'taxonomy_terms.id', 'attributes.taxonomy_term_id')
      .select(['attributes.taxonomy_term_id as id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('taxonomy_terms.taxonomy_id', '=', taxonomyId).where('attributes.link_type', '=', 'service').groupBy('attributes.taxonomy_term_id').execute();
    return new Map(rows.map((r) => [r.id, Number(r.n)]));
  },

  insertTerm: (db: Queryable, lioId: string, taxonomyId: string, v: { code: string; name: string; description: string; parentId: string | null; termUri: string | null }, now: Date) =>
    db.insertInto('taxonomy_terms').values({
      lio_id: lioId, taxonomy_id: taxonomyId, code: v.code, name: v.name, description: v.description, parent_id: v.parentId, term_uri: v.termUri, created_at: now, updated_at: now,
    }).returning(['id', 'name']).executeTakeFirstOrThrow(),

  updateTerm: (db: Queryable, id: string, v: { code: string; name: string; description: string; parentId: string | null; termUri: string | null }, now: Date) =>
    db.updateTable('taxonomy_terms').set({ code: v.code, name: v.name, description: v.description, parent_id: v.parentId, term_uri: v.termUri, updated_at: now })
      .where('id', '=', id).execute(),

  /** What deleting a term would untag or orphan: services (and organisations or locations) tagged with it, and the terms directly under it. */
  termUsage: async (db: Queryable, termId: string) => {
    const [services, otherLinks, children] = await Promise.all([
      db.selectFrom('attributes').innerJoin('services', 'services.id', 'attributes.link_id').select(['services.id', 'services.name'])
        .where('attributes.taxonomy_term_id', '=', termId).where('attributes.link_type', '=', 'service').orderBy(sql`lower(services.name)`).execute(),
      db.selectFrom('attributes').select((eb) => eb.fn.countAll<number>().as('n')).where('taxonomy_term_id', '=', termId).where('link_type', '!=', 'service')
        .executeTakeFirstOrThrow().then((r) => Number(r.n)),
      db.selectFrom('taxonomy_terms').select(['id', 'name']).where('parent_id', '=', termId).orderBy(sql`lower(name)`).execute(),
    ]);
    return { services, otherLinks, children };
  },

  /** Only a term nothing uses is deleted: the guard is in the statement too, so a service tagged meanwhile is not silently untagged. */
  deleteUnusedTerm: async (db: Queryable, termId: string): Promise<boolean> => {
    const deleted = await db.deleteFrom('taxonomy_terms').where('id', '=', termId)
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom('attributes').select('attributes.id').whereRef('attributes.taxonomy_term_id', '=', 'taxonomy_terms.id'))))
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom('taxonomy_terms as child').select('child.id').whereRef('child.parent_id', '=', 'taxonomy_terms.id'))))
      .executeTakeFirst();
    return Number(deleted.numDeletedRows) === 1;
  },

  taxonomyByExternalId: (db: Queryable, externalId: string) =>
    db.selectFrom('taxonomies').select(['id', 'name', 'description', 'uri', 'version']).where('external_id', '=', externalId).executeTakeFirst(),

  /** Of these external ids, those already held by a term outside the given taxonomy (external ids are unique in an LIO). */
  termExternalIdsOutside: async (db: Queryable, externalIds: string[], taxonomyId: string | null): Promise<Set<string>> => {
    if (externalIds.length === 0) return new Set();
    const rows = await db.selectFrom('taxonomy_terms').select('external_id').where('external_id', 'in', externalIds)
      .$if(taxonomyId !== null, (q) => q.where('taxonomy_id', '!=', taxonomyId!)).execute();
    return new Set(rows.map((r) => r.external_id!));
  },

  insertTaxonomy: (db: Queryable, lioId: string, v: { name: string; description: string; uri: string | null; version: string | null; externalId?: string | null }, now: Date) =>
    db.insertInto('taxonomies').values({ lio_id: lioId, name: v.name, description: v.description, uri: v.uri, version: v.version, external_id: v.externalId ?? null, created_at: now, updated_at: now })
      .returning('id').executeTakeFirstOrThrow(),

  updateTaxonomy: (db: Queryable, id: string, v: { name: string; description: string; uri: string | null; version: string | null; externalId?: string | null }, now: Date) =>
    db.updateTable('taxonomies').set({ name: v.name, description: v.description, uri: v.uri, version: v.version, updated_at: now })
      .$if(Boolean(v.externalId), (q) => q.set({ external_id: v.externalId! })).where('id', '=', id).execute(),

  /** Moves codes out of the way (to a placeholder) before they are rewritten. */
  parkCodes: async (db: Queryable, ids: string[]) => {
    if (ids.length) await db.updateTable('taxonomy_terms').set({ code: sql<string>`'__import__' || id::text` }).where('id', 'in', ids).execute();
  },

  insertTerms: async (db: Queryable, lioId: string, taxonomyId: string, rows: ImportedTermRow[], now: Date) => {
    if (rows.length === 0) return;
    await db.insertInto('taxonomy_terms').values(rows.map((r) => ({
      id: r.id, lio_id: lioId, taxonomy_id: taxonomyId, code: r.code, name: r.name, description: r.description, parent_id: r.parentId,
      term_uri: r.termUri, external_id: r.externalId, created_at: now, updated_at: now,
    }))).execute();
  },

  /** Rewrites many terms in one statement. A term keeps its external id when the row brings none. */
  updateTerms: async (db: Queryable, rows: ImportedTermRow[], now: Date) => {
    if (rows.length === 0) return;
    const col = <K extends keyof ImportedTermRow>(k: K) => rows.map((r) => r[k]);
    await sql`update taxonomy_terms t set code = v.code, name = v.name, description = v.description, parent_id = v.parent_id,
        term_uri = v.term_uri, external_id = coalesce(v.external_id, t.external_id), updated_at = ${now}
      from (select unnest(${col('id')}::uuid[]) as id, unnest(${col('code')}::text[]) as code, unnest(${col('name')}::text[]) as name,
        unnest(${col('description')}::text[]) as description, unnest(${col('parentId')}::uuid[]) as parent_id,
        unnest(${col('termUri')}::text[]) as term_uri, unnest(${col('externalId')}::text[]) as external_id) v
      where t.id = v.id`.execute(db);
  },
};

export interface ImportedTermRow { id: string; code: string; name: string; description: string; parentId: string | null; termUri: string | null; externalId: string | null }

export interface TermNode extends TermRow { children: TermNode[]; depth: number }

/** Terms as a tree, each level sorted by name. A term whose parent is missing (or in a loop) is shown at the top. */
export function buildTree(terms: TermRow[]): TermNode[] {
  const nodes = new Map(terms.map((term) => [term.id, { ...term, children: [] as TermNode[], depth: 0 }]));
  const roots: TermNode[] = [];
  for (const node of nodes.values()) {
    const parent = node.parent_id ? nodes.get(node.parent_id) : undefined;
    if (parent && !isAncestor(nodes, node.id, parent.id)) parent.children.push(node);
    else roots.push(node);
  }
  const byName = (a: TermNode, b: TermNode) => a.name.localeCompare(b.name, 'en-GB') || a.code.localeCompare(b.code);
  const sort = (list: TermNode[], depth: number) => {
    list.sort(byName);
    for (const n of list) { n.depth = depth; sort(n.children, depth + 1); }
  };
  sort(roots, 0);
  return roots;
}

/** Is `ancestorId` reached by walking up from `startId`'s would-be parent? (true means linking would make a loop) */
function isAncestor(nodes: Map<string, { id: string; parent_id: string | null }>, ancestorId: string, startId: string): boolean {
  const seen = new Set<string>();
  let current: string | null = startId;
  while (current && !seen.has(current)) {
    if (current === ancestorId) return true;
    seen.add(current);
    current = nodes.get(current)?.parent_id ?? null;
  }
  return false;
}

/** The tree flattened depth-first, for selects and lists. */
export function flattenTree(roots: TermNode[]): TermNode[] {
  return roots.flatMap((r) => [r, ...flattenTree(r.children)]);
}

/** A term and every term below it. */
export function descendantIds(terms: { id: string; parent_id: string | null }[], rootId: string): string[] {
  const children = new Map<string, string[]>();
  for (const t of terms) if (t.parent_id) children.set(t.parent_id, [...(children.get(t.parent_id) ?? []), t.id]);
  const out: string[] = [];
  const stack = [rootId];
  const seen = new Set<string>();
  while (stack.length) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(id);
    stack.push(...(children.get(id) ?? []));
  }
  return out;
}
