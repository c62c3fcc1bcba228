/** Gradient checks of matmul, softmax, logSoftmax, batch-norm statistics and dropout. */
import { describe, expect, it } from 'vitest';
import { valueAndGrad } from '../../../src/graph/autodiff';
import { tensor, withBackend } from '../../../src/graph/engine';
import {
  add,
  batchNorm,
  dropout,
  logSoftmax,
  matmul,
  mean,
  moments,
  mul,
  relu,
  softmax,
  square,
  sub,
  sum,
  tanh,
} from '../../../src/graph/ops';
import type { Tensor } from '../../../src/graph/tensor';
import { checkGradients, constant, Draw, f64, nextSeed, read64 } from '../gradcheck';

const transposes: [boolean, boolean][] = [
  [false, false],
  [false, true],
  [true, false],
  [true, true],
];

/** mean squared error of softmax(x) against a fixed target: softmax under a loss that is not cross-entropy. */
function softmaxMse(target: Tensor, axis: number): (x: Tensor) => Tensor {
  return (x) => mean(square(sub(softmax(x, axis), target)));
}

export function nnGradientCases(): void {
  describe('matmul', () => {
    it.each(transposes)('transposeA %s, transposeB %s', (transposeA, transposeB) => {
      const d = new Draw(nextSeed());
      const a = d.uniform(transposeA ? [4, 3] : [3, 4]);
      const b = d.uniform(transposeB ? [5, 4] : [4, 5]);
      checkGradients((x, y) => matmul(x, y, { transposeA, transposeB }), [a, b], { seed: d.seed });
    });

    it('x^T x uses one tensor on both sides', () => {
      const d = new Draw(nextSeed());
      checkGradients((x) => matmul(x, x, { transposeA: true }), [d.uniform([3, 2])], { seed: d.seed });
    });
  });

  describe('softmax and logSoftmax', () => {
    it.each([-1, 0])('softmax over axis %i', (axis) => {
      const d = new Draw(nextSeed());
      checkGradients((x) => softmax(x, axis), [d.normal([3, 4])], { seed: d.seed });
    });

    it('softmax over the middle axis of a 3-D tensor', () => {
      const d = new Draw(nextSeed());
      checkGradients((x) => softmax(x, 1), [d.normal([2, 3, 2])], { seed: d.seed });
    });

    it.each([-1, 0])('softmax followed by mean squared error, axis %i', (axis) => {
      const d = new Draw(nextSeed());
      const target = d.uniform([4, 5], 0, 1);
      checkGradients((x) => softmaxMse(constant(target), axis)(x), [d.normal([4, 5], 2)], {
        seed: d.seed,
      });
    });

    it.each([-1, 0, 1])('logSoftmax over axis %i', (axis) => {
      const d = new Draw(nextSeed());
      checkGradients((x) => logSoftmax(x, axis), [d.normal([2, 3, 4])], { seed: d.seed });
    });
  });

  describe('batch-norm statistics', () => {
    it('moments over axis 0 of an [N,C] tensor', () => {
      const d = new Draw(nextSeed());
      checkGradients((x) => moments(x, [0]).mean, [d.normal([5, 3])], { seed: d.seed });
      checkGradients((x) => moments(x, [0]).variance, [d.normal([5, 3])], { seed: d.seed });
    });

    it('moments over axes [0,1,2] of an NHWC tensor, keepDims', () => {
      const d = new Draw(nextSeed());
      const x = d.normal([2, 3, 3, 2]);
      checkGradients((t) => moments(t, [0, 1, 2], true).mean, [x], { seed: d.seed });
      checkGradients((t) => moments(t, [0, 1, 2], true).variance, [x], { seed: d.seed });
    });

    it('training-mode batch norm over axis 0 of [N,C], with gamma and beta', () => {
      const d = new Draw(nextSeed());
      const norm = (x: Tensor, gamma: Tensor, beta: Tensor): Tensor => {
        const { mean: m, variance: v } = moments(x, [0]);
        return batchNorm(x, m, v, gamma, beta, 1e-3);
      };
      checkGradients(norm, [d.normal([6, 3]), d.uniform([3], 0.5, 1.5), d.uniform([3])], { seed: d.seed });
    });

    it('training-mode batch norm over axes [0,1,2] of an NHWC tensor', () => {
      const d = new Draw(nextSeed());
      const norm = (x: Tensor, gamma: Tensor): Tensor => {
        const { mean: m, variance: v } = moments(x, [0, 1, 2]);
        return batchNorm(x, m, v, gamma, null, 1e-3);
      };
      checkGradients(norm, [d.normal([2, 3, 2, 3]), d.uniform([3], 0.5, 1.5)], { seed: d.seed });
    });
  });

  describe('dropout', () => {
    it('matches finite differences', () => {
      const d = new Draw(nextSeed());
      checkGradients((x) => dropout(x, 0.4, { seed: d.seed, step: 3 }), [d.uniform([4, 5])], {
        seed: d.seed,
      });
    });

    it('has as gradient the mask it applied, scaled by 1/(1-rate)', () => {
      const d = new Draw(nextSeed());
      const x = d.awayFromZero([200]);
      const rate = 0.3;
      withBackend(f64, () => {
        const xt = tensor(x.values, x.shape);
        const { grads } = valueAndGrad((t) => sum(dropout(t, rate, { seed: 11, step: 5 })))(xt);
        const y = read64(dropout(xt, rate, { seed: 11, step: 5 }));
        const g = read64(grads[0]);
        let dropped = 0;
        for (let i = 0; i < g.length; i++) {
          // y = x * mask / (1 - rate), and x is never 0: the mask is y / x.
          const mask = y[i] / x.values[i];
          expect(g[i]).toBeCloseTo(mask, 12);
          expect([0, 1 / (1 - rate)].some((m) => Math.abs(m - mask) < 1e-12)).toBe(true);
          if (g[i] === 0) dropped++;
        }
        expect(dropped).toBeGreaterThan(0);
        expect(dropped).toBeLessThan(200);
      });
    });
  });

  describe('a small network', () => {
    it('two-layer MLP with a softmax-MSE loss', () => {
      const d = new Draw(nextSeed());
      const xs = d.normal([4, 3]);
      const target = d.uniform([4, 2], 0, 1);
      const loss = (w1: Tensor, b1: Tensor, w2: Tensor, b2: Tensor): Tensor => {
        const h = tanh(add(matmul(constant(xs), w1), b1));
        return mean(square(sub(softmax(add(matmul(h, w2), b2)), constant(target))));
      };
      checkGradients(loss, [d.normal([3, 5]), d.uniform([5]), d.normal([5, 2]), d.uniform([2])], {
        seed: d.seed,
      });
    });

    it('relu MLP with a log-softmax loss, inputs away from the kink', () => {
      const d = new Draw(nextSeed());
      const labels = d.uniform([3, 4], 0, 1);
      const loss = (h: Tensor, w: Tensor): Tensor =>
        mul(mean(mul(constant(labels), logSoftmax(matmul(relu(h), w)))), -1);
      checkGradients(loss, [d.awayFromZero([3, 5]), d.normal([5, 4])], { seed: d.seed });
    });
  });
}
