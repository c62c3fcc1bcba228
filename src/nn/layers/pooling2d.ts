/** What MaxPooling2D and AveragePooling2D share: NHWC windows, strides defaulting to the pool size. */
import { InvalidArgumentError } from '../../errors';
import { windowGeometry } from '../../graph/conv-geometry';
import type { Padding } from '../../graph/op-params';
import type { Shape } from '../../graph/shape';
import { checkPadding, pairOf } from './conv2d';
import { expectRank, Layer, type LayerConfig } from './layer';

export interface Pooling2DConfig extends LayerConfig {
  /** Default 2. */
  poolSize?: number | [number, number];
  /** Default: the pool size. */
  strides?: number | [number, number];
  padding?: Padding;
}

export abstract class Pooling2D extends Layer<Pooling2DConfig> {
  protected readonly poolSize: [number, number];
  protected readonly strides: [number, number];
  protected readonly padding: Padding;

  constructor(config: Pooling2DConfig) {
    super(config);
    this.poolSize = pairOf(this.className, 'poolSize', config.poolSize ?? 2);
    this.strides = pairOf(this.className, 'strides', config.strides ?? this.poolSize);
    this.padding = checkPadding(this.className, config.padding ?? 'valid');
  }

  computeOutputShape(inputShape: Shape): Shape {
    expectRank(this, inputShape, 3, '[batch,height,width,channels]');
    const [ph, pw] = this.poolSize;
    const g = windowGeometry(inputShape[0], inputShape[1], ph, pw, this.strides, this.padding);
    if (g.outH < 1 || g.outW < 1) {
      throw new InvalidArgumentError(
        `${this.name}: pool ${ph}x${pw} does not fit input ${inputShape[0]}x${inputShape[1]} with padding '${this.padding}'`,
      );
    }
    return [g.outH, g.outW, inputShape[2]];
  }
}
