/**
 * Dropout: the identity at inference; while training, inverted dropout whose mask is a pure
 * function of (seed, step, element index), so a run replays exactly from its seed on any backend.
 */
import { InvalidArgumentError } from '../../errors';
import { dropout } from '../../graph/ops/index';
import { hash32 } from '../../graph/random';
import type { Shape } from '../../graph/shape';
import type { Tensor } from '../../graph/tensor';
import { type CallContext, hashString, Layer, type LayerConfig } from './layer';

export interface DropoutConfig extends LayerConfig {
  /** Fraction of elements zeroed while training, in [0, 1). */
  rate: number;
  /** Fixes this layer's masks; without it they derive from fit's seed and the layer's name. */
  seed?: number;
}

export class Dropout extends Layer<DropoutConfig> {
  static readonly className = 'Dropout';

  constructor(config: DropoutConfig) {
    super(config);
    if (typeof config.rate !== 'number' || !(config.rate >= 0 && config.rate < 1)) {
      throw new InvalidArgumentError(`Dropout(rate=${config.rate}): rate must be in [0, 1)`);
    }
    if (config.seed !== undefined && !Number.isInteger(config.seed)) {
      throw new InvalidArgumentError(`Dropout(seed=${config.seed}): seed must be an integer`);
    }
  }

  computeOutputShape(inputShape: Shape): Shape {
    return inputShape;
  }

  protected call(x: Tensor, ctx: CallContext): Tensor {
    if (!ctx.training || this.config.rate === 0) return x;
    // Two Dropout layers in one model must not share a mask: the name keys each layer's stream.
    const seed = this.config.seed ?? hash32(((ctx.seed ?? 0) ^ hashString(this.name)) >>> 0);
    return dropout(x, this.config.rate, { seed, step: ctx.step ?? 0 });
  }
}
