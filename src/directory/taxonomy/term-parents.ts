/**
 * The one check of taxonomy terms' parents, for every way terms arrive (the taxonomy import, an Open Referral
 * import): a term whose line of parents comes back to itself could never be deleted (each would wait for its child),
 * and a tree view of it would never end.
 */
export const OWN_PARENT = 'a term cannot be its own parent';
export const PARENT_LOOP = 'the parents make a loop';

/** Each of `ids` whose parents, followed up by `parentOf`, come round in a loop (to it or above it), with the reason. */
export function termParentProblems<K>(ids: Iterable<K>, parentOf: (id: K) => K | null | undefined): Map<K, string> {
  const problems = new Map<K, string>();
  for (const start of ids) {
    const seen = new Set<K>([start]);
    let up = parentOf(start) ?? null;
    while (up !== null) {
      if (seen.has(up)) {
        problems.set(start, up === start && seen.size === 1 ? OWN_PARENT : PARENT_LOOP);
        break;
      }
      seen.add(up);
      up = parentOf(up) ?? null;
    }
  }
  return problems;
}
