/**
 * Reductions over any set of axes, with or without keeping the reduced axes as size 1. Their
 * shapes and backwards are in defs/reduce.ts.
 */
import { fmtShape, InvalidArgumentError } from '../../errors';
import { runOp } from '../engine';
import { broadcastAxes, normalizeAxes, reducedShape, type Shape, shapesEqual, sizeOf } from '../shape';
import type { Tensor } from '../tensor';
import { div, square, sub } from './elementwise';
import { reshape } from './layout';

export type Axes = number | readonly number[];

/** Sum over `axes` (all axes when omitted). */
export function sum(x: Tensor, axes?: Axes, keepDims = false): Tensor {
  return runOp('sum', [x], { axes: normalizeAxes('sum', axes, x.rank), keepDims });
}

/** Maximum over `axes` (all axes when omitted). */
export function max(x: Tensor, axes?: Axes, keepDims = false): Tensor {
  const list = normalizeAxes('max', axes, x.rank);
  if (list.some((a) => x.shape[a] === 0)) {
    throw new InvalidArgumentError(`max: cannot reduce an empty axis of shape ${fmtShape(x.shape)}`);
  }
  return runOp('max', [x], { axes: list, keepDims });
}

/** Mean over `axes` (all axes when omitted). */
export function mean(x: Tensor, axes?: Axes, keepDims = false): Tensor {
  const list = normalizeAxes('mean', axes, x.rank);
  const count = sizeOf(list.map((a) => x.shape[a]));
  if (count === 0) {
    throw new InvalidArgumentError(`mean: cannot average an empty axis of shape ${fmtShape(x.shape)}`);
  }
  return div(sum(x, list, keepDims), count);
}

/**
 * Mean and (biased, population) variance over `axes`: the statistics batch normalisation uses,
 * over axis 0 for dense input or axes 0,1,2 for NHWC images.
 */
export function moments(x: Tensor, axes?: Axes, keepDims = false): { mean: Tensor; variance: Tensor } {
  const list = normalizeAxes('moments', axes, x.rank);
  const m = mean(x, list, true);
  const variance = mean(square(sub(x, m)), list, keepDims);
  return { mean: keepDims ? m : reshape(m, reducedShape(x.shape, list, false)), variance };
}

/** Sums a broadcast gradient back down to the shape of the input it came from. */
export function sumToShape(dy: Tensor, shape: Shape): Tensor {
  if (shapesEqual(dy.shape, shape)) return dy;
  return reshape(sum(dy, broadcastAxes(shape, dy.shape), true), shape);
}
