import { str } from './forms.js';

/** Beyond this a page number is a typing slip or a crawler, not a person paging through results. */
const LAST_READ_PAGE = 10_000;

/** The page asked for in ?page=: a whole number from 1; anything else (missing, 0, -4, "abc", 99999) reads as 1. */
export function readPageNumber(query: unknown): number {
  const page = Number.parseInt(str(query, 'page'), 10);
  return Number.isFinite(page) && page >= 1 && page <= LAST_READ_PAGE ? page : 1;
}

export interface Pagination {
  previous?: { href: string };
  next?: { href: string };
  items?: ({ number: number; href: string; current: boolean } | { ellipsis: true })[];
}

/**
 * The GOV.UK pagination component's parameters; null when everything fits on one page. With `numbered`, pages are
 * listed as the first, the last and two either side of this one, with an ellipsis for each gap.
 */
export function paginationOf(page: number, pages: number, href: (page: number) => string, options: { numbered?: boolean } = {}): Pagination | null {
  if (pages <= 1) return null;
  const pagination: Pagination = {
    previous: page > 1 ? { href: href(page - 1) } : undefined,
    next: page < pages ? { href: href(page + 1) } : undefined,
  };
  if (options.numbered) {
    const around = Array.from({ length: pages }, (_, i) => i + 1).filter((p) => p === 1 || p === pages || Math.abs(p - page) <= 2);
    pagination.items = around.flatMap((p, i) => [
      ...(i > 0 && p - around[i - 1]! > 1 ? [{ ellipsis: true as const }] : []),
      { number: p, href: href(p), current: p === page },
    ]);
  }
  return pagination;
}
