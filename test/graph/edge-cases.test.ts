/**
 * Behaviour at the points the gradient checks avoid on purpose: ties, NaN and infinite values.
 * Each case states the rule the engine promises there.
 */
import { describe, expect, it } from 'vitest';
import { valueAndGrad } from '../../src/graph/autodiff';
import { tensor } from '../../src/graph/engine';
import {
  logSoftmax,
  matmul,
  max,
  maxPool2d,
  moments,
  mul,
  relu,
  sigmoid,
  softmax,
  sum,
} from '../../src/graph/ops';
import { Random } from '../../src/graph/random';
import type { Tensor } from '../../src/graph/tensor';

const values = (t: Tensor): number[] => Array.from(t.dataSync());
const gradOf = (f: (x: Tensor) => Tensor, x: Tensor): number[] => values(valueAndGrad(f)(x).grads[0]);

describe('ties', () => {
  it('max shares the gradient evenly among tied maxima', () => {
    expect(gradOf((x) => max(x), tensor([1, 3, 3]))).toEqual([0, 0.5, 0.5]);
    const third = Math.fround(1 / 3);
    expect(gradOf((x) => sum(max(x, 1)), tensor([2, 2, 2, 5, 1, 5], [2, 3]))).toEqual([
      third,
      third,
      third,
      0.5,
      0,
      0.5,
    ]);
  });

  it('maxPool2d sends each window gradient to its first maximum', () => {
    const x = tensor([3, 1, 3, 2], [1, 2, 2, 1]);
    expect(gradOf((t) => sum(maxPool2d(t, 2)), x)).toEqual([1, 0, 0, 0]);
  });

  it('relu passes no gradient at exactly 0', () => {
    expect(gradOf((x) => sum(relu(x)), tensor([-1, 0, 2]))).toEqual([0, 0, 1]);
  });
});

describe('NaN propagates through max and max pooling, wherever it sits', () => {
  it.each([[[Number.NaN, 1, 3, 2]], [[1, Number.NaN, 3, 2]], [[1, 3, 2, Number.NaN]]])(
    'window %j',
    (window) => {
      expect(values(maxPool2d(tensor(window, [1, 2, 2, 1]), 2))[0]).toBeNaN();
      expect(values(max(tensor(window)))[0]).toBeNaN();
    },
  );
});

describe('infinite and extreme inputs stay finite where the op promises it', () => {
  it('softmax treats -Infinity as a masked entry, in value and gradient', () => {
    const y = values(softmax(tensor([Number.NEGATIVE_INFINITY, 0, Math.log(3)])));
    expect(y[0]).toBe(0);
    expect(y[1]).toBeCloseTo(0.25, 6);
    expect(y[2]).toBeCloseTo(0.75, 6);
    const g = gradOf(
      (x) => sum(mul(softmax(x), tensor([1, 2, 3]))),
      tensor([Number.NEGATIVE_INFINITY, 0, 1]),
    );
    expect(Math.abs(g[0])).toBe(0);
    expect(g.every(Number.isFinite)).toBe(true);
  });

  it('logSoftmax of logits 1e4 apart: finite values and gradients', () => {
    const x = tensor([0, 1e4, -1e4]);
    expect(values(logSoftmax(x)).every(Number.isFinite)).toBe(true);
    const g = gradOf((t) => sum(mul(logSoftmax(t), tensor([1, 0.5, 2]))), x);
    expect(g.every(Number.isFinite)).toBe(true);
    // d/dx sum(w * logSoftmax(x)) = w - softmax(x) * sum(w), with softmax(x) = [0, 1, 0].
    expect(g[0]).toBeCloseTo(1, 5);
    expect(g[1]).toBeCloseTo(0.5 - 3.5, 5);
    expect(g[2]).toBeCloseTo(2, 5);
  });

  it('sigmoid saturates without overflow', () => {
    expect(values(sigmoid(tensor([-1000, 1000])))).toEqual([0, 1]);
    expect(gradOf((x) => sum(sigmoid(x)), tensor([-1000, 1000]))).toEqual([0, 0]);
  });
});

describe('float32 reductions over many elements', () => {
  it('sum, mean and variance of 10^6 values agree with float64 to 1e-6', () => {
    const rng = new Random(17);
    const n = 1_000_000;
    const v = new Float32Array(n);
    for (let i = 0; i < n; i++) v[i] = rng.uniform();
    let exact = 0;
    for (let i = 0; i < n; i++) exact += v[i];
    const m = exact / n;
    let variance = 0;
    for (let i = 0; i < n; i++) variance += (v[i] - m) ** 2;
    variance /= n;
    const x = tensor(v, [100, 100, 100]);
    // A float32 running sum drifts by ~2e-5 here, and the variance by ~4e-4.
    expect(Math.abs(values(sum(x))[0] - exact) / exact).toBeLessThan(1e-6);
    const stats = moments(x, [0, 1, 2]);
    expect(Math.abs(values(stats.mean)[0] - m) / m).toBeLessThan(1e-6);
    expect(Math.abs(values(stats.variance)[0] - variance) / variance).toBeLessThan(1e-6);
  });
});

it('matmul propagates NaN from 0 * Infinity like IEEE arithmetic (and the GPU) do', async () => {
  const a = tensor([[0, 1]]);
  const b = tensor([[Number.POSITIVE_INFINITY], [2]]);
  for (const [x, y, opts] of [
    [a, b, {}],
    [tensor([[0], [1]]), b, { transposeA: true }],
  ] as const) {
    expect(Number.isNaN((await matmul(x, y, opts).data())[0])).toBe(true);
  }
});
