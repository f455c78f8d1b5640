/**
 * CSV as spreadsheets write it (RFC 4180): comma separated, fields quoted with "…" when they hold a comma,
 * a quote or a line break, quotes doubled inside. A UTF-8 byte order mark is dropped; CRLF and LF both end a row.
 */

export interface CsvRecord {
  /** the line of the file on which the record starts (1 = the header) */
  line: number;
  values: string[];
}

export class CsvSyntaxError extends Error {
  constructor(readonly line: number, message: string) {
    super(`Line ${line}: ${message}`);
  }
}

export function parseCsv(text: string): CsvRecord[] {
  const input = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records: CsvRecord[] = [];
  let field = '';
  let values: string[] = [];
  let line = 1;
  let recordLine = 1;
  let i = 0;
  let quoted = false;
  let fieldStarted = false;
  const endField = () => {
    values.push(field);
    field = '';
    fieldStarted = false;
  };
  const endRecord = () => {
    endField();
    // a blank line is no record
    if (!(values.length === 1 && values[0] === '')) records.push({ line: recordLine, values });
    values = [];
  };
  while (i < input.length) {
    const c = input[i]!;
    if (quoted) {
      if (c === '"') {
        if (input[i + 1] === '"') { field += '"'; i += 2; continue; }
        quoted = false;
        i += 1;
        const next = input[i];
        if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') {
          throw new CsvSyntaxError(line, 'a closing quote must be followed by a comma or the end of the line');
        }
        continue;
      }
      if (c === '\n') line += 1;
      field += c;
      i += 1;
      continue;
    }
    if (c === '"' && !fieldStarted) { quoted = true; fieldStarted = true; i += 1; continue; }
    if (c === ',') { endField(); i += 1; continue; }
    if (c === '\r' || c === '\n') {
      endRecord();
      // CRLF, LF, CR — and CR CR LF, which a file converted twice carries — each end one line.
      if (c === '\r') {
        let j = i + 1;
        while (input[j] === '\r') j += 1;
        i = input[j] === '\n' ? j + 1 : i + 1;
      } else i += 1;
      line += 1;
      recordLine = line;
      continue;
    }
    field += c;
    fieldStarted = true;
    i += 1;
  }
  if (quoted) throw new CsvSyntaxError(recordLine, 'a quoted field is not closed');
  if (field !== '' || values.length > 0) endRecord();
  return records;
}

export interface CsvTable {
  header: string[];
  rows: { line: number; get(column: string): string; has(column: string): boolean; values: string[] }[];
}

/** Header row plus rows read by column name; header names are compared lower-cased and trimmed. */
export function readCsvTable(text: string): CsvTable {
  const [head, ...body] = parseCsv(text);
  if (!head) return { header: [], rows: [] };
  const header = head.values.map((h) => h.trim().toLowerCase());
  const index = new Map<string, number>();
  header.forEach((h, i) => { if (!index.has(h)) index.set(h, i); });
  return {
    header,
    rows: body.map((r) => ({
      line: r.line,
      values: r.values,
      has: (column: string) => index.has(column),
      get: (column: string) => {
        const i = index.get(column);
        return i === undefined ? '' : (r.values[i] ?? '');
      },
    })),
  };
}

// A cell a spreadsheet would run as a formula (=, +, -, @, tab, carriage return first) is written with a
// leading apostrophe, which spreadsheets hide and which reading the file back removes.
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = value instanceof Date ? value.toISOString() : String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Undoes csvCell's guard against formulas. */
export function uncell(value: string): string {
  return value.length > 1 && value[0] === '\'' && FORMULA_START.test(value.slice(1)) ? value.slice(1) : value;
}

export function toCsv(header: string[], rows: unknown[][]): string {
  const lines = [header.map(csvCell).join(','), ...rows.map((r) => r.map(csvCell).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}
