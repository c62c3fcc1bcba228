/**
 * Files and options a hostile (or unlucky) user hands the CSV reader: other encodings, binary
 * files renamed .csv, bad bytes deep in a file, thousands separators, numbers beyond float64 and
 * options that would never finish. Each gets the table it means or an error that says what is wrong.
 */
import { describe, expect, it } from 'vitest';
import { CsvError } from '../../src/data/errors';
import { parseCsv } from '../../src/data/parse';
import { prepareDataset } from '../../src/data/prepare';
import { inferSchema } from '../../src/data/schema';
import { columnNames, tableRow } from '../../src/data/table';
import { InvalidArgumentError } from '../../src/errors';

async function rejection(p: Promise<unknown>): Promise<Error> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err, 'expected a rejection').toBeInstanceOf(Error);
  return err as Error;
}

const TEXT = 'name,city,temp\nAnna,München,21.5\nZoë,Łódź,-3\n李,北京,30\n';

function utf16(text: string, order: 'le' | 'be', bom: boolean): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array((text.length + (bom ? 1 : 0)) * 2);
  const units = bom ? `\ufeff${text}` : text;
  for (let i = 0; i < units.length; i++) {
    const u = units.charCodeAt(i);
    out[2 * i + (order === 'le' ? 0 : 1)] = u & 0xff;
    out[2 * i + (order === 'le' ? 1 : 0)] = u >> 8;
  }
  return out;
}

describe('encodings named by the file itself', () => {
  it.each(['le', 'be'] as const)(
    'UTF-16%s with a byte-order mark is decoded, with no error or warning',
    async (order) => {
      const expected = await parseCsv(TEXT);
      const t = await parseCsv(new File([utf16(TEXT, order, true)], 'export.csv'), { chunkBytes: 1024 });
      expect(columnNames(t)).toEqual(['name', 'city', 'temp']);
      for (let r = 0; r < expected.rowCount; r++) expect(tableRow(t, r)).toEqual(tableRow(expected, r));
      expect(t.warnings).toEqual([]);
    },
  );

  it('UTF-16 across many chunks, a character cut by every chunk boundary', async () => {
    const rows = Array.from({ length: 400 }, (_, i) => `Zoë ${i},Łódź,${i}`).join('\n');
    const text = `name,city,n\n${rows}\n`;
    const t = await parseCsv(new Blob([utf16(text, 'le', true)]), { chunkBytes: 1025 });
    expect(t.rowCount).toBe(400);
    expect(tableRow(t, 399)).toEqual(['Zoë 399', 'Łódź', '399']);
  });

  it('UTF-16 without a mark is named as such, with the option that reads it', async () => {
    const e = await rejection(parseCsv(new File([utf16(TEXT, 'le', false)], 'nobom.csv')));
    expect(e).toBeInstanceOf(CsvError);
    expect(e.message).toBe(
      "nobom.csv: looks like UTF-16LE text without a byte-order mark (every other byte is zero); pass { encoding: 'utf-16le' }, or save it as UTF-8",
    );
    const t = await parseCsv(new File([utf16(TEXT, 'le', false)], 'nobom.csv'), { encoding: 'utf-16le' });
    expect(tableRow(t, 1)).toEqual(['Zoë', 'Łódź', '-3']);
  });
});

describe('binary files', () => {
  it('a PNG renamed .csv is called a PNG image', async () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48]);
    const e = await rejection(parseCsv(new File([png], 'data.csv')));
    expect(e).toBeInstanceOf(CsvError);
    expect(e.message).toBe('data.csv: is a binary file (a PNG image), not CSV text; export the data as CSV');
  });

  it('an .xlsx workbook and unknown binary data are refused as binary', async () => {
    const zip = new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00]);
    expect((await rejection(parseCsv(new File([zip], 'book.csv')))).message).toContain(
      'is a binary file (a ZIP archive (an .xlsx workbook is one))',
    );
    const noise = Uint8Array.from({ length: 600 }, (_, i) => (i * 7919) % 256);
    expect((await rejection(parseCsv(new File([noise], 'noise.csv')))).message).toMatch(
      /^noise\.csv: is a binary file \(binary data \(a NUL byte at byte \d+\)\)/,
    );
  });
});

describe('bad UTF-8 deep in a file is located by line', () => {
  it('names the line and byte, not a chunk-wide byte range', async () => {
    const lines = ['id,city'];
    for (let i = 1; i < 3000; i++) lines.push(`${i},Z${'ü'.repeat(i % 3)}rich`);
    const good = new TextEncoder().encode(`${lines.join('\n')}\n`);
    // Line 2345 (data row 2344) gets a Latin-1 ü: 0xfc followed by "rich".
    const start = good.indexOf(0x0a, 0) + 1;
    let at = start;
    for (let line = 2; line < 2345; line++) at = good.indexOf(0x0a, at) + 1;
    const comma = good.indexOf(0x2c, at);
    const bytes = new Uint8Array([...good.subarray(0, comma + 2), 0xfc, ...good.subarray(comma + 2)]);
    const e = (await rejection(parseCsv(new File([bytes], 'cities.csv'), { chunkBytes: 1024 }))) as CsvError;
    expect(e).toBeInstanceOf(CsvError);
    expect(e.row).toBe(2345);
    expect(e.message).toBe(
      `cities.csv, row 2345: is not valid UTF-8 text: byte ${comma + 2} (0xfc ${[...bytes.subarray(comma + 3, comma + 6)].map((b) => `0x${b.toString(16)}`).join(' ')}) on line 2345; save it as UTF-8 or pass the file's encoding, e.g. { encoding: 'windows-1252' }`,
    );
  });

  it('a character cut between two chunks is still located', async () => {
    // "é" is 0xc3 0xa9; the bad file has 0xc3 then a line feed, at a chunk boundary.
    const head = `a,b\n${'x,y\n'.repeat(254)}xx,`; // 1023 bytes, the last line is line 256
    const bytes = new Uint8Array([...new TextEncoder().encode(head), 0xc3, 0x0a, 0x31, 0x2c, 0x32, 0x0a]);
    expect(head.length).toBe(1023);
    const e = (await rejection(parseCsv(new Blob([bytes]), { chunkBytes: 1024 }))) as CsvError;
    expect(e.row).toBe(256);
    expect(e.message).toContain('byte 1023 (0xc3 0x0a 0x31 0x2c) on line 256');
  });
});

describe('numbers as people write them', () => {
  const prices = ['"1,100"', '"9,139"', '"4,020"', '"12,500.50"', '"7,777"', '999'];

  it('thousands separators in a comma-separated file are read as such, with a warning', async () => {
    const text = `item,price\n${prices.map((p, i) => `i${i},${p}`).join('\n')}\n`;
    const t = await parseCsv(text, { fileName: 'prices.csv' });
    expect(t.warnings).toEqual([
      'column "price": 5 numbers written with thousands separators, read as such ("1,100" as 1100)',
    ]);
    expect(Array.from(t.columns[1].values)).toEqual([1100, 9139, 4020, 12500.5, 7777, 999]);
    expect(inferSchema(t, { target: 'price' }).columns[1].kind).toBe('numeric');
  });

  it('the fitted mean of such a column is about 5,000, not 4.83', async () => {
    const rows = Array.from(
      { length: 40 },
      (_, i) => `${i % 2 ? 'a' : 'b'},"${1 + (i % 9)},${String(100 + i).padStart(3, '0')}"`,
    );
    const t = await parseCsv(`label,amount\n${rows.join('\n')}\n`);
    const ds = prepareDataset(t, { target: 'label', split: { train: 1, validation: 0, test: 0 } });
    const p = ds.preprocessor.toJSON().features[0].params as { mean: number };
    expect(p.mean).toBeGreaterThan(4000);
    expect(p.mean).toBeLessThan(6000);
  });

  it('a column that is not consistently grouped keeps its other reading', async () => {
    // 1500 written without a separator: the commas are not thousands separators here.
    const mixed = await parseCsv('a,b\nx,"1,100"\ny,1500\n');
    expect(mixed.warnings).toEqual([]);
    expect(mixed.columns[1].dict).toContain('1,100');
    // In a semicolon file "1,100" is as likely 1.1 (a decimal comma): left to the schema.
    const semicolon = await parseCsv('a;b\nx;1,100\ny;2,5\nz;3,25\n');
    expect(semicolon.warnings).toEqual([]);
    expect(inferSchema(semicolon).columns[1].decimalComma).toBe(true);
    // ...unless a value cannot be a decimal comma.
    const grouped = await parseCsv('a;b\nx;1,100\ny;2,500,000\n');
    expect(Array.from(grouped.columns[1].values)).toEqual([1100, 2500000]);
  });

  it('numbers beyond float64 are missing, with a warning naming the column, the count and the first row', async () => {
    const t = await parseCsv('x,y,label\n1,2,a\n1e309,3,b\n2,-1e309,a\n3,4,b\n-1e400,5,a\n', {
      fileName: 'big.csv',
    });
    expect(t.warnings).toEqual([
      'column "x": 2 numbers too large for a float64 or infinite, read as missing (first: row 3, "1e309")',
      'column "y": 1 number too large for a float64 or infinite, read as missing (first: row 4, "-1e309")',
    ]);
    const ds = prepareDataset(t, { target: 'label', split: { train: 1, validation: 0, test: 0 } });
    expect(ds.train.xData.every(Number.isFinite)).toBe(true);
  });
});

describe('options are checked before anything is read', () => {
  it.each([0, -1, 1023, 1.5, Number.NaN, '4096'])('chunkBytes %s is refused', async (chunkBytes) => {
    const e = await rejection(parseCsv(new Blob(['a,b\n1,2\n']), { chunkBytes: chunkBytes as number }));
    expect(e).toBeInstanceOf(InvalidArgumentError);
    expect(e.message).toMatch(/^parseCsv\(chunkBytes\) must be an integer >= 1024 and <= 268435456, /);
  });

  it('says a number was expected when given one as text, and names other bad options', async () => {
    const e = await rejection(parseCsv('a\n1\n', { maxBytes: '10' as unknown as number }));
    expect(e.message).toBe(
      'parseCsv(maxBytes) must be a non-negative integer, a number was expected, received the string "10"',
    );
    expect((await rejection(parseCsv('a\n1\n', { delimiter: '"' }))).message).toContain(
      'parseCsv(delimiter)',
    );
    expect((await rejection(parseCsv('a\n1\n', { header: 'yes' as never }))).message).toContain(
      'parseCsv(header) must be one of true, false, \'auto\', received the string "yes"',
    );
    expect((await rejection(parseCsv(null as never))).message).toBe(
      'parseCsv(input): expected CSV text (a string), a Blob or a File, received null',
    );
  });

  it('prepareDataset checks its numeric options', async () => {
    const t = await parseCsv('x,label\n1,a\n2,b\n3,a\n4,b\n');
    expect(() => prepareDataset(t, { target: 'label', seed: '3' as never })).toThrow(
      'prepareDataset(seed) must be an integer, a number was expected, received the string "3"',
    );
    expect(() => prepareDataset(t, { target: 'label', maxCategories: 0 })).toThrow(
      'prepareDataset(maxCategories) must be a positive integer, received 0',
    );
    expect(() =>
      prepareDataset(t, { target: 'label', split: { train: 0.5, validation: '0.5', test: 0 } as never }),
    ).toThrow('prepareDataset(split.validation) must be a finite number >= 0 and <= 1');
  });
});

describe('splits', () => {
  it('an empty validation or test split is warned about, naming the classes too small to share', async () => {
    const rows = Array.from({ length: 600 }, (_, i) => `${(i % 13) + 0.5},c${Math.floor(i / 2)}`);
    const t = await parseCsv(`x,label\n${rows.join('\n')}\n`);
    const ds = prepareDataset(t, { target: 'label', task: 'classification' });
    expect(ds.validation.rows).toBe(0);
    expect(ds.warnings).toContain(
      'the validation split is empty: each class is split on its own (stratify) and 300 of 300 classes are too small to give it a row ("c0", "c1", "c2", "c3", "c4" and 295 more); pass stratify: false, merge rare classes, or use fewer classes',
    );
    expect(ds.warnings.some((w) => w.startsWith('the test split is empty'))).toBe(true);
    const unstratified = prepareDataset(t, { target: 'label', task: 'classification', stratify: false });
    expect(unstratified.validation.rows).toBe(90);
    expect(unstratified.warnings.filter((w) => w.includes('split is empty'))).toEqual([]);
  });
});
