/**
 * Money, one rule for the whole app. Amounts are read as people type them ('£1,250.50', '1250.5', '£300') exactly,
 * never through floating point, into the decimal text PostgreSQL's numeric keeps ('1250.50') or whole pence; and shown
 * back as pounds with commas. Commas only where thousands are grouped: '1,2,3' could mean 123 or 1.23, so it is
 * refused rather than guessed.
 */

const AMOUNT = /^£?\s*(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?$/;
/** numeric(14, 2) holds 12 digits of pounds; no amount the sector handles comes near. */
const MAX_POUND_DIGITS = 12;

/** The decimal text of an amount typed in a form or read from a file ('1250.50'); null when it is not an amount of money. */
export function readMoney(typed: string): string | null {
  const found = AMOUNT.exec(typed.trim());
  if (!found) return null;
  const pounds = found[1]!.replaceAll(',', '').replace(/^0+(?=\d)/, '');
  if (pounds.length > MAX_POUND_DIGITS) return null;
  return `${pounds}.${(found[2] ?? '').padEnd(2, '0')}`;
}

/** An amount from a JSON number: exact when the number has at most two decimal places, as money does. */
export function moneyOfNumber(n: number): string | null {
  if (!Number.isFinite(n) || n < 0 || n >= 10 ** MAX_POUND_DIGITS) return null;
  const fixed = n.toFixed(2);
  return Math.abs(Number(fixed) - n) < 1e-9 ? fixed : null;
}

/** Whole pence of a numeric column read as text ('7500.50', '-3.2', '12'), without floating point. */
export function penceOf(decimal: string | number | null): number {
  if (decimal === null) return 0;
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(String(decimal).trim());
  if (!m) throw new Error('Not an amount of money');
  // Sub-penny digits (a sum of apportioned amounts never has them: each is rounded to the penny in SQL) round half up.
  const fraction = (m[3] ?? '').padEnd(3, '0');
  const pence = Number(m[2]) * 100 + Number(fraction.slice(0, 2)) + (Number(fraction[2]) >= 5 ? 1 : 0);
  return m[1] ? -pence : pence;
}

/** Whole pence as a numeric column takes them: '7500.50'. */
export function decimalOf(pence: number): string {
  const sign = pence < 0 ? '-' : '';
  const whole = Math.abs(pence);
  return `${sign}${Math.trunc(whole / 100)}.${String(whole % 100).padStart(2, '0')}`;
}

/** '£1,500' for whole pounds, '£1,500.50' otherwise; '' for none. Works on the exact decimal text, never a float. */
export function moneyText(amount: string | null | undefined): string {
  if (amount === null || amount === undefined || amount === '') return '';
  const [signed = '0', pence = ''] = String(amount).split('.');
  const negative = signed.startsWith('-');
  const withCommas = signed.replace(/^-/, '').replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const shown = pence && !/^0*$/.test(pence) ? `£${withCommas}.${pence.padEnd(2, '0').slice(0, 2)}` : `£${withCommas}`;
  return negative ? `-${shown}` : shown;
}

/** Pence in pounds and pence, always both, as an account shows them: '£7,500.00', '£12.50'. */
export function penceText(pence: number): string {
  const whole = Math.trunc(Math.abs(pence) / 100).toLocaleString('en-GB');
  return `${pence < 0 ? '-' : ''}£${whole}.${String(Math.abs(pence) % 100).padStart(2, '0')}`;
}
