import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CsvError } from '../../src/data/errors';
import { type CsvProgress, parseCsv } from '../../src/data/parse';
import { cellText, columnNames, tableRow } from '../../src/data/table';
import { FIXTURES, fixtureFile, parseFixture } from './helpers';

async function csvError(p: Promise<unknown>): Promise<CsvError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CsvError);
  return err as CsvError;
}

describe('parseCsv on messy files', () => {
  it('reads semicolons, a BOM, CRLF, units in headers and a quoted semicolon', async () => {
    const t = await parseFixture('sensors-semicolon-bom-crlf.csv');
    expect(t.source).toBe('sensors-semicolon-bom-crlf.csv');
    expect(t.delimiter).toBe(';');
    expect(t.linebreak).toBe('\r\n');
    expect(t.hasHeader).toBe(true);
    expect(columnNames(t)).toEqual([
      'Sample ID',
      'Date',
      'Temperature (°C)',
      'Humidity (%)',
      'Site',
      'Label',
    ]);
    expect(t.rowCount).toBe(12);
    expect(tableRow(t, 2)).toEqual(['S-003', '05/01/2023', '?', '38', 'North; upper field', 'faulty']);
    expect(tableRow(t, 0)[2]).toBe('21,5');
    expect(cellText(t.columns[3], 5)).toBeNull(); // an empty cell
  });

  it('reads tabs, ISO times and a quoted comma', async () => {
    const t = await parseFixture('orders-tab.tsv');
    expect(t.delimiter).toBe('\t');
    expect(t.linebreak).toBe('\n');
    expect(t.rowCount).toBe(24);
    expect(columnNames(t)).toEqual(['order_id', 'placed_at', 'amount (EUR)', 'category', 'gift', 'note']);
    expect(tableRow(t, 4)[5]).toBe('fragile, handle with care');
    expect(t.columns[0].values.slice(0, 3)).toEqual(new Float64Array([1, 2, 3]));
  });

  it('reads quoted commas, doubled quotes and a line break inside quotes', async () => {
    const t = await parseFixture('customers-quoted.csv');
    expect(t.delimiter).toBe(',');
    expect(t.rowCount).toBe(12);
    expect(tableRow(t, 1)[0]).toBe('O\'Brien, "Red" Pat');
    expect(tableRow(t, 8)[0]).toBe('Adeyemi, Tolu\nSecond line of a note');
    expect(tableRow(t, 9)[0]).toBe('Silva, Ana');
    expect(t.preview[0]).toEqual(['Smith, John', '52.10', '34', 'basic', 'north', 'NZ', 'no']);
  });

  it('gives the same table for a string, a Blob and tiny chunks cutting multi-byte characters', async () => {
    const bytes = readFileSync(`${FIXTURES}sensors-semicolon-bom-crlf.csv`);
    const fromString = await parseCsv(bytes.toString('utf8'));
    const fromBlob = await parseCsv(new Blob([bytes]), { chunkBytes: 7 });
    expect(fromString.source).toBe('<string>');
    expect(fromBlob.source).toBe('<blob>');
    expect(columnNames(fromBlob)).toEqual(columnNames(fromString));
    for (let r = 0; r < fromString.rowCount; r++)
      expect(tableRow(fromBlob, r)).toEqual(tableRow(fromString, r));
    const fromSmallStrings = await parseCsv(bytes.toString('utf8'), { chunkBytes: 5 });
    expect(tableRow(fromSmallStrings, 11)).toEqual(tableRow(fromString, 11));
  });

  it('reports progress up to the total size', async () => {
    const seen: CsvProgress[] = [];
    const file = fixtureFile('orders-tab.tsv');
    await parseCsv(file, { chunkBytes: 100, onProgress: (p) => seen.push(p) });
    // Chunks are held back until 20 line breaks are in (delimiter detection), then one report each.
    const text = readFileSync(`${FIXTURES}orders-tab.tsv`, 'utf8');
    let end = -1;
    for (let k = 0; k < 20; k++) end = text.indexOf('\n', end + 1);
    const firstChunk = Math.ceil((end + 1) / 100);
    expect(seen.length).toBe(Math.ceil(file.size / 100) - firstChunk + 1);
    for (let i = 1; i < seen.length; i++) expect(seen[i].bytesRead).toBeGreaterThan(seen[i - 1].bytesRead);
    expect(seen.at(-1)).toMatchObject({ bytesRead: file.size, totalBytes: file.size });
    expect(seen.at(-1)!.rows).toBeGreaterThanOrEqual(23);
  });

  it('detects a file without a header and names the columns', async () => {
    const t = await parseCsv('1.5,2,a\n3,4,b\n');
    expect(t.hasHeader).toBe(false);
    expect(columnNames(t)).toEqual(['column 1', 'column 2', 'column 3']);
    expect(t.rowCount).toBe(2);
    expect(t.warnings[0]).toMatch(/row 1 holds numbers/);
    const forced = await parseCsv('1.5,2,a\n3,4,b\n', { header: true });
    expect(columnNames(forced)).toEqual(['1.5', '2', 'a']);
  });

  it('a header of column numbers (0,1,…,n,label) is a header; counting data is not', async () => {
    const t = await parseCsv('0,1,2,3,4,target\n5,0,0,16,3,7\n0,2,9,1,0,1\n');
    expect(t.hasHeader).toBe(true);
    expect(columnNames(t)).toEqual(['0', '1', '2', '3', '4', 'target']);
    expect(t.rowCount).toBe(2);
    expect((await parseCsv('1,2,3,4\n5,6,7,8\n')).hasHeader).toBe(true);
    expect((await parseCsv('1,2,3\n5,6,7\n')).hasHeader).toBe(false); // too few to be column numbers
    expect((await parseCsv('0,1,2,4,x\n5,6,7,8,y\n')).hasHeader).toBe(false); // not counting
  });

  it('names blank and repeated header fields', async () => {
    const t = await parseCsv('a,,a\n1,2,3\n');
    expect(columnNames(t)).toEqual(['a', 'column 2', 'a (2)']);
    expect(t.warnings).toHaveLength(2);
  });

  it('prefers tabs over commas found inside unquoted text, and semicolons over decimal commas', async () => {
    const tabs = await parseCsv('name\tcity, state\nAna\tSalem, OR\nBo\tReno, NV\n');
    expect(tabs.delimiter).toBe('\t');
    expect(tableRow(tabs, 1)).toEqual(['Bo', 'Reno, NV']);
    const semi = await parseCsv('a;b\n1,5;2,5\n3,1;4,2\n');
    expect(semi.delimiter).toBe(';');
    expect(tableRow(semi, 1)).toEqual(['3,1', '4,2']);
    const comma = await parseCsv('name,comment\nA,x;y\nB,z;w\n');
    expect(comma.delimiter).toBe(',');
  });

  it('honours a fixed delimiter', async () => {
    const t = await parseCsv('a|b\n1|2\n', { delimiter: '|' });
    expect(tableRow(t, 0)).toEqual(['1', '2']);
  });
});

describe('parseCsv errors name the file, row and what was expected', () => {
  it('empty file', async () => {
    const e = await csvError(parseFixture('empty.csv'));
    expect(e.message).toBe('empty.csv: is empty: expected a header row and at least one data row');
    expect(e.file).toBe('empty.csv');
    expect(e.name).toBe('CsvError');
    const spaces = await csvError(parseCsv('  \n \n', { fileName: 'blank.csv' }));
    expect(spaces.message).toMatch(/^blank\.csv: is empty/);
  });

  it('header without rows', async () => {
    const e = await csvError(parseFixture('header-only.csv'));
    expect(e.message).toBe('header-only.csv: has a header row but no data rows');
  });

  it('ragged row, and skipping ragged rows with a count', async () => {
    const e = await csvError(parseFixture('ragged.csv'));
    expect(e.message).toBe(
      "ragged.csv, row 4: row 4 has 2 fields, expected 3 (as in row 1); fix the row or pass { onRaggedRow: 'skip' }",
    );
    expect(e.row).toBe(4);
    const t = await parseCsv(fixtureFile('ragged.csv'), { onRaggedRow: 'skip' });
    expect(t.rowCount).toBe(3);
    expect(t.skippedRows).toBe(1);
    expect(t.warnings).toContain('1 ragged rows skipped (expected 3 fields)');
    expect(tableRow(t, 2)).toEqual(['7', '8', 'a']);
  });

  it('an unclosed quote', async () => {
    const e = await csvError(parseCsv('a,b\n1,2\n3,"4\n5,6\n', { fileName: 'q.csv' }));
    expect(e.message).toBe('q.csv, row 3: a quoted field is never closed (a " without its closing ")');
  });

  it('binary data', async () => {
    const bytes = new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0x14, 0x00]);
    const e = await csvError(parseCsv(new File([bytes], 'archive.zip')));
    expect(e.message).toBe(
      'archive.zip: holds a NUL character near byte 4: this is binary data, not CSV text',
    );
  });

  it('text that is not UTF-8, readable with its encoding', async () => {
    const latin1 = new Uint8Array([
      ...Buffer.from('name,city\nA,'),
      0x4d,
      0xfc,
      0x6e,
      0x63,
      0x68,
      0x65,
      0x6e,
      0x0a,
    ]);
    const e = await csvError(parseCsv(new File([latin1], 'latin1.csv')));
    expect(e.message).toMatch(
      /^latin1\.csv: is not valid utf-8 text \(bad byte sequence between bytes 0 and 20\)/,
    );
    const t = await parseCsv(new File([latin1], 'latin1.csv'), { encoding: 'windows-1252' });
    expect(tableRow(t, 0)).toEqual(['A', 'München']);
  });

  it('a file over the size limit', async () => {
    const e = await csvError(parseCsv(new Blob(['a,b\n1,2\n']), { maxBytes: 4, fileName: 'big.csv' }));
    expect(e.message).toBe('big.csv: is 8 bytes, over the limit of 4 bytes (option maxBytes)');
  });
});
