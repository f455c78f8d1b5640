/*
 * Finding the best matches without scoring everyone. A match's score is its whole part (3 a skill in common, 2 a cause,
 * 1 a slot of availability up to 3) plus nearness (0 to 1, 1 - distance / travel distance; remote work 1) less the
 * fair-spreading penalty (0 to 3). So a candidate of whole part q reaches a score T only within 1 + q - T of their
 * travel distance: the search estimates T from how common the wanted features are, asks the database for the
 * candidates that hold enough of them and live near enough to reach T (by the features' index or by place, migration
 * 034, whichever reads less), scores them exactly, and lowers T until the best 20 found all reach it.
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
export const slotCap = (w: Wanted) => (w.anyTime ? MOST_SLOTS : Math.min(w.slots.length, MOST_SLOTS));

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
const EVERYONE: Probe = { set: { skills: [], causes: [], slots: [], slotCount: 0 }, loose: null, share: 1 };

export type LooseSet = ReturnType<typeof looseSets>[number];
/**
 * One index search by features: candidates holding `set` (or, when there are too many sets to name, answering
 * `loose`). `share` is how far within their travel distance the search must reach for them (1: all of it).
 */
export interface Probe { set: FeatureSet | null; loose: LooseSet | null; share: number }
/**
 * A round: every candidate that could score `target` or more is among those found. `byFeatures`: searches by features
 * wherever the candidates are; `nearShare`: those within that share of their travel distance, read by place (0: none);
 * `remote`: searches by features among those working remotely; `remoteFirst`: instead, how many of those working
 * remotely who hold every wanted feature and were offered nothing lately to read in order of id (0: none), when only
 * they can reach the target.
 */
export interface Narrowing { target: number; byFeatures: Probe[]; nearShare: number; remote: Probe[]; remoteFirst: number }

/** A search by features may find this many times as many as its whole set holds, or this many, for fewer keys. */
const LOOSER = 3;
const FEW = 300;

/**
 * A set's rarest features, enough to find not many more than the whole set would: the index then checks fewer keys
 * (common ones cost most) for each candidate, and those few it no longer excludes are scored and ranked with the rest,
 * so the answer is the same.
 */
function rarest(set: FeatureSet, w: Wanted, shares: PoolShares): FeatureSet {
  const shareOf = (kind: 'skills' | 'causes' | 'slots', code: string) => shares[kind][w[kind].indexOf(code)] ?? 1;
  const features = [
    ...set.skills.map((code) => ({ kind: 'skills' as const, code, share: shareOf('skills', code) })),
    ...set.causes.map((code) => ({ kind: 'causes' as const, code, share: shareOf('causes', code) })),
    ...set.slots.map((code) => ({ kind: 'slots' as const, code, share: shareOf('slots', code) })),
    ...(set.slotCount > 0 ? [{ kind: 'slotCount' as const, code: '', share: shares.atLeastSlots[set.slotCount - 1] ?? 1 }] : []),
  ].sort((a, b) => a.share - b.share);
  const whole = features.reduce((p, f) => p * f.share, 1);
  const enough = Math.max(LOOSER * whole, FEW / Math.max(shares.volunteers, 1));
  const kept: typeof features = [];
  let found = 1;
  for (const f of features) {
    if (kept.length > 0 && found <= enough) break;
    kept.push(f);
    found *= f.share;
  }
  const codes = (kind: 'skills' | 'causes' | 'slots') => kept.filter((f) => f.kind === kind).map((f) => f.code);
  return { skills: codes('skills'), causes: codes('causes'), slots: codes('slots'), slotCount: kept.some((f) => f.kind === 'slotCount') ? set.slotCount : 0 };
}

/** The searches by features finding everyone of whole part `q` or more (among others, scored alike). */
const probesAt = (w: Wanted, q: number, shares: PoolShares): Probe[] =>
  featureSets(w, q)?.map((set) => ({ set: rarest(set, w, shares), loose: null, share: 1 })) ?? looseSets(w, q).map((loose) => ({ set: null, loose, share: 1 }));

/**
 * How common each wanted feature is among the pool (shares from 0 to 1, in the order of `Wanted`), how common
 * "at least n slots" is (n = 1, 2, 3), and the shares holding the DBS level asked for and working remotely.
 */
export interface PoolShares { volunteers: number; skills: number[]; causes: number[]; slots: number[]; atLeastSlots: number[]; vetted: number; remote: number }

/**
 * Shares to estimate with before the pool has statistics (no ANALYZE has run yet: PGlite has no autovacuum): a
 * feature held by one in five, a DBS check by one in five, remote work by one in six. A wrong estimate costs rounds,
 * never the answer.
 */
export function guessedShares(volunteers: number, w: Wanted, vetting: boolean): PoolShares {
  return {
    volunteers, skills: w.skills.map(() => 0.2), causes: w.causes.map(() => 0.2), slots: w.slots.map(() => 0.2),
    atLeastSlots: [0.7, 0.4, 0.2], vetted: vetting ? 0.2 : 1, remote: 1 / 6,
  };
}

/** The whole parts' spread among the pool, feature by feature as if each were held independently: P(whole part = q). */
export function wholePartSpread(w: Wanted, shares: PoolShares): number[] {
  let spread = [1];
  const add = (points: number, chance: number) => {
    const next = new Array<number>(spread.length + points).fill(0);
    spread.forEach((p, q) => { next[q] = next[q]! + p * (1 - chance); next[q + points] = next[q + points]! + p * chance; });
    spread = next;
  };
  w.skills.forEach((_s, i) => add(SKILL_POINTS, shares.skills[i] ?? 1));
  w.causes.forEach((_c, i) => add(CAUSE_POINTS, shares.causes[i] ?? 1));
  // Slots count up to three: the spread of how many are in common, then capped.
  let slots = [1];
  if (w.anyTime) {
    const [a1 = 1, a2 = 1, a3 = 1] = shares.atLeastSlots;
    slots = [1 - a1, a1 - a2, a2 - a3, a3].map((p) => Math.max(0, p));
  } else {
    for (const [i] of w.slots.entries()) {
      const f = shares.slots[i] ?? 1;
      slots = [...slots, 0].map((p, k) => p * (1 - f) + (k > 0 ? slots[k - 1]! * f : 0));
    }
  }
  const capped = [0, 0, 0, 0];
  slots.forEach((p, k) => { capped[Math.min(k, MOST_SLOTS)] = capped[Math.min(k, MOST_SLOTS)]! + p; });
  const out = new Array<number>(spread.length + MOST_SLOTS).fill(0);
  spread.forEach((p, q) => capped.forEach((c, k) => { out[q + k] = out[q + k]! + p * c; }));
  return out;
}

/**
 * Of the pool, the share within `share` of their travel distance of a role (1: within reach at all), as measured on
 * the benchmark's LIO (bench/volunteer-matching.ts): people live in and around a few towns, so the share grows faster
 * than the area of a circle would say, and a role is out of reach of about half of them.
 */
const withinShare = (share: number) => Math.min(0.53, Math.pow(share, 1.15));
/** How many the estimated threshold aims to find, for twenty: the estimate is rough. */
const AIM = 60;
/**
 * The relative cost of a candidate found by features (its row read where the index points, about 6 µs, and judged there:
 * migration 042) and of an index entry read by place (the search by place reads everyone in its box, judging them in
 * the index, about 1 µs), measured on the benchmark's LIO. Each search by features also reads the whole index lists
 * of the features it asks for, 5–20 ms for common ones: about a hundredth of reading the whole pool by place. For a
 * role needing a DBS check, the search by place reads only those holding one (042).
 */
const COST_BY_FEATURES = 5;
const COST_BY_PLACE = 1;
const COST_OF_SEARCH = 0.01;
/** Rounds short of the answer before everyone who could match is scored. */
const MOST_ROUNDS = 3;

/**
 * How many of the pool would score `target` or more, estimated: those in reach of whole part q with nearness of
 * `target - q` or more (`withinShare` of 1 - (target - q): the pool is not spread evenly around a role), and remote
 * workers of whole part `target - 1` or more (nearness 1). Offers lately are left out, so it errs high.
 */
function expectedAtLeast(target: number, spread: number[], shares: PoolShares, remoteRole: boolean, inPersonRole: boolean): number {
  let found = 0;
  spread.forEach((p, q) => {
    const x = target - q;
    if (inPersonRole) found += p * (x <= 0 ? withinShare(1) : x >= 1 ? 0 : withinShare(1 - x));
    if (remoteRole && x <= 1) found += p * shares.remote;
  });
  return found * shares.volunteers * shares.vetted;
}

/** The highest threshold (to a hundredth) at which about `aim` are expected to score that or more. */
export function estimatedThreshold(w: Wanted, shares: PoolShares, aim: number, remoteRole: boolean, inPersonRole: boolean): number {
  const spread = wholePartSpread(w, shares);
  for (let t = bestScore(w) - 0.01; t > LOWEST_SCORE; t = Math.round((t - 0.01) * 100) / 100) {
    if (expectedAtLeast(t, spread, shares, remoteRole, inPersonRole) >= aim) return t;
  }
  return LOWEST_SCORE;
}

/**
 * The cheapest way to find everyone who could score `target`: the whole parts from some q up by their features
 * (wherever they live: worth it when few hold them), those below within the share of travel distance they need by
 * place. Whole parts with too many sets of features to name are always left to the search by place.
 */
export function narrowingFor(w: Wanted, target: number, shares: PoolShares, remoteRole: boolean, inPersonRole: boolean): Narrowing {
  const spread = wholePartSpread(w, shares);
  const highest = highestWholePart(w);
  const lowest = Math.max(0, Math.ceil(target - 1));
  const remote = remoteRole ? probesAt(w, lowest, shares) : [];
  if (!inPersonRole) return { target, byFeatures: [], nearShare: 0, remote, remoteFirst: 0 };
  let best: { cost: number; from: number } = { cost: Infinity, from: highest + 1 };
  for (let from = highest + 1; from >= lowest; from--) {
    const sets = from <= highest ? featureSets(w, from) : [];
    if (sets === null) break;
    const held = spread.slice(from).reduce((a, b) => a + b, 0);
    const share = from > lowest ? Math.min(1, from - target) : 0;
    const cost = COST_BY_FEATURES * held * shares.vetted + COST_OF_SEARCH * sets.length + COST_BY_PLACE * (share > 0 ? withinShare(share) : 0) * shares.vetted;
    if (cost < best.cost) best = { cost, from };
  }
  const byFeatures = best.from <= highest ? probesAt(w, best.from, shares) : [];
  return { target, byFeatures, nearShare: best.from > lowest ? Math.min(1, best.from - target) : 0, remote, remoteFirst: 0 };
}

/** What a round found, and of a read of remote volunteers in order of id, how many it read and the last id. */
export interface RoundFound<T> { rows: T[]; remoteRead: number; remoteLastId: string | null }

/**
 * Whether a round's rows are the answer. Whoever it did not find scores below its target; but with `remoteFirst`,
 * remote volunteers past the last id read may tie with the best score there can be and come before others by id, so
 * unless the read ran out, the `limit`-th must have that score and come before the last id read.
 */
function answered<T extends { score: number; volunteer_id: string }>(found: RoundFound<T>, narrowing: Narrowing, limit: number, best: number): boolean {
  const last = found.rows[limit - 1];
  if (!last || last.score < narrowing.target) return false;
  if (narrowing.remoteFirst === 0 || found.remoteRead < narrowing.remoteFirst) return true;
  return last.score >= best - 1e-9 && found.remoteLastId !== null && last.volunteer_id <= found.remoteLastId;
}

/**
 * What the next round aims to find. A round that found fewer than `limit` found everyone it could (not just the best
 * `limit`): the estimate erred high by about `expected()` over that number, so the next aims for AIM corrected by as
 * much, where it would otherwise aim for eight times as many as before (and, once the estimate reaches a lower whole
 * part, read thousands who are all within reach). Never more than eight times as many; the rounds are still at most
 * MOST_ROUNDS before everyone who could match is scored.
 */
function nextAim(aim: number, foundCount: number, limit: number, narrowing: Narrowing, expected: () => number): number {
  if (foundCount === 0 || foundCount >= limit || narrowing.remoteFirst > 0) return aim * 8;
  return Math.min(aim * 8, Math.max(AIM, (AIM * expected()) / foundCount));
}

/**
 * The best `limit` matches: `run` scores exactly every candidate a round finds and returns the best `limit` of them.
 * Whoever a round did not find scores below its target, so once the `limit`-th found reaches it, the answer is the full
 * question's (see `answered`). The first round's target is estimated from how common the wanted features are
 * (`shares`); a round short of the answer aims to find eight times as many, or goes down to the lowest of those found,
 * if that is lower; after MOST_ROUNDS everyone who could match is scored. `atOnce`: everyone in
 * one round (few to score). For remote work whose target only the best score there can be reaches, the first round
 * reads remote volunteers in order of id, as many as twice `limit`.
 */
export async function bestMatches<T extends { score: number; volunteer_id: string }>(w: Wanted, limit: number, atOnce: boolean, shares: PoolShares,
  role: { remote: boolean; inPerson: boolean }, run: (narrowing: Narrowing) => Promise<RoundFound<T>>): Promise<T[]> {
  let aim = Math.max(AIM, 3 * limit);
  let target = estimatedThreshold(w, shares, aim, role.remote, role.inPerson);
  for (let round = 1; ; round++) {
    const everyone = atOnce || target <= LOWEST_SCORE || round > MOST_ROUNDS;
    let narrowing: Narrowing = everyone
      ? { target: LOWEST_SCORE, byFeatures: [], nearShare: role.inPerson ? 1 : 0, remote: role.remote ? [EVERYONE] : [], remoteFirst: 0 }
      : narrowingFor(w, target, shares, role.remote, role.inPerson);
    // Above the best score less half an offer, only those holding every feature and offered nothing lately reach it.
    if (!everyone && round === 1 && role.remote && target > bestScore(w) - 0.5) narrowing = { ...narrowing, remote: [], remoteFirst: 2 * limit };
    const found = await run(narrowing);
    if (everyone || answered(found, narrowing, limit, bestScore(w))) return found.rows;
    const last = found.rows[limit - 1];
    aim = nextAim(aim, found.rows.length, limit, narrowing, () => expectedAtLeast(target, wholePartSpread(w, shares), shares, role.remote, role.inPerson));
    const lower = estimatedThreshold(w, shares, aim, role.remote, role.inPerson);
    target = Math.min(target - 0.05, Math.max(lower, last ? last.score : LOWEST_SCORE));
  }
}
