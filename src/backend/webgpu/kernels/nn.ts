/** matmul (its kernels and their choice in matmul.ts), softmax and log-softmax. */

import { sizeOf } from '../../../graph/shape';
import type { WebGPUKernels } from '../kernel-types';
import { SHADERS } from '../shaders';
import { matmul } from './matmul';

export { matmul, matmulShader } from './matmul';

/** Threads per softmax line: a power of two (tree reduction); also lines per serial workgroup. */
const SOFTMAX_WG = 64;
/** Lines this short, or this many lines, run one thread per line (no barriers). */
const SOFTMAX_SERIAL_MAX_LENGTH = 1024;
const SOFTMAX_SERIAL_MIN_LINES = 64;

export const nnKernels: WebGPUKernels<'matmul' | 'softmax' | 'logSoftmax'> = {
  matmul: ([a, b], outShape, params, env) => matmul(a, b, null, outShape, params, 0, env),
  softmax: ([x], outShape, { axis }) => softmaxLines(x.buffer, outShape, axis, 0),
  logSoftmax: ([x], outShape, { axis }) => softmaxLines(x.buffer, outShape, axis, 1),
};

/** Codes of the matmul epilogue's activations (shaders/activation.wgsl `activate`). */
export const ACTIVATION_CODES = { linear: 0, relu: 1, sigmoid: 2, tanh: 3 } as const;

function softmaxLines(x: GPUBuffer, shape: readonly number[], axis: number, log: number) {
  const n = shape[axis];
  const inner = sizeOf(shape.slice(axis + 1));
  const lines = sizeOf(shape) / Math.max(n, 1);
  if (sizeOf(shape) === 0) return [];
  const serial = n <= SOFTMAX_SERIAL_MAX_LENGTH || lines >= SOFTMAX_SERIAL_MIN_LINES;
  return [
    SHADERS.softmax.dispatch({
      inputs: [x],
      params: { lines, lineLength: n, inner },
      constants: { LOG: log, WG: SOFTMAX_WG, SERIAL: serial ? 1 : 0 },
      workgroups: serial ? Math.ceil(lines / SOFTMAX_WG) : lines,
    }),
  ];
}
