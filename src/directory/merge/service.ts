import type { Database, Tx } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import type { SignedInUser } from '../../platform/auth/actor.js';
import { authorise } from '../../platform/auth/policy.js';
import { auditActorOf, recordAudit } from '../../platform/audit.js';
import { FormErrors } from '../../platform/http/forms.js';
import { isUuid } from '../../platform/validation/ids.js';
import { ORGANISATION_FIELDS, fieldLabel, inputOf, type OrganisationField } from '../organisations/record.js';
import { displayValue } from '../organisations/present.js';
import { organisationsRepository as organisations, recordOrganisationEvent } from '../organisations/repository.js';
import { findLikelyDuplicates } from '../organisations/duplicates.js';
import { mergeRepository as repo } from './repository.js';

/** A register record as a merge reads it (locked, every column). */
type Organisation = Awaited<ReturnType<typeof repo.lockPair>>[number];

export interface MergeOutcome { keptId: string; mergedId: string; moved: Record<string, number>; notMoved: string[]; filled: string[] }

type MergeResult = { errors: FormErrors; outcome?: MergeOutcome; notFound?: boolean };

const blank = (field: OrganisationField, v: unknown) => v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0)
  || ((field === 'membership' || field === 'relationship') && v === 'none');

/**
 * What the kept record takes from the other: its blanks filled, its lists joined, the other's name kept as an
 * other name, the later verification, the coordinates of a postcode it takes, and the feed's id if it has none.
 */
function combine(kept: Organisation, merged: Organisation): { patch: Record<string, unknown>; filled: string[] } {
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
  if (!kept.external_id && merged.external_id) patch.external_id = merged.external_id;
  return { patch, filled };
}

/** Everything that points at the merged record now points at the kept one; what cannot move is named. */
async function moveEverything(tx: Tx, keptId: string, mergedId: string): Promise<{ moved: Record<string, number>; notMoved: string[] }> {
  const moved: Record<string, number> = {};
  const notMoved: string[] = [];
  for (const ref of await repo.referencingColumns(tx)) {
    const label = ref.table === 'organisations' ? 'organisations merged earlier' : ref.column === 'organisation_id' ? ref.table : `${ref.table}.${ref.column}`;
    const n = await repo.moveReferences(tx, ref, keptId, mergedId);
    if (n === null) notMoved.push(label);
    else if (n > 0) moved[label] = (moved[label] ?? 0) + n;
  }
  const attributes = await repo.moveAttributes(tx, keptId, mergedId);
  if (attributes > 0) moved.attributes = attributes;
  return { moved, notMoved };
}

/** The choice made on the compare page, checked before anything is read. */
function checkChoice(id: string, input: { other: string; keep: string }): FormErrors {
  const errors = new FormErrors();
  if (!isUuid(input.other)) errors.add('other', 'Choose the record to merge with');
  else if (input.other === id) errors.add('other', 'Choose a different record: a record cannot be merged with itself');
  if (input.keep !== id && input.keep !== input.other) errors.add('keep', 'Select which record to keep');
  return errors;
}

/** Staff merge two records of the same organisation: everything of the one given up moves to the one kept. */
export class MergeService {
  constructor(private readonly deps: { db: Database; clock: Clock }) {}

  /** The records to offer for merging with `id`: its likely duplicates, and name matches for `q`. */
  async candidates(actor: SignedInUser | null, id: string, q: string) {
    authorise(actor, 'organisations.write');
    if (!isUuid(id)) return null;
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      const organisation = await organisations.get(tx, id);
      if (!organisation) return null;
      const duplicates = await findLikelyDuplicates(tx, { id, name: organisation.name, charityNumber: organisation.charity_number, postcode: organisation.postcode });
      const matches = q ? (await organisations.search(tx, { q, page: 1, pageSize: 20, sort: 'relevance' })).items.filter((o) => o.id !== id && !o.merged_into_id) : [];
      return { organisation, duplicates, matches };
    });
  }

  /** Both records side by side, with what each holds that would move. */
  async compare(actor: SignedInUser | null, id: string, otherId: string) {
    authorise(actor, 'organisations.write');
    if (!isUuid(id) || !isUuid(otherId)) return null;
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      const a = await organisations.get(tx, id);
      const b = await organisations.get(tx, otherId);
      if (!a || !b) return null;
      const ai = inputOf(a);
      const bi = inputOf(b);
      const rows = ORGANISATION_FIELDS.map((f) => ({ label: fieldLabel(f), a: displayValue(f, ai[f]), b: displayValue(f, bi[f]) }))
        .filter((r) => r.a || r.b);
      return { a, b, rows, aCounts: await organisations.holdings(tx, a.id), bCounts: await organisations.holdings(tx, b.id) };
    });
  }

  async merge(actor: SignedInUser | null, id: string, input: { other: string; keep: string }): Promise<MergeResult> {
    authorise(actor, 'organisations.write');
    if (!isUuid(id)) return { errors: new FormErrors(), notFound: true };
    const errors = checkChoice(id, input);
    if (errors.any) return { errors };
    const now = this.deps.clock.now();
    return this.deps.db.withTenant(actor.lioId, async (tx): Promise<MergeResult> => {
      const keptId = input.keep;
      const mergedId = keptId === id ? input.other : id;
      const locked = await repo.lockPair(tx, keptId, mergedId);
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
      const { patch, filled } = combine(kept, merged);
      if (patch.external_id !== undefined) await repo.clearExternalId(tx, merged.id);
      const { moved, notMoved } = await moveEverything(tx, kept.id, merged.id);
      await repo.update(tx, kept.id, patch, now);
      await repo.close(tx, merged.id, kept.id, now);
      const outcome: MergeOutcome = { keptId: kept.id, mergedId: merged.id, moved, notMoved, filled };
      await this.record(tx, actor, kept, merged, outcome, now);
      return { errors, outcome };
    });
  }

  /** Both timelines and the audit log say what was merged, what moved and what was filled in. */
  private async record(tx: Tx, actor: SignedInUser, kept: Organisation, merged: Organisation, outcome: MergeOutcome, now: Date) {
    const { moved, notMoved, filled } = outcome;
    await recordOrganisationEvent(tx, actor.lioId, kept.id, actor.displayName, 'merged', `${merged.name} was merged into this record`, {
      merged_id: merged.id, merged_name: merged.name, moved, not_moved: notMoved, filled: filled.map(fieldLabel),
    }, now);
    await recordOrganisationEvent(tx, actor.lioId, merged.id, actor.displayName, 'merged', `Merged into ${kept.name}; this record is closed`, {
      kept_id: kept.id, kept_name: kept.name,
    }, now);
    await recordAudit(tx, actor.lioId, auditActorOf(actor), {
      action: 'organisation.merged', subjectType: 'organisation', subjectId: kept.id, detail: { merged: merged.id, moved, notMoved, filled },
    }, now);
  }
}
