import { moneyText } from '../../platform/money.js';

/** 'from £500 to £5,000', 'up to £5,000', 'from £500', or '' when the funder gives no amounts. */
export function amountRange(min: string | null, max: string | null): string {
  if (min && max) return min === max ? moneyText(min) : `${moneyText(min)} to ${moneyText(max)}`;
  if (max) return `up to ${moneyText(max)}`;
  if (min) return `from ${moneyText(min)}`;
  return '';
}
