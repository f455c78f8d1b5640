import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { strToU8, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UnreadableSpreadsheet, xlsxRows } from '../../src/platform/xlsx.js';

let dir: string;
beforeAll(async () => { dir = await mkdtemp(path.join(tmpdir(), 'xlsx-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

async function written(name: string, fill: (book: ExcelJS.Workbook) => void, options?: Partial<ExcelJS.XlsxWriteOptions>): Promise<string> {
  const book = new ExcelJS.Workbook();
  fill(book);
  const file = path.join(dir, name);
  await book.xlsx.writeFile(file, options);
  return file;
}

async function rowsOf(file: string, options?: Parameters<typeof xlsxRows>[1]) {
  const rows: { row: number; values: unknown[] }[] = [];
  for await (const r of xlsxRows(file, options)) rows.push(r);
  return rows;
}

/** Sets the size the archive's central directory states for one part, as a file that lies about its size would. */
async function withStatedSize(file: string, partName: string, size: number): Promise<string> {
  const bytes = await readFile(file);
  const name = Buffer.from(partName);
  const centralHeader = Buffer.from([0x50, 0x4b, 0x01, 0x02]);
  for (let at = bytes.indexOf(centralHeader); at >= 0; at = bytes.indexOf(centralHeader, at + 1)) {
    const nameLength = bytes.readUInt16LE(at + 28);
    if (bytes.subarray(at + 46, at + 46 + nameLength).equals(name)) {
      bytes.writeUInt32LE(size, at + 24);
      const lying = `${file}.lying.xlsx`;
      await writeFile(lying, bytes);
      return lying;
    }
  }
  throw new Error(`no ${partName} in ${file}`);
}

/** A workbook written by hand, part by part, as other writers than ExcelJS write them. */
async function handMade(name: string, sheet: string, extra: Record<string, string> = {}, prefix = ''): Promise<string> {
  const x = prefix ? `${prefix}:` : '';
  const ns = prefix ? `xmlns:${prefix}` : 'xmlns';
  const main = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
  const rel = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
  const parts: Record<string, string> = {
    '_rels/.rels': `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
    'xl/_rels/workbook.xml.rels': `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${rel}/worksheet" Target="worksheets/sheet1.xml"/>${
      extra['xl/styles.xml'] ? `<Relationship Id="rId2" Type="${rel}/styles" Target="styles.xml"/>` : ''}${extra['xl/sharedStrings.xml'] ? `<Relationship Id="rId3" Type="${rel}/sharedStrings" Target="sharedStrings.xml"/>` : ''}</Relationships>`,
    'xl/workbook.xml': `<${x}workbook ${ns}="${main}" xmlns:r="${rel}"><${x}sheets><${x}sheet name="grants" sheetId="1" r:id="rId1"/></${x}sheets></${x}workbook>`,
    'xl/worksheets/sheet1.xml': `<${x}worksheet ${ns}="${main}"><${x}sheetData>${sheet.replaceAll('<', `<${x}`).replaceAll(`<${x}/`, `</${x}`)}</${x}sheetData></${x}worksheet>`,
    ...extra,
  };
  const file = path.join(dir, name);
  await writeFile(file, zipSync(Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, strToU8(v)]))));
  return file;
}

const grantsBook = (book: ExcelJS.Workbook) => {
  const sheet = book.addWorksheet('grants');
  sheet.addRow(['Identifier', 'Title', 'Amount Awarded', 'Award Date', 'Is Charity']);
  sheet.addRow(['360G-a-1', 'Lunch & club <b>', 1500.25, new Date(Date.UTC(2025, 10, 1)), true]);
  sheet.getCell('B3').value = { richText: [{ text: 'Youth ' }, { font: { bold: true }, text: 'club' }] };
  sheet.getCell('G3').value = 'far column';
  book.addWorksheet('notes').addRow(['not read']);
};

describe('the rows of a spreadsheet’s first sheet', () => {
  it('reads text, rich text, numbers, dates, true/false and gaps as written', async () => {
    const file = await written('grants.xlsx', grantsBook);
    const expected = [
      { row: 1, values: ['Identifier', 'Title', 'Amount Awarded', 'Award Date', 'Is Charity'] },
      { row: 2, values: ['360G-a-1', 'Lunch & club <b>', 1500.25, new Date(Date.UTC(2025, 10, 1)), true] },
      { row: 3, values: [null, 'Youth club', null, null, null, null, 'far column'] },
    ];
    expect(await rowsOf(file)).toEqual(expected);
  });

  it('reads strings written inline and dates counted from 1904', async () => {
    const file = await written('inline.xlsx', (book) => {
      book.properties.date1904 = true;
      book.addWorksheet('s').addRow(['Oak Trust', new Date(Date.UTC(2024, 1, 29))]);
    }, { useSharedStrings: false });
    expect(await rowsOf(file)).toEqual([{ row: 1, values: ['Oak Trust', new Date(Date.UTC(2024, 1, 29))] }]);
  });

  it('refuses a part that unpacks to more than it states, and one that states more than is allowed', async () => {
    const file = await written('sizes.xlsx', grantsBook);
    await expect(rowsOf(await withStatedSize(file, 'xl/sharedStrings.xml', 10))).rejects.toThrow(/sharedStrings.xml cannot be read \(too many bytes/);
    await expect(rowsOf(file, { limits: { smallPartBytes: 1 << 20, sharedStringsBytes: 100, sheetBytes: 1 << 20 } }))
      .rejects.toThrow('its part xl/sharedStrings.xml would unpack to');
  });

  it('reads elements named with a prefix (x:row), as the .NET OpenXML SDK writes them', async () => {
    const file = await handMade('prefixed.xlsx', '<row r="1"><c r="A1" t="inlineStr"><is><t>Oak Trust</t></is></c><c r="B1"><v>12.5</v></c></row>', {}, 'x');
    expect(await rowsOf(file)).toEqual([{ row: 1, values: ['Oak Trust', 12.5] }]);
  });

  it('gives a date no calendar holds as written, for the reader to judge, rather than failing', async () => {
    const styles = '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14"/></cellXfs></styleSheet>';
    const file = await handMade('dates.xlsx', '<row r="1"><c r="A1" s="1"><v>1e12</v></c><c r="B1" t="d"><v>next spring</v></c><c r="C1" s="1"><v>45962</v></c></row>', { 'xl/styles.xml': styles });
    expect(await rowsOf(file)).toEqual([{ row: 1, values: [1e12, 'next spring', new Date(Date.UTC(2025, 10, 1))] }]);
  });

  it('refuses a cell longer than a spreadsheet’s cell can be, and a part packed far tighter than a spreadsheet packs', async () => {
    const long = await handMade('long.xlsx', `<row r="1"><c r="A1" t="inlineStr"><is><t>${'a'.repeat(40_000)}</t></is></c></row>`);
    await expect(rowsOf(long)).rejects.toThrow('a cell holds more than 32,767 characters');
    const strings = `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>${'a'.repeat(8 * 1024 * 1024)}</t></si></sst>`;
    const bomb = await handMade('bomb.xlsx', '<row r="1"><c r="A1" t="s"><v>0</v></c></row>', { 'xl/sharedStrings.xml': strings });
    await expect(rowsOf(bomb)).rejects.toThrow(/sharedStrings.xml would unpack to \d+ bytes from \d+, far more than a spreadsheet packs/);
  });

  it('refuses a file that is not a spreadsheet with the reason', async () => {
    const notZip = path.join(dir, 'plain.xlsx');
    await writeFile(notZip, 'Identifier,Title\n');
    const refusal = rowsOf(notZip);
    await expect(refusal).rejects.toBeInstanceOf(UnreadableSpreadsheet);
    await expect(refusal).rejects.toThrow('it is not a zip archive');
  });
});
