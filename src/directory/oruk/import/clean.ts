import { createHash } from 'node:crypto';
import { decodeHTML } from 'entities';
import { isWebAddress } from '../../../platform/validation/web-addresses.js';

/**
 * Reading values out of a feed. Feeds published by councils and suppliers vary: these turn what they send
 * into what the register holds, and say (through `warn`) whenever a value had to be changed or left out.
 */

export type Warn = (field: string, message: string) => void;

/** PostgreSQL text cannot hold NUL. */
const withoutNul = (value: string) => (value.includes('\u0000') ? value.replaceAll('\u0000', '') : value);

export interface TextOptions {
  /** lenient (ORUK 1.0-era) feeds: trim, and read HTML as text */
  lenient: boolean;
  html?: boolean;
  max?: number;
}

/**
 * A text value: absent, empty or blank is null. Numbers and booleans are read as their text. A strict (3.0)
 * feed's text is kept exactly as sent, so that it exports back the same; a lenient feed's is trimmed and,
 * for descriptions, HTML is read as plain text.
 */
export function text(value: unknown, field: string, warn: Warn, options: TextOptions): string | null {
  if (value === null || value === undefined) return null;
  let s: string;
  if (typeof value === 'string') s = value;
  else if (typeof value === 'number' || typeof value === 'boolean') s = String(value);
  else {
    warn(field, 'is not text: left out');
    return null;
  }
  s = withoutNul(s);
  if (options.lenient) {
    // Feeds of the ORUK 1.0 era often carry HTML: descriptions are read as text; elsewhere, entities (&amp;) are decoded.
    if (options.html && /[<&]/.test(s)) s = htmlToText(s);
    else if (/&(#\d+|#x[0-9a-f]+|[a-z][a-z0-9]*);/i.test(s)) s = decodeHTML(s);
    s = s.trim();
  }
  if (s.trim() === '') return null;
  if (options.max !== undefined && s.length > options.max) {
    warn(field, `is longer than ${options.max} characters: cut to that length`);
    s = s.slice(0, options.max);
  }
  return s;
}

/**
 * A link's address kept beside its words ("via Facebook" → "via Facebook (https://facebook.com/…)"), since the words
 * alone lose where they led; only an http or https address, never a script.
 */
function linkAsText(attributes: string, inner: string): string {
  const href = /\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/i.exec(attributes);
  const address = href ? decodeHTML(href[1] ?? href[2] ?? href[3] ?? '').trim() : '';
  if (!isWebAddress(address)) return inner;
  const words = decodeHTML(inner.replace(/<[^>]*>/g, '')).trim();
  if (!words || words === address || `http://${words}` === address || `https://${words}` === address) return address;
  return `${inner} (${address})`;
}

/** HTML as a person would read it: block ends and <br> become line breaks, list items bullets, tags go, entities are decoded. */
export function htmlToText(html: string): string {
  const withBreaks = html
    .replace(/<\s*(script|style)\b[^>]*>[\s\S]*?<\s*\/\s*\1\s*>/gi, '')
    .replace(/<\s*a\b([^>]*)>([\s\S]*?)<\s*\/\s*a\s*>/gi, (_all, attributes: string, inner: string) => linkAsText(attributes, inner))
    .replace(/<\s*br\s*\/?\s*>/gi, '\n')
    .replace(/<\s*li\b[^>]*>/gi, '\n• ')
    .replace(/<\s*\/\s*(p|div|h[1-6]|ul|ol|tr|table|blockquote)\s*>/gi, '\n')
    .replace(/<\s*(p|div|h[1-6]|ul|ol|tr|table|blockquote)\b[^>]*>/gi, '\n')
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<\/?[a-z][^>]*>/gi, '');
  return decodeHTML(withBreaks)
    .replace(/\u00a0/g, ' ')
    .split('\n').map((line) => line.replace(/[ \t]+/g, ' ').trim()).join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

// The checks the ORUK schema's "email" and "uri" formats make, so that what is imported exports valid.
const EMAIL = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]{2,}$/;
export function email(value: unknown, field: string, warn: Warn, lenient: boolean): string | null {
  const s = text(value, field, warn, { lenient: true });
  if (s === null) return null;
  const candidate = lenient ? s.replace(/^mailto:/i, '') : s;
  if (candidate.length <= 254 && EMAIL.test(candidate)) return candidate;
  warn(field, `"${clip(s)}" is not an email address: left out`);
  return null;
}

export function uri(value: unknown, field: string, warn: Warn, lenient: boolean): string | null {
  const s = text(value, field, warn, { lenient: true });
  if (s === null) return null;
  let candidate = s;
  if (lenient && /^www\.[^\s]+\.[^\s]+$/i.test(candidate)) candidate = `http://${candidate}`;
  if (candidate.length <= 1000 && isAbsoluteUri(candidate)) return candidate;
  warn(field, `"${clip(s)}" is not a web address: left out`);
  return null;
}

/**
 * An address shown as a link or an image (a service's or organisation's web address, a logo, a booking link): only
 * http and https, so that a feed's `javascript:` address never becomes a link on a public page.
 */
export function webAddress(value: unknown, field: string, warn: Warn, lenient: boolean): string | null {
  const s = uri(value, field, warn, lenient);
  if (s === null || isWebAddress(s)) return s;
  warn(field, `"${clip(s)}" is not an http or https web address: left out`);
  return null;
}

function isAbsoluteUri(s: string): boolean {
  if (!/^[a-z][a-z0-9+.-]*:[^\s]*$/i.test(s)) return false;
  try {
    new URL(s);
    return true;
  } catch {
    return false;
  }
}

export function number(value: unknown, field: string, warn: Warn): number | null {
  if (value === null || value === undefined || value === '') return null;
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value.trim()) : Number.NaN;
  if (Number.isFinite(n)) return n;
  warn(field, `"${clip(String(value))}" is not a number: left out`);
  return null;
}

export function integer(value: unknown, field: string, warn: Warn, min: number, max: number): number | null {
  const n = number(value, field, warn);
  if (n === null) return null;
  if (n < min || n > max) {
    warn(field, `${n} is outside ${min} to ${max}: left out`);
    return null;
  }
  if (!Number.isInteger(n)) {
    warn(field, `${n} is not a whole number: rounded`);
    return Math.round(n);
  }
  return n;
}

export function coordinate(value: unknown, field: string, warn: Warn, limit: 90 | 180): number | null {
  const n = number(value, field, warn);
  if (n === null) return null;
  if (Math.abs(n) > limit) {
    warn(field, `${n} is not a ${limit === 90 ? 'latitude' : 'longitude'} on Earth: left out`);
    return null;
  }
  return n;
}

/** A calendar day as YYYY-MM-DD, from a day or a date-time. */
export function date(value: unknown, field: string, warn: Warn): string | null {
  if (value === null || value === undefined || value === '') return null;
  const s = typeof value === 'string' ? value.trim() : '';
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?$/.exec(s);
  if (m) {
    const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
    if (d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3])) return `${m[1]}-${m[2]}-${m[3]}`;
  }
  const uk = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(s);
  if (uk) return date(`${uk[3]}-${uk[2]!.padStart(2, '0')}-${uk[1]!.padStart(2, '0')}`, field, warn);
  warn(field, `"${clip(String(value))}" is not a date: left out`);
  return null;
}

export function dateTime(value: unknown, field: string, warn: Warn): Date | null {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(value.trim())) {
    const d = new Date(value.trim());
    if (!Number.isNaN(d.getTime())) return d;
  }
  warn(field, `"${clip(String(value))}" is not a date and time: left out`);
  return null;
}

/** A time of day as HH:MM:SS, from HH:MM, HH:MM:SS or HH.MM (a time zone suffix is dropped). */
export function timeOfDay(value: unknown, field: string, warn: Warn): string | null {
  if (value === null || value === undefined || value === '') return null;
  const m = typeof value === 'string' ? /^(\d{1,2})[:.](\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$/.exec(value.trim()) : null;
  if (m && Number(m[1]) <= 24 && Number(m[2]) < 60 && Number(m[3] ?? 0) < 60 && !(Number(m[1]) === 24 && (m[2] !== '00' || (m[3] ?? '00') !== '00'))) {
    return `${m[1]!.padStart(2, '0')}:${m[2]}:${m[3] ?? '00'}`;
  }
  warn(field, `"${clip(String(value))}" is not a time of day: left out`);
  return null;
}

/** The record's identifier in the feed, as text; a record without one gets a stable stand-in made from its content. */
export function identifier(value: unknown, kind: string, content: () => string, warn: Warn): string {
  if (typeof value === 'string' && value.trim() !== '') return withoutNul(value.trim()).slice(0, 300);
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  warn('id', 'is missing: an identifier was made from the record, so a re-import finds it only if it is unchanged');
  return `${kind}:${createHash('sha1').update(content()).digest('hex').slice(0, 24)}`;
}

const DAY_CODES: Record<string, string> = {
  mo: 'MO', mon: 'MO', monday: 'MO', tu: 'TU', tue: 'TU', tues: 'TU', tuesday: 'TU', we: 'WE', wed: 'WE', wednesday: 'WE',
  th: 'TH', thu: 'TH', thur: 'TH', thurs: 'TH', thursday: 'TH', fr: 'FR', fri: 'FR', friday: 'FR', sa: 'SA', sat: 'SA', saturday: 'SA',
  su: 'SU', sun: 'SU', sunday: 'SU',
};
/** A day of the week as its iCalendar code (MO … SU), from a code or an English name. */
export function dayCode(value: string): string | null {
  return DAY_CODES[value.trim().toLowerCase()] ?? null;
}

export function clip(s: string, n = 60): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}
