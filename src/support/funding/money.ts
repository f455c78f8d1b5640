/**
 * Amounts of money as the sector writes them ('£1,500', '2500.50', '£10k' is not one) read into the exact decimal
 * text PostgreSQL's numeric keeps ('1500.00'), and shown back as pounds with commas. Never a float: 0.1 + 0.2 pence
 * must not drift in a funder's total.
 */

const AMOUNT = /^£?\s*(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?$/;

/** The decimal text of an amount typed in a form or read from a file; null when it is not an amount of money. */
export function parseMoney(text: string): string | null {
  const found = AMOUNT.exec(text.trim());
  if (!found) return null;
  const pounds = found[1]!.replaceAll(',', '').replace(/^0+(?=\d)/, '');
  if (pounds.length > 12) return null;
  return `${pounds}.${(found[2] ?? '').padEnd(2, '0')}`;
}

/** An amount from a JSON number: exact when the number has at most two decimal places, as money does. */
export function moneyOfNumber(n: number): string | null {
  if (!Number.isFinite(n) || n < 0 || n >= 1e13) return null;
  const fixed = n.toFixed(2);
  return Math.abs(Number(fixed) - n) < 1e-9 ? fixed : null;
}

/** '£1,500' for whole pounds, '£1,500.50' otherwise; '' for none. Works on the exact decimal text, never a float. */
export function formatMoney(amount: string | null | undefined): string {
  if (amount === null || amount === undefined || amount === '') return '';
  const [pounds = '0', pence = ''] = String(amount).split('.');
  const withCommas = pounds.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return pence && !/^0*$/.test(pence) ? `£${withCommas}.${pence.padEnd(2, '0').slice(0, 2)}` : `£${withCommas}`;
}

/** 'from £500 to £5,000', 'up to £5,000', 'from £500', or '' when the funder gives no amounts. */
export function amountRange(min: string | null, max: string | null): string {
  if (min && max) return min === max ? formatMoney(min) : `${formatMoney(min)} to ${formatMoney(max)}`;
  if (max) return `up to ${formatMoney(max)}`;
  if (min) return `from ${formatMoney(min)}`;
  return '';
}
