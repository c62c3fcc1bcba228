/** The fused optimizer updates (shaders/optimizer.wgsl), one dispatch per updated tensor. */

import type { OpParams } from '../../../graph/op-params';
import { sizeOf } from '../../../graph/shape';
import type { GpuInput, KernelDispatch, KernelEnv, WebGPUKernels } from '../kernel-types';
import { ParamWords } from '../params';
import { SHADERS } from '../shaders';
import { legacyChunked } from './elementwise';

const ADAM_PARTS = { m: 0, v: 1, w: 2 } as const;
const SGD_PARTS = { velocity: 0, w: 1 } as const;
const RMSPROP_PARTS = { velocity: 0, average: 1, momentum: 2, w: 3 } as const;

/** Adam's words 1-5 (shaders/adam.wgsl). */
function adamWords({ beta1, beta2, epsilon }: Omit<OpParams['adamUpdate'], 'part'>): ParamWords {
  return new ParamWords()
    .f(1, beta1)
    .f(2, 1 - beta1)
    .f(3, beta2)
    .f(4, 1 - beta2)
    .f(5, epsilon);
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
  return legacyChunked(
    env,
    sizeOf(inputs[0].shape),
    SHADERS.adamStep,
    inputs.map((x) => x.buffer),
    adamWords(params),
  ).map((d) => ({ ...d, outputs: 3 }));
}

export const optimizerKernels: WebGPUKernels<'adamUpdate' | 'sgdUpdate' | 'rmspropUpdate'> = {
  adamUpdate: (inputs, outShape, { part, ...params }, env) =>
    legacyChunked(
      env,
      sizeOf(outShape),
      SHADERS.optimizer,
      inputs.map((x) => x.buffer),
      adamWords(params),
      { OP: 0, PART: ADAM_PARTS[part] },
    ),
  sgdUpdate: ([w, g, velocity, lr], outShape, { part, momentum, nesterov }, env) => {
    const words = new ParamWords().f(1, momentum).u(6, nesterov ? 1 : 0);
    const buffers = [w, g, velocity, velocity, lr, lr].map((x) => x.buffer);
    return legacyChunked(env, sizeOf(outShape), SHADERS.optimizer, buffers, words, {
      OP: 1,
      PART: SGD_PARTS[part],
    });
  },
  rmspropUpdate: ([w, g, velocity, average, slot, lr], outShape, params, env) => {
    const words = new ParamWords()
      .f(1, params.rho)
      .f(2, 1 - params.rho)
      .f(3, params.momentum)
      .f(5, params.epsilon)
      .u(6, params.centered ? 1 : 0);
    const buffers = [w, g, velocity, average, lr, slot].map((x) => x.buffer);
    return legacyChunked(env, sizeOf(outShape), SHADERS.optimizer, buffers, words, {
      OP: 2,
      PART: RMSPROP_PARTS[params.part],
    });
  },
};
