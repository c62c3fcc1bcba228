/** A small CNN with BatchNormalization and Dropout learns a synthetic image task: bars vs crosses on 8x8. */
import { expect, it } from 'vitest';
import {
  Adam,
  BatchNormalization,
  Conv2D,
  Dense,
  Dropout,
  Flatten,
  MaxPooling2D,
  Random,
  Sequential,
} from '../../src/index';

/** Class 0: one horizontal or vertical bar; class 1: a cross of both. Positions and noise vary. */
function barsAndCrosses(
  n: number,
  seed: number,
): { x: { data: Float32Array; shape: number[] }; y: number[] } {
  const rng = new Random(seed);
  const data = new Float32Array(n * 64);
  const y: number[] = [];
  for (let s = 0; s < n; s++) {
    const cross = s % 2;
    const row = 1 + rng.int(6);
    const col = 1 + rng.int(6);
    const horizontal = rng.uniform() < 0.5;
    for (let i = 0; i < 64; i++) data[s * 64 + i] = 0.2 * rng.uniform();
    for (let k = 0; k < 8; k++) {
      if (cross || horizontal) data[s * 64 + row * 8 + k] = 1;
      if (cross || !horizontal) data[s * 64 + k * 8 + col] = 1;
    }
    y.push(cross);
  }
  return { x: { data, shape: [n, 8, 8, 1] }, y };
}

it('a CNN with BatchNormalization and Dropout tells bars from crosses (>= 95%)', async () => {
  const model = new Sequential({
    seed: 21,
    layers: [
      new Conv2D({ filters: 4, kernelSize: 3, padding: 'same', inputShape: [8, 8, 1] }),
      // A short run: the default momentum 0.99 would leave the moving statistics mostly at their initial values.
      new BatchNormalization({ momentum: 0.8 }),
      new Dense({ units: 4, activation: 'relu' }),
      new MaxPooling2D({ poolSize: 2 }),
      new Flatten(),
      new Dropout({ rate: 0.2 }),
      new Dense({ units: 1, activation: 'sigmoid' }),
    ],
  });
  model.compile({
    optimizer: new Adam({ learningRate: 0.02 }),
    loss: 'binaryCrossentropy',
    metrics: ['accuracy'],
  });
  const train = barsAndCrosses(160, 1);
  const test = barsAndCrosses(80, 2);
  const history = await model.fit(train.x, train.y, {
    epochs: 12,
    batchSize: 16,
    validationData: [test.x, test.y],
  });
  expect(history.history.val_accuracy.at(-1)).toBeGreaterThanOrEqual(0.95);
  // The moving statistics moved away from their initial 0 and 1 while training.
  const movingMean = await model.getWeightsByName().get('batch_normalization_1.moving_mean')!.data();
  expect([...movingMean].some((v) => Math.abs(v) > 1e-3)).toBe(true);
});
