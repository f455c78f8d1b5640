/** A full UK postcode without its space, upper case: outward code, then inward code. */
const POSTCODE = /^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$/;

/** "sw1a1aa", "SW1A  1AA" → "SW1A 1AA"; null when it is not a UK postcode. */
export function normalisePostcode(value: string): string | null {
  const compact = value.replace(/\s+/g, '').toUpperCase();
  if (compact === 'GIR0AA') return 'GIR 0AA';
  const match = POSTCODE.exec(compact);
  return match ? `${match[1]} ${match[2]}` : null;
}
