/**
 * evaluate and fit's validation run in inference mode: Dropout is the identity there. A model's own
 * predictions are then a perfect target, on the eager CPU path and on WebGPU's planned path alike.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebGPUBackend } from '../../src/backend/webgpu/webgpu-backend';
import { useBackend } from '../../src/graph/engine';
import { type Backend, CpuBackend, Dense, Dropout, Random, Sequential } from '../../src/index';

let gpu: WebGPUBackend;
beforeAll(async () => {
  gpu = await WebGPUBackend.create();
});
afterAll(() => gpu?.destroy());

function dropoutModel(): Sequential {
  const model = new Sequential({
    seed: 5,
    layers: [new Dense({ units: 3, inputShape: [4] }), new Dropout({ rate: 0.5 })],
  });
  model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
  return model;
}

function inputs(rows: number, seed: number): number[][] {
  const rng = new Random(seed);
  return Array.from({ length: rows }, () => Array.from({ length: 4 }, () => rng.normal()));
}

async function rowsOf(model: Sequential, x: number[][]): Promise<number[][]> {
  const flat = Array.from(await (await model.predict(x)).data());
  return x.map((_, r) => flat.slice(r * 3, r * 3 + 3));
}

async function on<T>(backend: Backend, fn: () => Promise<T>): Promise<T> {
  const previous = useBackend(backend);
  try {
    return await fn();
  } finally {
    useBackend(previous);
  }
}

describe.each([
  ['cpu', () => new CpuBackend()],
  ['webgpu', () => gpu],
] as const)('Dropout is off outside training (%s)', (_, backend) => {
  it('evaluate(x, predict(x)).loss is exactly 0', async () => {
    await on(backend(), async () => {
      const model = dropoutModel();
      const x = inputs(16, 1);
      const y = await rowsOf(model, x);
      // No metrics: evaluate resolves with the loss alone, as in Keras.
      expect(await model.evaluate(x, y, { batchSize: 8 })).toBe(0);
    });
  });

  it("fit's val_loss is the loss of the model's predictions after the epoch", async () => {
    await on(backend(), async () => {
      const model = dropoutModel();
      const x = inputs(32, 2);
      const xVal = inputs(12, 3);
      const yVal = inputs(12, 4).map((row) => row.slice(0, 3));
      const history = await model.fit(
        x,
        inputs(32, 5).map((row) => row.slice(0, 3)),
        {
          epochs: 1,
          batchSize: 8,
          validationData: [xVal, yVal],
        },
      );
      const predicted = await rowsOf(model, xVal);
      let squares = 0;
      predicted.forEach((row, r) => {
        row.forEach((p, j) => {
          squares += (p - yVal[r][j]) ** 2;
        });
      });
      const expected = squares / (12 * 3);
      const got = history.history.val_loss[0];
      expect(
        Math.abs(got - expected) / expected,
        `val_loss ${got}, predictions give ${expected}`,
      ).toBeLessThan(1e-5);
    });
  });
});
