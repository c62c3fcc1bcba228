/**
 * RMSprop in Keras's form (epsilon inside the square root):
 *   v = rho v + (1 - rho) g^2;  centred: mg = rho mg + (1 - rho) g, denominator v - mg^2 + eps
 *   increment = lr g / sqrt(denominator);  with momentum: mom = momentum mom + increment, w -= mom
 * By default the fused rmspropUpdate op computes the slots and the weight (one pass).
 */
import { add, div, mul, rmspropUpdate, sqrt, sub } from '../../graph/ops/index';
import type { Tensor } from '../../graph/tensor';
import { checkRange, Optimizer, type OptimizerConfig, type StepScalars, type StepSlots } from './optimizer';

export interface RMSpropConfig extends OptimizerConfig {
  /** Default 0.9. */
  rho?: number;
  /** Default 0. */
  momentum?: number;
  /** Default 1e-7. */
  epsilon?: number;
  /** Divide by the variance rather than the second moment (default false). */
  centered?: boolean;
}

export class RMSprop extends Optimizer<RMSpropConfig> {
  static readonly className = 'RMSprop';

  constructor(config: RMSpropConfig = {}) {
    super(config, 0.001);
    checkRange('RMSprop', 'rho', config.rho ?? 0.9, 0, 1);
    checkRange('RMSprop', 'momentum', config.momentum ?? 0, 0, 1);
    checkRange('RMSprop', 'epsilon', config.epsilon ?? 1e-7, 0, Number.POSITIVE_INFINITY);
  }

  get slotKeys(): readonly string[] {
    const { momentum = 0, centered = false } = this.config;
    return ['velocity', ...(centered ? ['average_gradient'] : []), ...(momentum === 0 ? [] : ['momentum'])];
  }

  protected updateVariable(name: string, w: Tensor, g: Tensor, [lr]: StepScalars, slots: StepSlots): Tensor {
    const { rho = 0.9, momentum = 0, epsilon = 1e-7, centered = false } = this.config;
    if (this.fused) {
      const v0 = slots.get(name, 'velocity', w);
      // Slots this configuration lacks are not read: velocity stands in for them.
      const a0 = centered ? slots.get(name, 'average_gradient', w) : v0;
      const m0 = momentum === 0 ? v0 : slots.get(name, 'momentum', w);
      const next = rmspropUpdate(w, g, v0, a0, m0, lr, { rho, momentum, epsilon, centered });
      slots.set(name, 'velocity', next.velocity);
      if (next.average) slots.set(name, 'average_gradient', next.average);
      if (next.momentum) slots.set(name, 'momentum', next.momentum);
      return next.w;
    }
    const v = add(mul(slots.get(name, 'velocity', w), rho), mul(mul(g, g), 1 - rho));
    slots.set(name, 'velocity', v);
    let denominator = add(v, epsilon);
    if (centered) {
      const mg = add(mul(slots.get(name, 'average_gradient', w), rho), mul(g, 1 - rho));
      slots.set(name, 'average_gradient', mg);
      denominator = sub(denominator, mul(mg, mg));
    }
    const increment = div(mul(g, lr), sqrt(denominator));
    if (momentum === 0) return sub(w, increment);
    const mom = add(mul(slots.get(name, 'momentum', w), momentum), increment);
    slots.set(name, 'momentum', mom);
    return sub(w, mom);
  }
}
