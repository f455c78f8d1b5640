import { sql } from 'kysely';
import type { Database, Queryable, Tx } from '../platform/db/index.js';
import type { Clock } from '../platform/clock.js';
import type { SignedInUser } from '../platform/auth/actor.js';
import { authorise } from '../platform/auth/policy.js';
import { recordAudit } from '../platform/audit.js';
import { FormErrors } from '../platform/http/forms.js';
import { normaliseCharityNumber, inputOf, displayValue, fieldLabel, ORGANISATION_FIELDS, type OrganisationField } from './organisation-policy.js';
import { organisationsRepository as repo, recordOrganisationEvent } from './organisations.js';
import { isUuid } from '../platform/validation/ids.js';
import { compactPostcode } from '../platform/validation/postcodes.js';

/** Names at least this similar (pg_trgm similarity of the lower-cased names) count as "a similar name". */
export const NAME_SIMILARITY = 0.5;

export interface DuplicateCandidate {
  /** the record being entered or edited, left out of its own results */
  id?: string | null;
  name: string;
  charityNumber?: string | null;
  postcode?: string | null;
}

export interface LikelyDuplicate {
  id: string;
  name: string;
  charity_number: string | null;
  postcode: string | null;
  status: string;
  similarity: number;
  /** why it was flagged: the same charity number, and/or a similar name at the same postcode */
  reasons: ('charity_number' | 'name_and_postcode')[];
}

/**
 * Organisations that are probably the one described: the same charity number, or a similar name
 * (trigram similarity ≥ 0.5) at the same postcode. Records already merged away are left out.
 * Runs on the caller's transaction (a tenant transaction), so it is also used by imports.
 */
export async function findLikelyDuplicates(tx: Queryable, candidate: DuplicateCandidate): Promise<LikelyDuplicate[]> {
  return (await findLikelyDuplicatesOfEach(tx, [candidate]))[0]!;
}

/**
 * The likely duplicates of each candidate (at most 20 each, the same charity number first, then the most similar
 * name), in one statement: an import checking thousands of new organisations joins them to the register once,
 * by charity number and by postcode, rather than reading the whole register once for each.
 */
export async function findLikelyDuplicatesOfEach(tx: Queryable, candidates: DuplicateCandidate[]): Promise<LikelyDuplicate[][]> {
  const asked = candidates.map((c, i) => ({
    i, id: c.id && isUuid(c.id) ? c.id : null, name: c.name.trim().toLowerCase(),
    charity: c.charityNumber ? normaliseCharityNumber(c.charityNumber) : null,
    postcode: c.postcode ? compactPostcode(c.postcode) ?? c.postcode.replace(/\s+/g, '').toUpperCase() : null,
  })).filter((c) => c.charity || (c.postcode && c.name));
  const found: LikelyDuplicate[][] = candidates.map(() => []);
  if (!asked.length) return found;
  const rows = await sql<{ i: number; id: string; name: string; charity_number: string | null; postcode: string | null; status: string; similarity: number; same_charity: boolean; same_place: boolean }>`
    with c as materialized (select * from json_to_recordset(${JSON.stringify(asked)}::json) as c(i int, id uuid, name text, charity text, postcode text)),
    held as materialized (select id, name, charity_number, postcode, status, lower(name) as lower_name, replace(upper(postcode), ' ', '') as place
      from organisations where merged_into_id is null),
    -- pairs first, joined on equal values only (each side hashed once), carrying all that is needed of both: the
    -- name's similarity is worked out for those pairs alone, never for every record
    pairs as materialized (
      select c.i, c.id as candidate_id, c.name as candidate_name, c.charity, c.postcode as candidate_place, h.* from c join held h on h.charity_number = c.charity
      union
      select c.i, c.id, c.name, c.charity, c.postcode, h.* from c join held h on h.place = c.postcode
    ),
    scored as materialized (
      select p.i, p.id, p.name, p.charity_number, p.postcode, p.status, similarity(p.lower_name, p.candidate_name)::float8 as similarity,
        coalesce(p.charity_number = p.charity, false) as same_charity, coalesce(p.place = p.candidate_place, false) as same_postcode
      from pairs p where p.candidate_id is null or p.id <> p.candidate_id
    )
    select * from (
      select s.*, s.same_postcode and s.similarity >= ${NAME_SIMILARITY} as same_place,
        row_number() over (partition by s.i order by s.same_charity desc, s.similarity desc, s.name) as n
      from scored s where s.same_charity or (s.same_postcode and s.similarity >= ${NAME_SIMILARITY})) ranked
    where n <= 20 order by i, n`.execute(tx);
  for (const r of rows.rows) {
    found[r.i]!.push({
      id: r.id, name: r.name, charity_number: r.charity_number, postcode: r.postcode, status: r.status, similarity: Number(r.similarity),
      reasons: [...(r.same_charity ? ['charity_number' as const] : []), ...(r.same_place ? ['name_and_postcode' as const] : [])],
    });
  }
  return found;
}

/** The "no duplicates, or the person has seen these and confirmed" check made on create and edit. */
export function unconfirmedDuplicates(found: LikelyDuplicate[], confirmed: boolean, seenIds: string[]): boolean {
  if (found.length === 0) return false;
  if (!confirmed) return true;
  // Confirmation covers only the records the person was shown: a new look-alike asks again.
  return found.some((d) => !seenIds.includes(d.id));
}

/** Every table with a foreign key to organisations, found in the catalogue so tables added later move too. */
async function referencingColumns(tx: Tx): Promise<{ schema: string; table: string; column: string }[]> {
  const result = await sql<{ schema: string; table: string; column: string }>`
    select n.nspname as schema, cl.relname as table, a.attname as column
    from pg_constraint c
    join pg_class cl on cl.oid = c.conrelid
    join pg_namespace n on n.oid = cl.relnamespace
    join pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[1]
    where c.contype = 'f' and c.confrelid = 'organisations'::regclass and array_length(c.conkey, 1) = 1
    order by cl.relname, a.attname`.execute(tx);
  return result.rows;
}

export interface MergeOutcome { keptId: string; mergedId: string; moved: Record<string, number>; notMoved: string[]; filled: string[] }

const blank = (field: OrganisationField, v: unknown) => v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0)
  || ((field === 'membership' || field === 'relationship') && v === 'none');

/** Staff merge two records of the same organisation: everything of the one given up moves to the one kept. */
export class MergeService {
  constructor(private readonly deps: { db: Database; clock: Clock }) {}

  /** The records to offer for merging with `id`: its likely duplicates, and name matches for `q`. */
  async candidates(actor: SignedInUser | null, id: string, q: string) {
    authorise(actor, 'organisations.write');
    if (!isUuid(id)) return null;
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      const organisation = await repo.get(tx, id);
      if (!organisation) return null;
      const duplicates = await findLikelyDuplicates(tx, { id, name: organisation.name, charityNumber: organisation.charity_number, postcode: organisation.postcode });
      const matches = q ? (await repo.search(tx, { q, page: 1, pageSize: 20, sort: 'relevance' })).items.filter((o) => o.id !== id && !o.merged_into_id) : [];
      return { organisation, duplicates, matches };
    });
  }

  /** Both records side by side, with what each holds that would move. */
  async compare(actor: SignedInUser | null, id: string, otherId: string) {
    authorise(actor, 'organisations.write');
    if (!isUuid(id) || !isUuid(otherId)) return null;
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      const a = await repo.get(tx, id);
      const b = await repo.get(tx, otherId);
      if (!a || !b) return null;
      const ai = inputOf(a);
      const bi = inputOf(b);
      const rows = ORGANISATION_FIELDS.map((f) => ({ label: fieldLabel(f), a: displayValue(f, ai[f]), b: displayValue(f, bi[f]) }))
        .filter((r) => r.a || r.b);
      return { a, b, rows, aCounts: await repo.holdings(tx, a.id), bCounts: await repo.holdings(tx, b.id) };
    });
  }

  async merge(actor: SignedInUser | null, id: string, input: { other: string; keep: string }): Promise<{ errors: FormErrors; outcome?: MergeOutcome; notFound?: boolean }> {
    authorise(actor, 'organisations.write');
    const errors = new FormErrors();
    if (!isUuid(id)) return { errors, notFound: true };
    if (!isUuid(input.other)) errors.add('other', 'Choose the record to merge with');
    else if (input.other === id) errors.add('other', 'Choose a different record: a record cannot be merged with itself');
    if (input.keep !== id && input.keep !== input.other) errors.add('keep', 'Select which record to keep');
    if (errors.any) return { errors };
    const { db, clock } = this.deps;
    const now = clock.now();
    return db.withTenant(actor.lioId, async (tx) => {
      const keptId = input.keep;
      const mergedId = keptId === id ? input.other : id;
      // Lock both rows in a fixed order so two merges of the same pair cannot interleave.
      const locked = await tx.selectFrom('organisations').selectAll().where('id', 'in', [keptId, mergedId]).orderBy('id').forUpdate().execute();
      const kept = locked.find((o) => o.id === keptId);
      const merged = locked.find((o) => o.id === mergedId);
      if (!locked.some((o) => o.id === id)) return { errors, notFound: true };
      if (!kept || !merged) {
        errors.add('other', 'The record to merge with no longer exists');
        return { errors };
      }
      if (kept.merged_into_id || merged.merged_into_id) {
        errors.add('other', 'One of these records has already been merged into another; merge with the record it was merged into');
        return { errors };
      }

      // The kept record takes whatever it lacks from the other: its blanks filled, its lists joined, the other's names kept as other names.
      const keptInput = inputOf(kept);
      const mergedInput = inputOf(merged);
      const patch: Record<string, unknown> = {};
      const filled: string[] = [];
      for (const f of ORGANISATION_FIELDS) {
        if (f === 'name' || f === 'status' || f === 'consent_to_publish') continue;
        const k = keptInput[f];
        const m = mergedInput[f];
        if (Array.isArray(k) && Array.isArray(m)) {
          const union = [...k, ...m.filter((x) => !k.some((y) => String(y).toLowerCase() === String(x).toLowerCase()))];
          if (union.length !== k.length) { patch[f] = union; filled.push(f); }
        } else if (blank(f, k) && !blank(f, m)) {
          patch[f] = m;
          filled.push(f);
        }
      }
      const otherNames = (patch.other_names as string[] | undefined) ?? keptInput.other_names;
      if (merged.name.toLowerCase() !== kept.name.toLowerCase() && !otherNames.some((n) => n.toLowerCase() === merged.name.toLowerCase())) {
        patch.other_names = [...otherNames, merged.name].slice(0, 40);
        if (!filled.includes('other_names')) filled.push('other_names');
      }
      if (kept.latitude === null && merged.latitude !== null && (patch.postcode !== undefined || kept.postcode === merged.postcode)) {
        patch.latitude = merged.latitude;
        patch.longitude = merged.longitude;
      }
      if (merged.last_verified_at && (!kept.last_verified_at || merged.last_verified_at > kept.last_verified_at)) patch.last_verified_at = merged.last_verified_at;
      if (!kept.external_id && merged.external_id) {
        // The unique (lio, external id) index: free it on the merged record first, so a re-import finds the kept one.
        await tx.updateTable('organisations').set({ external_id: null }).where('id', '=', merged.id).execute();
        patch.external_id = merged.external_id;
      }

      // Everything that points at the merged record now points at the kept one.
      const moved: Record<string, number> = {};
      const notMoved: string[] = [];
      for (const ref of await referencingColumns(tx)) {
        const label = ref.table === 'organisations' ? 'organisations merged earlier' : ref.column === 'organisation_id' ? ref.table : `${ref.table}.${ref.column}`;
        await sql`savepoint cg_merge_move`.execute(tx);
        try {
          const result = await sql`update ${sql.id(ref.schema, ref.table)} set ${sql.id(ref.column)} = ${kept.id}::uuid where ${sql.id(ref.column)} = ${merged.id}::uuid`.execute(tx);
          await sql`release savepoint cg_merge_move`.execute(tx);
          const n = Number(result.numAffectedRows ?? 0);
          if (n > 0) moved[label] = (moved[label] ?? 0) + n;
        } catch {
          // A row that cannot move (a unique rule of another capability) stays with the merged record, which is kept, and is reported.
          await sql`rollback to savepoint cg_merge_move`.execute(tx);
          await sql`release savepoint cg_merge_move`.execute(tx);
          notMoved.push(label);
        }
      }
      // Taxonomy terms linked to the organisation (HSDS attributes, no foreign key): a term both carry is kept once.
      await tx.deleteFrom('attributes').where('link_type', '=', 'organization').where('link_id', '=', merged.id)
        .where('taxonomy_term_id', 'in', (eb) => eb.selectFrom('attributes').select('taxonomy_term_id').where('link_id', '=', kept.id)).execute();
      const attributes = await tx.updateTable('attributes').set({ link_id: kept.id }).where('link_type', '=', 'organization').where('link_id', '=', merged.id).executeTakeFirst();
      if (Number(attributes.numUpdatedRows) > 0) moved.attributes = Number(attributes.numUpdatedRows);

      await tx.updateTable('organisations').set({ ...patch, updated_at: now }).where('id', '=', kept.id).execute();
      await tx.updateTable('organisations').set({ status: 'closed', merged_into_id: kept.id, updated_at: now }).where('id', '=', merged.id).execute();

      const outcome: MergeOutcome = { keptId: kept.id, mergedId: merged.id, moved, notMoved, filled };
      await recordOrganisationEvent(tx, actor.lioId, kept.id, actor.displayName, 'merged', `${merged.name} was merged into this record`, {
        merged_id: merged.id, merged_name: merged.name, moved, not_moved: notMoved, filled: filled.map(fieldLabel),
      }, now);
      await recordOrganisationEvent(tx, actor.lioId, merged.id, actor.displayName, 'merged', `Merged into ${kept.name}; this record is closed`, {
        kept_id: kept.id, kept_name: kept.name,
      }, now);
      await recordAudit(tx, actor.lioId, { userId: actor.id, label: actor.email }, {
        action: 'organisation.merged', subjectType: 'organisation', subjectId: kept.id, detail: { merged: merged.id, moved, notMoved, filled },
      }, now);
      return { errors, outcome };
    });
  }
}
