/**
 * The per-channel batch-norm parts (src/graph/ops/channel.ts): the two reductions (one thread per
 * channel, or one workgroup per channel for few long ones, by the same rule as sum and max) and
 * the affine map (channel-affine.wgsl).
 */
import { sizeOf, splitAt } from '../../../graph/shape';
import type { GpuInput, KernelDispatch, WebGPUKernels } from '../kernel-types';
import { SHADERS } from '../shaders';
import { chunked } from './elementwise';
import { serialReduction } from './reduce';

/** Threads per workgroup: channels per workgroup, or a tree's width (a power of two). */
const CHANNEL_WG = 64;

function channelReduction(mode: number, inputs: readonly GpuInput[], axis: number): KernelDispatch[] {
  const x = inputs[mode === 0 ? 0 : 1];
  const [outer, channels, inner] = splitAt(x.shape, axis);
  const n = outer * inner;
  if (channels * n === 0) return [];
  const serial = serialReduction(n, channels);
  const [a, xs, center] = mode === 0 ? [x, x, x] : inputs;
  return [
    (serial ? SHADERS.channelReduce : SHADERS.channelReduceTree).dispatch({
      inputs: [a.buffer, xs.buffer, center.buffer],
      params: { channels, inner, perChannel: n },
      constants: { MODE: mode, SIMPLE: inner === 1, WG: CHANNEL_WG },
      workgroups: serial ? Math.ceil(channels / CHANNEL_WG) : channels,
    }),
  ];
}

export const channelKernels: WebGPUKernels<'channelMoments' | 'channelAffine' | 'channelSums'> = {
  channelMoments: (inputs, _outShape, { axis }) => channelReduction(0, inputs, axis),
  channelSums: (inputs, _outShape, { axis }) => channelReduction(1, inputs, axis),
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
