/** Shapes and backwards of the fused optimizer updates (../optimizer.ts gives their formulas). */
import { fmtShape, ShapeError } from '../../../errors';
import type { OpDefs } from '../../op-def';
import { type OpParams, outputNames } from '../../op-params';
import { type Shape, shapesEqual } from '../../shape';
import type { Tensor } from '../../tensor';
import { add, div, mul, neg, sqrt, sub } from '../elementwise';
import { sum } from '../reduce';

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

/** Per input, the sum of the gradients each output's part contributes (null: none). */
function sumOverOutputs(
  names: readonly string[],
  dys: readonly (Tensor | null)[],
  part: (name: string, dy: Tensor) => (Tensor | null)[],
): (Tensor | null)[] {
  let total: (Tensor | null)[] = [];
  names.forEach((name, k) => {
    const dy = dys[k];
    if (!dy) return;
    const grads = part(name, dy);
    total = grads.map((g, j) => (total[j] && g ? add(total[j]!, g) : (total[j] ?? g)));
  });
  return total;
}

/** Adam's input gradients through output `part` (m', v' or w'). */
function adamBackward(
  part: string,
  [w, g, m, v, alpha, decay]: readonly Tensor[],
  dy: Tensor,
  params: OpParams['adamUpdate'],
) {
  const { beta1, beta2, epsilon } = params;
  if (part === 'm') return [null, mul(dy, 1 - beta1), mul(dy, beta1), null, null, null];
  if (part === 'v') return [null, mul(mul(dy, g), 2 * (1 - beta2)), null, mul(dy, beta2), null, null];
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
}

/**
 * RMSprop's input gradients through output `part`. Every part but 'velocity' and 'average' flows
 * through the increment g lr / sqrt(d), whose upstream gradient u gives dg = u lr / sqrt(d),
 * dlr = sum(u g / sqrt(d)) and dd = -u increment / (2 d); d reaches v' (and -2 a' through a' when
 * centred).
 */
function rmspropBackward(
  part: string,
  [, g, v, a, , lr]: readonly Tensor[],
  dy: Tensor,
  params: OpParams['rmspropUpdate'],
) {
  const { rho, momentum, centered } = params;
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
}

export const optimizerOps: OpDefs<'adamUpdate' | 'sgdUpdate' | 'rmspropUpdate'> = {
  adamUpdate: {
    arity: 6,
    multiOutput: true,
    shape: (inputs) => updateShape('adamUpdate', 4, inputs),
    backward: ({ inputs, dys, params }) =>
      sumOverOutputs(outputNames('adamUpdate', params), dys, (part, dy) =>
        adamBackward(part, inputs, dy, params),
      ),
  },
  sgdUpdate: {
    arity: 4,
    multiOutput: true,
    shape: (inputs) => updateShape('sgdUpdate', 3, inputs),
    backward: ({ inputs: [, g, , lr], dys, params }) => {
      const { momentum, nesterov } = params;
      return sumOverOutputs(outputNames('sgdUpdate', params), dys, (part, dy) => {
        // velocity' = momentum velocity - lr g; Nesterov's w' adds momentum velocity' - lr g.
        const k = part === 'w' && nesterov ? 1 + momentum : 1;
        const dVelocity = part === 'w' && nesterov ? momentum * momentum : momentum;
        return [part === 'w' ? dy : null, mul(mul(dy, lr), -k), mul(dy, dVelocity), mul(sum(mul(dy, g)), -k)];
      });
    },
  },
  rmspropUpdate: {
    arity: 6,
    multiOutput: true,
    shape: (inputs) => updateShape('rmspropUpdate', 5, inputs),
    backward: ({ inputs, dys, params }) =>
      sumOverOutputs(outputNames('rmspropUpdate', params), dys, (part, dy) =>
        rmspropBackward(part, inputs, dy, params),
      ),
  },
};
