/**
 * Every matmul shader against a closed form, not against the CPU: with A[i][k] = (i + 1) a_k and
 * B[k][j] = (j + 1) b_k, the product is (i + 1)(j + 1) S with S = sum_k a_k b_k. All values are
 * integers below 2^24, so each output must be exact, at shapes with ragged tiles, for every
 * transpose pair, with the bias + relu epilogue too. A tile, edge or transposed-index bug that both
 * backends share (or that the CPU comparison's tolerance hides) fails here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CpuBackend } from '../../src/backend/cpu/cpu-backend';
import { matmulShader } from '../../src/backend/webgpu/kernels/nn';
import { SHADERS } from '../../src/backend/webgpu/shaders';
import type { WebGPUBackend } from '../../src/backend/webgpu/webgpu-backend';
import { tensor, withBackend } from '../../src/graph/engine';
import * as ops from '../../src/graph/ops';
import { createGpu } from './harness';

const backends: { register?: WebGPUBackend; tiled?: WebGPUBackend } = {};
beforeAll(async () => {
  backends.register = await createGpu({ matmulVariant: 'register' });
  backends.tiled = await createGpu({ matmulVariant: 'tiled' });
});
afterAll(() => {
  backends.register?.destroy();
  backends.tiled?.destroy();
});

const a = (k: number) => (k % 3) + 1;
const b = (k: number) => (k % 2) + 1;

/** A (m x k) and B (k x n) of the closed form, stored transposed where asked. */
function operands(m: number, k: number, n: number, transposeA: boolean, transposeB: boolean) {
  const av = new Float32Array(m * k);
  const bv = new Float32Array(k * n);
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) av[transposeA ? p * m + i : i * k + p] = (i + 1) * a(p);
  }
  for (let p = 0; p < k; p++) {
    for (let j = 0; j < n; j++) bv[transposeB ? j * k + p : p * n + j] = (j + 1) * b(p);
  }
  return {
    a: () => tensor(av, transposeA ? [k, m] : [m, k]),
    b: () => tensor(bv, transposeB ? [n, k] : [k, n]),
  };
}

function closedForm(m: number, k: number, n: number, at: (i: number, j: number, s: number) => number) {
  let s = 0;
  for (let p = 0; p < k; p++) s += a(p) * b(p);
  return Array.from({ length: m * n }, (_, e) => at(Math.floor(e / n), e % n, s));
}

type Shape3 = [m: number, k: number, n: number];
const CASES: { name: string; variant: 'register' | 'tiled'; shader: string; shapes: Shape3[] }[] = [
  { name: 'register vec4 8x8', variant: 'register', shader: SHADERS.matmulVec4.name, shapes: [[36, 20, 44]] },
  {
    name: 'register scalar 4x4',
    variant: 'register',
    shader: SHADERS.matmulRegister.name,
    shapes: [[7, 33, 5]],
  },
  { name: 'tiled', variant: 'tiled', shader: SHADERS.matmulTiled.name, shapes: [[65, 33, 17]] },
];

describe('matmul shaders against the closed form (i + 1)(j + 1) S', () => {
  for (const { name, variant, shader, shapes } of CASES) {
    for (const transposeA of [false, true]) {
      for (const transposeB of [false, true]) {
        it(`${name}, transposeA ${transposeA}, transposeB ${transposeB}: plain, + bias, relu(. - bias)`, async () => {
          const gpu = backends[variant]!;
          for (const [m, k, n] of shapes) {
            expect(matmulShader(gpu.env, m, n, k, transposeA, transposeB).name).toBe(shader);
            const { a: ta, b: tb } = operands(m, k, n, transposeA, transposeB);
            const opts = { transposeA, transposeB };
            // bias j, then a bias of -3 (j + 1) S, which makes rows 0-2 non-positive (row 2 exactly 0).
            const plain = closedForm(m, k, n, (i, j, s) => (i + 1) * (j + 1) * s);
            const biased = closedForm(m, k, n, (i, j, s) => (i + 1) * (j + 1) * s + j);
            const relu = closedForm(m, k, n, (i, j, s) => Math.max(0, (i - 2) * (j + 1) * s));
            const shift = closedForm(1, k, n, (_, j, s) => -3 * (j + 1) * s);
            for (const backend of [gpu, new CpuBackend('float32')]) {
              const [y, yb, yr] = withBackend(backend, () => [
                ops.matmul(ta(), tb(), opts),
                ops.fusedMatmul(ta(), tb(), tensor(Array.from({ length: n }, (_, j) => j)), opts),
                ops.fusedMatmul(ta(), tb(), tensor(shift), { ...opts, activation: 'relu' }),
              ]);
              const label = `${backend.name} ${m}x${k}x${n}`;
              expect(Array.from(await y.data()), label).toEqual(plain);
              expect(Array.from(await yb.data()), `${label} + bias`).toEqual(biased);
              expect(Array.from(await yr.data()), `${label} relu`).toEqual(relu);
            }
          }
        });
      }
    }
  }
});
