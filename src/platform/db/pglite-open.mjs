/*
 * Opens the embedded PostgreSQL with what the migrations need: the extensions they use, and bigints (counts) read as
 * numbers. One place for every opener: the database's own thread (pglite-thread.mjs) and the tools that open a data
 * folder directly. Plain JavaScript, because a worker thread runs it without a TypeScript loader.
 */
export async function openPGlite(options = {}) {
  const { PGlite } = await import('@electric-sql/pglite');
  const [{ pg_trgm }, { cube }, { earthdistance }, { citext }, { unaccent }] = await Promise.all([
    import('@electric-sql/pglite/contrib/pg_trgm'), import('@electric-sql/pglite/contrib/cube'), import('@electric-sql/pglite/contrib/earthdistance'),
    import('@electric-sql/pglite/contrib/citext'), import('@electric-sql/pglite/contrib/unaccent'),
  ]);
  return PGlite.create({
    // PGlite keeps PostgreSQL's 128 MB of shared buffers in the process's own memory, which never shrinks once a large
    // import has filled it. A quarter of that keeps a 100,000-grant import near 400 MB (bench/grants-import.ts, JSON:
    // peak 557 MB at 128 MB, 458 MB at 64 MB, 408–434 MB at 32 MB, as fast); pages beyond it are read again from the
    // data folder, which the system keeps cached.
    startParams: [...PGlite.defaultStartParams, '-c', 'shared_buffers=32MB'],
    ...options,
    extensions: { pg_trgm, cube, earthdistance, citext, unaccent },
    parsers: { 20: (v) => Number(v) },
  });
}
