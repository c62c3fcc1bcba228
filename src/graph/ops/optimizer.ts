/**
 * Fused optimizer updates: one elementwise op per updated tensor, so an Adam step is three passes
 * over a weight instead of a dozen. Ops have one output, so each slot is a `part` of one op that
 * recomputes inline what it needs (the weight's part recomputes m' and v'). The formulas, and the
 * order of their roundings, are those of the unfused optimizers in src/nn/optimizers:
 *   adamUpdate: m' = m b1 + g (1 - b1);  v' = v b2 + g g (1 - b2)
 *               w' = (w - w decay) - m' / (sqrt(v') + eps) alpha
 *   sgdUpdate:  velocity' = velocity momentum - g lr   (momentum 0: -(g lr), the slot unread)
 *               w' = w + velocity'  or, Nesterov, w + (velocity' momentum - g lr)
 *   rmspropUpdate: v' = v rho + g g (1 - rho);  centred: a' = a rho + g (1 - rho)
 *               increment = g lr / sqrt((v' + eps) [- a' a'])
 *               momentum' = momentum mu + increment;  w' = w - increment, or w - momentum'
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
import { neg, sqrt } from './unary';
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

/** RMSprop's new velocity, average gradient (centred) and increment, recomputed by the parts. */
function rmspropTerms(g: Tensor, v: Tensor, a: Tensor, lr: Tensor, p: OpParams['rmspropUpdate']) {
  const v1 = add(mul(v, p.rho), mul(mul(g, g), 1 - p.rho));
  const a1 = p.centered ? add(mul(a, p.rho), mul(g, 1 - p.rho)) : null;
  const denominator = a1 ? sub(add(v1, p.epsilon), mul(a1, a1)) : add(v1, p.epsilon);
  const root = sqrt(denominator);
  return { a1, denominator, increment: div(mul(g, lr), root), root };
}

const RMSPROP_PARTS: readonly string[] = ['velocity', 'average', 'momentum', 'w'];

export const optimizerOps: OpDefs<'adamUpdate' | 'sgdUpdate' | 'rmspropUpdate'> = registerOps({
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
  rmspropUpdate: {
    arity: 6,
    shape: (inputs, params) => {
      if (!RMSPROP_PARTS.includes(params.part)) {
        throw new InvalidArgumentError(
          `rmspropUpdate: part must be one of ${RMSPROP_PARTS.join(', ')}, received '${String(params.part)}'`,
        );
      }
      return updateShape('rmspropUpdate', 5, inputs);
    },
    // Every part but 'velocity' and 'average' flows through the increment g lr / sqrt(d), whose
    // upstream gradient u gives dg = u lr / sqrt(d), dlr = sum(u g / sqrt(d)) and
    // dd = -u increment / (2 d); d reaches v' (and -2 a' through a' when centred).
    backward: ({ inputs: [, g, v, a, , lr], dy, params }) => {
      const { part, rho, momentum, centered } = params;
      if (part === 'velocity') return [null, mul(mul(dy, g), 2 * (1 - rho)), mul(dy, rho), null, null, null];
      if (part === 'average') return [null, mul(dy, 1 - rho), null, mul(dy, rho), null, null];
      const { a1, denominator, increment, root } = rmspropTerms(g, v, a, lr, params);
      // The increment's upstream gradient: +dy in momentum', -dy in w'.
      const u = part === 'momentum' ? dy : neg(dy);
      const dd = div(mul(mul(u, increment), -0.5), denominator);
      let dg = add(div(mul(u, lr), root), mul(mul(dd, g), 2 * (1 - rho)));
      let da: Tensor | null = null;
      if (centered) {
        const da1 = mul(mul(dd, a1!), -2);
        dg = add(dg, mul(da1, 1 - rho));
        da = mul(da1, rho);
      }
      return [
        part === 'w' ? dy : null,
        dg,
        mul(dd, rho),
        da,
        momentum === 0 ? null : mul(u, momentum),
        sum(mul(u, div(g, root))),
      ];
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

/**
 * RMSprop's new `part` of one weight: the velocity, the average gradient (centred), the momentum
 * slot (momentum > 0) or the weight. Slots a configuration does not use may be any tensor shaped
 * like w (they are not read).
 */
export function rmspropUpdate(
  w: Tensor,
  g: Tensor,
  velocity: Tensor,
  average: Tensor,
  momentumSlot: Tensor,
  lr: TensorLike,
  params: OpParams['rmspropUpdate'],
): Tensor {
  return runOp('rmspropUpdate', [w, g, velocity, average, momentumSlot, toTensor(lr, w)], params);
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
