import type { SpendRow } from './repository.js';
import { penceOf, penceText } from '../../platform/money.js';

const LONG = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
/** '1 Apr 2026' from 'YYYY-MM-DD', the calendar day as it is (no zone can move it). */
export const dayText = (day: string) => LONG.format(new Date(`${day}T00:00:00Z`));
export const periodText = (from: string, to: string) => `${dayText(from)} to ${dayText(to)}`;
export const daysIn = (from: string, to: string) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1;

/** The entries as the list shows them: each with the other entries whose period shares a day with its own. */
export function spendRows(rows: SpendRow[]) {
  return rows.map((r) => ({
    id: r.id, period: periodText(r.period_start, r.period_end), days: daysIn(r.period_start, r.period_end), amount: penceText(penceOf(r.amount)),
    description: r.description ?? '', enteredBy: r.entered_by ?? '',
    overlaps: rows.filter((o) => o.id !== r.id && o.period_start <= r.period_end && o.period_end >= r.period_start).map((o) => periodText(o.period_start, o.period_end)),
  }));
}

export const totalText = (rows: SpendRow[]) => penceText(rows.reduce((sum, r) => sum + penceOf(r.amount), 0));
