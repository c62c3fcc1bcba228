/** The fused optimizer updates (shaders/optimizer.wgsl), one dispatch per updated tensor. */
import { sizeOf } from '../../../graph/shape';
import type { WebGPUKernels } from '../kernel-types';
import { ParamWords } from '../params';
import { SHADERS } from '../shaders';
import { chunked } from './elementwise';

const ADAM_PARTS = { m: 0, v: 1, w: 2 } as const;
const SGD_PARTS = { velocity: 0, w: 1 } as const;
const RMSPROP_PARTS = { velocity: 0, average: 1, momentum: 2, w: 3 } as const;

export const optimizerKernels: WebGPUKernels<'adamUpdate' | 'sgdUpdate' | 'rmspropUpdate'> = {
  adamUpdate: (inputs, outShape, { part, beta1, beta2, epsilon }, env) => {
    const words = new ParamWords()
      .f(1, beta1)
      .f(2, 1 - beta1)
      .f(3, beta2)
      .f(4, 1 - beta2)
      .f(5, epsilon);
    return chunked(
      env,
      sizeOf(outShape),
      SHADERS.optimizer,
      inputs.map((x) => x.buffer),
      words,
      { OP: 0, PART: ADAM_PARTS[part] },
    );
  },
  sgdUpdate: ([w, g, velocity, lr], outShape, { part, momentum, nesterov }, env) => {
    const words = new ParamWords().f(1, momentum).u(6, nesterov ? 1 : 0);
    const buffers = [w, g, velocity, velocity, lr, lr].map((x) => x.buffer);
    return chunked(env, sizeOf(outShape), SHADERS.optimizer, buffers, words, {
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
    return chunked(env, sizeOf(outShape), SHADERS.optimizer, buffers, words, {
      OP: 2,
      PART: RMSPROP_PARTS[params.part],
    });
  },
};
