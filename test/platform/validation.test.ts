import { describe, expect, it } from 'vitest';
import { isUuid } from '../../src/platform/validation/ids.js';
import { compactPostcode, formatPostcode, normalisePostcode } from '../../src/platform/validation/postcodes.js';
import { isWebAddress } from '../../src/platform/validation/web-addresses.js';
import { parseDay, startOfDay } from '../../src/platform/validation/dates.js';

describe('identifiers', () => {
  it('takes a UUID in either case and nothing else', () => {
    expect(isUuid('0b6c2a3e-9d4f-4a1b-8c2d-3e4f5a6b7c8d')).toBe(true);
    expect(isUuid('0B6C2A3E-9D4F-4A1B-8C2D-3E4F5A6B7C8D')).toBe(true);
    for (const bad of ['', 'abc', '0b6c2a3e9d4f4a1b8c2d3e4f5a6b7c8d', ' 0b6c2a3e-9d4f-4a1b-8c2d-3e4f5a6b7c8d', '0b6c2a3e-9d4f-4a1b-8c2d-3e4f5a6b7c8g', null, 42, undefined]) {
      expect(isUuid(bad), String(bad)).toBe(false);
    }
  });
});

describe('postcodes', () => {
  it('reads every UK shape in any case and spacing, written with one space', () => {
    for (const [input, written] of [
      ['ls11ur', 'LS1 1UR'], [' m1  1ae ', 'M1 1AE'], ['B33 8TH', 'B33 8TH'], ['CR2 6XH', 'CR2 6XH'], ['DN55 1PT', 'DN55 1PT'],
      ['w1a 0ax', 'W1A 0AX'], ['EC1A1BB', 'EC1A 1BB'], ['gir 0aa', 'GIR 0AA'], ['BT48 6DQ', 'BT48 6DQ'], ['EH1 1YZ', 'EH1 1YZ'],
    ] as const) {
      expect(normalisePostcode(input), input).toBe(written);
      expect(compactPostcode(input), input).toBe(written.replace(' ', ''));
    }
  });

  it('refuses what Royal Mail never allocates, so the register, services and search agree', () => {
    // QA1 1AA: no Q first (the register once took it); LS1 1CD: no C in the unit; LS1 IUR: I for 1.
    for (const bad of ['', 'LS1', 'QA1 1AA', 'Q1 1AA', 'LS1 1CD', 'LS1 IUR', 'LS1-1UR', 'LS1 1URR', 'ASCN 1ZZ', 'BFPO 123', '12345', 'not a postcode']) {
      expect(normalisePostcode(bad), bad).toBeNull();
      expect(compactPostcode(bad), bad).toBeNull();
    }
  });

  it('writes a compact postcode the usual way', () => {
    expect(formatPostcode('SW1A1AA')).toBe('SW1A 1AA');
    expect(formatPostcode('M11AE')).toBe('M1 1AE');
  });
});

describe('web addresses', () => {
  it('takes http and https addresses with a host name that has a dot', () => {
    for (const good of ['https://www.example.org', 'http://example.org/a?b=c', 'https://127.0.0.1:8080/feed']) expect(isWebAddress(good), good).toBe(true);
  });
  it('refuses other schemes, bare words, spaces and what is not an address', () => {
    for (const bad of ['', 'www.example.org', 'ftp://files.example.org', 'javascript:alert(1)', 'JAVASCRIPT:alert(1)', 'data:text/html,x', 'vbscript:msgbox(1)', 'file:///etc/passwd', 'https://localhost/x', 'https://exa mple.org', 'https://example.org ', 'not a url']) {
      expect(isWebAddress(bad), bad).toBe(false);
    }
  });
});

describe('days', () => {
  it('reads a date input and the UK way of writing a day', () => {
    expect(parseDay('2026-03-01')).toBe('2026-03-01');
    expect(parseDay('2026-3-1')).toBe('2026-03-01');
    expect(parseDay('1/3/2026')).toBe('2026-03-01');
    expect(parseDay('01.03.2026')).toBe('2026-03-01');
    expect(parseDay('29/2/2024')).toBe('2024-02-29');
  });
  it('refuses a day that does not exist or is out of range', () => {
    for (const bad of ['', '29/2/2025', '2026-13-01', '2026-02-30', '99999-01-01', '1899-12-31', 'yesterday', '3/1/26']) expect(parseDay(bad), bad).toBeNull();
  });
  it('gives the start of the day in UTC', () => {
    expect(startOfDay('2026-03-31').toISOString()).toBe('2026-03-31T00:00:00.000Z');
  });
});
