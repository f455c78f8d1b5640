import type { PGlite } from '@electric-sql/pglite';

export function openPGlite(options?: { dataDir?: string; loadDataDir?: Blob }): Promise<PGlite>;
