/** matmul (its kernels and their choice in matmul.ts), softmax and log-softmax. */

import { sizeOf } from '../../../graph/shape';
import type { KernelEnv, WebGPUKernels } from '../kernel-types';
import { matmul } from './matmul';
import { chooseReduce, reduceDispatches } from './reduce-candidates';
import { softmaxReduceShape } from './reduce-shapes';

export { matmul, matmulShader } from './matmul';

export const nnKernels: WebGPUKernels<'matmul' | 'softmax' | 'logSoftmax'> = {
  matmul: ([a, b], outShape, params, env) => matmul(a, b, null, outShape, params, 0, env),
  softmax: ([x], outShape, { axis }, env) => softmaxLines('softmax', x.buffer, outShape, axis, env),
  logSoftmax: ([x], outShape, { axis }, env) => softmaxLines('logSoftmax', x.buffer, outShape, axis, env),
};

/** Codes of the matmul epilogue's activations (shaders/activation.wgsl `activate`). */
export const ACTIVATION_CODES = { linear: 0, relu: 1, sigmoid: 2, tanh: 3 } as const;

/** Softmax lines: one thread or one workgroup per line by the reductions' rule, or what tuning chose. */
function softmaxLines(
  op: 'softmax' | 'logSoftmax',
  x: GPUBuffer,
  shape: readonly number[],
  axis: number,
  env: KernelEnv,
) {
  if (sizeOf(shape) === 0) return [];
  const lines = softmaxReduceShape(op, shape, axis);
  return reduceDispatches(chooseReduce(env, lines), lines, [x]);
}
