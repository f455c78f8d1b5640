import type { FastifySchemaCompiler } from 'fastify';
import { FormatRegistry, type TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { Value } from '@sinclair/typebox/value';
import { isUuid } from '../validation/ids.js';

if (!FormatRegistry.Has('uuid')) FormatRegistry.Set('uuid', isUuid);
if (!FormatRegistry.Has('date-time')) FormatRegistry.Set('date-time', (v) => !Number.isNaN(Date.parse(v)) && /^\d{4}-\d{2}-\d{2}T/.test(v));

/**
 * The API's request validator. A JSON body is checked strictly (`{"name": 42}` is refused, not
 * turned into "42", as the app-wide form-friendly validator would); the query string and path
 * parameters arrive as text, so they are converted to the schema's types first and given defaults.
 * Errors are shaped like Ajv's (`instancePath`, `message`) so the error handler names each field.
 */
export const apiValidatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const check = TypeCompiler.Compile(schema);
  return (input: unknown) => {
    // Convert may change the parsed query in place: keep what was sent to compare with.
    const sent = input && typeof input === 'object' ? { ...input } : input;
    const value = httpPart === 'body' ? input : Value.Default(schema, keepFractions(schema, sent, Value.Convert(schema, input)));
    if (check.Check(value)) return { value };
    const seen = new Set<string>();
    const error = [...check.Errors(value)].filter((e) => !seen.has(e.path) && seen.add(e.path))
      .map((e) => ({ keyword: String(e.type), instancePath: e.path, schemaPath: '', params: {}, message: e.message.charAt(0).toLowerCase() + e.message.slice(1) }));
    return { error: Object.assign(new Error(error.map((e) => `${e.instancePath || httpPart} ${e.message}`).join(', ')), { validation: error }) };
  };
};

/**
 * TypeBox converts "3.7" to the integer 3; a whole number was asked for, so the text is kept as sent and refused
 * (an age of 3.7 is a mistake to name, not a 3 to answer with).
 */
function keepFractions(schema: TSchema, input: unknown, converted: unknown): unknown {
  const properties = (schema as { properties?: Record<string, TSchema> }).properties;
  if (!properties || !input || typeof input !== 'object' || !converted || typeof converted !== 'object') return converted;
  const out = { ...(converted as Record<string, unknown>) };
  for (const [name, property] of Object.entries(properties)) {
    const raw = (input as Record<string, unknown>)[name];
    if (property.type === 'integer' && typeof raw === 'string' && !/^[+-]?\d+$/.test(raw.trim())) out[name] = raw;
  }
  return out;
}
