import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { JSONParser } from '@streamparser/json';
import { readDocument, type Paging, type ReadDocument } from './json.js';

/**
 * One ORUK JSON file read as a stream: its records are handed on a few at a time, as they are parsed, so that a file
 * of hundreds of megabytes never stands whole in memory (as text, or as the objects `JSON.parse` would make of it).
 *
 * A file is a list of records (`[…]`), a page of them (3.0 `contents`, 1.0 `content`, with the page's counts beside
 * them), or one record or the API's details (`{…}` without either list). Only the last is read whole, once the stream
 * has found no list in it: such a file holds one record, so it is small, and `readDocument` then tells what it is.
 */

/** Text that is not JSON, found part way through a file: nothing of the file may be imported. */
export class MalformedJson extends Error {}

/** A single record read whole: larger than this, it is not one record but a broken file. */
const WHOLE_RECORD_MAX_BYTES = 20 * 1024 * 1024;

/** The page fields of both eras, read beside a page's records. */
const PAGE_FIELDS = ['page_number', 'total_pages', 'last_page', 'total_items', 'number', 'totalPages', 'last', 'totalElements'];

export interface StreamedDocument {
  /** the page's counts, when the file is a page */
  paging: Paging | null;
  oneZero: boolean;
  /** records handed on */
  items: number;
  /** a file of the API's details, which holds no records */
  apiDetails: boolean;
}

/**
 * Reads `file`, calling `onItems` with each run of records parsed from one piece of the file (awaited before the next
 * piece is read, so a slow writer holds the reading back rather than letting records pile up).
 */
export async function streamJsonRecords(file: string, onItems: (items: unknown[], oneZero: boolean) => Promise<void>): Promise<StreamedDocument> {
  const stream = createReadStream(file, { highWaterMark: 256 * 1024 });
  let parser: JSONParser | null = null;
  let oneZero = false;
  let items = 0;
  let pending: unknown[] = [];
  const fields: Record<string, unknown> = {};
  let opening: string | null = null;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let piece = chunk;
      if (!parser) {
        // The first piece says what the file is: a list, or an object (a page, a record, the API's details).
        const text = chunk.toString('utf8', 0, Math.min(chunk.length, 1024)).replace(/^\uFEFF/, '');
        opening = text.trimStart().charAt(0);
        if (chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) piece = chunk.subarray(3);
        if (opening !== '[' && opening !== '{') throw new MalformedJson(`it does not begin with [ or {`);
        parser = new JSONParser({ paths: opening === '[' ? ['$.*'] : ['$.contents.*', '$.content.*', ...PAGE_FIELDS.map((f) => `$.${f}`)], keepStack: false });
        parser.onValue = ({ value, key, stack }) => {
          if (stack.length === 2) {
            // (a record of a page: which list it came from says which era the page is)
            if (stack[1]?.key === 'content') oneZero = true;
            pending.push(value);
          } else if (opening === '[') pending.push(value);
          else if (typeof key === 'string') fields[key] = value;
        };
      }
      try {
        parser.write(piece);
      } catch (err) {
        throw new MalformedJson((err as Error).message);
      }
      if (pending.length) {
        const run = pending;
        pending = [];
        items += run.length;
        await onItems(run, oneZero);
      }
    }
  } finally {
    stream.destroy();
  }
  if (!parser) throw new MalformedJson('it is empty');
  if (!parser.isEnded) {
    try {
      parser.end();
    } catch (err) {
      throw new MalformedJson((err as Error).message);
    }
  }
  if (opening === '[' || items > 0) return { paging: opening === '[' ? null : pagingOf(fields, oneZero), oneZero, items, apiDetails: false };
  return wholeRecord(file, onItems);
}

function pagingOf(fields: Record<string, unknown>, oneZero: boolean): Paging | null {
  return readDocument({ ...fields, [oneZero ? 'content' : 'contents']: [] }).paging;
}

/** An object without a list of records: one record, or the API's details. */
async function wholeRecord(file: string, onItems: (items: unknown[], oneZero: boolean) => Promise<void>): Promise<StreamedDocument> {
  if ((await stat(file)).size > WHOLE_RECORD_MAX_BYTES) throw new MalformedJson('it holds one object too large to be a record, and no list of records');
  let read: ReadDocument;
  try {
    read = readDocument(JSON.parse((await readFile(file, 'utf8')).replace(/^\uFEFF/, '')));
  } catch (err) {
    throw new MalformedJson((err as Error).message);
  }
  if (read.apiDetails) return { paging: null, oneZero: false, items: 0, apiDetails: true };
  if (read.items.length) await onItems(read.items, read.oneZero);
  return { paging: read.paging, oneZero: read.oneZero, items: read.items.length, apiDetails: false };
}
