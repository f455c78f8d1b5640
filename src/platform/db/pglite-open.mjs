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
    ...options,
    extensions: { pg_trgm, cube, earthdistance, citext, unaccent },
    parsers: { 20: (v) => Number(v) },
  });
}
