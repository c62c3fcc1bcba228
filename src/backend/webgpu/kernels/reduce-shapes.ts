/**
 * Reductions as their kernels and the tuner see them (kernel-types.ts `ReduceShape`): x viewed as
 * kept axes by reduced axes, each side merged as far as the layout allows, for sum and max, the
 * channel reductions and softmax lines; and what a shape's class keys on (`reduceExtent`).
 */
import { type Shape, sizeOf, splitAt, stridesOf } from '../../../graph/shape';
import type { ReduceOp, ReduceShape } from '../kernel-types';
import { mergeAxes } from './layout';

/** A reduction's outputs, terms per output, and how they lie in memory (what its class keys on). */
export interface ReduceExtent {
  readonly outputs: number;
  readonly length: number;
  /**
   * 'rows': each output's terms adjacent (the last axis reduced); 'columns': outputs adjacent,
   * each output's terms a stride apart (the first axes reduced, channels last); 'strided': neither,
   * which the kernels address with per-axis divisions (their SIMPLE constant off).
   */
  readonly layout: 'rows' | 'columns' | 'strided';
}

export function reduceExtent(shape: ReduceShape): ReduceExtent {
  const outputs = sizeOf(shape.keptShape);
  const length = sizeOf(shape.reducedShape);
  const simple = shape.keptShape.length <= 1 && shape.reducedShape.length <= 1;
  const layout = !simple
    ? 'strided'
    : (shape.reducedStrides[0] ?? 1) === 1
      ? 'rows'
      : (shape.keptStrides[0] ?? 1) === 1
        ? 'columns'
        : 'strided';
  return { outputs, length, layout };
}

/** The view of x as kept axes by reduced axes, each side's axes merged where they can be. */
function view(reduce: ReduceOp, shape: Shape, reduced: readonly boolean[]): ReduceShape {
  const strides = stridesOf(shape);
  const pick = (keep: boolean, from: readonly number[]) => from.filter((_, d) => reduced[d] !== keep);
  const [keptShape, keptStrides] = mergeAxes(pick(true, shape), pick(true, strides));
  const [reducedShape, reducedStrides] = mergeAxes(pick(false, shape), pick(false, strides));
  return { reduce, keptShape, keptStrides, reducedShape, reducedStrides };
}

/** sum or max of x over `axes`. */
export function axesReduceShape(op: 'sum' | 'max', x: Shape, axes: readonly number[]): ReduceShape {
  return view(
    op,
    x,
    x.map((_, d) => axes.includes(d)),
  );
}

/** A channel reduction of x over every axis but `axis`, as [outer, C, inner] with C kept. */
export function channelReduceShape(
  op: 'channelMoments' | 'channelSums',
  x: Shape,
  axis: number,
): ReduceShape {
  const [outer, channels, inner] = splitAt(x, axis);
  return view(op, [outer, channels, inner], [true, false, true]);
}

/** Softmax lines along `axis` of x, as [outer, n, inner] with n reduced. */
export function softmaxReduceShape(op: 'softmax' | 'logSoftmax', x: Shape, axis: number): ReduceShape {
  const [outer, n, inner] = splitAt(x, axis);
  return view(op, [outer, n, inner], [false, true, false]);
}
