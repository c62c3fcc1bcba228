/**
 * SGD with optional momentum and Nesterov momentum, in Keras's form:
 *   velocity = momentum * velocity - lr * g
 *   w += velocity                                  (classic)
 *   w += momentum * velocity - lr * g              (Nesterov)
 * By default each weight takes the fused sgdUpdate op (velocity and weight in one pass).
 */
import { add, mul, sgdUpdate, sub } from '../../graph/ops/index';
import type { Tensor } from '../../graph/tensor';
import { checkRange, Optimizer, type OptimizerConfig, type StepScalars, type StepSlots } from './optimizer';

export interface SGDConfig extends OptimizerConfig {
  /** Default 0 (plain gradient descent). */
  momentum?: number;
  nesterov?: boolean;
}

export class SGD extends Optimizer<SGDConfig> {
  static readonly className = 'SGD';

  constructor(config: SGDConfig = {}) {
    super(config, 0.01);
    checkRange('SGD', 'momentum', config.momentum ?? 0, 0, 1);
  }

  get slotKeys(): readonly string[] {
    return (this.config.momentum ?? 0) === 0 ? [] : ['momentum'];
  }

  protected updateVariable(name: string, w: Tensor, g: Tensor, [lr]: StepScalars, slots: StepSlots): Tensor {
    const momentum = this.config.momentum ?? 0;
    if (this.fused) {
      const nesterov = this.config.nesterov ?? false;
      // Without momentum there is no slot: g stands in for the velocity the kernel does not read.
      const velocity = momentum === 0 ? g : slots.get(name, 'momentum', w);
      const next = sgdUpdate(w, g, velocity, lr, { momentum, nesterov });
      if (next.velocity) slots.set(name, 'momentum', next.velocity);
      return next.w;
    }
    if (momentum === 0) return sub(w, mul(g, lr));
    const velocity = sub(mul(slots.get(name, 'momentum', w), momentum), mul(g, lr));
    slots.set(name, 'momentum', velocity);
    if (this.config.nesterov) return add(w, sub(mul(velocity, momentum), mul(g, lr)));
    return add(w, velocity);
  }
}
