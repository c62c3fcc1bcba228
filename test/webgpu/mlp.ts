/** The small network the training tests use: a 2-layer MLP with softmax cross-entropy, from primitives. */
import type { CpuBackend } from '../../src/backend/cpu/cpu-backend';
import type { WebGPUBackend } from '../../src/backend/webgpu/webgpu-backend';
import { valueAndGrad } from '../../src/graph/autodiff';
import { tensor, withBackend } from '../../src/graph/engine';
import * as ops from '../../src/graph/ops';
import type { Shape } from '../../src/graph/shape';
import type { Tensor } from '../../src/graph/tensor';
import { integers, randn } from './harness';

export const BATCH = 33;
export const FEATURES = 7;
export const HIDDEN = 16;
export const CLASSES = 3;
export const LEARNING_RATE = 0.1;

export const PARAM_SHAPES: Shape[] = [[FEATURES, HIDDEN], [HIDDEN], [HIDDEN, CLASSES], [CLASSES]];

/** Mean softmax cross-entropy of the MLP on one batch. */
export function mlpLoss(x: Tensor, labels: Tensor, w1: Tensor, b1: Tensor, w2: Tensor, b2: Tensor): Tensor {
  const hidden = ops.relu(ops.add(ops.matmul(x, w1), b1));
  const logits = ops.add(ops.matmul(hidden, w2), b2);
  const picked = ops.sum(ops.mul(ops.oneHot(labels, CLASSES), ops.logSoftmax(logits, -1)), 1);
  return ops.neg(ops.mean(picked));
}

/** Fresh data and He-initialised weights: [x, labels, w1, b1, w2, b2]. */
export function mlpInit(): Float32Array[] {
  return [
    randn([BATCH, FEATURES]).values,
    integers([BATCH], CLASSES).values,
    randn(PARAM_SHAPES[0], Math.sqrt(2 / FEATURES)).values,
    randn(PARAM_SHAPES[1], 0.1).values,
    randn(PARAM_SHAPES[2], Math.sqrt(2 / HIDDEN)).values,
    randn(PARAM_SHAPES[3], 0.1).values,
  ];
}

/** One plain SGD step: new parameters p - lr * dp. */
export function sgd(params: readonly Tensor[], grads: readonly Tensor[]): Tensor[] {
  return params.map((p, k) => ops.sub(p, ops.mul(grads[k], ops.scalar(LEARNING_RATE))));
}

/** Trains eagerly with plain SGD; returns the loss before each step and the final weights. */
export async function trainEagerly(backend: WebGPUBackend | CpuBackend, init: Float32Array[], steps: number) {
  const [xv, yv, ...weights] = init;
  const losses: number[] = [];
  // withBackend is synchronous: each step is built inside it, its loss read outside.
  let [x, labels, params] = withBackend(
    backend,
    () =>
      [
        tensor(xv, [BATCH, FEATURES]),
        tensor(yv, [BATCH]),
        weights.map((w, k) => tensor(w, PARAM_SHAPES[k])),
      ] as const,
  );
  const step = valueAndGrad((...p: Tensor[]) => mlpLoss(x, labels, p[0], p[1], p[2], p[3]));
  for (let s = 0; s < steps; s++) {
    const value = withBackend(backend, () => {
      const { value, grads } = step(...params);
      params = sgd(params, grads);
      return value;
    });
    losses.push(await value.item());
  }
  return { losses, weights: await Promise.all(params.map((p) => p.data())) };
}
