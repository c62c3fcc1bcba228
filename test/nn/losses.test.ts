/** Loss values against hand-computed ones, stability on extreme logits, and gradients against finite differences. */
import { describe, expect, it } from 'vitest';
import {
  getLoss,
  type LossSpec,
  mul,
  sigmoid,
  softmax,
  sum,
  type Tensor,
  tensor,
  valueAndGrad,
} from '../../src/index';
import { checkGradients, expectClose, inFloat64, randomTensor, values64 } from './helpers';

const perSample = (spec: LossSpec, yTrue: Tensor, yPred: Tensor) =>
  values64(getLoss(spec).perSample(yTrue, yPred));

describe('loss values', () => {
  it('categoricalCrossentropy from probabilities and from logits', () => {
    inFloat64(() => {
      const y = tensor([
        [0, 1, 0],
        [0, 0, 1],
      ]);
      const p = tensor([
        [0.2, 0.7, 0.1],
        [0.25, 0.25, 0.5],
      ]);
      expectClose(perSample('categoricalCrossentropy', y, p), [-Math.log(0.7), -Math.log(0.5)], 1e-12);
      const z = tensor([
        [1, 2, 3],
        [0, 0, 0],
      ]);
      const lse = Math.log(Math.E + Math.E ** 2 + Math.E ** 3);
      expectClose(
        perSample({ name: 'categoricalCrossentropy', fromLogits: true }, y, z),
        [lse - 2, Math.log(3)],
        1e-12,
      );
    });
  });

  it('sparseCategoricalCrossentropy equals the one-hot form, labels as [N] or [N,1]', () => {
    inFloat64(() => {
      const z = tensor([
        [1, 2, 3],
        [0.5, -1, 2],
      ]);
      const hot = tensor([
        [0, 1, 0],
        [1, 0, 0],
      ]);
      const dense = perSample({ name: 'categoricalCrossentropy', fromLogits: true }, hot, z);
      const spec: LossSpec = { name: 'sparseCategoricalCrossentropy', fromLogits: true };
      expectClose(perSample(spec, tensor([1, 0]), z), dense, 1e-12);
      expectClose(perSample(spec, tensor([[1], [0]]), z), dense, 1e-12);
      expect(() => getLoss(spec).perSample(tensor([1, 0, 2]), z)).toThrow(/yTrue \[3\].*expected \[2\]/);
    });
  });

  it('binaryCrossentropy from probabilities and from logits agree', () => {
    inFloat64(() => {
      const y = tensor([[1], [0], [1]]);
      const p = tensor([[0.8], [0.3], [0.5]]);
      const expected = [-Math.log(0.8), -Math.log(0.7), Math.log(2)];
      expectClose(perSample('binaryCrossentropy', y, p), expected, 1e-12);
      const z = tensor([[2], [-1], [0]]);
      const fromLogits = perSample({ name: 'binaryCrossentropy', fromLogits: true }, y, z);
      expectClose(fromLogits, [Math.log1p(Math.exp(-2)), Math.log1p(Math.exp(-1)), Math.log(2)], 1e-12);
      expectClose(perSample('binaryCrossentropy', y, sigmoid(z)), fromLogits, 1e-12);
    });
  });

  it('stays finite and exact on extreme logits', () => {
    const z = tensor([[1000], [-1000], [1000]]);
    const y = tensor([[0], [1], [1]]);
    const bce = getLoss({ name: 'binaryCrossentropy', fromLogits: true }).perSample(y, z).dataSync();
    expect([...bce]).toEqual([1000, 1000, 0]);
    const cce = getLoss({ name: 'categoricalCrossentropy', fromLogits: true })
      .perSample(tensor([[0, 1]]), tensor([[500, -500]]))
      .dataSync();
    expect(cce[0]).toBe(1000);
    // Probabilities of exactly 0 and 1 are clipped, not turned into Infinity.
    const clipped = getLoss('binaryCrossentropy')
      .perSample(tensor([[1]]), tensor([[0]]))
      .dataSync();
    expect(clipped[0]).toBeCloseTo(-Math.log(1e-7), 3);
  });

  it('meanSquaredError, meanAbsoluteError and huber average over the sample', () => {
    inFloat64(() => {
      const y = tensor([
        [0, 0],
        [1, -1],
      ]);
      const p = tensor([
        [0.5, 3],
        [1, 1],
      ]);
      expectClose(perSample('meanSquaredError', y, p), [(0.25 + 9) / 2, 2], 1e-12);
      expectClose(perSample('mse', y, p), [(0.25 + 9) / 2, 2], 1e-12);
      expectClose(perSample('meanAbsoluteError', y, p), [1.75, 1], 1e-12);
      // huber, delta 1: 0.5 e^2 inside, |e| - 0.5 outside.
      expectClose(perSample('huber', y, p), [(0.125 + 2.5) / 2, 1.5 / 2], 1e-12);
      expectClose(perSample({ name: 'huber', delta: 3 }, y, p), [(0.125 + 4.5) / 2, 2 / 2], 1e-12);
    });
  });

  it('rejects unknown names and bad options', () => {
    expect(() => getLoss('crossEntropy' as LossSpec)).toThrow(/unknown loss.*categoricalCrossentropy/);
    expect(() => getLoss({ name: 'huber', delta: 0 })).toThrow(/delta must be positive/);
  });
});

describe('loss gradients match finite differences (float64)', () => {
  const classes = 4;
  const cases: { spec: LossSpec; yTrue: () => Tensor; yPred: () => Tensor }[] = [
    {
      spec: 'categoricalCrossentropy',
      yTrue: () => softmax(randomTensor([3, classes], 11)),
      yPred: () => softmax(randomTensor([3, classes], 12)),
    },
    {
      spec: { name: 'categoricalCrossentropy', fromLogits: true },
      yTrue: () => softmax(randomTensor([3, classes], 13)),
      yPred: () => randomTensor([3, classes], 14, 2),
    },
    {
      spec: { name: 'sparseCategoricalCrossentropy', fromLogits: true },
      yTrue: () => tensor([0, 3, 2]),
      yPred: () => randomTensor([3, classes], 15, 2),
    },
    {
      spec: 'sparseCategoricalCrossentropy',
      yTrue: () => tensor([1, 2, 0]),
      yPred: () => softmax(randomTensor([3, classes], 16)),
    },
    {
      spec: 'binaryCrossentropy',
      yTrue: () =>
        tensor([
          [1, 0],
          [0, 1],
          [1, 1],
        ]),
      yPred: () => sigmoid(randomTensor([3, 2], 17)),
    },
    {
      spec: { name: 'binaryCrossentropy', fromLogits: true },
      yTrue: () =>
        tensor([
          [1, 0],
          [0.3, 1],
          [1, 0],
        ]),
      yPred: () => randomTensor([3, 2], 18, 3),
    },
    {
      spec: 'meanSquaredError',
      yTrue: () => randomTensor([3, 2], 19),
      yPred: () => randomTensor([3, 2], 20),
    },
    {
      spec: 'meanAbsoluteError',
      yTrue: () => randomTensor([3, 2], 21),
      yPred: () => randomTensor([3, 2], 22),
    },
    {
      spec: { name: 'huber', delta: 0.7 },
      yTrue: () => randomTensor([3, 2], 23),
      yPred: () => randomTensor([3, 2], 24),
    },
  ];

  it.each(cases)('$spec', ({ spec, yTrue, yPred }) => {
    inFloat64(() => {
      const loss = getLoss(spec);
      const t = yTrue();
      const weights = randomTensor([3], 25);
      checkGradients((p) => sum(mul(loss.perSample(t, p), weights)), [yPred()]);
    });
  });

  it('binaryCrossentropy from logits has gradient sigmoid(z) - y, also at z = 0', () => {
    inFloat64(() => {
      const loss = getLoss({ name: 'binaryCrossentropy', fromLogits: true });
      const y = tensor([[1], [0], [0.25]]);
      const { grads } = valueAndGrad((z) => sum(loss.perSample(y, z)))(tensor([[0], [0], [0]]));
      expectClose(values64(grads[0]), [-0.5, 0.5, 0.25], 1e-12);
    });
  });
});
