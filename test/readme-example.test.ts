// The README's library example, run as written (on the CPU backend, with small synthetic data).
import { expect, test } from 'vitest';
import {
  Dense,
  Dropout,
  EarlyStopping,
  exportModelWeights,
  Random,
  Sequential,
  setBackend,
  tensor,
} from '../src/index';

test("the README's Sequential example trains, stops early or finishes, and exports safetensors", async () => {
  await setBackend('cpu');
  const r = new Random(5);
  const rows = 120;
  const xs = Float32Array.from({ length: rows * 4 }, () => r.normal());
  // Three classes from the sign pattern of two features: learnable by the model below.
  const ys = Float32Array.from({ length: rows }, (_, i) => (xs[i * 4] > 0 ? (xs[i * 4 + 1] > 0 ? 2 : 1) : 0));
  const x = tensor(xs, [rows, 4]);
  const y = tensor(ys, [rows]);

  const model = new Sequential([
    new Dense({ units: 32, activation: 'relu', inputShape: [4] }),
    new Dropout({ rate: 0.2 }),
    new Dense({ units: 3, activation: 'softmax' }),
  ]);
  model.compile({
    optimizer: 'adam',
    loss: 'sparseCategoricalCrossentropy',
    metrics: ['accuracy', 'f1', 'auc'],
  });
  const history = await model.fit(x, y, {
    epochs: 50,
    batchSize: 32,
    validationSplit: 0.2,
    seed: 1,
    callbacks: [new EarlyStopping({ monitor: 'val_loss', patience: 5, restoreBestWeights: true })],
  });
  const bytes = await exportModelWeights(model, { format: 'safetensors' });

  expect(history.history.loss.at(-1)).toBeLessThan(history.history.loss[0]);
  expect(Object.keys(history.history)).toEqual(
    expect.arrayContaining(['accuracy', 'f1', 'val_loss', 'val_accuracy']),
  );
  expect(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true)).toBeGreaterThan(0n);
});
