import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { ErrorObject, ValidateFunction } from 'ajv';

/**
 * The 360Giving Data Standard (standard/NOTICE.md): each grant of an imported file is checked against its schema,
 * and the spreadsheet form's column titles are read through the titles the schema gives each field, so that
 * 'Recipient Org:Charity Number' is `recipientOrganization[0].charityNumber` exactly as the standard's own
 * flattening tool writes it.
 */

interface SchemaNode { title?: string; type?: string | string[]; $ref?: string; items?: SchemaNode; properties?: Record<string, SchemaNode> }
interface GrantSchema extends SchemaNode { $defs: Record<string, SchemaNode> }

const require = createRequire(import.meta.url);
const Ajv2020 = require('ajv/dist/2020').default as new (options: object) => { compile(schema: object): ValidateFunction };
const addFormats = require('ajv-formats').default as (ajv: unknown) => void;

export const GRANT_SCHEMA = JSON.parse(readFileSync(new URL('./standard/360-giving-schema.json', import.meta.url), 'utf8')) as GrantSchema;

let compiled: ValidateFunction | null = null;
/** The grant schema's check, compiled once (the standard's own keywords, codelist and rollUp, are not checks). */
export function grantValidator(): ValidateFunction {
  if (!compiled) {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    addFormats(ajv);
    // (its $schema names draft 2020-12 by an http address Ajv does not know it by; the draft is Ajv2020's own)
    const { $schema: _draft, ...schema } = GRANT_SCHEMA as GrantSchema & { $schema?: string };
    compiled = ajv.compile(schema);
  }
  return compiled;
}

const resolve = (node: SchemaNode | undefined): SchemaNode | undefined =>
  node?.$ref?.startsWith('#/$defs/') ? GRANT_SCHEMA.$defs[node.$ref.slice('#/$defs/'.length)] : node;
const typeOf = (node: SchemaNode | undefined) => (Array.isArray(node?.type) ? node!.type.find((t) => t !== 'null') : node?.type) ?? 'string';
const key = (title: string) => title.trim().toLowerCase();

/** Where a column of the spreadsheet form goes in the grant: its path, and whether its value is a number. */
export interface ColumnTarget { path: (string | number)[]; number: boolean; title: string }

/** A title of the spreadsheet form ('Recipient Org:Charity Number', 'Beneficiary Location:1:Name') → its field; null for a column the standard does not know. */
export function columnTarget(title: string): ColumnTarget | null {
  const parts = title.split(':').map((p) => p.trim()).filter(Boolean);
  let node: SchemaNode | undefined = GRANT_SCHEMA;
  const path: (string | number)[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (/^\d+$/.test(part) && typeof path.at(-1) === 'number') continue;
    const properties: Record<string, SchemaNode> = resolve(node)?.properties ?? {};
    const found = Object.entries(properties).find(([name, p]) => key(resolve(p)?.title ?? p.title ?? '') === key(part) || key(p.title ?? '') === key(part) || name.toLowerCase() === key(part));
    if (!found) return null;
    const [name, child] = found;
    path.push(name);
    node = resolve(child);
    if (typeOf(node) === 'array' || child.items) {
      const index = /^\d+$/.test(parts[i + 1] ?? '') ? Number(parts[i + 1]) : 0;
      path.push(index);
      node = resolve(child.items ?? node?.items);
    }
  }
  if (!path.length || typeof path.at(-1) === 'number') return null;
  return { path, number: typeOf(node) === 'number', title };
}

/** A schema error in the words of the spreadsheet form: 'Amount Awarded', 'Recipient Org: Charity Number'. */
export function fieldTitle(instancePath: string, missing?: string): string {
  const names = [...instancePath.split('/').filter(Boolean), ...(missing ? [missing] : [])];
  const titles: string[] = [];
  let node: SchemaNode | undefined = GRANT_SCHEMA;
  for (const name of names) {
    if (/^\d+$/.test(name)) continue;
    const child: SchemaNode | undefined = resolve(node)?.properties?.[name];
    titles.push(child?.title ?? resolve(child)?.title ?? name);
    node = resolve(child?.items ?? child);
  }
  return titles.join(': ') || 'Grant';
}

const REASONS: Record<string, string> = {
  'Award Date': 'must be a date written as YYYY-MM-DD (or a full date and time)',
  'Last Modified': 'must be a full date and time',
};

function reason(e: ErrorObject, field: string): string {
  if (REASONS[field.split(': ').at(-1)!]) return REASONS[field.split(': ').at(-1)!]!;
  if (e.keyword === 'type') return `must be ${String((e.params as { type: string }).type).replace(/^number$/, 'a number').replace(/^string$/, 'text').replace(/^array$/, 'a list')}`;
  if (e.keyword === 'enum') return 'is not one of the standard’s codes';
  if (e.keyword === 'format' && (e.params as { format: string }).format === 'uri') return 'must be a web address';
  if (e.keyword === 'minItems') return 'must have at least one entry';
  return 'is not in the form the standard asks';
}

/** Each schema error of a grant as a field and a reason a person can act on; one for each field. */
export function schemaProblems(errors: ErrorObject[] | null | undefined): { field: string; message: string }[] {
  const out = new Map<string, string>();
  for (const e of errors ?? []) {
    // (the grant's oneOf only says "an organisation or an individual": the missing field says it better)
    if (e.keyword === 'oneOf' && e.instancePath === '') continue;
    const missing = e.keyword === 'required' ? String((e.params as { missingProperty: string }).missingProperty) : undefined;
    if (missing === 'recipientIndividual') continue;
    const field = fieldTitle(e.instancePath, missing);
    if (!out.has(field)) out.set(field, missing ? `${field} is missing: the 360Giving standard requires it` : `${field} ${reason(e, field)}`);
  }
  return [...out].map(([field, message]) => ({ field, message }));
}
