/** Activation: applies a named activation function elementwise (softmax over the last axis). */
import type { Shape } from '../../graph/shape';
import type { Tensor } from '../../graph/tensor';
import { type ActivationName, getActivation } from '../activations';
import { type CallContext, Layer, type LayerConfig } from './layer';

export interface ActivationConfig extends LayerConfig {
  activation: ActivationName;
}

export class Activation extends Layer<ActivationConfig> {
  static readonly className = 'Activation';
  private readonly fn: (x: Tensor) => Tensor;

  constructor(config: ActivationConfig) {
    super(config);
    this.fn = getActivation('Activation(activation)', config.activation);
  }

  computeOutputShape(inputShape: Shape): Shape {
    return inputShape;
  }

  protected call(x: Tensor, _ctx: CallContext): Tensor {
    return this.fn(x);
  }
}
