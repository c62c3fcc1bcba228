/** Flatten: [batch, ...] -> [batch, product of the rest]. */
import { reshape } from '../../graph/ops/index';
import { type Shape, sizeOf } from '../../graph/shape';
import type { Tensor } from '../../graph/tensor';
import { type CallContext, Layer, type LayerConfig } from './layer';

export type FlattenConfig = LayerConfig;

export class Flatten extends Layer<FlattenConfig> {
  static readonly className = 'Flatten';

  constructor(config: FlattenConfig = {}) {
    super(config);
  }

  computeOutputShape(inputShape: Shape): Shape {
    return [sizeOf(inputShape)];
  }

  protected call(x: Tensor, _ctx: CallContext): Tensor {
    return reshape(x, [x.shape[0], sizeOf(x.shape.slice(1))]);
  }
}
