/**
 * The fused optimizer updates: one dispatch per weight writing every output of the op (its slots'
 * next values and the weight's, op-params.ts `outputNames`): shaders/adam-update.wgsl,
 * sgd-update.wgsl and rmsprop-update.wgsl.
 */

import { BackendError } from '../../../errors';
import { type MultiOutputOp, type OpParams, outputNames } from '../../../graph/op-params';
import { sizeOf } from '../../../graph/shape';
import type { WebGPUKernels } from '../kernel-types';
import { SHADERS, UPDATE_SHADERS } from '../shaders';
import { chunked } from './elementwise';

/** The kernel of `op` (from its table of variants) writing the outputs `params` keep. */
function variant<K extends MultiOutputOp, T>(
  table: Readonly<Record<string, T>>,
  op: K,
  params: OpParams[K],
): T {
  const key = outputNames(op, params).join();
  const kernel = table[key];
  if (!kernel) throw new BackendError(`${op}: no WebGPU kernel writes the outputs ${key}`);
  return kernel;
}

export const optimizerKernels: WebGPUKernels<'adamUpdate' | 'sgdUpdate' | 'rmspropUpdate'> = {
  adamUpdate: (inputs, outShape, { beta1, beta2, epsilon }, env) =>
    chunked(
      env,
      sizeOf(outShape),
      SHADERS.adamUpdate,
      inputs.map((x) => x.buffer),
      { beta1, oneMinusBeta1: 1 - beta1, beta2, oneMinusBeta2: 1 - beta2, epsilon },
    ),
  sgdUpdate: (inputs, outShape, params, env) =>
    chunked(
      env,
      sizeOf(outShape),
      variant(UPDATE_SHADERS.sgdUpdate, 'sgdUpdate', params),
      inputs.map((x) => x.buffer),
      { momentum: params.momentum, nesterov: params.nesterov ? 1 : 0 },
    ),
  rmspropUpdate: (inputs, outShape, params, env) =>
    chunked(
      env,
      sizeOf(outShape),
      variant(UPDATE_SHADERS.rmspropUpdate, 'rmspropUpdate', params),
      inputs.map((x) => x.buffer),
      {
        rho: params.rho,
        oneMinusRho: 1 - params.rho,
        momentum: params.momentum,
        epsilon: params.epsilon,
        centered: params.centered ? 1 : 0,
      },
    ),
};
