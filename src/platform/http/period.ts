import { FormErrors, str } from './forms.js';
import { parseDay } from '../validation/dates.js';

/** A reporting period, both days included, as "YYYY-MM-DD". */
export interface Period { from: string; to: string }

/**
 * The period of a report from its `from` and `to` query fields (typed as 1/4/2026 or 2026-04-01), each defaulting
 * when left empty; the errors point at the field, so the report page re-renders with its summary.
 */
export function readPeriod(query: unknown, defaults: Period): { period: Period | null; errors: FormErrors; values: Period } {
  const values = { from: str(query, 'from') || defaults.from, to: str(query, 'to') || defaults.to };
  const errors = new FormErrors();
  const from = parseDay(values.from);
  const to = parseDay(values.to);
  if (!from) errors.add('from', 'Enter the start of the period as a real date, like 1/4/2025');
  if (!to) errors.add('to', 'Enter the end of the period as a real date, like 31/3/2026');
  if (from && to && to < from) errors.add('to', 'The end of the period must be the same as or after its start');
  return { period: errors.any ? null : { from: from!, to: to! }, errors, values };
}
