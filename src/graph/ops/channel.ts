/**
 * Per-channel ops, the parts of batch normalisation. `axis` is the channel axis of x (the last of
 * NHWC images and of dense activations, 1 for channels-first); every other axis is reduced, N
 * elements per channel. Per-channel vectors are [C]; two of them stack as [2, C].
 *   channelMoments(x)              [mean; biased variance] of each channel (two passes, stable)
 *   channelAffine(x, c, s, h)      y = (x - c) s + h per channel: normalisation with given statistics
 *   channelSums(dy, x, c)          [sum dy (x - c); sum dy] per channel: the reductions of its backward
 * A training step's batch norm is moments then affine forward, and two sums, two affines and a few
 * [C]-sized ops backward: each pass over the activations is one kernel. Their shapes and backwards
 * are in defs/channel.ts. `batchNorm` at the end is the same normalisation from elementwise ops,
 * for statistics of any broadcastable shape.
 */
import { InvalidArgumentError } from '../../errors';
import { runOp } from '../engine';
import { normalizeAxis } from '../shape';
import type { Tensor } from '../tensor';
import { add, div, mul, sqrt, sub } from './elementwise';
import { reshape, slice } from './layout';

/** Each channel's mean and biased variance, as [2, C]: row 0 the means, row 1 the variances. */
export function channelMoments(x: Tensor, axis = -1): Tensor {
  return runOp('channelMoments', [x], { axis: normalizeAxis('channelMoments', axis, x.rank) });
}

/** (x - center) * scale + shift, each a [C] vector applied along the channel axis. */
export function channelAffine(x: Tensor, center: Tensor, scale: Tensor, shift: Tensor, axis = -1): Tensor {
  return runOp('channelAffine', [x, center, scale, shift], {
    axis: normalizeAxis('channelAffine', axis, x.rank),
  });
}

/** Per channel, [sum(dy * (x - center)); sum(dy)] as [2, C]. */
export function channelSums(dy: Tensor, x: Tensor, center: Tensor, axis = -1): Tensor {
  return runOp('channelSums', [dy, x, center], { axis: normalizeAxis('channelSums', axis, x.rank) });
}

/** Splits a [2, C] stack of per-channel rows (channelMoments, channelSums) into its two rows. */
export function channelRows(stack: Tensor): [Tensor, Tensor] {
  return [channelRow(stack, 0), channelRow(stack, 1)];
}

/** Row r of a [2, C] stack of per-channel rows, as [C]. */
export function channelRow(stack: Tensor, r: 0 | 1): Tensor {
  const c = stack.shape[1];
  return reshape(slice(stack, [r, 0], [1, c]), [c]);
}

/**
 * Batch normalisation with given statistics: (x - mean) / sqrt(variance + epsilon) * gamma + beta.
 * mean, variance, gamma and beta broadcast against x (keep the reduced axes as 1, or pass 1-D
 * per-channel tensors for a channels-last x).
 */
export function batchNorm(
  x: Tensor,
  mean: Tensor,
  variance: Tensor,
  gamma: Tensor | null,
  beta: Tensor | null,
  epsilon = 1e-3,
): Tensor {
  if (!(epsilon > 0)) {
    throw new InvalidArgumentError(`batchNorm: epsilon must be positive, received ${epsilon}`);
  }
  let y = div(sub(x, mean), sqrt(add(variance, epsilon)));
  if (gamma) y = mul(y, gamma);
  if (beta) y = add(y, beta);
  return y;
}
