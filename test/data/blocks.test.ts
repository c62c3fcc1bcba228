import { describe, expect, it } from 'vitest';
import { findBlocks, imageShape } from '../../src/data/blocks';
import { columnStats } from '../../src/data/column-stats';
import { prepareDataset } from '../../src/data/prepare';
import { inferSchema } from '../../src/data/schema';
import { tableFromRows } from '../../src/data/table';
import { missingSet } from '../../src/data/values';
import { columnOf, parseFixture } from './helpers';

describe('blocks of like columns', () => {
  it('digits: 64 integer pixel columns are one numeric 8x8 block, constant borders kept', async () => {
    const t = await parseFixture('digits-8x8.csv');
    const s = inferSchema(t, { target: 'digit' });
    expect(s.blocks).toHaveLength(1);
    const b = s.blocks[0];
    expect(b).toMatchObject({
      pattern: 'pixel_#',
      first: 'pixel_0',
      last: 'pixel_63',
      min: 0,
      max: 16,
      integers: true,
      constant: 16,
      image: { height: 8, width: 8, channels: 1 },
    });
    expect(b.reason).toBe(
      '64 neighbouring columns named alike (pixel_N), holding integers 0..16: read together as one numeric block; an 8×8 image',
    );
    const pixels = s.columns.filter((c) => c.name.startsWith('pixel_'));
    expect(pixels.every((c) => c.kind === 'numeric' && c.role === 'feature' && c.block === 0)).toBe(true);
    expect(pixels[0].reason).toMatch(/same value in every row, kept \(it encodes as 0\)/);
    expect(s.columns.at(-1)).toMatchObject({
      name: 'digit',
      kind: 'integer-category',
      role: 'target',
      block: null,
    });
    expect(s.classNames).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);

    const d = prepareDataset(t, { target: 'digit', schema: s });
    expect(d.inputSize).toBe(64);
    // The blank border encodes as zeros; inked pixels are standardised.
    expect(columnOf(d.train.xData, 64, 0).every((v) => v === 0)).toBe(true);
    expect(columnOf(d.train.xData, 64, 7).every((v) => v === 0)).toBe(true);
  });

  it('judged one by one (blocks: false), the border is dropped and the image shape lost', async () => {
    const t = await parseFixture('digits-8x8.csv');
    const s = inferSchema(t, { target: 'digit', blocks: false });
    expect(s.blocks).toEqual([]);
    expect(s.columns.filter((c) => c.kind === 'constant' && c.role === 'excluded')).toHaveLength(16);
    expect(prepareDataset(t, { target: 'digit', schema: s }).inputSize).toBe(48);
  });

  it('a run needs names alike, numbers only and one range; the target breaks a run', () => {
    const stats = (values: number[][]) =>
      values.map((v) => {
        const t = tableFromRows(
          ['v'],
          v.map((x) => [x]),
        );
        return columnStats(t.columns[0], t.rowCount, missingSet([]));
      });
    const ramp = (k: number) => Array.from({ length: 20 }, (_, i) => (i * k) % 256);
    const names = Array.from({ length: 16 }, (_, i) => `px${i}`);
    const same = stats(names.map((_, i) => ramp(i + 3)));
    expect(findBlocks(names, same)).toHaveLength(1);
    // A column 1000 times wider is not the same measurement: most columns no longer span the range.
    const wide = stats(names.map((_, i) => (i < 10 ? ramp(i + 3).map((v) => v * 1000) : ramp(i + 3))));
    expect(findBlocks(names, wide)).toHaveLength(0);
    // Seven like columns are too few; the target in the middle leaves two runs of 8.
    expect(findBlocks(names.slice(0, 7), same.slice(0, 7))).toHaveLength(0);
    const split = findBlocks([...names, 'px99'], [...same, same[0]], new Set([8]));
    expect(split.map((b) => b.columns.length)).toEqual([8, 8]);
    expect(findBlocks(['a', 'b', ...names.slice(2)], same)).toHaveLength(1);
  });

  it('image shapes: squares, h x w from two digit groups, RGB as 3 x a square', () => {
    expect(imageShape(Array.from({ length: 784 }, (_, i) => `pixel${i}`))).toEqual({
      height: 28,
      width: 28,
      channels: 1,
    });
    const rect: string[] = [];
    for (let r = 1; r <= 4; r++) for (let c = 1; c <= 6; c++) rect.push(`${r}x${c}`);
    expect(imageShape(rect)).toEqual({ height: 4, width: 6, channels: 1 });
    expect(imageShape(Array.from({ length: 48 }, (_, i) => `c${i}`))).toEqual({
      height: 4,
      width: 4,
      channels: 3,
    });
    expect(imageShape(Array.from({ length: 10 }, (_, i) => `t${i}`))).toBeNull();
  });
});

describe('integers are a category only with evidence', () => {
  const rows = Array.from({ length: 60 }, (_, i) => [i % 4, (i * 7) % 5, i % 3, i % 2, i * 0.5, i % 6]);
  const t = tableFromRows(['children', 'pclass', 'blood_type', 'smoker', 'size', 'grade'], rows);

  it('few integers: a count stays numeric, a name says category, the target is classes', () => {
    const s = inferSchema(t, { target: 'grade' });
    const kind = (n: string) => s.columns.find((c) => c.name === n)!;
    expect(kind('children')).toMatchObject({ kind: 'numeric' });
    expect(kind('children').reason).toBe(
      '4 distinct integers (0..3) in 60 rows; read as numbers, since no name says they are codes (set integer-category to one-hot them)',
    );
    expect(kind('pclass').kind).toBe('integer-category');
    expect(kind('blood_type').kind).toBe('integer-category');
    expect(kind('smoker').kind).toBe('boolean');
    expect(kind('grade')).toMatchObject({ kind: 'integer-category', role: 'target' });
    expect(s.task).toBe('classification');
  });

  it('many distinct integers are numeric', () => {
    const many = tableFromRows(
      ['code'],
      Array.from({ length: 60 }, (_, i) => [i % 30]),
    );
    expect(inferSchema(many).columns[0]).toMatchObject({
      kind: 'numeric',
      reason: 'integers, 30 distinct values',
    });
  });
});
