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

  it('gives the same table for a string, a Blob and small chunks cutting multi-byte characters', async () => {
    // The fixture's rows, with a multi-byte site name, repeated past a few 1 KiB chunks.
    const fixture = readFileSync(`${FIXTURES}sensors-semicolon-bom-crlf.csv`, 'utf8');
    const [header, ...rows] = fixture.split('\r\n');
    const body = rows.filter((r) => r !== '').map((r) => r.replace('field', 'Feld über Mühle €'));
    const text = [header, ...Array.from({ length: 8 }, () => body).flat(), ''].join('\r\n');
    const bytes = new TextEncoder().encode(text);
    const fromString = await parseCsv(text);
    expect(fromString.source).toBe('<string>');
    let cuts = 0;
    for (let size = 1024; size < 1040; size++) {
      for (let at = size; at < bytes.length; at += size) if ((bytes[at] & 0xc0) === 0x80) cuts++;
      const fromBlob = await parseCsv(new Blob([bytes]), { chunkBytes: size });
      expect(fromBlob.source).toBe('<blob>');
      expect(columnNames(fromBlob)).toEqual(columnNames(fromString));
      for (let r = 0; r < fromString.rowCount; r++)
        expect(tableRow(fromBlob, r)).toEqual(tableRow(fromString, r));
    }
    expect(cuts).toBeGreaterThan(3); // the sizes above do cut characters
    const fromSmallStrings = await parseCsv(text, { chunkBytes: 1024 });
    expect(tableRow(fromSmallStrings, 90)).toEqual(tableRow(fromString, 90));
  });

  it('reports progress up to the total size', async () => {
    const seen: CsvProgress[] = [];
    const fixture = readFileSync(`${FIXTURES}orders-tab.tsv`, 'utf8');
    const [header, ...rows] = fixture.split('\n').filter((l) => l !== '');
    const text = `${[header, ...rows, ...rows, ...rows, ...rows, ...rows, ...rows].join('\n')}\n`;
    const file = new File([text], 'orders-tab.tsv');
    await parseCsv(file, { chunkBytes: 1024, onProgress: (p) => seen.push(p) });
    // Chunks are held back until 20 line breaks are in (delimiter detection), then one report each.
    let end = -1;
    for (let k = 0; k < 20; k++) end = text.indexOf('\n', end + 1);
    const firstChunk = Math.ceil((end + 1) / 1024);
    expect(seen.length).toBe(Math.ceil(file.size / 1024) - firstChunk + 1);
    expect(seen.length).toBeGreaterThan(3);
    for (let i = 1; i < seen.length; i++) expect(seen[i].bytesRead).toBeGreaterThan(seen[i - 1].bytesRead);
    expect(seen.at(-1)).toMatchObject({ bytesRead: file.size, totalBytes: file.size });
    expect(seen.at(-1)!.rows).toBe(rows.length * 6);
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
      'archive.zip: is a binary file (a ZIP archive (an .xlsx workbook is one)), not CSV text; export the data as CSV',
    );
    // A NUL after the first bytes the sniffer looks at is still caught once decoded.
    const late = await csvError(parseCsv(new File([`a,b\n${'1,2\n'.repeat(2000)}3,\u0000\n`], 'late.csv')));
    expect(late.message).toBe(
      'late.csv: holds a NUL character near byte 8006: this is binary data, not CSV text',
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
    expect(e.message).toBe(
      "latin1.csv, row 2: is not valid UTF-8 text: byte 13 (0xfc 0x6e 0x63 0x68) on line 2; save it as UTF-8 or pass the file's encoding, e.g. { encoding: 'windows-1252' }",
    );
    const t = await parseCsv(new File([latin1], 'latin1.csv'), { encoding: 'windows-1252' });
    expect(tableRow(t, 0)).toEqual(['A', 'München']);
  });

  it('a file over the size limit', async () => {
    const e = await csvError(parseCsv(new Blob(['a,b\n1,2\n']), { maxBytes: 4, fileName: 'big.csv' }));
    expect(e.message).toBe('big.csv: is 8 bytes, over the limit of 4 bytes (option maxBytes)');
  });
});
