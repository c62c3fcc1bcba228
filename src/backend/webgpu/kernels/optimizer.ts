/** The fused optimizer updates (shaders/optimizer.wgsl), one dispatch per updated tensor. */

import type { OpParams } from '../../../graph/op-params';
import { sizeOf } from '../../../graph/shape';
import type { GpuInput, KernelDispatch, KernelEnv, WebGPUKernels } from '../kernel-types';
import { SHADERS } from '../shaders';
import { chunked } from './elementwise';

const ADAM_PARTS = { m: 0, v: 1, w: 2 } as const;
const SGD_PARTS = { velocity: 0, w: 1 } as const;
const RMSPROP_PARTS = { velocity: 0, average: 1, momentum: 2, w: 3 } as const;

/** Adam's params (shaders/adam.wgsl). */
function adamParams({ beta1, beta2, epsilon }: Omit<OpParams['adamUpdate'], 'part'>) {
  return { beta1, oneMinusBeta1: 1 - beta1, beta2, oneMinusBeta2: 1 - beta2, epsilon };
}

/**
 * All three of Adam's parts of one weight in one dispatch with three outputs (m', v', w'; see
 * shaders/adam-step.wgsl): what the step executor runs for a traced weight's three adamUpdate ops.
 */
export function adamStep(
  inputs: readonly GpuInput[],
  params: Omit<OpParams['adamUpdate'], 'part'>,
  env: KernelEnv,
): KernelDispatch[] {
  return chunked(
    env,
    sizeOf(inputs[0].shape),
    SHADERS.adamStep,
    inputs.map((x) => x.buffer),
    adamParams(params),
  );
}

export const optimizerKernels: WebGPUKernels<'adamUpdate' | 'sgdUpdate' | 'rmspropUpdate'> = {
  adamUpdate: (inputs, outShape, { part, ...params }, env) =>
    chunked(
      env,
      sizeOf(outShape),
      SHADERS.optimizer,
      inputs.map((x) => x.buffer),
      adamParams(params),
      { OP: 0, PART: ADAM_PARTS[part] },
    ),
  sgdUpdate: ([w, g, velocity, lr], outShape, { part, momentum, nesterov }, env) => {
    const buffers = [w, g, velocity, velocity, lr, lr].map((x) => x.buffer);
    const sgd = { momentum, nesterov: nesterov ? 1 : 0 };
    return chunked(env, sizeOf(outShape), SHADERS.optimizer, buffers, sgd, {
      OP: 1,
      PART: SGD_PARTS[part],
    });
  },
  rmspropUpdate: ([w, g, velocity, average, slot, lr], outShape, params, env) => {
    const rmsprop = {
      rho: params.rho,
      oneMinusRho: 1 - params.rho,
      momentum: params.momentum,
      epsilon: params.epsilon,
      centered: params.centered ? 1 : 0,
    };
    const buffers = [w, g, velocity, average, lr, slot].map((x) => x.buffer);
    return chunked(env, sizeOf(outShape), SHADERS.optimizer, buffers, rmsprop, {
      OP: 2,
      PART: RMSPROP_PARTS[params.part],
    });
  },
};
