import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebGPUBackend } from '../../src/backend/webgpu/webgpu-backend';
import { valueAndGrad } from '../../src/graph/autodiff';
import * as ops from '../../src/graph/ops';
import type { Shape } from '../../src/graph/shape';
import { ACCUMULATING, createGpu, ELEMENTWISE, expectClose, onBoth, randn } from './harness';

const backends: Record<'register' | 'tiled', WebGPUBackend> = {} as never;
let wide: WebGPUBackend;
beforeAll(async () => {
  backends.register = await createGpu({ matmulVariant: 'register' });
  backends.tiled = await createGpu({ matmulVariant: 'tiled' });
  // One thread per workgroup: 70004 elements need 70004 workgroups, more than one dimension holds.
  wide = await createGpu({ workgroupSize: 1 });
});
afterAll(() => {
  backends.register?.destroy();
  backends.tiled?.destroy();
  wide?.destroy();
});

const SIZES: [number, number, number][] = [
  [1, 1, 1],
  [7, 33, 1],
  [1, 257, 7],
  [33, 7, 33],
  [257, 33, 7],
  [33, 257, 65],
  [64, 64, 64],
];

describe('matmul', () => {
  for (const variant of ['register', 'tiled'] as const) {
    for (const transposeA of [false, true]) {
      for (const transposeB of [false, true]) {
        it(`${variant}, transposeA ${transposeA}, transposeB ${transposeB}: forward and gradients`, async () => {
          for (const [m, k, n] of SIZES) {
            const a = randn(transposeA ? [k, m] : [m, k]);
            const b = randn(transposeB ? [n, k] : [k, n]);
            const w = randn([m, n]);
            const opts = { transposeA, transposeB };
            const r = await onBoth(backends[variant], [a, b, w], (at, bt, wt) => [
              ops.matmul(at, bt, opts),
              ...valueAndGrad((p, q) => ops.sum(ops.mul(ops.matmul(p, q, opts), wt)))(at, bt).grads,
            ]);
            // Values are sums of k products of unit normals: compare against their scale, not 0.
            expectClose(
              `matmul ${variant} ${m}x${k}x${n} ${transposeA} ${transposeB}`,
              r.gpu,
              r.cpu,
              ACCUMULATING,
              1,
            );
          }
        });
      }
    }
  }
});

describe('softmax and logSoftmax (one workgroup per line)', () => {
  const cases: [Shape, number][] = [
    [[7, 257], -1],
    [[1, 1], 0],
    [[33, 7, 5], 1],
    [[257, 33], 0],
    [[3, 1000], 1],
  ];
  const LINES = { softmax: ops.softmax, logSoftmax: ops.logSoftmax };
  for (const [op, f] of Object.entries(LINES)) {
    it(`${op}: forward and vector-Jacobian product`, async () => {
      for (const [shape, axis] of cases) {
        const r = await onBoth(backends.register, [randn(shape, 3), randn(shape)], (x, w) => [
          f(x, axis),
          valueAndGrad((p) => ops.sum(ops.mul(f(p, axis), w)))(x).grads[0],
        ]);
        expectClose(`${op} ${shape} axis ${axis}`, r.gpu.slice(0, 1), r.cpu.slice(0, 1), ACCUMULATING);
        expectClose(`${op} ${shape} axis ${axis} grad`, r.gpu.slice(1), r.cpu.slice(1), ACCUMULATING, 1e-2);
      }
    });
  }
});

describe('logSoftmax near 0 keeps its relative precision', () => {
  // logSoftmax([0, -30, ..., -30])[0] = -ln(1 + (n - 1) e^-30), about -1.9e-13 for n = 3: ln of the
  // rounded sum 1 + t is 0 in f32, only ln(1 + t) from t itself keeps it. Both the one-thread-per-line
  // kernel (short lines) and the workgroup-per-line kernel (long lines) are checked.
  for (const n of [3, 1000]) {
    it(`a line of ${n}: within 1% of -log1p(${n - 1} e^-30) on the GPU and the CPU`, async () => {
      const values = Float32Array.from({ length: n }, (_, j) => (j === 0 ? 0 : -30));
      const r = await onBoth(backends.register, [{ values, shape: [1, n] }], (x) => ops.logSoftmax(x));
      const expected = -Math.log1p((n - 1) * Math.exp(-30));
      for (const [where, y] of [
        ['gpu', r.gpu[0]],
        ['cpu', r.cpu[0]],
      ] as const) {
        expect(Math.abs(y[0] - expected) / -expected, `${where}: ${y[0]} vs ${expected}`).toBeLessThan(0.01);
        expect(y[1], where).toBeCloseTo(-30, 5);
      }
    });
  }
});

describe('dispatch layout', () => {
  it('more than 65535 workgroups are split over two dimensions', async () => {
    const r = await onBoth(wide, [randn([70004]), randn([70004])], (a, b) => [
      ops.add(a, b),
      ops.transpose(ops.reshape(a, [4, 17501])),
    ]);
    expectClose('add over 70004 workgroups', r.gpu, r.cpu, ELEMENTWISE);
  });
});
