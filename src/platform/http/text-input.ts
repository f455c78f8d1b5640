import type { FastifyInstance } from 'fastify';

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

/**
 * Refuses, before any route's own validation, a request whose query, path or body carries NUL in any text: it can
 * only be a mistake or an attack, and PostgreSQL would fail on it (a 500) wherever it reached a query. The refusal
 * is shaped as a validation error, so the JSON APIs name the field and a page answers 400 with the message.
 */
export function refuseNulInText(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    for (const [part, value] of [['params', request.params], ['querystring', request.query], ['body', request.body]] as const) {
      const path = nulAt(value);
      if (!path) continue;
      // A repeated field (?q=a&q=b) is named once, not by its position.
      const names = path.filter((p) => !/^\d+$/.test(p));
      const message = 'must not contain the NUL character (\\u0000)';
      throw Object.assign(new Error(`The ${names.join('.') || part} field ${message}`), {
        statusCode: 400,
        validationContext: part,
        validation: [{ keyword: 'nul', instancePath: names.length ? `/${names.join('/')}` : '', schemaPath: '', params: {}, message }],
      });
    }
  });
}
