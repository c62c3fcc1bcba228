/**
 * The several-elements-per-thread kernels and the shape-chosen variants, at sizes that span many
 * workgroups and end mid-chunk, for each elements-per-thread setting: every operand index mode of
 * binary and where (same shape, block, scalar, strided), the plain and strided layout copies, and
 * serial against tree reductions and softmax. Outputs are NaN-poisoned, so a skipped element fails.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operandMode } from '../../src/backend/webgpu/kernels/elementwise';
import { mergeAxes } from '../../src/backend/webgpu/kernels/layout';
import type { WebGPUBackend } from '../../src/backend/webgpu/webgpu-backend';
import { valueAndGrad } from '../../src/graph/autodiff';
import * as ops from '../../src/graph/ops';
import type { Tensor } from '../../src/graph/tensor';
import { ACCUMULATING, createGpu, ELEMENTWISE, expectClose, onBoth, randn } from './harness';

describe('operand index modes and axis merging', () => {
  it('picks same, scalar, block and strided from the shapes', () => {
    expect(operandMode([5, 7], [5, 7])).toEqual([1, 1, 35]);
    expect(operandMode([], [5, 7])).toEqual([3, 1, 1]);
    expect(operandMode([1, 1], [5, 7])).toEqual([3, 1, 1]);
    expect(operandMode([7], [5, 7])).toEqual([2, 1, 7]);
    expect(operandMode([5, 1], [5, 7])).toEqual([2, 7, 5]);
    expect(operandMode([3, 4, 1], [2, 3, 4, 5])).toEqual([2, 5, 12]);
    expect(operandMode([2, 1, 4, 1], [2, 3, 4, 5])).toEqual([0, 1, 8]);
  });

  it('merges axes whose strides run on, drops size-1 axes', () => {
    expect(mergeAxes([2, 3, 4], [12, 4, 1])).toEqual([[24], [1]]);
    expect(mergeAxes([2, 1, 4], [4, 4, 1])).toEqual([[8], [1]]);
    expect(mergeAxes([3, 2], [1, 3])).toEqual([
      [3, 2],
      [1, 3],
    ]);
    expect(mergeAxes([2, 3, 4], [0, 0, 1])).toEqual([
      [6, 4],
      [0, 1],
    ]);
    expect(mergeAxes([1, 1], [1, 1])).toEqual([[], []]);
  });
});

for (const elementsPerThread of [1, 3, 8, 32]) {
  describe(`${elementsPerThread} elements per thread`, () => {
    let gpu: WebGPUBackend;
    beforeAll(async () => {
      gpu = await createGpu({ elementsPerThread });
    });
    afterAll(() => gpu?.destroy());

    it('unary, binary in every operand mode, where and copies over many workgroups', async () => {
      const big = [37, 301];
      const r = await onBoth(
        gpu,
        [randn(big), randn(big), randn([301]), randn([37, 1]), randn([]), randn([1, 301])],
        (a, b, row, col, s, row2) => [
          ops.tanh(a),
          ops.mul(a, b),
          ops.sub(a, row),
          ops.div(col, ops.add(ops.abs(b), ops.fill([], 1))),
          ops.mul(s, a),
          ops.add(col, row2),
          ops.where(ops.greater(a, b), row, col),
          ops.transpose(a, [1, 0]),
          ops.slice(a, [1, 0], [35, 301]),
          ops.slice(a, [0, 2], [37, 290]),
          ops.reshape(ops.transpose(a, [1, 0]), [301 * 37]),
          ops.concat([a, b], 1),
          ops.pad(a, [
            [1, 2],
            [3, 0],
          ]),
        ],
      );
      expectClose(`elementwise, ${elementsPerThread} per thread`, r.gpu, r.cpu, ELEMENTWISE);
    });

    it('convolution, pooling, optimizer updates, gather and one-hot over many workgroups', async () => {
      const x = [3, 19, 17, 4];
      const w = [3, 3, 4, 5];
      const weight = [37, 61];
      const r = await onBoth(
        gpu,
        [randn(x), randn(w), randn([5]), randn(weight), randn(weight), randn(weight)],
        (xt, wt, b, p, g, m) => {
          const y = ops.fusedConv2d(xt, wt, b, { padding: 'same', activation: 'relu' });
          const dy = ops.mul(y, 0.5);
          const pools = valueAndGrad((t: Tensor) =>
            ops.add(ops.sum(ops.maxPool2d(t, [2, 2])), ops.sum(ops.avgPool2d(t, [3, 3], { strides: 2 }))),
          )(xt);
          return [
            pools.grads[0],
            y,
            ops.conv2dBackpropInput(dy, wt, x, { padding: 'same' }),
            ops.maxPool2d(xt, [2, 2]),
            ops.avgPool2d(xt, [3, 3], { strides: 2, padding: 'same' }),
            ...Object.values(ops.sgdUpdate(p, g, m, 0.1, { momentum: 0.9, nesterov: false })),
            ops.gather(p, ops.fill([500], 3)),
            ops.oneHot(ops.fill([700], 2), 5),
          ];
        },
      );
      expectClose(`window and map kernels, ${elementsPerThread} per thread`, r.gpu, r.cpu, ACCUMULATING, 1);
    });

    it('reductions and softmax, serial and tree, over merged and unmerged axes', async () => {
      const r = await onBoth(
        gpu,
        [randn([130, 257]), randn([3, 5000]), randn([4, 6, 5, 3])],
        (a, long, c) => [
          ops.sum(a, [0]),
          ops.sum(a, [1]),
          ops.max(a, [0]),
          ops.sum(long, [1]),
          ops.max(long, [1]),
          ops.sum(long),
          ops.sum(c, [0, 2]),
          ops.max(c, [1, 3]),
          ops.sum(c, [1, 2]),
          ops.softmax(a, -1),
          ops.logSoftmax(a, 0),
          ops.softmax(long, -1),
          ops.logSoftmax(c, 1),
        ],
      );
      expectClose(`reductions, ${elementsPerThread} per thread`, r.gpu, r.cpu, ACCUMULATING, 1);
    });
  });
}
