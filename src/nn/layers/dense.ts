/** Dense: y = activation(x @ kernel + bias), kernel shaped [inputs, units] as in Keras. */

import { ShapeError } from '../../errors';
import { fusedMatmul, matmul, reshape } from '../../graph/ops/index';
import type { Shape } from '../../graph/shape';
import type { Tensor } from '../../graph/tensor';
import { type ActivationName, getActivation, splitActivation } from '../activations';
import type { InitializerSpec } from '../initializers';
import { type CallContext, Layer, type LayerConfig, type LayerVariable, positiveInt } from './layer';

export interface DenseConfig extends LayerConfig {
  units: number;
  activation?: ActivationName;
  useBias?: boolean;
  kernelInitializer?: InitializerSpec;
  biasInitializer?: InitializerSpec;
}

export class Dense extends Layer<DenseConfig> {
  static readonly className = 'Dense';
  private kernel: LayerVariable | null = null;
  private bias: LayerVariable | null = null;
  private readonly activation: (x: Tensor) => Tensor;
  /** The activation as the matmul's epilogue applies it, with a bias (and what follows it). */
  private readonly split: ReturnType<typeof splitActivation>;

  constructor(config: DenseConfig) {
    super(config);
    positiveInt('Dense', 'units', config.units);
    this.activation = getActivation('Dense(activation)', config.activation ?? 'linear');
    this.split = splitActivation(config.activation ?? 'linear');
  }

  computeOutputShape(inputShape: Shape): Shape {
    if (inputShape.length < 1) {
      throw new ShapeError(`${this.name}: expected input [batch,...,features], received [batch]`);
    }
    return [...inputShape.slice(0, -1), this.config.units];
  }

  protected override buildWeights(inputShape: Shape): void {
    const inputs = inputShape[inputShape.length - 1];
    this.kernel = this.addWeight(
      'kernel',
      [inputs, this.config.units],
      this.config.kernelInitializer ?? 'glorotUniform',
    );
    if (this.config.useBias ?? true) {
      this.bias = this.addWeight('bias', [this.config.units], this.config.biasInitializer ?? 'zeros');
    }
  }

  protected call(x: Tensor, ctx: CallContext): Tensor {
    // Inputs of rank > 2 apply the kernel to the last axis, as Keras does.
    const rows = x.rank === 2 ? x : reshape(x, [-1, x.shape[x.rank - 1]]);
    // With a bias, the matmul's epilogue adds it and applies the activation when it can (one kernel).
    const kernel = this.read(this.kernel!, ctx);
    let y = this.bias
      ? fusedMatmul(rows, kernel, this.read(this.bias, ctx), { activation: this.split.epilogue })
      : matmul(rows, kernel);
    if (x.rank !== 2) y = reshape(y, [...x.shape.slice(0, -1), this.config.units]);
    return this.bias ? this.split.after(y) : this.activation(y);
  }
}
