import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_IMPORT_LIMITS, type ImportLimits } from '../../../platform/config.js';
import { getPublicText, OutboundError, tooLarge } from '../../../platform/http/outbound.js';
import { isCsvPackageFile, readCsvPackage } from './csv-package.js';
import { isFlatService, JsonReader, readDocument, type ReadDocument, type RecordKind } from './json.js';
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

export interface SourceProgress { stage: 'fetch' | 'read'; done: number; total: number | null; message: string }
export interface ReadOptions {
  onProgress?: (p: SourceProgress) => void;
  /** how much may be read, for how long, from where (config.imports) */
  limits?: ImportLimits;
  /** a guard against a feed that never says it has ended */
  maxPages?: number;
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

export async function readSource(source: OrukSource, set: ImportSet, options: ReadOptions = {}): Promise<{ format: 'oruk' | 'hsds_csv' }> {
  const limits = options.limits ?? DEFAULT_IMPORT_LIMITS;
  if (source.kind === 'url') {
    await readFeed(source.url, set, options, limits);
    return { format: 'oruk' };
  }
  const files = source.kind === 'files' ? source.files
    : source.kind === 'upload' ? await filesAt(source.dir, limits.maxBytes, true) : await filesAt(source.path, limits.maxBytes);
  const size = files.reduce((n, f) => n + Buffer.byteLength(f.text), 0);
  if (size > limits.maxBytes) throw new SourceError(tooLarge(describeSource(source), limits.maxBytes));
  const csv = files.filter((f) => isCsvPackageFile(f.name));
  const json = files.filter((f) => /\.json$/i.test(f.name) || (!isCsvPackageFile(f.name) && /^\s*[[{]/.test(f.text)));
  const other = files.filter((f) => !csv.includes(f) && !json.includes(f));
  for (const f of other) set.warning({ record: 'file', file: f.name, message: `${f.name} is neither JSON nor CSV: ignored` });
  if (csv.length === 0 && json.length === 0) throw new SourceError('There was nothing to import: give an ORUK JSON file, the CSV files of an HSDS package, or a feed’s address');
  const reader = new JsonReader(set);
  json.forEach((f, i) => {
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
    options.onProgress?.({ stage: 'read', done: i + 1, total: json.length, message: `Read ${f.name}` });
  });
  if (csv.length) readCsvPackage(csv, set);
  return { format: csv.length && !json.length ? 'hsds_csv' : 'oruk' };
}

/** The files at a path (a file, or a folder's JSON and CSV files; every file of an upload's folder), refused when larger in all than `maxBytes`. */
async function pathsAt(location: string, maxBytes: number, everyFile = false): Promise<string[]> {
  let info;
  try {
    info = await stat(location);
  } catch {
    throw new SourceError(`There is no file or folder at ${location}`);
  }
  const paths = info.isDirectory()
    ? (await readdir(location)).filter((n) => everyFile || /\.(json|csv)$/i.test(n)).sort().map((n) => path.join(location, n))
    : [location];
  // checked before reading, so that a file larger than memory is refused rather than read
  let size = 0;
  for (const p of paths) size += (await stat(p)).size;
  if (size > maxBytes) throw new SourceError(tooLarge(location, maxBytes));
  return paths;
}

async function filesAt(location: string, maxBytes: number, everyFile = false): Promise<{ name: string; text: string }[]> {
  const paths = await pathsAt(location, maxBytes, everyFile);
  return Promise.all(paths.map(async (p) => ({ name: path.basename(p), text: await readFile(p, 'utf8') })));
}

/**
 * The files of a source on disk that are read as a stream (streamJsonRecords): a JSON file, or a folder or upload of
 * JSON files only. Null for any other source: a feed (read page by page), CSV (the package's tables name each other,
 * so they are read whole), files given as text.
 */
export async function streamedJsonFiles(source: OrukSource, limits: ImportLimits): Promise<string[] | null> {
  if (source.kind !== 'path' && source.kind !== 'upload') return null;
  const paths = await pathsAt(source.kind === 'path' ? source.path : source.dir, limits.maxBytes, source.kind === 'upload');
  if (!paths.length || !paths.every((p) => /\.json$/i.test(p))) return null;
  return paths;
}

const ENDPOINT_KINDS: Record<string, RecordKind> = {
  services: 'service', organizations: 'organization', taxonomies: 'taxonomy', taxonomy_terms: 'taxonomy_term', service_at_locations: 'service_at_location',
};

/** Reads a feed: its API root (then its /services), or any list endpoint, page after page until the last. */
async function readFeed(address: string, set: ImportSet, options: ReadOptions, limits: ImportLimits): Promise<void> {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    throw new SourceError(`${address} is not a web address`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new SourceError(`${address} is not an http or https address`);
  let read = readDocument(await getJson(url, limits));
  if (read.apiDetails) {
    url = new URL(`${url.pathname.replace(/\/$/, '')}/services${url.search}`, url);
    read = readDocument(await getJson(url, limits));
  }
  const segments = url.pathname.replace(/\/$/, '').split('/');
  const endpoint = segments[segments.length - 1] ?? '';
  const kind = ENDPOINT_KINDS[endpoint];
  const apiBase = `${url.origin}${segments.slice(0, -1).join('/')}`;
  const reader = new JsonReader(set);
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
  let previousFirst: string | null = null;
  for (;;) {
    pages += 1;
    const first = firstId(read);
    if (pages > 1 && first !== null && first === previousFirst) {
      if (pages === 2 && zeroBased && askedOffset === 0) {
        // the feed answered ?page=1 with its first page again: it counts the pages it is asked for from 1
        askedOffset = 1;
        url.searchParams.set('page', String(pageNumber + 1));
        read = readDocument(await getJson(url, limits));
        pages -= 1;
        continue;
      }
      set.warning({ record: 'feed', message: `${url.href} answered page ${pageNumber} with the same records as the page before: reading stopped there` });
      complete = false;
      break;
    }
    previousFirst = first;
    const paging = read.paging;
    const reported = paging?.pageNumber ?? pageNumber;
    const last = !paging || read.items.length === 0 || paging.lastPage === true
      || (paging.lastPage === null && (paging.totalPages === null || reported + (zeroBased ? 1 : 0) >= paging.totalPages));
    // The next page is asked for before this one is read, so that the feed prepares and sends it meanwhile.
    let next: { url: URL; pageNumber: number; body: Promise<unknown> } | null = null;
    if (!last && pages < maxPages) {
      const nextNumber = reported + 1;
      const nextUrl = new URL(url);
      nextUrl.searchParams.set('page', String(nextNumber + askedOffset));
      next = { url: nextUrl, pageNumber: nextNumber, body: getJson(nextUrl, limits) };
      next.body.catch(() => undefined); // awaited below; an import that stops first leaves it
    }
    listed += read.items.length;
    await readPage(read, kind, apiBase, url.href, reader, set, options, limits, detailed);
    const total = paging?.totalPages ?? null;
    options.onProgress?.({ stage: 'fetch', done: pages, total, message: `Read page ${pages}${total ? ` of ${total}` : ''} (${set.services.size} services so far)` });
    if (last) break;
    if (!next) {
      set.error({ record: 'feed', message: `${address} had not reached its last page after ${maxPages} pages: stopped` });
      complete = false;
      break;
    }
    ({ url, pageNumber } = next);
    read = readDocument(await next.body);
  }
  if (complete) checkTotal(set, address, totalItems, listed);
}

/** A feed that says it holds a number of records and sends another: flagged, since records may be missing. */
export function checkTotal(set: ImportSet, where: string, said: number | null, sent: number) {
  if (said === null || said === sent) return;
  set.warning({ record: 'feed', field: 'total_items', message: `${where} says it holds ${said} ${said === 1 ? 'record' : 'records'} but sent ${sent}: check that none are missing` });
}

function firstId(read: ReadDocument): string | null {
  const item = read.items[0] as { id?: unknown } | undefined;
  return item && (typeof item.id === 'string' || typeof item.id === 'number') ? String(item.id) : null;
}

async function readPage(read: ReadDocument, kind: RecordKind | undefined, apiBase: string, href: string, reader: JsonReader, set: ImportSet, options: ReadOptions, limits: ImportLimits,
  detailed: Set<string>) {
  const items = read.items;
  // A list of services with their one-to-one fields only: each full service is at /services/{id}.
  if (kind === 'service') {
    // each service's full record once, though the feed list it on several pages or twice on one
    const flat = items.map((item, i) => ({ item, i })).filter(({ item }) => {
      const id = isFlatService(item) ? firstIdOf(item) : null;
      if (id === null || detailed.has(id)) return false;
      detailed.add(id);
      return true;
    });
    const concurrency = options.detailConcurrency ?? 8;
    for (let start = 0; start < flat.length; start += concurrency) {
      await Promise.all(flat.slice(start, start + concurrency).map(async ({ item, i }) => {
        const id = firstIdOf(item)!;
        try {
          items[i] = await getJson(new URL(`${apiBase}/services/${encodeURIComponent(id)}`), limits);
        } catch (err) {
          set.warning({ record: 'service', id, message: `its full record could not be read (${(err as Error).message}): imported from the list alone` });
        }
      }));
    }
  }
  for (const item of items) reader.add(item, { ...(kind ? { kind } : {}), oneZero: read.oneZero, source: href });
}

function firstIdOf(item: unknown): string | null {
  const id = (item as { id?: unknown }).id;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : null;
}

/** One JSON document from a feed, within the import's limits; any failure, while asking or while reading the body, is a SourceError. */
async function getJson(url: URL, limits: ImportLimits): Promise<unknown> {
  let body: string | null = null;
  for (let attempt = 1; body === null; attempt++) {
    try {
      body = await getPublicText(url, limits);
    } catch (err) {
      if (!(err instanceof OutboundError)) throw err;
      // a connection kept by the feed's server and closed meanwhile: asked again once
      if (attempt === 1 && err.reason === 'dropped') continue;
      throw new SourceError(err.message);
    }
  }
  try {
    return JSON.parse(body);
  } catch {
    throw new SourceError(`${url.href} did not answer with JSON`);
  }
}
