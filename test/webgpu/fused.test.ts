/**
 * The fused kernels against their CPU twins on fresh random inputs, outputs poisoned with NaN:
 * the matmul epilogue (both matmul variants, every activation and layout, sizes off the tile), the
 * activation gradient, softmax cross-entropy and its gradient, and the per-channel batch-norm
 * reductions in both their serial and workgroup-tree forms.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { WebGPUBackend } from '../../src/backend/webgpu/webgpu-backend';
import { valueAndGrad } from '../../src/graph/autodiff';
import * as ops from '../../src/graph/ops';
import type { Shape } from '../../src/graph/shape';
import type { Tensor } from '../../src/graph/tensor';
import {
  ACCUMULATING,
  createGpu,
  ELEMENTWISE,
  expectClose,
  integers,
  onBoth,
  randn,
  uniform,
} from './harness';

const backends: Record<'register' | 'tiled', WebGPUBackend> = {} as never;
beforeAll(async () => {
  backends.register = await createGpu({ matmulVariant: 'register' });
  backends.tiled = await createGpu({ matmulVariant: 'tiled' });
});
afterAll(() => {
  backends.register?.destroy();
  backends.tiled?.destroy();
});

/** Forward, then the gradients of sum(f * w) for every input. */
function withGrads(f: (...xs: Tensor[]) => Tensor) {
  return (...xs: Tensor[]): Tensor[] => {
    const w = xs.pop() as Tensor;
    return [f(...xs), ...valueAndGrad((...ys: Tensor[]) => ops.sum(ops.mul(f(...ys), w)))(...xs).grads];
  };
}

const MATMUL_SIZES: [number, number, number][] = [
  [1, 1, 1],
  [7, 33, 5],
  [33, 7, 257],
  [257, 33, 7],
];

describe('fusedMatmul: the matmul epilogue', () => {
  for (const variant of ['register', 'tiled'] as const) {
    for (const activation of ['linear', 'relu', 'sigmoid', 'tanh'] as const) {
      for (const [transposeA, transposeB] of [
        [false, false],
        [true, true],
      ]) {
        it(`${variant}, ${activation}, transposes ${transposeA}/${transposeB}: forward and gradients`, async () => {
          for (const [m, k, n] of MATMUL_SIZES) {
            const opts = { transposeA, transposeB, activation };
            const inputs = [
              randn(transposeA ? [k, m] : [m, k]),
              randn(transposeB ? [n, k] : [k, n]),
              randn([n]),
              randn([m, n]),
            ];
            const r = await onBoth(
              backends[variant],
              inputs,
              withGrads((a, b, bias) => ops.fusedMatmul(a, b, bias, opts)),
            );
            expectClose(`fusedMatmul ${variant} ${activation} ${m}x${k}x${n}`, r.gpu, r.cpu, ACCUMULATING, 1);
          }
        });
      }
    }
  }
});

describe('activationGrad', () => {
  const ranges = { relu: [-1, 1], sigmoid: [0.01, 0.99], tanh: [-0.99, 0.99] } as const;
  for (const [activation, [lo, hi]] of Object.entries(ranges)) {
    it(`${activation}: sizes 1, 7, 257, 70004`, async () => {
      for (const n of [1, 7, 257, 70004]) {
        const r = await onBoth(backends.register, [randn([n]), uniform([n], lo, hi)], (dy, y) =>
          ops.activationGrad(dy, y, activation as 'relu'),
        );
        expectClose(`activationGrad ${activation} ${n}`, r.gpu, r.cpu, ELEMENTWISE);
      }
    });
  }
});

describe('softmax cross-entropy', () => {
  const shapes: Shape[] = [
    [1, 1],
    [7, 3],
    [257, 10],
    [33, 7, 5],
    [3, 300],
  ];
  it('loss and gradients, one-hot and soft labels', async () => {
    for (const shape of shapes) {
      const classes = shape[shape.length - 1];
      const rows = shape.slice(0, -1);
      const hot = integers(rows, classes);
      for (const soft of [false, true]) {
        const labels = soft ? uniform(shape, 0, 1) : null;
        const r = await onBoth(
          backends.register,
          [randn(shape, 3), labels ?? hot, randn(rows)],
          withGrads((z, t) =>
            ops.softmaxCrossEntropy(
              z,
              soft ? t : ops.reshape(ops.oneHot(ops.reshape(t, [-1]), classes), shape),
            ),
          ),
        );
        // Labels and upstream gradients are unit-scale, so a gradient entry that cancels to near zero
        // (p * sum(t) ~ t) is judged against 1, the scale of its terms, not its own (300 soft classes
        // gave 1.5e-4 against a floor of 1e-2 for KERNEL_SEED=1431142085).
        expectClose(`softmaxCrossEntropy ${shape} soft ${soft}`, r.gpu, r.cpu, ACCUMULATING, 1);
      }
    }
  });

  it('the gradient op alone, every input', async () => {
    for (const shape of shapes) {
      const rows = shape.slice(0, -1);
      const r = await onBoth(
        backends.register,
        [randn(rows), randn(shape, 3), uniform(shape, 0, 1), randn(shape)],
        withGrads(ops.softmaxCrossEntropyGrad),
      );
      // The gradients of the gradient op chain two float32 reductions per row (seen: 1.3e-4 for one seed).
      expectClose(`softmaxCrossEntropyGrad ${shape}`, r.gpu, r.cpu, 3 * ACCUMULATING, 1e-2);
    }
  });
});

describe('per-channel batch-norm parts', () => {
  // [shape, channel axis, what the kernel choice is]
  const layouts: [Shape, number, string][] = [
    [[257, 7], 1, 'serial, channels last'],
    [[3000, 5], 1, 'tree, channels last'],
    [[2, 3, 33, 7], 1, 'serial, channels first'],
    [[4, 3, 33, 33], 1, 'tree, channels first'],
    [[4, 33, 33, 3], 3, 'tree, NHWC'],
    [[2, 70, 33], 1, 'serial, many channels'],
    [[1, 1], 1, 'one element'],
  ];
  for (const [shape, axis, kind] of layouts) {
    it(`${kind} ${shape}: moments (mean 100 off zero), affine, sums, with gradients`, async () => {
      const c = [shape[axis]];
      const moments = await onBoth(
        backends.register,
        [randn(shape, 2, 100), randn([2, ...c])],
        withGrads((x) => ops.channelMoments(x, axis)),
      );
      expectClose(`channelMoments ${shape}`, moments.gpu, moments.cpu, ACCUMULATING, 1e-2);
      const affine = await onBoth(
        backends.register,
        [randn(shape), randn(c), randn(c), randn(c), randn(shape)],
        withGrads((x, center, scale, shift) => ops.channelAffine(x, center, scale, shift, axis)),
      );
      expectClose(`channelAffine ${shape}`, affine.gpu.slice(0, 1), affine.cpu.slice(0, 1), ELEMENTWISE);
      expectClose(
        `channelAffine ${shape} grads`,
        affine.gpu.slice(1),
        affine.cpu.slice(1),
        ACCUMULATING,
        1e-2,
      );
      const sums = await onBoth(
        backends.register,
        [randn(shape), randn(shape), randn(c), randn([2, ...c])],
        withGrads((dy, x, center) => ops.channelSums(dy, x, center, axis)),
      );
      // Each sum adds n unit-scale products, so its scale is sqrt(n); a sum that cancels to near
      // zero is judged against that scale, not its own (3000 terms gave 1.2e-4 against a floor of 1e-2).
      const n = shape.reduce((a, b) => a * b, 1) / c[0];
      expectClose(`channelSums ${shape}`, sums.gpu, sums.cpu, ACCUMULATING, 1e-2 * Math.max(1, Math.sqrt(n)));
    });
  }
});
