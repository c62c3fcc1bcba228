/**
 * The long-K matmul candidates (kernels/matmul-candidates.ts): split-K across dispatches
 * ('slicedK': each body kernel over its slices of k into a temporary, then the slice-ordered sum
 * with the epilogue) and split-K within a workgroup by subgroups ('splitK N subgroups'), forced in
 * turn through the backend's `choices` against the CPU on fresh random inputs, outputs and
 * temporaries poisoned with NaN: odd shapes with ragged and empty slices, every transpose pair,
 * the fused bias and activation epilogues. Then the compiled-step path (its temporaries, a retune
 * into and out of split-K across dispatches), the tuner's timing of a two-dispatch candidate, and
 * the names, pools and refusals. Few pipelines: compiles are the cost on SwiftShader.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  MatmulCandidate,
  MatmulShape,
  TunedCandidate,
  WebGPUKernel,
} from '../../src/backend/webgpu/kernel-types';
import { webgpuKernels } from '../../src/backend/webgpu/kernels';
import { chooseMatmul } from '../../src/backend/webgpu/kernels/matmul';
import {
  candidateId,
  MAX_SLICED_SCRATCH_BYTES,
  matmulCandidates,
  parseCandidate,
} from '../../src/backend/webgpu/kernels/matmul-candidates';
import { StepPlan } from '../../src/backend/webgpu/plan';
import { parseTuned, tunedId } from '../../src/backend/webgpu/tune/families';
import { deviceTimer } from '../../src/backend/webgpu/tune/measure';
import { TUNED_OPS } from '../../src/backend/webgpu/tune/shapes';
import { MemoryTuningStore } from '../../src/backend/webgpu/tune/store';
import { WebGPUBackend } from '../../src/backend/webgpu/webgpu-backend';
import * as ops from '../../src/graph/ops';
import { ACCUMULATING, createGpu, expectClose, onBoth, randn } from './harness';
import { expectCandidateMatchesCpu } from './matmul-runs';

const kernels = webgpuKernels as unknown as Record<'fusedMatmul', WebGPUKernel<'fusedMatmul'>>;
let gpu: WebGPUBackend;
let forced: MatmulCandidate | undefined;
beforeAll(async () => {
  gpu = await createGpu({ matmulVariant: 'tiled', choices: { matmul: () => forced } });
});
afterAll(() => gpu?.destroy());

type Case = [m: number, k: number, n: number];
/**
 * Each candidate with the shape that exercises it: ragged edges of every block, slices of k that
 * are ragged (531 = 3 x 136 + 123 in parts of 8), an empty last slice (21 in 8 parts of 3), vec4's
 * aligned shape, and for the subgroup kernels a workgroup of several subgroups and the smallest
 * workgroup (4 threads: one subgroup on SwiftShader, part of one on NVIDIA's 32).
 */
const CASES: readonly [MatmulCandidate, Case][] = [
  [{ kind: 'slicedK', slices: 4, body: { kind: 'tiled', ts: 8 } }, [37, 531, 45]],
  [{ kind: 'slicedK', slices: 8, body: { kind: 'register', wg: 64 } }, [37, 21, 45]],
  [{ kind: 'slicedK', slices: 4, body: { kind: 'vec4', tx: 8, ty: 4 } }, [36, 132, 12]],
  [{ kind: 'splitK', split: 64, subgroups: true }, [37, 531, 45]],
  [{ kind: 'splitK', split: 4, subgroups: true }, [13, 131, 6]],
];

/** One candidate on its shape, every run of MATMUL_RUNS (matmul-runs.ts). */
async function checkCandidate(c: MatmulCandidate, shape: Case) {
  forced = c;
  await expectCandidateMatchesCpu(gpu, c, shape);
}

describe('long-K matmul candidates against the CPU', () => {
  for (const [c, shape] of CASES) {
    it(`${candidateId(c)}: every transpose pair, epilogues`, async () => {
      // The subgroup kernels run here, never skipped: SwiftShader offers subgroups (of 4). Their
      // refusal on a device without them is tested below, through the tuner's store.
      if (c.kind === 'splitK') expect(gpu.env.subgroups, 'the test adapter offers subgroups').toBe(true);
      await checkCandidate(c, shape);
      // An eager op's temporaries are gone once it is submitted.
      expect(gpu.counters.scratchBytes).toBe(0);
    }, 120_000);
  }
});

describe('split-K by subgroups where the subgroups are not aligned runs of threads', () => {
  it("adds the threads' own partials (forced by the kernel's THREAD_PARTS test aid)", async () => {
    expect(gpu.env.subgroups, 'the test adapter offers subgroups').toBe(true);
    const real = kernels.fusedMatmul;
    forced = { kind: 'splitK', split: 64, subgroups: true };
    kernels.fusedMatmul = (...args) =>
      real(...args).map((d) => ({ ...d, constants: { ...d.constants, THREAD_PARTS: 1 } }));
    try {
      const [m, k, n] = [37, 531, 45];
      const r = await onBoth(gpu, [randn([k, m]), randn([k, n]), randn([n])], (x, y, bias) =>
        ops.fusedMatmul(x, y, bias, { transposeA: true, activation: 'relu' }),
      );
      expectClose('splitK 64 subgroups, thread partials', r.gpu, r.cpu, ACCUMULATING, 1);
    } finally {
      kernels.fusedMatmul = real;
    }
  });
});

describe('split-K across dispatches in a compiled step', () => {
  const sliced: MatmulCandidate = { kind: 'slicedK', slices: 4, body: { kind: 'tiled', ts: 8 } };
  const [m, k, n] = [37, 531, 45];

  it('runs with the plan owning the partial sums, and a retune moves into and out of it', async () => {
    forced = undefined;
    const plan = StepPlan.build(gpu, [[m, k], [k, n], [n]], (x, w, bias) => [
      ops.fusedMatmul(x, w, bias, { activation: 'tanh' }),
    ]);
    /** Fresh inputs written to the plan; the CPU's result for them. */
    const fresh = async () => {
      const inputs = [randn([m, k]), randn([k, n]), randn([n])];
      inputs.forEach((v, i) => {
        plan.write(i, v.values);
      });
      const r = await onBoth(gpu, inputs, (p, q, b) => ops.fusedMatmul(p, q, b, { activation: 'tanh' }));
      return r.cpu;
    };
    const before = gpu.counters.scratchBytes;
    try {
      expect(plan.counters.dispatchesPerStep).toBe(1);
      forced = sliced;
      expect(plan.retune(TUNED_OPS)).toBe(2);
      expect(plan.counters.dispatchesPerStep).toBe(2);
      expect(gpu.counters.scratchBytes - before).toBe(4 * m * n * 4);
      for (let step = 0; step < 2; step++) {
        const want = await fresh();
        expectClose(`sliced step ${step}`, await plan.step([0]), want, ACCUMULATING, 1);
      }
      forced = undefined;
      expect(plan.retune(TUNED_OPS)).toBe(1);
      expect(plan.counters.dispatchesPerStep).toBe(1);
      const want = await fresh();
      expectClose('after the retune back', await plan.step([0]), want, ACCUMULATING, 1);
    } finally {
      plan.destroy();
    }
    expect(gpu.counters.scratchBytes).toBe(before);
  });

  it("the tuner's timer runs both dispatches with their temporary", async () => {
    const shape: MatmulShape = { m: 64, n: 64, k: 1024, transposeA: true, transposeB: false };
    const ms = await deviceTimer(gpu, 1)(sliced, shape);
    expect(ms).toBeGreaterThan(0);
    expect(Number.isFinite(ms)).toBe(true);
  });
});

describe('names, pools and refusals', () => {
  const limits = {
    maxComputeInvocationsPerWorkgroup: 256,
    maxComputeWorkgroupSizeX: 256,
    maxComputeWorkgroupSizeY: 256,
    maxComputeWorkgroupStorageSize: 16384,
  };
  const long: MatmulShape = { m: 64, n: 64, k: 4096, transposeA: true, transposeB: false };

  it('every candidate name reads back as the candidate', () => {
    const all = ['register', 'tiled'].flatMap((matmulVariant) =>
      matmulCandidates(long, { matmulVariant: matmulVariant as 'register', subgroups: true }, limits, true),
    );
    const ids = all.map(candidateId);
    expect(ids).toContain('slicedK 16 tiled 8');
    expect(ids).toContain('splitK 64 subgroups');
    for (const c of all) expect(parseCandidate(candidateId(c)), candidateId(c)).toEqual(c);
    for (const bad of ['slicedK 4 splitK 64', 'slicedK x tiled 8', 'tiled 8 subgroups', 'vec4 8x4 subgroups'])
      expect(parseCandidate(bad), bad).toBeUndefined();
  });

  it('offers split-K across dispatches for long K only, and within the temporary cap', () => {
    const offered = (shape: MatmulShape, matmulVariant: 'register' | 'tiled') =>
      matmulCandidates(shape, { matmulVariant }, limits, false).map(candidateId);
    // Tiled 8's 4 blocks of 32 x 32 times 32 parts of 128: 128 workgroups (parts stay 128 long at least).
    expect(offered(long, 'tiled')[0]).toBe('slicedK 32 tiled 8');
    // vec4 8x4's 2 tiles times 8 parts: a workgroup for each of 16 cores.
    expect(offered(long, 'register')[0]).toBe('slicedK 8 vec4 8x4');
    // W2's weight gradient (784 x 256 from K = 128): not long K.
    const w2 = { m: 784, n: 256, k: 128, transposeA: true, transposeB: false };
    expect(offered(w2, 'tiled').some((id) => id.startsWith('slicedK'))).toBe(false);
    // W2's first forward (128 x 784 x 256) is long K, but vec4 8x4 alone already runs 16
    // workgroups, one per core of an emulation; a GPU's tiled 8 runs 32 of its 256, times 4 parts
    // of 196 (8 would be shorter than 128).
    const forward = { m: 128, n: 256, k: 784, transposeA: false, transposeB: false };
    expect(offered(forward, 'register').some((id) => id.startsWith('slicedK'))).toBe(false);
    expect(offered(forward, 'tiled')[0]).toBe('slicedK 4 tiled 8');
    // A [256, 10] head over K = 60000 (full-batch): tiled 8's 8 blocks times 32 parts, 256 workgroups.
    expect(offered({ m: 256, n: 10, k: 60000, transposeA: true, transposeB: false }, 'tiled')[0]).toBe(
      'slicedK 32 tiled 8',
    );
    const huge = { m: 4096, n: 4096, k: 65536, transposeA: false, transposeB: false };
    expect(2 * huge.m * huge.n * 4).toBeGreaterThan(MAX_SLICED_SCRATCH_BYTES);
    expect(offered(huge, 'tiled').some((id) => id.startsWith('slicedK'))).toBe(false);
    expect(parseTuned('slicedK 2 tiled 8', huge, limits)).toBeUndefined();
    expect(parseTuned('slicedK 2 tiled 8', long, limits)).toBeDefined();
  });

  it('a subgroup kernel is refused without subgroups: not offered, not read from the store, not run', async () => {
    expect(matmulCandidates(long, { matmulVariant: 'tiled' }, limits, true).map(candidateId)).not.toContain(
      'splitK 64 subgroups',
    );
    expect(parseTuned('splitK 64 subgroups', long, limits, { subgroups: false })).toBeUndefined();
    expect(parseTuned('splitK 64 subgroups', long, limits, { subgroups: true })).toEqual({
      kind: 'splitK',
      split: 64,
      subgroups: true,
    });
    // Through the tuner: a choice stored on this adapter with subgroups on is not read back with them off.
    if (gpu.env.subgroups) {
      const store = new MemoryTuningStore();
      const timer = async (c: TunedCandidate) => (tunedId(c) === 'splitK 64 subgroups' ? 1 : 10);
      const tuning = {
        matmulVariant: 'tiled',
        tuning: 'quick',
        tuningStore: store,
        tuningTimer: timer,
      } as const;
      const first = await WebGPUBackend.create(tuning);
      const second = await WebGPUBackend.create({ ...tuning, subgroups: false });
      try {
        await first.tuner.request([long]);
        expect(candidateId(chooseMatmul(first.env, long))).toBe('splitK 64 subgroups');
        await second.tuner.request([long]);
        expect(second.tuner.info().fromCache).toBe(0);
        expect(candidateId(chooseMatmul(second.env, long))).not.toContain('subgroups');
      } finally {
        first.destroy();
        second.destroy();
      }
    }
    const off = await WebGPUBackend.create({
      subgroups: false,
      matmulVariant: 'tiled',
      choices: { matmul: () => ({ kind: 'splitK', split: 64, subgroups: true }) },
    });
    try {
      expect(off.env.subgroups).toBe(false);
      expect(candidateId(chooseMatmul(off.env, long))).toBe('tiled 16');
    } finally {
      off.destroy();
    }
  });
});
