/** A `count(*) as n` row as a number (PostgreSQL returns a bigint as a string); no row counts as zero. */
export const countOf = (row: { n: number | string | bigint } | undefined): number => Number(row?.n ?? 0);
