/** Reshape: each sample to `targetShape` (one entry may be -1 and is inferred). */
import { fmtShape, InvalidArgumentError, ShapeError } from '../../errors';
import { reshape } from '../../graph/ops/index';
import { type Shape, sizeOf } from '../../graph/shape';
import type { Tensor } from '../../graph/tensor';
import { type CallContext, Layer, type LayerConfig } from './layer';

export interface ReshapeConfig extends LayerConfig {
  /** Without the batch axis. */
  targetShape: number[];
}

export class Reshape extends Layer<ReshapeConfig> {
  static readonly className = 'Reshape';

  constructor(config: ReshapeConfig) {
    super(config);
    const t = config.targetShape;
    if (
      !Array.isArray(t) ||
      !t.every((d) => d === -1 || (Number.isInteger(d) && d > 0)) ||
      t.filter((d) => d === -1).length > 1
    ) {
      throw new InvalidArgumentError(
        `Reshape(targetShape=${JSON.stringify(t)}): expected positive integers with at most one -1`,
      );
    }
  }

  computeOutputShape(inputShape: Shape): Shape {
    const target = this.config.targetShape;
    const n = sizeOf(inputShape);
    const known = sizeOf(target.filter((d) => d !== -1));
    const resolved = target.map((d) => (d === -1 ? n / known : d));
    if (
      !Number.isInteger(sizeOf(resolved)) ||
      sizeOf(resolved) !== n ||
      resolved.some((d) => !Number.isInteger(d))
    ) {
      throw new ShapeError(
        `${this.name}: cannot reshape samples of shape ${fmtShape(inputShape)} (${n} values) to ${fmtShape(target)}`,
      );
    }
    return resolved;
  }

  protected call(x: Tensor, _ctx: CallContext): Tensor {
    return reshape(x, [x.shape[0], ...this.computeOutputShape(x.shape.slice(1))]);
  }
}
