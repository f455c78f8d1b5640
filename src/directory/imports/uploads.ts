import path from 'node:path';
import type { FastifyInstance, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import { acceptMultipart, claimStoredFiles, folderSink, storedFilesOf } from '../../platform/http/multipart.js';

/**
 * The files of a feed uploaded on /admin/imports, written to disk as they arrive (an upload may be 200 MB) in a folder
 * of their own under the data folder, where the import's job reads them as a stream (see platform/http/multipart.ts).
 * A file keeps its own name: an HSDS package's tables are known by their names.
 */

export interface StoredUpload { dir: string; names: string[] }

/** Where uploads wait for their imports: `<data folder>/imports`. */
export const uploadsFolder = (dataDir: string) => path.join(dataDir, 'imports');

/**
 * Lets the routes of `instance` (an encapsulated plugin) take uploads of up to `limit` bytes, kept under `root`, from
 * those `guard` lets through: it runs before a byte is read, so nobody else's upload ever reaches the disk.
 */
export async function storeUploads(instance: FastifyInstance, root: string, limit: number, guard: onRequestAsyncHookHandler): Promise<void> {
  await acceptMultipart(instance, { limit, guard, sink: folderSink(root, { fallbackName: 'file' }) });
}

/** The files this request uploaded, if any. */
export const uploadOf = (request: FastifyRequest): StoredUpload | null => {
  const upload = storedFilesOf(request);
  return upload ? { dir: upload.dir, names: upload.files.map((f) => f.name) } : null;
};

/** Hands the request's upload on to `dir` (the import's own folder), so that it outlives the request. */
export async function claimUpload(request: FastifyRequest, dir: string): Promise<StoredUpload> {
  const claimed = await claimStoredFiles(request, dir);
  return { dir: claimed.dir, names: claimed.files.map((f) => f.name) };
}
