/*
 * Finding the best matches without scoring everyone. A match's score is its whole part (3 a skill in common, 2 a cause,
 * 1 a slot of availability up to 3) plus nearness (0 to 1, 1 - distance / travel distance; remote work 1) less the
 * fair-spreading penalty (0 to 3). So a candidate of whole part q reaches a score T only within 1 + q - T of their
 * travel distance: the search asks the database for the candidates that hold enough of the wanted features and live
 * near enough to reach T, which one index (features and grid squares, migration 034) answers without reading everyone,
 * scores them exactly, and lowers T until the best 20 found all reach it.
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

/** The best score there can be against `w`: the highest whole part, nearness 1, no offers lately. */
const bestScore = (w: Wanted) => highestWholePart(w) + 1;
/** The lowest score there can be: no features, no nearness, the most offers lately (6 × 0.5). */
const LOWEST_SCORE = -3;
/** How far below the best score the first round asks: most roles have many candidates close to the best. */
const FIRST_GAP = 0.02;
const GAP_GROWTH = 4;
/** Rounds short of the answer before everyone who could match is scored: few matches are to be had at all. */
const MOST_ROUNDS = 6;
const EVERYONE: Probe = { set: { skills: [], causes: [], slots: [], slotCount: 0 }, loose: null, share: 1 };

export type LooseSet = ReturnType<typeof looseSets>[number];
/**
 * One index search of a round: candidates holding `set` (or, when there are too many sets to name, answering `loose`),
 * and, for work in person, within `share` of their own travel distance (the whole of it at 1).
 */
export interface Probe { set: FeatureSet | null; loose: LooseSet | null; share: number }
/** A round: every candidate that could score `target` or more is among those the probes find. */
export interface Narrowing { target: number; probes: Probe[] }

/**
 * The probes finding everyone who could score `target` or more. A candidate of whole part q scores at most q + 1, so
 * only whole parts from `target - 1` up can; of whole part q, only those with nearness of `target - q` or more, that
 * is within 1 + q - target of their travel distance. Each holds one of the sets of its own whole part (`featureSets`).
 */
export function probesFor(w: Wanted, target: number): Probe[] {
  const probes: Probe[] = [];
  for (let q = highestWholePart(w); q >= Math.max(0, Math.ceil(target - 1)); q--) {
    const share = Math.min(1, 1 + q - target);
    const sets = featureSets(w, q);
    probes.push(...(sets ? sets.map((set) => ({ set, loose: null, share })) : looseSets(w, q).map((loose) => ({ set: null, loose, share }))));
  }
  return probes;
}

/**
 * The best `limit` matches, found round by round: `run` scores exactly every candidate a round's probes find and returns
 * the best `limit` of them. Whoever no probe found scores below the round's target, so once the `limit`-th found
 * reaches it, the answer is the full question's. The first round asks close to the best score there can be, where
 * the search is narrowest (within a fiftieth of travel distances); a round short of the answer asks four times further
 * down, or only down to the lowest of the best found, if that is higher. `atOnce`: everyone in one round (few to score).
 */
export async function bestMatches<T extends { score: number }>(w: Wanted, limit: number, atOnce: boolean, run: (narrowing: Narrowing) => Promise<T[]>): Promise<T[]> {
  let gap = FIRST_GAP;
  let target = bestScore(w) - gap;
  for (let round = 1; ; round++) {
    const everyone = atOnce || target <= LOWEST_SCORE || round > MOST_ROUNDS;
    // Everyone within reach (or remote) is one probe: no features asked, the whole travel distance.
    const rows = await run(everyone ? { target: LOWEST_SCORE, probes: [EVERYONE] } : { target, probes: probesFor(w, target) });
    const last = rows[limit - 1];
    if (everyone || (last && last.score >= target)) return rows;
    gap *= GAP_GROWTH;
    // Not below the lowest of those found (it cannot fall short there), nor further down than the next step.
    target = Math.max(LOWEST_SCORE, bestScore(w) - gap, last ? last.score : LOWEST_SCORE);
  }
}
