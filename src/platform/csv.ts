import { stringify } from 'csv-stringify/sync';

/**
 * CSV as spreadsheets read it (RFC 4180, CRLF after each row), written with csv-stringify for every download of the
 * app: the register's spreadsheets, the delivery-history report, the audit log.
 */

// A cell a spreadsheet would run as a formula (=, +, -, @, tab, carriage return first) is written with a
// leading apostrophe, which spreadsheets hide and which reading the file back removes (see uncell).
const FORMULA_START = /^[=+\-@\t\r]/;

function guarded(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = value instanceof Date ? value.toISOString() : String(value);
  return FORMULA_START.test(text) ? `'${text}` : text;
}

// Quoted when it holds a comma, a quote or a line break, and when it starts or ends with a space, which some
// spreadsheets would otherwise trim.
const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

/** A whole file: the header row and the rows, each cell guarded against formulas, CRLF after each row. */
export function toCsv(header: string[], rows: unknown[][]): string {
  const lines = header.length ? [header, ...rows] : rows;
  return stringify(lines.map((r) => r.map(guarded)), { record_delimiter: '\r\n', quoted_match: NEEDS_QUOTES, cast: { string: (v) => v } });
}

/** One cell as written in a file: guarded against formulas, quoted when needed. */
export function csvCell(value: unknown): string {
  return toCsv([], [[value]]).replace(/\r\n$/, '');
}

/** Undoes the guard against formulas, for a file read back. */
export function uncell(value: string): string {
  return value.length > 1 && value[0] === '\'' && FORMULA_START.test(value.slice(1)) ? value.slice(1) : value;
}
