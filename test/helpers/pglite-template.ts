import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { createPGlite, openDatabase } from '../../src/platform/db/index.js';
import { migrate } from '../../src/platform/db/migrate.js';

declare module 'vitest' {
  export interface ProvidedContext { pgliteTemplate: string | null }
}

/**
 * Vitest global setup. A new embedded database spends seconds in its own initdb before the first migration
 * runs; every test file needs one. So the run migrates one database once and each file starts from a copy
 * of it (the test helper still runs `migrate`, which finds nothing left to do).
 */
export default async function setup(project: TestProject) {
  if (process.env.DATABASE_URL) {
    project.provide('pgliteTemplate', null);
    return;
  }
  const dir = await mkdtemp(path.join(tmpdir(), 'cg-template-'));
  const dataDir = path.join(dir, 'data');
  const db = await openDatabase({ databaseUrl: null, dataDir, databaseSchema: null, appDbRole: 'commonground_app' });
  await migrate(db);
  await db.close();
  const pg = await createPGlite({ dataDir });
  const dump = await pg.dumpDataDir('none');
  await pg.close();
  const file = path.join(dir, 'migrated.tar');
  await writeFile(file, Buffer.from(await dump.arrayBuffer()));
  project.provide('pgliteTemplate', file);
  return async () => { await rm(dir, { recursive: true, force: true }); };
}
