/**
 * One matmul candidate against the CPU, as the candidate tests check it (matmul-candidates.test.ts,
 * sliced-matmul-candidates.test.ts): each transpose pair once, two of them through the fused
 * epilogue (bias + relu, bias + tanh). The epilogue is the same code whatever the operands' layout,
 * so every candidate still runs every pair, the plain store and both activations, in 4 pipelines
 * instead of 6; pipeline compiles are these tests' cost on SwiftShader.
 */
import { expect } from 'vitest';
import type { MatmulCandidate } from '../../src/backend/webgpu/kernel-types';
import { chooseMatmul } from '../../src/backend/webgpu/kernels/matmul';
import { candidateId } from '../../src/backend/webgpu/kernels/matmul-candidates';
import type { WebGPUBackend } from '../../src/backend/webgpu/webgpu-backend';
import * as ops from '../../src/graph/ops';
import { ACCUMULATING, expectClose, onBoth, randn } from './harness';

export const MATMUL_RUNS = [
  { transposeA: false, transposeB: false, activation: null },
  { transposeA: true, transposeB: true, activation: null },
  { transposeA: true, transposeB: false, activation: 'relu' },
  { transposeA: false, transposeB: true, activation: 'tanh' },
] as const;

/**
 * Checks that `gpu` (whose choices force `c`) runs `c` for an m x k x n product in every run of
 * MATMUL_RUNS, and that its results match the CPU's on fresh random operands.
 */
export async function expectCandidateMatchesCpu(
  gpu: WebGPUBackend,
  c: MatmulCandidate,
  [m, k, n]: readonly [number, number, number],
): Promise<void> {
  for (const { transposeA, transposeB, activation } of MATMUL_RUNS) {
    const label = `${candidateId(c)} ${m}x${k}x${n} transposes ${transposeA}/${transposeB} ${activation ?? 'plain'}`;
    expect(candidateId(chooseMatmul(gpu.env, { m, n, k, transposeA, transposeB })), label).toBe(
      candidateId(c),
    );
    const a = randn(transposeA ? [k, m] : [m, k]);
    const b = randn(transposeB ? [n, k] : [k, n]);
    const r = activation
      ? await onBoth(gpu, [a, b, randn([n])], (x, y, bias) =>
          ops.fusedMatmul(x, y, bias, { transposeA, transposeB, activation }),
        )
      : await onBoth(gpu, [a, b], (x, y) => ops.matmul(x, y, { transposeA, transposeB }));
    expectClose(`matmul ${label}`, r.gpu, r.cpu, ACCUMULATING, 1);
  }
}
