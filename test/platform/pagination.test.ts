import { describe, expect, it } from 'vitest';
import { paginationOf, readPageNumber } from '../../src/platform/http/pagination.js';

describe('page numbers', () => {
  it('reads a whole page number from 1 to 10,000, and anything else as the first page', () => {
    expect(readPageNumber({ page: '3' })).toBe(3);
    expect(readPageNumber({ page: '10000' })).toBe(10_000);
    for (const page of [undefined, '', '0', '-4', 'abc', '10001', '1e9', ['x']]) expect(readPageNumber({ page }), String(page)).toBe(1);
  });
});

describe('pagination', () => {
  const href = (p: number) => `/x?page=${p}`;
  it('is absent when everything fits on one page', () => {
    expect(paginationOf(1, 1, href)).toBeNull();
  });
  it('links the pages either side', () => {
    expect(paginationOf(1, 3, href)).toEqual({ previous: undefined, next: { href: '/x?page=2' } });
    expect(paginationOf(3, 3, href)).toEqual({ previous: { href: '/x?page=2' }, next: undefined });
  });
  it('numbers the first, the last and two either side of this page, with a gap marked', () => {
    const items = paginationOf(6, 20, href, { numbered: true })!.items!;
    expect(items.map((i) => ('ellipsis' in i ? '…' : i.current ? `[${i.number}]` : String(i.number)))).toEqual(['1', '…', '4', '5', '[6]', '7', '8', '…', '20']);
  });
});
