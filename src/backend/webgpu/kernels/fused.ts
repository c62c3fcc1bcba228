/**
 * The fused ops (src/graph/ops/fused.ts): the matmul and conv2d epilogues (their shaders), the activation
 * gradient (activation-grad.wgsl) and softmax cross-entropy (softmax-cross-entropy.wgsl).
 */
import { sizeOf } from '../../../graph/shape';
import type { WebGPUKernels } from '../kernel-types';
import { SHADERS } from '../shaders';
import { conv2d } from './conv';
import { chunked } from './elementwise';
import { ACTIVATION_CODES, matmul } from './nn';

/** Rows of class scores per workgroup, one thread each. */
const CROSS_ENTROPY_WG = 64;

function crossEntropyRows(
  mode: number,
  z: GPUBuffer,
  t: GPUBuffer,
  dy: GPUBuffer,
  classes: number,
  rows: number,
) {
  if (rows * classes === 0) return [];
  return [
    SHADERS.softmaxCrossEntropy.dispatch({
      inputs: [z, t, dy],
      params: { rows, classes },
      constants: { MODE: mode, WG: CROSS_ENTROPY_WG },
      workgroups: Math.ceil(rows / CROSS_ENTROPY_WG),
    }),
  ];
}

export const fusedKernels: WebGPUKernels<
  'fusedMatmul' | 'fusedConv2d' | 'activationGrad' | 'softmaxCrossEntropy' | 'softmaxCrossEntropyGrad'
> = {
  fusedMatmul: ([a, b, bias], outShape, params, env) =>
    matmul(a, b, bias, outShape, params, ACTIVATION_CODES[params.activation], env),
  fusedConv2d: ([x, w, bias], outShape, params, env) =>
    conv2d(x, w, bias, outShape, params, ACTIVATION_CODES[params.activation], env),
  activationGrad: ([dy, y], outShape, { activation }, env) =>
    chunked(
      env,
      sizeOf(outShape),
      SHADERS.activationGrad,
      [dy.buffer, y.buffer],
      {},
      {
        OP: ACTIVATION_CODES[activation],
      },
    ),
  softmaxCrossEntropy: ([z, t], outShape) =>
    crossEntropyRows(0, z.buffer, t.buffer, t.buffer, z.shape[z.shape.length - 1], sizeOf(outShape)),
  softmaxCrossEntropyGrad: ([dy, z, t]) =>
    crossEntropyRows(1, z.buffer, t.buffer, dy.buffer, z.shape[z.shape.length - 1], sizeOf(dy.shape)),
};
