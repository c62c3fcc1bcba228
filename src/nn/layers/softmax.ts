/** Softmax over one axis (counting the batch axis as 0; default -1, the last). */
import { InvalidArgumentError } from '../../errors';
import { softmax } from '../../graph/ops/index';
import { normalizeAxis, type Shape } from '../../graph/shape';
import type { Tensor } from '../../graph/tensor';
import { type CallContext, Layer, type LayerConfig } from './layer';

export interface SoftmaxConfig extends LayerConfig {
  axis?: number;
}

export class Softmax extends Layer<SoftmaxConfig> {
  static readonly className = 'Softmax';

  constructor(config: SoftmaxConfig = {}) {
    super(config);
    if (config.axis !== undefined && !Number.isInteger(config.axis)) {
      throw new InvalidArgumentError(`Softmax(axis=${config.axis}): axis must be an integer`);
    }
  }

  computeOutputShape(inputShape: Shape): Shape {
    const axis = normalizeAxis(this.name, this.config.axis ?? -1, inputShape.length + 1);
    if (axis === 0) {
      throw new InvalidArgumentError(`${this.name}: axis ${this.config.axis} is the batch axis`);
    }
    return inputShape;
  }

  protected call(x: Tensor, _ctx: CallContext): Tensor {
    return softmax(x, this.config.axis ?? -1);
  }
}
