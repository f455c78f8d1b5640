import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { FastifyInstance, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import multipart from '@fastify/multipart';

/**
 * The files of a feed uploaded on /admin/imports, written to disk as they arrive (never whole in memory: an upload may
 * be 200 MB) in a folder of their own under the data folder, where the import's job reads them as a stream. The
 * other fields of the form are read as an ordinary form's, before the CSRF check runs.
 *
 * A folder the request does not hand on (`claimUpload`, when the import is queued) is deleted once the answer is
 * sent: a form with errors, a refused import, an upload cut short.
 */

export interface StoredUpload { dir: string; names: string[] }

const stored = new WeakMap<FastifyRequest, StoredUpload>();

class UploadTooLarge extends Error {
  readonly statusCode = 413;
  constructor(limit: number) { super(`The upload is larger than ${Math.floor(limit / (1024 * 1024))} MB. Split it into smaller files.`); }
}

class UnreadableUpload extends Error {
  readonly statusCode = 400;
  constructor() { super('The upload could not be read. Try again.'); }
}

/** Where uploads wait for their imports: `<data folder>/imports`. */
export const uploadsFolder = (dataDir: string) => path.join(dataDir, 'imports');

/** A file's own name, kept (an HSDS package's tables are known by their names) but never a path, and each once. */
function fileName(given: string, taken: string[]): string {
  const base = path.basename(given.replaceAll('\\', '/')).replace(/[^\w.\- ]/g, '_').replace(/^\.+/, '').slice(-120) || 'file';
  let name = base;
  for (let n = 2; taken.includes(name); n++) name = `${n}-${base}`;
  return name;
}

/**
 * Lets the routes of `instance` (an encapsulated plugin) take uploads of up to `limit` bytes, kept under `root`, from
 * those `guard` lets through: it runs before a byte is read, so nobody else's upload ever reaches the disk.
 */
export async function storeUploads(instance: FastifyInstance, root: string, limit: number, guard: onRequestAsyncHookHandler): Promise<void> {
  await instance.register(multipart, { limits: { fileSize: limit, fieldSize: 100_000, files: 100, fields: 100, parts: 200 } });
  instance.addHook('onRequest', guard);
  instance.addHook('onRequest', async (request) => {
    const declared = Number(request.headers['content-length']);
    if (request.headers['content-type']?.toLowerCase().startsWith('multipart/form-data') && declared > limit) throw new UploadTooLarge(limit);
  });
  instance.addHook('preValidation', async (request) => {
    if (!request.isMultipart()) return;
    const upload: StoredUpload = { dir: path.join(root, `upload-${randomUUID()}`), names: [] };
    stored.set(request, upload);
    await mkdir(upload.dir, { recursive: true });
    const fields: Record<string, string | string[]> = {};
    let total = 0;
    try {
      for await (const part of request.parts()) {
        if (part.type === 'file') {
          // (a file input left empty still sends a part, with no name and nothing in it)
          if (!part.filename) { part.file.resume(); continue; }
          const name = fileName(part.filename, upload.names);
          part.file.on('data', (chunk: Buffer) => { total += chunk.length; });
          await pipeline(part.file, createWriteStream(path.join(upload.dir, name)));
          if (part.file.truncated || total > limit) throw new UploadTooLarge(limit);
          upload.names.push(name);
        } else {
          const value = String(part.value ?? '');
          const current = fields[part.fieldname];
          fields[part.fieldname] = current === undefined ? value : [...(Array.isArray(current) ? current : [current]), value];
        }
      }
    } catch (err) {
      const status = (err as { statusCode?: number }).statusCode;
      throw err instanceof UploadTooLarge || status === 413 ? new UploadTooLarge(limit) : new UnreadableUpload();
    }
    request.body = fields;
  });
  // (before the answer goes, so that whoever reads it finds the folder gone; and after, for an answer never sent)
  const forget = async (request: FastifyRequest) => {
    const upload = stored.get(request);
    stored.delete(request);
    if (upload) await rm(upload.dir, { recursive: true, force: true });
  };
  instance.addHook('onSend', async (request) => { await forget(request); });
  instance.addHook('onResponse', forget);
}

/** The files this request uploaded, if any. */
export const uploadOf = (request: FastifyRequest): StoredUpload | null => {
  const upload = stored.get(request);
  return upload && upload.names.length ? upload : null;
};

/** Hands the request's upload on to `dir` (the import's own folder), so that it outlives the request. */
export async function claimUpload(request: FastifyRequest, dir: string): Promise<StoredUpload> {
  const upload = stored.get(request);
  if (!upload) throw new Error('this request uploaded nothing');
  await mkdir(path.dirname(dir), { recursive: true });
  await rename(upload.dir, dir);
  stored.delete(request);
  return { dir, names: upload.names };
}
