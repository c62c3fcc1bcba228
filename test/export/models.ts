/**
 * Models the export tests run through ONNX Runtime and the Python checks: every layer class and
 * activation, both paddings (with the asymmetric 'same' split of strides 2), BatchNormalization
 * on features, on channels and on a non-last axis, and the app's presets. Each is trained for two
 * epochs first, so weights and BatchNormalization's moving statistics are far from their initial
 * values.
 */

import {
  Activation,
  Adam,
  AveragePooling2D,
  BatchNormalization,
  Conv2D,
  Dense,
  Dropout,
  Flatten,
  MaxPooling2D,
  Random,
  Reshape,
  Sequential,
  Softmax,
} from '../../src/index';
import { layerFromConfig } from '../../src/nn/layers/index';
import { PRESETS } from '../../src/ui/state/presets';
import { type HostBatch, randomBatch } from '../io/models';

export { type HostBatch, randomBatch };

export interface ExportCase {
  name: string;
  build(): Sequential;
  /** Relative tolerance of ONNX Runtime against predict (see the test file for why it varies). */
  tolerance: number;
}

const classes = (n: number, k: number, seed: number) => {
  const rng = new Random(seed);
  return Array.from({ length: n }, () => rng.int(k));
};

/** Compiles and fits `model` two epochs on random samples with classification or regression targets. */
export async function trained(model: Sequential, outputs: number, task: 'classification' | 'regression') {
  const inputShape = model.inputShape!;
  const x = randomBatch([24, ...inputShape], 11);
  if (task === 'classification') {
    model.compile({
      optimizer: new Adam({ learningRate: 0.05 }),
      loss: outputs === 1 ? 'binaryCrossentropy' : 'sparseCategoricalCrossentropy',
    });
    const y = classes(24, Math.max(outputs, 2), 12);
    const target = outputs === 1 ? { data: Float32Array.from(y), shape: [24, 1] } : y;
    await model.fit(x, target, { epochs: 2, batchSize: 8 });
  } else {
    model.compile({ optimizer: new Adam({ learningRate: 0.05 }), loss: 'meanSquaredError' });
    await model.fit(x, randomBatch([24, ...model.outputShape], 13), { epochs: 2, batchSize: 8 });
  }
  return model;
}

/** A preset of the app, built for `inputSize` features. */
export function presetModel(
  id: string,
  inputSize: number,
  task: 'classification' | 'regression',
  outputs: number,
) {
  const preset = PRESETS.find((p) => p.id === id);
  if (!preset) throw new Error(`no preset ${id}`);
  const shape = { inputSize, task, outputs };
  const model = new Sequential({ seed: 5, layers: preset.layers(shape).map(layerFromConfig) });
  model.build([inputSize]);
  return model;
}

export const layerCases: ExportCase[] = [
  {
    name: 'Dense with every activation (relu, leakyRelu, elu, sigmoid, tanh, linear, softmax), useBias false',
    tolerance: 1e-5,
    build: () =>
      new Sequential({
        seed: 1,
        layers: [
          new Dense({ units: 6, activation: 'relu', inputShape: [5] }),
          new Dense({ units: 6, activation: 'leakyRelu' }),
          new Dense({ units: 6, activation: 'elu', useBias: false }),
          new Dense({ units: 6, activation: 'sigmoid' }),
          new Dense({ units: 6, activation: 'tanh' }),
          new Dense({ units: 5 }),
          new Dense({ units: 3, activation: 'softmax' }),
        ],
      }),
  },
  {
    name: 'Activation layers, BatchNormalization, Dropout, Softmax on the middle axis of a rank-3 tensor',
    tolerance: 1e-5,
    build: () =>
      new Sequential({
        seed: 2,
        layers: [
          new Reshape({ targetShape: [3, 4], inputShape: [12] }),
          new Dense({ units: 4 }),
          new BatchNormalization({ momentum: 0.5 }),
          new Activation({ activation: 'elu' }),
          new Dropout({ rate: 0.3 }),
          new Activation({ activation: 'leakyRelu' }),
          new BatchNormalization({ axis: 1, momentum: 0.5, epsilon: 0.01, center: false }),
          new Softmax({ axis: 1 }),
          new Flatten({}),
          new Dense({ units: 2, activation: 'tanh' }),
        ],
      }),
  },
  {
    name: "Conv2D 'same' stride 2 (asymmetric padding), BatchNormalization on channels, 'same' pooling",
    tolerance: 1e-5,
    build: () =>
      new Sequential({
        seed: 3,
        layers: [
          new Conv2D({
            filters: 4,
            kernelSize: 3,
            strides: 2,
            padding: 'same',
            activation: 'relu',
            inputShape: [7, 6, 2],
          }),
          new BatchNormalization({ momentum: 0.5 }),
          new MaxPooling2D({ poolSize: 2, strides: 1, padding: 'same' }),
          new AveragePooling2D({ poolSize: [3, 2], strides: [2, 1], padding: 'same' }),
          new Conv2D({ filters: 3, kernelSize: [2, 1], activation: 'sigmoid', useBias: false }),
          new Flatten({}),
          new Dense({ units: 3, activation: 'softmax' }),
        ],
      }),
  },
  {
    name: "Conv2D 'valid' with leftover rows, BatchNormalization over image rows (axis 1), valid pooling, Reshape",
    tolerance: 1e-5,
    build: () =>
      new Sequential({
        seed: 4,
        layers: [
          new Reshape({ targetShape: [7, 7, 1], inputShape: [49] }),
          new Conv2D({ filters: 2, kernelSize: 2, strides: 2, activation: 'tanh' }),
          new BatchNormalization({ axis: 1, momentum: 0.5 }),
          new AveragePooling2D({ poolSize: 2, strides: 1 }),
          new MaxPooling2D({ poolSize: [1, 2] }),
          new Reshape({ targetShape: [-1] }),
          new Dense({ units: 1 }),
        ],
      }),
  },
];
