import type { Queryable } from '../../platform/db/index.js';
import { isUuid } from '../../platform/validation/ids.js';
import { compactPostcode } from '../../platform/validation/postcodes.js';
import { normaliseCharityNumber } from './form.js';
import { likelyDuplicateRows, type DuplicateQuestion } from './repository.js';

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
  const asked: DuplicateQuestion[] = candidates.map((c, i) => ({
    i, id: c.id && isUuid(c.id) ? c.id : null, name: c.name.trim().toLowerCase(),
    charity: c.charityNumber ? normaliseCharityNumber(c.charityNumber) : null,
    postcode: c.postcode ? compactPostcode(c.postcode) ?? c.postcode.replace(/\s+/g, '').toUpperCase() : null,
  })).filter((c) => c.charity || (c.postcode && c.name));
  const found: LikelyDuplicate[][] = candidates.map(() => []);
  if (!asked.length) return found;
  const rows = await likelyDuplicateRows(tx, asked, NAME_SIMILARITY);
  for (const r of rows) {
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
