/** Models and data shared by the model file tests: every layer class appears in one of them. */
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

export interface HostBatch {
  data: Float32Array;
  shape: number[];
}

/** Standard normal values from a seed. */
export function randomBatch(shape: number[], seed: number): HostBatch {
  const rng = new Random(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return { data: Float32Array.from({ length: n }, () => rng.normal()), shape };
}

/** Dense, BatchNormalization, Dropout, Activation, Softmax on 4 features, 3 classes. */
export function mlp(seed: number): Sequential {
  return new Sequential({
    seed,
    layers: [
      new Dense({ units: 8, activation: 'relu', inputShape: [4] }),
      new BatchNormalization({}),
      new Dropout({ rate: 0.25 }),
      new Dense({ units: 6 }),
      new Activation({ activation: 'tanh' }),
      new Dense({ units: 3 }),
      new Softmax({}),
    ],
  });
}

/** Conv2D, both poolings, BatchNormalization on channels, Reshape, Flatten and Dense on 6x6x2 images. */
export function cnn(seed: number): Sequential {
  return new Sequential({
    seed,
    layers: [
      new Conv2D({ filters: 3, kernelSize: 3, padding: 'same', activation: 'relu', inputShape: [6, 6, 2] }),
      new BatchNormalization({}),
      new MaxPooling2D({ poolSize: 2 }),
      new Conv2D({ filters: 4, kernelSize: 2, activation: 'elu' }),
      new AveragePooling2D({ poolSize: 2 }),
      new Reshape({ targetShape: [4] }),
      new Dropout({ rate: 0.5 }),
      new Flatten({}),
      new Dense({ units: 1, activation: 'sigmoid' }),
    ],
  });
}

/** Three separable classes in 4-D: class c shifted by 2 along axis c. */
export function classes(n: number, seed: number): { x: HostBatch; y: number[] } {
  const rng = new Random(seed);
  const data = new Float32Array(n * 4);
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    for (let j = 0; j < 4; j++) data[i * 4 + j] = rng.normal() + (j === c ? 2 : 0);
    y.push(c);
  }
  return { x: { data, shape: [n, 4] }, y };
}

/** The MLP compiled as the checkpoint tests train it. */
export function compiledMlp(seed: number): Sequential {
  const model = mlp(seed);
  model.compile({
    optimizer: new Adam({ learningRate: 0.02 }),
    loss: 'sparseCategoricalCrossentropy',
    metrics: ['accuracy'],
  });
  return model;
}

/** Every weight's values, by name, for before/after comparisons. */
export async function weightValues(model: Sequential): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = {};
  for (const v of model.variables) out[v.name] = [...(await v.value.data())];
  return out;
}

/** Bit patterns of a prediction, so -0 vs 0 and NaN payloads count as differences. */
export async function predictionBits(model: Sequential, x: HostBatch): Promise<number[]> {
  const y = await model.predict(x);
  return [...new Uint32Array(Float32Array.from(await y.data()).buffer)];
}
