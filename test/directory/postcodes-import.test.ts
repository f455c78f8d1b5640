import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../helpers/database.js';
import { createPersistentStore } from '../helpers/store.js';
import { runCli } from '../helpers/cli.js';
import type { Database } from '../../src/platform/db/index.js';
import { geocodePostcode } from '../../src/platform/geography/geocode.js';
import { CsvRecords, PostcodeFileError, importPostcodes, progressBar, runPostcodeImport } from '../../src/directory/geography/postcodes-import.js';

/**
 * `commonground import postcodes FILE`: ONS Postcode Directory CSVs made here by a small generator in
 * the real file's shape (every field quoted, ~50 columns, doterm on terminated postcodes, lat 99.999999
 * where there is no grid reference), never a committed big file.
 */

const ONSPD_COLUMNS = ['pcd', 'pcd2', 'pcds', 'dointr', 'doterm', 'oscty', 'ced', 'oslaua', 'osward', 'parish', 'usertype', 'oseast1m', 'osnrth1m', 'osgrdind',
  'oshlthau', 'nhser', 'ctry', 'rgn', 'streg', 'pcon', 'eer', 'teclec', 'ttwa', 'pct', 'itl', 'statsward', 'oa11', 'casward', 'npark', 'lsoa11', 'msoa11', 'wz11',
  'sicbl', 'bua24', 'ru11ind', 'oac11', 'lat', 'long', 'lep1', 'lep2', 'pfa', 'imd', 'calncv', 'icb', 'oa21', 'lsoa21', 'msoa21'];

interface OnspdRow { pcds: string; lat: string; long: string; doterm?: string; osward?: string; oslaua?: string; lsoa11?: string; lsoa21?: string; imd?: string }

const quote = (v: string) => `"${v.replaceAll('"', '""')}"`;

/** One ONSPD line: every column quoted, pcd padded to 7 characters as in the real file. */
function onspdLine(r: OnspdRow): string {
  const [outward, inward] = r.pcds.split(' ') as [string, string];
  const values: Record<string, string> = {
    pcd: `${outward.padEnd(4, ' ')}${inward}`.slice(0, 8), pcd2: `${outward.padEnd(5, ' ')}${inward}`, pcds: r.pcds, dointr: '198001', doterm: r.doterm ?? '',
    oscty: 'E99999999', oslaua: r.oslaua ?? 'E08000035', osward: r.osward ?? 'E05011404', usertype: '0', oseast1m: '429967', osnrth1m: '0433834', osgrdind: r.lat === '99.999999' ? '9' : '1',
    ctry: 'E92000001', rgn: 'E12000003', lsoa11: r.lsoa11 ?? 'E01033010', lsoa21: r.lsoa21 ?? '', lat: r.lat, long: r.long, imd: r.imd ?? '', pfa: 'E23000010',
  };
  return ONSPD_COLUMNS.map((c) => quote(values[c] ?? '')).join(',');
}

function onspdFile(rows: OnspdRow[], eol = '\r\n'): string {
  return [ONSPD_COLUMNS.map(quote).join(','), ...rows.map(onspdLine)].join(eol) + eol;
}

const UNIT_LETTERS = 'ABDEFGHJLNPQRSTUWXYZ';
/** n distinct valid postcodes (LS1 0AA, LS1 0AB, …) with coordinates spread over Leeds; every 50th terminated, every 97th without a grid reference. */
async function writeBigOnspd(file: string, n: number): Promise<{ terminated: number; noGrid: number }> {
  const out = createWriteStream(file);
  out.write(ONSPD_COLUMNS.map(quote).join(',') + '\r\n');
  let terminated = 0;
  let noGrid = 0;
  for (let i = 0; i < n; i++) {
    const district = 1 + Math.floor(i / 4000);
    const rest = i % 4000;
    const pcds = `LS${district} ${Math.floor(rest / 400)}${UNIT_LETTERS[Math.floor(rest / 20) % 20]}${UNIT_LETTERS[rest % 20]}`;
    const none = i % 97 === 13;
    if (none) noGrid++;
    else if (i % 50 === 7) terminated++;
    const line = onspdLine({ pcds, lat: none ? '99.999999' : (53.7 + (i % 1000) / 5000).toFixed(6), long: none ? '0.000000' : (-1.6 + (i % 777) / 5000).toFixed(6), doterm: !none && i % 50 === 7 ? '201203' : '', imd: String(1 + (i % 32844)) });
    if (!out.write(line + '\r\n')) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve, reject) => { out.on('error', reject); out.end(() => resolve()); });
  return { terminated, noGrid };
}

let db: Database;
let dispose: () => Promise<void>;
let dir: string;
beforeAll(async () => {
  ({ db, dispose } = await createTestDatabase());
  dir = await mkdtemp(path.join(tmpdir(), 'cg-onspd-'));
});
afterAll(async () => {
  await dispose();
  await rm(dir, { recursive: true, force: true });
});

const row = async (postcode: string) => (await sql<{ postcode: string; latitude: number | null; longitude: number | null; ward_code: string | null; local_authority_code: string | null; lsoa_code: string | null; imd_rank: number | null; terminated_on: string | null }>`
  select postcode, latitude, longitude, ward_code, local_authority_code, lsoa_code, imd_rank, to_char(terminated_on, 'YYYY-MM-DD') as terminated_on
  from postcodes where postcode = ${postcode}`.execute(db.system)).rows[0];

describe('CsvRecords', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks, however the text is split into chunks', () => {
    const text = '"a","b,c","say ""hi"""\r\n"multi\nline",plain,""\n"last","row","x"';
    const whole = new CsvRecords();
    const expected = [['a', 'b,c', 'say "hi"'], ['multi\nline', 'plain', ''], ['last', 'row', 'x']];
    expect([...whole.push(text), ...whole.end()]).toEqual(expected);
    for (const size of [1, 2, 3, 7]) {
      const csv = new CsvRecords();
      const records: string[][] = [];
      for (let i = 0; i < text.length; i += size) records.push(...csv.push(text.slice(i, i + size)));
      records.push(...csv.end());
      expect(records, `chunks of ${size}`).toEqual(expected);
    }
  });

  it('refuses a file that ends inside a quoted field', () => {
    const csv = new CsvRecords();
    csv.push('"a","unfinished');
    expect(() => csv.end()).toThrow(PostcodeFileError);
  });
});

describe('importing the ONS Postcode Directory', () => {
  it('imports quoted rows, keeps terminated postcodes marked, and skips rows without a grid reference', async () => {
    const file = path.join(dir, 'small.csv');
    await writeFile(file, onspdFile([
      { pcds: 'LS1 1UR', lat: '53.799700', long: '-1.549200', osward: 'E05011404', oslaua: 'E08000035', lsoa11: 'E01033010', lsoa21: 'E01035000', imd: '1234' },
      { pcds: 'M1 1AE', lat: '53.481000', long: '-2.237000', imd: '55' },
      { pcds: 'LS2 9ZZ', lat: '53.806000', long: '-1.555000', doterm: '201106' },
      { pcds: 'ZE3 9JZ', lat: '99.999999', long: '0.000000' },
      { pcds: 'GY1 1AA', lat: '99.999999', long: '0.000000' },
    ]));
    const result = await importPostcodes(db, file);
    expect(result).toMatchObject({ status: 'completed', rows: 5, imported: 3, terminated: 1, skippedNoCoordinates: 2, errorCount: 0, errors: [] });
    expect(await row('LS11UR')).toEqual({ postcode: 'LS11UR', latitude: 53.7997, longitude: -1.5492, ward_code: 'E05011404', local_authority_code: 'E08000035', lsoa_code: 'E01035000', imd_rank: 1234, terminated_on: null });
    // lsoa11 when there is no lsoa21
    expect(await row('M11AE')).toMatchObject({ lsoa_code: 'E01033010', imd_rank: 55 });
    expect(await row('LS29ZZ')).toMatchObject({ terminated_on: '2011-06-01' });
    expect(await row('ZE39JZ')).toBeUndefined();
    expect(await geocodePostcode(db, 'ls2 9zz')).toEqual({ status: 'found', latitude: 53.806, longitude: -1.555, postcode: 'LS2 9ZZ', terminated: true });
  });

  it('updates the postcodes it already holds when imported again', async () => {
    const file = path.join(dir, 'again.csv');
    await writeFile(file, onspdFile([
      { pcds: 'LS1 1UR', lat: '53.800000', long: '-1.550000', doterm: '202401', imd: '999' },
      { pcds: 'LS2 9ZZ', lat: '53.806000', long: '-1.555000', doterm: '201106' },
      { pcds: 'LS6 2AA', lat: '53.82', long: '-1.57' },
    ], '\n'));
    const before = Number((await sql<{ n: number }>`select count(*)::int as n from postcodes`.execute(db.system)).rows[0]!.n);
    const result = await importPostcodes(db, file);
    expect(result).toMatchObject({ status: 'completed', rows: 3, imported: 3, terminated: 2 });
    expect(await row('LS11UR')).toMatchObject({ latitude: 53.8, longitude: -1.55, terminated_on: '2024-01-01', imd_rank: 999 });
    const after = Number((await sql<{ n: number }>`select count(*)::int as n from postcodes`.execute(db.system)).rows[0]!.n);
    expect(after).toBe(before + 1);
  });

  it('rejects a file with bad rows, saying which, and changes nothing', async () => {
    const file = path.join(dir, 'bad.csv');
    await writeFile(file, onspdFile([
      { pcds: 'LS7 1AA', lat: '53.83', long: '-1.53' },
      { pcds: 'NOT VALID', lat: '53.83', long: '-1.53' },
      { pcds: 'LS7 1AB', lat: 'north', long: '-1.53' },
      { pcds: 'LS7 1AD', lat: '53.83', long: '-1.53', doterm: '2012' },
      { pcds: 'LS7 1AE', lat: '53.83', long: '-1.53', imd: 'high' },
      { pcds: 'LS1 1UR', lat: '1.0', long: '1.0' },
    ]));
    const result = await importPostcodes(db, file, { batchSize: 1 });
    expect(result.status).toBe('rejected');
    expect(result.errors).toEqual([
      { row: 2, message: '“NOT VALID” is not a UK postcode' },
      { row: 3, message: 'lat “north” is not a latitude' },
      { row: 4, message: 'doterm “2012” is not a year and month such as 202301' },
      { row: 5, message: 'imd “high” is not a rank' },
    ]);
    expect(result.imported).toBe(0);
    expect(await row('LS71AA')).toBeUndefined();
    expect(await row('LS11UR')).toMatchObject({ latitude: 53.8 });
  });

  it('explains a file that is not the postcode directory', async () => {
    const wrong = path.join(dir, 'wrong.csv');
    await writeFile(wrong, '"name","email"\r\n"Ada","ada@example.org"\r\n');
    await expect(importPostcodes(db, wrong)).rejects.toThrow('This is not an ONS Postcode Directory file: the header row has no pcds (or pcd), lat, long columns');
    const empty = path.join(dir, 'empty.csv');
    await writeFile(empty, '');
    await expect(importPostcodes(db, empty)).rejects.toThrow('The file is empty');
    await expect(importPostcodes(db, path.join(dir, 'missing.csv'))).rejects.toThrow('there is no such file');
  });

  it('streams a large file in batches, reporting progress by bytes', async () => {
    const file = path.join(dir, 'big.csv');
    const n = 12_000;
    const made = await writeBigOnspd(file, n);
    const progress: [number, number][] = [];
    const result = await importPostcodes(db, file, { batchSize: 1000, onProgress: (read, total) => progress.push([read, total]) });
    expect(result).toMatchObject({ status: 'completed', rows: n, imported: n - made.noGrid, terminated: made.terminated, skippedNoCoordinates: made.noGrid });
    expect(progress.length).toBeGreaterThan(2);
    const total = progress[0]![1];
    expect(progress.every(([, t]) => t === total)).toBe(true);
    expect(progress.map(([r]) => r)).toEqual([...progress.map(([r]) => r)].sort((a, b) => a - b));
    expect(progress.at(-1)![0]).toBe(total);
    const count = await sql<{ n: number }>`select count(*)::int as n from postcodes where postcode like 'LS%' and imd_rank is not null`.execute(db.system);
    expect(count.rows[0]!.n).toBeGreaterThanOrEqual(n - made.noGrid);
  });

  it('draws a progress bar on a terminal and prints the summary', async () => {
    expect(progressBar(0, 2_000_000, 10)).toBe('[----------]   0%  0 KB of 1.9 MB');
    expect(progressBar(1_000_000, 2_000_000, 10)).toBe('[#####-----]  50%  977 KB of 1.9 MB');
    const file = path.join(dir, 'tty.csv');
    await writeFile(file, onspdFile([{ pcds: 'LS8 1AA', lat: '53.82', long: '-1.51' }, { pcds: 'LS8 1AB', lat: '99.999999', long: '0' }]));
    const written = { stdout: '', stderr: '' };
    const stream = (key: 'stdout' | 'stderr', isTTY: boolean) => ({ isTTY, write: (s: string) => { written[key] += s; return true; } }) as unknown as NodeJS.WriteStream;
    expect(await runPostcodeImport(db, file, { stdout: stream('stdout', false), stderr: stream('stderr', true) })).toBe(0);
    expect(written.stderr).toContain('\r[##############################] 100%');
    expect(written.stdout).toMatch(/^Imported 1 postcodes \(0 terminated, kept and marked\) from 2 rows; skipped 1 without coordinates; in \d+\.\d s\.\n$/);

    const bad = path.join(dir, 'tty-bad.csv');
    await writeFile(bad, onspdFile([{ pcds: 'XX', lat: '1', long: '1' }]));
    written.stdout = '';
    written.stderr = '';
    expect(await runPostcodeImport(db, bad, { stdout: stream('stdout', false), stderr: stream('stderr', false) })).toBe(1);
    expect(written.stderr).toContain('The file was rejected: 1 row could not be read, so no postcodes were changed.\n  row 1: “XX” is not a UK postcode');
    expect(written.stderr).not.toContain('\r[');
  });
});

describe('commonground import postcodes FILE', () => {
  it('imports from the command line, and explains what it needs', async () => {
    const store = await createPersistentStore();
    try {
      const file = path.join(store.dir, 'onspd.csv');
      await writeFile(file, onspdFile([{ pcds: 'LS1 1UR', lat: '53.7997', long: '-1.5492' }, { pcds: 'LS1 2AB', lat: '53.79', long: '-1.54', doterm: '200001' }]));
      const result = await runCli(['import', 'postcodes', file], store.env);
      expect(result.stderr).not.toContain('Error');
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('Imported 2 postcodes (1 terminated, kept and marked) from 2 rows; skipped 0 without coordinates');
      const missing = await runCli(['import', 'postcodes'], store.env);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain('Name the file: commonground import postcodes FILE');
      const wrong = await runCli(['import', 'postcodes', path.join(store.dir, 'nope.csv')], store.env);
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toContain('there is no such file. Nothing was changed.');
      const stored = await store.open();
      try {
        expect(await geocodePostcode(stored, 'LS1 2AB')).toMatchObject({ status: 'found', terminated: true });
      } finally {
        await stored.close();
      }
    } finally {
      await store.dispose();
    }
  }, 240_000);
});
