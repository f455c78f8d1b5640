/**
 * A UK phone number as its digits from 0 ("+44 (0)7700 900123" → "07700900123"), so that the same number typed two
 * ways is found as one; null when it is not a UK number of 10 or 11 digits.
 */
export function normaliseUkPhone(value: string): string | null {
  if (!/^[0-9+()\-.\s]+$/.test(value)) return null;
  let digits = value.replace(/\(0\)/g, '').replace(/[\s\-.()]/g, '');
  if (digits.startsWith('+44')) digits = `0${digits.slice(3)}`;
  else if (digits.startsWith('0044')) digits = `0${digits.slice(4)}`;
  return /^0[1-9][0-9]{8,9}$/.test(digits) ? digits : null;
}

/** Digits from 0 read back in the usual groups: "07700 900123", "020 7946 0000", "0113 496 0000". */
export function formatUkPhone(digits: string): string {
  if (/^0[1-9]\d{8,9}$/.test(digits) === false) return digits;
  if (digits.startsWith('02')) return `${digits.slice(0, 3)} ${digits.slice(3, 7)} ${digits.slice(7)}`;
  if (digits.startsWith('011') || /^01\d1/.test(digits)) return `${digits.slice(0, 4)} ${digits.slice(4, 7)} ${digits.slice(7)}`;
  return `${digits.slice(0, 5)} ${digits.slice(5)}`;
}
