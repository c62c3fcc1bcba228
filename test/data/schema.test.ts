import { describe, expect, it } from 'vitest';
import { CsvError, DataError } from '../../src/data/errors';
import { parseCsv } from '../../src/data/parse';
import { type ColumnSchema, inferSchema, type Schema } from '../../src/data/schema';
import { tableFromRows } from '../../src/data/table';
import { parseDate } from '../../src/data/values';
import { parseFixture, parseSample } from './helpers';

function col(schema: Schema, name: string): ColumnSchema {
  const c = schema.columns.find((x) => x.name === name);
  if (!c) throw new Error(`no column ${name}`);
  return c;
}

function dataError(fn: () => unknown): DataError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DataError);
    return e as DataError;
  }
  throw new Error('expected a DataError');
}

describe('inferSchema column kinds', () => {
  it('semicolon file: identifier, day-first dates, decimal commas, missing tokens', async () => {
    const s = inferSchema(await parseFixture('sensors-semicolon-bom-crlf.csv'), { target: 'Label' });
    expect(col(s, 'Sample ID')).toMatchObject({ kind: 'identifier', role: 'excluded', distinct: 12 });
    expect(col(s, 'Date')).toMatchObject({ kind: 'datetime', dateFormat: 'dmy', role: 'feature' });
    // ? null NaN are missing; 12 cells - 3 missing
    expect(col(s, 'Temperature (°C)')).toMatchObject({
      kind: 'numeric',
      decimalComma: true,
      missing: 3,
      invalid: null,
    });
    expect(col(s, 'Humidity (%)')).toMatchObject({ kind: 'numeric', missing: 3 }); // NA, empty, N/A
    expect(col(s, 'Site')).toMatchObject({ kind: 'categorical', distinct: 4 });
    expect(col(s, 'Label')).toMatchObject({ kind: 'categorical', role: 'target' });
    expect(s.task).toBe('classification');
    expect(s.classNames).toEqual(['faulty', 'ok']);
  });

  it('tab file: integer run as identifier, ISO datetimes, yes/no boolean, missing counts', async () => {
    const s = inferSchema(await parseFixture('orders-tab.tsv'), { target: 'amount (EUR)' });
    expect(col(s, 'order_id').kind).toBe('identifier');
    expect(col(s, 'placed_at')).toMatchObject({ kind: 'datetime', dateFormat: 'ymd' });
    expect(col(s, 'amount (EUR)')).toMatchObject({ kind: 'numeric', missing: 2, role: 'target' });
    expect(col(s, 'category')).toMatchObject({ kind: 'categorical', distinct: 3 });
    expect(col(s, 'gift')).toMatchObject({ kind: 'boolean', booleanTrue: 'yes' });
    expect(col(s, 'note')).toMatchObject({ kind: 'categorical', missing: 10 }); // odd rows but 5 and 15
    expect(s.task).toBe('regression');
    expect(s.classNames).toBeNull();
  });

  it('a numeric column with text in row N: read as missing, with a warning naming the row', async () => {
    const s = inferSchema(await parseFixture('customers-quoted.csv'), { target: 'churned' });
    expect(col(s, 'Monthly spend ($)')).toMatchObject({
      kind: 'numeric',
      invalid: { count: 1, firstRow: 5, example: 'unknown' },
    });
    expect(s.warnings).toContain(
      'column "Monthly spend ($)": 1 text cells in a numeric column read as missing (first: row 5, "unknown")',
    );
    expect(col(s, 'age')).toMatchObject({ kind: 'numeric', missing: 2 });
    expect(col(s, 'country')).toMatchObject({ kind: 'constant', role: 'excluded' });
    expect(col(s, 'customer').kind).toBe('identifier');
    expect(col(s, 'region')).toMatchObject({ kind: 'categorical', missing: 1 });
    expect(col(s, 'churned')).toMatchObject({ kind: 'boolean', role: 'target' });
    expect(s.classNames).toEqual(['no', 'yes']);
  });

  it('few integers are categories, 0/1 is boolean, an all-missing column is empty', () => {
    const rows = Array.from({ length: 30 }, (_, i) => [i % 4, i % 2, i * 1.5, 'NA', i % 3 === 0 ? 'x' : 'y']);
    const s = inferSchema(tableFromRows(['grade', 'flag', 'size', 'blank', 'letter'], rows), {
      target: 'grade',
    });
    expect(col(s, 'grade')).toMatchObject({ kind: 'integer-category', role: 'target' });
    expect(col(s, 'flag')).toMatchObject({ kind: 'boolean', booleanTrue: '1' });
    expect(col(s, 'size').kind).toBe('numeric');
    expect(col(s, 'blank')).toMatchObject({ kind: 'empty', role: 'excluded', missing: 30 });
    expect(s.task).toBe('classification');
    expect(s.classNames).toEqual(['0', '1', '2', '3']);
  });

  it('penguins: NA in numbers and text; cars: free-text names excluded, year dates', async () => {
    const p = inferSchema(await parseSample('penguins.csv'), { target: 'Species' });
    expect(p.columns.map((c) => [c.kind, c.missing])).toEqual([
      ['categorical', 0],
      ['categorical', 0],
      ['numeric', 2],
      ['numeric', 2],
      ['numeric', 2],
      ['numeric', 2],
      ['categorical', 10],
    ]);
    const c = inferSchema(await parseSample('cars.csv'), { target: 'Miles_per_Gallon' });
    expect(col(c, 'Name')).toMatchObject({ kind: 'identifier', role: 'excluded', distinct: 311 });
    expect(col(c, 'Miles_per_Gallon').missing).toBe(8);
    expect(col(c, 'Horsepower').missing).toBe(6);
    expect(col(c, 'Year')).toMatchObject({ kind: 'datetime', dateFormat: 'ymd' });
    expect(c.task).toBe('regression');
  });
});

describe('inferSchema overrides', () => {
  it('kinds, exclusions, task, missing tokens and date order can all be set', async () => {
    const t = await parseFixture('sensors-semicolon-bom-crlf.csv');
    const s = inferSchema(t, {
      target: 'Humidity (%)',
      task: 'classification',
      kinds: { 'Sample ID': 'categorical', Date: 'categorical' },
      exclude: ['Site'],
      missingValues: ['?'],
      dateFormats: {},
    });
    expect(col(s, 'Sample ID')).toMatchObject({ kind: 'categorical', role: 'feature' });
    expect(col(s, 'Sample ID').reason).toMatch(/^set by the caller \(detected: /);
    expect(col(s, 'Site').role).toBe('excluded');
    expect(s.task).toBe('classification');
    expect(s.classNames).toContain('N/A'); // no longer a missing token
    expect(col(s, 'Temperature (°C)').missing).toBe(1); // only the empty-or-? cells
    const mdy = inferSchema(await parseCsv('d,v\n01/02/2020,1\n03/04/2020,2\n05/06/2020,3\n'), {
      dateFormats: { d: 'dmy' },
    });
    expect(col(mdy, 'd').dateFormat).toBe('dmy');
    expect(mdy.warnings).toEqual([]);
    const auto = inferSchema(await parseCsv('d,v\n01/02/2020,1\n03/04/2020,2\n05/06/2020,3\n'));
    expect(col(auto, 'd').dateFormat).toBe('mdy');
    expect(auto.warnings[0]).toMatch(/day and month are both at most 12/);
  });

  it('refuses overrides that cannot hold', () => {
    const t = tableFromRows(
      ['a', 'b'],
      [
        ['x', 1],
        ['y', 2],
        ['z', 3],
      ],
      'small.csv',
    );
    expect(dataError(() => inferSchema(t, { kinds: { a: 'boolean' } })).message).toBe(
      'small.csv, column "a": cannot be read as boolean: it has 3 distinct values, a boolean has 2',
    );
    expect(dataError(() => inferSchema(t, { kinds: { a: 'datetime' } })).message).toMatch(
      /^small\.csv, column "a": cannot be read as datetime: /,
    );
    expect(dataError(() => inferSchema(t, { kinds: { c: 'numeric' } })).message).toBe(
      'small.csv, column "c": no such column; columns are: a, b',
    );
  });
});

describe('target errors', () => {
  const t = tableFromRows(
    ['id', 'x', 'label', 'gone', 'one'],
    Array.from({ length: 12 }, (_, i) => [`r${i}`, i * 0.5, i % 2 ? 'cat' : 'dog', null, 'same']),
    'pets.csv',
  );

  it('a target column that does not exist', () => {
    const e = dataError(() => inferSchema(t, { target: 'Label' }));
    expect(e.message).toBe(
      'pets.csv, column "Label": target column does not exist; columns are: id, x, label, gone, one',
    );
    expect(e.column).toBe('Label');
    expect([e.name, e.file, e.row, e instanceof CsvError]).toEqual([
      'DataError',
      'pets.csv',
      undefined,
      false,
    ]);
  });

  it('a target with one class', () => {
    expect(dataError(() => inferSchema(t, { target: 'one' })).message).toBe(
      'pets.csv, column "one": the target has one class in every row: classification needs at least 2',
    );
    const oneLeft = tableFromRows(
      ['x', 'y'],
      [
        [1, 'a'],
        [2, 'NA'],
        [3, 'a'],
      ],
      'o.csv',
    );
    expect(dataError(() => inferSchema(oneLeft, { target: 'y', kinds: { y: 'categorical' } })).message).toBe(
      'o.csv, column "y": the target has one class ("a"): classification needs at least 2',
    );
  });

  it('a target missing in every row', () => {
    expect(dataError(() => inferSchema(t, { target: 'gone' })).message).toBe(
      'pets.csv, column "gone": the target is missing in every row',
    );
  });

  it('an identifier-like text target, usable when the task is given', () => {
    expect(dataError(() => inferSchema(t, { target: 'id' })).message).toMatch(
      /^pets\.csv, column "id": the target looks like an identifier .*pass task: 'classification'/,
    );
    expect(inferSchema(t, { target: 'id', task: 'classification' }).classNames).toHaveLength(12);
  });

  it('unique integers as the target are a regression', () => {
    const runs = tableFromRows(
      ['x', 'order_id'],
      Array.from({ length: 15 }, (_, i) => [i * 0.3, 100 + i]),
    );
    const s = inferSchema(runs, { target: 'order_id' });
    expect(col(s, 'order_id').kind).toBe('identifier');
    expect(s.task).toBe('regression');
  });

  it('regression on a text column', () => {
    expect(dataError(() => inferSchema(t, { target: 'label', task: 'regression' })).message).toMatch(
      /^pets\.csv, column "label": regression needs a numeric target, this column is categorical/,
    );
  });
});

describe('date reading', () => {
  it('rejects impossible dates and applies offsets', () => {
    expect(parseDate('2023-02-29', 'ymd')).toBeNull();
    expect(parseDate('2024-02-29', 'ymd')).toBe(Date.UTC(2024, 1, 29));
    expect(parseDate('31/04/2023', 'dmy')).toBeNull();
    expect(parseDate('2024-05-01T10:00:00+02:00', 'ymd')).toBe(Date.UTC(2024, 4, 1, 8));
    expect(parseDate('2024-05-01 10:30', 'ymd')).toBe(Date.UTC(2024, 4, 1, 10, 30));
    expect(parseDate('1', 'ymd')).toBeNull();
  });
});
