import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/data/errors';
import { prepareDataset } from '../../src/data/prepare';
import { inferSchema, rareClasses } from '../../src/data/schema';
import { tableFromRows } from '../../src/data/table';
import { suggestTarget } from '../../src/data/target';
import { parseFixture, parseSample } from './helpers';

const suggest = (names: string[], rows: (string | number | null)[][]) =>
  suggestTarget(inferSchema(tableFromRows(names, rows)));

describe('the default target, by evidence', () => {
  it('a usual target name wins wherever it stands', async () => {
    expect(suggestTarget(inferSchema(await parseSample('penguins.csv')))).toEqual({
      column: 'Species',
      reason: 'its name, "Species", is a usual name for what to predict',
    });
    expect(suggestTarget(inferSchema(await parseFixture('digits-8x8.csv')))?.column).toBe('digit');
    const rows = Array.from({ length: 20 }, (_, i) => [i % 2, i * 1.5, i % 3 ? 'a' : 'b']);
    expect(suggest(['Outcome', 'dose', 'site'], rows)?.column).toBe('Outcome');
  });

  it('else a text column with few values, preferring the last, then the first column', async () => {
    const seeds = await parseFixture('seeds-label-first.csv');
    expect(suggestTarget(inferSchema(seeds))).toEqual({
      column: 'variety',
      reason: 'a text column with few values (4), as labels are, and the first column (the only one)',
    });
    const rows = Array.from({ length: 20 }, (_, i) => [i % 3 ? 'x' : 'y', i * 0.1, i % 4 ? 'p' : 'q']);
    expect(suggest(['a', 'b', 'c'], rows)?.column).toBe('c');
  });

  it('else the last column; never an identifier, a date, a constant or a block member', () => {
    const rows = Array.from({ length: 20 }, (_, i) => [`id${i}`, i * 0.5, i * 2.5, '2024-01-01']);
    expect(suggest(['key', 'x', 'amount', 'when'], rows)).toEqual({
      column: 'amount',
      reason: 'the last column that can be predicted',
    });
    const plain = Array.from({ length: 20 }, (_, i) => [i * 0.5, i * 2.5]);
    expect(suggest(['x', 'z'], plain)?.reason).toBe(
      'the last column: no column is named like a target or holds text labels',
    );
    const pixels = Array.from({ length: 20 }, (_, i) => Array.from({ length: 16 }, (_, j) => (i * j) % 9));
    expect(
      suggest(
        Array.from({ length: 16 }, (_, j) => `p${j}`),
        pixels,
      ),
    ).toBeNull();
  });
});

describe('classes with very few rows', () => {
  it('are flagged, and can be dropped with their rows', async () => {
    const seeds = await parseFixture('seeds-label-first.csv');
    const s = inferSchema(seeds, { target: 'variety' });
    expect(s.classNames).toEqual(['.', 'Kama', 'Rosa', 'Canadian'].sort());
    expect(rareClasses(s)).toEqual([{ name: '.', rows: 1 }]);
    const d = prepareDataset(seeds, { target: 'variety', dropClasses: ['.'] });
    expect(d.classNames).toEqual(['Canadian', 'Kama', 'Rosa']);
    expect(d.dropped).toEqual({ missingTarget: 0, missingValues: 0, droppedClasses: 1 });
    expect(d.train.rows + d.validation.rows + d.test.rows).toBe(seeds.rowCount - 1);
    expect(d.warnings).toContain('1 rows dropped: their class (".") was left out');
    expect(() => inferSchema(seeds, { target: 'variety', dropClasses: ['Nope'] })).toThrow(DataError);
  });
});
