/** Reductions over any set of axes, with or without keeping the reduced axes as size 1. */
import { fmtShape, InvalidArgumentError } from '../../errors';
import { registerOps, runOp } from '../engine';
import type { OpDef, OpDefs } from '../op-def';
import { normalizeAxes, reducedShape, type Shape, sizeOf } from '../shape';
import type { Tensor } from '../tensor';
import { div, equal, mul, sub } from './binary';
import { broadcastTo, reshape } from './layout';
import { square } from './unary';

type Reduction = 'sum' | 'max';

function reduction<K extends Reduction>(op: K, backward: OpDef<K>['backward']): OpDef<K> {
  return {
    arity: 1,
    shape: ([x], { axes, keepDims }) => {
      for (const a of axes) {
        if (!Number.isInteger(a) || a < 0 || a >= x.length) {
          throw new InvalidArgumentError(`${op}: axis ${a} is out of range for shape ${fmtShape(x)}`);
        }
      }
      return reducedShape(x, axes, keepDims);
    },
    backward,
  };
}

/** The gradient of a reduction, shaped with the reduced axes kept as 1 so it broadcasts back. */
function keptDims(dy: Tensor, x: Shape, axes: readonly number[]): Tensor {
  return reshape(dy, reducedShape(x, axes, true));
}

export const reduceOps: OpDefs<Reduction> = registerOps({
  sum: reduction('sum', ({ dy, inputs: [x], params: { axes } }) => [
    broadcastTo(keptDims(dy, x.shape, axes), x.shape),
  ]),
  // The gradient of a max goes to the elements equal to it, shared evenly among ties.
  max: reduction('max', ({ dy, inputs: [x], output: y, params: { axes } }) => {
    const isMax = equal(x, keptDims(y, x.shape, axes));
    const ties = sum(isMax, axes, true);
    return [mul(isMax, div(keptDims(dy, x.shape, axes), ties))];
  }),
});

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
