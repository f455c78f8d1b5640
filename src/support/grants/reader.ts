import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import { JSONParser } from '@streamparser/json';
import { parse as parseCsv } from 'csv-parse';
import { uncell } from '../../platform/csv.js';
import { xlsxRows as sheetRows } from '../../platform/xlsx.js';
import { columnTarget, type ColumnTarget } from './standard.js';

/**
 * A 360Giving file read as a stream, a few hundred grants at a time, whatever its form: the JSON package
 * (`{ "grants": [ … ] }`), or the spreadsheet form (.xlsx, its first sheet; or .csv) whose column titles are the
 * standard's ('Recipient Org:Charity Number'). A 100,000-grant file never stands whole in memory.
 *
 * A file that cannot be a 360Giving file at all (not JSON, not a spreadsheet, named as one thing and holding another,
 * a spreadsheet without the columns every grant needs) is refused whole with the reason (RefusedFile).
 */

export type GrantFormat = 'json' | 'xlsx' | 'csv';
export interface ReadGrant { row: number; grant: Record<string, unknown> }
export type OnGrants = (grants: ReadGrant[]) => Promise<void>;
/** The share of the file read so far, 0 to 1. */
export type OnRead = (share: number) => void;

export class RefusedFile extends Error {}

const BATCH = 500;
const FORMAT_NAMES: Record<GrantFormat, string> = { json: 'a 360Giving JSON package', xlsx: 'a spreadsheet (.xlsx)', csv: 'a CSV spreadsheet' };

/** What the file holds, from its first bytes (never its name alone); refused when its name says otherwise. */
export async function sniffFormat(file: string, name: string): Promise<GrantFormat> {
  const handle = await open(file, 'r');
  const { buffer, bytesRead } = await handle.read(Buffer.alloc(1024), 0, 1024, 0).finally(() => handle.close());
  if (bytesRead === 0) throw new RefusedFile(`${name} is empty.`);
  const head = buffer.subarray(0, bytesRead);
  const text = head.toString('utf8').replace(/^\uFEFF/, '').trimStart();
  const holds: GrantFormat = head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04 ? 'xlsx' : text.startsWith('{') || text.startsWith('[') ? 'json' : 'csv';
  if (holds === 'csv' && head.includes(0)) throw new RefusedFile(`${name} is neither a 360Giving JSON package nor a spreadsheet (.xlsx or .csv).`);
  const ext = path.extname(name).toLowerCase().slice(1);
  const named: GrantFormat | null = ext === 'json' ? 'json' : ext === 'xlsx' ? 'xlsx' : ext === 'csv' ? 'csv' : null;
  if (named && named !== holds) {
    throw new RefusedFile(`${name} is named as ${FORMAT_NAMES[named]} but holds ${FORMAT_NAMES[holds].replace(/^a 360Giving /, '')}. Save it again in the form its name says, or give it the right ending (.${holds}).`);
  }
  return holds;
}

/** The grants of a file, a batch at a time; `onRead` follows the reading through the file (an .xlsx by its sheet, most of it). */
export async function readGrants(file: string, format: GrantFormat, onGrants: OnGrants, onRead: OnRead = () => {}): Promise<number> {
  if (format === 'xlsx') return readSheet(xlsxRows(file, onRead), onGrants);
  const size = (await stat(file)).size;
  const onBytes = (bytes: number) => onRead(size > 0 ? Math.min(1, bytes / size) : 1);
  return format === 'json' ? readJson(file, onGrants, onBytes) : readSheet(csvRows(file, onBytes), onGrants);
}

async function readJson(file: string, onGrants: OnGrants, onBytes: (bytes: number) => void): Promise<number> {
  const parser = new JSONParser({ paths: ['$.grants.*'], keepStack: false });
  let pending: ReadGrant[] = [];
  let count = 0;
  let opening: string | null = null;
  parser.onValue = ({ value }) => { pending.push({ row: ++count, grant: (value && typeof value === 'object' && !Array.isArray(value) ? value : { value }) as Record<string, unknown> }); };
  const stream = createReadStream(file, { highWaterMark: 256 * 1024 });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let piece = chunk;
      if (opening === null) {
        if (chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) piece = chunk.subarray(3);
        opening = piece.toString('utf8', 0, 64).trimStart().charAt(0);
        if (opening !== '{') throw new RefusedFile('The file is JSON but not a 360Giving package: a package is an object, { "grants": [ … ] }.');
      }
      try { parser.write(piece); } catch (err) { throw new RefusedFile(`The file is not well-formed JSON (${(err as Error).message}), so nothing was imported.`); }
      onBytes(stream.bytesRead);
      if (pending.length >= BATCH) { const run = pending; pending = []; await onGrants(run); }
    }
  } finally { stream.destroy(); }
  if (!parser.isEnded) {
    try { parser.end(); } catch { throw new RefusedFile('The file ends part way through (it was cut short), so nothing was imported.'); }
  }
  if (pending.length) await onGrants(pending);
  if (count === 0) throw new RefusedFile('The package holds no grants: a 360Giving package lists them under "grants".');
  return count;
}

/** The columns every grant needs (Description is required by the standard too). */
const REQUIRED_COLUMNS = ['Identifier', 'Title', 'Description', 'Currency', 'Amount Awarded', 'Award Date', 'Funding Org:Identifier', 'Funding Org:Name'];

function columnsOf(header: unknown[]): (ColumnTarget | null)[] {
  const titles = header.map((h) => (h === null || h === undefined ? '' : String(h).trim()));
  const targets = titles.map((t) => (t ? columnTarget(t) : null));
  const has = (title: string) => targets.some((c) => c && c.path.join('.') === columnTarget(title)!.path.join('.'));
  const missing = REQUIRED_COLUMNS.filter((t) => !has(t));
  if (!has('Recipient Org:Identifier') && !has('Recipient Ind:Identifier')) missing.push('Recipient Org:Identifier');
  if (missing.length) {
    throw new RefusedFile(`The spreadsheet has no column ${missing.map((m) => `'${m}'`).join(', ')}: the 360Giving standard needs ${missing.length === 1 ? 'it' : 'them'} for every grant. The first row must hold the standard's column titles.`);
  }
  return targets;
}

function cellValue(v: unknown, number: boolean): unknown {
  if (v === null || v === undefined || v === '') return undefined;
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  if (typeof v === 'object') {
    const o = v as { result?: unknown; text?: unknown; richText?: { text: string }[] };
    if (o.richText) return cellValue(o.richText.map((r) => r.text).join(''), number);
    if ('result' in o) return cellValue(o.result, number);
    if ('text' in o) return cellValue(o.text, number);
    return undefined;
  }
  if (number) {
    if (typeof v === 'number') return v;
    const text = String(v).trim().replace(/^£/, '').replaceAll(',', '');
    return /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : String(v).trim();
  }
  const text = typeof v === 'string' ? uncell(v.trim()) : String(v);
  return text === '' ? undefined : text;
}

function unflatten(values: unknown[], columns: (ColumnTarget | null)[]): Record<string, unknown> {
  const grant: Record<string, unknown> = {};
  columns.forEach((c, i) => {
    if (!c) return;
    const value = cellValue(values[i], c.number);
    if (value === undefined) return;
    let node: Record<string | number, unknown> = grant;
    for (let p = 0; p < c.path.length - 1; p++) {
      const step = c.path[p]!;
      node[step] ??= typeof c.path[p + 1] === 'number' ? [] : {};
      node = node[step] as Record<string | number, unknown>;
    }
    node[c.path.at(-1)!] = value;
  });
  // (a list with a gap, "Beneficiary Location:1:Name" without 0, keeps only what was given)
  for (const [k, v] of Object.entries(grant)) if (Array.isArray(v)) grant[k] = v.filter((x) => x !== undefined);
  return grant;
}

async function readSheet(rows: AsyncIterable<{ row: number; values: unknown[] }>, onGrants: OnGrants): Promise<number> {
  let columns: (ColumnTarget | null)[] | null = null;
  let pending: ReadGrant[] = [];
  let count = 0;
  for await (const { row, values } of rows) {
    if (!columns) { columns = columnsOf(values); continue; }
    if (values.every((v) => v === null || v === undefined || String(v).trim() === '')) continue;
    pending.push({ row, grant: unflatten(values, columns) });
    count++;
    if (pending.length >= BATCH) { const run = pending; pending = []; await onGrants(run); }
  }
  if (!columns) throw new RefusedFile('The spreadsheet is empty: its first row must hold the 360Giving column titles.');
  if (pending.length) await onGrants(pending);
  if (count === 0) throw new RefusedFile('The spreadsheet has its column titles but no grants under them.');
  return count;
}

async function* csvRows(file: string, onBytes: (bytes: number) => void): AsyncIterable<{ row: number; values: unknown[] }> {
  const stream = createReadStream(file);
  stream.on('data', () => onBytes(stream.bytesRead));
  const parser = stream.pipe(parseCsv({ bom: true, relax_column_count: true, skip_empty_lines: false }));
  let row = 0;
  try {
    for await (const record of parser as AsyncIterable<string[]>) yield { row: ++row, values: record };
  } catch (err) {
    if (err instanceof RefusedFile) throw err;
    throw new RefusedFile(`The CSV file cannot be read at row ${row + 1} (${(err as Error).message}), so nothing was imported.`);
  }
}

/** The rows of the workbook's first sheet; the share of the sheet read stands for the share of the file. */
async function* xlsxRows(file: string, onRead: OnRead): AsyncIterable<{ row: number; values: unknown[] }> {
  try {
    yield* sheetRows(file, { onShare: onRead });
  } catch (err) {
    if (err instanceof RefusedFile) throw err;
    throw new RefusedFile(`The spreadsheet cannot be read (${(err as Error).message}), so nothing was imported.`);
  }
}
