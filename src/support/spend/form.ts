import { FormErrors, checkText, str } from '../../platform/http/forms.js';
import { readDate } from '../../platform/validation/dates.js';
import { penceOf, penceText, readMoney } from '../../platform/money.js';

const FIELDS = ['start-day', 'start-month', 'start-year', 'end-day', 'end-month', 'end-year', 'amount', 'description'] as const;
export type SpendValues = Record<(typeof FIELDS)[number], string>;
export const spendValues = (body: unknown): SpendValues => Object.fromEntries(FIELDS.map((f) => [f, str(body, f)])) as SpendValues;

/** What an entry holds, as the form shows it again when it is changed. */
export function valuesOfEntry(e: { period_start: string; period_end: string; amount: string; description: string | null }): SpendValues {
  const [sy, sm, sd] = e.period_start.split('-');
  const [ey, em, ed] = e.period_end.split('-');
  return {
    'start-day': String(Number(sd)), 'start-month': String(Number(sm)), 'start-year': sy!,
    'end-day': String(Number(ed)), 'end-month': String(Number(em)), 'end-year': ey!,
    amount: penceText(penceOf(e.amount)).slice(1), description: e.description ?? '',
  };
}

export interface SpendAnswer { periodStart: string; periodEnd: string; pence: number; description: string | null }

/** A spend entry over £100 million is a typing slip, not a CVS's spend on support. */
export const MAX_PENCE = 100_000_000 * 100;

/** Spend as typed, read by the one money rule (platform/money.ts), as whole pence with spend's own limits. */
export function parsePounds(typed: string): { pence: number } | { problem: string } {
  const value = typed.trim();
  if (!value || value === '£') return { problem: 'Enter the amount spent, in pounds' };
  if (/^£?\s*[-−]/.test(value)) return { problem: 'The amount must be more than £0' };
  const decimal = readMoney(value);
  if (decimal === null) return /^£?\s*\d{13,}(\.\d{1,2})?$/.test(value.replaceAll(',', '')) ? { problem: 'The amount must be less than £100,000,000' }
    : { problem: 'Enter the amount in pounds and pence, like 7,500 or 7500.50' };
  const pence = penceOf(decimal);
  if (pence === 0) return { problem: 'The amount must be more than £0' };
  if (pence >= MAX_PENCE) return { problem: 'The amount must be less than £100,000,000' };
  return { pence };
}

/**
 * A period of spend (both days included) and its amount. Periods may overlap another entry's (a grant-funded post
 * and the core budget for the same quarter, say): the list shows the overlap, so it is a choice, not a slip.
 */
export function readSpend(v: SpendValues): { errors: FormErrors; answer?: SpendAnswer } {
  const errors = new FormErrors();
  const periodStart = readDate(errors, 'start', { day: v['start-day'], month: v['start-month'], year: v['start-year'] }, 'the start of the period', { required: true });
  const periodEnd = readDate(errors, 'end', { day: v['end-day'], month: v['end-month'], year: v['end-year'] }, 'the end of the period', { required: true });
  if (periodStart && periodEnd && periodEnd < periodStart) errors.add('end-day', 'The end of the period must be the same as or after its start');
  if ((periodStart && periodStart > '2199-12-31') || (periodEnd && periodEnd > '2199-12-31')) errors.add('end-day', 'The period must end before 2200');
  const amount = parsePounds(v.amount);
  if ('problem' in amount) errors.add('amount', amount.problem);
  checkText(errors, 'description', v.description, 'what the spend was', 500, false);
  if (errors.any || !periodStart || !periodEnd || 'problem' in amount) return { errors };
  return { errors, answer: { periodStart, periodEnd, pence: amount.pence, description: v.description || null } };
}
