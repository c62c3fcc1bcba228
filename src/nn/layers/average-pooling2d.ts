/** AveragePooling2D: the mean over each window of an NHWC input (padding not counted). */
import { avgPool2d } from '../../graph/ops/index';
import type { Tensor } from '../../graph/tensor';
import type { CallContext } from './layer';
import { Pooling2D } from './pooling2d';

export class AveragePooling2D extends Pooling2D {
  static readonly className = 'AveragePooling2D';

  protected call(x: Tensor, _ctx: CallContext): Tensor {
    return avgPool2d(x, this.poolSize, { strides: this.strides, padding: this.padding });
  }
}
