import { FormErrors, checkText, str } from '../../platform/http/forms.js';
import { readDate } from '../../platform/validation/dates.js';

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
    amount: poundsText(penceOf(e.amount)).slice(1), description: e.description ?? '',
  };
}

export interface SpendAnswer { periodStart: string; periodEnd: string; pence: number; description: string | null }

/** A spend entry over £100 million is a typing slip, not a CVS's spend on support. */
export const MAX_PENCE = 100_000_000 * 100;

/**
 * An amount of money as people type it ('£7,500', '7500.50', '1,250.5') read exactly, as whole pence: never through
 * floating point, so '0.10' + '0.20' stays 30p. Commas only where thousands are grouped ('1,2,3' is refused, since it
 * could mean 123 or 1.23 and the sum must not be a guess).
 */
export function parsePounds(typed: string): { pence: number } | { problem: string } {
  const value = typed.trim().replace(/^£\s*/, '');
  if (!value) return { problem: 'Enter the amount spent, in pounds' };
  if (/^[-−]/.test(value)) return { problem: 'The amount must be more than £0' };
  const m = /^(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?$/.exec(value);
  if (!m) return { problem: 'Enter the amount in pounds and pence, like 7,500 or 7500.50' };
  const whole = m[1]!.replaceAll(',', '');
  if (whole.length > 12) return { problem: 'The amount must be less than £100,000,000' };
  const pence = Number(whole) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
  if (pence === 0) return { problem: 'The amount must be more than £0' };
  if (pence >= MAX_PENCE) return { problem: 'The amount must be less than £100,000,000' };
  return { pence };
}

/** Whole pence from a numeric column read as text ('7500.50', '-3.2', '12'), without floating point. */
export function penceOf(decimal: string | number | null): number {
  if (decimal === null) return 0;
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(String(decimal).trim());
  if (!m) throw new Error('Not an amount of money');
  // Sub-penny digits (a sum of apportioned amounts never has them: each is rounded to the penny in SQL) round half up.
  const fraction = (m[3] ?? '').padEnd(3, '0');
  const pence = Number(m[2]) * 100 + Number(fraction.slice(0, 2)) + (Number(fraction[2]) >= 5 ? 1 : 0);
  return m[1] ? -pence : pence;
}

/** Whole pence as the numeric column takes them: '7500.50'. */
export const decimalOf = (pence: number) => `${Math.trunc(pence / 100)}.${String(pence % 100).padStart(2, '0')}`;

/** '£7,500.50' */
export function poundsText(pence: number): string {
  const whole = Math.trunc(Math.abs(pence) / 100).toLocaleString('en-GB');
  return `${pence < 0 ? '-' : ''}£${whole}.${String(Math.abs(pence) % 100).padStart(2, '0')}`;
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
