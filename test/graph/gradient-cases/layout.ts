/** Gradient checks of reductions and layout ops (reshape, transpose, slice, pad, concat, gather, ...). */
import { describe, it } from 'vitest';
import {
  broadcastTo,
  concat,
  gather,
  max,
  mean,
  mul,
  oneHot,
  pad,
  reshape,
  scatterAdd,
  slice,
  sum,
  transpose,
} from '../../../src/graph/ops';
import type { Axes } from '../../../src/graph/ops/reduce';
import { checkGradients, constant, Draw, fromValues, nextSeed } from '../gradcheck';

const reductionAxes: [Axes | undefined, boolean][] = [
  [undefined, false],
  [0, false],
  [1, true],
  [[0, 2], false],
  [[0, 2], true],
  [-1, true],
];

export function layoutGradientCases(): void {
  describe('reductions', () => {
    it.each(reductionAxes)('sum over %j, keepDims %s', (axes, keepDims) => {
      const d = new Draw(nextSeed());
      checkGradients((x) => sum(x, axes, keepDims), [d.uniform([2, 3, 4])], { seed: d.seed });
    });

    it.each(reductionAxes)('max over %j, keepDims %s', (axes, keepDims) => {
      const d = new Draw(nextSeed());
      checkGradients((x) => max(x, axes, keepDims), [d.distinct([2, 3, 4])], { seed: d.seed });
    });

    it('max with keepDims feeding a broadcast: x - max(x, 1, keepDims)', () => {
      const d = new Draw(nextSeed());
      checkGradients((x) => mul(x, max(x, 1, true)), [d.distinct([3, 4])], { seed: d.seed });
    });

    it('mean over axes [0, 1]', () => {
      const d = new Draw(nextSeed());
      checkGradients((x) => mean(x, [0, 1]), [d.uniform([2, 3, 2])], { seed: d.seed });
    });
  });

  describe('layout ops', () => {
    it('reshape', () => {
      const d = new Draw(nextSeed());
      checkGradients((x) => reshape(x, [3, -1]), [d.uniform([2, 3, 2])], { seed: d.seed });
    });

    it.each([[[1, 0]], [[2, 0, 1]], [[0, 2, 1]]])('transpose %j', (perm) => {
      const d = new Draw(nextSeed());
      const shape = perm.length === 2 ? [3, 4] : [2, 3, 4];
      checkGradients((x) => transpose(x, perm), [d.uniform(shape)], { seed: d.seed });
    });

    it('broadcastTo [3,1] -> [2,3,4]', () => {
      const d = new Draw(nextSeed());
      checkGradients((x) => broadcastTo(x, [2, 3, 4]), [d.uniform([3, 1])], { seed: d.seed });
    });

    it('slice an inner block', () => {
      const d = new Draw(nextSeed());
      checkGradients((x) => slice(x, [1, 0, 2], [2, 2, -1]), [d.uniform([3, 3, 5])], { seed: d.seed });
    });

    it('pad unevenly on every axis', () => {
      const d = new Draw(nextSeed());
      checkGradients(
        (x) =>
          pad(x, [
            [1, 0],
            [0, 2],
            [2, 1],
          ]),
        [d.uniform([2, 3, 2])],
        { seed: d.seed },
      );
    });

    it.each([0, 1, -1])('concat of three tensors along axis %i', (axis) => {
      const d = new Draw(nextSeed());
      const shapes = [0, 1, 2].map((k) => {
        const s = [2, 3, 2];
        s[axis < 0 ? 2 : axis] = k + 1;
        return s;
      });
      checkGradients(
        (a, b, c) => concat([a, b, c], axis),
        shapes.map((s) => d.uniform(s)),
        { seed: d.seed },
      );
    });

    it('concat of a tensor with itself', () => {
      const d = new Draw(nextSeed());
      checkGradients((x) => concat([x, mul(x, x), x], 1), [d.uniform([2, 3])], { seed: d.seed });
    });
  });

  describe('indexing ops', () => {
    it('gather with repeated indices sums the repeated rows', () => {
      const d = new Draw(nextSeed());
      const indices = fromValues([6], [0, 2, 2, 4, 0, 2]);
      checkGradients((x) => gather(x, constant(indices)), [d.uniform([5, 3])], { seed: d.seed });
    });

    it('gather of a 3-D tensor', () => {
      const d = new Draw(nextSeed());
      const indices = d.indices([4], 3);
      checkGradients((x) => gather(x, constant(indices)), [d.uniform([3, 2, 2])], { seed: d.seed });
    });

    it('scatterAdd with repeated indices, as a function of src', () => {
      const d = new Draw(nextSeed());
      const indices = fromValues([5], [3, 1, 3, 0, 3]);
      checkGradients((src) => scatterAdd(src, constant(indices), 4), [d.uniform([5, 2])], { seed: d.seed });
    });

    it('oneHot rows weighting a differentiated tensor', () => {
      const d = new Draw(nextSeed());
      const labels = fromValues([4], [2, 0, 1, 2]);
      checkGradients((x) => sum(mul(oneHot(constant(labels), 3), x), 1), [d.uniform([4, 3])], {
        seed: d.seed,
      });
    });
  });
}
