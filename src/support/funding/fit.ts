import { THEMES } from '../../platform/vocabulary/themes.js';
import { KNOWN_INCOME_BANDS as INCOME_BANDS, ORGANISATION_TYPES } from '../../platform/vocabulary/organisations.js';

/**
 * How well a funding opportunity fits a group, from the group's register profile: the one place the rules live, used
 * by the group's own page, the staff view of an organisation and the e-mail digests.
 *
 * Who may apply (organisation type, income band, areas) is a rule: a group that is plainly outside it is not
 * eligible, and is told why. A group whose record does not say (no type, income not known, no areas served) is not
 * ruled out on a guess: it is asked to check. Themes and deadlines only rank: a funder's themes are its priorities,
 * and a deadline close by is work to start now.
 */

export interface FitOpportunity {
  organisation_types: string[]; income_bands: string[]; themes: string[]; areas: string[]; deadline: string | null;
}
export interface FitOrganisation {
  organisation_type: string | null; income_band: string | null; themes: string[]; areas_served: string[];
}
export interface Fit {
  eligible: boolean;
  /** Higher fits better; only meaningful among eligible opportunities. */
  score: number;
  /** Why it fits, in one line: "Works on food and older people, like you; funds Northgate; closes in 12 days". */
  explanation: string;
  /** Why the group cannot apply (empty when eligible). */
  notEligible: string[];
  /** What the group should check, where its record does not say. */
  toCheck: string[];
  daysLeft: number | null;
}

/** Deadlines this close count as closing soon, in lists, ranking and digests. */
export const CLOSING_SOON_DAYS = 14;

const DAY_MS = 86_400_000;
export const daysBetween = (from: string, to: string) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
const lower = (values: string[]) => values.map((v) => v.trim().toLowerCase());
const sentenceList = (items: string[]) => items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
const labels = (codes: string[], vocabulary: Record<string, string>) => codes.map((c) => vocabulary[c] ?? c);

/** 'closes today', 'closes tomorrow', 'closes in 12 days', 'open all year (no deadline)', 'closed'. */
export function deadlineWords(deadline: string | null, today: string): string {
  if (!deadline) return 'open all year (no deadline)';
  const days = daysBetween(today, deadline);
  if (days < 0) return 'closed';
  if (days === 0) return 'closes today';
  return days === 1 ? 'closes tomorrow' : `closes in ${days} days`;
}

function whoMayApply(o: FitOpportunity, g: FitOrganisation, notEligible: string[], toCheck: string[]): number {
  let score = 0;
  if (o.organisation_types.length) {
    const allowed = sentenceList(labels(o.organisation_types, ORGANISATION_TYPES).map((l) => l.toLowerCase()));
    if (!g.organisation_type) toCheck.push(`open to ${allowed} only: your record does not say what kind of organisation you are`);
    else if (!o.organisation_types.includes(g.organisation_type)) notEligible.push(`open to ${allowed} only`);
    else score += 1;
  }
  if (o.income_bands.length) {
    const allowed = sentenceList(labels(o.income_bands, INCOME_BANDS));
    if (!g.income_band || g.income_band === 'unknown') toCheck.push(`for groups with an income of ${allowed}: your record does not give your income`);
    else if (!o.income_bands.includes(g.income_band)) notEligible.push(`for groups with an income of ${allowed} only`);
    else score += 1;
  }
  return score;
}

export function fitOf(o: FitOpportunity, g: FitOrganisation, today: string): Fit {
  const notEligible: string[] = [];
  const toCheck: string[] = [];
  const because: string[] = [];
  let score = whoMayApply(o, g, notEligible, toCheck);

  const common = o.themes.filter((t) => g.themes.includes(t));
  if (common.length) {
    because.push(`Works on ${sentenceList(labels(common, THEMES).map((l) => l.toLowerCase()))}, like you`);
    score += 3 * common.length;
  }

  if (o.areas.length) {
    const served = new Set(lower(g.areas_served));
    const shared = o.areas.filter((a) => served.has(a.trim().toLowerCase()));
    if (shared.length) {
      because.push(`funds ${sentenceList(shared)}`);
      score += 2;
    } else if (g.areas_served.length) notEligible.push(`funds only in ${sentenceList(o.areas)}`);
    else toCheck.push(`funds only in ${sentenceList(o.areas)}: your record does not say where you work`);
  }

  const daysLeft = o.deadline ? daysBetween(today, o.deadline) : null;
  if (daysLeft !== null && daysLeft < 0) notEligible.push('closed');
  else if (daysLeft !== null && daysLeft <= CLOSING_SOON_DAYS) score += 2;
  else if (daysLeft !== null && daysLeft <= 30) score += 1;
  because.push(deadlineWords(o.deadline, today));

  const explanation = because.join('; ');
  return { eligible: notEligible.length === 0, score, explanation: explanation[0]!.toUpperCase() + explanation.slice(1), notEligible, toCheck, daysLeft };
}

/** Opportunities in order of fit: best first, then the deadline soonest, rolling programmes last. */
export function rankByFit<T extends FitOpportunity>(opportunities: T[], g: FitOrganisation, today: string): { eligible: (T & { fit: Fit })[]; notEligible: (T & { fit: Fit })[] } {
  const all = opportunities.map((o) => ({ ...o, fit: fitOf(o, g, today) }));
  const order = (a: { fit: Fit }, b: { fit: Fit }) => b.fit.score - a.fit.score || (a.fit.daysLeft ?? 1e9) - (b.fit.daysLeft ?? 1e9);
  return { eligible: all.filter((o) => o.fit.eligible).sort(order), notEligible: all.filter((o) => !o.fit.eligible).sort(order) };
}
