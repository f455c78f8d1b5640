import type { FastifyInstance, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import { fileTypeFromBuffer } from 'file-type';
import { acceptMultipart, type MultipartSink } from '../../platform/http/multipart.js';

/**
 * A document uploaded to a case: read whole (it is at most the configured size, 10 MB unless set), kept as bytes, and
 * checked by what its bytes are, never by the name or the type the browser claimed. The form's other fields are read
 * as an ordinary form's, before the CSRF check runs (see platform/http/multipart.ts).
 */

export interface UploadedFile { fileName: string; bytes: Buffer; tooLarge?: boolean }

const files = new WeakMap<FastifyRequest, UploadedFile>();

/** The file in memory; one over the limit is kept as "too large", for the route to answer on its form. */
const documentSink: MultipartSink = {
  // (the library holds the file to the limit; the few fields beside it are not counted against it)
  async file(request, part) {
    const bytes = await part.toBuffer();
    // (a file input left empty still sends a part, with no name and nothing in it)
    if (part.filename) files.set(request, { fileName: part.filename, bytes });
  },
  overLimit(request) {
    files.set(request, { fileName: 'file', bytes: Buffer.alloc(0), tooLarge: true });
    return true;
  },
};

/**
 * Lets the routes of `instance` (an encapsulated plugin) take one file of up to `limit` bytes beside a few fields,
 * from those `allowed` lets through (checked before a byte is read; the scope's pages, a document's download among
 * them, keep their own guards). A file over the limit is answered on the form with the error summary; only a body
 * far past it is refused before a byte is read.
 */
export async function acceptDocumentUploads(instance: FastifyInstance, limit: number, allowed: onRequestAsyncHookHandler): Promise<void> {
  await acceptMultipart(instance, {
    limit, guard: allowed, sink: documentSink, parts: { fieldSize: 10_000, files: 1, fields: 20, parts: 25 }, declaredSlack: limit + 100_000,
    tooLargeMessage: (bytes) => `The file must be smaller than ${Math.floor(bytes / (1024 * 1024))} MB`,
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
