import { posix } from 'node:path';
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import yauzl, { type Entry, type ZipFile } from 'yauzl';

/**
 * The rows of a spreadsheet's (.xlsx) first sheet, read as a stream: only the shared strings stand whole in memory.
 *
 * Read through the archive's central directory rather than in one pass over the bytes, because a writer may store
 * the workbook part after the sheets (ExcelJS does), and a one-pass reader then meets the sheet before it knows the
 * strings and dates it needs (ExcelJS's own streaming reader fails on its own files that way, now and then: exceljs
 * issue 3064). The archive's stated sizes are checked as each part is read (yauzl), and a part whose stated size passes
 * the limits below, or that is packed far tighter than spreadsheets pack, is refused before it is read; so is a cell
 * longer than Excel's own limit. The shared strings held are at most `sharedStringsBytes` of text.
 */

export class UnreadableSpreadsheet extends Error {}

export interface SheetRow { row: number; values: unknown[] }

export interface XlsxLimits {
  /** The workbook, its relationships and styles: small parts read whole. */
  smallPartBytes: number;
  /** The shared strings, held in memory while the sheet is read. */
  sharedStringsBytes: number;
  /** The sheet itself, read as a stream. */
  sheetBytes: number;
}

const DEFAULT_LIMITS: XlsxLimits = { smallPartBytes: 16 * 1024 * 1024, sharedStringsBytes: 256 * 1024 * 1024, sheetBytes: 4 * 1024 * 1024 * 1024 };
/** Excel's own widest sheet: XFD. */
const MOST_COLUMNS = 16_384;
/** Excel's own longest cell; a longer text is held by no spreadsheet a person made. */
const LONGEST_CELL = 32_767;
/** A part unpacking to more than this many times its packed size is a zip bomb, not a spreadsheet (ratios of 5 to 20 are usual). */
const MOST_INFLATION = 100;
/** Far more parts than any workbook holds (sheets, drawings, comments…), so the directory of a hostile archive is never held whole. */
const MOST_PARTS = 10_000;
const OFFICE_DOCUMENT = /\/officeDocument$/;

export interface XlsxOptions {
  limits?: XlsxLimits;
  /** Called as the sheet is read, with the share of it read so far (0 to 1): the sheet is most of a workbook. */
  onShare?: (share: number) => void;
}

export async function* xlsxRows(file: string, { limits = DEFAULT_LIMITS, onShare }: XlsxOptions = {}): AsyncGenerator<SheetRow> {
  let zip: ZipFile;
  try {
    zip = await yauzl.openPromise(file, { autoClose: false, lazyEntries: true });
  } catch (err) {
    throw new UnreadableSpreadsheet(`it is not a zip archive, as every .xlsx file is (${(err as Error).message})`);
  }
  try {
    if (zip.entryCount > MOST_PARTS) throw new UnreadableSpreadsheet(`it holds ${zip.entryCount} parts, more than a spreadsheet has`);
    const parts = new Map<string, Entry>();
    for await (const entry of zip.eachEntry()) parts.set(entry.fileName, entry);
    const book = await workbookOf(zip, parts, limits);
    const strings = book.sharedStrings ? await sharedStrings(zip, part(parts, book.sharedStrings, limits.sharedStringsBytes)) : [];
    const dateStyles = book.styles ? dateStylesOf(await text(zip, part(parts, book.styles, limits.smallPartBytes))) : new Set<number>();
    yield* sheetRows(zip, part(parts, book.firstSheet, limits.sheetBytes), { strings, dateStyles, date1904: book.date1904 }, onShare);
  } catch (err) {
    // (only the reading fails here: what the caller does with a row is never thrown into this generator)
    if (err instanceof UnreadableSpreadsheet) throw err;
    throw new UnreadableSpreadsheet(`it cannot be read (${(err as Error).message})`);
  } finally {
    zip.close();
  }
}

function part(parts: Map<string, Entry>, name: string, most: number): Entry {
  const entry = parts.get(name);
  if (!entry) throw new UnreadableSpreadsheet(`its part ${name} is missing`);
  if (entry.uncompressedSize > most) throw new UnreadableSpreadsheet(`its part ${name} would unpack to ${entry.uncompressedSize} bytes, more than the ${most} allowed`);
  if (entry.uncompressedSize > 4 * 1024 * 1024 && entry.uncompressedSize > MOST_INFLATION * entry.compressedSize) {
    throw new UnreadableSpreadsheet(`its part ${name} would unpack to ${entry.uncompressedSize} bytes from ${entry.compressedSize}, far more than a spreadsheet packs`);
  }
  return entry;
}

async function text(zip: ZipFile, entry: Entry): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of await zip.openReadStreamPromise(entry)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Parses a whole small document, calling `open` and `close` for its tags. */
function parseWhole(xml: string, open: (tag: SaxesTagPlain) => void, close: (tag: SaxesTagPlain) => void = () => {}): void {
  const parser = new SaxesParser();
  parser.on('opentag', open);
  parser.on('closetag', close);
  try { parser.write(xml).close(); } catch (err) { throw new UnreadableSpreadsheet(`a part is not well-formed XML (${(err as Error).message})`); }
}

/** An element's name without its prefix: writers may name them `x:row` (the .NET OpenXML SDK does). */
const localName = (tag: SaxesTagPlain) => tag.name.slice(tag.name.indexOf(':') + 1);

/** The attribute named `local` whatever its prefix ("r:id", "ns1:id"). */
function attribute(tag: SaxesTagPlain, local: string): string | undefined {
  for (const [name, value] of Object.entries(tag.attributes)) if (name === local || name.endsWith(`:${local}`)) return value;
  return undefined;
}

interface Relationship { type: string; target: string }

async function relationships(zip: ZipFile, parts: Map<string, Entry>, of: string, limits: XlsxLimits): Promise<Map<string, Relationship>> {
  const name = posix.join(posix.dirname(of), '_rels', `${posix.basename(of)}.rels`);
  const found = new Map<string, Relationship>();
  if (!parts.has(name)) return found;
  parseWhole(await text(zip, part(parts, name, limits.smallPartBytes)), (tag) => {
    if (localName(tag) !== 'Relationship' || !tag.attributes.Id || !tag.attributes.Target) return;
    const target = tag.attributes.Target.startsWith('/') ? tag.attributes.Target.slice(1) : posix.normalize(posix.join(posix.dirname(of), tag.attributes.Target));
    found.set(tag.attributes.Id, { type: tag.attributes.Type ?? '', target });
  });
  return found;
}

interface Workbook { firstSheet: string; sharedStrings: string | null; styles: string | null; date1904: boolean }

async function workbookOf(zip: ZipFile, parts: Map<string, Entry>, limits: XlsxLimits): Promise<Workbook> {
  const root = [...(await relationships(zip, parts, '', limits)).values()].find((r) => OFFICE_DOCUMENT.test(r.type));
  const workbook = root?.target ?? 'xl/workbook.xml';
  const rels = await relationships(zip, parts, workbook, limits);
  let sheetId: string | undefined;
  let date1904 = false;
  parseWhole(await text(zip, part(parts, workbook, limits.smallPartBytes)), (tag) => {
    if (localName(tag) === 'workbookPr') date1904 = ['1', 'true'].includes(attribute(tag, 'date1904') ?? '');
    if (localName(tag) === 'sheet') sheetId ??= attribute(tag, 'id');
  });
  const sheet = sheetId ? rels.get(sheetId) : undefined;
  if (!sheet) throw new UnreadableSpreadsheet('it holds no sheet');
  const ofType = (type: string) => [...rels.values()].find((r) => r.type.endsWith(`/${type}`))?.target ?? null;
  return { firstSheet: sheet.target, sharedStrings: ofType('sharedStrings'), styles: ofType('styles'), date1904 };
}

/** Streams the document's text through `parser`, a chunk at a time, yielding whatever the handlers gathered. */
async function* parsed<T>(zip: ZipFile, entry: Entry, parser: SaxesParser, gathered: T[], onShare?: (share: number) => void): AsyncGenerator<T[]> {
  const stream = await zip.openReadStreamPromise(entry);
  stream.setEncoding('utf8');
  let bytes = 0;
  try {
    for await (const chunk of stream as AsyncIterable<string>) {
      parser.write(chunk);
      bytes += Buffer.byteLength(chunk);
      onShare?.(entry.uncompressedSize > 0 ? Math.min(1, bytes / entry.uncompressedSize) : 1);
      if (gathered.length) yield gathered.splice(0);
    }
    parser.close();
    if (gathered.length) yield gathered.splice(0);
  } catch (err) {
    if (err instanceof UnreadableSpreadsheet) throw err;
    throw new UnreadableSpreadsheet(`its part ${entry.fileName} cannot be read (${(err as Error).message})`);
  } finally {
    stream.destroy();
  }
}

async function sharedStrings(zip: ZipFile, entry: Entry): Promise<string[]> {
  const parser = new SaxesParser();
  const strings: string[] = [];
  let current: string | null = null;
  let inText = false;
  let phonetic = 0;
  parser.on('opentag', (tag) => {
    const name = localName(tag);
    if (name === 'si') current = '';
    else if (name === 'rPh') phonetic++;
    else if (name === 't' && !phonetic) inText = true;
  });
  parser.on('text', (t) => { if (inText && current !== null) current = withinCell(current + t); });
  parser.on('closetag', (tag) => {
    const name = localName(tag);
    if (name === 't') inText = false;
    else if (name === 'rPh') phonetic--;
    else if (name === 'si') { strings.push(current ?? ''); current = null; }
  });
  for await (const _ of parsed(zip, entry, parser, [])) { /* gathered into strings */ }
  return strings;
}

/** Built-in number formats that show a date or time. */
const DATE_FORMAT_IDS = new Set([14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 45, 46, 47, 50, 51, 52, 53, 54, 55, 56, 57, 58]);

function isDateFormat(code: string): boolean {
  // quoted text, escaped characters and [colour]/[condition] parts say nothing about dates
  const bare = code.replace(/"[^"]*"/g, '').replace(/\\./g, '').replace(/\[[^\]]*\]/g, '').replace(/General/gi, '');
  return /[dmyhs]/i.test(bare) && !/^[#0.,%\s]*$/.test(bare);
}

/** The indexes of the cell styles that show dates (a cell's `s`). */
function dateStylesOf(xml: string): Set<number> {
  const custom = new Map<number, string>();
  const styles: number[] = [];
  let inCellStyles = false;
  parseWhole(xml, (tag) => {
    const name = localName(tag);
    if (name === 'numFmt') custom.set(Number(tag.attributes.numFmtId), String(tag.attributes.formatCode ?? ''));
    else if (name === 'cellXfs') inCellStyles = true;
    else if (name === 'xf' && inCellStyles) styles.push(Number(tag.attributes.numFmtId ?? 0));
  }, (tag) => { if (localName(tag) === 'cellXfs') inCellStyles = false; });
  const dates = new Set<number>();
  styles.forEach((format, index) => {
    const code = custom.get(format);
    if (code !== undefined ? isDateFormat(code) : DATE_FORMAT_IDS.has(format)) dates.add(index);
  });
  return dates;
}

interface SheetContext { strings: string[]; dateStyles: Set<number>; date1904: boolean }

function columnOf(reference: string | undefined, next: number): number {
  const letters = reference?.match(/^[A-Z]+/i)?.[0];
  if (!letters) return next;
  let column = 0;
  for (const letter of letters.toUpperCase()) column = column * 26 + (letter.charCodeAt(0) - 64);
  return column - 1;
}

/** Days since the workbook's epoch (Excel's serial number) as a UTC date. */
function excelDate(serial: number, date1904: boolean): Date | number {
  const date = new Date(Math.round((serial - 25569 + (date1904 ? 1462 : 0)) * 86_400_000));
  // (a number no calendar holds, shown as a date, is given as the number, for the reader to judge)
  return Number.isNaN(date.getTime()) ? serial : date;
}

function withinCell(text: string): string {
  if (text.length > LONGEST_CELL) throw new UnreadableSpreadsheet(`a cell holds more than ${LONGEST_CELL.toLocaleString('en-GB')} characters, more than a spreadsheet's cell can`);
  return text;
}

interface Cell { column: number; type: string; style: number; value: string; inline: string; inText: boolean }

function cellValue(cell: Cell, context: SheetContext): unknown {
  switch (cell.type) {
    case 's': {
      if (cell.value.trim() === '') return null;
      const s = context.strings[Number(cell.value)];
      if (s === undefined) throw new UnreadableSpreadsheet(`a cell refers to shared string ${cell.value}, which the file does not hold`);
      return s;
    }
    case 'inlineStr': return cell.inline;
    case 'str': return cell.value;
    case 'b': return cell.value === '1' || cell.value === 'true';
    case 'e': return null;
    case 'd': {
      if (!cell.value) return null;
      const date = new Date(cell.value);
      return Number.isNaN(date.getTime()) ? cell.value : date;
    }
    default: {
      if (cell.value === '') return null;
      const n = Number(cell.value);
      if (!Number.isFinite(n)) return cell.value;
      return context.dateStyles.has(cell.style) ? excelDate(n, context.date1904) : n;
    }
  }
}

async function* sheetRows(zip: ZipFile, entry: Entry, context: SheetContext, onShare?: (share: number) => void): AsyncGenerator<SheetRow> {
  const parser = new SaxesParser();
  const rows: SheetRow[] = [];
  let row: SheetRow | null = null;
  let cell: Cell | null = null;
  let inValue = false;
  let lastRow = 0;
  parser.on('opentag', (tag) => {
    const name = localName(tag);
    if (name === 'row') {
      const r = Number(tag.attributes.r);
      lastRow = Number.isInteger(r) && r > lastRow ? r : lastRow + 1;
      row = { row: lastRow, values: [] };
    } else if (name === 'c' && row) {
      const column = columnOf(tag.attributes.r, row.values.length);
      if (column >= MOST_COLUMNS) throw new UnreadableSpreadsheet(`cell ${tag.attributes.r} lies past the last column a sheet can have`);
      cell = { column, type: String(tag.attributes.t ?? 'n'), style: Number(tag.attributes.s ?? 0), value: '', inline: '', inText: false };
    } else if (cell && name === 'v') inValue = true;
    else if (cell && name === 't') cell.inText = true;
  });
  parser.on('text', (t) => {
    if (!cell) return;
    if (inValue) cell.value = withinCell(cell.value + t);
    else if (cell.inText) cell.inline = withinCell(cell.inline + t);
  });
  parser.on('closetag', (tag) => {
    const name = localName(tag);
    if (name === 'v') inValue = false;
    else if (name === 't' && cell) cell.inText = false;
    else if (name === 'c' && cell && row) {
      const value = cellValue(cell, context);
      while (row.values.length < cell.column) row.values.push(null);
      row.values[cell.column] = value;
      cell = null;
    } else if (name === 'row' && row) { rows.push(row); row = null; }
  });
  for await (const batch of parsed(zip, entry, parser, rows, onShare)) yield* batch;
}
