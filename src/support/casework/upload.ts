import type { FastifyInstance, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import multipart from '@fastify/multipart';
import { fileTypeFromBuffer } from 'file-type';
import { holdBackNul } from '../../platform/http/text-input.js';

/**
 * A document uploaded to a case: read whole (it is at most the configured size, 10 MB unless set), kept as bytes (the
 * platform's upload reader reads text files), and checked by what its bytes are, never by the name or the type the
 * browser claimed. The form's other fields are read as an ordinary form's, before the CSRF check runs.
 */

export interface UploadedFile { fileName: string; bytes: Buffer; tooLarge?: boolean }

const files = new WeakMap<FastifyRequest, UploadedFile>();

export class DocumentTooLarge extends Error {
  readonly statusCode = 413;
  constructor(readonly limit: number) { super(`The file must be smaller than ${Math.floor(limit / (1024 * 1024))} MB`); }
}

class UnreadableUpload extends Error {
  readonly statusCode = 400;
  constructor() { super('The upload could not be read. Try again.'); }
}

/**
 * Lets the routes of `instance` (an encapsulated plugin) take one file of up to `limit` bytes beside a few fields,
 * from those `allowed` lets through (checked before a byte is read). A file over the limit is not an error thrown
 * here: the route answers with the form and the error summary.
 */
export async function acceptDocumentUploads(instance: FastifyInstance, limit: number, allowed: onRequestAsyncHookHandler): Promise<void> {
  await instance.register(multipart, { limits: { fileSize: limit, fieldSize: 10_000, files: 1, fields: 20, parts: 25 } });
  // (only uploads: the scope's pages, a document's download among them, keep their own guards)
  instance.addHook('onRequest', async function (request, reply) {
    if (request.headers['content-type']?.toLowerCase().startsWith('multipart/form-data')) return allowed.call(this, request, reply);
  });
  instance.addHook('onRequest', async (request) => {
    const declared = Number(request.headers['content-length']);
    // Far past the limit: refused before a byte is read (a little over is read, then answered on the form).
    if (request.headers['content-type']?.toLowerCase().startsWith('multipart/form-data') && declared > limit * 2 + 100_000) throw new DocumentTooLarge(limit);
  });
  instance.addHook('preValidation', async (request) => {
    if (!request.isMultipart()) return;
    const fields: Record<string, string> = {};
    try {
      for await (const part of request.parts()) {
        if (part.type === 'file') {
          // (a file input left empty still sends a part, with no name and nothing in it)
          const name = part.filename;
          const bytes = await part.toBuffer();
          if (name) files.set(request, { fileName: name, bytes });
        } else if (fields[part.fieldname] === undefined) {
          fields[part.fieldname] = String(part.value ?? '');
        }
      }
    } catch (err) {
      // Too large is answered on the form (the fields before the file, the CSRF token first, have been read).
      if ((err as { statusCode?: number }).statusCode !== 413) throw new UnreadableUpload();
      files.set(request, { fileName: 'file', bytes: Buffer.alloc(0), tooLarge: true });
    }
    request.body = fields;
    holdBackNul(request, ['body']);
  });
}

export const uploadedFile = (request: FastifyRequest): UploadedFile | null => files.get(request) ?? null;

/** What a case may keep, by what the bytes are: the extensions each may be named with, and the type it is served as. */
const KINDS: { mime: string; exts: string[]; label: string }[] = [
  { mime: 'application/pdf', exts: ['pdf'], label: 'PDF' },
  { mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', exts: ['docx'], label: 'Word (.docx)' },
  { mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', exts: ['xlsx'], label: 'Excel (.xlsx)' },
  { mime: 'application/vnd.oasis.opendocument.text', exts: ['odt'], label: 'OpenDocument text (.odt)' },
  { mime: 'application/vnd.oasis.opendocument.spreadsheet', exts: ['ods'], label: 'OpenDocument spreadsheet (.ods)' },
  { mime: 'image/png', exts: ['png'], label: 'PNG' },
  { mime: 'image/jpeg', exts: ['jpg', 'jpeg'], label: 'JPEG' },
];
const TEXT_EXTS: Record<string, string> = { txt: 'text/plain', csv: 'text/csv' };
export const ALLOWED_TYPES = 'PDF, Word (.docx), Excel (.xlsx), OpenDocument (.odt or .ods), PNG, JPEG, or plain text or CSV';

/**
 * Markup a browser would run if it ever showed the file as a page: a text file that holds it is not plain text. Only
 * the start is looked at, where such a file announces itself.
 */
const MARKUP = /^\s*<(!doctype|html|head|body|script|svg|\?xml|iframe|object|embed|meta|style|a\s|img\s|div|p>|table)/i;
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** A file name safe to keep and to send back: its own last part, without control or path characters. */
export function safeFileName(given: string): string {
  // eslint-disable-next-line no-control-regex
  const base = given.replaceAll('\\', '/').split('/').pop()!.replace(/[\u0000-\u001f\u007f"<>:|?*]/g, '_').replace(/^\.+/, '').trim().slice(-200);
  return base || 'document';
}

const extOf = (name: string) => (/\.([a-z0-9]{1,5})$/i.exec(name)?.[1] ?? '').toLowerCase();

/** The type a file is by its bytes when a case may keep it; otherwise why not, in words for the form. */
export async function checkDocument(file: UploadedFile, limit: number): Promise<{ mediaType: string } | { problem: string }> {
  if (file.tooLarge || file.bytes.length > limit) return { problem: `The file must be smaller than ${Math.floor(limit / (1024 * 1024))} MB` };
  if (file.bytes.length === 0) return { problem: 'The selected file is empty' };
  const ext = extOf(file.fileName);
  const found = await fileTypeFromBuffer(file.bytes);
  const wrong = `The file is not what its name says it is. Upload ${ALLOWED_TYPES}`;
  if (found) {
    const kind = KINDS.find((k) => k.mime === found.mime);
    if (!kind) return { problem: `The file must be ${ALLOWED_TYPES}` };
    return kind.exts.includes(ext) ? { mediaType: kind.mime } : { problem: wrong };
  }
  const textType = TEXT_EXTS[ext];
  let text: string;
  try {
    text = UTF8.decode(file.bytes.subarray(0, Math.min(file.bytes.length, limit)));
  } catch {
    return { problem: textType ? wrong : `The file must be ${ALLOWED_TYPES}` };
  }
  // eslint-disable-next-line no-control-regex
  if (!textType || /[\u0000-\u0008\u000e-\u001f]/.test(text) || MARKUP.test(text.replace(/^\uFEFF/, ''))) {
    return { problem: textType ? wrong : `The file must be ${ALLOWED_TYPES}` };
  }
  return { mediaType: textType };
}
