/**
 * Adam and AdamW, in Keras's form (epsilon outside the square root, bias correction folded into
 * the step size):
 *   m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2
 *   w -= lr * sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + epsilon)
 * AdamW first decays the weight itself, decoupled from the gradient: w -= lr * weightDecay * w.
 * By default the fused adamUpdate op computes m, v and w together (one pass over each weight).
 */
import { adamUpdate, add, div, mul, sqrt, sub } from '../../graph/ops/index';
import type { Tensor } from '../../graph/tensor';
import { checkRange, Optimizer, type OptimizerConfig, type StepScalars, type StepSlots } from './optimizer';

export interface AdamConfig extends OptimizerConfig {
  /** Default 0.9. */
  beta1?: number;
  /** Default 0.999. */
  beta2?: number;
  /** Default 1e-7. */
  epsilon?: number;
}

export class Adam<C extends AdamConfig = AdamConfig> extends Optimizer<C> {
  static readonly className: string = 'Adam';

  constructor(config: C = {} as C, defaultLearningRate = 0.001) {
    super(config, defaultLearningRate);
    checkRange(this.className, 'beta1', config.beta1 ?? 0.9, 0, 1);
    checkRange(this.className, 'beta2', config.beta2 ?? 0.999, 0, 1);
    checkRange(this.className, 'epsilon', config.epsilon ?? 1e-7, 0, Number.POSITIVE_INFINITY);
  }

  get slotKeys(): readonly string[] {
    return ['m', 'v'];
  }

  /** [alpha]: the step size with both bias corrections folded in. */
  protected override scalarsAt(lr: number, step: number): number[] {
    const { beta1 = 0.9, beta2 = 0.999 } = this.config;
    return [(lr * Math.sqrt(1 - beta2 ** step)) / (1 - beta1 ** step)];
  }

  protected updateVariable(name: string, w: Tensor, g: Tensor, s: StepScalars, slots: StepSlots): Tensor {
    const { beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7 } = this.config;
    if (this.fused) {
      const [m0, v0] = [slots.get(name, 'm', w), slots.get(name, 'v', w)];
      const next = adamUpdate(w, g, m0, v0, s[0], this.decayScalar(s), { beta1, beta2, epsilon });
      slots.set(name, 'm', next.m);
      slots.set(name, 'v', next.v);
      return next.w;
    }
    const m = add(mul(slots.get(name, 'm', w), beta1), mul(g, 1 - beta1));
    const v = add(mul(slots.get(name, 'v', w), beta2), mul(mul(g, g), 1 - beta2));
    slots.set(name, 'm', m);
    slots.set(name, 'v', v);
    return sub(this.decay(w, s), mul(div(m, add(sqrt(v), epsilon)), s[0]));
  }

  /** What the fused update multiplies w by before subtracting it: 0 unless AdamW decays. */
  protected decayScalar(_s: StepScalars): number | Tensor {
    return 0;
  }

  /** Adam proper does not decay weights; AdamW overrides this. */
  protected decay(w: Tensor, _s: StepScalars): Tensor {
    return w;
  }
}

export interface AdamWConfig extends AdamConfig {
  /** Decoupled decay per unit learning rate (default 0.004, as Keras). */
  weightDecay?: number;
}

export class AdamW extends Adam<AdamWConfig> {
  static override readonly className = 'AdamW';

  constructor(config: AdamWConfig = {}) {
    super(config, 0.001);
    checkRange('AdamW', 'weightDecay', config.weightDecay ?? 0.004, 0, Number.POSITIVE_INFINITY);
  }

  /** [alpha, lr * weightDecay]. */
  protected override scalarsAt(lr: number, step: number): number[] {
    return [...super.scalarsAt(lr, step), lr * (this.config.weightDecay ?? 0.004)];
  }

  protected override decayScalar(s: StepScalars): number | Tensor {
    return (this.config.weightDecay ?? 0.004) === 0 ? 0 : s[1];
  }

  protected override decay(w: Tensor, s: StepScalars): Tensor {
    return (this.config.weightDecay ?? 0.004) === 0 ? w : sub(w, mul(w, s[1]));
  }
}
