/**
 * Hand-computed small cases, on the CPU and on WebGPU: each expected value below was worked out on
 * paper from the op's definition.
 */
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../src/backend/cpu/cpu-backend';
import { tensor, withBackend } from '../../src/graph/engine';
import {
  add,
  avgPool2d,
  conv2d,
  dropout,
  fill,
  gather,
  logSoftmax,
  matmul,
  max,
  maxPool2d,
  mean,
  mul,
  oneHot,
  softmax,
  sum,
} from '../../src/graph/ops';
import { dropoutKeeps, dropoutThreshold, streamKey } from '../../src/graph/random';
import type { Tensor } from '../../src/graph/tensor';
import { describeOnBackends, expectValues } from '../on-backends';

/** 1, 2, ..., n laid out in `shape`. */
function iota(shape: number[]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(
    Array.from({ length: n }, (_, i) => i + 1),
    shape,
  );
}

describeOnBackends('conv2d', () => {
  it('valid, stride 1: a 2x2 filter over 1..9', async () => {
    // (0,0): 1*1 + 2*2 + 4*3 + 5*4 = 37, then shift by one column / row.
    const y = conv2d(iota([1, 3, 3, 1]), tensor([1, 2, 3, 4], [2, 2, 1, 1]));
    await expectValues(y, [1, 2, 2, 1], [37, 47, 67, 77]);
  });

  it('same, stride 1: a 3x3 box filter sums each neighbourhood, zeros outside', async () => {
    const y = conv2d(iota([1, 3, 3, 1]), tensor(new Array(9).fill(1), [3, 3, 1, 1]), { padding: 'same' });
    await expectValues(y, [1, 3, 3, 1], [12, 21, 16, 27, 45, 33, 24, 39, 28]);
  });

  it('valid, stride 2: 3x3 box over a 5x5 image of 1..25', async () => {
    const y = conv2d(iota([1, 5, 5, 1]), tensor(new Array(9).fill(1), [3, 3, 1, 1]), { strides: 2 });
    await expectValues(y, [1, 2, 2, 1], [63, 81, 153, 171]);
  });

  it('same, stride 2 on an even size: the one row/column of padding goes below/right', async () => {
    // out 2x2, total padding (2-1)*2 + 3 - 4 = 1, so windows cover rows 0-2 and 2-3(+pad).
    const y = conv2d(iota([1, 4, 4, 1]), tensor(new Array(9).fill(1), [3, 3, 1, 1]), {
      strides: 2,
      padding: 'same',
    });
    await expectValues(y, [1, 2, 2, 1], [54, 45, 72, 54]);
  });

  it('filters are HWIO: y[f] = sum_c x[c] * w[c][f]', async () => {
    const y = conv2d(tensor([1, 2], [1, 1, 1, 2]), tensor([1, 2, 3, 4, 5, 6], [1, 1, 2, 3]));
    await expectValues(y, [1, 1, 1, 3], [9, 12, 15]);
  });
});

describeOnBackends('pooling', () => {
  it('maxPool2d 2x2 valid over 1..16', async () => {
    await expectValues(maxPool2d(iota([1, 4, 4, 1]), 2), [1, 2, 2, 1], [6, 8, 14, 16]);
  });

  it('maxPool2d same never takes a padded zero: all-negative input', async () => {
    const x = mul(iota([1, 3, 3, 1]), -1);
    await expectValues(maxPool2d(x, 2, { padding: 'same' }), [1, 2, 2, 1], [-1, -3, -7, -9]);
  });

  it('maxPool2d keeps channels apart', async () => {
    const x = tensor([1, 8, 5, 2, 3, 7, 4, 6], [1, 2, 2, 2]);
    await expectValues(maxPool2d(x, 2), [1, 1, 1, 2], [5, 8]);
  });

  it('avgPool2d 2x2 valid over 1..16', async () => {
    await expectValues(avgPool2d(iota([1, 4, 4, 1]), 2), [1, 2, 2, 1], [3.5, 5.5, 11.5, 13.5]);
  });

  it('avgPool2d same divides by the number of real elements in each window', async () => {
    // windows: {1,2,4,5}/4, {3,6}/2, {7,8}/2, {9}/1.
    await expectValues(avgPool2d(iota([1, 3, 3, 1]), 2, { padding: 'same' }), [1, 2, 2, 1], [3, 4.5, 7.5, 9]);
  });

  it('avgPool2d with overlapping windows (pool 2, stride 1)', async () => {
    await expectValues(avgPool2d(iota([1, 2, 3, 1]), 2, { strides: 1 }), [1, 1, 2, 1], [3, 4]);
  });
});

describeOnBackends('softmax and logSoftmax', () => {
  const ln = Math.log;

  it('softmax([0, ln 2, ln 3]) = [1, 2, 3] / 6', async () => {
    await expectValues(softmax(tensor([0, ln(2), ln(3)])), [3], [1 / 6, 2 / 6, 3 / 6], 6);
  });

  it('logSoftmax([0, ln 2, ln 3]) = ln([1, 2, 3] / 6)', async () => {
    await expectValues(logSoftmax(tensor([0, ln(2), ln(3)])), [3], [-ln(6), ln(2 / 6), ln(3 / 6)], 6);
  });

  it('large logits stay finite: [1000, 1001]', async () => {
    // softmax = [1, e] / (1 + e); logSoftmax = [0, 1] - ln(1 + e).
    const e = Math.E;
    await expectValues(softmax(tensor([1000, 1001])), [2], [1 / (1 + e), e / (1 + e)], 6);
    await expectValues(logSoftmax(tensor([1000, 1001])), [2], [-ln(1 + e), 1 - ln(1 + e)], 5);
    await expectValues(logSoftmax(tensor([-1000, -1001])), [2], [-ln(1 + 1 / e), -1 - ln(1 + 1 / e)], 5);
  });

  it('over axis 0 normalises columns', async () => {
    const y = softmax(tensor([0, 5, ln(3), 5], [2, 2]), 0);
    await expectValues(y, [2, 2], [1 / 4, 1 / 2, 3 / 4, 1 / 2], 6);
  });
});

describeOnBackends('matmul', () => {
  // A [2,3] and B [3,2] stored plainly or transposed; every combination must give A B.
  const a = [1, 2, 3, 4, 5, 6];
  const aT = [1, 4, 2, 5, 3, 6];
  const b = [7, 8, 9, 10, 11, 12];
  const bT = [7, 9, 11, 8, 10, 12];
  const product = [58, 64, 139, 154];

  it.each([
    [false, false],
    [false, true],
    [true, false],
    [true, true],
  ])('transposeA %s, transposeB %s', async (transposeA, transposeB) => {
    const ta = transposeA ? tensor(aT, [3, 2]) : tensor(a, [2, 3]);
    const tb = transposeB ? tensor(bT, [2, 3]) : tensor(b, [3, 2]);
    await expectValues(matmul(ta, tb, { transposeA, transposeB }), [2, 2], product);
  });
});

describeOnBackends('reductions', () => {
  const x = () => tensor([1, 2, 3, 4, 5, 6], [2, 3]);

  it('sum over each axis, with and without keepDims', async () => {
    await expectValues(sum(x(), 0), [3], [5, 7, 9]);
    await expectValues(sum(x(), 0, true), [1, 3], [5, 7, 9]);
    await expectValues(sum(x(), 1, true), [2, 1], [6, 15]);
    await expectValues(sum(x()), [], [21]);
    await expectValues(sum(x(), [0, 1], true), [1, 1], [21]);
  });

  it('max and mean', async () => {
    await expectValues(max(x(), 1), [2], [3, 6]);
    await expectValues(max(x(), 0, true), [1, 3], [4, 5, 6]);
    await expectValues(max(tensor([-5, -2, -9])), [], [-2]);
    await expectValues(mean(x()), [], [3.5]);
    await expectValues(mean(x(), -1, true), [2, 1], [2, 5]);
  });
});

describeOnBackends('broadcasting', () => {
  it('[3,1] + [1,4]', async () => {
    const y = add(tensor([0, 10, 20], [3, 1]), tensor([1, 2, 3, 4], [1, 4]));
    await expectValues(y, [3, 4], [1, 2, 3, 4, 11, 12, 13, 14, 21, 22, 23, 24]);
  });

  it('[2,2,2] * [2] and a scalar', async () => {
    await expectValues(mul(iota([2, 2, 2]), tensor([1, -1])), [2, 2, 2], [1, -2, 3, -4, 5, -6, 7, -8]);
    await expectValues(mul(3, tensor([1, 2])), [2], [3, 6]);
  });
});

describeOnBackends('gather and oneHot', () => {
  it('gather picks rows, repeats allowed', async () => {
    const y = gather(tensor([1, 2, 3, 4, 5, 6], [3, 2]), tensor([2, 0, 2]));
    await expectValues(y, [3, 2], [5, 6, 1, 2, 5, 6]);
  });

  it('oneHot rows, and a row of zeros for an index outside [0, depth)', async () => {
    await expectValues(oneHot(tensor([2, 0, 5]), 3), [3, 3], [0, 0, 1, 1, 0, 0, 0, 0, 0]);
  });
});

describeOnBackends('dropout', () => {
  const n = 10_000;
  const x = () =>
    tensor(
      Array.from({ length: n }, (_, i) => 1 + (i % 7)),
      [100, 100],
    );
  const kept = async (t: Tensor) => (await t.data()).filter((v) => v !== 0).length;

  it('same seed and step give the same mask; another step or seed a different one', async () => {
    const a = await dropout(x(), 0.5, { seed: 3, step: 1 }).data();
    const b = await dropout(x(), 0.5, { seed: 3, step: 1 }).data();
    const c = await dropout(x(), 0.5, { seed: 3, step: 2 }).data();
    const d = await dropout(x(), 0.5, { seed: 4, step: 1 }).data();
    expect(Array.from(b)).toEqual(Array.from(a));
    const differ = (u: Float32Array, v: Float32Array) =>
      u.filter((ui, i) => (ui === 0) !== (v[i] === 0)).length;
    // Independent masks at rate 0.5 disagree on about half the elements.
    expect(differ(a, c)).toBeGreaterThan(n * 0.4);
    expect(differ(a, d)).toBeGreaterThan(n * 0.4);
  });

  it.each([0.1, 0.3, 0.75])('rate %f keeps a fraction near 1 - rate of 10k elements', async (rate) => {
    const fraction = (await kept(dropout(x(), rate, { seed: 9, step: 0 }))) / n;
    // Binomial standard deviation is at most 0.005 here; 4 of them is 0.02.
    expect(Math.abs(fraction - (1 - rate))).toBeLessThan(0.02);
  });

  it('kept values are scaled by 1 / (1 - rate); the mask is the shared counter-based hash', async () => {
    const rate = 0.3;
    const y = await dropout(x(), rate, { seed: 21, step: 7 }).data();
    const key = streamKey(21, 7);
    const threshold = dropoutThreshold(rate);
    const input = await x().data();
    for (let i = 0; i < n; i++) {
      const expected = dropoutKeeps(key, i, threshold) ? input[i] / (1 - rate) : 0;
      expect(y[i]).toBeCloseTo(expected, 5);
    }
  });

  it('rate 0 is the identity', async () => {
    const input = x();
    const y = dropout(input, 0, { seed: 1, step: 1 });
    expect(Array.from(await y.data())).toEqual(Array.from(await input.data()));
  });
});

describe('fill', () => {
  it('keeps the value exact on the float64 backend', () => {
    const t = withBackend(new CpuBackend('float64'), () => fill([2], 0.1));
    expect((t.storage as Float64Array)[0]).toBe(0.1);
  });
});
