import { describe, expect, it } from 'vitest';
import { containing, escapeLike } from '../../src/platform/db/like.js';

describe('LIKE patterns', () => {
  it('makes %, _ and the backslash match only themselves', () => {
    expect(escapeLike('50% off_now\\')).toBe('50\\% off\\_now\\\\');
    expect(escapeLike('plain words')).toBe('plain words');
  });
  it('matches the text anywhere', () => {
    expect(containing('a_b')).toBe('%a\\_b%');
  });
});
