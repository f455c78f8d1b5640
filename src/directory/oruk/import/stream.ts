import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { JSONParser } from '@streamparser/json';
import { readDocument, type Paging, type ReadDocument } from './json.js';

/**
 * One ORUK JSON document (a file, or a feed's answer as it arrives) read as a stream: its records are handed on a few
 * at a time, as they are parsed, so that a document of hundreds of megabytes never stands whole in memory (as text, or
 * as the objects `JSON.parse` would make of it).
 *
 * A document is a list of records (`[…]`), a page of them (3.0 `contents`, 1.0 `content`, with the page's counts
 * beside them), or one record or the API's details (`{…}` without either list). Only the last is read whole, once the
 * stream has found no list in it: such a document holds one record, so it is small (WHOLE_RECORD_MAX_BYTES at most),
 * and `readDocument` then tells what it is.
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
 * Reads `from` (a file's path, or bytes as they arrive), calling `onItems` with each run of records parsed from one
 * piece (awaited before the next piece is read, so a slow writer holds the reading back rather than letting records
 * pile up).
 */
export async function streamJsonRecords(from: string | AsyncIterable<Buffer>, onItems: (items: unknown[], oneZero: boolean) => Promise<void> | void): Promise<StreamedDocument> {
  const stream = typeof from === 'string' ? createReadStream(from, { highWaterMark: 256 * 1024 }) : from;
  // Bytes that arrive cannot be read again: they are kept until they show a list, in case the document is one record.
  let kept: Buffer[] | null = typeof from === 'string' ? null : [];
  let keptBytes = 0;
  let parser: JSONParser | null = null;
  let oneZero = false;
  let items = 0;
  let pending: unknown[] = [];
  const fields: Record<string, unknown> = {};
  let opening: string | null = null;
  let start: Buffer | null = null;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let piece = chunk;
      if (!parser) {
        // The first bytes that are not spaces say what the document is: a list, or an object (a page, a record, the API's details).
        start = start ? Buffer.concat([start, chunk]) : chunk;
        const opened = openingOf(start);
        if (opened === null) continue;
        opening = opened.char;
        piece = start.subarray(opened.bom ? 3 : 0);
        start = null;
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
      if (kept && (opening === '[' || items > 0 || keptBytes + piece.length > WHOLE_RECORD_MAX_BYTES)) kept = null;
      else if (kept) {
        kept.push(piece);
        keptBytes += piece.length;
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
    if ('destroy' in stream && typeof stream.destroy === 'function') stream.destroy();
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
  return wholeRecord(typeof from === 'string' ? from : kept && Buffer.concat(kept), onItems);
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
/** Spaces read before a document's first character, at most: more, and it is not JSON. */
const LEADING_SPACE_MAX = 64 * 1024;

/** A document's first character (after a byte order mark and spaces); null while only those have come. */
function openingOf(start: Buffer): { char: string; bom: boolean } | null {
  const bom = start.subarray(0, 3).equals(BOM.subarray(0, Math.min(3, start.length)));
  if (bom && start.length < 3) return null;
  const at = start.findIndex((b, i) => (!bom || i >= 3) && b !== 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d);
  if (at < 0) {
    if (start.length > LEADING_SPACE_MAX) throw new MalformedJson('it does not begin with [ or {');
    return null;
  }
  const char = String.fromCharCode(start[at]!);
  if (char !== '[' && char !== '{') throw new MalformedJson('it does not begin with [ or {');
  return { char, bom };
}

function pagingOf(fields: Record<string, unknown>, oneZero: boolean): Paging | null {
  return readDocument({ ...fields, [oneZero ? 'content' : 'contents']: [] }).paging;
}

/** An object without a list of records: one record, or the API's details (its file, or its bytes; null when they were too many to keep). */
async function wholeRecord(from: string | Buffer | null, onItems: (items: unknown[], oneZero: boolean) => Promise<void> | void): Promise<StreamedDocument> {
  if (from === null || (typeof from === 'string' && (await stat(from)).size > WHOLE_RECORD_MAX_BYTES)) {
    throw new MalformedJson('it holds one object too large to be a record, and no list of records');
  }
  let read: ReadDocument;
  try {
    const text = typeof from === 'string' ? await readFile(from, 'utf8') : from.toString('utf8');
    read = readDocument(JSON.parse(text.replace(/^\uFEFF/, '')));
  } catch (err) {
    throw new MalformedJson((err as Error).message);
  }
  if (read.apiDetails) return { paging: null, oneZero: false, items: 0, apiDetails: true };
  if (read.items.length) await onItems(read.items, read.oneZero);
  return { paging: read.paging, oneZero: read.oneZero, items: read.items.length, apiDetails: false };
}
