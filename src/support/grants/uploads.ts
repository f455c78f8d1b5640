import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FastifyInstance, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import multipart from '@fastify/multipart';

/**
 * A 360Giving file uploaded on /support/grants/import, written to disk as it arrives (a funder's whole history may be
 * a few hundred megabytes) under the data folder, where the import's job reads it. An upload larger than the limit,
 * one that says it is larger, or one that stops sending for STALL_MS is refused and its file deleted; so is any file
 * the request does not hand on to an import.
 */

export interface StoredFile { dir: string; file: string; name: string }

const stored = new WeakMap<FastifyRequest, StoredFile | { dir: string }>();
/** An upload that sends nothing for this long is not coming: the request is refused and the connection freed. */
export const STALL_MS = 30_000;

class UploadRefused extends Error {
  constructor(readonly statusCode: number, message: string) { super(message); }
}
const tooLarge = (limit: number) => new UploadRefused(413, `The file is larger than ${Math.floor(limit / (1024 * 1024))} MB. Split it into smaller files.`);

export const uploadsFolder = (dataDir: string) => path.join(dataDir, 'grant-imports');

/** Counts the bytes (refusing past the limit) and refuses a stream that goes quiet. */
function guard(limit: number, onStall: (err: Error) => void) {
  let total = 0;
  let timer = setTimeout(() => onStall(new UploadRefused(408, 'The upload stopped part way. Try again.')), STALL_MS);
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      clearTimeout(timer);
      total += chunk.length;
      if (total > limit) return done(tooLarge(limit));
      timer = setTimeout(() => onStall(new UploadRefused(408, 'The upload stopped part way. Try again.')), STALL_MS);
      done(null, chunk);
    },
    flush(done) { clearTimeout(timer); done(); },
    destroy(err, done) { clearTimeout(timer); done(err); },
  });
}

/**
 * Lets the routes of `instance` (an encapsulated plugin) take one uploaded file of up to `limit` bytes, kept under
 * `root`, from those `allowed` lets through: it runs before a byte is read, so no one else's upload reaches the disk.
 */
export async function storeUpload(instance: FastifyInstance, root: string, limit: number, allowed: onRequestAsyncHookHandler): Promise<void> {
  await instance.register(multipart, { limits: { fileSize: limit, fieldSize: 10_000, files: 1, fields: 20, parts: 25 } });
  instance.addHook('onRequest', allowed);
  instance.addHook('onRequest', async (request) => {
    const declared = Number(request.headers['content-length']);
    if (request.headers['content-type']?.toLowerCase().startsWith('multipart/form-data') && declared > limit) throw tooLarge(limit);
  });
  instance.addHook('preValidation', async (request) => {
    if (!request.isMultipart()) return;
    const dir = path.join(root, `upload-${randomUUID()}`);
    stored.set(request, { dir });
    await mkdir(dir, { recursive: true });
    const fields: Record<string, string> = {};
    try {
      for await (const part of request.parts()) {
        if (part.type !== 'file') { fields[part.fieldname] = String(part.value ?? ''); continue; }
        if (!part.filename) { part.file.resume(); continue; }
        const name = path.basename(part.filename.replaceAll('\\', '/')).replace(/[^\w.\- ]/g, '_').replace(/^\.+/, '').slice(-120) || 'grants';
        const file = path.join(dir, 'upload');
        const counted = guard(limit, (err) => counted.destroy(err));
        await pipeline(part.file, counted, createWriteStream(file));
        if (part.file.truncated) throw tooLarge(limit);
        stored.set(request, { dir, file, name });
      }
    } catch (err) {
      if (err instanceof UploadRefused) throw err;
      const status = (err as { statusCode?: number }).statusCode;
      throw status === 413 ? tooLarge(limit) : new UploadRefused(400, 'The upload could not be read. Try again.');
    }
    request.body = fields;
  });
  const forget = async (request: FastifyRequest) => {
    const upload = stored.get(request);
    stored.delete(request);
    if (upload) await rm(upload.dir, { recursive: true, force: true });
  };
  instance.addHook('onSend', async (request) => { await forget(request); });
  instance.addHook('onResponse', forget);
}

/** The file this request uploaded, if any. */
export function uploadOf(request: FastifyRequest): StoredFile | null {
  const upload = stored.get(request);
  return upload && 'file' in upload ? upload : null;
}

/** Hands the request's file on to `dir` (the import's own folder), so that it outlives the request. */
export async function claimUpload(request: FastifyRequest, dir: string): Promise<void> {
  const upload = uploadOf(request);
  if (!upload) throw new Error('this request uploaded nothing');
  await mkdir(path.dirname(dir), { recursive: true });
  await rename(upload.dir, dir);
  stored.delete(request);
}
