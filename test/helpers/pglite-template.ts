import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { createPGlite, openDatabase } from '../../src/platform/db/index.js';
import { migrate } from '../../src/platform/db/migrate.js';

declare module 'vitest' {
  export interface ProvidedContext { pgliteTemplate: string | null }
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * What the migrated database is made from: the migrations, the code that opens and migrates it, and the PGlite
 * release. The same inputs give the same database, so a run reuses the copy an earlier run made from them.
 */
async function templateKey(): Promise<string> {
  const hash = createHash('sha256');
  const migrations = path.join(ROOT, 'src/platform/migrations');
  const inputs = [
    ...(await readdir(migrations)).sort().map((f) => path.join(migrations, f)),
    path.join(ROOT, 'src/platform/db/index.ts'), path.join(ROOT, 'src/platform/db/pglite-open.mjs'), path.join(ROOT, 'src/platform/db/migrate.ts'),
    path.join(ROOT, 'node_modules/@electric-sql/pglite/package.json'),
  ];
  for (const file of inputs) hash.update(path.basename(file)).update('\0').update(await readFile(file)).update('\0');
  return hash.digest('hex').slice(0, 16);
}

/**
 * Vitest global setup. A new embedded database spends seconds in its own initdb before the first migration
 * runs; every test file needs one. So the run migrates one database once and each file starts from a copy
 * of it (the test helper still runs `migrate`, which finds nothing left to do). The copy is kept in the system's
 * temporary folder for the next run, which would otherwise wait for it with every worker idle.
 */
export default async function setup(project: TestProject) {
  if (process.env.DATABASE_URL) {
    project.provide('pgliteTemplate', null);
    return;
  }
  const file = path.join(tmpdir(), `cg-pglite-template-${await templateKey()}.tar`);
  if (!existsSync(file)) {
    const dir = await mkdtemp(path.join(tmpdir(), 'cg-template-'));
    try {
      const dataDir = path.join(dir, 'data');
      const db = await openDatabase({ databaseUrl: null, dataDir, databaseSchema: null, appDbRole: 'commonground_app' });
      await migrate(db);
      await db.close();
      const pg = await createPGlite({ dataDir });
      const dump = await pg.dumpDataDir('none');
      await pg.close();
      // Written whole, then renamed: a run started meanwhile never reads half a copy.
      const partial = path.join(dir, 'migrated.tar');
      await writeFile(partial, Buffer.from(await dump.arrayBuffer()));
      await rename(partial, file);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  project.provide('pgliteTemplate', file);
}
