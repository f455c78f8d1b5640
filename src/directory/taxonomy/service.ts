import type { Database, Queryable } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import type { SignedInUser } from '../../platform/auth/actor.js';
import { authorise } from '../../platform/auth/policy.js';
import { recordAudit, type Actor } from '../../platform/audit.js';
import { FormErrors, checkText, str } from '../../platform/http/forms.js';
import { buildTree, descendantIds, flattenTree, taxonomyRepository as repo, type TermRow } from './repository.js';
import { ensureDefaultTaxonomy } from './default-taxonomy.js';
import { importTaxonomyJson, type RecordedImport, type TaxonomySource } from './import.js';
import { isWebAddress } from '../../platform/validation/web-addresses.js';

export interface TermValues { code: string; name: string; description: string; parentId: string; termUri: string }

const CODE = /^[A-Za-z0-9][A-Za-z0-9._:/-]*$/;

export class NotFound extends Error {
  readonly statusCode = 404;
  constructor(what: string) { super(`There is no such ${what}`); }
}

/** Admins look after the LIO's taxonomies: the tree, terms added and renamed, other taxonomies imported. */
export class TaxonomyService {
  constructor(private readonly deps: { db: Database; clock: Clock }) {}

  async overview(actor: SignedInUser | null, lioId: string, taxonomyId: string | null) {
    authorise(actor, 'taxonomy.manage');
    return this.deps.db.withTenant(lioId, async (tx) => {
      const taxonomies = await repo.taxonomies(tx);
      const selected = (taxonomyId ? taxonomies.find((t) => t.id === taxonomyId) : undefined) ?? taxonomies[0];
      if (taxonomyId && (!selected || selected.id !== taxonomyId)) throw new NotFound('taxonomy');
      if (!selected) return { taxonomies, selected: null, tree: [], counts: new Map<string, number>() };
      const [terms, counts] = await Promise.all([repo.terms(tx, selected.id), repo.serviceCounts(tx, selected.id)]);
      return { taxonomies, selected, tree: buildTree(terms), counts };
    });
  }

  async installDefault(actor: SignedInUser | null, lioId: string, who: Actor) {
    authorise(actor, 'taxonomy.manage');
    const now = this.deps.clock.now();
    return this.deps.db.withTenant(lioId, async (tx) => {
      const id = await ensureDefaultTaxonomy(tx, lioId, now);
      await recordAudit(tx, lioId, who, { action: 'taxonomy.default_installed', subjectType: 'taxonomy', subjectId: id }, now);
      return id;
    });
  }

  /** The form for a new term (in a taxonomy) or an existing one. */
  async termForm(actor: SignedInUser | null, lioId: string, ref: { taxonomyId: string } | { termId: string }) {
    authorise(actor, 'taxonomy.manage');
    return this.deps.db.withTenant(lioId, async (tx) => {
      const term = 'termId' in ref ? await repo.term(tx, ref.termId) : undefined;
      if ('termId' in ref && !term) throw new NotFound('term');
      const taxonomy = await repo.taxonomy(tx, term ? term.taxonomy_id : (ref as { taxonomyId: string }).taxonomyId);
      if (!taxonomy) throw new NotFound('taxonomy');
      const terms = await repo.terms(tx, taxonomy.id);
      return { taxonomy, term, terms, parentChoices: parentChoices(terms, term?.id ?? null) };
    });
  }

  /** Adds a term (no termId) or changes one. Bad input comes back as errors with the values kept. */
  async saveTerm(actor: SignedInUser | null, lioId: string, who: Actor, ref: { taxonomyId: string } | { termId: string }, body: unknown) {
    authorise(actor, 'taxonomy.manage');
    const values: TermValues = { code: str(body, 'code'), name: str(body, 'name'), description: str(body, 'description'), parentId: str(body, 'parentId'), termUri: str(body, 'termUri') };
    const now = this.deps.clock.now();
    return this.deps.db.withTenant(lioId, async (tx) => {
      const term = 'termId' in ref ? await repo.term(tx, ref.termId) : undefined;
      if ('termId' in ref && !term) throw new NotFound('term');
      const taxonomy = await repo.taxonomy(tx, term ? term.taxonomy_id : (ref as { taxonomyId: string }).taxonomyId);
      if (!taxonomy) throw new NotFound('taxonomy');
      const terms = await repo.terms(tx, taxonomy.id);
      const errors = new FormErrors();
      if (!values.code) errors.add('code', 'Enter a code for the term');
      else if (values.code.length > 100) errors.add('code', 'The code must be 100 characters or fewer');
      else if (values.code !== term?.code && !CODE.test(values.code)) errors.add('code', 'The code can only hold letters, numbers, full stops, hyphens, colons and slashes, with no spaces');
      else if (await repo.codeTaken(tx, taxonomy.id, values.code, term?.id ?? null)) errors.add('code', `Another term in ${taxonomy.name} already has the code ${values.code}`);
      checkText(errors, 'name', values.name, 'the term’s name', 200);
      checkText(errors, 'description', values.description, 'the description', 2000, false);
      if (values.termUri && (values.termUri.length > 500 || !isWebAddress(values.termUri))) errors.add('termUri', 'Enter the term’s web address in full, starting with https://');
      if (values.parentId) {
        const allowed = parentChoices(terms, term?.id ?? null).some((c) => c.id === values.parentId);
        if (!allowed) errors.add('parentId', term ? 'Choose a parent term from the list; a term cannot sit under itself or a term below it' : 'Choose a parent term from the list');
      }
      if (errors.any) return { errors, values, taxonomy, term, parentChoices: parentChoices(terms, term?.id ?? null) };
      const write = { code: values.code, name: values.name, description: values.description, parentId: values.parentId || null, termUri: values.termUri || null };
      let id: string;
      if (term) {
        await repo.updateTerm(tx, term.id, write, now);
        id = term.id;
      } else {
        id = (await repo.insertTerm(tx, lioId, taxonomy.id, write, now)).id;
      }
      await recordAudit(tx, lioId, who, {
        action: term ? 'taxonomy_term.updated' : 'taxonomy_term.created', subjectType: 'taxonomy_term', subjectId: id,
        detail: term && term.name !== values.name ? { renamedFrom: term.name, renamedTo: values.name } : {},
      }, now);
      return { errors, values, taxonomy, term, id };
    });
  }

  /** The confirmation page: the term, and why it cannot be deleted if something still uses it. */
  async deleteForm(actor: SignedInUser | null, lioId: string, termId: string) {
    authorise(actor, 'taxonomy.manage');
    return this.deps.db.withTenant(lioId, (tx) => this.termInUse(tx, termId));
  }

  /**
   * Deletes a term nothing uses. A term still tagging services, or with terms under it, is refused with the reason:
   * deleting it would silently drop it from those services (and from residents' searches) or cut its children loose.
   */
  async deleteTerm(actor: SignedInUser | null, lioId: string, who: Actor, termId: string) {
    authorise(actor, 'taxonomy.manage');
    const now = this.deps.clock.now();
    return this.deps.db.withTenant(lioId, async (tx) => {
      const found = await this.termInUse(tx, termId);
      if (found.refusal || !(await repo.deleteUnusedTerm(tx, found.term.id))) {
        return { ...found, refusal: found.refusal ?? 'The term was tagged or given a term under it meanwhile. Look again before deleting it.' };
      }
      await recordAudit(tx, lioId, who, {
        action: 'taxonomy_term.deleted', subjectType: 'taxonomy_term', subjectId: found.term.id, detail: { code: found.term.code, name: found.term.name, taxonomy: found.taxonomy.name },
      }, now);
      return { ...found, refusal: null };
    });
  }

  private async termInUse(tx: Queryable, termId: string) {
    const term = await repo.term(tx, termId);
    if (!term) throw new NotFound('term');
    const taxonomy = (await repo.taxonomy(tx, term.taxonomy_id))!;
    const usage = await repo.termUsage(tx, term.id);
    const reasons: string[] = [];
    const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
    if (usage.services.length) reasons.push(`${plural(usage.services.length, 'service is', 'services are')} tagged with it: take the term off ${usage.services.length === 1 ? 'that service' : 'those services'} first`);
    if (usage.otherLinks) reasons.push(`${plural(usage.otherLinks, 'organisation or location is', 'organisations or locations are')} tagged with it (from an import): take the term off first`);
    if (usage.children.length) reasons.push(`${plural(usage.children.length, 'term sits', 'terms sit')} under it: move ${usage.children.length === 1 ? 'it' : 'them'} to another parent, or delete ${usage.children.length === 1 ? 'it' : 'them'}, first`);
    const refusal = reasons.length ? `${term.name} cannot be deleted. ${reasons.map((r) => `${r[0]!.toUpperCase()}${r.slice(1)}.`).join(' ')}` : null;
    return { term, taxonomy, usage, refusal };
  }

  /** Imports the taxonomy, accepted or refused, keeping its report with the directory's other imports. */
  async importJson(actor: SignedInUser | null, lioId: string, who: Actor, source: TaxonomySource): Promise<RecordedImport> {
    authorise(actor, 'taxonomy.manage');
    return importTaxonomyJson(this.deps.db, lioId, who, source, this.deps.clock.now());
  }
}

/** Terms a term may sit under: any in its taxonomy except itself and those below it. */
export function parentChoices(terms: TermRow[], termId: string | null) {
  const excluded = new Set(termId ? descendantIds(terms, termId) : []);
  return flattenTree(buildTree(terms)).filter((t) => !excluded.has(t.id)).map((t) => ({ id: t.id, label: `${'— '.repeat(t.depth)}${t.name} (${t.code})` }));
}
