import { describe, expect, it } from 'vitest';
import { CsvError, DataError } from '../../src/data/errors';
import { parseCsv } from '../../src/data/parse';
import { prepareDataset } from '../../src/data/prepare';
import { tableFromRows } from '../../src/data/table';

async function caught(p: Promise<unknown> | (() => unknown)): Promise<unknown> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

describe('errors say what to do as data, and in plain words without option names', () => {
  it('not UTF-8: a choice of encodings, one of which reads the file', async () => {
    const bytes = Buffer.from('city,t\nZürich,1\nMálaga,2\n', 'latin1');
    const e = (await caught(parseCsv(new File([bytes], 'cities.csv')))) as CsvError;
    expect(e).toBeInstanceOf(CsvError);
    expect(e.message).toMatch(
      /; save it as UTF-8 or pass the file's encoding, e\.g\. \{ encoding: 'windows-1252' \}$/,
    );
    // Located by row and byte (the parser's own message), with the advice left to `message`.
    expect(e.plain).toBe(
      'cities.csv, row 2: is not valid UTF-8 text: byte 8 (0xfc 0x72 0x69 0x63) on line 2',
    );
    expect(e.remedy?.action).toBe('choose-encoding');
    const encodings = e.remedy?.action === 'choose-encoding' ? e.remedy.encodings : [];
    expect(encodings[0]).toBe('windows-1252');
    expect(encodings).not.toContain('utf-8');
    const t = await parseCsv(new File([bytes], 'cities.csv'), { encoding: encodings[0] });
    expect(t.columns[0].dict).toEqual(['Zürich', 'Málaga']);
  });

  it('UTF-16 without a byte-order mark: its encoding offered first, and it reads the file', async () => {
    const bytes = Buffer.from('city,t\nZürich,1\nMálaga,2\n', 'utf16le');
    const e = (await caught(parseCsv(new File([bytes], 'u16.csv')))) as CsvError;
    expect(e.message).toMatch(/; pass \{ encoding: 'utf-16le' \}, or save it as UTF-8$/);
    expect(e.plain).toBe(
      'u16.csv: looks like UTF-16LE text without a byte-order mark (every other byte is zero)',
    );
    const encodings = e.remedy?.action === 'choose-encoding' ? e.remedy.encodings : [];
    expect(encodings[0]).toBe('utf-16le');
    const t = await parseCsv(new File([bytes], 'u16.csv'), { encoding: encodings[0] });
    expect(t.columns[0].dict).toEqual(['Zürich', 'Málaga']);
  });

  it('a missing column at prediction time: impute, naming the columns', async () => {
    const train = tableFromRows(
      ['a', 'b', 'y'],
      Array.from({ length: 20 }, (_, i) => [i, i * 2.5, i % 2 ? 'p' : 'q']),
    );
    const { preprocessor } = prepareDataset(train, { target: 'y' });
    const later = tableFromRows(['a'], [[1], [2]], 'new.csv');
    const e = (await caught(() => preprocessor.encode(later))) as DataError;
    expect(e).toBeInstanceOf(DataError);
    expect(e.plain).toBe('new.csv, column "b": the model needs column "b", absent from this table');
    expect(e.remedy).toEqual({ action: 'impute-missing-columns', columns: ['b'] });
    expect(preprocessor.encode(later, { onMissingColumn: 'impute' }).report.missingColumns).toEqual(['b']);
  });
});
