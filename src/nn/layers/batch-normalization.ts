/**
 * BatchNormalization over every axis except `axis` (the features of Dense output, the channels of
 * NHWC images, axis 1 for channels-first input). While training it normalises with the batch's
 * mean and (biased) variance and moves the moving statistics towards them; at inference it uses
 * the moving statistics only.
 */
import { InvalidArgumentError } from '../../errors';
import { noGrad } from '../../graph/engine';
import {
  add,
  channelAffine,
  channelMoments,
  channelRows,
  div,
  mul,
  sqrt,
  zeros,
} from '../../graph/ops/index';
import { normalizeAxis, type Shape } from '../../graph/shape';
import type { Tensor } from '../../graph/tensor';
import type { InitializerSpec } from '../initializers';
import { type CallContext, Layer, type LayerConfig, type LayerVariable } from './layer';

export interface BatchNormalizationConfig extends LayerConfig {
  /** The feature axis, counting the batch axis as 0 (default -1). */
  axis?: number;
  /** moving = moving * momentum + batch * (1 - momentum); default 0.99. */
  momentum?: number;
  /** Added to the variance before the square root; default 1e-3. */
  epsilon?: number;
  /** Learn an offset beta (default true). */
  center?: boolean;
  /** Learn a scale gamma (default true). */
  scale?: boolean;
  gammaInitializer?: InitializerSpec;
  betaInitializer?: InitializerSpec;
  movingMeanInitializer?: InitializerSpec;
  movingVarianceInitializer?: InitializerSpec;
}

export class BatchNormalization extends Layer<BatchNormalizationConfig> {
  static readonly className = 'BatchNormalization';
  private gamma: LayerVariable | null = null;
  private beta: LayerVariable | null = null;
  private movingMean: LayerVariable | null = null;
  private movingVariance: LayerVariable | null = null;

  constructor(config: BatchNormalizationConfig = {}) {
    super(config);
    const { momentum = 0.99, epsilon = 1e-3, axis = -1 } = config;
    if (!Number.isInteger(axis)) {
      throw new InvalidArgumentError(`BatchNormalization(axis=${axis}): axis must be an integer`);
    }
    if (!(momentum >= 0 && momentum <= 1)) {
      throw new InvalidArgumentError(`BatchNormalization(momentum=${momentum}): momentum must be in [0, 1]`);
    }
    if (!(epsilon > 0)) {
      throw new InvalidArgumentError(`BatchNormalization(epsilon=${epsilon}): epsilon must be positive`);
    }
  }

  /** The feature axis of a batch of rank `rank`. */
  private featureAxis(rank: number): number {
    const axis = normalizeAxis(this.name, this.config.axis ?? -1, rank);
    if (axis === 0) {
      throw new InvalidArgumentError(`${this.name}: axis ${this.config.axis} is the batch axis`);
    }
    return axis;
  }

  computeOutputShape(inputShape: Shape): Shape {
    this.featureAxis(inputShape.length + 1);
    return inputShape;
  }

  protected override buildWeights(inputShape: Shape): void {
    const features = [inputShape[this.featureAxis(inputShape.length + 1) - 1]];
    const c = this.config;
    if (c.scale ?? true) this.gamma = this.addWeight('gamma', features, c.gammaInitializer ?? 'ones');
    if (c.center ?? true) this.beta = this.addWeight('beta', features, c.betaInitializer ?? 'zeros');
    this.movingMean = this.addWeight('moving_mean', features, c.movingMeanInitializer ?? 'zeros', false);
    this.movingVariance = this.addWeight(
      'moving_variance',
      features,
      c.movingVarianceInitializer ?? 'ones',
      false,
    );
  }

  protected call(x: Tensor, ctx: CallContext): Tensor {
    const axis = this.featureAxis(x.rank);
    const epsilon = this.config.epsilon ?? 1e-3;
    let mean = this.read(this.movingMean!, ctx);
    let variance = this.read(this.movingVariance!, ctx);
    if (ctx.training) {
      [mean, variance] = channelRows(channelMoments(x, axis));
      this.updateMovingStatistics(mean, variance, ctx);
    }
    // y = (x - mean) * gamma / sqrt(variance + epsilon) + beta: the per-channel factors are
    // computed on [C] vectors, so the activations are read once, by one channelAffine kernel.
    const invStd = div(1, sqrt(add(variance, epsilon)));
    const scale = this.gamma ? mul(this.read(this.gamma, ctx), invStd) : invStd;
    const shift = this.beta ? this.read(this.beta, ctx) : zeros(mean.shape);
    return channelAffine(x, mean, scale, shift, axis);
  }

  private updateMovingStatistics(mean: Tensor, variance: Tensor, ctx: CallContext): void {
    const momentum = this.config.momentum ?? 0.99;
    // Statistics are state, not part of the loss: no gradient may flow through their update.
    noGrad(() => {
      const move = (v: LayerVariable, batch: Tensor) =>
        this.updateState(v, add(mul(this.read(v, ctx), momentum), mul(batch, 1 - momentum)), ctx);
      move(this.movingMean!, mean);
      move(this.movingVariance!, variance);
    });
  }
}
