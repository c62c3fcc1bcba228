import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StepPlan } from '../../src/backend/webgpu/plan';
import type { WebGPUBackend } from '../../src/backend/webgpu/webgpu-backend';
import { valueAndGrad } from '../../src/graph/autodiff';
import { tensor, withBackend } from '../../src/graph/engine';
import * as ops from '../../src/graph/ops';
import type { Tensor } from '../../src/graph/tensor';
import { cpu, createGpu, expectClose, randn } from './harness';
import { BATCH, FEATURES, mlpInit, mlpLoss, PARAM_SHAPES, sgd, trainEagerly } from './mlp';

let gpu: WebGPUBackend;
beforeAll(async () => {
  gpu = await createGpu({ poisonOutputs: false });
});
afterAll(() => gpu?.destroy());

const STEPS = 20;

/** Inputs [x, labels, w1, b1, w2, b2]; outputs [loss, w1', b1', w2', b2'], fed back into the weights. */
function buildTrainingPlan(): StepPlan {
  return StepPlan.build(
    gpu,
    [[BATCH, FEATURES], [BATCH], ...PARAM_SHAPES],
    (x, labels, ...params) => {
      const { value, grads } = valueAndGrad((...p: Tensor[]) => mlpLoss(x, labels, p[0], p[1], p[2], p[3]))(
        ...params,
      );
      return [value, ...sgd(params, grads)];
    },
    { feedback: { 1: 2, 2: 3, 3: 4, 4: 5 } },
  );
}

describe('StepPlan: trace once, replay with one submit', () => {
  it('replays a training step to the CPU losses and weights, creating nothing after step one', async () => {
    const init = mlpInit();
    const plan = buildTrainingPlan();
    try {
      init.forEach((values, k) => {
        plan.write(k, values);
      });
      const losses: number[] = [];
      let afterFirst = gpu.counters;
      for (let s = 0; s < STEPS; s++) {
        const submitsBefore = gpu.counters.submits;
        const [loss] = await plan.step([0]);
        losses.push(loss[0]);
        // One submit per step: dispatches, feedback copies and the loss readback together.
        expect(gpu.counters.submits - submitsBefore, `submits in step ${s}`).toBe(1);
        if (s === 0) afterFirst = gpu.counters;
      }
      const end = gpu.counters;
      expect(end.buffersCreated, 'buffers created after step one').toBe(afterFirst.buffersCreated);
      expect(end.pipelinesCreated, 'pipelines created after step one').toBe(afterFirst.pipelinesCreated);
      expect(end.bytesAllocated).toBe(afterFirst.bytesAllocated);
      expect(plan.counters.submits).toBe(STEPS);

      const reference = await trainEagerly(cpu, init, STEPS);
      for (let s = 0; s < STEPS; s++) {
        expect(
          Math.abs(losses[s] - reference.losses[s]) / Math.abs(reference.losses[s]),
          `step ${s}`,
        ).toBeLessThan(1e-4);
      }
      const weights = await Promise.all([2, 3, 4, 5].map((i) => plan.readInput(i)));
      expectClose('weights after 20 planned steps', weights, reference.weights, 1e-4, 1);

      // Lifetime analysis: the intermediates share far fewer buffers than there are values.
      const c = plan.counters;
      expect(c.intermediateBuffers).toBeGreaterThan(0);
      expect(c.intermediateBuffers).toBeLessThan(c.intermediates / 2);
    } finally {
      plan.destroy();
    }
  });

  it('steps issued without waiting for their reads give the same losses as waited ones', async () => {
    const init = mlpInit();
    const losses = async (pipelined: boolean) => {
      const plan = buildTrainingPlan();
      try {
        init.forEach((values, k) => {
          plan.write(k, values);
        });
        const reads: Promise<Float32Array[]>[] = [];
        for (let s = 0; s < 6; s++) {
          const read = plan.step([0]);
          reads.push(read);
          if (!pipelined) await read;
        }
        return (await Promise.all(reads)).map(([loss]) => loss[0]);
      } finally {
        plan.destroy();
      }
    };
    const waited = await losses(false);
    expect(await losses(true)).toEqual(waited);
    expect(new Set(waited).size).toBe(waited.length);
  });

  it('a profiled step computes what a step computes and times every dispatch by op', async () => {
    const init = mlpInit();
    const run = async (profiled: boolean) => {
      const plan = buildTrainingPlan();
      try {
        init.forEach((values, k) => {
          plan.write(k, values);
        });
        const losses: number[] = [];
        let kernels: Awaited<ReturnType<StepPlan['profile']>>['kernels'] = [];
        for (let s = 0; s < 3; s++) {
          if (profiled) {
            const r = await plan.profile([0]);
            losses.push(r.outputs[0][0]);
            kernels = r.kernels;
          } else {
            losses.push((await plan.step([0]))[0][0]);
          }
        }
        return { losses, kernels, dispatches: plan.counters.dispatchesPerStep };
      } finally {
        plan.destroy();
      }
    };
    const plain = await run(false);
    const profiled = await run(true);
    expect(profiled.losses).toEqual(plain.losses);
    expect(profiled.kernels.reduce((n, k) => n + k.dispatches, 0)).toBe(plain.dispatches);
    expect(profiled.kernels.map((k) => k.op)).toContain('matmul');
    for (const k of profiled.kernels) expect(Number.isFinite(k.ms) && k.ms >= 0, k.op).toBe(true);
    // Sorted by time, most first.
    const ms = profiled.kernels.map((k) => k.ms);
    expect(ms).toEqual([...ms].sort((a, b) => b - a));
  });

  it('drops traced ops that no output depends on', async () => {
    const x = randn([5, 7]);
    const build = (withDeadOps: boolean) =>
      StepPlan.build(gpu, [[5, 7]], (t) => {
        if (withDeadOps) {
          // Computed and never used, like a softmax output no metric reads.
          ops.exp(ops.softmax(t));
        }
        return [ops.sum(ops.mul(t, t), [1])];
      });
    const plain = build(false);
    const pruned = build(true);
    try {
      plain.write(0, x.values);
      pruned.write(0, x.values);
      expect(pruned.counters.dispatchesPerStep).toBe(plain.counters.dispatchesPerStep);
      const [[a], [b]] = await Promise.all([plain.step([0]), pruned.step([0])]);
      expect(b).toEqual(a);
    } finally {
      plain.destroy();
      pruned.destroy();
    }
  });

  it('new inputs written between steps are used by the next step', async () => {
    const plan = StepPlan.build(gpu, [[7, 33], [33]], (x, w) => [
      ops.sum(ops.mul(x, w), 1),
      ops.softmax(x, -1),
    ]);
    try {
      for (let round = 0; round < 3; round++) {
        const x = randn([7, 33]);
        const w = randn([33]);
        plan.write(0, x.values);
        plan.write(1, w.values);
        const got = await plan.step([0, 1]);
        const expected = await Promise.all(
          (() => {
            const [xt, wt] = [x, w].map((v) => cpuTensor(v.values, v.shape));
            return [ops.sum(ops.mul(xt, wt), 1), ops.softmax(xt, -1)];
          })().map((t) => t.data()),
        );
        expectClose(`round ${round}`, got, expected, 1e-4, 1);
      }
    } finally {
      plan.destroy();
    }
  });

  it('rejects a traced step that reads values, and writes of the wrong size', async () => {
    let reading: Promise<Float32Array> | undefined;
    StepPlan.build(gpu, [[2]], (x) => {
      reading = x.data();
      return [x];
    }).destroy();
    await expect(reading).rejects.toThrow(/a traced step cannot read tensor values/);
    const plan = StepPlan.build(gpu, [[2]], (x) => [ops.neg(x)]);
    expect(() => plan.write(0, [1, 2, 3])).toThrow(/takes 2 values, received 3/);
    expect(() => plan.write(1, [1, 2])).toThrow(/not an input/);
    plan.destroy();
  });
});

function cpuTensor(values: Float32Array, shape: readonly number[]): Tensor {
  return withBackend(cpu, () => tensor(values, shape));
}
