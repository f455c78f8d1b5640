import { isPhoneNumber, parseAmount } from '../services/form.js';
import { normalisePostcode } from '../../platform/validation/postcodes.js';

/**
 * The parts of a service a spreadsheet user sees and edits in one cell each, one item per line: its categories
 * (taxonomy term codes), its venues (address with the postcode last), its phone numbers and its costs.
 * Each is written so that the same text read back matches what is held, and unchanged items keep every detail
 * the spreadsheet does not show (a venue's map position and accessibility notes, a cost's dates).
 */

export interface VenueParts { name: string | null; address_1: string | null; address_2: string | null; city: string | null; postal_code: string | null }
export interface CostParts { option: string; amount: number | null }

/** "St Mary’s Hall, 12 High Street, Riverside, RV1 2AB": the parts the venue has, postcode last. */
export function venueText(v: VenueParts): string {
  return [v.name, v.address_1, v.address_2, v.city, v.postal_code].map((p) => p?.trim()).filter(Boolean).join(', ');
}

export const venueKey = (text: string) => text.toLowerCase().replace(/\s*,\s*/g, ',').replace(/\s+/g, ' ').trim();

/**
 * A venue line not already held: the last part is the postcode, and what comes before is read as
 * [address], [address, town], [name, address, town] or [name, address, more address…, town].
 */
export function parseVenue(line: string): { venue: VenueParts } | { error: string } {
  const parts = line.split(',').map((p) => p.trim()).filter(Boolean);
  const postcode = parts.length > 1 ? normalisePostcode(parts.at(-1)!) : null;
  if (!postcode) return { error: `“${line}” does not end with a postcode: write the address, then a comma and the postcode, like 12 High Street, Riverside, RV1 2AB` };
  const rest = parts.slice(0, -1);
  if (rest.some((p) => p.length > 200)) return { error: `“${line}” has a part longer than 200 characters` };
  const venue: VenueParts = { name: null, address_1: null, address_2: null, city: null, postal_code: postcode };
  if (rest.length === 1) venue.address_1 = rest[0]!;
  else if (rest.length === 2) [venue.address_1, venue.city] = rest as [string, string];
  else if (rest.length === 3) [venue.name, venue.address_1, venue.city] = rest as [string, string, string];
  else Object.assign(venue, { name: rest[0]!, address_1: rest[1]!, address_2: rest.slice(2, -1).join(', '), city: rest.at(-1)! });
  return { venue };
}

/** "Adults: £3.50", or just "Donations welcome" when the cost has no amount. */
export function costText(c: CostParts): string {
  return c.amount === null ? c.option : `${c.option}: £${c.amount.toFixed(2)}`;
}

export function parseCost(line: string): { cost: CostParts } | { error: string } {
  // What follows the last ": " is the amount when it looks like money; "Under 5s: ask at the desk" is all description.
  const split = line.lastIndexOf(': ');
  const tail = split > 0 ? line.slice(split + 2).trim() : '';
  const isMoney = /^£|^\d/.test(tail);
  const option = (isMoney ? line.slice(0, split) : line).trim();
  const amount = isMoney ? parseAmount(tail.replace(/\s+/g, '')) : null;
  if (!option) return { error: `“${line}” does not say what the cost is for: write it like Adults: £3.50` };
  if (option.length > 200) return { error: 'what a cost is for must be 200 characters or fewer' };
  if (amount === undefined) return { error: `“${tail}” is not an amount in pounds up to £100,000, like £3.50` };
  return { cost: { option, amount } };
}

export function checkPhone(number: string): string | null {
  return isPhoneNumber(number) ? null : `“${number}” is not a phone number, like 01632 960 001 or +44 808 157 0192`;
}

/**
 * Term codes are unique within a taxonomy, not across them: a code two taxonomies share is written
 * "Taxonomy name: code" (codes never hold a space, so the ": " cannot be part of one).
 */
export class TermCodes {
  private readonly byCode = new Map<string, { id: string; taxonomy: string }[]>();
  private readonly byId = new Map<string, { code: string; taxonomy: string }>();

  constructor(terms: { id: string; code: string; taxonomy_name: string }[]) {
    for (const t of terms) {
      const key = t.code.toLowerCase();
      this.byCode.set(key, [...(this.byCode.get(key) ?? []), { id: t.id, taxonomy: t.taxonomy_name }]);
      this.byId.set(t.id, { code: t.code, taxonomy: t.taxonomy_name });
    }
  }

  text(termId: string): string {
    const term = this.byId.get(termId)!;
    return (this.byCode.get(term.code.toLowerCase())?.length ?? 0) > 1 ? `${term.taxonomy}: ${term.code}` : term.code;
  }

  find(written: string): { id: string } | { error: string } {
    const split = written.lastIndexOf(': ');
    const taxonomy = split > 0 ? written.slice(0, split).trim().toLowerCase() : null;
    const code = (split > 0 ? written.slice(split + 2) : written).trim();
    const matches = (this.byCode.get(code.toLowerCase()) ?? []).filter((t) => taxonomy === null || t.taxonomy.toLowerCase() === taxonomy);
    if (matches.length === 1) return { id: matches[0]!.id };
    if (matches.length === 0) return { error: `“${written}” is not the code of a taxonomy term: see Taxonomy for the codes` };
    return { error: `“${code}” is a code in more than one taxonomy (${matches.map((m) => m.taxonomy).join(', ')}): write it like “${matches[0]!.taxonomy}: ${code}”` };
  }
}

/** What a row asks for; null means the column is not in the file, so the service keeps what it has. */
export interface PartsWanted {
  termIds: string[] | null;
  /** `problem` says why a line could not be read as a new venue: only an error when it is not a venue already held */
  venues: { text: string; parsed: VenueParts | null; problem: string | null }[] | null;
  phones: string[] | null; costs: CostParts[] | null;
}
