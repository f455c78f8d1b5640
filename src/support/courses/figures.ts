import { londonDay } from '../../platform/validation/dates.js';
import type { Period } from '../../platform/http/period.js';

/** The UK financial year so far (from 1 April): the period funders ask LIOs to report training by. */
export function financialYear(now: Date): Period {
  const today = londonDay(now);
  const year = Number(today.slice(0, 4));
  const startYear = today.slice(5) >= '04-01' ? year : year - 1;
  return { from: `${startYear}-04-01`, to: today };
}
