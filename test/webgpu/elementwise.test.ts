import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebGPUBackend } from '../../src/backend/webgpu/webgpu-backend';
import { valueAndGrad } from '../../src/graph/autodiff';
import * as ops from '../../src/graph/ops';
import { dropoutKeeps, dropoutThreshold, streamKey } from '../../src/graph/random';
import type { Shape } from '../../src/graph/shape';
import type { Tensor } from '../../src/graph/tensor';
import { createGpu, ELEMENTWISE, expectClose, type Input, onBoth, randn, uniform } from './harness';

let gpu: WebGPUBackend;
beforeAll(async () => {
  gpu = await createGpu();
});
afterAll(() => gpu?.destroy());

const SHAPES: Shape[] = [[1], [7], [33], [257], [7, 33], [3, 1, 7]];

/** Each unary op with an input domain where it is defined and its gradient exists. */
/**
 * gradFloor: sigmoid and tanh gradients are y(1 - y) and 1 - y^2; near saturation 1 - y keeps only
 * the last bits of y, so one ulp of difference in y (any two float32 backends) is a large relative
 * difference in a tiny gradient. Those are measured against the scale of dy (1), not their own size.
 */
const UNARY: Record<string, { f: (x: Tensor) => Tensor; input: (s: Shape) => Input; gradFloor?: number }> = {
  neg: { f: ops.neg, input: (s) => randn(s) },
  exp: { f: ops.exp, input: (s) => randn(s, 2) },
  log: { f: ops.log, input: (s) => uniform(s, 0.05, 20) },
  sqrt: { f: ops.sqrt, input: (s) => uniform(s, 0.05, 20) },
  abs: { f: ops.abs, input: (s) => randn(s) },
  sign: { f: ops.sign, input: (s) => randn(s) },
  relu: { f: ops.relu, input: (s) => randn(s) },
  sigmoid: { f: ops.sigmoid, input: (s) => randn(s, 4), gradFloor: 1 },
  tanh: { f: ops.tanh, input: (s) => randn(s, 2), gradFloor: 1 },
  leakyRelu: { f: (x) => ops.leakyRelu(x, 0.15), input: (s) => randn(s) },
  elu: { f: (x) => ops.elu(x, 0.7), input: (s) => randn(s) },
  clip: { f: (x) => ops.clip(x, -0.5, 0.8), input: (s) => randn(s) },
  square: { f: ops.square, input: (s) => randn(s) },
};

describe('unary kernels match the CPU', () => {
  for (const [name, { f, input, gradFloor }] of Object.entries(UNARY)) {
    it(`${name}: forward and gradient`, async () => {
      for (const shape of SHAPES) {
        const x = input(shape);
        const w = randn(shape);
        const r = await onBoth(gpu, [x, w], (xt, wt) => {
          const { value, grads } = valueAndGrad((a) => ops.sum(ops.mul(f(a), wt)))(xt);
          return [f(xt), value, grads[0]];
        });
        expectClose(`${name} ${shape}`, r.gpu.slice(0, 1), r.cpu.slice(0, 1), ELEMENTWISE);
        expectClose(`${name} ${shape} grad`, r.gpu.slice(2), r.cpu.slice(2), ELEMENTWISE, gradFloor);
        // value is a sum over the whole tensor: an accumulation
        expectClose(`${name} ${shape} loss`, r.gpu.slice(1, 2), r.cpu.slice(1, 2), 1e-4, 1);
      }
    });
  }
});

const BINARY: Record<string, { f: (a: Tensor, b: Tensor) => Tensor; positive?: boolean }> = {
  add: { f: ops.add },
  sub: { f: ops.sub },
  mul: { f: ops.mul },
  div: { f: ops.div, positive: true },
  pow: { f: ops.pow, positive: true },
};

const BROADCASTS: [Shape, Shape][] = [
  [[257], [257]],
  [[7, 33], [33]],
  [
    [7, 1],
    [1, 33],
  ],
  [[33], []],
  [[1], [7]],
  [
    [2, 3, 1, 5],
    [3, 4, 1],
  ],
];

describe('binary kernels broadcast like the CPU', () => {
  for (const [name, { f, positive }] of Object.entries(BINARY)) {
    it(`${name}: forward and gradients`, async () => {
      for (const [sa, sb] of BROADCASTS) {
        const a = positive ? uniform(sa, 0.3, 3) : randn(sa);
        const b = positive ? uniform(sb, 0.3, 3) : randn(sb);
        const r = await onBoth(gpu, [a, b], (at, bt) => {
          const { grads } = valueAndGrad((p, q) => ops.sum(ops.mul(f(p, q), f(p, q))))(at, bt);
          return [f(at, bt), ...grads];
        });
        expectClose(`${name} ${sa} ${sb}`, r.gpu.slice(0, 1), r.cpu.slice(0, 1), ELEMENTWISE);
        // gradients of broadcast inputs are sums over the broadcast axes
        expectClose(`${name} ${sa} ${sb} grads`, r.gpu.slice(1), r.cpu.slice(1), 1e-4, 1);
      }
    });
  }

  it('pow follows Math.pow for negative bases with integer exponents', async () => {
    const a = { values: new Float32Array([-2, -3, -0.5, 0, 0, 2, -2]), shape: [7] };
    const b = { values: new Float32Array([3, 2, -3, 2, 0, 0.5, 0.5]), shape: [7] };
    const r = await onBoth(gpu, [a, b], (p, q) => ops.pow(p, q));
    // Integer exponents are exact; a non-integer power of a negative base is NaN.
    expect(Array.from(r.gpu[0].slice(0, 5))).toEqual([-8, 9, -8, 0, 1]);
    expect(Number.isNaN(r.gpu[0][6]) && Number.isNaN(r.cpu[0][6])).toBe(true);
    expectClose('pow', r.gpu, r.cpu, ELEMENTWISE);
  });

  it('comparisons give exactly the CPU 0/1 values, ties included', async () => {
    const compare = [ops.equal, ops.notEqual, ops.greater, ops.greaterEqual, ops.less, ops.lessEqual];
    for (const [sa, sb] of BROADCASTS) {
      // Small integers so that ties happen.
      const a = { values: uniform(sa, 0, 3).values.map(Math.floor), shape: sa };
      const b = { values: uniform(sb, 0, 3).values.map(Math.floor), shape: sb };
      const r = await onBoth(gpu, [a, b], (p, q) => compare.map((c) => c(p, q)));
      r.gpu.forEach((g, k) => {
        expect(Array.from(g), `comparison ${k} ${sa} ${sb}`).toEqual(Array.from(r.cpu[k]));
      });
    }
  });

  it('where selects with broadcasting, and its gradient routes dy', async () => {
    for (const [sc, sa, sb] of [
      [
        [7, 33],
        [7, 33],
        [7, 33],
      ],
      [[7, 1], [33], []],
      [[257], [1], [257]],
    ] as Shape[][]) {
      const c = { values: uniform(sc, 0, 2).values.map(Math.floor), shape: sc };
      const r = await onBoth(gpu, [c, randn(sa), randn(sb)], (ct, at, bt) => {
        const { grads } = valueAndGrad((p, q) => ops.sum(ops.mul(ops.where(ct, p, q), ops.where(ct, p, q))))(
          at,
          bt,
        );
        return [ops.where(ct, at, bt), ...grads];
      });
      expectClose(`where ${sc} ${sa} ${sb}`, r.gpu, r.cpu, 1e-4, 1);
    }
  });
});

describe('dropout', () => {
  it('draws bit-for-bit the CPU mask for the same seed and step', async () => {
    for (const [n, rate, seedValue, step] of [
      [257, 0.5, 7, 0],
      [33 * 7, 0.1, 123456789, 41],
      [4099, 0.9, 0xffffffff, 1_000_000],
    ]) {
      const x = uniform([n], 0.5, 1.5);
      const r = await onBoth(gpu, [x], (t) => ops.dropout(t, rate, { seed: seedValue, step }));
      const key = streamKey(seedValue, step);
      const threshold = dropoutThreshold(rate);
      const gpuMask = Array.from(r.gpu[0], (v) => v !== 0);
      const expectedMask = Array.from({ length: n }, (_, i) => dropoutKeeps(key, i, threshold));
      expect(gpuMask).toEqual(expectedMask);
      expect(gpuMask).toEqual(Array.from(r.cpu[0], (v) => v !== 0));
      expectClose(`dropout ${n} ${rate}`, r.gpu, r.cpu, ELEMENTWISE);
      // A real mask: some kept, some dropped.
      expect(gpuMask.some((k) => k) && gpuMask.some((k) => !k)).toBe(true);
    }
  });

  it('gradient uses the same mask', async () => {
    const r = await onBoth(gpu, [randn([33, 7])], (x) => {
      return valueAndGrad((p) => ops.sum(ops.dropout(p, 0.3, { seed: 5, step: 2 })))(x).grads[0];
    });
    expect(Array.from(r.gpu[0])).toEqual(Array.from(r.cpu[0]));
  });
});
