import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebGPUBackend } from '../../src/backend/webgpu/webgpu-backend';
import { valueAndGrad } from '../../src/graph/autodiff';
import { runOp } from '../../src/graph/engine';
import type { Padding } from '../../src/graph/op-params';
import * as ops from '../../src/graph/ops';
import type { Shape } from '../../src/graph/shape';
import type { Tensor } from '../../src/graph/tensor';
import { ACCUMULATING, createGpu, ELEMENTWISE, expectClose, onBoth, randn, uniform } from './harness';

let gpu: WebGPUBackend;
beforeAll(async () => {
  gpu = await createGpu();
});
afterAll(() => gpu?.destroy());

/** [x shape, filter or pool size, strides, padding] */
const CONV_CASES: [Shape, Shape, [number, number], Padding][] = [
  [[1, 7, 7, 1], [3, 3, 1, 1], [1, 1], 'valid'],
  [[2, 7, 9, 3], [3, 3, 3, 5], [1, 1], 'same'],
  [[2, 8, 7, 2], [2, 3, 2, 4], [2, 2], 'same'],
  [[1, 9, 9, 4], [3, 2, 4, 3], [2, 3], 'valid'],
  [[3, 5, 5, 2], [1, 1, 2, 7], [1, 1], 'valid'],
  [[1, 4, 4, 1], [5, 5, 1, 2], [1, 1], 'same'],
  // More filters than one work item's block of 8: a full block and a partial one.
  [[1, 6, 5, 3], [3, 3, 3, 11], [1, 1], 'same'],
  // Filters wider than the padded input at stride 2: taps that miss the image on both sides.
  [[2, 1, 1, 2], [5, 5, 2, 3], [2, 2], 'same'],
  [[1, 3, 1, 2], [3, 5, 2, 2], [1, 2], 'same'],
];

describe('conv2d and its two adjoints', () => {
  for (const [xs, ws, strides, padding] of CONV_CASES) {
    it(`x ${xs} w ${ws} strides ${strides} ${padding}`, async () => {
      const opts = { strides, padding };
      const probe = await onBoth(gpu, [randn(xs), randn(ws)], (x, w) => ops.conv2d(x, w, opts));
      const outLength = probe.cpu[0].length;
      const r = await onBoth(gpu, [randn(xs), randn(ws), randn([outLength])], (x, w, g) => {
        const y = ops.conv2d(x, w, opts);
        const dy = ops.reshape(g, y.shape);
        return [y, ...valueAndGrad((p, q) => ops.sum(ops.mul(ops.conv2d(p, q, opts), dy)))(x, w).grads];
      });
      expectClose(`conv2d ${xs} ${ws}`, r.gpu, r.cpu, ACCUMULATING, 1);
    });
  }
});

describe('fusedConv2d: the convolution epilogue', () => {
  for (const activation of ['linear', 'relu', 'sigmoid', 'tanh'] as const) {
    it(`${activation}: forward and gradients of x, filter and bias`, async () => {
      for (const [xs, ws, strides, padding] of CONV_CASES.slice(0, 4)) {
        const opts = { strides, padding, activation };
        const probe = await onBoth(gpu, [randn(xs), randn(ws)], (x, w) => ops.conv2d(x, w, opts));
        const outLength = probe.cpu[0].length;
        const bias = randn([ws[3]]);
        const r = await onBoth(gpu, [randn(xs), randn(ws), bias, randn([outLength])], (x, w, b, g) => {
          const y = ops.fusedConv2d(x, w, b, opts);
          const dy = ops.reshape(g, y.shape);
          const f = (p: Tensor, q: Tensor, c: Tensor) => ops.sum(ops.mul(ops.fusedConv2d(p, q, c, opts), dy));
          return [y, ...valueAndGrad(f)(x, w, b).grads];
        });
        expectClose(`fusedConv2d ${activation} ${xs} ${ws}`, r.gpu, r.cpu, ACCUMULATING, 1);
      }
    });
  }
});

const POOL_CASES: [Shape, [number, number], [number, number], Padding][] = [
  [[1, 7, 7, 1], [2, 2], [2, 2], 'valid'],
  [[2, 7, 9, 3], [3, 3], [2, 2], 'same'],
  [[2, 8, 7, 2], [2, 3], [1, 2], 'same'],
  [[1, 5, 5, 33], [3, 3], [1, 1], 'same'],
  [[3, 4, 6, 2], [4, 2], [3, 1], 'valid'],
];

describe('pooling and its adjoints', () => {
  for (const [xs, poolSize, strides, padding] of POOL_CASES) {
    it(`x ${xs} pool ${poolSize} strides ${strides} ${padding}`, async () => {
      const opts = { strides, padding };
      const pools = {
        max: (x: Tensor) => ops.maxPool2d(x, poolSize, opts),
        avg: (x: Tensor) => ops.avgPool2d(x, poolSize, opts),
      };
      for (const [name, pool] of Object.entries(pools)) {
        const probe = await onBoth(gpu, [randn(xs)], pool);
        const outLength = probe.cpu[0].length;
        const r = await onBoth(gpu, [randn(xs), randn([outLength]), randn(xs)], (x, g, h) => {
          const y = pool(x);
          const dy = ops.reshape(g, y.shape);
          const params = { poolSize, strides, padding };
          return [
            y,
            valueAndGrad((p) => ops.sum(ops.mul(pool(p), dy)))(x).grads[0],
            ...(name === 'max' ? [runOp('maxPool2dGather', [x, h], params)] : []),
          ];
        });
        expectClose(
          `${name}Pool2d ${xs}`,
          r.gpu.slice(0, 1),
          r.cpu.slice(0, 1),
          name === 'max' ? ELEMENTWISE : ACCUMULATING,
        );
        expectClose(`${name}Pool2d ${xs} grad`, r.gpu.slice(1), r.cpu.slice(1), ACCUMULATING, 1);
      }
    });
  }

  it('max pooling: ties go to the first maximum, exactly as on the CPU', async () => {
    // Values from {0, 1}: nearly every window has ties.
    const xs: Shape = [2, 6, 6, 3];
    const x = { values: uniform(xs, 0, 2).values.map(Math.floor), shape: xs };
    const params = { poolSize: [3, 3] as const, strides: [1, 1] as const, padding: 'same' as const };
    const r = await onBoth(gpu, [x, randn(xs)], (t, h) => [
      runOp('maxPool2dGrad', [t, ops.onesLike(ops.maxPool2d(t, 3, { strides: 1, padding: 'same' }))], params),
      runOp('maxPool2dGather', [t, h], params),
    ]);
    expect(Array.from(r.gpu[0])).toEqual(Array.from(r.cpu[0]));
    expect(Array.from(r.gpu[1])).toEqual(Array.from(r.cpu[1]));
  });
});
