import { afterEach, describe, expect, test, vi } from 'vitest';
import { Callback, Dense, Sequential, tensor } from '../../src/index';
import { YIELD_EVERY_MS, yieldEvery } from '../../src/nn/model/step';

afterEach(() => vi.restoreAllMocks());

describe('yieldEvery', () => {
  test('yields at the first call, then only once YIELD_EVERY_MS of work have passed since the last yield', async () => {
    let now = 1000;
    vi.spyOn(performance, 'now').mockImplementation(() => now);
    const maybeYield = yieldEvery();
    const first = maybeYield();
    expect(first).toBeInstanceOf(Promise);
    await first;
    now += YIELD_EVERY_MS - 0.5;
    expect(maybeYield()).toBeUndefined();
    now += 0.5;
    const second = maybeYield();
    expect(second).toBeInstanceOf(Promise);
    await second;
    expect(maybeYield()).toBeUndefined();
  });

  test('fit still lets a timer run within a few batches: a stop set from it ends the run early', async () => {
    const model = new Sequential({ seed: 1, layers: [new Dense({ units: 1, inputShape: [2] })] });
    model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const rows = 2000;
    const x = tensor(
      Float32Array.from({ length: rows * 2 }, (_, i) => (i % 7) / 7),
      [rows, 2],
    );
    const y = tensor(
      Float32Array.from({ length: rows }, (_, i) => (i % 3) / 3),
      [rows, 1],
    );
    let batches = 0;
    const counter = new (class extends Callback {
      override onBatchEnd(): void {
        batches++;
      }
    })();
    // As a Worker's 'stop' message would: a task, run only when fit yields to the event loop.
    setTimeout(() => {
      model.stopTraining = true;
    }, 5);
    const history = await model.fit(x, y, {
      epochs: 50,
      batchSize: 1,
      callbacks: [counter],
    });
    expect(history.stopped).toBe(true);
    expect(batches).toBeLessThan(50 * rows);
  });
});
