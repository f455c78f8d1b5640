import type { FastifyInstance, FastifyRequest } from 'fastify';
import { answersJson } from './request-context.js';

/** The one character no text in the database may hold: PostgreSQL's text type cannot store NUL (\u0000). */
const NUL = '\u0000';

/** The first place in a parsed query, path or body where a string holds NUL, as a path of names; null when none does. */
export function nulAt(value: unknown, path: string[] = []): string[] | null {
  if (typeof value === 'string') return value.includes(NUL) ? path : null;
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) {
      const found = nulAt(v, [...path, String(i)]);
      if (found) return found;
    }
    return null;
  }
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const found = k.includes(NUL) ? [...path, k] : nulAt(v, [...path, k]);
      if (found) return found;
    }
  }
  return null;
}

/** Every string in a parsed query, path or body with NUL replaced by U+FFFD, the character that stands for one unreadable. */
export function withoutNul<T>(value: T): T {
  if (typeof value === 'string') return value.replaceAll(NUL, '\uFFFD') as T;
  if (Array.isArray(value)) return value.map(withoutNul) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [withoutNul(k), withoutNul(v)])) as T;
  }
  return value;
}

/**
 * Keeps NUL, before any route's own validation, from reaching a query: PostgreSQL cannot store it, so it would fail
 * (a 500) wherever it reached one, and it can only be a mistake or an attack.
 * - A JSON API (`answersJson`) refuses the request as a validation error naming the field.
 * - A page gets the text with each NUL replaced by U+FFFD, so its own validation answers as for any other wrong
 *   value: a form re-renders with its error summary, an unknown link is "not valid".
 */
export function refuseNulInText(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => holdBackNul(request, ['params', 'querystring', 'body']));
}

/**
 * What `refuseNulInText` does, for the named parts of a request. A body read later than that hook runs (an upload,
 * which is read in its own plugin's hook: see multipart.ts) is passed through here once it has been read.
 */
export function holdBackNul(request: FastifyRequest, parts: readonly ('params' | 'querystring' | 'body')[]): void {
  const json = answersJson(request);
  for (const part of parts) {
    const value = part === 'params' ? request.params : part === 'querystring' ? request.query : request.body;
    const path = nulAt(value);
    if (!path) continue;
    if (!json) {
      if (part === 'params') request.params = withoutNul(value);
      else if (part === 'querystring') request.query = withoutNul(value);
      else request.body = withoutNul(value);
      continue;
    }
    // A repeated field (?q=a&q=b) is named once, not by its position.
    const names = path.filter((p) => !/^\d+$/.test(p));
    const message = 'must not contain the NUL character (\\u0000)';
    throw Object.assign(new Error(`The ${names.join('.') || part} field ${message}`), {
      statusCode: 400,
      validationContext: part,
      validation: [{ keyword: 'nul', instancePath: names.length ? `/${names.join('/')}` : '', schemaPath: '', params: {}, message }],
    });
  }
}
