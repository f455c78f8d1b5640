import { open, readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_IMPORT_LIMITS, type ImportLimits } from '../../../platform/config.js';
import { getPublic, OutboundError, tooLarge } from '../../../platform/http/outbound.js';
import { isCsvPackageFile, readCsvPackage } from './csv-package.js';
import { isFlatService, JsonReader, readDocument, type Paging, type RecordKind } from './json.js';
import { MalformedJson, streamJsonRecords } from './stream.js';
import type { ImportSet } from './model.js';

/**
 * Where an import comes from: a feed's address (followed page by page until its last page), a file or folder
 * on disk (the command line), or files uploaded on the admin page. JSON is read as ORUK 3.0 or 1.0; CSV files as
 * the HSDS tabular package.
 */

export type OrukSource =
  | { kind: 'url'; url: string }
  | { kind: 'path'; path: string }
  | { kind: 'files'; files: { name: string; text: string }[] }
  /** files uploaded on the admin page and kept in a folder of their own until the import's job has read them */
  | { kind: 'upload'; dir: string; names: string[] };

export interface SourceProgress {
  stage: 'fetch' | 'read'; done: number; total: number | null; message: string;
  /** a feed's records read so far */
  records?: number;
}
export interface ReadOptions {
  onProgress?: (p: SourceProgress) => void;
  /** how much may be read, for how long, from where (config.imports) */
  limits?: ImportLimits;
  /** a guard against a feed that never says it has ended */
  maxPages?: number;
  /** the most records a feed may list (FEED_MOST_RECORDS) */
  maxRecords?: number;
  /** requests for full services made at once, when a list gives only their one-to-one fields */
  detailConcurrency?: number;
}

/** A source that cannot be read at all: the import is rejected with this message. */
export class SourceError extends Error {}

export function describeSource(source: OrukSource): string {
  if (source.kind === 'url') return source.url;
  if (source.kind === 'path') return source.path;
  if (source.kind === 'upload') return source.names.join(', ').slice(0, 2000) || 'uploaded files';
  return source.files.map((f) => f.name).join(', ').slice(0, 2000) || 'uploaded files';
}

/**
 * A source read whole (a CSV package, whose tables name each other's rows; JSON beside it) may be this large at most: a
 * 20 MB package takes about 470 MB of memory while it is read. JSON files on their own are read as a stream, whatever
 * their size (streamedJsonFiles).
 */
export const WHOLE_SOURCE_MAX_BYTES = 20 * 1024 * 1024;

export async function readSource(source: OrukSource, set: ImportSet, options: ReadOptions = {}): Promise<{ format: 'oruk' | 'hsds_csv' }> {
  const limits = options.limits ?? DEFAULT_IMPORT_LIMITS;
  if (source.kind === 'url') {
    await readFeed(source.url, set, options, limits);
    return { format: 'oruk' };
  }
  const files = source.kind === 'files' ? source.files.map((f) => ({ ...f, type: typeOfText(f.name, f.text) })) : await readWhole(source, limits);
  const size = files.reduce((n, f) => n + Buffer.byteLength(f.text), 0);
  if (size > limits.maxBytes) throw new SourceError(tooLarge(describeSource(source), limits.maxBytes));
  for (const f of files) if (f.type === 'other') set.warning(ignoredFile(f.name));
  const csv = files.filter((f) => f.type === 'csv');
  const json = files.filter((f) => f.type === 'json');
  if (csv.length === 0 && json.length === 0) throw new SourceError('There was nothing to import: give an ORUK JSON file, the CSV files of an HSDS package, or a feed’s address');
  const reader = new JsonReader(set);
  json.forEach((f, i) => {
    readJsonText(f, set, reader);
    options.onProgress?.({ stage: 'read', done: i + 1, total: json.length, message: `Read ${f.name}` });
  });
  if (csv.length) readCsvPackage(csv, set);
  return { format: csv.length && !json.length ? 'hsds_csv' : 'oruk' };
}

function readJsonText(f: { name: string; text: string }, set: ImportSet, reader: JsonReader): void {
  let doc: unknown;
  try {
    doc = JSON.parse(f.text.charCodeAt(0) === 0xfeff ? f.text.slice(1) : f.text);
  } catch (err) {
    set.error({ record: 'file', file: f.name, message: `${f.name} is not valid JSON: ${(err as Error).message}` });
    return;
  }
  const read = readDocument(doc);
  if (read.apiDetails) {
    set.error({ record: 'file', file: f.name, message: `${f.name} describes an API (its version and OpenAPI address) but holds no records: give the feed’s address instead` });
    return;
  }
  if (read.paging && (read.paging.totalPages === null || read.paging.totalPages <= 1)) checkTotal(set, f.name, read.paging.totalItems, read.items.length);
  for (const item of read.items) reader.add(item, { oneZero: read.oneZero, source: f.name });
}

/** A file that is neither JSON nor CSV, left out of an import. */
export const ignoredFile = (name: string) => ({ record: 'file', file: name, message: `${name} is neither JSON nor CSV: ignored` });

type FileType = 'json' | 'csv' | 'other';
interface DiskFile { path: string; name: string; size: number; type: FileType }

const JSON_OPENING = /^\uFEFF?\s*[[{]/;

function typeOfText(name: string, text: string): FileType {
  if (isCsvPackageFile(name)) return 'csv';
  return /\.json$/i.test(name) || JSON_OPENING.test(text) ? 'json' : 'other';
}

/** What a file holds, told by its name, or by its first bytes when its name does not say. */
async function typeOfFile(file: string): Promise<FileType> {
  if (isCsvPackageFile(file) || /\.json$/i.test(file)) return typeOfText(file, '');
  const handle = await open(file);
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(4096), 0, 4096, 0);
    return JSON_OPENING.test(buffer.toString('utf8', 0, bytesRead)) ? 'json' : 'other';
  } finally {
    await handle.close();
  }
}

/**
 * The files of a source on disk (a file, or a folder's JSON and CSV files; every file of an upload's folder), refused
 * when larger in all than the import's limit, before any is read.
 */
async function filesOf(source: OrukSource & { kind: 'path' | 'upload' }, maxBytes: number): Promise<DiskFile[]> {
  const location = source.kind === 'path' ? source.path : source.dir;
  let info;
  try {
    info = await stat(location);
  } catch {
    throw new SourceError(`There is no file or folder at ${location}`);
  }
  const paths = info.isDirectory()
    ? (await readdir(location)).filter((n) => source.kind === 'upload' || /\.(json|csv)$/i.test(n)).sort().map((n) => path.join(location, n))
    : [location];
  const files = await Promise.all(paths.map(async (p) => ({ path: p, name: path.basename(p), size: (await stat(p)).size, type: await typeOfFile(p) })));
  if (files.reduce((n, f) => n + f.size, 0) > maxBytes) throw new SourceError(tooLarge(location, maxBytes));
  return files;
}

/** The JSON and CSV files of a source on disk read whole, when they are within WHOLE_SOURCE_MAX_BYTES in all; the rest are named, not read. */
async function readWhole(source: OrukSource & { kind: 'path' | 'upload' }, limits: ImportLimits): Promise<{ name: string; text: string; type: FileType }[]> {
  const files = await filesOf(source, limits.maxBytes);
  const read = files.filter((f) => f.type !== 'other');
  const size = read.reduce((n, f) => n + f.size, 0);
  const most = Math.min(limits.maxBytes, WHOLE_SOURCE_MAX_BYTES);
  if (size > most) {
    throw new SourceError(`${describeSource(source)} is ${Math.ceil(size / (1024 * 1024))} MB: an HSDS CSV package (with any JSON files given beside it) is read whole, so it may be at most ${Math.round(most / (1024 * 1024))} MB. Import the directory’s ORUK JSON instead (a file or a feed), which is read as it arrives, whatever its size`);
  }
  return Promise.all(files.map(async (f) => ({ name: f.name, type: f.type, text: f.type === 'other' ? '' : await readFile(f.path, 'utf8') })));
}

/**
 * The files of a source on disk that are read as a stream (streamJsonRecords): JSON files (by name, or by their first
 * bytes) and others, which are named and ignored. Null for any other source: a feed (read page by page), one with CSV
 * (the package's tables name each other, so they are read whole), files given as text.
 */
export async function streamedJsonFiles(source: OrukSource, limits: ImportLimits): Promise<{ json: string[]; ignored: string[] } | null> {
  if (source.kind !== 'path' && source.kind !== 'upload') return null;
  const files = await filesOf(source, limits.maxBytes);
  if (files.some((f) => f.type === 'csv') || !files.some((f) => f.type === 'json')) return null;
  return { json: files.filter((f) => f.type === 'json').map((f) => f.path), ignored: files.filter((f) => f.type === 'other').map((f) => f.name) };
}

const ENDPOINT_KINDS: Record<string, RecordKind> = {
  services: 'service', organizations: 'organization', taxonomies: 'taxonomy', taxonomy_terms: 'taxonomy_term', service_at_locations: 'service_at_location',
};

/** What one page of a feed held, once its records were handed to the reader. */
interface FeedPage {
  paging: Paging | null;
  /** records the page listed */
  items: number;
  first: string | null;
  apiDetails: boolean;
  /** services listed with their one-to-one fields only, read once their full record has been asked for */
  flat: { item: unknown; oneZero: boolean }[];
  /** the page began with the same record as the page before, so nothing of it was read */
  repeated: boolean;
}

/** Reads a feed: its API root (then its /services), or any list endpoint, page after page until the last. */
async function readFeed(address: string, set: ImportSet, options: ReadOptions, limits: ImportLimits): Promise<void> {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    throw new SourceError(`${address} is not a web address`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new SourceError(`${address} is not an http or https address`);
  const feed: FeedReading = { limits, address, bytes: 0, records: 0, mostRecords: options.maxRecords ?? FEED_MOST_RECORDS, stopped: false };
  try {
    await readFeedPages(url, set, options, feed);
  } finally {
    feed.stopped = true;
  }
}

async function readFeedPages(url: URL, set: ImportSet, options: ReadOptions, feed: FeedReading): Promise<void> {
  const { address } = feed;
  const reader = new JsonReader(set);
  let { kind, apiBase } = endpointOf(url);
  let read = await readFeedPage(url, feed, reader, kind, null);
  if (read.apiDetails) {
    url = new URL(`${url.pathname.replace(/\/$/, '')}/services${url.search}`, url);
    ({ kind, apiBase } = endpointOf(url));
    read = await readFeedPage(url, feed, reader, kind, null);
  }
  const maxPages = options.maxPages ?? 100_000;
  let pageNumber = read.paging?.pageNumber ?? (Number(url.searchParams.get('page')) || 1);
  // Feeds of the ORUK 1.0 era number their pages from 0; some of them take ?page= from 1 all the same.
  const zeroBased = read.paging?.pageNumber === 0;
  let askedOffset = 0;
  const totalItems = read.paging?.totalItems ?? null;
  let listed = 0;
  let complete = true;
  const detailed = new Set<string>();
  let pages = 0;
  for (;;) {
    pages += 1;
    if (read.repeated) {
      if (pages === 2 && zeroBased && askedOffset === 0) {
        // the feed answered ?page=1 with its first page again: it counts the pages it is asked for from 1
        askedOffset = 1;
        url.searchParams.set('page', String(pageNumber + 1));
        read = await readFeedPage(url, feed, reader, kind, read.first);
        pages -= 1;
        continue;
      }
      set.warning({ record: 'feed', message: `${url.href} answered page ${pageNumber} with the same records as the page before: reading stopped there` });
      complete = false;
      break;
    }
    const paging = read.paging;
    const reported = paging?.pageNumber ?? pageNumber;
    const last = !paging || read.items === 0 || paging.lastPage === true
      || (paging.lastPage === null && (paging.totalPages === null || reported + (zeroBased ? 1 : 0) >= paging.totalPages));
    // The next page is asked for before this one's full records are, so that the feed prepares and sends it meanwhile.
    let next: { url: URL; pageNumber: number; page: Promise<FeedPage> } | null = null;
    if (!last && pages < maxPages) {
      const nextNumber = reported + 1;
      const nextUrl = new URL(url);
      nextUrl.searchParams.set('page', String(nextNumber + askedOffset));
      next = { url: nextUrl, pageNumber: nextNumber, page: readFeedPage(nextUrl, feed, reader, kind, read.first) };
      next.page.catch(() => undefined); // awaited below; an import that stops first leaves it
    }
    listed += read.items;
    await readFullServices(read.flat, apiBase, url.href, reader, set, options, feed, detailed);
    const total = paging?.totalPages ?? null;
    options.onProgress?.({ stage: 'fetch', done: pages, total, records: listed, message: `Read page ${pages}${total ? ` of ${total}` : ''} (${set.services.size} services so far)` });
    if (last) break;
    if (!next) {
      set.error({ record: 'feed', message: `${address} had not reached its last page after ${maxPages} pages: stopped` });
      complete = false;
      break;
    }
    ({ url, pageNumber } = next);
    read = await next.page;
  }
  if (complete) checkTotal(set, address, totalItems, listed);
}

/** A feed that says it holds a number of records and sends another: flagged, since records may be missing. */
export function checkTotal(set: ImportSet, where: string, said: number | null, sent: number) {
  if (said === null || said === sent) return;
  set.warning({ record: 'feed', field: 'total_items', message: `${where} says it holds ${said} ${said === 1 ? 'record' : 'records'} but sent ${sent}: check that none are missing` });
}

/** What a list endpoint's records are (the last part of its path names them), and the API's address. */
function endpointOf(url: URL): { kind: RecordKind | undefined; apiBase: string } {
  const segments = url.pathname.replace(/\/$/, '').split('/');
  return { kind: ENDPOINT_KINDS[segments[segments.length - 1] ?? ''], apiBase: `${url.origin}${segments.slice(0, -1).join('/')}` };
}

/** A signal that ends the reading of a page that repeats the page before. */
class RepeatedPage extends Error {}

/**
 * Reads one page of a feed as it arrives (streamJsonRecords), handing each record to the reader as it is parsed, so a
 * page is never held whole; services listed flat are kept back for their full records. A page whose first record is
 * `previousFirst` is left unread. Any failure, while asking or part way through the body, is a SourceError.
 */
async function readFeedPage(url: URL, feed: FeedReading, reader: JsonReader, kind: RecordKind | undefined, previousFirst: string | null): Promise<FeedPage> {
  const page: FeedPage = { paging: null, items: 0, first: null, apiDetails: false, flat: [], repeated: false };
  const body = await askFeed(url, feed);
  try {
    const doc = await streamJsonRecords(body, (items, oneZero) => {
      if (page.items === 0 && items.length) {
        page.first = firstIdOf(items[0]);
        if (page.first !== null && page.first === previousFirst) throw new RepeatedPage();
      }
      page.items += items.length;
      feed.records += items.length;
      if (feed.records > feed.mostRecords) {
        throw new FeedTooLarge(`${feed.address} lists more than ${feed.mostRecords.toLocaleString('en-GB')} records, the most a feed may, since its records are held until all are read: nothing was imported`);
      }
      for (const item of items) {
        if (kind === 'service' && isFlatService(item)) page.flat.push({ item, oneZero });
        else reader.add(item, { ...(kind ? { kind } : {}), oneZero, source: url.href });
      }
    });
    return { ...page, paging: doc.paging, apiDetails: doc.apiDetails };
  } catch (err) {
    if (err instanceof RepeatedPage) return { ...page, repeated: true };
    throw asSourceError(err, url);
  }
}

/** A failure while asking for or reading an answer, as the import reports it (anything else as it was). */
function asSourceError(err: unknown, url: URL): unknown {
  if (err instanceof OutboundError) return new SourceError(err.message);
  if (err instanceof MalformedJson) return new SourceError(`${url.href} did not answer with JSON: ${err.message}`);
  return err;
}

/** What a feed may send in all, its pages and full records together, in limits of one page (IMPORT_MAX_MB). */
export const FEED_PAGES_OF_LIMIT = 5;

/** A feed being read: what it has sent so far, counted against FEED_PAGES_OF_LIMIT, since all its records are held until written. */
interface FeedReading { limits: ImportLimits; address: string; bytes: number; records: number; mostRecords: number; stopped: boolean }

/**
 * The most records a feed may list. They are held until all are read, about 3 kB each once read, so bytes alone (a
 * compact feed sends a record in under 1 kB) would let a feed within FEED_PAGES_OF_LIMIT fill the memory first.
 */
export const FEED_MOST_RECORDS = 200_000;

/** The feed sent more in all than it may: the import is rejected, whatever part was being read. */
class FeedTooLarge extends SourceError {}

/** A feed's answer, as it arrives, counted against what the feed may send in all; a connection its server closed before answering is asked again, once. */
async function askFeed(url: URL, feed: FeedReading): Promise<AsyncIterable<Buffer>> {
  for (let attempt = 1; ; attempt++) {
    try {
      return counted(await getPublic(url, feed.limits), feed);
    } catch (err) {
      if (!(err instanceof OutboundError)) throw err;
      if (attempt === 1 && err.reason === 'dropped') continue;
      throw new SourceError(err.message);
    }
  }
}

async function* counted(body: AsyncIterable<Buffer>, feed: FeedReading): AsyncGenerator<Buffer> {
  const most = FEED_PAGES_OF_LIMIT * feed.limits.maxBytes;
  for await (const chunk of body) {
    // (a page asked for ahead, still arriving when the import stopped, is read no further)
    if (feed.stopped) throw new SourceError(`${feed.address}: the import stopped`);
    feed.bytes += chunk.length;
    if (feed.bytes > most) {
      throw new FeedTooLarge(`${feed.address} sent more than ${Math.round(most / (1024 * 1024))} MB in all, the most a feed may send (${FEED_PAGES_OF_LIMIT} times the limit of one page), since its records are held until all are read: nothing was imported`);
    }
    yield chunk;
  }
}

/** Each flat service's full record, from /services/{id}, asked for once though the feed lists it on several pages or twice on one. */
async function readFullServices(flat: FeedPage['flat'], apiBase: string, href: string, reader: JsonReader, set: ImportSet, options: ReadOptions, feed: FeedReading,
  detailed: Set<string>) {
  const asking = flat.filter(({ item }) => {
    const id = firstIdOf(item);
    if (id === null || detailed.has(id)) return id === null;
    detailed.add(id);
    return true;
  });
  const concurrency = options.detailConcurrency ?? 8;
  for (let start = 0; start < asking.length; start += concurrency) {
    await Promise.all(asking.slice(start, start + concurrency).map(async ({ item, oneZero }) => {
      const id = firstIdOf(item);
      let full: unknown = item;
      if (id !== null) {
        try {
          full = await getRecord(new URL(`${apiBase}/services/${encodeURIComponent(id)}`), feed);
        } catch (err) {
          if (err instanceof FeedTooLarge) throw err;
          set.warning({ record: 'service', id, message: `its full record could not be read (${(err as Error).message}): imported from the list alone` });
        }
      }
      reader.add(full, { kind: 'service', oneZero, source: href });
    }));
  }
}

/** One record, read whole: larger than WHOLE_RECORD_MAX_BYTES, it is refused (streamJsonRecords). */
async function getRecord(url: URL, feed: FeedReading): Promise<unknown> {
  let record: unknown = null;
  const doc = await streamJsonRecords(await askFeed(url, feed), (items) => { record ??= items[0]; }).catch((err: unknown) => { throw asSourceError(err, url); });
  if (doc.apiDetails || record === null) throw new SourceError(`${url.href} did not answer with a record`);
  return record;
}

function firstIdOf(item: unknown): string | null {
  const id = (item as { id?: unknown } | null)?.id;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : null;
}
