import path from 'node:path';
import type { FastifyInstance, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import { acceptMultipart, claimStoredFiles, folderSink, storedFilesOf } from '../../platform/http/multipart.js';

/**
 * A 360Giving file uploaded on /support/grants/import, written to disk as it arrives (a funder's whole history may be
 * a few hundred megabytes) under the data folder, where the import's job reads it (see platform/http/multipart.ts).
 * An upload larger than the limit, one that says it is larger, or one that stops sending for STALL_MS is refused and
 * its file deleted; so is any file the request does not hand on to an import.
 */

export interface StoredFile { dir: string; file: string; name: string }

/** An upload that sends nothing for this long is not coming: the request is refused and the connection freed. */
export const STALL_MS = 30_000;

export const uploadsFolder = (dataDir: string) => path.join(dataDir, 'grant-imports');

/**
 * Lets the routes of `instance` (an encapsulated plugin) take one uploaded file of up to `limit` bytes, kept under
 * `root`, from those `allowed` lets through: it runs before a byte is read, so no one else's upload reaches the disk.
 */
export async function storeUpload(instance: FastifyInstance, root: string, limit: number, allowed: onRequestAsyncHookHandler): Promise<void> {
  await acceptMultipart(instance, {
    limit, guard: allowed, sink: folderSink(root, { fallbackName: 'grants', stallMs: STALL_MS, storeAs: 'upload' }),
    parts: { fieldSize: 10_000, files: 1, fields: 20, parts: 25 },
    tooLargeMessage: (bytes) => `The file is larger than ${Math.floor(bytes / (1024 * 1024))} MB. Split it into smaller files.`,
  });
}

/** The file this request uploaded, if any. */
export function uploadOf(request: FastifyRequest): StoredFile | null {
  const upload = storedFilesOf(request);
  const [file] = upload?.files ?? [];
  return upload && file ? { dir: upload.dir, file: path.join(upload.dir, file.stored), name: file.name } : null;
}

/** Hands the request's file on to `dir` (the import's own folder), so that it outlives the request. */
export async function claimUpload(request: FastifyRequest, dir: string): Promise<void> {
  await claimStoredFiles(request, dir);
}
