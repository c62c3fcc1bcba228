/**
 * One contract test run for every layer: weight names and shapes, output shape against
 * computeOutputShape, the config round trip through JSON and the registry, training vs inference
 * behaviour, and a float64 gradient check of the layer (input and weights) in both modes.
 */
import { describe, expect, it } from 'vitest';
import {
  Activation,
  type ActivationName,
  AveragePooling2D,
  BatchNormalization,
  Conv2D,
  Dense,
  Dropout,
  Flatten,
  type Layer,
  layerClasses,
  layerFromConfig,
  MaxPooling2D,
  mul,
  Reshape,
  Softmax,
  serializeLayer,
  sum,
  type Tensor,
} from '../../src/index';
import { checkGradients, expectClose, inFloat64, randomTensor } from './helpers';

interface Case {
  label: string;
  make: () => Layer;
  input: number[];
  weights: [string, number[]][];
  /** Whether training mode computes something different from inference. */
  trainingDiffers?: boolean;
}

const activationNames: ActivationName[] = [
  'relu',
  'leakyRelu',
  'elu',
  'sigmoid',
  'tanh',
  'softmax',
  'linear',
];

const cases: Case[] = [
  {
    label: 'Dense',
    make: () => new Dense({ units: 3, activation: 'tanh' }),
    input: [4],
    weights: [
      ['kernel', [4, 3]],
      ['bias', [3]],
    ],
  },
  {
    label: 'Dense on rank-3 input, no bias',
    make: () => new Dense({ units: 2, useBias: false, kernelInitializer: 'heNormal' }),
    input: [3, 4],
    weights: [['kernel', [4, 2]]],
  },
  {
    label: 'Conv2D same',
    make: () => new Conv2D({ filters: 2, kernelSize: 3, padding: 'same', activation: 'elu' }),
    input: [4, 4, 2],
    weights: [
      ['kernel', [3, 3, 2, 2]],
      ['bias', [2]],
    ],
  },
  {
    label: 'Conv2D valid strided',
    make: () => new Conv2D({ filters: 3, kernelSize: [2, 3], strides: 2, kernelInitializer: 'glorotNormal' }),
    input: [5, 6, 1],
    weights: [
      ['kernel', [2, 3, 1, 3]],
      ['bias', [3]],
    ],
  },
  { label: 'MaxPooling2D', make: () => new MaxPooling2D({ poolSize: 2 }), input: [4, 4, 2], weights: [] },
  {
    label: 'AveragePooling2D same',
    make: () => new AveragePooling2D({ poolSize: 2, strides: 1, padding: 'same' }),
    input: [3, 3, 2],
    weights: [],
  },
  { label: 'Flatten', make: () => new Flatten(), input: [2, 3, 2], weights: [] },
  { label: 'Reshape', make: () => new Reshape({ targetShape: [3, -1] }), input: [6], weights: [] },
  ...activationNames.map(
    (activation): Case => ({
      label: `Activation ${activation}`,
      make: () => new Activation({ activation }),
      input: [5],
      weights: [],
    }),
  ),
  { label: 'Softmax axis 1', make: () => new Softmax({ axis: 1 }), input: [3, 4], weights: [] },
  {
    label: 'Dropout',
    make: () => new Dropout({ rate: 0.5, seed: 7 }),
    input: [6],
    weights: [],
    trainingDiffers: true,
  },
  {
    label: 'BatchNormalization',
    make: () => new BatchNormalization({}),
    input: [3],
    weights: [
      ['gamma', [3]],
      ['beta', [3]],
      ['moving_mean', [3]],
      ['moving_variance', [3]],
    ],
    trainingDiffers: true,
  },
  {
    label: 'BatchNormalization axis 1, no scale',
    make: () => new BatchNormalization({ axis: 1, scale: false, momentum: 0.5 }),
    input: [2, 3, 3],
    weights: [
      ['beta', [2]],
      ['moving_mean', [2]],
      ['moving_variance', [2]],
    ],
    trainingDiffers: true,
  },
];

/** Runs `fn` with the layer's weights replaced by `values` (as fit's training step does). */
function withWeights<T>(layer: Layer, values: Tensor[], fn: () => T): T {
  const saved = layer.weights.map((w) => w.value);
  layer.weights.forEach((w, i) => {
    w.value = values[i];
  });
  try {
    return fn();
  } finally {
    layer.weights.forEach((w, i) => {
      w.value = saved[i];
    });
  }
}

it('has a case for every class in the layer registry', () => {
  expect(new Set(cases.map((c) => c.make().className))).toEqual(new Set(Object.keys(layerClasses)));
});

describe.each(cases)('layer contract: $label', (c) => {
  const batch = 3;

  it('builds weights named <layer>.<weight> with the expected shapes', () => {
    const layer = c.make();
    layer.build(c.input);
    const prefix = layer.name;
    expect(prefix).toMatch(/^[a-z0-9_]+_1$/);
    expect(layer.weights.map((w) => [w.name, [...w.shape]])).toEqual(
      c.weights.map(([k, s]) => [`${prefix}.${k}`, s]),
    );
  });

  it('computes the output shape it reports, in both modes', () => {
    const layer = c.make();
    const x = randomTensor([batch, ...c.input], 1);
    const expected = [batch, ...layer.computeOutputShape(c.input)];
    expect(layer.apply(x, { training: false }).shape).toEqual(expected);
    expect(layer.apply(x, { training: true, step: 1, updates: [] }).shape).toEqual(expected);
  });

  it('round-trips its config through JSON and the registry to the same function', () => {
    const layer = c.make();
    const x = randomTensor([batch, ...c.input], 2);
    const y = layer.apply(x, { training: false }).dataSync();
    const saved = JSON.parse(JSON.stringify(serializeLayer(layer)));
    expect(saved.className).toBe(layer.className);
    const rebuilt = layerFromConfig(saved);
    expect(rebuilt.getConfig()).toEqual(layer.getConfig());
    // Same name and seed: the rebuilt layer's initial weights are the same, with no copying.
    expectClose(rebuilt.apply(x, { training: false }).dataSync(), y, 0);
    const trainCtx = { training: true, step: 3, updates: [] };
    expectClose(rebuilt.apply(x, trainCtx).dataSync(), layer.apply(x, trainCtx).dataSync(), 0);
  });

  it(
    c.trainingDiffers ? 'differs between training and inference' : 'is the same in training and inference',
    () => {
      const layer = c.make();
      const x = randomTensor([batch, ...c.input], 3, 2);
      const inference = layer.apply(x, { training: false }).dataSync();
      const training = layer.apply(x, { training: true, step: 0, updates: [] }).dataSync();
      const maxDiff = Math.max(...inference.map((v, i) => Math.abs(v - training[i])));
      if (c.trainingDiffers) expect(maxDiff).toBeGreaterThan(1e-3);
      else expect(maxDiff).toBe(0);
    },
  );

  it.each([false, true])('has gradients matching finite differences (training %s)', (training) => {
    inFloat64(() => {
      const layer = c.make();
      const x = randomTensor([batch, ...c.input], 4);
      layer.build(c.input);
      const outShape = [batch, ...layer.computeOutputShape(c.input)];
      const r = randomTensor(outShape, 5);
      const trainable = layer.weights.filter((w) => w.trainable);
      const f = (xIn: Tensor, ...ws: Tensor[]) =>
        withWeights(
          layer,
          layer.weights.map((w) => (trainable.includes(w) ? ws[trainable.indexOf(w)] : w.value)),
          () => sum(mul(layer.apply(xIn, { training, step: 2, updates: [] }), r)),
        );
      checkGradients(f, [x, ...trainable.map((w) => w.value)], 1e-5);
    });
  });
});
