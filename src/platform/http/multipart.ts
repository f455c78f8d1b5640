import type { FastifyInstance, FastifyRequest } from 'fastify';
import multipart from '@fastify/multipart';
import { holdBackNul } from './text-input.js';

/**
 * Upload forms (imports) post multipart/form-data: one or more text files beside ordinary fields.
 * `acceptMultipart` is registered inside an encapsulated plugin so that only that plugin's routes take such bodies;
 * everywhere else Fastify keeps answering 415.
 *
 * The body is flattened to the same shape an ordinary form gives: each field is its text (an array when repeated), a
 * file is its text (UTF-8) and also sets `<name>Filename`. It is flattened before the global CSRF check runs, so the
 * `_csrf` field of an upload is read like any other form's.
 */
export type FormFields = Record<string, string | string[]>;

class UnreadableUpload extends Error {
  readonly statusCode = 400;
  constructor() { super('The upload could not be read. Try again.'); }
}

class UploadTooLarge extends Error {
  readonly statusCode = 413;
  constructor(limit: number) { super(`The upload is larger than ${Math.floor(limit / (1024 * 1024))} MB. Split it into smaller files.`); }
}

function add(fields: FormFields, name: string, value: string) {
  const current = fields[name];
  if (current === undefined) fields[name] = value;
  else fields[name] = Array.isArray(current) ? [...current, value] : [current, value];
}

/** The multipart library's own limit errors carry 413; anything else it throws means the body was not well-formed. */
function asHttpError(err: unknown, limit: number): Error {
  const status = (err as { statusCode?: number }).statusCode;
  if (err instanceof UploadTooLarge || status === 413) return new UploadTooLarge(limit);
  return new UnreadableUpload();
}

async function readParts(request: FastifyRequest, limit: number): Promise<FormFields> {
  const fields: FormFields = {};
  // The library bounds each file and field but not their sum, so the whole body is counted here.
  let total = 0;
  const count = (bytes: number) => {
    total += bytes;
    if (total > limit) throw new UploadTooLarge(limit);
  };
  for await (const part of request.parts()) {
    if (part.type === 'file') {
      const text = (await part.toBuffer()).toString('utf8');
      count(Buffer.byteLength(text));
      add(fields, part.fieldname, text);
      add(fields, `${part.fieldname}Filename`, part.filename);
    } else {
      const text = String(part.value ?? '');
      count(Buffer.byteLength(text));
      add(fields, part.fieldname, text);
    }
  }
  return fields;
}

/** Lets the routes of `instance` (an encapsulated plugin) take multipart/form-data bodies of up to `limit` bytes in all. */
export async function acceptMultipart(instance: FastifyInstance, limit: number): Promise<void> {
  await instance.register(multipart, { limits: { fileSize: limit, fieldSize: limit, files: 100, fields: 100, parts: 200 } });
  instance.addHook('onRequest', async (request) => {
    const declared = Number(request.headers['content-length']);
    if (request.headers['content-type']?.toLowerCase().startsWith('multipart/form-data') && declared > limit) throw new UploadTooLarge(limit);
  });
  instance.addHook('preValidation', async (request) => {
    if (!request.isMultipart()) return;
    try {
      request.body = await readParts(request, limit);
    } catch (err) {
      throw asHttpError(err, limit);
    }
    // The app's own check of NUL ran before the body was read.
    holdBackNul(request, ['body']);
  });
}
