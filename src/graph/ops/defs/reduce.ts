/** Shapes and backwards of the reductions (../reduce.ts). */
import { fmtShape, InvalidArgumentError } from '../../../errors';
import type { OpDef, OpDefs } from '../../op-def';
import { reducedShape, type Shape } from '../../shape';
import type { Tensor } from '../../tensor';
import { div, equal, mul } from '../elementwise';
import { broadcastTo, reshape } from '../layout';
import { sum } from '../reduce';

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

export const reduceOps: OpDefs<Reduction> = {
  sum: reduction('sum', ({ dy, inputs: [x], params: { axes } }) => [
    broadcastTo(keptDims(dy, x.shape, axes), x.shape),
  ]),
  // The gradient of a max goes to the elements equal to it, shared evenly among ties.
  max: reduction('max', ({ dy, inputs: [x], output: y, params: { axes } }) => {
    const isMax = equal(x, keptDims(y, x.shape, axes));
    const ties = sum(isMax, axes, true);
    return [mul(isMax, div(keptDims(dy, x.shape, axes), ties))];
  }),
};
