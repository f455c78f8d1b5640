import { parse, CsvError } from 'csv-parse/sync';

/**
 * CSV as spreadsheets write it (RFC 4180), read with csv-parse (written with platform/csv.ts). A UTF-8 byte order
 * mark is dropped; CRLF, LF and CR each end a row, and so does CR CR LF, which a file converted twice carries (so
 * the row numbers in a report match what a spreadsheet shows).
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

const MESSAGES: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: 'a quoted field is not closed',
};

export function parseCsv(text: string): CsvRecord[] {
  const input = text.replace(/\r+\n|\r/g, '\n');
  const records: CsvRecord[] = [];
  let lastLine = 0;
  try {
    // relax_quotes: a quote inside a field not begun with one is kept as typed (5" screen), as people type in cells.
    parse(input, {
      bom: true, relax_column_count: true, relax_quotes: true, skip_empty_lines: true, record_delimiter: '\n',
      on_record: (values, context) => {
        // csv-parse counts the line a record ends on; a report names the line it starts on.
        const breaks = values.reduce((n, v) => n + (v.includes('\n') ? v.split('\n').length - 1 : 0), 0);
        records.push({ line: context.lines - breaks, values });
        lastLine = context.lines;
        return null;
      },
    });
  } catch (err) {
    if (!(err instanceof CsvError)) throw err;
    throw new CsvSyntaxError(err.code === 'CSV_QUOTE_NOT_CLOSED' ? unclosedFrom(input, lastLine) : (err as CsvError & { lines: number }).lines, MESSAGES[err.code] ?? err.message);
  }
  return records;
}

/** An unclosed quote runs to the end of the file: the record it opens starts on the first line with anything on it after the last record read. */
function unclosedFrom(input: string, lastLine: number): number {
  const lines = input.replace(/^\ufeff/, '').split('\n');
  let i = lastLine;
  while (i < lines.length - 1 && lines[i] === '') i += 1;
  return i + 1;
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

// Writing is the platform's, one guard against formulas for every download of the app; reading stays here.
export { csvCell, toCsv, uncell } from '../../platform/csv.js';
