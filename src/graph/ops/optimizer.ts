/**
 * Fused optimizer updates: one elementwise op per weight with an output for each slot it keeps and
 * one for the weight (op-params.ts `outputNames`), so an Adam step is one pass over a weight
 * instead of a dozen. The formulas, and the order of their roundings, are those of the unfused
 * optimizers in src/nn/optimizers:
 *   adamUpdate: m' = m b1 + g (1 - b1);  v' = v b2 + g g (1 - b2)
 *               w' = (w - w decay) - m' / (sqrt(v') + eps) alpha
 *   sgdUpdate:  velocity' = velocity momentum - g lr   (momentum 0: -(g lr), the slot unread)
 *               w' = w + velocity'  or, Nesterov, w + (velocity' momentum - g lr)
 *   rmspropUpdate: v' = v rho + g g (1 - rho);  centred: a' = a rho + g (1 - rho)
 *               increment = g lr / sqrt((v' + eps) [- a' a'])
 *               momentum' = momentum mu + increment;  w' = w - increment, or w - momentum'
 * alpha, decay and lr are tensors of shape [] so a planned step can rewrite them each step.
 * The backwards (defs/optimizer.ts) are the exact vector-Jacobian products of these elementwise
 * maps, summed over the outputs the loss uses.
 */
import { runOpOutputs } from '../engine';
import { type OpParams, outputNames } from '../op-params';
import type { Tensor } from '../tensor';
import { type TensorLike, toTensor } from './util';

/** Adam's update of one weight: m', v' and w' in one op; decay is AdamW's lr * weightDecay. */
export function adamUpdate(
  w: Tensor,
  g: Tensor,
  m: Tensor,
  v: Tensor,
  alpha: TensorLike,
  decay: TensorLike,
  params: OpParams['adamUpdate'],
): { m: Tensor; v: Tensor; w: Tensor } {
  const [m1, v1, w1] = runOpOutputs(
    'adamUpdate',
    [w, g, m, v, toTensor(alpha, w), toTensor(decay, w)],
    params,
  );
  return { m: m1, v: v1, w: w1 };
}

/** RMSprop's new slots and weight in one op (op-params.ts `outputNames`). */
export interface RmspropOutputs {
  readonly velocity: Tensor;
  /** Centred only. */
  readonly average?: Tensor;
  /** With momentum only. */
  readonly momentum?: Tensor;
  readonly w: Tensor;
}

/**
 * RMSprop's update of one weight: the velocity, the average gradient (centred), the momentum slot
 * (momentum > 0) and the weight. Slots a configuration does not use may be any tensor shaped like
 * w (they are not read).
 */
export function rmspropUpdate(
  w: Tensor,
  g: Tensor,
  velocity: Tensor,
  average: Tensor,
  momentumSlot: Tensor,
  lr: TensorLike,
  params: OpParams['rmspropUpdate'],
): RmspropOutputs {
  const outs = runOpOutputs(
    'rmspropUpdate',
    [w, g, velocity, average, momentumSlot, toTensor(lr, w)],
    params,
  );
  const o = named(outputNames('rmspropUpdate', params), outs);
  return { velocity: o.velocity!, average: o.average, momentum: o.momentum, w: o.w! };
}

/** SGD's update of one weight: the velocity slot (with momentum) and the weight. */
export function sgdUpdate(
  w: Tensor,
  g: Tensor,
  velocity: Tensor,
  lr: TensorLike,
  params: OpParams['sgdUpdate'],
): { velocity?: Tensor; w: Tensor } {
  const outs = runOpOutputs('sgdUpdate', [w, g, velocity, toTensor(lr, w)], params);
  const o = named(outputNames('sgdUpdate', params), outs);
  return { velocity: o.velocity, w: o.w! };
}

function named(names: readonly string[], outputs: readonly Tensor[]): Partial<Record<string, Tensor>> {
  return Object.fromEntries(names.map((name, k) => [name, outputs[k]]));
}
