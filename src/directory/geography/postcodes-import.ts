import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import type { Database } from '../../platform/db/index.js';
import { compactPostcode } from '../../platform/validation/postcodes.js';
import { postcodesRepository, type PostcodeBatch } from '../../platform/geography/postcodes-repository.js';

/**
 * `commonground import postcodes FILE`: the ONS Postcode Directory (ONSPD) CSV into the shared
 * `postcodes` table. The file is read as a stream and written in batches inside one transaction, so
 * the full 2.7 million-row directory needs little memory, and a file with bad rows changes nothing.
 *
 * Columns used (by header name, in any order, any letter case): pcds (or pcd), lat, long, doterm,
 * osward, oslaua, lsoa21 (or lsoa11), imd. Every field may be quoted (ONSPD quotes them all).
 * Terminated postcodes (doterm set, as YYYYMM) are kept and marked; rows whose lat is 99.999999 have
 * no grid reference and are skipped and counted. Importing again updates the postcodes already held.
 */

export interface PostcodeImportIssue { row: number; message: string }

export interface PostcodeImportResult {
  status: 'completed' | 'rejected';
  /** data rows read (the header is not counted) */
  rows: number;
  /** postcodes written (new or updated) */
  imported: number;
  terminated: number;
  skippedNoCoordinates: number;
  /** the first issues found, row by row (row 1 is the first line after the header); errorCount has them all */
  errors: PostcodeImportIssue[];
  errorCount: number;
  seconds: number;
}

export interface PostcodeImportOptions {
  batchSize?: number;
  /** called as the file is read: bytes read so far and the file's size */
  onProgress?: (bytesRead: number, totalBytes: number) => void;
}

const MAX_REPORTED = 50;
const NO_GRID_REFERENCE = 99.999999;

export class PostcodeFileError extends Error {}

/** A CSV reader fed chunk by chunk: quoted fields (with "" for a quote, and line breaks inside quotes), CRLF or LF. */
export class CsvRecords {
  private buffer = '';

  /** Complete records in the text so far; an unfinished one waits for the next chunk. */
  push(chunk: string): string[][] {
    this.buffer += chunk;
    const records: string[][] = [];
    let start = 0;
    for (;;) {
      const parsed = this.parseRecord(start, false);
      if (!parsed) break;
      records.push(parsed.fields);
      start = parsed.next;
    }
    this.buffer = this.buffer.slice(start);
    return records;
  }

  /** Whatever is left at the end of the file (a last line without a line break). */
  end(): string[][] {
    if (this.buffer.length === 0) return [];
    const parsed = this.parseRecord(0, true);
    this.buffer = '';
    if (!parsed) throw new PostcodeFileError('The file ends inside a quoted field: a closing quote is missing');
    return [parsed.fields];
  }

  private parseRecord(from: number, atEnd: boolean): { fields: string[]; next: number } | null {
    const b = this.buffer;
    const n = b.length;
    if (from >= n) return null;
    const fields: string[] = [];
    let i = from;
    for (;;) {
      if (i < n && b.charCodeAt(i) === 34 /* " */) {
        let j = i + 1;
        let value = '';
        for (;;) {
          const q = b.indexOf('"', j);
          if (q === -1) return null; // the closing quote is in a later chunk
          if (q + 1 < n && b.charCodeAt(q + 1) === 34) {
            value += b.slice(j, q + 1);
            j = q + 2;
            continue;
          }
          if (q + 1 >= n && !atEnd) return null; // cannot tell "" from " yet
          value += b.slice(j, q);
          i = q + 1;
          break;
        }
        fields.push(value);
      } else {
        let j = i;
        while (j < n) {
          const c = b.charCodeAt(j);
          if (c === 44 || c === 10 || c === 13) break;
          j++;
        }
        if (j >= n && !atEnd) return null;
        fields.push(b.slice(i, j));
        i = j;
      }
      if (i >= n) {
        if (!atEnd) return null;
        return { fields, next: n };
      }
      const c = b.charCodeAt(i);
      if (c === 44) { i++; continue; }
      if (c === 13) {
        if (i + 1 >= n && !atEnd) return null;
        return { fields, next: i + 1 < n && b.charCodeAt(i + 1) === 10 ? i + 2 : i + 1 };
      }
      if (c === 10) return { fields, next: i + 1 };
      // Text straight after a closing quote: keep it as part of the field rather than lose it.
      const nextComma = b.indexOf(',', i);
      const nextLine = b.indexOf('\n', i);
      const stop = Math.min(nextComma === -1 ? n : nextComma, nextLine === -1 ? n : nextLine);
      if (stop >= n && !atEnd) return null;
      fields[fields.length - 1] += b.slice(i, stop).replace(/\r$/, '');
      i = stop;
    }
  }
}

interface Columns { postcode: number; lat: number; long: number; doterm: number; ward: number; la: number; lsoa21: number; lsoa11: number; imd: number }

function findColumns(header: string[]): Columns {
  const names = header.map((h) => h.trim().replace(/^\uFEFF/, '').toLowerCase());
  const at = (...candidates: string[]) => {
    for (const c of candidates) {
      const i = names.indexOf(c);
      if (i >= 0) return i;
    }
    return -1;
  };
  const columns: Columns = {
    postcode: at('pcds', 'pcd', 'pcd2', 'postcode'), lat: at('lat', 'latitude'), long: at('long', 'longitude'), doterm: at('doterm'),
    ward: at('osward', 'ward'), la: at('oslaua', 'lad', 'lad25cd', 'lad24cd', 'lad23cd'), lsoa21: at('lsoa21', 'lsoa21cd'), lsoa11: at('lsoa11', 'lsoa11cd', 'lsoa'), imd: at('imd'),
  };
  const missing = [columns.postcode < 0 ? 'pcds (or pcd)' : null, columns.lat < 0 ? 'lat' : null, columns.long < 0 ? 'long' : null].filter(Boolean);
  if (missing.length) {
    throw new PostcodeFileError(`This is not an ONS Postcode Directory file: the header row has no ${missing.join(', ')} column${missing.length > 1 ? 's' : ''}`);
  }
  return columns;
}

const emptyBatch = (): PostcodeBatch => ({ postcode: [], latitude: [], longitude: [], ward: [], la: [], lsoa: [], imd: [], terminated: [] });

const text = (fields: string[], i: number) => {
  if (i < 0) return null;
  const v = (fields[i] ?? '').trim();
  return v === '' ? null : v.slice(0, 20);
};

export async function importPostcodes(db: Database, file: string, options: PostcodeImportOptions = {}): Promise<PostcodeImportResult> {
  const started = Date.now();
  const batchSize = options.batchSize ?? 5000;
  let totalBytes: number;
  try {
    totalBytes = (await stat(file)).size;
  } catch {
    throw new PostcodeFileError(`Cannot read ${file}: there is no such file`);
  }
  const result: PostcodeImportResult = { status: 'completed', rows: 0, imported: 0, terminated: 0, skippedNoCoordinates: 0, errors: [], errorCount: 0, seconds: 0 };
  const issue = (row: number, message: string) => {
    result.errorCount++;
    if (result.errors.length < MAX_REPORTED) result.errors.push({ row, message });
  };

  class Rejected extends Error {}
  try {
    await db.system.transaction().execute(async (tx) => {
      const csv = new CsvRecords();
      const decoder = new StringDecoder('utf8');
      let columns: Columns | null = null;
      let batch = emptyBatch();
      // A file may list a postcode twice; within one insert statement it may appear once only.
      let positions = new Map<string, number>();
      let bytesRead = 0;

      const flush = async () => {
        if (batch.postcode.length === 0) return;
        if (result.errorCount === 0) await postcodesRepository.writeBatch(tx, batch);
        batch = emptyBatch();
        positions = new Map();
      };

      const take = async (records: string[][]) => {
        for (const fields of records) {
          if (!columns) {
            columns = findColumns(fields);
            continue;
          }
          if (fields.length === 1 && fields[0]!.trim() === '') continue; // a blank line
          result.rows++;
          const row = result.rows;
          const entered = (fields[columns.postcode] ?? '').trim();
          const postcode = compactPostcode(entered);
          if (!postcode) {
            issue(row, entered ? `“${entered.slice(0, 20)}” is not a UK postcode` : 'the postcode is missing');
            continue;
          }
          const latText = (fields[columns.lat] ?? '').trim();
          const longText = (fields[columns.long] ?? '').trim();
          const latitude = Number(latText);
          const longitude = Number(longText);
          if (latText === '' || longText === '' || latitude === NO_GRID_REFERENCE) {
            result.skippedNoCoordinates++;
            continue;
          }
          if (!Number.isFinite(latitude) || Math.abs(latitude) > 90) { issue(row, `lat “${latText.slice(0, 20)}” is not a latitude`); continue; }
          if (!Number.isFinite(longitude) || Math.abs(longitude) > 180) { issue(row, `long “${longText.slice(0, 20)}” is not a longitude`); continue; }
          const dotermText = text(fields, columns.doterm);
          let terminated: string | null = null;
          if (dotermText) {
            const m = /^(\d{4})(\d{2})$/.exec(dotermText);
            if (!m || Number(m[2]) < 1 || Number(m[2]) > 12) { issue(row, `doterm “${dotermText}” is not a year and month such as 202301`); continue; }
            terminated = `${m[1]}-${m[2]}-01`;
          }
          const imdText = text(fields, columns.imd);
          const imd = imdText === null ? null : Number(imdText);
          if (imd !== null && (!Number.isInteger(imd) || imd < 0)) { issue(row, `imd “${imdText}” is not a rank`); continue; }

          const at = positions.get(postcode);
          const index = at ?? batch.postcode.length;
          if (at === undefined) positions.set(postcode, index);
          batch.postcode[index] = postcode;
          batch.latitude[index] = latitude;
          batch.longitude[index] = longitude;
          batch.ward[index] = text(fields, columns.ward);
          batch.la[index] = text(fields, columns.la);
          // The 2021 LSOA where the file has it, else the 2011 one.
          batch.lsoa[index] = text(fields, columns.lsoa21) ?? text(fields, columns.lsoa11);
          batch.imd[index] = imd;
          batch.terminated[index] = terminated;
          if (at === undefined) {
            result.imported++;
            if (terminated) result.terminated++;
          }
          if (batch.postcode.length >= batchSize) await flush();
        }
      };

      const stream = createReadStream(file, { highWaterMark: 1 << 20 });
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        bytesRead += chunk.length;
        await take(csv.push(decoder.write(chunk)));
        options.onProgress?.(bytesRead, totalBytes);
      }
      await take(csv.push(decoder.end()));
      await take(csv.end());
      if (!columns) throw new PostcodeFileError('The file is empty: it needs a header row and one row per postcode');
      await flush();
      if (result.errorCount > 0) throw new Rejected();
    });
  } catch (err) {
    if (!(err instanceof Rejected)) throw err;
    result.status = 'rejected';
    result.imported = 0;
    result.terminated = 0;
  }
  result.seconds = (Date.now() - started) / 1000;
  return result;
}

/** A one-line progress bar for a terminal: "[#####-----]  52%  1.2 GB of 2.3 GB". */
export function progressBar(bytesRead: number, totalBytes: number, width = 30): string {
  const share = totalBytes > 0 ? Math.min(1, bytesRead / totalBytes) : 1;
  const filled = Math.round(share * width);
  const size = (n: number) => (n >= 1 << 30 ? `${(n / (1 << 30)).toFixed(1)} GB` : n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MB` : `${Math.ceil(n / 1024)} KB`);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.floor(share * 100)).padStart(3)}%  ${size(bytesRead)} of ${size(totalBytes)}`;
}

/** The summary the command prints. */
export function describeImport(r: PostcodeImportResult): string {
  const n = (x: number) => x.toLocaleString('en-GB');
  if (r.status === 'rejected') {
    const lines = r.errors.map((e) => `  row ${n(e.row)}: ${e.message}`);
    const more = r.errorCount > r.errors.length ? [`  … and ${n(r.errorCount - r.errors.length)} more`] : [];
    return [`The file was rejected: ${n(r.errorCount)} row${r.errorCount === 1 ? '' : 's'} could not be read, so no postcodes were changed.`, ...lines, ...more].join('\n');
  }
  return `Imported ${n(r.imported)} postcodes (${n(r.terminated)} terminated, kept and marked) from ${n(r.rows)} rows; `
    + `skipped ${n(r.skippedNoCoordinates)} without coordinates; in ${r.seconds.toFixed(1)} s.`;
}

/** The command: runs the import with a progress bar on a terminal, prints the summary, and returns the exit code. */
export async function runPostcodeImport(db: Database, file: string, out: { stdout: NodeJS.WriteStream; stderr: NodeJS.WriteStream } = process): Promise<number> {
  const tty = Boolean(out.stderr.isTTY);
  let last = 0;
  try {
    const result = await importPostcodes(db, file, {
      onProgress: (bytesRead, totalBytes) => {
        const now = Date.now();
        if (!tty || (now - last < 200 && bytesRead < totalBytes)) return;
        last = now;
        out.stderr.write(`\r${progressBar(bytesRead, totalBytes)}`);
      },
    });
    if (tty) out.stderr.write('\n');
    if (result.status === 'rejected') {
      out.stderr.write(`${describeImport(result)}\n`);
      return 1;
    }
    out.stdout.write(`${describeImport(result)}\n`);
    return 0;
  } catch (err) {
    if (tty) out.stderr.write('\n');
    if (err instanceof PostcodeFileError) {
      out.stderr.write(`${err.message}. Nothing was changed.\n`);
      return 1;
    }
    throw err;
  }
}
