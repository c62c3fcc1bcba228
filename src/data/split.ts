/**
 * Seeded train/validation/test splits. Stratified splits cut each class separately (rounding each
 * class's share), so every split keeps the class proportions to within one row per class.
 */
import { InvalidArgumentError } from '../errors';
import { Random } from '../graph/random';

export interface SplitFractions {
  train: number;
  validation: number;
  test: number;
}

export interface RowSplit {
  train: Int32Array;
  validation: Int32Array;
  test: Int32Array;
}

export function checkFractions(f: SplitFractions): void {
  for (const [name, v] of Object.entries(f)) {
    if (!Number.isFinite(v) || v < 0 || v > 1) {
      throw new InvalidArgumentError(`split.${name}: expected a fraction in [0, 1], received ${v}`);
    }
  }
  const sum = f.train + f.validation + f.test;
  if (Math.abs(sum - 1) > 1e-6) {
    throw new InvalidArgumentError(
      `split: train + validation + test must be 1, received ${f.train} + ${f.validation} + ${f.test} = ${Number(sum.toFixed(6))}`,
    );
  }
  if (f.train <= 0)
    throw new InvalidArgumentError('split.train: must be above 0, the model needs training rows');
}

/**
 * Splits `rows` (indices into the table). `strata[i]`, when given, is the class of rows[i];
 * classes are cut one by one. The same seed gives the same split.
 */
export function splitRows(
  rows: Int32Array,
  fractions: SplitFractions,
  seed: number,
  strata?: ArrayLike<number>,
): RowSplit {
  checkFractions(fractions);
  const random = new Random(seed);
  const groups: number[][] = [];
  if (strata) {
    const byClass = new Map<number, number[]>();
    rows.forEach((r, i) => {
      const k = strata[i];
      if (!byClass.has(k)) byClass.set(k, []);
      byClass.get(k)!.push(r);
    });
    for (const k of [...byClass.keys()].sort((a, b) => a - b)) groups.push(byClass.get(k)!);
  } else {
    groups.push(Array.from(rows));
  }
  const train: number[] = [];
  const validation: number[] = [];
  const test: number[] = [];
  for (const g of groups) {
    const order = random.permutation(g.length);
    const n = g.length;
    const nTest = Math.round(n * fractions.test);
    const nVal = Math.min(Math.round(n * fractions.validation), n - nTest);
    order.forEach((p, i) => {
      (i < nTest ? test : i < nTest + nVal ? validation : train).push(g[p]);
    });
  }
  // Shuffle each split so classes are interleaved rather than in blocks.
  const mix = (a: number[]) => Int32Array.from(random.permutation(a.length), (p) => a[p]);
  return { train: mix(train), validation: mix(validation), test: mix(test) };
}
