/**
 * Every matmul kernel tuning may pick (kernels/matmul.ts `matmulCandidates`, both candidate pools,
 * 'thorough', plus each rule's own), forced in turn through the backend's `choices`, against the
 * CPU on fresh random inputs, outputs poisoned with NaN: odd shapes (the vec4 kernel takes aligned
 * ones, its precondition), every transpose pair, a K longer than the split, and the fused bias and
 * activation epilogues. Each case first checks that the forced candidate is the one that runs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MatmulCandidate, MatmulShape } from '../../src/backend/webgpu/kernel-types';
import {
  builtinMatmul,
  candidateId,
  matmulCandidates,
} from '../../src/backend/webgpu/kernels/matmul-candidates';
import type { WebGPUBackend } from '../../src/backend/webgpu/webgpu-backend';
import { createGpu } from './harness';
import { expectCandidateMatchesCpu } from './matmul-runs';

let gpu: WebGPUBackend;
let forced: MatmulCandidate | undefined;
beforeAll(async () => {
  // The real-GPU rule ('tiled'), so a candidate that does not fit falls back to the GPU's kernel.
  gpu = await createGpu({ matmulVariant: 'tiled', choices: { matmul: () => forced } });
});
afterAll(() => gpu?.destroy());

/**
 * Every candidate either pool offers for a shape every kernel fits, deduplicated, with both rules'
 * choices; split-K across dispatches (slicedK) has a file of its own, sliced-matmul-candidates.test.ts.
 */
function everyCandidate(): MatmulCandidate[] {
  const aligned: MatmulShape = { m: 64, n: 64, k: 4096, transposeA: false, transposeB: false };
  const all = [
    ...(['register', 'tiled'] as const).flatMap((matmulVariant) => [
      builtinMatmul({ matmulVariant }, aligned),
      ...matmulCandidates(aligned, { matmulVariant }, gpu.device.limits, true),
    ]),
    builtinMatmul({ matmulVariant: 'register' }, { ...aligned, k: 3 }),
  ];
  const here = all.filter((c) => c.kind !== 'slicedK');
  return [...new Map(here.map((c) => [candidateId(c), c])).values()];
}

type Case = [m: number, k: number, n: number];
/**
 * Odd sizes: ragged edges of every block size, a K longer than every split but one and a multiple
 * of none. The vec4 kernel takes aligned ones (its precondition). One shape per candidate keeps
 * the pipelines compiled affordable on SwiftShader.
 */
const ODD: Case = [37, 131, 45];
const ALIGNED: Case = [36, 132, 12];

/** One candidate on its shape, every run of MATMUL_RUNS (matmul-runs.ts). */
async function checkCandidate(c: MatmulCandidate) {
  forced = c;
  await expectCandidateMatchesCpu(gpu, c, c.kind === 'vec4' ? ALIGNED : ODD);
}

describe('every matmul candidate tuning may pick, against the CPU', () => {
  it('covers each kernel kind', () => {
    const kinds = new Set(everyCandidate().map((c) => c.kind));
    expect([...kinds].sort()).toEqual(['register', 'splitK', 'tiled', 'vec4']);
  });
  for (const kind of ['register', 'vec4', 'tiled', 'splitK'] as const) {
    it(`${kind} candidates: odd shapes, every transpose pair, epilogues`, async () => {
      for (const c of everyCandidate().filter((x) => x.kind === kind)) await checkCandidate(c);
    }, 300_000);
  }
});
