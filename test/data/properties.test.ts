/**
 * Properties over random tables written as CSV text and read back: class labels survive
 * encode -> decode, standardised training columns have mean 0 and std 1, every row lands in one
 * split. Tables are drawn from a seeded generator, so a failure names its seed.
 */
import { describe, expect, it } from 'vitest';
import { decodeLabels } from '../../src/data/labels';
import { parseCsv } from '../../src/data/parse';
import { prepareDataset } from '../../src/data/prepare';
import { Random } from '../../src/graph/random';
import { columnOf, meanStd } from './helpers';

const LABEL_POOL = ['setosa', 'a, b', 'say "hi"', 'München', 'x', 'long label with spaces', '÷ sign', 'Ω'];

function quote(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

function randomCsv(seed: number): { text: string; labels: string[]; numericColumns: number } {
  const rng = new Random(seed);
  const n = 30 + rng.int(170);
  const numericColumns = 1 + rng.int(4);
  const classes = Array.from(rng.permutation(LABEL_POOL.length))
    .slice(0, 2 + rng.int(4))
    .map((i) => LABEL_POOL[i]);
  const header = [...Array.from({ length: numericColumns }, (_, j) => `m${j} (unit)`), 'colour', 'label'];
  const lines = [header.map(quote).join(',')];
  const labels: string[] = [];
  for (let i = 0; i < n; i++) {
    // The first rows carry every class, so none is left with a single row by chance.
    const label = classes[i < classes.length ? i : rng.int(classes.length)];
    labels.push(label);
    const scale = 10 ** (rng.int(5) - 2);
    const nums = Array.from({ length: numericColumns }, () =>
      rng.uniform() < 0.05 ? 'NA' : (rng.normal() * scale + 3 * scale).toFixed(4),
    );
    lines.push([...nums, ['red', 'green', 'blue'][rng.int(3)], quote(label)].join(','));
  }
  const eol = rng.uniform() < 0.5 ? '\n' : '\r\n';
  return { text: lines.join(eol) + eol, labels, numericColumns };
}

describe('properties over random CSV tables', () => {
  for (let seed = 1; seed <= 12; seed++) {
    it(`seed ${seed}`, async () => {
      const { text, labels, numericColumns } = randomCsv(seed);
      const table = await parseCsv(text);
      expect(table.rowCount).toBe(labels.length);
      const d = prepareDataset(table, { target: 'label', seed });
      const splits = [d.train, d.validation, d.test];
      expect(splits.reduce((a, s) => a + s.rows, 0)).toBe(labels.length);
      for (const s of splits) {
        const decoded = decodeLabels(s.yData, d.classNames!);
        expect(decoded).toEqual(Array.from(s.rowIndices, (r) => labels[r]));
      }
      for (let j = 0; j < numericColumns; j++) {
        expect(d.featureNames[j]).toBe(`m${j} (unit)`);
        const { mean, std } = meanStd(columnOf(d.train.xData, d.inputSize, j));
        expect(Math.abs(mean)).toBeLessThan(1e-5);
        expect(Math.abs(std - 1)).toBeLessThan(1e-4);
      }
    });
  }
});
