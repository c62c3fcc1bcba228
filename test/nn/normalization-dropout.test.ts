/** BatchNormalization statistics over the right axes, moving averages, and Dropout's masks. */
import { describe, expect, it } from 'vitest';
import { BatchNormalization, Dropout, type StateUpdate, type Tensor, tensor } from '../../src/index';
import { expectClose, inFloat64, randomTensor, values64 } from './helpers';

/** Mean and biased variance of x over every axis but `axis`, in plain loops. */
function referenceStats(
  x: Float64Array,
  shape: number[],
  axis: number,
): { mean: number[]; variance: number[] } {
  const c = shape[axis];
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const sums = new Array(c).fill(0);
  const squares = new Array(c).fill(0);
  const counts = new Array(c).fill(0);
  x.forEach((v, i) => {
    const ch = Math.floor(i / inner) % c;
    sums[ch] += v;
    squares[ch] += v * v;
    counts[ch]++;
  });
  const mean = sums.map((s, k) => s / counts[k]);
  return { mean, variance: squares.map((s, k) => s / counts[k] - mean[k] ** 2) };
}

/** (x - mean[ch]) / sqrt(var[ch] + eps) elementwise, channel along `axis`. */
function referenceNormalise(
  x: Float64Array,
  shape: number[],
  axis: number,
  mean: number[],
  variance: number[],
  eps: number,
) {
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  return Array.from(x, (v, i) => {
    const ch = Math.floor(i / inner) % shape[axis];
    return (v - mean[ch]) / Math.sqrt(variance[ch] + eps);
  });
}

describe('BatchNormalization', () => {
  const layouts: { label: string; shape: number[]; axis: number; config: { axis?: number } }[] = [
    { label: 'axis -1 on [N,C]', shape: [6, 3], axis: 1, config: {} },
    { label: 'axis -1 on NHWC', shape: [2, 3, 3, 4], axis: 3, config: { axis: -1 } },
    { label: 'axis 1 on NCHW', shape: [2, 3, 2, 2], axis: 1, config: { axis: 1 } },
  ];

  it.each(layouts)('training normalises with batch statistics ($label)', ({ shape, axis, config }) => {
    inFloat64(() => {
      const layer = new BatchNormalization({ ...config, momentum: 0.9, epsilon: 1e-3 });
      const x = randomTensor(shape, 31, 3);
      const updates: StateUpdate[] = [];
      const y = values64(layer.apply(x, { training: true, updates }));
      const { mean, variance } = referenceStats(values64(x), shape, axis);
      expectClose(y, referenceNormalise(values64(x), shape, axis, mean, variance, 1e-3), 1e-10);
      // Moving statistics move 10% of the way from their initial 0 and 1 towards the batch's.
      expect(updates.map((u) => u.variable.name)).toEqual([
        'batch_normalization_1.moving_mean',
        'batch_normalization_1.moving_variance',
      ]);
      expectClose(
        values64(updates[0].value),
        mean.map((m) => 0.1 * m),
        1e-10,
      );
      expectClose(
        values64(updates[1].value),
        variance.map((v) => 0.9 + 0.1 * v),
        1e-10,
      );
    });
  });

  it.each(layouts)('inference uses the moving statistics only ($label)', ({ shape, axis, config }) => {
    inFloat64(() => {
      const layer = new BatchNormalization({ ...config, momentum: 0.5 });
      const x = randomTensor(shape, 32, 2);
      layer.apply(x, { training: true }); // no updates list: applied at once
      const [gamma, beta, movingMean, movingVariance] = layer.weights;
      const mm = [...values64(movingMean.value)];
      const mv = [...values64(movingVariance.value)];
      const stats = referenceStats(values64(x), shape, axis);
      expectClose(
        mm,
        stats.mean.map((m) => 0.5 * m),
        1e-10,
      );
      gamma.value = tensor(mm.map((_, k) => k + 1));
      beta.value = tensor(mm.map((_, k) => -k));
      const probe = randomTensor(shape, 33);
      const y = values64(layer.apply(probe, { training: false }));
      const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
      const expected = referenceNormalise(values64(probe), shape, axis, mm, mv, 1e-3).map((v, i) => {
        const ch = Math.floor(i / inner) % shape[axis];
        return v * (ch + 1) - ch;
      });
      expectClose(y, expected, 1e-10);
    });
  });

  it('rejects the batch axis and axes beyond the rank', () => {
    expect(() => new BatchNormalization({ axis: 0 }).build([3])).toThrow(/axis 0 is the batch axis/);
    expect(() => new BatchNormalization({ axis: 3 }).build([3])).toThrow(/axis 3 is out of range/);
    expect(() => new BatchNormalization({ momentum: 2 })).toThrow(/momentum=2/);
  });
});

describe('Dropout', () => {
  const x = (): Tensor => tensor(new Float32Array(4000).fill(1), [40, 100]);

  it('is the identity at inference', () => {
    const input = x();
    expect(new Dropout({ rate: 0.5 }).apply(input, { training: false })).toBe(input);
  });

  it('zeroes about `rate` of the elements while training and scales the rest by 1/(1-rate)', () => {
    const y = new Dropout({ rate: 0.25, seed: 3 }).apply(x(), { training: true, step: 0 }).dataSync();
    const kept = y.filter((v) => v !== 0);
    expect(new Set(kept)).toEqual(new Set([Math.fround(1 / 0.75)]));
    expect(Math.abs(1 - kept.length / y.length - 0.25)).toBeLessThan(0.03);
  });

  it('masks are reproducible from (seed, step) and change with either', () => {
    const mask = (seed: number | undefined, step: number, ctxSeed = 0) =>
      [
        ...new Dropout({ rate: 0.5, seed }).apply(x(), { training: true, step, seed: ctxSeed }).dataSync(),
      ].join();
    expect(mask(1, 5)).toBe(mask(1, 5));
    expect(mask(1, 5)).not.toBe(mask(1, 6));
    expect(mask(1, 5)).not.toBe(mask(2, 5));
    // Without its own seed a layer follows the run's seed.
    expect(mask(undefined, 5, 9)).toBe(mask(undefined, 5, 9));
    expect(mask(undefined, 5, 9)).not.toBe(mask(undefined, 5, 10));
  });

  it('rejects a rate outside [0, 1)', () => {
    expect(() => new Dropout({ rate: 1 })).toThrow(/Dropout\(rate=1\): rate must be in \[0, 1\)/);
  });
});
