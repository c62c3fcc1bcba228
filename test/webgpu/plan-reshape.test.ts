/**
 * Reshapes in a planned step read their input's buffer under the new shape (no copy, no dispatch):
 * the values equal the CPU's, and the shared buffer outlives the last read of either name, so a
 * later node cannot be given it while a reshape of it is still to be read.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { StepPlan } from '../../src/backend/webgpu/plan';
import type { WebGPUBackend } from '../../src/backend/webgpu/webgpu-backend';
import { tensor, withBackend } from '../../src/graph/engine';
import * as ops from '../../src/graph/ops';
import type { Tensor } from '../../src/graph/tensor';
import { cpu, createGpu, expectClose, randn } from './harness';

let gpu: WebGPUBackend;
beforeAll(async () => {
  gpu = await createGpu();
});
afterAll(() => gpu?.destroy());

/**
 * h is read directly for the last time by exp, and then read again through r: if h's buffer were
 * freed after exp, v (same size) would take it and overwrite what r reads. The second output is a
 * reshape kept as an output, which must still be a copy of its own; x is reshaped as an input.
 */
function step(x: Tensor, b: Tensor): Tensor[] {
  const h = ops.add(x, b);
  const r = ops.reshape(ops.reshape(h, [6, 4]), [24]);
  const u = ops.exp(h);
  const v = ops.mul(u, u);
  const w = ops.add(ops.mul(r, ops.reshape(v, [24])), ops.reshape(x, [24]));
  return [w, ops.reshape(u, [2, 12]), ops.sum(ops.reshape(r, [4, 6]), 0)];
}

it('reshapes share their input buffer: CPU values, no dispatch of their own', async () => {
  const plan = StepPlan.build(gpu, [[4, 6], [6]], step);
  try {
    // add, exp, mul, mul, add, the kept reshape's copy, sum; the five other reshapes are free.
    expect(plan.counters.dispatchesPerStep).toBe(7);
    for (let round = 0; round < 2; round++) {
      const x = randn([4, 6], 0.5);
      const b = randn([6], 0.5);
      plan.write(0, x.values);
      plan.write(1, b.values);
      const got = await plan.step([0, 1, 2]);
      const expected = await Promise.all(
        withBackend(cpu, () => step(tensor(x.values, x.shape), tensor(b.values, b.shape))).map((t) =>
          t.data(),
        ),
      );
      expectClose(`round ${round}`, got, expected, 1e-5, 1);
    }
  } finally {
    plan.destroy();
  }
});
