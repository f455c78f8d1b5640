/**
 * The one reading of a UK postcode, for every form (organisations, services, imports), the public search and the
 * APIs. Decision (issue 10): a postcode is accepted when it has the shape Royal Mail allocates, with the letters
 * each position may hold: no Q, V or X first; no I, J or Z second; only certain letters in the third and fourth
 * places; no C, I, K, M, O or V in the two unit letters. GIR 0AA (Girobank) is the one exception taken. So
 * "QA1 1AA" or "LS1 1CD" are refused everywhere: the register once took them, services and the search did not,
 * and a postcode the search cannot find is no use on a listing. Overseas territories (ASCN 1ZZ) and BFPO numbers
 * are not local postcodes and are refused too. Case and spacing never matter: " sw1a1aa " reads as "SW1A 1AA".
 */
const POSTCODE = /^(?:[A-PR-UWYZ](?:[0-9]{1,2}|[A-HK-Y][0-9][0-9ABEHMNPRV-Y]?|[0-9][A-HJKPS-UW])[0-9][ABD-HJLNP-UW-Z]{2}|GIR0AA)$/;

/** The postcode as the postcodes table keys it (capitals, no spaces: "LS11UR"), or null when it is not a UK postcode. */
export function compactPostcode(input: string): string | null {
  const compact = input.replace(/\s+/g, '').toUpperCase();
  return POSTCODE.test(compact) ? compact : null;
}

/** The postcode written the usual way, with one space before the inward code: "LS11UR" → "LS1 1UR". */
export function formatPostcode(compact: string): string {
  return `${compact.slice(0, -3)} ${compact.slice(-3)}`;
}

/** The postcode as a record holds it ("sw1a1aa" → "SW1A 1AA"), or null when it is not a UK postcode. */
export function normalisePostcode(input: string): string | null {
  const compact = compactPostcode(input);
  return compact ? formatPostcode(compact) : null;
}
