/**
 * Gradient checks of the fused ops: the matmul epilogue for each activation and layout, the
 * activation gradient in both of its inputs, and softmax cross-entropy with its own gradient op.
 */
import { describe, it } from 'vitest';
import {
  activationGrad,
  fusedConv2d,
  fusedMatmul,
  softmaxCrossEntropy,
  softmaxCrossEntropyGrad,
} from '../../../src/graph/ops';
import { checkGradients, Draw, nextSeed } from '../gradcheck';

const ACTIVATIONS = ['linear', 'relu', 'sigmoid', 'tanh'] as const;

export function fusedGradientCases(): void {
  describe('fusedMatmul', () => {
    const layouts: [boolean, boolean][] = [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ];
    for (const activation of ACTIVATIONS) {
      it.each(layouts)(`${activation}, transposeA %s, transposeB %s`, (transposeA, transposeB) => {
        const d = new Draw(nextSeed());
        checkGradients(
          (a, b, bias) => fusedMatmul(a, b, bias, { transposeA, transposeB, activation }),
          [d.uniform(transposeA ? [4, 3] : [3, 4]), d.uniform(transposeB ? [5, 4] : [4, 5]), d.uniform([5])],
          { seed: d.seed },
        );
      });
    }
  });

  describe('fusedConv2d', () => {
    for (const activation of ACTIVATIONS) {
      it.each([
        [[1, 4, 4, 2], [3, 3, 2, 3], 1, 'valid'],
        [[2, 5, 4, 1], [2, 3, 1, 2], 2, 'same'],
      ] as const)(`${activation}: x %j, filter %j, strides %i, %s`, (xs, ws, strides, padding) => {
        const d = new Draw(nextSeed());
        checkGradients(
          (x, w, bias) => fusedConv2d(x, w, bias, { strides, padding, activation }),
          [d.uniform(xs), d.uniform(ws), d.uniform([ws[3]])],
          { seed: d.seed },
        );
      });
    }
  });

  describe('activationGrad', () => {
    it('relu: dy where y > 0 (y kept away from the kink)', () => {
      const d = new Draw(nextSeed());
      checkGradients((dy, y) => activationGrad(dy, y, 'relu'), [d.normal([3, 4]), d.awayFromZero([3, 4])], {
        seed: d.seed,
      });
    });

    it('sigmoid, y in (0, 1)', () => {
      const d = new Draw(nextSeed());
      checkGradients(
        (dy, y) => activationGrad(dy, y, 'sigmoid'),
        [d.normal([3, 4]), d.uniform([3, 4], 0.05, 0.95)],
        { seed: d.seed },
      );
    });

    it('tanh, y in (-1, 1)', () => {
      const d = new Draw(nextSeed());
      checkGradients(
        (dy, y) => activationGrad(dy, y, 'tanh'),
        [d.normal([3, 4]), d.uniform([3, 4], -0.95, 0.95)],
        { seed: d.seed },
      );
    });
  });

  describe('softmax cross-entropy', () => {
    it.each([[[4, 5]], [[2, 3, 4]]])('loss per row of %j, logits and (unnormalised) labels', (shape) => {
      const d = new Draw(nextSeed());
      checkGradients(softmaxCrossEntropy, [d.normal(shape, 2), d.uniform(shape, 0, 1)], { seed: d.seed });
    });

    it('its gradient op, in dy, logits and labels', () => {
      const d = new Draw(nextSeed());
      checkGradients(softmaxCrossEntropyGrad, [d.normal([4]), d.normal([4, 5], 2), d.uniform([4, 5], 0, 1)], {
        seed: d.seed,
      });
    });
  });
}
