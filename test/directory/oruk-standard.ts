import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

/**
 * The official Open Referral UK 3.0 files (schemas, the validator's page schemas and test profile, examples),
 * read where CI puts them: ../shared/standards/oruk-3.0 beside the repository. They are never copied into the
 * project; tests that need them are skipped, saying so, when the folder is absent.
 */
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const STANDARD_DIR = path.resolve(repoRoot, '../shared/standards/oruk-3.0');
export const standardPresent = existsSync(path.join(STANDARD_DIR, 'validator/test-profile-HSDS-UK-3.0.json'));

export function announceSkipIfAbsent(what: string): void {
  if (!standardPresent) console.warn(`SKIPPED ${what}: the Open Referral UK 3.0 standard is not at ${STANDARD_DIR}`);
}

export function readStandard<T = unknown>(relative: string): T {
  return JSON.parse(readFileSync(path.join(STANDARD_DIR, relative), 'utf8')) as T;
}

// ajv-formats is CommonJS: its default export arrives as the module object under some loaders.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (ajv: Ajv) => Ajv;

let ajv: Ajv | null = null;
const compiled = new Map<string, ValidateFunction>();

/**
 * A validator for one schema file of the standard. The files carry keywords of their own (datapackage
 * metadata, "core", "constraints", "example"), so Ajv runs without strict mode; formats (uuid, uri, email,
 * date-time) are checked.
 */
export function schemaValidator(relative: string): ValidateFunction {
  let validate = compiled.get(relative);
  if (!validate) {
    ajv ??= addFormats(new Ajv({ strict: false, allErrors: true, validateSchema: false }));
    const schema = readStandard<Record<string, unknown>>(relative);
    delete schema.$id;
    validate = ajv.compile(schema);
    compiled.set(relative, validate);
  }
  return validate;
}

/** The errors of `data` against the schema file, as readable lines; empty when valid. */
export function schemaErrors(relative: string, data: unknown): string[] {
  const validate = schemaValidator(relative);
  if (validate(data)) return [];
  return (validate.errors ?? []).map((e) => `${relative}: ${e.instancePath || '(root)'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}

/** The paging fields every ORUK list carries, and their arithmetic. */
export function pagingErrors(body: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const k of ['total_items', 'total_pages', 'page_number', 'size']) if (!Number.isInteger(body[k])) out.push(`${k} must be an integer`);
  for (const k of ['first_page', 'last_page', 'empty']) if (typeof body[k] !== 'boolean') out.push(`${k} must be a boolean`);
  if (!Array.isArray(body.contents)) out.push('contents must be an array');
  if (out.length) return out;
  const total = body.total_items as number;
  const size = body.size as number;
  const pageNumber = body.page_number as number;
  if (body.total_pages !== Math.ceil(total / size)) out.push('total_pages must be total_items / size, rounded up');
  if (body.first_page !== (pageNumber === 1)) out.push('first_page must be true only on page 1');
  if (body.last_page !== (pageNumber >= (body.total_pages as number))) out.push('last_page must be true only on the last page');
  if (body.empty !== ((body.contents as unknown[]).length === 0)) out.push('empty must say whether contents is empty');
  return out;
}

export interface ProfileTest { name: string; endpoint: string; schema: string; pagination?: boolean; saveIds?: boolean; useIdFrom?: string }
export interface ProfileGroup { name: string; required: boolean; messageLevel: string; tests: ProfileTest[] }

/** The validator's test profile: level 1 (required) and level 2 groups of endpoint tests. */
export function testProfile(): ProfileGroup[] {
  return readStandard<{ testGroups: ProfileGroup[] }>('validator/test-profile-HSDS-UK-3.0.json').testGroups;
}

/** "V3.0-UK/service_list.json" of the profile is validator/page-schemas/service_list.json here. */
export const pageSchemaFile = (profileSchema: string) => `validator/page-schemas/${path.basename(profileSchema)}`;
