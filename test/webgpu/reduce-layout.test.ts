import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebGPUBackend } from '../../src/backend/webgpu/webgpu-backend';
import { valueAndGrad } from '../../src/graph/autodiff';
import * as ops from '../../src/graph/ops';
import type { Shape } from '../../src/graph/shape';
import type { Tensor } from '../../src/graph/tensor';
import { ACCUMULATING, createGpu, ELEMENTWISE, expectClose, integers, onBoth, randn } from './harness';

let gpu: WebGPUBackend;
beforeAll(async () => {
  gpu = await createGpu();
});
afterAll(() => gpu?.destroy());

/** Loss whose gradient is a fresh random tensor: sum(f(x) * w). */
function gradThrough(f: (x: Tensor) => Tensor, w: Tensor) {
  return (x: Tensor) => valueAndGrad((p) => ops.sum(ops.mul(f(p), w)))(x).grads[0];
}

describe('reductions over arbitrary axes', () => {
  const cases: [Shape, number[] | undefined, boolean][] = [
    [[257], [0], false],
    [[1], undefined, false],
    [[7, 33], [0], false],
    [[7, 33], [1], true],
    [[7, 33, 5], [0, 2], false],
    [[7, 33, 5], [1], true],
    [[3, 1, 7, 2], [0, 1, 3], false],
    [[33, 257], undefined, false],
    [[2, 3, 4], [], false],
  ];
  const REDUCTIONS = { sum: ops.sum, max: ops.max, mean: ops.mean };
  for (const [op, reduce] of Object.entries(REDUCTIONS)) {
    it(`${op}: forward and gradient`, async () => {
      for (const [shape, axes, keepDims] of cases) {
        const f = (x: Tensor) => reduce(x, axes, keepDims);
        const r = await onBoth(gpu, [randn(shape), randn(shape)], (x, w) => {
          const y = f(x);
          const dy = ops.reshape(ops.slice(ops.reshape(w, [-1]), [0], [y.size]), y.shape);
          return [y, gradThrough(f, dy)(x)];
        });
        // Sums of unit normals cancel: their error is measured against the terms' scale (1), not the sum.
        expectClose(`${op} ${shape} axes ${axes} keepDims ${keepDims}`, r.gpu, r.cpu, ACCUMULATING, 1);
      }
    });
  }

  it('max over a large axis uses every element (many loop turns per thread)', async () => {
    const x = randn([3, 20000]);
    x.values[2 * 20000 + 19999] = 100;
    const r = await onBoth(gpu, [x], (t) => ops.max(t, 1));
    expect(r.gpu[0][2]).toBe(100);
    expectClose('max 3x20000', r.gpu, r.cpu, ACCUMULATING);
  });

  it('short reductions with many outputs (one thread per output) and long ones with few', async () => {
    const r = await onBoth(gpu, [randn([5000, 3]), randn([2, 70001])], (a, b) => [
      ops.sum(a, 1),
      ops.max(a, 1),
      ops.sum(b, 1),
      ops.max(b, 0),
    ]);
    expectClose('mixed reductions', r.gpu, r.cpu, ACCUMULATING, 1);
  });
});

describe('layout ops', () => {
  const cases: [string, Shape, (x: Tensor) => Tensor][] = [
    ['reshape', [7, 33], (x) => ops.reshape(x, [33, 7])],
    ['transpose 2-D', [7, 33], (x) => ops.transpose(x)],
    ['transpose 4-D', [2, 3, 5, 7], (x) => ops.transpose(x, [2, 0, 3, 1])],
    ['broadcastTo', [7, 1], (x) => ops.broadcastTo(x, [3, 7, 33])],
    ['slice', [7, 33, 3], (x) => ops.slice(x, [2, 5, 1], [4, 20, 2])],
    ['slice to one', [257], (x) => ops.slice(x, [256], [1])],
    [
      'pad',
      [7, 33],
      (x) =>
        ops.pad(x, [
          [1, 2],
          [0, 3],
        ]),
    ],
    [
      'pad 3-D',
      [1, 7, 2],
      (x) =>
        ops.pad(x, [
          [2, 0],
          [1, 1],
          [0, 4],
        ]),
    ],
    ['concat axis 0', [7, 33], (x) => ops.concat([x, ops.neg(x), ops.slice(x, [0, 0], [1, 33])], 0)],
    ['concat axis 1', [7, 33], (x) => ops.concat([x, ops.slice(x, [0, 3], [7, 1]), ops.exp(x)], 1)],
    ['squeeze/expandDims', [7, 1, 33], (x) => ops.expandDims(ops.squeeze(x), 0)],
  ];
  for (const [name, shape, f] of cases) {
    it(`${name}: forward and gradient`, async () => {
      const x = randn(shape);
      const r = await onBoth(gpu, [x], (t) => {
        const y = f(t);
        // An upstream gradient that differs per element, so a misrouted one shows.
        const dy = ops.add(ops.mul(y, y), ops.scalar(0.5));
        return [y, gradThrough(f, dy)(t)];
      });
      expectClose(name, r.gpu.slice(0, 1), r.cpu.slice(0, 1), ELEMENTWISE);
      expectClose(`${name} grad`, r.gpu.slice(1), r.cpu.slice(1), ACCUMULATING);
    });
  }

  it('gather and scatterAdd (its gradient) with repeated rows', async () => {
    for (const [rows, n, rowShape] of [
      [7, 33, [5]],
      [257, 7, [1]],
      [1, 7, [3, 2]],
      [33, 257, []],
    ] as [number, number, Shape][]) {
      const x = randn([rows, ...rowShape]);
      const idx = integers([n], rows);
      const r = await onBoth(gpu, [x, idx, randn([n, ...rowShape])], (t, i, w) => [
        ops.gather(t, i),
        ops.scatterAdd(w, i, rows),
        gradThrough((p) => ops.gather(p, i), w)(t),
      ]);
      expectClose(`gather rows ${rows} n ${n}`, r.gpu.slice(0, 1), r.cpu.slice(0, 1), ELEMENTWISE);
      expectClose(`scatterAdd rows ${rows} n ${n}`, r.gpu.slice(1), r.cpu.slice(1), ACCUMULATING, 1);
    }
  });

  it('oneHot', async () => {
    for (const [n, depth] of [
      [7, 33],
      [257, 1],
      [1, 7],
    ]) {
      const idx = integers([n], depth + 1); // depth itself is out of range: a zero row
      const r = await onBoth(gpu, [idx], (i) => ops.oneHot(i, depth));
      expect(Array.from(r.gpu[0])).toEqual(Array.from(r.cpu[0]));
    }
  });
});
