/**
 * The per-channel batch-norm parts (src/graph/ops/channel.ts): the two reductions (one thread per
 * channel, or one workgroup per channel for few long ones, by the same rule as sum and max, or what
 * tuning chose: reduce-candidates.ts) and the affine map (channel-affine.wgsl).
 */
import { sizeOf, splitAt } from '../../../graph/shape';
import type { GpuInput, KernelDispatch, KernelEnv, WebGPUKernels } from '../kernel-types';
import { SHADERS } from '../shaders';
import { chunked } from './elementwise';
import { chooseReduce, reduceDispatches } from './reduce-candidates';
import { channelReduceShape } from './reduce-shapes';

function channelReduction(
  op: 'channelMoments' | 'channelSums',
  inputs: readonly GpuInput[],
  axis: number,
  env: KernelEnv,
): KernelDispatch[] {
  const x = inputs[op === 'channelMoments' ? 0 : 1];
  // No elements (an empty batch) or no channels: nothing to reduce.
  if (sizeOf(x.shape) === 0) return [];
  const shape = channelReduceShape(op, x.shape, axis);
  return reduceDispatches(
    chooseReduce(env, shape),
    shape,
    inputs.map((t) => t.buffer),
  );
}

export const channelKernels: WebGPUKernels<'channelMoments' | 'channelAffine' | 'channelSums'> = {
  channelMoments: (inputs, _outShape, { axis }, env) => channelReduction('channelMoments', inputs, axis, env),
  channelSums: (inputs, _outShape, { axis }, env) => channelReduction('channelSums', inputs, axis, env),
  channelAffine: (inputs, outShape, { axis }, env) => {
    const [, channels, inner] = splitAt(inputs[0].shape, axis);
    return chunked(
      env,
      sizeOf(outShape),
      SHADERS.channelAffine,
      inputs.map((t) => t.buffer),
      { channels, inner },
    );
  },
};
