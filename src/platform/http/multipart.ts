import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FastifyInstance, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import multipart, { type MultipartFile } from '@fastify/multipart';
import { holdBackNul } from './text-input.js';

/**
 * Upload forms post multipart/form-data: files beside ordinary fields. `acceptMultipart` is registered inside an
 * encapsulated plugin so that only that plugin's routes take such bodies; everywhere else Fastify keeps answering 415.
 *
 * Whoever may not upload there is refused by the plugin's guard before a byte of the body is read, and a body that
 * says it is too large is refused unread. The fields are read as an ordinary form's (each its text, an array when
 * repeated) before the global CSRF check runs, so an upload's `_csrf` is read like any other form's; each file goes to
 * the plugin's sink: its text into the fields (`textSink`), a folder on disk (`folderSink`), or the route's own keeping.
 */
export type FormFields = Record<string, string | string[]>;

/** An upload refused: 400 (not well-formed), 408 (it stopped coming), 413 (too large). */
export class UploadRefused extends Error {
  constructor(readonly statusCode: 400 | 408 | 413, message: string) { super(message); }
}

const unreadable = () => new UploadRefused(400, 'The upload could not be read. Try again.');
const megabytes = (bytes: number) => Math.floor(bytes / (1024 * 1024));
const isMultipart = (request: FastifyRequest) => request.headers['content-type']?.toLowerCase().startsWith('multipart/form-data') ?? false;

/** Where a request's files go. */
export interface MultipartSink {
  /** Before the first part is read. */
  begin?(request: FastifyRequest): Promise<void>;
  /** One file part: its stream read to the end (or drained), each chunk passed to `count`, which throws past the limit. */
  file(request: FastifyRequest, part: MultipartFile, fields: FormFields, count: (bytes: number) => void): Promise<void>;
  /** A file past the limit: true when the route answers it on its form (the fields read so far are its body); otherwise 413. */
  overLimit?(request: FastifyRequest): boolean;
  /** Once the answer is sent (or could not be): whatever the request kept and did not hand on goes. */
  finish?(request: FastifyRequest): Promise<void>;
}

export interface MultipartOptions {
  /** Bytes of the body in all; one file alone may be this large. */
  limit: number;
  /** Runs on every multipart request before its body is read: whoever it refuses never has a byte of theirs read or written. */
  guard: onRequestAsyncHookHandler;
  sink: MultipartSink;
  /** The library's bounds on the parts: each field's size, how many files, fields and parts. */
  parts?: { fieldSize?: number; files?: number; fields?: number; parts?: number };
  /** How far past `limit` a body may say it is and still be read (so a form can answer a little over itself). */
  declaredSlack?: number;
  /** The words of the 413 answer; the default tells the size. */
  tooLargeMessage?: (limit: number) => string;
}

function add(fields: FormFields, name: string, value: string) {
  const current = fields[name];
  if (current === undefined) fields[name] = value;
  else fields[name] = Array.isArray(current) ? [...current, value] : [current, value];
}

/** Lets the routes of `instance` (an encapsulated plugin) take multipart/form-data bodies, as `options` says. */
export async function acceptMultipart(instance: FastifyInstance, options: MultipartOptions): Promise<void> {
  const { limit, guard, sink } = options;
  const tooLarge = () => new UploadRefused(413, options.tooLargeMessage?.(limit) ?? `The upload is larger than ${megabytes(limit)} MB. Split it into smaller files.`);
  const bounds = { fieldSize: 100_000, files: 100, fields: 100, parts: 200, ...options.parts };
  await instance.register(multipart, { limits: { fileSize: limit, ...bounds } });
  instance.addHook('onRequest', async function (request, reply) {
    if (isMultipart(request)) return guard.call(this, request, reply);
  });
  instance.addHook('onRequest', async (request) => {
    if (isMultipart(request) && Number(request.headers['content-length']) > limit + (options.declaredSlack ?? 0)) throw tooLarge();
  });
  instance.addHook('preValidation', async (request) => {
    if (!request.isMultipart()) return;
    const fields: FormFields = {};
    // The library bounds each file and field but not their sum, so the whole body is counted here.
    let total = 0;
    const count = (bytes: number) => {
      total += bytes;
      if (total > limit) throw tooLarge();
    };
    try {
      await sink.begin?.(request);
      for await (const part of request.parts()) {
        if (part.type === 'file') {
          await sink.file(request, part, fields, count);
          if (part.file.truncated) throw tooLarge();
        } else {
          const text = String(part.value ?? '');
          count(Buffer.byteLength(text));
          add(fields, part.fieldname, text);
        }
      }
    } catch (err) {
      const status = (err as { statusCode?: number }).statusCode;
      if (status === 413 && sink.overLimit?.(request)) {
        // answered on the form: the fields before the file (the CSRF token first) have been read
      } else if (err instanceof UploadRefused && err.statusCode !== 413) {
        throw err;
      } else {
        throw status === 413 ? tooLarge() : unreadable();
      }
    }
    request.body = fields;
    // The app's own check of NUL ran before the body was read.
    holdBackNul(request, ['body']);
  });
  if (sink.finish) {
    const finish = sink.finish.bind(sink);
    // (before the answer goes, so that whoever reads it finds the files gone; and after, for an answer never sent)
    instance.addHook('onSend', async (request) => { await finish(request); });
    instance.addHook('onResponse', finish);
  }
}

/** Text files (imports of a few megabytes): each file's text (UTF-8) is its field's value, and `<name>Filename` its name. */
export function textSink(): MultipartSink {
  return {
    async file(_request, part, fields, count) {
      const text = (await part.toBuffer()).toString('utf8');
      count(Buffer.byteLength(text));
      add(fields, part.fieldname, text);
      add(fields, `${part.fieldname}Filename`, part.filename);
    },
  };
}

/** The files a request wrote to its own folder: each its own name made safe (and unique), and the name it is stored under. */
export interface StoredFiles { dir: string; files: { name: string; stored: string }[] }

/** A file's own name, kept but never a path, and each once in its folder. */
function safeName(given: string, taken: string[], fallback: string): string {
  const base = path.basename(given.replaceAll('\\', '/')).replace(/[^\w.\- ]/g, '_').replace(/^\.+/, '').slice(-120) || fallback;
  let name = base;
  for (let n = 2; taken.includes(name); n++) name = `${n}-${base}`;
  return name;
}

/** Counts the bytes through `count` and refuses a stream that sends nothing for `stallMs`. */
function watch(count: (bytes: number) => void, stallMs: number | undefined, stop: (err: Error) => void) {
  let timer: NodeJS.Timeout | undefined;
  const arm = () => { if (stallMs) timer = setTimeout(() => stop(new UploadRefused(408, 'The upload stopped part way. Try again.')), stallMs); };
  arm();
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      clearTimeout(timer);
      try { count(chunk.length); } catch (err) { return done(err as Error); }
      arm();
      done(null, chunk);
    },
    flush(done) { clearTimeout(timer); done(); },
    destroy(err, done) { clearTimeout(timer); done(err); },
  });
}

const storedFiles = new WeakMap<FastifyRequest, StoredFiles>();

/**
 * Large files (an import of hundreds of megabytes), written to disk as they arrive (never whole in memory) in a folder
 * of the request's own under `root`. A folder the request does not hand on (`claimStoredFiles`) is deleted once the
 * answer is sent: a form with errors, a refused import, an upload cut short. With `stallMs`, an upload that sends
 * nothing for that long is refused (408) and its connection freed; with `storeAs`, the one file is stored under that name.
 */
export function folderSink(root: string, options: { fallbackName: string; stallMs?: number; storeAs?: string }): MultipartSink {
  return {
    async begin(request) {
      const upload: StoredFiles = { dir: path.join(root, `upload-${randomUUID()}`), files: [] };
      storedFiles.set(request, upload);
      await mkdir(upload.dir, { recursive: true });
    },
    async file(request, part, _fields, count) {
      // (a file input left empty still sends a part, with no name and nothing in it)
      if (!part.filename) { part.file.resume(); return; }
      const upload = storedFiles.get(request)!;
      const name = safeName(part.filename, upload.files.map((f) => f.name), options.fallbackName);
      const stored = options.storeAs ?? name;
      const counted = watch(count, options.stallMs, (err) => counted.destroy(err));
      await pipeline(part.file, counted, createWriteStream(path.join(upload.dir, stored)));
      upload.files.push({ name, stored });
    },
    async finish(request) {
      const upload = storedFiles.get(request);
      storedFiles.delete(request);
      if (upload) await rm(upload.dir, { recursive: true, force: true });
    },
  };
}

/** The files this request stored through a `folderSink`; null when it sent none. */
export function storedFilesOf(request: FastifyRequest): StoredFiles | null {
  const upload = storedFiles.get(request);
  return upload && upload.files.length ? upload : null;
}

/** Hands the request's folder on to `dir` (an import's own folder), so that it outlives the request. */
export async function claimStoredFiles(request: FastifyRequest, dir: string): Promise<StoredFiles> {
  const upload = storedFilesOf(request);
  if (!upload) throw new Error('this request uploaded nothing');
  await mkdir(path.dirname(dir), { recursive: true });
  await rename(upload.dir, dir);
  storedFiles.delete(request);
  return { dir, files: upload.files };
}

/** Text files beside a form's fields (a taxonomy, a spreadsheet), of up to `limit` bytes in all, from those `guard` lets through. */
export async function acceptTextUploads(instance: FastifyInstance, limit: number, guard: onRequestAsyncHookHandler): Promise<void> {
  await acceptMultipart(instance, { limit, guard, sink: textSink(), parts: { fieldSize: limit } });
}
