import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Database } from '../../platform/db/index.js';
import { importTaxonomyJson, recordRefusal, TAXONOMY_IMPORT_MAX_BYTES } from './import.js';
import type { Actor } from '../../platform/audit.js';

const OPERATOR: Actor = { userId: null, label: 'command line' };

export const TAXONOMY_IMPORT_USAGE = 'commonground import taxonomy FILE [--lio SLUG]';

/**
 * `commonground import taxonomy FILE [--lio SLUG]`: imports HSDS taxonomy JSON into an LIO (the default LIO
 * unless named), exactly as the admin page does, its report kept on /admin/imports. Prints each problem by row and exits
 * 1 when the file is rejected (2 when it is too large to read, which is recorded too).
 */
export async function runTaxonomyImport(args: string[], open: () => Promise<Database>, out: Pick<Console, 'log' | 'error'> = console): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: { lio: { type: 'string' } }, allowPositionals: true });
  const file = positionals[0];
  if (!file || positionals.length > 1) { out.error(`Name one file: ${TAXONOMY_IMPORT_USAGE}`); return 2; }
  let source: string | null = null;
  try {
    // checked before reading, so that a file larger than memory is refused rather than read
    if ((await stat(file)).size <= TAXONOMY_IMPORT_MAX_BYTES) source = await readFile(file, 'utf8');
  } catch (err) {
    out.error(`Cannot read ${file}: ${(err as Error).message}`);
    return 2;
  }
  const db = await open();
  try {
    const lio = values.lio
      ? await db.system.selectFrom('lios').select(['id', 'name']).where('slug', '=', values.lio).executeTakeFirst()
      : await db.system.selectFrom('lios').select(['id', 'name']).where('is_default', '=', true).executeTakeFirst();
    if (!lio) { out.error(values.lio ? `No LIO with slug ${values.lio}` : 'There is no default LIO: name one with --lio SLUG'); return 2; }
    const name = path.basename(file);
    if (source === null) {
      const limit = `${TAXONOMY_IMPORT_MAX_BYTES / (1024 * 1024)} MB`;
      await recordRefusal(db, lio.id, OPERATOR, name, [{ row: 'File', field: 'file', message: `The file is larger than the limit of ${limit} for a taxonomy` }], new Date());
      out.error(`${file} is larger than the limit of ${limit} for a taxonomy; nothing was imported`);
      return 2;
    }
    const result = await importTaxonomyJson(db, lio.id, OPERATOR, { name, text: source }, new Date());
    if (!result.ok) {
      out.error(`${file} was rejected; nothing was imported. ${result.problems.length} ${result.problems.length === 1 ? 'problem' : 'problems'}:`);
      for (const p of result.problems) out.error(`  ${p.row}: ${p.field} ${p.message}`);
      return 1;
    }
    for (const t of result.taxonomies) out.log(`${t.name} ${t.action} in ${lio.name}: ${t.termsAdded} terms added, ${t.termsUpdated} updated`);
    return 0;
  } finally {
    await db.close();
  }
}
