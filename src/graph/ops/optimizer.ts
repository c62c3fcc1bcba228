/**
 * Fused optimizer updates: one elementwise op per updated tensor, so an Adam step is three passes
 * over a weight instead of a dozen. Ops have one output, so each slot is a `part` of one op that
 * recomputes inline what it needs (the weight's part recomputes m' and v'). The formulas, and the
 * order of their roundings, are those of the unfused optimizers in src/nn/optimizers:
 *   adamUpdate: m' = m b1 + g (1 - b1);  v' = v b2 + g g (1 - b2)
 *               w' = (w - w decay) - m' / (sqrt(v') + eps) alpha
 *   sgdUpdate:  velocity' = velocity momentum - g lr   (momentum 0: -(g lr), the slot unread)
 *               w' = w + velocity'  or, Nesterov, w + (velocity' momentum - g lr)
 * alpha, decay and lr are tensors of shape [] so a planned step can rewrite them each step.
 * The backwards are the exact vector-Jacobian products of these elementwise maps.
 */
import { fmtShape, InvalidArgumentError, ShapeError } from '../../errors';
import { registerOps, runOp } from '../engine';
import type { OpDefs } from '../op-def';
import type { OpParams } from '../op-params';
import { type Shape, shapesEqual } from '../shape';
import type { Tensor } from '../tensor';
import { add, div, mul, sub } from './binary';
import { sum } from './reduce';
import { sqrt } from './unary';
import { type TensorLike, toTensor } from './util';

/** `count` tensors shaped like the first, then scalars (shape []). */
function updateShape(op: string, count: number, inputs: readonly Shape[]): Shape {
  const [w] = inputs;
  inputs.forEach((s, k) => {
    if (k < count && !shapesEqual(s, w)) {
      throw new ShapeError(
        `${op}: input ${k} has shape ${fmtShape(s)}, expected the weight's ${fmtShape(w)}`,
      );
    }
    if (k >= count && s.length !== 0) {
      throw new ShapeError(`${op}: input ${k} must be a scalar of shape [], received ${fmtShape(s)}`);
    }
  });
  return w;
}

/** Adam's new moments, recomputed by the parts that need them. */
function adamMoments(g: Tensor, m: Tensor, v: Tensor, p: OpParams['adamUpdate']) {
  return {
    m1: add(mul(m, p.beta1), mul(g, 1 - p.beta1)),
    v1: add(mul(v, p.beta2), mul(mul(g, g), 1 - p.beta2)),
  };
}

export const optimizerOps: OpDefs<'adamUpdate' | 'sgdUpdate'> = registerOps({
  adamUpdate: {
    arity: 6,
    shape: (inputs, params) => {
      if (!['m', 'v', 'w'].includes(params.part)) {
        throw new InvalidArgumentError(`adamUpdate: part must be 'm', 'v' or 'w', received '${params.part}'`);
      }
      return updateShape('adamUpdate', 4, inputs);
    },
    backward: ({ inputs: [w, g, m, v, alpha, decay], dy, params }) => {
      const { part, beta1, beta2, epsilon } = params;
      if (part === 'm') return [null, mul(dy, 1 - beta1), mul(dy, beta1), null, null, null];
      if (part === 'v') {
        return [null, mul(mul(dy, g), 2 * (1 - beta2)), null, mul(dy, beta2), null, null];
      }
      const { m1, v1 } = adamMoments(g, m, v, params);
      const s = sqrt(v1);
      const denom = add(s, epsilon);
      // d/dm' = -alpha / denom;  d/dv' = alpha m' / denom^2 / (2 sqrt(v'))
      const dm1 = div(mul(mul(dy, alpha), -1), denom);
      const dv1 = div(mul(mul(dy, alpha), m1), mul(mul(denom, denom), mul(s, 2)));
      return [
        mul(dy, sub(1, decay)),
        add(mul(dm1, 1 - beta1), mul(mul(dv1, g), 2 * (1 - beta2))),
        mul(dm1, beta1),
        mul(dv1, beta2),
        mul(sum(mul(dy, div(m1, denom))), -1),
        mul(sum(mul(dy, w)), -1),
      ];
    },
  },
  sgdUpdate: {
    arity: 4,
    shape: (inputs, params) => {
      if (params.part !== 'velocity' && params.part !== 'w') {
        throw new InvalidArgumentError(
          `sgdUpdate: part must be 'velocity' or 'w', received '${String(params.part)}'`,
        );
      }
      return updateShape('sgdUpdate', 3, inputs);
    },
    backward: ({ inputs: [, g, , lr], dy, params: { part, momentum, nesterov } }) => {
      // velocity' = momentum velocity - lr g; Nesterov's w' adds momentum velocity' - lr g.
      const k = part === 'w' && nesterov ? 1 + momentum : 1;
      const dVelocity = part === 'w' && nesterov ? momentum * momentum : momentum;
      return [part === 'w' ? dy : null, mul(mul(dy, lr), -k), mul(dy, dVelocity), mul(sum(mul(dy, g)), -k)];
    },
  },
});

/** Adam's new `part` (m, v or the weight) of one weight; decay is AdamW's lr * weightDecay. */
export function adamUpdate(
  w: Tensor,
  g: Tensor,
  m: Tensor,
  v: Tensor,
  alpha: TensorLike,
  decay: TensorLike,
  params: OpParams['adamUpdate'],
): Tensor {
  return runOp('adamUpdate', [w, g, m, v, toTensor(alpha, w), toTensor(decay, w)], params);
}

/** SGD's new `part` (the velocity slot or the weight) of one weight. */
export function sgdUpdate(
  w: Tensor,
  g: Tensor,
  velocity: Tensor,
  lr: TensorLike,
  params: OpParams['sgdUpdate'],
): Tensor {
  return runOp('sgdUpdate', [w, g, velocity, toTensor(lr, w)], params);
}
