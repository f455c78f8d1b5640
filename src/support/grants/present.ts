import { moneyText } from '../../platform/money.js';

const longDate = (day: string) => new Date(`${day}T12:00:00Z`).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'Europe/London' });

/** An amount in its currency: pounds with commas, another currency by its code. */
export const amountText = (amount: string, currency: string) => (currency === 'GBP' ? moneyText(amount) : `${currency} ${moneyText(amount).slice(1)}`);

export const funderHref = (identifier: string) => `/support/grants/funders/${encodeURIComponent(identifier)}`;

export function grantView(g: { title: string; amount_awarded: string; currency: string; award_date: string; grant_programme: string | null }) {
  return { title: g.title, amount: amountText(g.amount_awarded, g.currency), date: longDate(g.award_date), programme: g.grant_programme ?? '' };
}

export const IMPORT_STATUSES: Record<string, string> = { queued: 'Waiting to start', running: 'Running', imported: 'Imported', rejected: 'Refused' };
export const FORMATS: Record<string, string> = { json: '360Giving JSON', xlsx: 'Spreadsheet (.xlsx)', csv: 'CSV' };
