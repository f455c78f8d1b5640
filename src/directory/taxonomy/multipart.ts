import type { FastifyInstance } from 'fastify';

/**
 * A small multipart/form-data reader for forms that upload one text file (an import) beside ordinary fields.
 * Register it inside an encapsulated plugin so that only that plugin's routes accept multipart bodies.
 * Each part becomes a field holding its text (UTF-8); a file part also sets `<name>Filename`.
 * A body that is not well-formed multipart is refused with 400.
 */
export type FormFields = Record<string, string | string[]>;

class BadMultipart extends Error {
  readonly statusCode = 400;
  constructor(detail: string) { super(`The upload could not be read (${detail}). Try again.`); }
}

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');

function add(fields: FormFields, name: string, value: string) {
  const current = fields[name];
  if (current === undefined) fields[name] = value;
  else fields[name] = Array.isArray(current) ? [...current, value] : [current, value];
}

function parameter(header: string, key: string): string | null {
  const match = new RegExp(`;\\s*${key}=(?:"((?:[^"\\\\]|\\\\.)*)"|([^;\\s]*))`, 'i').exec(header);
  if (!match) return null;
  return match[1] !== undefined ? match[1].replace(/\\(.)/g, '$1') : (match[2] ?? '');
}

export function parseMultipart(body: Buffer, contentType: string): FormFields {
  const boundaryValue = parameter(contentType, 'boundary');
  if (!boundaryValue) throw new BadMultipart('no boundary');
  const boundary = Buffer.from(`--${boundaryValue}`);
  const delimiter = Buffer.concat([CRLF, boundary]);
  const fields: FormFields = {};
  let pos = body.indexOf(boundary);
  if (pos < 0) throw new BadMultipart('no parts');
  pos += boundary.length;
  for (;;) {
    if (body[pos] === 0x2d && body[pos + 1] === 0x2d) return fields; // the closing "--"
    if (body[pos] !== 0x0d || body[pos + 1] !== 0x0a) throw new BadMultipart('malformed boundary');
    pos += 2;
    const headerEnd = body.indexOf(HEADER_END, pos);
    if (headerEnd < 0) throw new BadMultipart('malformed part');
    const headers = body.subarray(pos, headerEnd).toString('utf8').split('\r\n');
    const disposition = headers.find((h) => /^content-disposition:/i.test(h));
    const next = body.indexOf(delimiter, headerEnd + 4);
    if (next < 0) throw new BadMultipart('unterminated part');
    const name = disposition ? parameter(disposition, 'name') : null;
    if (name) {
      add(fields, name, body.subarray(headerEnd + 4, next).toString('utf8').replaceAll('\u0000', ''));
      const filename = parameter(disposition!, 'filename');
      if (filename !== null) add(fields, `${name}Filename`, filename);
    }
    pos = next + delimiter.length;
  }
}

/** Lets the routes of `instance` (an encapsulated plugin) take multipart/form-data bodies up to `bodyLimit` bytes. */
export function acceptMultipart(instance: FastifyInstance, bodyLimit: number): void {
  instance.addContentTypeParser('multipart/form-data', { parseAs: 'buffer', bodyLimit }, (request, body, done) => {
    try {
      done(null, parseMultipart(body as Buffer, String(request.headers['content-type'] ?? '')));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
}
