import { HEALTH_QUESTIONS, MAX_SCORE } from './form.js';

interface Check { stage: 'before' | 'after'; answers: Record<string, number>; score: number; assessed_on: string }

const signed = (n: number) => (n > 0 ? `+${n}` : String(n));

/**
 * The latest check before support beside the latest after it: each question's level then and now and the change, and
 * the totals. Null when there is no check yet; `after` null while support has not been checked again.
 */
export function comparison(checks: Check[]) {
  const latest = (stage: 'before' | 'after') => checks.filter((c) => c.stage === stage).at(-1) ?? null;
  const before = latest('before');
  const after = latest('after');
  if (!before && !after) return null;
  const answer = (c: Check | null, code: string) => (c && typeof c.answers[code] === 'number' ? c.answers[code] : null);
  return {
    before: before ? { on: before.assessed_on, score: before.score } : null,
    after: after ? { on: after.assessed_on, score: after.score } : null,
    max: MAX_SCORE,
    change: before && after ? signed(after.score - before.score) : null,
    rows: HEALTH_QUESTIONS.map((q) => {
      const b = answer(before, q.code);
      const a = answer(after, q.code);
      return {
        area: q.area, before: b === null ? '' : `${b} – ${q.levels[b]}`, after: a === null ? '' : `${a} – ${q.levels[a]}`,
        change: a !== null && b !== null ? signed(a - b) : '',
      };
    }),
  };
}
