/**
 * The 'register' matmul's two shaders against the CPU on fresh random inputs, outputs poisoned with
 * NaN: the 8x8 vec4 kernel (shapes whose vec4 views fit, on and off its 32x64 tile, the W2 MLP's
 * forward and backward shapes) and the scalar 4x4 kernel it falls back to. Each case first checks
 * that its shape reaches the shader it is meant to test, so a change in the selection cannot leave
 * a shader untested.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matmulShader } from '../../src/backend/webgpu/kernels/nn';
import { SHADERS } from '../../src/backend/webgpu/shaders';
import type { WebGPUBackend } from '../../src/backend/webgpu/webgpu-backend';
import { valueAndGrad } from '../../src/graph/autodiff';
import * as ops from '../../src/graph/ops';
import { ACCUMULATING, createGpu, expectClose, onBoth, randn } from './harness';

let gpu: WebGPUBackend;
beforeAll(async () => {
  gpu = await createGpu({ matmulVariant: 'register' });
});
afterAll(() => gpu?.destroy());

type Case = [m: number, k: number, n: number, transposeA: boolean, transposeB: boolean];

/** Every transpose pair, at sizes that are multiples of 4: inside one tile, across tiles with ragged edges. */
const VEC4: Case[] = [
  [4, 4, 4],
  [36, 20, 44],
  [132, 8, 68],
  [64, 128, 192],
].flatMap(([m, k, n]) => [false, true].flatMap((ta) => [false, true].map((tb): Case => [m, k, n, ta, tb])));

/** The matmuls of W2's training step (MLP 784-256-128-10, batch 128) that take the vec4 kernel. */
const W2: Case[] = [
  [128, 784, 256, false, false],
  [128, 256, 128, false, false],
  [784, 128, 256, true, false],
  [256, 128, 128, true, false],
  [128, 256, 784, false, true],
  [128, 128, 256, false, true],
];

/** One condition of the vec4 kernel broken at a time: K, then M (A transposed), then N (B not). */
const SCALAR: Case[] = [
  [8, 6, 8, false, false],
  [8, 6, 8, true, true],
  [6, 8, 8, true, false],
  [8, 8, 6, false, false],
  [8, 8, 6, true, false],
  [128, 128, 10, false, false],
  [128, 10, 128, false, true],
  [128, 128, 10, true, false],
];

function check(cases: Case[], shader: typeof SHADERS.matmulVec4, withGrads: boolean) {
  return async () => {
    for (const [m, k, n, transposeA, transposeB] of cases) {
      const label = `${m}x${k}x${n} transposes ${transposeA}/${transposeB}`;
      expect(matmulShader(gpu.env, m, n, k, transposeA, transposeB).name, label).toBe(shader.name);
      const opts = { transposeA, transposeB };
      const r = await onBoth(
        gpu,
        [randn(transposeA ? [k, m] : [m, k]), randn(transposeB ? [n, k] : [k, n]), randn([m, n])],
        (a, b, w) => [
          ops.matmul(a, b, opts),
          ...(withGrads
            ? valueAndGrad((p, q) => ops.sum(ops.mul(ops.matmul(p, q, opts), w)))(a, b).grads
            : []),
        ],
      );
      // Values are sums of k products of unit normals: compare against their scale, not 0.
      expectClose(`matmul ${label}`, r.gpu, r.cpu, ACCUMULATING, 1);
    }
  };
}

describe('register matmul shaders', () => {
  it(
    'vec4 8x8 kernel: every transpose pair, in and across tiles, forward and gradients',
    check(VEC4, SHADERS.matmulVec4, true),
  );
  it('vec4 8x8 kernel: the W2 training step shapes', check(W2, SHADERS.matmulVec4, false));
  it('scalar 4x4 fallback where a vec4 view does not fit', check(SCALAR, SHADERS.matmulRegister, false));

  it('vec4 8x8 kernel with the fused bias and activation epilogue', async () => {
    for (const activation of ['linear', 'relu', 'sigmoid', 'tanh'] as const) {
      for (const [m, k, n, transposeA, transposeB] of [
        [36, 20, 44, false, false],
        [68, 12, 132, true, true],
      ] as Case[]) {
        expect(matmulShader(gpu.env, m, n, k, transposeA, transposeB).name).toBe(SHADERS.matmulVec4.name);
        const r = await onBoth(
          gpu,
          [randn(transposeA ? [k, m] : [m, k]), randn(transposeB ? [n, k] : [k, n]), randn([n])],
          (a, b, bias) => ops.fusedMatmul(a, b, bias, { transposeA, transposeB, activation }),
        );
        expectClose(`fusedMatmul ${activation} ${m}x${k}x${n}`, r.gpu, r.cpu, ACCUMULATING, 1);
      }
    }
  });
});
