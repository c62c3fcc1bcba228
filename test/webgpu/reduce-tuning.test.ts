/**
 * The reduction family in the autotuner (tune/), on a real device with the timing injected so that
 * no assertion depends on real speed: the rule is kept when no candidate beats it, a faster one is
 * picked and swapped into a compiled step (which still computes the CPU's values), subgroup kernels
 * are neither timed nor taken from the cache without the feature, the budget goes to the larger
 * matmul first, and reductions too small to matter are not timed at all.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { ConvShape, MatmulShape } from '../../src/backend/webgpu/kernel-types';
import {
  builtinReduce,
  chooseReduce,
  reduceCandidateId,
  reduceCandidates,
} from '../../src/backend/webgpu/kernels/reduce-candidates';
import {
  axesReduceShape,
  channelReduceShape,
  softmaxReduceShape,
} from '../../src/backend/webgpu/kernels/reduce-shapes';
import { shapeCost } from '../../src/backend/webgpu/tune/families';
import { programTunedShapes } from '../../src/backend/webgpu/tune/shapes';
import { MemoryTuningStore } from '../../src/backend/webgpu/tune/store';
import { shapeClass } from '../../src/backend/webgpu/tune/tuner';
import type { WebGPUBackend } from '../../src/backend/webgpu/webgpu-backend';
import { tensor, withBackend } from '../../src/graph/engine';
import * as ops from '../../src/graph/ops';
import { traceProgram } from '../../src/graph/program/trace';
import type { Shape } from '../../src/graph/shape';
import { cpu, expectClose, randn } from './harness';
import { destroyTunedGpus, tunedGpu } from './tuned-gpu';

afterAll(destroyTunedGpus);

/** 8 rows of 9000: few long outputs, so the rule is a 64-thread tree; 72,000 terms, enough to tune. */
const ROWS: Shape = [8, 9000];
const ROW_SUM = axesReduceShape('sum', ROWS, [1]);

/** A step computing y = sum(x, 1), compiled with tuning on. */
function rowSumStep(gpu: WebGPUBackend) {
  const program = traceProgram(
    { inputs: [{ name: 'x', shape: ROWS }], state: [] },
    (input) => ({ outputs: [['y', ops.sum(input.get('x')!, [1])]], state: new Map() }),
    gpu,
  );
  return gpu.compile(program, { reads: ['y'] });
}

describe('reductions in the autotuner', () => {
  it('keeps the rule when no candidate beats it by the margin, after timing them', async () => {
    const { gpu, runs } = await tunedGpu((id) => (id === 'reduce tree wg64' ? 10 : 9.8));
    expect(reduceCandidateId(builtinReduce(ROW_SUM))).toBe('reduce tree wg64');
    expect(await gpu.tuner.request([ROW_SUM])).toBe(false);
    expect(runs[0]).toBe('reduce tree wg64');
    expect(runs).toContain('reduce serial wg64');
    expect(reduceCandidateId(chooseReduce(gpu.env, ROW_SUM))).toBe('reduce tree wg64');
    expect(gpu.tuner.info().choices).toEqual([
      expect.objectContaining({ shape: 'sum rows 8x16384', kernel: 'reduce tree wg64', speedup: 1 }),
    ]);
  });

  it("a compiled step's reduction is tuned: the picked kernel is swapped in and matches the CPU", async () => {
    const { gpu } = await tunedGpu((id) => (id === 'reduce serial wg64' ? 2 : 10));
    const step = rowSumStep(gpu);
    const x = randn(ROWS);
    step.write('x', x.values);
    const [y0] = await step.step(['y']);
    await gpu.tuner.settled();
    expect(reduceCandidateId(chooseReduce(gpu.env, ROW_SUM))).toBe('reduce serial wg64');
    const before = gpu.counters.pipelinesCreated;
    const [y1] = await step.step(['y']);
    // The swap compiled the chosen kernel (the injected timer compiles nothing).
    expect(gpu.counters.pipelinesCreated).toBe(before + 1);
    const expected = await withBackend(cpu, () => ops.sum(tensor(x.values, ROWS), [1])).data();
    expectClose('row sums before tuning', [y0], [expected], 1e-4, 1);
    expectClose('row sums after tuning', [y1], [expected], 1e-4, 1);
    step.destroy();
  });

  it('a tuned two-pass sum reaches a compiled step, through the temporary it adds', async () => {
    const { gpu, runs } = await tunedGpu((id) => (id.includes(' x') ? 1 : 10));
    const step = rowSumStep(gpu);
    const x = randn(ROWS);
    step.write('x', x.values);
    await step.step(['y']);
    await gpu.tuner.settled();
    const picked = chooseReduce(gpu.env, ROW_SUM);
    expect(runs).toContain(reduceCandidateId(picked));
    expect(picked.parts).toBeGreaterThan(1);
    const scratchBefore = gpu.counters.scratchBytes;
    const [y] = await step.step(['y']);
    expect(gpu.counters.scratchBytes).toBeGreaterThan(scratchBefore);
    const expected = await withBackend(cpu, () => ops.sum(tensor(x.values, ROWS), [1])).data();
    expectClose('row sums in two passes', [y], [expected], 1e-4, 1);
    step.destroy();
  });

  it('GPUs try two passes first for few long sums; channel moments and softmax lines never get parts', () => {
    const activations = [64, 26, 26, 8];
    const bias = axesReduceShape('sum', activations, [0, 1, 2]);
    const gpuEnv = { matmulVariant: 'tiled', subgroups: false } as const;
    const devLimits = {
      maxComputeInvocationsPerWorkgroup: 256,
      maxComputeWorkgroupSizeX: 256,
      maxComputeWorkgroupSizeY: 256,
      maxComputeWorkgroupStorageSize: 16384,
    };
    const [first] = reduceCandidates(bias, gpuEnv, devLimits, false);
    // 8 outputs of 43,264 terms: 32 parts of 256 threads make 256 workgroups.
    expect(first).toEqual({ kind: 'reduce', mode: 'tree', wg: 256, parts: 32 });
    // channelSums splits as the sum does; the moments and softmax lines stay in one pass.
    const [sums] = reduceCandidates(
      channelReduceShape('channelSums', activations, 3),
      gpuEnv,
      devLimits,
      false,
    );
    expect(sums).toEqual({ kind: 'reduce', mode: 'tree', wg: 256, parts: 32 });
    for (const shape of [
      channelReduceShape('channelMoments', activations, 3),
      softmaxReduceShape('softmax', [4, 50000], 1),
    ]) {
      const pool = reduceCandidates(shape, gpuEnv, devLimits, true);
      expect(pool.every((c) => c.parts === undefined)).toBe(true);
    }
  });

  it('times no subgroup kernel without the feature, and refuses one a device with it stored', async () => {
    const store = new MemoryTuningStore();
    const fastest = 'reduce subgroup wg32';
    const withFeature = await tunedGpu((id) => (id === fastest ? 1 : 10), { tuningStore: store });
    if (!withFeature.gpu.env.subgroups) return; // an adapter without subgroups has nothing to refuse
    await withFeature.gpu.tuner.request([ROW_SUM]);
    expect(reduceCandidateId(chooseReduce(withFeature.gpu.env, ROW_SUM))).toBe(fastest);

    // The same adapter (the same cache entry) with subgroups turned off.
    const without = await tunedGpu(() => 10, { tuningStore: store, subgroups: false });
    expect(without.gpu.env.subgroups).toBe(false);
    await without.gpu.tuner.request([ROW_SUM]);
    expect(without.runs).toEqual([]);
    expect(chooseReduce(without.gpu.env, ROW_SUM)).toEqual(builtinReduce(ROW_SUM));

    const fresh = await tunedGpu(() => 10, { subgroups: false });
    await fresh.gpu.tuner.request([ROW_SUM]);
    expect(fresh.runs.length).toBeGreaterThan(1);
    expect(fresh.runs.some((id) => id.includes('subgroup'))).toBe(false);
  });

  it('spends the budget on a larger matmul first; the reduction it leaves keeps the rule', async () => {
    const forward: MatmulShape = { m: 128, n: 256, k: 784, transposeA: false, transposeB: false };
    // 30 ms of runs: the matmul's rule and two candidates, nothing left for the reduction.
    const { gpu, runs } = await tunedGpu(() => 10, { tuningBudgetMs: 30 });
    await gpu.tuner.request([ROW_SUM, forward]);
    expect(runs.every((id) => !id.startsWith('reduce'))).toBe(true);
    expect(gpu.tuner.info().choices.map((c) => c.shape)).toEqual([shapeClass(forward)]);
    expect(chooseReduce(gpu.env, ROW_SUM)).toEqual(builtinReduce(ROW_SUM));
  });

  it("orders W4's classes as their time per step on SwiftShader: convolutions, channel reductions, sum, matmul", () => {
    const conv: ConvShape = {
      op: 'conv2d',
      x: [64, 28, 28, 1],
      w: [3, 3, 1, 8],
      strides: [1, 1],
      padding: 'valid',
    };
    const activations = [64, 26, 26, 8];
    const moments = channelReduceShape('channelMoments', activations, 3);
    const bias = axesReduceShape('sum', activations, [0, 1, 2]);
    const dense: MatmulShape = { m: 64, n: 10, k: 1352, transposeA: false, transposeB: false };
    const order = [dense, bias, moments, conv].sort((a, b) => shapeCost(b) - shapeCost(a));
    expect(order).toEqual([conv, moments, bias, dense]);
  });

  it('a program tunes its large reductions, not the small ones', async () => {
    const { gpu } = await tunedGpu(() => 10);
    const program = traceProgram(
      { inputs: [{ name: 'x', shape: ROWS }], state: [] },
      (input) => {
        const x = input.get('x')!;
        const small = ops.slice(x, [0, 0], [8, 100]);
        return {
          outputs: [
            ['big', ops.sum(x, [1])],
            ['small', ops.max(small, [0])],
            ['lines', ops.softmax(x, 1)],
          ],
          state: new Map(),
        };
      },
      gpu,
    );
    const classes = programTunedShapes(program).map(shapeClass);
    expect(classes).toEqual(['sum rows 8x16384', 'softmax rows 8x16384']);
  });
});
