/** MaxPooling2D: the maximum over each window of an NHWC input. */
import { maxPool2d } from '../../graph/ops/index';
import type { Tensor } from '../../graph/tensor';
import type { CallContext } from './layer';
import { Pooling2D } from './pooling2d';

export class MaxPooling2D extends Pooling2D {
  static readonly className = 'MaxPooling2D';

  protected call(x: Tensor, _ctx: CallContext): Tensor {
    return maxPool2d(x, this.poolSize, { strides: this.strides, padding: this.padding });
  }
}
