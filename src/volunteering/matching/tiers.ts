/*
 * Finding the best matches without scoring everyone. A match's score is its whole part (3 a skill in common, 2 a cause,
 * 1 a slot of availability up to 3) plus nearness (0 to 1) less the fair-spreading penalty (0 to 3). Whoever has a whole
 * part below T scores at most T, so once the best 20 of those with a whole part of T or more all score above T, no one
 * else can come between them: the search starts at the highest whole part there can be and lowers T until that holds.
 * "A whole part of T or more" is asked of the database as "holds one of these sets of features", which its indexes on
 * the skills, causes and availability arrays answer without reading everyone.
 */

/** What the other side of the match offers: the features a candidate is judged against. */
export interface Wanted {
  skills: string[];
  causes: string[];
  slots: string[];
  /** Any time suits (a role asking for no slots): a candidate's own slots count, up to 3. */
  anyTime: boolean;
}

/** A candidate holds all of these (and, for work at any time, at least `slotCount` slots of its own). */
export interface FeatureSet {
  skills: string[];
  causes: string[];
  slots: string[];
  slotCount: number;
}

export const SKILL_POINTS = 3;
export const CAUSE_POINTS = 2;
export const MOST_SLOTS = 3;

/** More sets than this and the database is asked a looser question (any skill, any cause …) that still holds everyone needed. */
const MOST_SETS = 24;

/** The highest whole part a candidate can reach. */
const slotCap = (w: Wanted) => (w.anyTime ? MOST_SLOTS : Math.min(w.slots.length, MOST_SLOTS));

export function highestWholePart(w: Wanted): number {
  return SKILL_POINTS * w.skills.length + CAUSE_POINTS * w.causes.length + slotCap(w);
}

function choose<T>(items: T[], k: number): T[][] {
  if (k === 0) return [[]];
  if (k > items.length) return [];
  const [first, ...rest] = items as [T, ...T[]];
  return [...choose(rest, k - 1).map((c) => [first, ...c]), ...choose(rest, k)];
}

const binomial = (n: number, k: number): number => (k < 0 || k > n ? 0 : k === 0 ? 1 : (binomial(n - 1, k - 1) * n) / k);

/**
 * The sets of features such that every candidate whose whole part is `least` or more holds one of them (the smallest
 * such sets, counted by how many of each kind). Null when there are too many to ask for one by one: `looseSets` then.
 */
export function featureSets(w: Wanted, least: number): FeatureSet[] | null {
  const points = (a: number, b: number, c: number) => SKILL_POINTS * a + CAUSE_POINTS * b + c;
  const counts: [number, number, number][] = [];
  for (let a = 0; a <= w.skills.length; a++) {
    for (let b = 0; b <= w.causes.length; b++) {
      for (let c = 0; c <= slotCap(w); c++) {
        if (points(a, b, c) < least) continue;
        const smallest = (a === 0 || points(a - 1, b, c) < least) && (b === 0 || points(a, b - 1, c) < least) && (c === 0 || points(a, b, c - 1) < least);
        if (smallest) counts.push([a, b, c]);
      }
    }
  }
  const total = counts.reduce((n, [a, b, c]) => n + binomial(w.skills.length, a) * binomial(w.causes.length, b) * (w.anyTime ? 1 : binomial(w.slots.length, c)), 0);
  if (total > MOST_SETS) return null;
  return counts.flatMap(([a, b, c]) => choose(w.skills, a).flatMap((skills) => choose(w.causes, b).flatMap((causes) =>
    w.anyTime ? [{ skills, causes, slots: [], slotCount: c }] : choose(w.slots, c).map((slots) => ({ skills, causes, slots, slotCount: 0 })))));
}

/**
 * The looser question, for many features: by how many of each kind, "any of the skills" stands for "a skills of them".
 * Everyone with a whole part of `least` or more still answers it; so do some with less, who are scored and ranked alike.
 */
export function looseSets(w: Wanted, least: number): { anySkill: boolean; anyCause: boolean; anySlot: boolean; slotCount: number }[] {
  const out = new Map<string, { anySkill: boolean; anyCause: boolean; anySlot: boolean; slotCount: number }>();
  for (let a = 0; a <= w.skills.length; a++) {
    for (let b = 0; b <= w.causes.length; b++) {
      for (let c = 0; c <= slotCap(w); c++) {
        if (SKILL_POINTS * a + CAUSE_POINTS * b + c < least) continue;
        const set = { anySkill: a > 0, anyCause: b > 0, anySlot: !w.anyTime && c > 0, slotCount: w.anyTime ? c : 0 };
        out.set(JSON.stringify(set), set);
      }
    }
  }
  // A set asking less makes one asking more of the same kinds needless.
  const all = [...out.values()];
  return all.filter((s) => !all.some((t) => t !== s && (!t.anySkill || s.anySkill) && (!t.anyCause || s.anyCause) && (!t.anySlot || s.anySlot) && t.slotCount <= s.slotCount));
}

/** Rounds before the search gives up narrowing and scores everyone who could match: few matches to be had at all. */
const MOST_ROUNDS = 6;

/** A round's question: candidates whose whole part is `least` or more (and maybe some below); null: everyone. */
export type Narrowing = { least: number; sets: FeatureSet[] | null; loose: ReturnType<typeof looseSets> | null } | null;

/**
 * The best `limit` matches, found round by round: `run` scores and ranks the candidates a narrowing lets through (all of
 * them exactly, as the full question would) and returns the best `limit`. The answer is the full question's answer.
 */
export async function bestMatches<T extends { score: number }>(w: Wanted, limit: number, run: (narrowing: Narrowing) => Promise<T[]>): Promise<T[]> {
  let least = highestWholePart(w);
  for (let round = 0; round < MOST_ROUNDS && least > 0; round++) {
    const sets = featureSets(w, least);
    const rows = await run({ least, sets, loose: sets ? null : looseSets(w, least) });
    const last = rows[limit - 1];
    // Everyone left out has a whole part below `least`, so scores `least` at most.
    if (last && last.score > least) return rows;
    least = Math.min(least - 1, last ? Math.ceil(last.score) - 1 : least - 1);
  }
  return run(null);
}
