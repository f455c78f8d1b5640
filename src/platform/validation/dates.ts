import type { FormErrors } from '../http/forms.js';

/**
 * Reads a day typed as YYYY-MM-DD (what a date input sends) or D/M/YYYY (what people type in the UK) as
 * "YYYY-MM-DD"; null when it is not a real day between 1900 and 2200.
 */
export function parseDay(value: string): string | null {
  let y: number, m: number, d: number;
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(value);
  const uk = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(value);
  if (iso) [y, m, d] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  else if (uk) [d, m, y] = [Number(uk[1]), Number(uk[2]), Number(uk[3])];
  else return null;
  const date = new Date(Date.UTC(y, m - 1, d));
  if (y < 1900 || y > 2200 || date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return null;
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** The start of a day read by parseDay, as a UTC instant. */
export function startOfDay(day: string): Date {
  return new Date(`${day}T00:00:00Z`);
}

/** The day it is in England at this instant, as "YYYY-MM-DD": the day a change to a record is dated by. */
// Made once: building a formatter costs far more than using one, and counting working days calls this in a loop.
const LONDON_DAY = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' });

export function londonDay(at: Date): string {
  const parts = LONDON_DAY.formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)!.value;
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/**
 * A calendar date from the three boxes of a date input, as "YYYY-MM-DD"; `label` names it in messages. Errors point
 * at the first box (`${field}-day`), as the GOV.UK date input pattern asks. `notAfter` is an instant: the day it is
 * in England then is the last day allowed (just after midnight in summer, "today" is already the next day).
 */
export function readDate(errors: FormErrors, field: string, parts: { day: string; month: string; year: string }, label: string, rule: { required: boolean; notAfter?: Date; notBefore?: Date }): string | null {
  const { day, month, year } = parts;
  if (!day && !month && !year) {
    if (rule.required) errors.add(`${field}-day`, `Enter ${label}`);
    return null;
  }
  const example = rule.notAfter ? '27 3 1980' : '27 3 2026';
  if (!/^\d{1,2}$/.test(day) || !/^\d{1,2}$/.test(month) || !/^\d{4}$/.test(year)) {
    errors.add(`${field}-day`, `${label[0]!.toUpperCase()}${label.slice(1)} must be a real date, like ${example}`);
    return null;
  }
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  if (date.getUTCDate() !== Number(day) || date.getUTCMonth() !== Number(month) - 1 || Number(year) < 1900) {
    errors.add(`${field}-day`, `${label[0]!.toUpperCase()}${label.slice(1)} must be a real date, like ${example}`);
    return null;
  }
  const iso = date.toISOString().slice(0, 10);
  if (rule.notAfter && iso > londonDay(rule.notAfter)) errors.add(`${field}-day`, `${label[0]!.toUpperCase()}${label.slice(1)} must be today or in the past`);
  else if (rule.notBefore && date < rule.notBefore) errors.add(`${field}-day`, `${label[0]!.toUpperCase()}${label.slice(1)} must be after ${rule.notBefore.getUTCFullYear()}`);
  return iso;
}
