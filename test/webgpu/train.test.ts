import { afterAll, beforeAll, expect, it } from 'vitest';
import type { CpuBackend } from '../../src/backend/cpu/cpu-backend';
import type { WebGPUBackend } from '../../src/backend/webgpu/webgpu-backend';
import { valueAndGrad } from '../../src/graph/autodiff';
import { tensor, withBackend } from '../../src/graph/engine';
import * as ops from '../../src/graph/ops';
import type { Tensor } from '../../src/graph/tensor';
import { cpu, createGpu, integers, randn } from './harness';

let gpu: WebGPUBackend;
beforeAll(async () => {
  gpu = await createGpu();
});
afterAll(() => gpu?.destroy());

const BATCH = 33;
const FEATURES = 7;
const HIDDEN = 16;
const CLASSES = 3;
const STEPS = 20;
const LEARNING_RATE = 0.1;

/** Mean softmax cross-entropy of a 2-layer MLP, from primitives. */
function loss(x: Tensor, labels: Tensor, w1: Tensor, b1: Tensor, w2: Tensor, b2: Tensor): Tensor {
  const hidden = ops.relu(ops.add(ops.matmul(x, w1), b1));
  const logits = ops.add(ops.matmul(hidden, w2), b2);
  const picked = ops.sum(ops.mul(ops.oneHot(labels, CLASSES), ops.logSoftmax(logits, -1)), 1);
  return ops.neg(ops.mean(picked));
}

/** Trains with plain SGD and returns the loss before each step. */
async function train(backend: WebGPUBackend | CpuBackend, init: Float32Array[], shapes: number[][]) {
  const [xv, yv, ...weights] = init;
  const losses: number[] = [];
  // withBackend is synchronous: each step is built inside it, its loss read outside.
  let [x, labels, params] = withBackend(
    backend,
    () =>
      [
        tensor(xv, [BATCH, FEATURES]),
        tensor(yv, [BATCH]),
        weights.map((w, k) => tensor(w, shapes[k])),
      ] as const,
  );
  const step = valueAndGrad((...p: Tensor[]) => loss(x, labels, p[0], p[1], p[2], p[3]));
  for (let s = 0; s < STEPS; s++) {
    const value = withBackend(backend, () => {
      const { value, grads } = step(...params);
      params = params.map((p, k) => ops.sub(p, ops.mul(grads[k], ops.scalar(LEARNING_RATE))));
      return value;
    });
    losses.push(await value.item());
  }
  return losses;
}

it('a small MLP trains for 20 steps to the same losses on WebGPU and on the CPU', async () => {
  const shapes = [[FEATURES, HIDDEN], [HIDDEN], [HIDDEN, CLASSES], [CLASSES]];
  const init = [
    randn([BATCH, FEATURES]).values,
    integers([BATCH], CLASSES).values,
    randn(shapes[0], Math.sqrt(2 / FEATURES)).values,
    randn(shapes[1], 0.1).values,
    randn(shapes[2], Math.sqrt(2 / HIDDEN)).values,
    randn(shapes[3], 0.1).values,
  ];
  const onGpu = await train(gpu, init, shapes);
  const onCpu = await train(cpu, init, shapes);
  for (let s = 0; s < STEPS; s++) {
    expect(
      Math.abs(onGpu[s] - onCpu[s]) / Math.abs(onCpu[s]),
      `step ${s}: ${onGpu[s]} vs ${onCpu[s]}`,
    ).toBeLessThan(1e-4);
  }
  // It learned: the loss fell.
  expect(onGpu[STEPS - 1]).toBeLessThan(onGpu[0] * 0.9);
  expect(gpu.error).toBeNull();
});
