/**
 * Gradient checks of the per-channel batch-norm parts along a last, middle and first-after-batch
 * channel axis, and of a training-mode batch norm composed from them as the layer does.
 */
import { describe, it } from 'vitest';
import {
  add,
  channelAffine,
  channelMoments,
  channelRows,
  channelSums,
  div,
  mul,
  sqrt,
} from '../../../src/graph/ops';
import type { Shape } from '../../../src/graph/shape';
import type { Tensor } from '../../../src/graph/tensor';
import { checkGradients, Draw, nextSeed } from '../gradcheck';

/** [x shape, channel axis]: dense [N, C], NCHW-like axis 1, NHWC. */
const LAYOUTS: [Shape, number][] = [
  [[5, 3], 1],
  [[2, 3, 4], 1],
  [[2, 2, 3, 3], 3],
];

export function channelGradientCases(): void {
  describe('per-channel batch-norm parts', () => {
    it.each(LAYOUTS)('channelMoments of %j along axis %i', (shape, axis) => {
      const d = new Draw(nextSeed());
      checkGradients((x) => channelMoments(x, axis), [d.normal(shape, 2)], { seed: d.seed });
    });

    it.each(LAYOUTS)('channelAffine of %j along axis %i', (shape, axis) => {
      const d = new Draw(nextSeed());
      const c = [shape[axis]];
      checkGradients(
        (x, center, scale, shift) => channelAffine(x, center, scale, shift, axis),
        [d.normal(shape), d.normal(c), d.normal(c), d.normal(c)],
        { seed: d.seed },
      );
    });

    it.each(LAYOUTS)('channelSums of %j along axis %i', (shape, axis) => {
      const d = new Draw(nextSeed());
      checkGradients(
        (dy, x, center) => channelSums(dy, x, center, axis),
        [d.normal(shape), d.normal(shape), d.normal([shape[axis]])],
        { seed: d.seed },
      );
    });

    it.each(LAYOUTS)('batch norm with batch statistics of %j along axis %i', (shape, axis) => {
      const d = new Draw(nextSeed());
      const c = [shape[axis]];
      const norm = (x: Tensor, gamma: Tensor, beta: Tensor) => {
        const [mean, variance] = channelRows(channelMoments(x, axis));
        const scale = div(gamma, sqrt(add(variance, 1e-3)));
        return mul(channelAffine(x, mean, scale, beta, axis), 1);
      };
      checkGradients(norm, [d.normal(shape, 2), d.uniform(c, 0.5, 1.5), d.normal(c)], { seed: d.seed });
    });
  });
}
